package runner

import (
	"os/exec"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestGroupRunning: a group with a running process runs; once that process
// is a zombie (dead, not yet waited for) or gone, it does not.
func TestGroupRunning(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pgid := cmd.Process.Pid
	defer cmd.Wait()
	defer cmd.Process.Kill()
	steps := []struct {
		name string
		do   func() error
		want bool
	}{
		{"running", func() error { return nil }, true},
		{"zombie", func() error {
			if err := cmd.Process.Kill(); err != nil {
				return err
			}
			// Wait until it has exited, leaving it a zombie (WNOWAIT).
			var info unix.Siginfo
			return unix.Waitid(unix.P_PID, pgid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		}, false},
		{"gone", func() error { cmd.Wait(); return nil }, false},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := groupRunning(pgid); got != s.want {
			t.Errorf("%s: groupRunning = %v, want %v", s.name, got, s.want)
		}
	}
}
