package realkuma

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// EnvVar names the environment variable that lists setup targets,
// separated by ':'.
const EnvVar = "OPKUMA_REAL_KUMA"

// ScriptsEnvVar names the environment variable that holds the directory of
// setup.sh, kuma-ctl.js and slowhook.py; by default scripts/realkuma of the
// module the tests run in.
const ScriptsEnvVar = "OPKUMA_REAL_KUMA_SCRIPTS"

// scriptsRel is where the harness's scripts live in the repository.
const scriptsRel = "scripts/realkuma"

// SetupResult is setup.sh's setup-result.json: the push monitor it created
// and the admin login.
type SetupResult struct {
	PushToken string `json:"pushToken"`
	MonitorID int    `json:"monitorID"`
	Username  string `json:"username"`
	Password  string `json:"password"`
}

// Install is one setup target of setup.sh.
type Install struct {
	Dir     string      // the target: Dir/src, Dir/data, Dir/setup-result.json
	Version string      // Uptime Kuma's version, from Dir/src/package.json
	Setup   SetupResult // Dir/setup-result.json
}

// Major returns the major version number: 1 or 2.
func (in *Install) Major() int {
	var m int
	fmt.Sscanf(in.Version, "%d", &m)
	return m
}

// SetupResultFile returns the path of the target's setup-result.json.
func (in *Install) SetupResultFile() string { return filepath.Join(in.Dir, "setup-result.json") }

// Installs opens every target listed in $OPKUMA_REAL_KUMA. It returns none
// when the variable is unset or empty, and an error naming the target when
// one is not a complete setup.sh target.
func Installs() ([]*Install, error) {
	var out []*Install
	for _, dir := range strings.Split(os.Getenv(EnvVar), ":") {
		if dir == "" {
			continue
		}
		in, err := Open(dir)
		if err != nil {
			return nil, fmt.Errorf("$%s: %w", EnvVar, err)
		}
		out = append(out, in)
	}
	return out, nil
}

// Open reads the setup target dir. The error says which file is missing
// and how to make it.
func Open(dir string) (*Install, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	in := &Install{Dir: abs}
	var pkg struct {
		Version string `json:"version"`
	}
	hint := "run " + scriptsRel + "/setup.sh SOURCE " + abs + " VERSION (CONTRIBUTING.md)"
	if err := readJSON(filepath.Join(abs, "src", "package.json"), &pkg); err != nil {
		return nil, fmt.Errorf("%s: not an Uptime Kuma setup target (%w): %s", abs, err, hint)
	}
	if err := readJSON(in.SetupResultFile(), &in.Setup); err != nil {
		return nil, fmt.Errorf("%s: setup not finished (%w): %s", abs, err, hint)
	}
	if _, err := os.Stat(filepath.Join(abs, "data", "kuma.db")); err != nil {
		return nil, fmt.Errorf("%s: no data/kuma.db: %s", abs, hint)
	}
	in.Version = pkg.Version
	if in.Setup.PushToken == "" || in.Setup.MonitorID == 0 {
		return nil, fmt.Errorf("%s: setup-result.json has no push monitor: %s", abs, hint)
	}
	return in, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// ScriptsDir returns the directory of kuma-ctl.js and slowhook.py:
// $OPKUMA_REAL_KUMA_SCRIPTS, else scripts/realkuma under the nearest
// directory above the working directory that holds a go.mod (a test's
// working directory is its package's, inside the clone).
func ScriptsDir() (string, error) {
	if d := os.Getenv(ScriptsEnvVar); d != "" {
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			dir := filepath.Join(d, filepath.FromSlash(scriptsRel))
			if _, err := os.Stat(filepath.Join(dir, "kuma-ctl.js")); err != nil {
				return "", fmt.Errorf("the module at %s has no %s/kuma-ctl.js: set $%s", d, scriptsRel, ScriptsEnvVar)
			}
			return dir, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s, so no %s: set $%s", wd, scriptsRel, ScriptsEnvVar)
		}
	}
}

// CheckTools reports the first command the harness needs (node, sqlite3,
// python3) that is not in PATH.
func CheckTools() error {
	var missing []string
	for _, c := range []string{"node", "sqlite3", "python3"} {
		if _, err := exec.LookPath(c); err != nil {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return errors.New("not in PATH: " + strings.Join(missing, ", "))
	}
	return nil
}

// EachVersion runs f once per target in $OPKUMA_REAL_KUMA, as a subtest
// named after its version (CI counts the real-server tests by these
// names). It skips t, saying how to enable it, when the variable is unset
// and under -short; it fails t when a target or a needed tool is missing.
func EachVersion(t *testing.T, f func(t *testing.T, in *Install)) {
	t.Helper()
	if testing.Short() {
		t.Skip("real Uptime Kuma tests take seconds each: skipped under -short")
	}
	ins, err := Installs()
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) == 0 {
		t.Skipf("no real Uptime Kuma: set %s=DIR[:DIR2...] to targets of %s/setup.sh to run this test (CONTRIBUTING.md)", EnvVar, scriptsRel)
	}
	if err := CheckTools(); err != nil {
		t.Fatalf("realkuma: %v", err)
	}
	for _, in := range ins {
		t.Run(in.Version, func(t *testing.T) { f(t, in) })
	}
}
