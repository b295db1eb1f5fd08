package runner

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// Exit codes of a child that could not run or was stopped, as POSIX shells
// and timeout(1) report them.
const (
	ExitNotExecutable = 126
	ExitNotFound      = 127
	ExitTimedOut      = 124 // the job ended after the timeout's SIGTERM
	ExitTimedOutKill  = 137 // the job's group had to be killed (128+SIGKILL)
	exitSignalBase    = 128
)

// DefaultKillAfter is how long a timed-out job has between SIGTERM and
// SIGKILL.
const DefaultKillAfter = 10 * time.Second

// Spec says how to run a Command.
type Spec struct {
	Command Command
	// Stdin, Stdout and Stderr become the child's descriptors 0, 1 and 2
	// as they are; a nil one is closed in the child.
	Stdin, Stdout, Stderr *os.File
	Env                   []string // the child's whole environment
	Dir                   string   // working directory; "": opkuma's
	// ExtraFiles become the child's descriptors 3, 4, ... (as in
	// exec.Cmd), inherited by everything it starts unless they close them.
	ExtraFiles []*os.File

	// Signals are forwarded to the job while it runs: to its process group,
	// or to the child alone when it shares opkuma's terminal group.
	Signals <-chan os.Signal
	// Timeout ends the job: SIGTERM to its group at the deadline, SIGKILL
	// KillAfter later (0: DefaultKillAfter) if anything in the group is
	// left. 0: no timeout.
	Timeout   time.Duration
	KillAfter time.Duration
	// NotForwarded, if not nil, is called with a SIGINT or SIGQUIT that
	// is not forwarded because the terminal sent it to the job too.
	NotForwarded func(os.Signal)
	// Reap waits for every orphan that the kernel hands to opkuma (it is
	// PID 1 or a subreaper), as an init does.
	Reap bool
	// StopGrace, when more than 0, bounds the wait for a job once a stop
	// signal (SIGTERM, SIGINT or SIGHUP; see IsStopSignal) was forwarded
	// to it: StopGrace later, its group gets SIGKILL and Run returns. 0:
	// wait as long as the job takes.
	StopGrace time.Duration
}

// stopGiveUp bounds the wait for a job killed at the end of StopGrace:
// a process in uninterruptible sleep (a hung NFS read) dies only when it
// wakes, and the caller must not miss its deadline for it.
const stopGiveUp = time.Second

// IsStopSignal reports whether sig, sent to opkuma, means that opkuma is
// being stopped (systemd, a kubelet, a closed terminal, Ctrl-C): SIGTERM,
// SIGINT or SIGHUP.
func IsStopSignal(sig os.Signal) bool {
	return sig == syscall.SIGTERM || sig == syscall.SIGINT || sig == syscall.SIGHUP
}

// Result is how a job ended.
type Result struct {
	ExitCode int            // the code opkuma exits with
	Signal   syscall.Signal // the signal that killed the child, or 0
	TimedOut bool           // stopped because Spec.Timeout ran out
	Killed   bool           // the group got SIGKILL after the timeout
	Timeout  time.Duration  // Spec.Timeout, for messages
	// KillAfter is the grace the job had between the timeout's SIGTERM
	// and SIGKILL (Spec.KillAfter, or DefaultKillAfter), for messages.
	KillAfter time.Duration
	Duration  time.Duration // from start to exit
	// Err is why the child could not start (a *StartError), or nil.
	Err error
	// Stop is the stop signal forwarded to the job while Spec.StopGrace
	// applied, or 0.
	Stop syscall.Signal
	// StopKilled reports that the job outlived Spec.StopGrace after Stop
	// and was killed; ExitCode is then 128+Stop, as if opkuma had died of
	// it.
	StopKilled bool
	StopGrace  time.Duration // Spec.StopGrace, for messages
}

// OK reports whether the job ran and exited with code 0.
func (r Result) OK() bool { return r.ExitCode == 0 && r.Err == nil && !r.TimedOut }

