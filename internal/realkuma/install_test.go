package realkuma

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// target makes a fake setup.sh target in a temporary dir; what is left out
// of it is missing.
func target(t *testing.T, version, result string, db bool) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name, text string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if version != "" {
		write("src/package.json", `{"name": "uptime-kuma", "version": "`+version+`"}`)
	}
	if result != "" {
		write("setup-result.json", result)
	}
	if db {
		write("data/kuma.db", "")
	}
	return dir
}

const goodResult = `{"pushToken": "AbC123", "monitorID": 1, "username": "admin", "password": "pw"}`

func TestOpen(t *testing.T) {
	cases := []struct {
		name    string
		dir     string
		wantErr string // "" for none
	}{
		{"complete", target(t, "2.5.3", goodResult, true), ""},
		{"no sources", target(t, "", goodResult, true), "not an Uptime Kuma setup target"},
		{"setup not run", target(t, "1.23.17", "", true), "setup not finished"},
		{"no database", target(t, "1.23.17", goodResult, false), "no data/kuma.db"},
		{"no push monitor", target(t, "1.23.17", `{"username": "admin"}`, true), "no push monitor"},
		{"not a dir", filepath.Join(t.TempDir(), "absent"), "setup.sh"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, err := Open(c.dir)
			if c.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if in.Version != "2.5.3" || in.Major() != 2 || in.Setup.PushToken != "AbC123" || in.Setup.MonitorID != 1 {
					t.Errorf("Open: %+v", in)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), "setup.sh") {
				t.Errorf("Open: error %v, want one saying %q and how to run setup.sh", err, c.wantErr)
			}
		})
	}
}

func TestInstalls(t *testing.T) {
	a, b := target(t, "1.23.17", goodResult, true), target(t, "2.5.3", goodResult, true)
	cases := []struct {
		env      string
		versions []string
		wantErr  bool
	}{
		{"", nil, false},
		{a, []string{"1.23.17"}, false},
		{a + ":" + b, []string{"1.23.17", "2.5.3"}, false},
		{":" + b + "::", []string{"2.5.3"}, false},
		{a + ":" + filepath.Join(a, "nope"), nil, true},
	}
	for _, c := range cases {
		t.Setenv(EnvVar, c.env)
		ins, err := Installs()
		if (err != nil) != c.wantErr {
			t.Errorf("%s=%q: error %v, want error: %v", EnvVar, c.env, err, c.wantErr)
			continue
		}
		var got []string
		for _, in := range ins {
			got = append(got, in.Version)
		}
		if strings.Join(got, " ") != strings.Join(c.versions, " ") {
			t.Errorf("%s=%q: versions %q, want %q", EnvVar, c.env, got, c.versions)
		}
	}
}

// TestScriptsInRepo: a fresh clone has the whole harness, where ScriptsDir
// finds it without $OPKUMA_REAL_KUMA_SCRIPTS.
func TestScriptsInRepo(t *testing.T) {
	t.Setenv(ScriptsEnvVar, "")
	dir, err := ScriptsDir()
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := filepath.Abs(filepath.Join("..", "..", "scripts", "realkuma")); dir != want {
		t.Errorf("ScriptsDir() = %s, want %s", dir, want)
	}
	for _, name := range []string{"setup.sh", "kuma-setup.js", "kuma-ctl.js", "slowhook.py"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Error(err)
			continue
		}
		if name == "setup.sh" && fi.Mode()&0o111 == 0 {
			t.Errorf("%s is not executable", name)
		}
	}
	t.Setenv(ScriptsEnvVar, "/elsewhere")
	if dir, err := ScriptsDir(); dir != "/elsewhere" || err != nil {
		t.Errorf("with $%s=/elsewhere: ScriptsDir() = %q, %v", ScriptsEnvVar, dir, err)
	}
}
