package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/opkuma/opkuma/internal/clidoc"
	"github.com/opkuma/opkuma/internal/cliflag"
	"github.com/opkuma/opkuma/internal/job"
	"github.com/opkuma/opkuma/internal/lock"
	"github.com/opkuma/opkuma/internal/runner"
	"github.com/opkuma/opkuma/internal/shellword"
	"github.com/opkuma/opkuma/pusher"
)

type runOptions struct {
	push          pushOptions
	downOnFailure bool
	quietSuccess  bool
	timeout       time.Duration
	killAfter     time.Duration
	stopGrace     time.Duration
	lock          string
	lockWait      time.Duration
	strict        bool
	shell         string
	pipefail      bool
}

func runCommand(env Env) *cli.Command {
	o := &runOptions{}
	flags := append(pushFlags(&o.push),
		&cliflag.BoolFlag{Name: "down-on-failure", EnvVars: []string{"OPKUMA_DOWN_ON_FAILURE"}, Usage: "when the command fails, push status=down at once with why (exit code, last line of output)", Destination: &o.downOnFailure},
		&cliflag.BoolFlag{Name: "quiet-success", Aliases: []string{"q"}, Usage: "keep the command's output and print it only if it fails, so cron mails only failures", Destination: &o.quietSuccess},
		&cli.DurationFlag{Name: "timeout", Usage: "stop the command after `DURATION`: SIGTERM to its process group, exit 124 (137 when it had to be killed)", DefaultText: "none", Destination: &o.timeout},
		&cli.DurationFlag{Name: "stop-grace", Usage: "with --down-on-failure: when opkuma is told to stop (SIGTERM, SIGINT, SIGHUP), the job has `DURATION` to end; then it is killed and the down push goes out, so that both fit the stop time the scheduler gives (Kubernetes 30s, docker 10s, systemd 90s)", Value: job.StopGrace, Destination: &o.stopGrace},
		&cli.DurationFlag{Name: "kill-after", Usage: "after the timeout's SIGTERM, wait `DURATION` before SIGKILL to what is left of the group", Value: runner.DefaultKillAfter, Destination: &o.killAfter},
		&cli.StringFlag{Name: "lock", Usage: "run only if no other run holds a flock(2) on `FILE` (created if missing); else exit 75", Destination: &o.lock},
		&cli.DurationFlag{Name: "lock-wait", Usage: "wait up to `DURATION` for --lock before giving up", DefaultText: "no wait", Destination: &o.lockWait},
		&cliflag.BoolFlag{Name: "strict", Usage: "exit 1 (rejected) or 69 (unreachable) when the command succeeded but the push failed", Destination: &o.strict},
		&cli.StringFlag{Name: "shell", Usage: "run a one-string command line with `SHELL` -c (as a crontab's SHELL=)", Value: runner.DefaultShell, Destination: &o.shell},
		&cliflag.BoolFlag{Name: "pipefail", Usage: "run the one-string command line with SHELL -o pipefail -c, so that a failure anywhere in a pipeline fails the run (needs a shell that has it: --shell /bin/bash)", Destination: &o.pipefail},
	)
	return &cli.Command{
		Name:         "run",
		Usage:        "run a command and push a heartbeat when it exits 0",
		ArgsUsage:    "-- COMMAND [ARGS...]",
		Description:  clidoc.Help("run"),
		Flags:        flags,
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			err := o.run(c.Context, env, c.Args().Slice())
			return silence(err, o.push.silent)
		},
	}
}

// run is the run command: it builds the job, runs it, pushes, and maps the
// outcome to opkuma's exit code.
func (o *runOptions) run(ctx context.Context, env Env, args []string) error {
	msgs := messages{w: env.Stderr, silent: o.push.silent, verbose: o.push.verbose}
	p, err := o.prepare(env, args, msgs)
	if err != nil || p == nil {
		return err
	}
	// Signals are caught from here on: during the lock wait, the run and
	// the push. (Catching them before urfave/cli reads the flags gained
	// 2 %, within the noise of scripts/bench-overhead.sh: not worth a
	// second path.)
	signals := job.CatchSignals()
	defer signals.Stop()
	sigs := signals.C()
	out := o.execute(ctx, env, p, sigs, msgs)

	// A signal after the job has gone abandons the push: the job is over.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-sigs:
			cancel()
		case <-ctx.Done():
		}
	}()
	return o.report(ctx, p, out, msgs)
}

// runPlan is what run found before it runs the job.
type runPlan struct {
	command  runner.Command
	endpoint *pusher.Endpoint // nil: nothing is pushed (a set-up problem, said)
	client   *pusher.Client
	redact   func(string) string
}

