package runner

import (
	"bytes"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRunExitCodes(t *testing.T) {
	dir := t.TempDir()
	noexec := dir + "/noexec.sh"
	if err := os.WriteFile(noexec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		argv     []string
		code     int
		signal   syscall.Signal
		describe string
		startErr bool
	}{
		{"success", []string{"true"}, 0, 0, "exit 0", false},
		{"failure", []string{"false"}, 1, 0, "exit 1", false},
		{"exit 7", []string{"sh", "-c", "exit 7"}, 7, 0, "exit 7", false},
		{"killed", []string{"sh", "-c", "kill -KILL $$"}, 137, syscall.SIGKILL, "killed by SIGKILL", false},
		{"terminated", []string{"sh", "-c", "kill -TERM $$"}, 143, syscall.SIGTERM, "killed by SIGTERM", false},
		{"not found", []string{"no-such-command-opkuma"}, 127, 0, "command not found", true},
		{"missing path", []string{dir + "/missing"}, 127, 0, "command not found", true},
		{"not executable", []string{noexec}, 126, 0, "cannot execute", true},
		{"directory", []string{dir}, 126, 0, "cannot execute", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Run(Spec{Command: Command{Argv: tt.argv}, ProcessGroup: true})
			if r.ExitCode != tt.code || r.Signal != tt.signal {
				t.Errorf("exit %d signal %v, want %d %v", r.ExitCode, r.Signal, tt.code, tt.signal)
			}
			if got := r.Describe(); got != tt.describe {
				t.Errorf("Describe() = %q, want %q", got, tt.describe)
			}
			if (r.Err != nil) != tt.startErr {
				t.Errorf("Err = %v, want start error %v", r.Err, tt.startErr)
			}
			if r.OK() != (tt.code == 0) {
				t.Errorf("OK() = %v", r.OK())
			}
		})
	}
}

func TestRunEnvAndOutput(t *testing.T) {
	var out, errOut bytes.Buffer
	r := Run(Spec{
		Command: Command{Argv: []string{"sh", "-c", `echo "$A-$B"; echo oops >&2`}, Env: []string{"B=2"}},
		Env:     []string{"A=1", "PATH=" + os.Getenv("PATH")},
		Stdout:  &out,
		Stderr:  &errOut,
	})
	if !r.OK() {
		t.Fatalf("run failed: %+v", r)
	}
	if out.String() != "1-2\n" || errOut.String() != "oops\n" {
		t.Errorf("stdout %q stderr %q", out.String(), errOut.String())
	}
}

// TestRunForwardsSignals sends a signal on the channel once the child has
// said it is ready, and expects the child's trap to see it.
func TestRunForwardsSignals(t *testing.T) {
	for _, group := range []bool{true, false} {
		sigs := make(chan os.Signal, 1)
		ready := &signalOnWrite{ch: sigs, sig: syscall.SIGUSR1, marker: "ready"}
		r := Run(Spec{
			Command:      Command{Argv: []string{"sh", "-c", `trap 'echo got; exit 5' USR1; echo ready; i=0; while [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done`}},
			Stdout:       ready,
			Signals:      sigs,
			ProcessGroup: group,
		})
		if r.ExitCode != 5 || !strings.Contains(ready.buf.String(), "got") {
			t.Errorf("group=%v: exit %d, output %q; want 5 and the trap's output", group, r.ExitCode, ready.buf.String())
		}
	}
}

// signalOnWrite sends sig once marker has been written to it.
type signalOnWrite struct {
	buf    bytes.Buffer
	ch     chan<- os.Signal
	sig    os.Signal
	marker string
	sent   bool
}

func (w *signalOnWrite) Write(p []byte) (int, error) {
	w.buf.Write(p)
	if !w.sent && strings.Contains(w.buf.String(), w.marker) {
		w.sent = true
		w.ch <- w.sig
	}
	return len(p), nil
}

func TestRunTimeout(t *testing.T) {
	tests := []struct {
		name      string
		script    string
		killAfter time.Duration
		maxTook   time.Duration
	}{
		// sleep dies of SIGTERM at once.
		{"terminated", "sleep 30", time.Minute, 5 * time.Second},
		// A child that ignores SIGTERM is killed KillAfter later.
		{"killed", "trap '' TERM; sleep 30", 300 * time.Millisecond, 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			r := Run(Spec{
				Command:      Command{Argv: []string{"sh", "-c", tt.script}},
				Timeout:      200 * time.Millisecond,
				KillAfter:    tt.killAfter,
				ProcessGroup: true,
			})
			took := time.Since(start)
			if r.ExitCode != ExitTimedOut || !r.TimedOut || r.OK() {
				t.Errorf("result %+v, want exit 124 timed out", r)
			}
			if r.Describe() != "timed out after 200ms" {
				t.Errorf("Describe() = %q", r.Describe())
			}
			if took > tt.maxTook {
				t.Errorf("took %v, want under %v", took, tt.maxTook)
			}
		})
	}
}

// TestRunOutputWait checks that a grandchild holding the output pipe open
// does not keep Run waiting past OutputWait.
func TestRunOutputWait(t *testing.T) {
	var out bytes.Buffer
	start := time.Now()
	r := Run(Spec{
		Command:    Command{Argv: []string{"sh", "-c", "sleep 5 & echo parent done"}},
		Stdout:     &out,
		OutputWait: 200 * time.Millisecond,
	})
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %v, want about 200ms", took)
	}
	if r.ExitCode != 0 || !strings.Contains(out.String(), "parent done") {
		t.Errorf("exit %d output %q", r.ExitCode, out.String())
	}
}
