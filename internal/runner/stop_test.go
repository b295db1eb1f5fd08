package runner

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startStopJob runs script under Run with grace in the background, waits
// until the script says "ready PID" (its trap is set), and returns the
// pid, the signal channel (unbuffered: a send returns once Run has taken
// the signal), the job's stdin to close, and the Result to come.
func startStopJob(t *testing.T, script string, grace time.Duration) (int, chan<- os.Signal, *os.File, <-chan Result) {
	t.Helper()
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	// Closed once the test is over: Run uses inR and outW until it returns.
	t.Cleanup(func() { outR.Close(); inW.Close(); inR.Close(); outW.Close() })
	sigs := make(chan os.Signal)
	done := make(chan Result, 1)
	go func() {
		done <- Run(Spec{
			Command:   Command{Argv: []string{"sh", "-c", script}},
			Stdin:     inR,
			Stdout:    outW,
			Env:       env(),
			Signals:   sigs,
			StopGrace: grace,
		})
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	pid, perr := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(line), "ready "))
	if err != nil || perr != nil {
		t.Fatalf("job said %q (%v)", line, err)
	}
	return pid, sigs, inW, done
}

// TestStopGraceKills: a job that ignores the SIGTERM opkuma forwarded is
// killed StopGrace later, and opkuma exits 128+15 as if it had died of
// it. Mutations caught: no SIGKILL at the end of the grace (the job
// lives), no 128+Stop exit code (137), StopGrace not recorded ("0s").
func TestStopGraceKills(t *testing.T) {
	pid, sigs, _, done := startStopJob(t, `trap "" TERM; echo ready $$; exec sleep 60`, 200*time.Millisecond)
	sigs <- syscall.SIGTERM
	r := <-done
	if r.ExitCode != 143 || r.Stop != syscall.SIGTERM || !r.StopKilled {
		t.Errorf("got exit %d stop %v killed %v, want 143 SIGTERM true", r.ExitCode, r.Stop, r.StopKilled)
	}
	if got, want := r.Describe(), "terminated by SIGTERM; job did not stop within 200ms: killed"; got != want {
		t.Errorf("Describe() = %q, want %q", got, want)
	}
	if running(pid) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Errorf("job %d outlived the grace", pid)
	}
}

// TestStopGraceJobExits: a job that ends by itself on the forwarded
// SIGHUP within the grace keeps its own exit code; the description still
// says opkuma was terminated. Mutations caught: SIGHUP missing from
// IsStopSignal, Describe without the stop.
func TestStopGraceJobExits(t *testing.T) {
	_, sigs, _, done := startStopJob(t, `trap "exit 3" HUP; echo ready $$; read x; exit 9`, time.Minute)
	sigs <- syscall.SIGHUP
	r := <-done
	if r.ExitCode != 3 || r.Stop != syscall.SIGHUP || r.StopKilled {
		t.Errorf("got exit %d stop %v killed %v, want 3 SIGHUP false", r.ExitCode, r.Stop, r.StopKilled)
	}
	if got, want := r.Describe(), "terminated by SIGHUP; job exit 3"; got != want {
		t.Errorf("Describe() = %q, want %q", got, want)
	}
}

// TestNoStopGrace: without StopGrace (no --down-on-failure), a job that
// ignores SIGTERM runs on as long as it likes and its result is its own.
// Mutation caught: `spec.StopGrace > 0` as `>= 0` (an immediate kill).
func TestNoStopGrace(t *testing.T) {
	_, sigs, stdin, done := startStopJob(t, `trap "" TERM; echo ready $$; read x; exit 0`, 0)
	sigs <- syscall.SIGTERM
	stdin.Close() // the job ends after Run has taken the signal
	r := <-done
	if r.ExitCode != 0 || r.Stop != 0 || r.StopKilled {
		t.Errorf("got exit %d stop %v killed %v, want 0 0 false", r.ExitCode, r.Stop, r.StopKilled)
	}
}

// TestIsStopSignal: SIGUSR1 and SIGWINCH are forwarded but do not stop
// opkuma. Mutation caught: IsStopSignal true for every signal.
func TestIsStopSignal(t *testing.T) {
	for _, s := range ForwardedSignals() {
		want := s == syscall.SIGTERM || s == syscall.SIGINT || s == syscall.SIGHUP
		if got := IsStopSignal(s); got != want {
			t.Errorf("IsStopSignal(%v) = %v, want %v", s, got, want)
		}
	}
}
