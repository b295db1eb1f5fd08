package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/opkuma/opkuma/pusher"
	"github.com/opkuma/opkuma/internal/runner"
)

// forwardedSignals reach the child; opkuma waits for it and exits with its
// result.
var forwardedSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

type runOptions struct {
	push          pushOptions
	downOnFailure bool
	quietSuccess  bool
	timeout       time.Duration
	killAfter     time.Duration
	lock          string
	lockWait      time.Duration
	strict        bool
}

func runCommand(env Env) *cli.Command {
	o := &runOptions{}
	flags := append(pushFlags(&o.push),
		&cli.BoolFlag{Name: "down-on-failure", EnvVars: []string{"OPKUMA_DOWN_ON_FAILURE"}, Usage: "when the command fails, push status=down at once with why (exit code, last line of output)", Destination: &o.downOnFailure},
		&cli.BoolFlag{Name: "quiet-success", Aliases: []string{"q"}, Usage: "keep the command's output and print it only if it fails, so cron mails only failures", Destination: &o.quietSuccess},
		&cli.DurationFlag{Name: "timeout", Usage: "stop the command after `DURATION` (SIGTERM, then SIGKILL); exit 124", Destination: &o.timeout},
		&cli.DurationFlag{Name: "kill-after", Usage: "after the timeout's SIGTERM, wait this long before SIGKILL", Value: runner.DefaultKillAfter, Destination: &o.killAfter},
		&cli.StringFlag{Name: "lock", Usage: "run only if no other run holds a flock(2) on `FILE` (created if missing); else exit 75", Destination: &o.lock},
		&cli.DurationFlag{Name: "lock-wait", Usage: "wait up to this long for --lock before giving up", Destination: &o.lockWait},
		&cli.BoolFlag{Name: "strict", Usage: "exit 1 (rejected) or 69 (unreachable) when the command succeeded but the push failed", Destination: &o.strict},
	)
	return &cli.Command{
		Name:      "run",
		Usage:     "run a command and push a heartbeat when it exits 0",
		ArgsUsage: "-- COMMAND [ARGS...]",
		Description: `Runs COMMAND with opkuma's stdin, stdout, stderr, environment and working
directory, and exits with its exit code (killed by signal N: 128+N; not found:
127; not executable: 126; --timeout: 124). When it exits 0, pushes one
heartbeat: status up, msg OK, ping = the run's duration in milliseconds. A
failed push is reported in one line on stderr and never changes the exit code
(unless --strict). SIGINT, SIGTERM, SIGHUP and SIGQUIT are forwarded to the
command.

COMMAND runs directly, without a shell. A single argument holding spaces is a
command line, as in a crontab: it is split into words with shell quoting
(leading NAME=value words are set in the environment) or, when it uses shell
syntax (| & ; < > $ backticks globs ...), run with /bin/sh -c.

Examples:
   opkuma run --url https://kuma.example.com/api/push/AbC123 -- /usr/local/bin/backup.sh --full
   opkuma run --url https://kuma.example.com/api/push/AbC123 -- 'pg_dump mydb | gzip > /srv/db.gz'
   opkuma run --url-file /etc/opkuma/backup.url --down-on-failure --quiet-success \
       --timeout 2h --lock /run/lock/backup.lock -- /usr/local/bin/backup.sh
   OPKUMA_URL=https://kuma.example.com/api/push/AbC123 opkuma run --msg "backup done" -- backup.sh`,
		Flags:        flags,
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			err := o.run(c.Context, env, c.Args().Slice())
			return silence(err, o.push.silent)
		},
	}
}

