package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/opkuma/opkuma/pusher"
)

func pushCommand(env Env) *cli.Command {
	o := &pushOptions{}
	return &cli.Command{
		Name:  "push",
		Usage: "send one heartbeat now (a manual test, a CI smoke test)",
		Description: `Sends one push to the monitor and exits 0 when Uptime Kuma accepted it, 1 when
it rejected it (its reason is printed: the monitor may be paused or the token
wrong), 69 when it could not be reached after the retries. Every push records
a heartbeat: there is no way to test a push URL without pushing.

Delivery (opkuma run pushes the same way): a push that provably did not reach
Uptime Kuma is retried, waiting 0.5 s, 1 s, 2 s ... up to 8 s (each x0.5-1.5)
or the server's Retry-After: no connection within --connect-timeout (10 s),
a refused or reset connection before sending, 429, 5xx, the server's database
busy or locked, its "Cannot GET" page while it upgrades. A request once sent is
never sent again: its answer is awaited, as Uptime Kuma 2.x sends its alerts
before it answers. All of it takes at most --max-time (60 s).

Examples:
   opkuma push --url https://kuma.example.com/api/push/AbC123
   opkuma push --url-file /etc/opkuma/backup.url --status down --msg "disk full"
   OPKUMA_URL=https://kuma.example.com/api/push/AbC123 opkuma push --msg "deployed $CI_COMMIT_SHA"`,
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
