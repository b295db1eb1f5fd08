package cmd

import (
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"
)

func manCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:  "man",
		Usage: "print the manual page (roff), generated from the same definitions as --help",
		Description: `Prints opkuma(1) in roff. Read it with: opkuma man | man -l -
Packages install it as /usr/share/man/man1/opkuma.1.gz.`,
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			writeMan(env.Stdout, c.App)
			return nil
		},
	}
}

// roff escapes text for a roff line: backslashes, and a leading . or '
// that would make it a request.
func roff(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// roffBlock writes a description: paragraphs become .PP, indented lines
// (examples) are kept as they are, without filling.
func roffBlock(w io.Writer, text string) {
	inExample := false
	for _, line := range strings.Split(text, "\n") {
		indented := strings.HasPrefix(line, "   ")
		switch {
		case strings.TrimSpace(line) == "":
			if inExample {
				fmt.Fprintln(w, ".fi\n.RE")
				inExample = false
			}
			fmt.Fprintln(w, ".PP")
		case indented && !inExample:
			fmt.Fprintln(w, ".RS 4\n.nf")
			inExample = true
			fmt.Fprintln(w, roff(strings.TrimPrefix(line, "   ")))
		case indented:
			fmt.Fprintln(w, roff(strings.TrimPrefix(line, "   ")))
		default:
			if inExample {
				fmt.Fprintln(w, ".fi\n.RE")
				inExample = false
			}
			fmt.Fprintln(w, roff(line))
		}
	}
	if inExample {
		fmt.Fprintln(w, ".fi\n.RE")
	}
}

func writeMan(w io.Writer, app *cli.App) {
	v, _, d := buildVersion()
	if len(d) >= 10 {
		d = d[:10]
	}
	fmt.Fprintf(w, ".TH OPKUMA 1 %q %q \"User Commands\"\n", d, "opkuma "+v)
	fmt.Fprintf(w, ".SH NAME\nopkuma \\- %s\n", roff(app.Usage))
	fmt.Fprintln(w, ".SH SYNOPSIS")
	all := visibleCommands(app)
	for _, c := range all {
		fmt.Fprintf(w, ".B opkuma %s\n[\\fIOPTIONS\\fR] %s\n.br\n", c.path, roff(c.ArgsUsage))
	}
	fmt.Fprintln(w, ".SH DESCRIPTION")
	roffBlock(w, app.Description)
	fmt.Fprintln(w, ".SH OPTIONS")
	fmt.Fprintln(w, "Before the command, for every command:")
	writeManFlags(w, app.Flags)
	fmt.Fprintln(w, ".SH COMMANDS")
	for _, c := range all {
		fmt.Fprintf(w, ".SS \"opkuma %s\"\n%s.\n", c.path, roff(c.Usage))
		if c.Description != "" {
			fmt.Fprintln(w, ".PP")
			roffBlock(w, c.Description)
		}
		writeManFlags(w, c.Flags)
	}
	fmt.Fprint(w, manTail)
}

// writeManFlags writes one .TP paragraph per flag.
func writeManFlags(w io.Writer, flags []cli.Flag) {
	for _, f := range flags {
		names := dashAll(f.Names())
		usage, value, def := "", "", ""
		if d, ok := f.(cli.DocGenerationFlag); ok {
			var placeholder string
			placeholder, usage = unquoteUsage(d.GetUsage())
			if d.TakesValue() {
				if placeholder == "" {
					placeholder = "value"
				}
				value = " \\fI" + roff(placeholder) + "\\fR"
			}
			def = d.GetDefaultText()
			if def == "" && d.TakesValue() {
				def = d.GetValue()
			}
			if len(d.GetEnvVars()) > 0 {
				usage += " [$" + strings.Join(d.GetEnvVars(), ", $") + "]"
			}
		}
		fmt.Fprintf(w, ".TP\n\\fB%s\\fR%s\n%s", roff(strings.Join(names, ", ")), value, roff(usage))
		if def != "" && def != "false" && def != "0s" && def != `""` {
			fmt.Fprintf(w, " (default: %s)", roff(def))
		}
		fmt.Fprintln(w)
	}
}

const manTail = `.SH EXIT STATUS
.TP
.B the job's
opkuma run exits with the job's exit code, whatever happened to the push (see \-\-strict).
.TP
.B 128+N
the job was killed by signal N (143: SIGTERM, 137: SIGKILL).
.TP
.B 127
the command was not found.
.TP
.B 126
the command is not executable.
.TP
.B 124
the job ran past \-\-timeout and was stopped.
.TP
.B 75
\-\-lock: another run holds the lock; nothing ran, nothing was pushed.
.TP
.B 69
push, or run \-\-strict: the push server could not be reached.
.TP
.B 2
usage error: bad flag, malformed URL, unreadable \-\-url\-file, no command, a schedule interval cannot use. Nothing was run.
.TP
.B 1
push, or run \-\-strict: Uptime Kuma rejected the push; crontab wrap: the line is not a job, or is already wrapped.
.SH ENVIRONMENT
.TP
.B OPKUMA_URL
the push URL when neither \-\-url nor \-\-url\-file is given.
.TP
.B OPKUMA_DOWN_ON_FAILURE
1, true, yes or on (any case) turns on \-\-down\-on\-failure; 0, false, no or off leaves it off. Any other value is a one\-line warning, and the job runs without it.
.TP
.B HTTPS_PROXY, HTTP_PROXY, NO_PROXY
proxies for the push.
.TP
.B TZ
the zone of schedules for interval and crontab when \-\-tz is not given.
.SH NOTES
The push token is a secret: opkuma prints every push URL as .../api/push/****.
Every request to a push URL records a heartbeat: there is no way to test one without pushing.
Uptime Kuma's largest Heartbeat Interval is 2073600 s (24 days).
.SH SEE ALSO
.BR crontab (5),
.BR cron (8),
.BR flock (2),
.BR timeout (1),
.BR chronic (1)
`
