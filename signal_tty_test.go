//go:build linux

package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestTerminalCtrlC runs opkuma on a terminal (a pty that is its
// controlling terminal, opkuma's group in the foreground), as a person
// trying a crontab line by hand does, and types Ctrl-C. The terminal sends
// SIGINT to the whole foreground group, the job included: opkuma must not
// send it a second time (before, it did). The job traps SIGINT once and
// exits 130. Mutation caught: forwarding SIGINT whatever its source.
func TestTerminalCtrlC(t *testing.T) {
	opkuma, err := exec.LookPath("opkuma")
	if err != nil {
		t.Skipf("opkuma not in PATH: %v", err)
	}
	if b := os.Getenv("OPKUMA_DIFF_BIN"); b != "" {
		opkuma = b
	}
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer ptmx.Close()
	if err := unix.IoctlSetPointerInt(int(ptmx.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("no pty: %v", err)
	}
	n, err := unix.IoctlGetInt(int(ptmx.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	pts, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	job := `trap 'echo "got INT"; exit 130' INT; echo ready; while :; do sleep 0.1; done`
	cmd := exec.Command(opkuma, "run", "--verbose", "--url", "http://127.0.0.1:9/api/push/ttytok", "--", "sh", "-c", job)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = pts, pts, pts
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pts.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	var out bytes.Buffer
	buf := make([]byte, 4096)
	typed := false
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		ptmx.SetReadDeadline(deadline)
		k, err := ptmx.Read(buf)
		out.Write(buf[:k])
		if !typed && strings.Contains(out.String(), "ready") {
			ptmx.Write([]byte{3}) // Ctrl-C
			typed = true
		}
		if err != nil {
			break // EIO: every process has closed the terminal
		}
	}
	err = <-done
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("exit: %v, want 130", err)
	}
	got := out.String()
	if c := strings.Count(got, "got INT"); c != 1 {
		t.Errorf("the job's trap ran %d times, want once; terminal:\n%s", c, got)
	}
	if !strings.Contains(got, "opkuma: SIGINT from the terminal reached the job too: not sent again") {
		t.Errorf("SIGINT was sent again; terminal:\n%s", got)
	}
}
