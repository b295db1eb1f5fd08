package job

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/opkuma/opkuma/internal/lock"
	"github.com/opkuma/opkuma/internal/runner"
)

func TestDownMessage(t *testing.T) {
	tests := []struct {
		name           string
		r              runner.Result
		stderr, stdout string
		want           string
	}{
		{"stderr wins", runner.Result{ExitCode: 3}, "boom", "out", "exit 3: boom"},
		{"stdout when stderr empty", runner.Result{ExitCode: 3}, "", "out", "exit 3: out"},
		{"no output", runner.Result{ExitCode: 1}, "", "", "exit 1"},
		{"signal", runner.Result{ExitCode: 143, Signal: syscall.SIGTERM}, "x", "", "killed by SIGTERM"},
		{"timeout", runner.Result{ExitCode: 124, TimedOut: true, Timeout: 5 * time.Minute}, "x", "", "timed out after 5m"},
		{"not found", runner.Result{ExitCode: 127, Err: &runner.StartError{Name: "x", Err: runner.ErrNotFound}}, "", "", "command not found"},
		{"control chars", runner.Result{ExitCode: 2}, "a\x1b[31mred\x1b[0m\tz", "", "exit 2: a[31mred[0m z"},
		{"invalid utf-8", runner.Result{ExitCode: 2}, "caf\xe9", "", "exit 2: caf\uFFFD"},
		{"capped", runner.Result{ExitCode: 2}, strings.Repeat("é", 400), "", "exit 2: " + strings.Repeat("é", 239) + "..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Outcome{Started: true, Result: tt.r, stderrLine: tt.stderr, stdoutLine: tt.stdout}
			if got := o.DownMessage(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRunRedactsOutput(t *testing.T) {
	out := Run(context.Background(), Spec{
		Command:  runner.Command{Argv: []string{"sh", "-c", "echo secret-line >&2; exit 4"}},
		Stdout:   devNull(t),
		Stderr:   devNull(t),
		Env:      []string{"PATH=" + os.Getenv("PATH")},
		KeepTail: true,
		Redact:   func(s string) string { return strings.ReplaceAll(s, "secret", "****") },
	})
	if got := out.DownMessage(); got != "exit 4: ****-line" || out.ExitCode() != 4 {
		t.Errorf("got %q exit %d", got, out.ExitCode())
	}
}

func TestRunNotStarted(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	cmd := runner.Command{Argv: []string{"touch", marker}}
	env := []string{"PATH=" + os.Getenv("PATH")}

	// A signal before the start: not run, 128+N.
	sigs := make(chan os.Signal, 1)
	sigs <- syscall.SIGTERM
	out := Run(context.Background(), Spec{Command: cmd, Env: env, Signals: sigs})
	if out.Started || out.ExitCode() != 143 {
		t.Errorf("signal first: %+v", out)
	}

	// A busy lock: not run, a *lock.BusyError.
	l, err := lock.Acquire(context.Background(), filepath.Join(dir, "l"), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	out = Run(context.Background(), Spec{Command: cmd, Env: env, Lock: filepath.Join(dir, "l")})
	var busy *lock.BusyError
	if out.Started || !errors.As(out.Err, &busy) {
		t.Errorf("busy lock: %+v", out)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the job ran")
	}
}

// A terminal resized (SIGWINCH) before the job started, or while it
// waited for its lock, does not stop it: SIGWINCH ends nothing. Mutation
// caught: stopsStart true for every signal (before, a resize during
// --lock-wait cancelled the run).
func TestRunWinchBeforeStart(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	cmd := runner.Command{Argv: []string{"touch", marker}}
	env := []string{"PATH=" + os.Getenv("PATH")}
	for _, lockFile := range []string{"", filepath.Join(dir, "l")} {
		os.Remove(marker)
		sigs := make(chan os.Signal, 2)
		sigs <- syscall.SIGWINCH
		sigs <- syscall.SIGWINCH
		out := Run(context.Background(), Spec{Command: cmd, Env: env, Signals: sigs, Lock: lockFile})
		if !out.Started || out.ExitCode() != 0 {
			t.Errorf("lock %q: %+v", lockFile, out)
		}
		if _, err := os.Stat(marker); err != nil {
			t.Errorf("lock %q: the job did not run", lockFile)
		}
	}
}

// CatchSignals catches in the background; C waits until it has. Mutation
// caught: C returning before signal.Notify (a signal sent then kills the
// test process).
func TestCatchSignals(t *testing.T) {
	s := CatchSignals()
	defer s.Stop()
	c := s.C()
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR2); err != nil {
		t.Fatal(err)
	}
	if got := <-c; got != syscall.SIGUSR2 {
		t.Errorf("caught %v", got)
	}
}

func devNull(t *testing.T) *os.File {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