// Describe says in a few words how the job ended: "exit 3", "killed by
// SIGTERM", "timed out after 5m", "command not found"; after a stop signal
// under Spec.StopGrace, "terminated by SIGTERM; job exit 143" or
// "terminated by SIGTERM; job did not stop within 5s: killed".
func (r Result) Describe() string {
	if r.Stop != 0 {
		job := "did not stop within " + ShortDuration(r.StopGrace) + ": killed"
		if !r.StopKilled {
			inner := r
			inner.Stop = 0
			job = inner.Describe()
		}
		return "terminated by " + SignalName(r.Stop) + "; job " + job
	}
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

// Stopped says how the timeout ended a timed-out job: "stopped" when its
// group ended on SIGTERM (exit 124), "SIGTERM did not stop it; killed 10s
// later" when it had to be killed (exit 137). It is "" for a job that did
// not time out.
func (r Result) Stopped() string {
	switch {
	case !r.TimedOut:
		return ""
	case r.Killed:
		return "SIGTERM did not stop it; killed " + ShortDuration(r.KillAfter) + " later"
	default:
		return "stopped"
	}
}

// Run starts the job, forwards signals, enforces the timeout and waits for
// the job to exit. A job that cannot start gives a Result with Err set and
// exit code 126 or 127, as sh would.
func Run(spec Spec) Result {
	argv := spec.Command.Argv
	if len(argv) == 0 {
		return Result{ExitCode: ExitNotFound, Err: &StartError{Err: ErrNotFound}}
	}
	start := time.Now()
	path, err := LookPath(argv[0], spec.Env, spec.Dir)
	if err != nil {
		return failed(err, start)
	}
	tty := terminalOf(spec.Stdin, spec.Stdout, spec.Stderr)
	// On a terminal the job stays in opkuma's process group, which may be
	// the terminal's foreground group: then it reads the terminal and gets
	// Ctrl-C from it directly. Else it gets a group of its own, so that
	// signals and the timeout reach everything it starts.
	ownGroup := tty == nil
	attr := &os.ProcAttr{
		Dir:   spec.Dir,
		Env:   spec.Env,
		Files: append([]*os.File{spec.Stdin, spec.Stdout, spec.Stderr}, spec.ExtraFiles...),
		Sys:   sysProcAttr(ownGroup),
	}
	proc, err := os.StartProcess(path, argv, attr)
	if errors.Is(err, syscall.ENOEXEC) {
		// A file without #!: execvp and sh run it with /bin/sh.
		proc, err = os.StartProcess(DefaultShell, append([]string{DefaultShell, path}, argv[1:]...), attr)
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			err = ErrNotFound
		}
		return failed(&StartError{Name: argv[0], Err: err}, start)
	}
	j := &job{proc: proc, ownGroup: ownGroup, fromTerminal: ownGroup || !inForeground(tty)}
	return j.wait(spec, start)
}

func failed(err error, start time.Time) Result {
	var se *StartError
	code := ExitNotExecutable
	if errors.As(err, &se) {
		code = se.ExitCode()
	}
	return Result{ExitCode: code, Err: err, Duration: time.Since(start)}
}

// job is a started child.
type job struct {
	proc     *os.Process
	ownGroup bool
	// fromTerminal is false when the terminal itself sends SIGINT and
	// SIGQUIT to the job: opkuma must not send them a second time.
	fromTerminal bool
}

// signal sends sig to the job's group, or to the child alone when it shares
// opkuma's group.
func (j *job) signal(sig syscall.Signal) {
	if j.ownGroup {
		_ = syscall.Kill(-j.proc.Pid, sig) // ESRCH once all have gone
		return
	}
	_ = j.proc.Signal(sig)
}

// groupAlive reports whether anything is left running in the job's own
// group. A zombie (dead, waiting for init to reap it) does not count.
func (j *job) groupAlive() bool {
	return j.ownGroup && syscall.Kill(-j.proc.Pid, 0) == nil && groupRunning(j.proc.Pid)
}

