// Package job runs one scheduled job the way opkuma promises: under its
// lock, with its output carried as it would go without opkuma (and kept
// where a failure needs it), signals forwarded and a timeout enforced. It
// says how the job ended; pushing the heartbeat is the caller's.
package job

import (
	"context"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/opkuma/opkuma/internal/lock"
	"github.com/opkuma/opkuma/internal/output"
	"github.com/opkuma/opkuma/internal/runner"
)

// DefaultOutputWait bounds how long Run waits, once the job has exited, for
// its captured output to end: a process left running in the background can
// hold the pipes open forever.
const DefaultOutputWait = 5 * time.Second

// StopGrace is how long a run that pushes down on failure waits for its
// job once opkuma itself got SIGTERM, SIGINT or SIGHUP and forwarded it
// (a kubelet deleting the pod, systemd stopping the unit): then the job is
// killed and the run ends, so that the down push goes out while opkuma
// may still run. With DefaultOutputWait and StopPushBound, the run ends
// 20 s after the signal at most, within Kubernetes' default
// terminationGracePeriodSeconds (30 s).
const StopGrace = 5 * time.Second

// StopPushBound bounds the down push of a run stopped by a signal, retries
// included; see StopGrace.
const StopPushBound = 10 * time.Second

// MaxMessageLen is the longest DownMessage, in characters.
const MaxMessageLen = 250

// Spec is a job to run.
type Spec struct {
	Command runner.Command
	// Stdin, Stdout and Stderr are opkuma's, as runner.Stdio returns them;
	// nil: closed.
	Stdin, Stdout, Stderr *os.File
	Env                   []string // the job's whole environment

	// Lock is a file to flock while the job runs; "": none. The job gets
	// the locked file as its descriptor 3 (as "flock 3" scripts expect),
	// and so does whatever it starts unless it closes it: the lock is free
	// only when the last process of the job that holds it has exited, even
	// when opkuma was killed (kill -9) before them, as with flock(1).
	Lock     string
	LockWait time.Duration // how long to wait for a busy lock; Timeout bounds it too
	LockBusy func()        // called when the wait for a busy lock starts; may be nil

	Timeout   time.Duration // see runner.Spec
	KillAfter time.Duration
	// StopGrace bounds the wait for the job once a stop signal was
	// forwarded to it (see runner.Spec); 0: no bound. Runs that push down
	// on failure use StopGrace.
	StopGrace time.Duration

	KeepTail     bool          // keep the output's last lines, for DownMessage
	QuietSuccess bool          // show the job's output only when it failed
	OutputWait   time.Duration // 0: DefaultOutputWait

	// Signals are forwarded to the job while it runs; one that comes
	// before it started means: do not start it (SIGWINCH excepted). See
	// CatchSignals.
	Signals <-chan os.Signal
	// NotForwarded: see runner.Spec.
	NotForwarded func(os.Signal)
	// Redact is applied to the job's output before it goes into a
	// message; nil: none.
	Redact func(string) string
}

// Outcome is how a job ended.
type Outcome struct {
	Result runner.Result
	// Started is false when the job did not run: see Err and Signal.
	Started bool
	// Signal is the signal that came before the job started, or nil.
	Signal os.Signal
	// Err is why the job did not run (a *lock.BusyError, a lock or output
	// error), or, with Started, a problem with its output that did not
	// change how it ended.
	Err error
	// LockWaited is how long the lock was waited for.
	LockWaited time.Duration
	// OutputCut reports that output still open OutputWait after the job
	// exited was cut.
	OutputCut bool

	stderrLine, stdoutLine string
}

// OK reports whether the job ran and succeeded.
func (o Outcome) OK() bool { return o.Started && o.Result.OK() }

// ExitCode is the code opkuma exits with for the job: its own, 128+N when
// a signal N came before it started. A job that did not start for another
// reason has no code of its own: see Err.
func (o Outcome) ExitCode() int {
	if !o.Started {
		if s, ok := o.Signal.(syscall.Signal); ok {
			return 128 + int(s)
		}
		return 1
	}
	return o.Result.ExitCode
}

// Signals is the catching of the signals forwarded to a job, begun by
// CatchSignals.
type Signals struct {
	ready chan struct{} // closed once every signal is caught
	c     chan os.Signal
	pipe  chan os.Signal
}

// CatchSignals begins catching the signals that are forwarded to a job, and
// SIGPIPE (so that a write to a closed stdout fails instead of killing
// opkuma), in the background: the Go runtime takes a round trip to its
// signal thread for each signal (0.2-0.7 ms for all of them, measured), so
// the caller goes on reading its command line meanwhile. A
// signal that was ignored when opkuma started stays ignored, so that the
// job inherits it ignored, as it would alone ("cmd &" in sh ignores SIGINT
// and SIGQUIT; nohup SIGHUP).
func CatchSignals() *Signals {
	s := &Signals{ready: make(chan struct{}), c: make(chan os.Signal, 8), pipe: make(chan os.Signal, 1)}
	go func() {
		defer close(s.ready)
		var caught []os.Signal
		for _, sig := range runner.ForwardedSignals() {
			if !signal.Ignored(sig) {
				caught = append(caught, sig)
			}
		}
		signal.Notify(s.c, caught...)
		if !signal.Ignored(syscall.SIGPIPE) {
			signal.Notify(s.pipe, syscall.SIGPIPE)
		}
	}()
	return s
}

