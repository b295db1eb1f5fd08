package job

import (
	"bufio"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
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
		// Mutation caught: `&& !r.StopKilled` dropped (a killed job's
		// last line after "killed").
		{"stopped, job exited", runner.Result{ExitCode: 143, Stop: syscall.SIGTERM}, "saved", "", "terminated by SIGTERM; job exit 143: saved"},
		{"stopped, job killed", runner.Result{ExitCode: 143, Stop: syscall.SIGTERM, StopKilled: true, StopGrace: 5 * time.Second, Signal: 0}, "x", "", "terminated by SIGTERM; job did not stop within 5s: killed"},
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

// Mutations caught: tabs dropped, the control ranges' bounds moved, a
// message of exactly the limit cut.
func TestCleanLineTruncate(t *testing.T) {
	for in, want := range map[string]string{
		"a\tb":           "a b",
		"a\x1fb\x20c":    "ab c",
		"a\x7fb":         "ab",
		"a\u0080\u009fb": "ab",
		"a\u00a0b":       "a\u00a0b",
		"  x \n":         "x",
		"bad \xff byte":  "bad \uFFFD byte",
		"caf\u00e9\r\n":  "caf\u00e9",
	} {
		if got := cleanLine(in); got != want {
			t.Errorf("cleanLine(%q) = %q, want %q", in, got, want)
		}
	}
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"abcdef", 6, "abcdef"},
		{"abcdefg", 6, "abc..."},
		{"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9", 6, "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"},
		{"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9", 6, "\u00e9\u00e9\u00e9..."},
	} {
		if got := truncate(c.in, c.n); got != c.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

// The lock wait ends at the run's timeout, however long --lock-wait is.
// Mutation caught: the timeout not applied to the wait.
func TestRunLockWaitEndsAtTimeout(t *testing.T) {
	dir := t.TempDir()
	held, err := lock.Acquire(context.Background(), filepath.Join(dir, "l"), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	done := make(chan Outcome, 1)
	go func() {
		done <- Run(context.Background(), Spec{
			Command: runner.Command{Argv: []string{"true"}}, Env: []string{"PATH=" + os.Getenv("PATH")},
			Lock: filepath.Join(dir, "l"), LockWait: time.Hour, Timeout: 100 * time.Millisecond,
		})
	}()
	select {
	case out := <-done:
		if out.Started || out.Err == nil {
			t.Errorf("got %+v, want not started, with an error", out)
		}
	case <-time.After(30 * time.Second): // only a failing run gets here
		t.Fatal("the lock wait went on past the run's timeout")
	}
}

// Output still open after the job exits is waited for (DefaultOutputWait
// when OutputWait is 0), and no longer than OutputWait. Mutations caught:
// DefaultOutputWait 0, OutputWait 0 not replaced by the default, a set
// OutputWait replaced by the default.
func TestRunOutputWait(t *testing.T) {
	env := []string{"PATH=" + os.Getenv("PATH")}
	// A background process writes a last line after the job exited.
	out := Run(context.Background(), Spec{
		Command:  runner.Command{Argv: []string{"sh", "-c", "echo early; (sleep 0.3; echo late) & exit 1"}},
		Env:      env,
		Stdout:   devNull(t),
		Stderr:   devNull(t),
		KeepTail: true,
	})
	if got := out.DownMessage(); got != "exit 1: late" || out.OutputCut {
		t.Errorf("default wait: %q, cut %v; want the late line", got, out.OutputCut)
	}
	// One that holds the output far longer than OutputWait.
	pidFile := filepath.Join(t.TempDir(), "pid")
	start := time.Now()
	out = Run(context.Background(), Spec{
		Command:    runner.Command{Argv: []string{"sh", "-c", "sleep 60 & echo $! > " + pidFile + "; exit 1"}},
		Env:        env,
		Stdout:     devNull(t),
		Stderr:     devNull(t),
		KeepTail:   true,
		OutputWait: 50 * time.Millisecond,
	})
	if b, err := os.ReadFile(pidFile); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	if took := time.Since(start); !out.OutputCut || took > DefaultOutputWait-time.Second {
		t.Errorf("OutputWait 50ms: cut %v after %v", out.OutputCut, took)
	}
}

// With no timeout the lock wait lasts LockWait, and a free lock is taken.
// Mutation caught: a zero timeout taken as an expired deadline.
func TestRunLockNoTimeout(t *testing.T) {
	dir := t.TempDir()
	env := []string{"PATH=" + os.Getenv("PATH")}
	out := Run(context.Background(), Spec{
		Command: runner.Command{Argv: []string{"true"}}, Env: env,
		Lock: filepath.Join(dir, "free"), LockWait: time.Hour,
	})
	if !out.OK() {
		t.Errorf("free lock: %+v", out)
	}
	held, err := lock.Acquire(context.Background(), filepath.Join(dir, "held"), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	out = Run(context.Background(), Spec{
		Command: runner.Command{Argv: []string{"true"}}, Env: env,
		Lock: filepath.Join(dir, "held"), LockWait: 100 * time.Millisecond,
	})
	var busy *lock.BusyError
	if out.Started || !errors.As(out.Err, &busy) || busy.Waited < 100*time.Millisecond {
		t.Errorf("held lock, 100ms wait: %+v (%v)", out, out.Err)
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

// The job gets the locked file as its descriptor 3, and what it starts
// holds the lock after Run has returned (and released opkuma's descriptor),
// until it exits: the lock lasts as long as the job, as under flock(1).
// Mutation caught: Run not handing the lock's file to runner.Spec.ExtraFiles.
func TestRunJobHoldsLock(t *testing.T) {
	dir := t.TempDir()
	path, gate, fd3 := filepath.Join(dir, "l"), filepath.Join(dir, "gate"), filepath.Join(dir, "fd3")
	if err := syscall.Mkfifo(gate, 0o600); err != nil {
		t.Fatal(err)
	}
	// The background reader waits for a line on the gate, holding fd 3.
	script := `readlink /proc/self/fd/3 > "$1"; (read x < "$2") & exit 0`
	out := Run(context.Background(), Spec{
		Command: runner.Command{Argv: []string{"sh", "-c", script, "sh", fd3, gate}},
		Env:     []string{"PATH=" + os.Getenv("PATH")},
		Stdout:  devNull(t),
		Stderr:  devNull(t),
		Lock:    path,
	})
	if !out.OK() {
		t.Fatalf("job: %+v", out)
	}
	opened := make(chan *os.File, 1)
	go func() {
		f, err := os.OpenFile(gate, os.O_WRONLY, 0) // blocks until the reader opens it
		if err != nil {
			t.Error(err)
		}
		opened <- f
	}()
	defer func() {
		if f := <-opened; f != nil {
			f.Write([]byte("go\n")) // the reader exits
			f.Close()
		}
	}()
	if b, err := os.ReadFile(fd3); err != nil || strings.TrimSpace(string(b)) != path {
		t.Errorf("the job's descriptor 3 is %q (%v), want the lock file %s", b, err, path)
	}
	_, err := lock.Acquire(context.Background(), path, 0, nil)
	if !errors.Is(err, lock.ErrBusy) {
		t.Fatalf("while the job's background process runs: %v, want busy", err)
	}
	f := <-opened
	opened <- nil
	if f == nil {
		t.FailNow()
	}
	f.Write([]byte("go\n"))
	f.Close()
	// Free once the reader has gone; the wait bounds a failing run only.
	l, err := lock.Acquire(context.Background(), path, 30*time.Second, nil)
	if err != nil {
		t.Fatalf("after the job's last process: %v", err)
	}
	l.Release()
}

// TestRunStopGrace: Spec.StopGrace reaches the runner, so a job that
// ignores the SIGTERM opkuma got is killed in time and the down message
// says opkuma was terminated. Mutation caught: StopGrace not passed to
// runner.Spec (Run waits for the job's 60 s).
func TestRunStopGrace(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	sigs := make(chan os.Signal)
	done := make(chan Outcome, 1)
	go func() {
		done <- Run(context.Background(), Spec{
			Command:   runner.Command{Argv: []string{"sh", "-c", `trap "" TERM; echo ready; exec sleep 60`}},
			Stdout:    w,
			Env:       []string{"PATH=" + os.Getenv("PATH")},
			KeepTail:  true,
			Signals:   sigs,
			StopGrace: 100 * time.Millisecond,
		})
	}()
	if line, err := bufio.NewReader(r).ReadString('\n'); line != "ready\n" {
		t.Fatalf("job said %q (%v)", line, err)
	}
	sigs <- syscall.SIGTERM
	select {
	case out := <-done:
		if got, want := out.DownMessage(), "terminated by SIGTERM; job did not stop within 100ms: killed"; got != want || out.ExitCode() != 143 {
			t.Errorf("got %q exit %d, want %q exit 143", got, out.ExitCode(), want)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run waited for the job: StopGrace not applied")
	}
}