func (j *job) wait(spec Spec, start time.Time) Result {
	done := make(chan syscall.WaitStatus, 1)
	go func() { done <- waitFor(j.proc, spec.Reap) }()

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
	r := Result{Timeout: spec.Timeout, KillAfter: killAfter, StopGrace: spec.StopGrace}
	exited := (<-chan syscall.WaitStatus)(done)
	var poll, giveUp, stopKill, stopAbandon <-chan time.Time
	var status syscall.WaitStatus
	waitGroup := true
	for {
		select {
		case sig := <-spec.Signals:
			s, ok := sig.(syscall.Signal)
			switch {
			case !ok:
			case j.fromTerminal || (s != syscall.SIGINT && s != syscall.SIGQUIT):
				j.signal(s)
				// Only a stop opkuma forwarded starts the bound: a
				// SIGINT the terminal gave the job too is the job's to
				// handle, as without opkuma.
				if spec.StopGrace > 0 && r.Stop == 0 && IsStopSignal(s) {
					r.Stop = s
					t := time.NewTimer(spec.StopGrace)
					defer t.Stop()
					stopKill = t.C
				}
			case spec.NotForwarded != nil:
				spec.NotForwarded(s)
			}
		case <-stopKill:
			r.StopKilled = true
			j.signal(syscall.SIGKILL)
			stopKill = nil
			stopAbandon = time.After(stopGiveUp)
		case <-stopAbandon:
			// Killed, still not reaped: return without its status.
			r.ExitCode = exitSignalBase + int(r.Stop)
			r.Duration = time.Since(start)
			return r
		case <-timeout:
			r.TimedOut = true
			j.signal(syscall.SIGTERM)
			t := time.NewTimer(killAfter)
			defer t.Stop()
			kill = t.C
		case <-kill:
			r.Killed = true
			j.signal(syscall.SIGKILL)
			kill = nil
			// Killed processes run no more code, but their zombies
			// wait for their parent or init, which may be slow: give the
			// kernel a moment, not more.
			giveUp = time.After(100 * time.Millisecond)
		case status = <-exited:
			r.Duration = time.Since(start)
			exited = nil
		case <-poll:
			poll = nil
		case <-giveUp:
			waitGroup = false
		}
		if exited != nil {
			continue
		}
		// The child has exited. After a timeout, wait for the rest of its
		// group to go too, killing it at the kill deadline: nothing the
		// job started in its group outlives opkuma.
		if !r.TimedOut || !waitGroup || !j.groupAlive() {
			break
		}
		if poll == nil {
			poll = time.After(5 * time.Millisecond)
		}
	}
	r.ExitCode, r.Signal = exitCode(status)
	switch {
	case r.StopKilled:
		r.ExitCode = exitSignalBase + int(r.Stop)
	case r.TimedOut:
		r.ExitCode = ExitTimedOut
		if r.Killed {
			r.ExitCode = ExitTimedOutKill
		}
	}
	return r
}

// exitCode maps how the child ended to a shell's exit code: its own code,
// or 128+N for a death by signal N.
func exitCode(ws syscall.WaitStatus) (int, syscall.Signal) {
	if ws.Signaled() {
		return exitSignalBase + int(ws.Signal()), ws.Signal()
	}
	return ws.ExitStatus(), 0
}

// waitFor waits for the child to exit. With reap it waits for any child,
// so that orphans handed to opkuma are reaped too, and keeps doing so
// after the job has gone.
func waitFor(p *os.Process, reap bool) syscall.WaitStatus {
	if !reap {
		ps, err := p.Wait()
		if err != nil {
			return syscall.WaitStatus(1 << 8) // exit 1: cannot happen
		}
		return ps.Sys().(syscall.WaitStatus)
	}
	var result syscall.WaitStatus
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, 0, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return result // ECHILD: nothing left to wait for
		}
		if pid == p.Pid {
			result = ws
			go reapOrphans()
			return result
		}
	}
}

// reapOrphans waits for the orphans still to come, until opkuma exits.
func reapOrphans() {
	for {
		var ws syscall.WaitStatus
		_, err := syscall.Wait4(-1, &ws, 0, nil)
		if err != nil && !errors.Is(err, syscall.EINTR) {
			return
		}
	}
}

// ShortDuration formats d without trailing zero units: 5m, 1h30m, 1.5s.
func ShortDuration(d time.Duration) string {
	s := d.String()
	if len(s) > 3 && s[len(s)-3:] == "m0s" {
		s = s[:len(s)-2]
	}
	if len(s) > 3 && s[len(s)-3:] == "h0m" {
		s = s[:len(s)-2]
	}
	return s
}