// prepare reads run's command line and the monitoring set-up. A mistake on
// the command line is an error (exit 2); a set-up problem found at run
// time is one line on stderr and a plan without an endpoint. A nil plan
// and nil error: nothing to run (--dry-run, or the audit's check).
func (o *runOptions) prepare(env Env, args []string, msgs messages) (*runPlan, error) {
	endpoint, err := o.push.endpoint(env.Getenv)
	var setup *setupError
	if errors.As(err, &setup) {
		err = nil // found at run time, not a mistake of the line
	}
	if err != nil {
		return nil, err
	}
	if err := o.validate(); err != nil {
		return nil, err
	}
	command, err := o.command(args, env.hasPipefail)
	if err != nil || env.check {
		return nil, err
	}
	client, err := o.push.client(env, msgs)
	switch {
	case errors.As(err, &setup):
		endpoint = nil
	case err != nil:
		return nil, err
	}
	warnUnknownVariables(env, msgs)
	if setup != nil {
		msgs.errorf("%s; the job runs, nothing is pushed", setup.msg)
	}
	if o.push.dryRun {
		o.printPlan(env.Stdout, command, endpoint)
		return nil, nil
	}
	p := &runPlan{command: command, endpoint: endpoint, client: client, redact: pusher.Redact}
	if endpoint != nil {
		p.redact = endpoint.Redact
	}
	return p, nil
}

// execute runs the job of p, with opkuma's standard files and its
// environment less the push URL.
func (o *runOptions) execute(ctx context.Context, env Env, p *runPlan, sigs <-chan os.Signal, msgs messages) job.Outcome {
	stdin, stdout, stderr := runner.StdioOf(env.Stdin, env.Stdout, env.Stderr)
	var stopGrace time.Duration // without a down push, nothing to hurry for
	if o.downOnFailure {
		stopGrace = o.stopGrace
	}
	return job.Run(ctx, job.Spec{
		Command:      p.command,
		Stdin:        stdin,
		Stdout:       stdout,
		Stderr:       stderr,
		Env:          job.Environ(os.Environ()),
		Lock:         o.lock,
		LockWait:     o.lockWait,
		LockBusy:     func() { msgs.verbosef("waiting up to %v for the lock on %s", o.lockWait, o.lock) },
		Timeout:      o.timeout,
		KillAfter:    o.killAfter,
		StopGrace:    stopGrace,
		KeepTail:     o.downOnFailure,
		QuietSuccess: o.quietSuccess,
		Signals:      sigs,
		NotForwarded: func(s os.Signal) {
			sig, _ := s.(syscall.Signal)
			msgs.verbosef("%s from the terminal reached the job too: not sent again", runner.SignalName(sig))
		},
		Redact: p.redact,
	})
}

// report says what became of the job, pushes (up on success; down with
// --down-on-failure) and returns opkuma's exit code as an error.
func (o *runOptions) report(ctx context.Context, p *runPlan, out job.Outcome, msgs messages) error {
	pushDown := func(msg string, d time.Duration) {
		if o.downOnFailure && p.endpoint != nil {
			ctx := ctx
			if out.Result.Stop != 0 { // opkuma is being stopped: be done in time
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, job.StopPushBound)
				defer cancel()
			}
			h := pusher.Beat{Status: pusher.StatusDown, Msg: p.redact(msg), Elapsed: d}
			_ = push(ctx, p.client, p.endpoint, h, msgs)
		}
	}
	name := p.redact(p.command.Name())
	var busy *lock.BusyError
	switch {
	case out.Signal != nil:
		s, _ := out.Signal.(syscall.Signal)
		msgs.errorf("got %s before %s started: not running it", runner.SignalName(s), name)
		return &exitError{code: out.ExitCode()}
	case errors.As(out.Err, &busy):
		msgs.errorf("%v: not running %s", busy, name)
		return &exitError{code: exitTempFail}
	case !out.Started:
		msgs.errorf("%v", out.Err)
		pushDown("cannot start: "+out.Err.Error(), 0)
		return &exitError{code: exitFailure}
	case out.Err != nil:
		msgs.errorf("%v", out.Err)
	}
	res := out.Result
	if out.LockWaited > time.Second {
		msgs.verbosef("waited %v for the lock", out.LockWaited.Round(time.Millisecond))
	}
	if !res.OK() {
		switch {
		case res.Err != nil:
			msgs.errorf("%s", p.redact(res.Err.Error()))
		case res.TimedOut:
			msgs.errorf("%s: %s: %s", name, res.Describe(), res.Stopped())
		}
		pushDown(out.DownMessage(), res.Duration)
		return &exitError{code: res.ExitCode}
	}
	if p.endpoint == nil { // said above: the push URL could not be read
		if o.strict {
			return &exitError{code: exitConfig}
		}
		return nil
	}
	h := pusher.Beat{Status: o.push.status, Msg: o.push.msg, Ping: o.push.ping, Elapsed: res.Duration}
	if err := push(ctx, p.client, p.endpoint, h, msgs); err != nil && o.strict {
		return &exitError{code: pushExitCode(err)}
	}
	return nil
}

