package runner

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Exit codes of a child that could not run, as POSIX shells report them.
const (
	ExitNotExecutable = 126
	ExitNotFound      = 127
	ExitTimedOut      = 124 // as timeout(1)
	exitSignalBase    = 128
)

// DefaultKillAfter is how long a timed-out child has between SIGTERM and
// SIGKILL.
const DefaultKillAfter = 10 * time.Second

// DefaultOutputWait bounds how long Run waits, once the child has exited, for
// its output pipes to close: a grandchild left running in the background can
// hold them open forever.
const DefaultOutputWait = 5 * time.Second

// Spec says how to run a Command.
type Spec struct {
	Command Command
	Stdin   io.Reader // nil: /dev/null
	Stdout  io.Writer // nil: /dev/null; an *os.File is handed to the child as is
	Stderr  io.Writer // as Stdout
	Env     []string  // base environment; nil: os.Environ()
	Dir     string    // working directory; empty: opkuma's

	// Signals are forwarded to the child while it runs.
	Signals <-chan os.Signal
	// ProcessGroup puts the child in a process group of its own, so that
	// forwarded signals and the timeout reach everything it started.
	ProcessGroup bool
	Timeout      time.Duration // 0: none; else SIGTERM at the deadline
	KillAfter    time.Duration // SIGKILL this long after the timeout's SIGTERM; 0: DefaultKillAfter
	OutputWait   time.Duration // 0: DefaultOutputWait; see DefaultOutputWait
}

// Result is how a child ended.
type Result struct {
	ExitCode int            // the code opkuma exits with
	Signal   syscall.Signal // the signal that killed the child, or 0
	TimedOut bool           // killed because Spec.Timeout ran out
	Timeout  time.Duration  // Spec.Timeout, for messages
	Duration time.Duration  // from start to exit
	// Err is why the child could not start (ExitCode 126 or 127), or nil.
	Err error
}

// OK reports whether the child ran and exited with code 0.
func (r Result) OK() bool { return r.ExitCode == 0 && r.Err == nil && !r.TimedOut }

// Describe says in a few words how the child ended: "exit 3", "killed by
// SIGTERM", "timed out after 5m0s", "command not found".
func (r Result) Describe() string {
	switch {
	case r.TimedOut:
		return "timed out after " + ShortDuration(r.Timeout)
	case r.Err != nil && r.ExitCode == ExitNotFound:
		return "command not found"
	case r.Err != nil:
		return "cannot execute"
	case r.Signal != 0:
		return "killed by " + SignalName(r.Signal)
	default:
		return fmt.Sprintf("exit %d", r.ExitCode)
	}
}

// Run starts the child, forwards signals, enforces the timeout and waits for
// the child to exit. It never returns an error: a child that cannot start
// gives a Result with Err set and exit code 126 or 127.
func Run(spec Spec) Result {
	c := spec.Command
	if len(c.Argv) == 0 {
		return Result{ExitCode: ExitNotFound, Err: ErrNoCommand}
	}
	cmd := exec.Command(c.Argv[0], c.Argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = spec.Stdin, spec.Stdout, spec.Stderr
	cmd.Dir = spec.Dir
	env := spec.Env
	if env == nil {
		env = os.Environ()
	}
	cmd.Env = append(append([]string{}, env...), c.Env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: spec.ProcessGroup}
	cmd.WaitDelay = spec.OutputWait
	if cmd.WaitDelay <= 0 {
		cmd.WaitDelay = DefaultOutputWait
	}

	start := time.Now()
	if err := cmd.Start(); err != nil {
		code, why := startFailure(c.Argv[0], err)
		return Result{ExitCode: code, Err: why, Duration: time.Since(start)}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	signal := func(sig syscall.Signal) {
		if spec.ProcessGroup {
			// The whole group, as a terminal would; ESRCH once all have gone.
			_ = syscall.Kill(-cmd.Process.Pid, sig)
			return
		}
		_ = cmd.Process.Signal(sig)
	}

	var timeout, kill <-chan time.Time
	if spec.Timeout > 0 {
		t := time.NewTimer(spec.Timeout)
		defer t.Stop()
		timeout = t.C
	}
	killAfter := spec.KillAfter
	if killAfter <= 0 {
		killAfter = DefaultKillAfter
	}
	timedOut := false
	for {
		select {
		case sig := <-spec.Signals:
			if s, ok := sig.(syscall.Signal); ok {
				signal(s)
			}
		case <-timeout:
			timedOut = true
			signal(syscall.SIGTERM)
			t := time.NewTimer(killAfter)
			defer t.Stop()
			kill = t.C
		case <-kill:
			signal(syscall.SIGKILL)
		case <-done:
			// Wait's error tells nothing the process state does not, but
			// exec.ErrWaitDelay (output pipes cut after the child exited):
			// then too the child's own code stands.
			r := Result{Duration: time.Since(start), TimedOut: timedOut, Timeout: spec.Timeout}
			r.ExitCode, r.Signal = exitCode(cmd.ProcessState)
			if timedOut {
				r.ExitCode = ExitTimedOut
			}
			return r
		}
	}
}

// exitCode maps how the child ended to a shell's exit code: its own code,
// or 128+N for a death by signal N.
func exitCode(ps *os.ProcessState) (int, syscall.Signal) {
	if ps == nil {
		// Wait failed before the child was reaped: should not happen.
		return 1, 0
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return exitSignalBase + int(ws.Signal()), ws.Signal()
	}
	return ps.ExitCode(), 0
}

// startFailure says why name did not start, the way a shell does, with the
// shell's exit code: 127 not found, 126 found but not runnable.
func startFailure(name string, err error) (int, error) {
	switch {
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, fs.ErrNotExist):
		return ExitNotFound, fmt.Errorf("%s: command not found", name)
	case errors.Is(err, fs.ErrPermission):
		return ExitNotExecutable, fmt.Errorf("%s: permission denied (not executable?)", name)
	case errors.Is(err, syscall.ENOEXEC):
		return ExitNotExecutable, fmt.Errorf("%s: exec format error (a script needs a #! line)", name)
	default:
		return ExitNotExecutable, fmt.Errorf("%s: cannot execute: %w", name, err)
	}
}

// SignalName returns the conventional name of sig, such as "SIGTERM".
func SignalName(sig syscall.Signal) string {
	if name, ok := signalNames[sig]; ok {
		return name
	}
	return fmt.Sprintf("signal %d", int(sig))
}

var signalNames = map[syscall.Signal]string{
	syscall.SIGHUP: "SIGHUP", syscall.SIGINT: "SIGINT", syscall.SIGQUIT: "SIGQUIT",
	syscall.SIGILL: "SIGILL", syscall.SIGTRAP: "SIGTRAP", syscall.SIGABRT: "SIGABRT",
	syscall.SIGBUS: "SIGBUS", syscall.SIGFPE: "SIGFPE", syscall.SIGKILL: "SIGKILL",
	syscall.SIGUSR1: "SIGUSR1", syscall.SIGSEGV: "SIGSEGV", syscall.SIGUSR2: "SIGUSR2",
	syscall.SIGPIPE: "SIGPIPE", syscall.SIGALRM: "SIGALRM", syscall.SIGTERM: "SIGTERM",
	syscall.SIGXCPU: "SIGXCPU", syscall.SIGXFSZ: "SIGXFSZ",
}
