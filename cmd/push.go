package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/opkuma/opkuma/internal/clidoc"
	"github.com/opkuma/opkuma/pusher"
)

func pushCommand(env Env) *cli.Command {
	o := &pushOptions{}
	return &cli.Command{
		Name:         "push",
		Usage:        "send one heartbeat now (a manual test, a CI smoke test)",
		Description:  clidoc.Help("push"),
		Flags:        pushFlags(o),
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return silence(usageErrorf("push takes no arguments, got %q: to run a command use opkuma run", c.Args().First()), o.silent)
			}
			return silence(o.pushNow(c.Context, env), o.silent)
		},
	}
}

func (o *pushOptions) pushNow(ctx context.Context, env Env) error {
	msgs := messages{w: env.Stderr, silent: o.silent, verbose: o.verbose}
	endpoint, err := o.endpoint(env.Getenv)
	if err != nil {
		return err
	}
	if err := o.validate(); err != nil {
		return err
	}
	client, err := o.client(env, msgs)
	if err != nil {
		return err
	}
	h := pusher.Beat{Status: o.status, Msg: o.msg, Ping: o.ping}
	if o.dryRun {
		printPushPlan(env.Stdout, endpoint, h)
		return nil
	}
	res, err := pushResult(ctx, client, endpoint, h, msgs)
	if err != nil {
		return &exitError{code: pushExitCode(err)}
	}
	if !res.Slow {
		msgs.verbosef("push accepted")
	}
	return nil
}

func printPushPlan(w io.Writer, e *pusher.Endpoint, h pusher.Beat) {
	fmt.Fprintf(w, "dry run: nothing is pushed\n")
	fmt.Fprintf(w, "would push: GET %s\n", e.Redact(e.URL(h).String()))
}

// pushExitCode maps a push failure to opkuma's exit code: 1 when Uptime Kuma
// refused it, 69 (EX_UNAVAILABLE) when it could not be reached.
func pushExitCode(err error) int {
	var unreachable *pusher.UnreachableError
	if errors.As(err, &unreachable) {
		return exitUnavailable
	}
	return exitFailure
}

// silence drops the message of a usage error under --silent; the exit code
// still tells.
func silence(err error, silent bool) error {
	if err == nil || !silent {
		return err
	}
	return &exitError{code: exitCode(err, io.Discard)}
}
