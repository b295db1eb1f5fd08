// Package cmd is opkuma's command line: it parses flags with urfave/cli and
// wires them to the runner and pusher packages.
package cmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/opkuma/opkuma/internal/clidoc"
	"github.com/opkuma/opkuma/internal/cliflag"
	"github.com/opkuma/opkuma/pusher"

	_ "github.com/opkuma/opkuma/internal/unixonly" // a clear error for a Windows build

	// Time zone data in the binary: CRON_TZ=, --tz, a CronJob's timeZone
	// and an OnCalendar= zone work in a scratch image without
	// /usr/share/zoneinfo (the system's is used first when present).
	_ "time/tzdata"
)

// Exit codes of opkuma's own, beside the child's.
const (
	exitFailure     = 1
	exitUsage       = 2
	exitUnavailable = 69 // EX_UNAVAILABLE: the push server could not be reached
	exitTempFail    = 75 // EX_TEMPFAIL: another run holds the lock
	exitConfig      = 78 // EX_CONFIG: --strict, the job succeeded, the monitoring set-up kept it from pushing
)

// Env is what opkuma touches of the outside world. Execute uses the
// process's; tests pass their own.
type Env struct {
	Stdin  *os.File
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Environ lists the environment, for the warning about OPKUMA_
	// variables opkuma does not read; nil: no such warning.
	Environ func() []string
	HTTP    pusher.Doer // nil: a client that honours proxy variables

	// check makes run check its command line only, as the crontab audit
	// needs: flags, values, the --url literal, the command; nothing is
	// read from disk or run.
	check bool
	// hasPipefail tells whether a shell takes -o pipefail; nil:
	// runner.HasPipefail (the audit remembers its answers).
	hasPipefail func(shell string) bool
}

// Execute runs opkuma with the process's arguments and streams, and exits
// with its exit code.
func Execute() {
	os.Exit(Main(os.Args, Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Environ: os.Environ}))
}

// Main runs opkuma with args (args[0] is the program name) and returns the
// exit code. Errors are printed to env.Stderr as one line each.
func Main(args []string, env Env) int {
	app := newApp(env)
	return exitCode(runApp(app, args), env.Stderr)
}

// runApp runs app with args, flags first; onUsageError reads them back.
func runApp(app *cli.App, args []string) error {
	args = cliflag.FlagsFirst(app, args)
	app.Metadata = map[string]any{"args": args}
	return app.Run(args)
}

func newApp(env Env) *cli.App {
	fe := &cliflag.Env{Getenv: env.Getenv}
	var showVersion bool
	app := &cli.App{
		Name:            "opkuma",
		Usage:           "run a scheduled job and report it to an Uptime Kuma Push monitor",
		Description:     clidoc.Help("opkuma"),
		HideHelpCommand: true, // helpCommand instead
		// --version is opkuma's own flag, without urfave/cli's -v: a
		// top-level -v is --verbose, as it is for run and push.
		HideVersion: true,
		// Any fixed time: left zero, urfave/cli stats the binary at every
		// start to fill it, and nothing opkuma prints shows it.
		Compiled:  time.Unix(0, 0),
		Reader:    env.Stdin,
		Writer:    env.Stdout,
		ErrWriter: env.Stderr,
		Flags: []cli.Flag{
			&cliflag.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "print more, for every command: as run -v, push -v (one line per push attempt)", Destination: &fe.Verbose},
			&cliflag.BoolFlag{Name: "version", Usage: "print the version", Destination: &showVersion},
			cli.HelpFlag, // urfave/cli adds it only without a help command
		},
		Commands: []*cli.Command{
			runCommand(env),
			pushCommand(env),
			intervalCommand(env),
			crontabCommand(env),
			timersCommand(env),
			cronjobsCommand(env),
			monitorCommand(env),
			versionCommand(env),
			completionCommand(env),
			manCommand(env),
			cliflag.HelpCommand(unknownCommand),
		},
		OnUsageError:   onUsageError,
		ExitErrHandler: func(*cli.Context, error) {}, // Main maps errors to exit codes
		Before: func(c *cli.Context) error {
			if showVersion {
				printVersion(env.Stdout)
				return &exitError{code: 0}
			}
			return nil
		},
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return unknownCommand(c.App.Commands, c.Args().First())
			}
			return cli.ShowAppHelp(c)
		},
	}
	cliflag.Bind(app, fe, func(w string) { fmt.Fprintf(env.Stderr, "opkuma: %s\n", w) })
	parentUsage(app)
	return app
}

// parentUsage gives a command that only holds others the usage line
// "opkuma monitor COMMAND [options]", where urfave/cli writes
// "opkuma monitor [command options]".
func parentUsage(app *cli.App) {
	for _, c := range app.Commands {
		if len(c.Subcommands) > 0 && c.ArgsUsage == "" && c.UsageText == "" {
			c.UsageText = "opkuma " + c.Name + " COMMAND [options]"
		}
	}
}

// unknownCommand is the usage error for a command name not among cmds.
func unknownCommand(cmds []*cli.Command, name string) error {
	return usageErrorf("%s", cliflag.UnknownCommand(cmds, name, "opkuma"))
}

// usageError is a mistake in the command line: exit 2, nothing run.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// exitError ends opkuma with code after printing msg, if any.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func onUsageError(c *cli.Context, err error, isSubcommand bool) error {
	args, _ := c.App.Metadata["args"].([]string)
	return usageErrorf("%s", pusher.Redact(cliflag.UsageMessage(c, args, err, isSubcommand)))
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var (
		usage *usageError
		setup *setupError
		exit  *exitError
		pu    *pusher.UsageError
	)
	switch {
	case errors.As(err, &exit):
		if exit.msg != "" {
			fmt.Fprintf(stderr, "opkuma: %s\n", exit.msg)
		}
		return exit.code
	case errors.As(err, &usage), errors.As(err, &setup), errors.As(err, &pu):
		fmt.Fprintf(stderr, "opkuma: %s\n", pusher.Redact(err.Error()))
		return exitUsage
	default:
		fmt.Fprintf(stderr, "opkuma: %s\n", pusher.Redact(err.Error()))
		return exitFailure
	}
}
