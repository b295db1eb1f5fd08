// Package cmd is opkuma's command line: it parses flags with urfave/cli and
// wires them to the runner and pusher packages.
package cmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/opkuma/opkuma/pusher"
)

// Exit codes of opkuma's own, beside the child's.
const (
	exitFailure     = 1
	exitUsage       = 2
	exitUnavailable = 69 // EX_UNAVAILABLE: the push server could not be reached
	exitTempFail    = 75 // EX_TEMPFAIL: another run holds the lock
)

// Env is what opkuma touches of the outside world. Execute uses the
// process's; tests pass their own.
type Env struct {
	Stdin  *os.File
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	HTTP   pusher.Doer // nil: a client that honours proxy variables
}

// Execute runs opkuma with the process's arguments and streams, and exits
// with its exit code.
func Execute() {
	os.Exit(Main(os.Args, Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}))
}

// Main runs opkuma with args (args[0] is the program name) and returns the
// exit code. Errors are printed to env.Stderr as one line each.
func Main(args []string, env Env) int {
	err := newApp(env).Run(flagsFirst(args))
	return exitCode(err, env.Stderr)
}

// valueless are the boolean flags of the commands whose flags may follow
// their arguments.
var valueless = map[string]bool{
	"explain": true, "system": true, "json": true, "url-file-insecure": true, "help": true, "h": true,
}

// flagsFirst lets flags follow the arguments of interval and crontab, as in
// "opkuma interval '0 * * * *' --runtime 1m": urfave/cli, like Go's flag
// package, stops at the first argument. run is left alone: what follows its
// flags belongs to the job.
func flagsFirst(args []string) []string {
	if len(args) < 3 || (args[1] != "interval" && args[1] != "crontab") {
		return args
	}
	head := 2
	if args[1] == "crontab" && args[2] == "wrap" {
		head = 3
	}
	var flags, rest []string
	for i := head; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			rest = append(rest, args[i+1:]...)
			i = len(args)
		case a == "-" || !strings.HasPrefix(a, "-"):
			rest = append(rest, a)
		default:
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && !valueless[name] && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
		}
	}
	out := append(append([]string{}, args[:head]...), flags...)
	if len(rest) > 0 {
		out = append(append(out, "--"), rest...)
	}
	return out
}

func newApp(env Env) *cli.App {
	return &cli.App{
		Name:  "opkuma",
		Usage: "run a scheduled job and report it to an Uptime Kuma Push monitor",
		Description: `opkuma runs a job (from crontab, a systemd timer, CI, ...) and, when it exits 0,
sends a heartbeat to an Uptime Kuma Push monitor. When no heartbeat arrives
within the monitor's interval, Uptime Kuma alerts: the job failed, hung or
never ran.

   0 * * * *  opkuma run --url https://kuma.example.com/api/push/AbC123 -- /usr/local/bin/backup.sh --full`,
		Version:         versionString(),
		HideHelpCommand: true,
		Reader:          env.Stdin,
		Writer:          env.Stdout,
		ErrWriter:       env.Stderr,
		Commands:        []*cli.Command{runCommand(env), pushCommand(env), intervalCommand(env), crontabCommand(env), completionCommand(env), manCommand(env)},
		OnUsageError:    onUsageError,
		ExitErrHandler:  func(*cli.Context, error) {}, // Main maps errors to exit codes
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usageErrorf("unknown command %q: see 'opkuma --help'", c.Args().First())
			}
			return cli.ShowAppHelp(c)
		},
	}
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
	help := "opkuma --help"
	if isSubcommand {
		help = "opkuma " + c.Command.Name + " --help"
	}
	msg := strings.TrimPrefix(err.Error(), "flag ")
	return usageErrorf("%s: see '%s'", pusher.Redact(msg), help)
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var (
		usage *usageError
		exit  *exitError
		pu    *pusher.UsageError
	)
	switch {
	case errors.As(err, &exit):
		if exit.msg != "" {
			fmt.Fprintf(stderr, "opkuma: %s\n", exit.msg)
		}
		return exit.code
	case errors.As(err, &usage), errors.As(err, &pu):
		fmt.Fprintf(stderr, "opkuma: %s\n", pusher.Redact(err.Error()))
		return exitUsage
	default:
		fmt.Fprintf(stderr, "opkuma: %s\n", pusher.Redact(err.Error()))
		return exitFailure
	}
}