func (o *runOptions) run(ctx context.Context, env Env, args []string) error {
	msgs := messages{w: env.Stderr, silent: o.push.silent, verbose: o.push.verbose}
	endpoint, err := o.push.endpoint(env.Getenv)
	if err != nil {
		return err
	}
	if err := o.validate(); err != nil {
		return err
	}
	command, err := runner.ParseCommand(args)
	if err != nil {
		return usageErrorf("%v", err)
	}
	client, err := o.push.client(env, msgs)
	if err != nil {
		return err
	}
	if o.push.dryRun {
		o.printPlan(env.Stdout, command, endpoint)
		return nil
	}

	// Signals are caught from here on: during the lock wait, the run and
	// the push. SIGPIPE too, so that a closed stdout fails opkuma's writes
	// instead of killing it mid-run.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, forwardedSignals...)
	defer signal.Stop(sigs)
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)

	pushDown := func(ctx context.Context, msg string, d time.Duration) {
		if o.downOnFailure {
			h := pusher.Heartbeat{Status: pusher.StatusDown, Msg: msg, Elapsed: d}
			_ = push(ctx, client, endpoint, h, msgs)
		}
	}

	if o.lock != "" {
		release, early, err := o.takeLock(sigs)
		if early != nil {
			return notStarted(msgs, early, command)
		}
		if errors.Is(err, runner.ErrLocked) {
			msgs.errorf("%v: not running %s", err, command.Argv[0])
			return &exitError{code: exitTempFail}
		}
		if err != nil {
			msgs.errorf("%v", err)
			pushDown(ctx, "cannot start: "+err.Error(), 0)
			return &exitError{code: exitFailure}
		}
		defer release()
	}
	// A signal before the job starts means: do not start it.
	select {
	case sig := <-sigs:
		return notStarted(msgs, sig, command)
	default:
	}

	// Output goes straight to the job unless it must be kept: in a spool
	// for --quiet-success, and its tail for --down-on-failure.
	stdout, stderr := io.Writer(env.Stdout), io.Writer(env.Stderr)
	var spool *runner.Spool
	if o.quietSuccess {
		spool = runner.NewSpool(runner.DefaultSpoolMemory, "")
		defer spool.Close()
		stdout, stderr = spool.Stdout(), spool.Stderr()
	}
	var stdoutTail, stderrTail *runner.Tail
	if o.downOnFailure {
		stdoutTail, stderrTail = runner.NewTail(runner.DefaultTailSize), runner.NewTail(runner.DefaultTailSize)
		stdout, stderr = runner.Tee(stdout, stdoutTail), runner.Tee(stderr, stderrTail)
	}
	spec := runner.Spec{
		Command:      command,
		Stdin:        env.Stdin,
		Stdout:       stdout,
		Stderr:       stderr,
		Signals:      sigs,
		ProcessGroup: !interactive(env),
		Timeout:      o.timeout,
		KillAfter:    o.killAfter,
	}
	res := runner.Run(spec)

	// A signal after the child has gone abandons the push: the job is over.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-sigs:
			cancel()
		case <-ctx.Done():
		}
	}()

	if !res.OK() {
		if spool != nil {
			if err := spool.Replay(env.Stdout, env.Stderr); err != nil {
				msgs.errorf("%v", err)
			}
		}
		switch {
		case res.Err != nil:
			msgs.errorf("%v", res.Err)
		case res.TimedOut:
			msgs.errorf("%s: %s: stopped", command.Argv[0], res.Describe())
		}
		pushDown(ctx, runner.FailureMessage(res, stderrTail, stdoutTail), res.Duration)
		return &exitError{code: res.ExitCode}
	}

	h := pusher.Heartbeat{Status: o.push.status, Msg: o.push.msg, Ping: o.push.ping, Elapsed: res.Duration}
	if err := push(ctx, client, endpoint, h, msgs); err != nil && o.strict {
		return &exitError{code: pushExitCode(err)}
	}
	return nil
}

// takeLock takes --lock, waiting up to --lock-wait. A signal meanwhile ends
// the wait and is returned as early, with the lock not held.
func (o *runOptions) takeLock(sigs <-chan os.Signal) (release func(), early os.Signal, err error) {
	stop, done, watched := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(watched)
		select {
		case early = <-sigs:
			close(stop)
		case <-done:
		}
	}()
	release, err = runner.Lock(o.lock, o.lockWait, stop)
	close(done)
	<-watched
	if early != nil {
		if err == nil {
			release()
		}
		return nil, early, nil
	}
	return release, nil, err
}

// notStarted reports a signal that came before the job started.
func notStarted(msgs messages, sig os.Signal, command runner.Command) error {
	s, _ := sig.(syscall.Signal)
	msgs.errorf("got %s before %s started: not running it", runner.SignalName(s), command.Argv[0])
	return &exitError{code: 128 + int(s)}
}

func (o *runOptions) validate() error {
	switch {
	case o.timeout < 0:
		return usageErrorf("--timeout: must not be negative")
	case o.killAfter <= 0:
		return usageErrorf("--kill-after: must be more than 0, e.g. 10s")
	case o.lockWait < 0:
		return usageErrorf("--lock-wait: must not be negative")
	case o.lockWait > 0 && o.lock == "":
		return usageErrorf("--lock-wait needs --lock FILE")
	}
	return o.push.validate()
}

// printPlan says what a run would do, for --dry-run.
func (o *runOptions) printPlan(w io.Writer, command runner.Command, e *pusher.Endpoint) {
	fmt.Fprintf(w, "dry run: nothing is run or pushed\n")
	fmt.Fprintf(w, "command:    %s\n", command)
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
	up := e.URL(pusher.Heartbeat{Status: o.push.status, Msg: o.push.msg, Ping: ping})
	fmt.Fprintf(w, "on success: GET %s\n", e.Redact(up.String()))
	if o.downOnFailure {
		down := e.URL(pusher.Heartbeat{Status: pusher.StatusDown, Msg: "exit N: LAST_LINE", Ping: "DURATION_MS"})
		fmt.Fprintf(w, "on failure: GET %s\n", e.Redact(down.String()))
	} else {
		fmt.Fprintf(w, "on failure: no push (Uptime Kuma alerts when the heartbeat interval runs out; see --down-on-failure)\n")
	}
}

// interactive reports whether opkuma runs on a terminal; then the child stays
// in opkuma's process group so that it can read from the terminal.
func interactive(env Env) bool {
	for _, w := range []any{env.Stdin, env.Stdout, env.Stderr} {
		if f, ok := w.(*os.File); ok && runner.IsTerminal(f) {
			return true
		}
	}
	return false
}