// C waits until every signal is caught and returns the channel they come
// on.
func (s *Signals) C() <-chan os.Signal {
	<-s.ready
	return s.c
}

// Stop ends the catching.
func (s *Signals) Stop() {
	<-s.ready
	signal.Stop(s.c)
	signal.Stop(s.pipe)
}

// stopsStart reports whether sig, come before the job started, means: do
// not start it. SIGWINCH (a terminal resized; its default action is none)
// does not.
func stopsStart(sig os.Signal) bool {
	return sig != syscall.SIGWINCH
}

// Run takes the lock, runs the job and says how it ended.
func Run(ctx context.Context, spec Spec) Outcome {
	var out Outcome
	var extra []*os.File
	if spec.Lock != "" {
		// The wait ends at the run's deadline too: a run never waits for
		// its lock longer than it may run.
		ctx, cancel := context.WithCancel(ctx)
		if spec.Timeout > 0 {
			ctx, cancel = context.WithTimeout(ctx, spec.Timeout)
		}
		defer cancel()
		stopped := make(chan os.Signal, 1)
		watching := make(chan struct{})
		go func() {
			defer close(watching)
			for {
				select {
				case s := <-spec.Signals:
					if stopsStart(s) {
						stopped <- s
						cancel()
						return
					}
				case <-ctx.Done():
					return
				}
			}
		}()
		l, err := lock.Acquire(ctx, spec.Lock, spec.LockWait, spec.LockBusy)
		cancel()
		<-watching
		select {
		case s := <-stopped:
			if l != nil {
				l.Release()
			}
			out.Signal = s
			return out
		default:
		}
		if err != nil {
			out.Err = err
			return out
		}
		defer l.Release()
		out.LockWaited = l.Waited
		extra = append(extra, l.File())
	}
	// A signal before the job starts means: do not start it.
	for pending := true; pending; {
		select {
		case s := <-spec.Signals:
			if stopsStart(s) {
				out.Signal = s
				return out
			}
		default:
			pending = false
		}
	}

	capture, err := output.Start(spec.Stdout, spec.Stderr, output.Options{
		Tail: spec.KeepTail, Spool: spec.QuietSuccess,
	})
	if err != nil {
		out.Err = err
		return out
	}
	defer capture.Close()
	out.Started = true
	out.Result = runner.Run(runner.Spec{
		Command:      spec.Command,
		Stdin:        spec.Stdin,
		Stdout:       capture.Stdout(),
		Stderr:       capture.Stderr(),
		Env:          spec.Env,
		ExtraFiles:   extra,
		Signals:      spec.Signals,
		Timeout:      spec.Timeout,
		KillAfter:    spec.KillAfter,
		StopGrace:    spec.StopGrace,
		Reap:         os.Getpid() == 1,
		NotForwarded: spec.NotForwarded,
	})
	capture.Started() // the job has exited: close opkuma's copies of its pipes
	wait := spec.OutputWait
	if wait <= 0 {
		wait = DefaultOutputWait
	}
	out.OutputCut = capture.Finish(wait)
	if !out.Result.OK() {
		if err := capture.Replay(); err != nil {
			out.Err = err
		}
	}
	redact := spec.Redact
	if redact == nil {
		redact = func(s string) string { return s }
	}
	stderr, stdout := capture.LastLines()
	out.stderrLine, out.stdoutLine = redact(stderr), redact(stdout)
	return out
}

// DownMessage says in one line how a failed job ended, for a down push:
// "exit 3: <last line of stderr, else of stdout>", "killed by SIGTERM",
// "timed out after 5m", "command not found", "terminated by SIGTERM; job
// exit 143: <last line>". It is valid UTF-8 without control characters, at
// most MaxMessageLen characters.
func (o Outcome) DownMessage() string {
	r := o.Result
	msg := r.Describe()
	if r.Err == nil && !r.TimedOut && r.Signal == 0 && !r.StopKilled {
		for _, line := range []string{o.stderrLine, o.stdoutLine} {
			if line = cleanLine(line); line != "" {
				msg += ": " + line
				break
			}
		}
	}
	return truncate(msg, MaxMessageLen)
}

// cleanLine makes s valid UTF-8 and drops control characters (tabs become
// spaces), so it shows as one line in Uptime Kuma and in alerts.
func cleanLine(s string) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || (r >= 0x7f && r < 0xa0):
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// truncate cuts s to at most n characters, ending in "..." when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	return string(runes[:n-3]) + "..."
}