// command is the job of args, as run runs it: --shell and --pipefail
// applied. Its errors are usage errors.
func (o *runOptions) command(args []string, hasPipefail func(string) bool) (runner.Command, error) {
	command, err := runner.Parse(args, o.shell)
	if errors.Is(err, runner.ErrNoCommand) {
		return command, usageErrorf("no command given: put it after --; in a crontab, an unquoted & in the URL may have cut the line there: put the URL in single quotes")
	}
	if err != nil || !o.pipefail {
		return command, err
	}
	command, err = runner.Pipefail(command, hasPipefail)
	var np *runner.NoPipefailError
	switch {
	case errors.Is(err, runner.ErrNotCommandLine):
		return command, usageErrorf("--pipefail: %s is not one command line for the shell: give the pipeline as one quoted argument", shellword.Quote(command.Name()))
	case errors.As(err, &np):
		return command, usageErrorf("--pipefail: %v: add --shell /bin/bash", np)
	}
	return command, err
}

// knownVariables are the OPKUMA_ variables opkuma reads.
var knownVariables = map[string]bool{
	"OPKUMA_URL": true, "OPKUMA_DOWN_ON_FAILURE": true,
	"OPKUMA_KUMA_URL": true, "OPKUMA_KUMA_USER": true, "OPKUMA_KUMA_PASSWORD": true,
}

// warnUnknownVariables says, in one line, which OPKUMA_ variables of the
// environment opkuma does not read.
func warnUnknownVariables(env Env, msgs messages) {
	if env.Environ == nil {
		return
	}
	if unknown := job.Unknown(env.Environ(), knownVariables); len(unknown) > 0 {
		msgs.errorf("ignoring %s: opkuma reads no such variable (run's are OPKUMA_URL and OPKUMA_DOWN_ON_FAILURE; give other settings as flags)", strings.Join(unknown, ", "))
	}
}

func (o *runOptions) validate() error {
	switch {
	case o.timeout < 0:
		return usageErrorf("--timeout: must not be negative")
	case o.stopGrace <= 0:
		return usageErrorf("--stop-grace: must be more than 0, e.g. 5s")
	case o.killAfter <= 0:
		return usageErrorf("--kill-after: must be more than 0, e.g. 10s")
	case o.lockWait < 0:
		return usageErrorf("--lock-wait: must not be negative")
	case o.lockWait > 0 && o.lock == "":
		return usageErrorf("--lock-wait needs --lock FILE")
	case o.shell == "":
		return usageErrorf("--shell: give a shell, e.g. /bin/bash")
	}
	return o.push.validate()
}

// printPlan says what a run would do, for --dry-run.
func (o *runOptions) printPlan(w io.Writer, command runner.Command, e *pusher.Endpoint) {
	fmt.Fprintf(w, "dry run: nothing is run or pushed\n")
	if e == nil {
		fmt.Fprintf(w, "command:    %s\n", pusher.Redact(command.String()))
		fmt.Fprintf(w, "push:       none: the monitoring set-up has a problem (said above)\n")
		return
	}
	fmt.Fprintf(w, "command:    %s\n", e.Redact(command.String()))
	if o.lock != "" {
		fmt.Fprintf(w, "lock:       %s (wait %v; exit 75 when busy)\n", o.lock, o.lockWait)
	}
	if o.timeout > 0 {
		fmt.Fprintf(w, "timeout:    %v, SIGKILL %v later (exit 124)\n", o.timeout, o.killAfter)
	}
	ping := o.push.ping
	if ping == "" && e.Param("ping") == "" {
		ping = "DURATION_MS"
	}
	up := e.URL(pusher.Beat{Status: o.push.status, Msg: o.push.msg, Ping: ping})
	fmt.Fprintf(w, "on success: GET %s\n", e.Redact(up.String()))
	if o.downOnFailure {
		down := e.URL(pusher.Beat{Status: pusher.StatusDown, Msg: "exit N: LAST_LINE", Ping: "DURATION_MS"})
		fmt.Fprintf(w, "on failure: GET %s\n", e.Redact(down.String()))
	} else {
		fmt.Fprintf(w, "on failure: no push (Uptime Kuma alerts when the heartbeat interval runs out; see --down-on-failure)\n")
	}
}
