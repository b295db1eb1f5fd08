package realkuma

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// opkumaBin is the opkuma binary TestMain builds when real servers are
// configured; empty otherwise.
var opkumaBin string

func TestMain(m *testing.M) {
	flag.Parse()
	var tmp string
	if bin := os.Getenv("OPKUMA_REAL_KUMA_BIN"); bin != "" {
		opkumaBin = bin // a binary built elsewhere, e.g. from another commit
	} else if os.Getenv(EnvVar) != "" && !testing.Short() {
		var err error
		if tmp, err = os.MkdirTemp("", "opkuma-realkuma-"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		opkumaBin = filepath.Join(tmp, "opkuma")
		build := exec.Command("go", "build", "-o", opkumaBin, "github.com/opkuma/opkuma")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "realkuma: building opkuma:", err)
			os.RemoveAll(tmp)
			os.Exit(1)
		}
	}
	code := m.Run()
	if tmp != "" {
		os.RemoveAll(tmp)
	}
	os.Exit(code)
}

// result is what one opkuma process did.
type result struct {
	code           int
	stdout, stderr string
	took           time.Duration
}

// opkuma runs the built binary with args and extra environment variables
// (on top of a copy of the test's environment without OPKUMA_ variables).
func opkuma(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := opkumaCmd(env, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String(), took: time.Since(start)}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running opkuma: %v", err)
	}
	t.Logf("opkuma %s: exit %d in %v\nstdout: %q\nstderr: %q", strings.Join(redactAll(args), " "), r.code, r.took.Round(time.Millisecond),
		pushPath.ReplaceAllString(r.stdout, "/api/push/<token>"), pushPath.ReplaceAllString(r.stderr, "/api/push/<token>"))
	return r
}

// opkumaCmd returns the command that runs the built binary with args and
// extra environment variables, on top of the test's environment without
// its OPKUMA_ variables.
func opkumaCmd(env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(opkumaBin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OPKUMA_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// redactAll hides push tokens in what the test itself logs.
func redactAll(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = pushPath.ReplaceAllString(a, "/api/push/<token>")
	}
	return out
}

// noToken fails the test when text, with the allowed passages (the job's
// own output) removed, holds token.
func noToken(t *testing.T, where, text, token string, allowed ...string) {
	t.Helper()
	for _, a := range allowed {
		text = strings.ReplaceAll(text, a, "")
	}
	if token == "" || !strings.Contains(text, token) {
		return
	}
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, token) {
			lines = append(lines, strings.ReplaceAll(l, token, "<TOKEN>"))
		}
	}
	t.Errorf("the push token is in %s: %q", where, strings.Join(lines, "\n"))
}
