package runner

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func env(extra ...string) []string {
	return append([]string{"PATH=" + os.Getenv("PATH")}, extra...)
}

func TestRunExitCodes(t *testing.T) {
	dir := t.TempDir()
	noexec := dir + "/noexec.sh"
	if err := os.WriteFile(noexec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	noShebang := dir + "/noshebang"
	if err := os.WriteFile(noShebang, []byte("exit 7\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		argv     []string
		code     int
		signal   syscall.Signal
		describe string
		startErr error
	}{
		{"success", []string{"true"}, 0, 0, "exit 0", nil},
		{"failure", []string{"false"}, 1, 0, "exit 1", nil},
		{"exit 255", []string{"sh", "-c", "exit 255"}, 255, 0, "exit 255", nil},
		{"killed", []string{"sh", "-c", "kill -KILL $$"}, 137, syscall.SIGKILL, "killed by SIGKILL", nil},
		{"terminated", []string{"sh", "-c", "kill -TERM $$"}, 143, syscall.SIGTERM, "killed by SIGTERM", nil},
		{"no #! runs with sh", []string{noShebang}, 7, 0, "exit 7", nil},
		{"not found", []string{"no-such-command-opkuma"}, 127, 0, "command not found", ErrNotFound},
		{"missing path", []string{dir + "/missing"}, 127, 0, "command not found", ErrNotFound},
		{"not executable", []string{noexec}, 126, 0, "cannot execute", fs.ErrPermission},
		{"directory", []string{dir}, 126, 0, "cannot execute", fs.ErrPermission},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Run(Spec{Command: Command{Argv: tt.argv}, Env: env()})
			if r.ExitCode != tt.code || r.Signal != tt.signal {
				t.Errorf("exit %d signal %v, want %d %v", r.ExitCode, r.Signal, tt.code, tt.signal)
			}
			if got := r.Describe(); got != tt.describe {
				t.Errorf("Describe() = %q, want %q", got, tt.describe)
			}
			if !errors.Is(r.Err, tt.startErr) || (r.Err == nil) != (tt.startErr == nil) {
				t.Errorf("Err = %v, want %v", r.Err, tt.startErr)
			}
			var se *StartError
			if tt.startErr != nil && (!errors.As(r.Err, &se) || se.Name != tt.argv[0]) {
				t.Errorf("Err = %#v, want a *StartError for %s", r.Err, tt.argv[0])
			}
			if r.OK() != (tt.code == 0) {
				t.Errorf("OK() = %v", r.OK())
			}
		})
	}
}

func TestStartErrorWords(t *testing.T) {
	for err, want := range map[error]string{
		&StartError{Name: "foo", Err: ErrNotFound}:     "foo: not found",
		&StartError{Name: "./x", Err: syscall.EACCES}:  "./x: Permission denied",
		&StartError{Name: "./y", Err: syscall.ENOTDIR}: "./y: Not a directory",
	} {
		if got := err.Error(); got != want {
			t.Errorf("%q, want %q", got, want)
		}
	}
}

// TestLookPath follows sh: relative and empty PATH entries count (where
// Go's exec.LookPath refuses with exec.ErrDot), and the first regular
// file found is the one, executable or not.
func TestLookPath(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []struct {
		path string
		mode os.FileMode
	}{{"bin/job", 0o755}, {"job2", 0o755}, {"a/shadow", 0o644}, {"b/shadow", 0o755}} {
		p := filepath.Join(dir, f.path)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), f.mode); err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Join(dir, "c", "job"), 0o755) // a directory is skipped
	tests := []struct {
		name, path, want string
		err              error
	}{
		{"job", "c:bin", "bin/job", nil},
		{"job2", "/nonexistent:", "./job2", nil},
		{"job2", ":/nonexistent", "./job2", nil},
		{"shadow", "a:b", "a/shadow", nil},
		{"job", "/nonexistent", "", ErrNotFound},
		{"./bin/job", "", "./bin/job", nil},
		{"./bin/none", "", "", ErrNotFound},
	}
	for _, tt := range tests {
		got, err := LookPath(tt.name, []string{"PATH=" + tt.path}, dir)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("LookPath(%q) in PATH=%s = %q, %v; want %q, %v", tt.name, tt.path, got, err, tt.want, tt.err)
		}
	}
	if got, err := LookPath("sh", nil, dir); err != nil || !strings.HasSuffix(got, "/sh") {
		t.Errorf("no PATH: %q, %v; want sh from the default PATH", got, err)
	}
}

// TestTimeoutKillsGroup: a grandchild that ignores SIGTERM must be gone
// when Run returns, killed KillAfter after the timeout: exit 137.
func TestTimeoutKillsGroup(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	pidFile := filepath.Join(t.TempDir(), "pid")
	r := Run(Spec{
		Command:   Command{Argv: []string{"sh", "-c", `sh -c 'trap "" TERM; echo $$ > ` + pidFile + `; while :; do sleep 1; done' & wait`}},
		Env:       env(),
		Timeout:   300 * time.Millisecond,
		KillAfter: 300 * time.Millisecond,
	})
	if r.ExitCode != ExitTimedOutKill || !r.TimedOut || !r.Killed {
		t.Fatalf("got %+v, want a timeout that had to kill", r)
	}
	// Mutation caught: KillAfter not recorded in the Result ("killed 0s").
	if got, want := r.Stopped(), "SIGTERM did not stop it; killed 300ms later"; got != want {
		t.Errorf("Stopped() = %q, want %q", got, want)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	for _, c := range strings.TrimSpace(string(b)) {
		pid = pid*10 + int(c-'0')
	}
	if running(pid) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Fatalf("grandchild %d survived the timeout", pid)
	}
}

