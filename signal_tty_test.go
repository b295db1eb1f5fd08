//go:build linux

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/opkuma/opkuma/internal/ptytest"
)

// TestTerminalCtrlC runs opkuma on a terminal (a pty that is its
// controlling terminal, opkuma's group in the foreground), as a person
// trying a crontab line by hand does, and types Ctrl-C. The terminal sends
// SIGINT to the whole foreground group, the job included: opkuma must not
// send it a second time (before, it did). The job traps SIGINT, says so and
// keeps running, so opkuma's decision is made while the job still runs (a
// job that exited at once could end before opkuma reads the signal); the
// test waits for that decision (opkuma's verbose note, or a second trap),
// and for the trap, then ends the job with SIGTERM through opkuma. Mutation caught:
// forwarding SIGINT whatever its source.
func TestTerminalCtrlC(t *testing.T) {
	opkuma, err := exec.LookPath("opkuma")
	if err != nil {
		t.Skipf("opkuma not in PATH: %v", err)
	}
	if b := os.Getenv("OPKUMA_DIFF_BIN"); b != "" {
		opkuma = b
	}
	ptmx, pts := ptytest.Open(t)
	job := `trap 'echo "got INT"' INT; trap 'exit 143' TERM; echo ready; while :; do sleep 0.1; done`
	cmd := exec.Command(opkuma, "run", "--verbose", "--url", "http://127.0.0.1:9/api/push/ttytok", "--", "sh", "-c", job)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = pts, pts, pts
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pts.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	// Reads on a pty master block in the kernel (no deadline): a
	// goroutine reads, and the test waits on its chunks or a timer.
	chunks := make(chan []byte)
	go func() {
		defer close(chunks)
		for {
			buf := make([]byte, 4096)
			k, err := ptmx.Read(buf)
			if k > 0 {
				chunks <- buf[:k]
			}
			if err != nil {
				return // EIO: every process has closed the terminal
			}
		}
	}()
	const note = "opkuma: SIGINT from the terminal reached the job too: not sent again"
	var out bytes.Buffer
	typed, stopped := false, false
	giveUp := time.After(20 * time.Second) // only a failing run waits this long
	for !stopped {
		select {
		case b, ok := <-chunks:
			if !ok {
				stopped = true // the terminal closed: everything has exited
				break
			}
			out.Write(b)
		case <-giveUp:
			cmd.Process.Kill()
			stopped = true
		}
		got := out.String()
		if !typed && strings.Contains(got, "ready") {
			ptmx.Write([]byte{3}) // Ctrl-C
			typed = true
		}
		if !stopped && (strings.Contains(got, note) && strings.Contains(got, "got INT") || strings.Count(got, "got INT") > 1) {
			cmd.Process.Signal(syscall.SIGTERM) // not from the terminal: forwarded
			stopped = true
		}
	}
	for b := range chunks {
		out.Write(b)
	}
	err = <-done
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 143 {
		t.Errorf("exit: %v, want 143 (the forwarded SIGTERM)", err)
	}
	got := out.String()
	if c := strings.Count(got, "got INT"); c != 1 {
		t.Errorf("the job's trap ran %d times, want once; terminal:\n%s", c, got)
	}
	if !strings.Contains(got, note) {
		t.Errorf("SIGINT was sent again; terminal:\n%s", got)
	}
}
