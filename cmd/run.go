package cmd

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/opkuma/opkuma/pusher"
	"github.com/opkuma/opkuma/runner"
)

// forwardedSignals reach the child; opkuma waits for it and exits with its
// result.
var forwardedSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

type runOptions struct {
	push pushOptions
}

func runCommand(env Env) *cli.Command {
	o := &runOptions{}
	return &cli.Command{
		Name:      "run",
		Usage:     "run a command and push a heartbeat when it exits 0",
		ArgsUsage: "-- COMMAND [ARGS...]",
		Description: `Runs COMMAND with opkuma's stdin, stdout, stderr, environment and working
directory, and exits with its exit code (killed by signal N: 128+N; not found:
127; not executable: 126). When it exits 0, pushes one heartbeat: status up,
msg OK, ping = the run's duration in milliseconds. A failed push is reported in
one line on stderr and never changes the exit code. SIGINT, SIGTERM, SIGHUP and
SIGQUIT are forwarded to the command.

COMMAND runs directly, without a shell. A single argument holding spaces is a
command line, as in a crontab: it is split into words with shell quoting
(leading NAME=value words are set in the environment) or, when it uses shell
syntax (| & ; < > $ backticks globs ...), run with /bin/sh -c.

Examples:
   opkuma run --url https://kuma.example.com/api/push/AbC123 -- /usr/local/bin/backup.sh --full
   opkuma run --url https://kuma.example.com/api/push/AbC123 -- 'pg_dump mydb | gzip > /srv/db.gz'
   OPKUMA_URL=https://kuma.example.com/api/push/AbC123 opkuma run --msg "backup done" -- backup.sh`,
		Flags:        pushFlags(&o.push),
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			return o.run(c.Context, env, c.Args().Slice())
		},
	}
}

func (o *runOptions) run(ctx context.Context, env Env, args []string) error {
	msgs := messages{w: env.Stderr, silent: o.push.silent, verbose: o.push.verbose}
	endpoint, err := o.push.endpoint(env.Getenv)
	if err != nil {
		return err
	}
	if err := o.push.validate(); err != nil {
		return err
	}
	command, err := runner.ParseCommand(args)
	if err != nil {
		return usageErrorf("%v", err)
	}

	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, forwardedSignals...)
	defer signal.Stop(sigs)

	res := runner.Run(runner.Spec{
		Command:      command,
		Stdin:        env.Stdin,
		Stdout:       env.Stdout,
		Stderr:       env.Stderr,
		Signals:      sigs,
		ProcessGroup: !interactive(env),
	})
	if res.Err != nil {
		msgs.errorf("%v", res.Err)
	}
	if !res.OK() {
		return &exitError{code: res.ExitCode}
	}

	// A signal while pushing abandons the push: the job is over.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-sigs:
			cancel()
		case <-ctx.Done():
		}
	}()
	h := pusher.Heartbeat{Status: o.push.status, Msg: o.push.msg, Ping: o.push.ping, Elapsed: res.Duration}
	_ = push(ctx, o.push.client(env, msgs), endpoint, h, msgs)
	return nil
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