// TestTimeoutTermEnough: a job whose group all ends on SIGTERM exits 124,
// at once: its zombies, which a slow init may keep for a while, do not
// count as left in the group. KillAfter 0 means DefaultKillAfter, not an
// immediate SIGKILL. Mutations caught: DefaultKillAfter 0, `killAfter < 0`.
func TestTimeoutTermEnough(t *testing.T) {
	for _, killAfter := range []time.Duration{20 * time.Second, 0} {
		t.Run(fmt.Sprint("KillAfter ", killAfter), func(t *testing.T) {
			start := time.Now()
			r := Run(Spec{
				Command: Command{Argv: []string{"sh", "-c", "sleep 30 & wait"}},
				Env:     env(),
				Timeout: 50 * time.Millisecond, KillAfter: killAfter,
			})
			if r.ExitCode != ExitTimedOut || r.Killed || !r.TimedOut {
				t.Fatalf("got %+v, want 124 without kill", r)
			}
			if took := time.Since(start); took > time.Second {
				t.Errorf("took %v: waited for zombies", took)
			}
		})
	}
}

// TestTimeoutWaitsForGroup: the child ends on the timeout's SIGTERM, but a
// grandchild in its group traps it and takes a moment to finish: Run
// returns only once the grandchild has gone, without SIGKILL. Mutations
// caught: the job sharing opkuma's group (SIGTERM to the child alone),
// groupAlive always false, no polling of the group until the kill deadline.
func TestTimeoutWaitsForGroup(t *testing.T) {
	// The grandchild writes "armed" once its trap is set; a timeout that
	// came before (a very slow start) proves nothing: try a longer one.
	for _, timeout := range []time.Duration{100 * time.Millisecond, 500 * time.Millisecond, 2 * time.Second} {
		d := t.TempDir()
		grandchild := `trap 'sleep 0.2; echo bye > ` + d + `/bye; exit 0' TERM; echo $$ > ` + d + `/armed.tmp; mv ` + d + `/armed.tmp ` + d + `/armed; while :; do sleep 1; done`
		r := Run(Spec{
			Command:   Command{Argv: []string{"sh", "-c", `sh -c "$0" & wait`, grandchild}},
			Env:       env(),
			Timeout:   timeout,
			KillAfter: 5 * time.Second,
		})
		b, err := os.ReadFile(d + "/armed")
		if err != nil {
			continue // the SIGTERM came before the trap
		}
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && running(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Errorf("grandchild %d still runs after Run", pid)
		}
		if _, err := os.Stat(d + "/bye"); err != nil {
			t.Errorf("Run returned before the grandchild ended: %v", err)
		}
		if r.ExitCode != ExitTimedOut || !r.TimedOut || r.Killed {
			t.Errorf("got %+v, want 124 without kill", r)
		}
		return
	}
	t.Fatal("the grandchild never set its trap before the timeout")
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		5 * time.Minute: "5m", 90 * time.Minute: "1h30m", 2 * time.Hour: "2h", 1500 * time.Millisecond: "1.5s",
		time.Hour + time.Second: "1h0m1s",
	} {
		if got := ShortDuration(d); got != want {
			t.Errorf("ShortDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// running reports whether process pid exists and is not a zombie (dead,
// waiting for its parent or init to reap it).
func running(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	if runtime.GOOS != "linux" {
		return true
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, after, _ := strings.Cut(string(b), ") ")
	return !strings.HasPrefix(after, "Z")
}

// TestStopped: a timeout that had to kill says so; one that SIGTERM ended
// says "stopped". Mutation caught: Stopped ignoring Killed (137 said
// "stopped", as cmd printed before).
func TestStopped(t *testing.T) {
	for _, tc := range []struct {
		r    Result
		want string
	}{
		{Result{ExitCode: 1}, ""},
		{Result{ExitCode: ExitTimedOut, TimedOut: true, Timeout: time.Second, KillAfter: 10 * time.Second}, "stopped"},
		{Result{ExitCode: ExitTimedOutKill, TimedOut: true, Killed: true, Timeout: time.Second, KillAfter: 10 * time.Second},
			"SIGTERM did not stop it; killed 10s later"},
		{Result{ExitCode: ExitTimedOutKill, TimedOut: true, Killed: true, KillAfter: 90 * time.Second},
			"SIGTERM did not stop it; killed 1m30s later"},
	} {
		if got := tc.r.Stopped(); got != tc.want {
			t.Errorf("%+v: Stopped() = %q, want %q", tc.r, got, tc.want)
		}
	}
}
