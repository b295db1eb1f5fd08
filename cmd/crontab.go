package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/opkuma/opkuma/internal/clidoc"
	"github.com/opkuma/opkuma/internal/cliflag"
	"github.com/opkuma/opkuma/internal/crontab"
	"github.com/opkuma/opkuma/internal/provision"
	"github.com/opkuma/opkuma/internal/runner"
	"github.com/opkuma/opkuma/internal/shellword"
	"github.com/opkuma/opkuma/pusher"
)

type crontabOptions struct {
	interval    intervalOptions
	system      bool
	json        bool
	noExecCheck bool
	// wrap
	line            int
	url             string
	urlFile         string
	urlFileInsecure bool
	prov            provisionOptions
}

func crontabCommand(env Env) *cli.Command {
	o := &crontabOptions{}
	common := func() []cli.Flag {
		return append(intervalFlags(&o.interval),
			&cliflag.BoolFlag{Name: "system", Usage: "system crontab format, with a user field (/etc/crontab, /etc/cron.d); without FILE, read those", Destination: &o.system},
			&cliflag.BoolFlag{Name: "no-exec-check", Usage: "do not look at this machine: whether commands and URL files exist, run, and who can read them (for a crontab meant for another machine)", Destination: &o.noExecCheck})
	}
	return &cli.Command{
		Name:        "crontab",
		Usage:       "audit a crontab: what would stop each opkuma job, and the interval its monitor needs",
		ArgsUsage:   "[FILE|-]",
		Description: clidoc.Help("crontab"),
		Flags: append(common(),
			&cliflag.BoolFlag{Name: "json", Usage: "print JSON for machines: every job, its problems and interval (tokens hidden)", Destination: &o.json}),
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			return o.audit(env, c.Args().Slice(), c.IsSet("margin"))
		},
		Subcommands: []*cli.Command{crontabWrapCommand(env, o, common)},
	}
}

// crontabWrapCommand is "opkuma crontab wrap", with the flags common to
// crontab's commands.
func crontabWrapCommand(env Env, o *crontabOptions, common func() []cli.Flag) *cli.Command {
	return &cli.Command{
		Name:        "wrap",
		Usage:       "print the crontab with one job's command wrapped by opkuma run; or, with --provision, set up every job's monitor",
		ArgsUsage:   "[FILE|-] --line N (--url-file PATH | --url URL)  |  [FILE|-] --provision --kuma URL --user USER [--write]",
		Description: clidoc.Help("crontab-wrap"),
		Flags: append(append(common(),
			&cli.IntFlag{Name: "line", Usage: "the job's line `N`umber (see opkuma crontab)", Destination: &o.line},
			&cli.StringFlag{Name: "url-file", Usage: "the wrapped job reads its push URL from `FILE`", Destination: &o.urlFile},
			&cli.StringFlag{Name: "url", Usage: "the wrapped job pushes to `URL` (visible in the crontab and in ps: prefer --url-file)", Destination: &o.url},
			&cliflag.BoolFlag{Name: "url-file-insecure", Usage: "pass --url-file-insecure on to the wrapped job", Destination: &o.urlFileInsecure},
		), provisionFlags(&o.prov)...),
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			if o.prov.enabled {
				return o.wrapProvision(env, c.Args().Slice(), c.IsSet("margin"))
			}
			for _, f := range provisionFlags(&provisionOptions{}) {
				if name := f.Names()[0]; name != "provision" && c.IsSet(name) {
					return usageErrorf("--%s works with --provision only", name)
				}
			}
			return o.wrap(env, c.Args().Slice(), c.IsSet("margin"))
		},
	}
}

// readCrontabs returns the crontabs named by args (crontab.Read): a file,
// - for stdin, or by default the user's (crontab -l) or, with system,
// /etc/crontab and /etc/cron.d/*.
func readCrontabs(env Env, args []string, system bool) ([]crontab.Source, error) {
	if len(args) > 1 {
		return nil, usageErrorf("one FILE at most, got %d", len(args))
	}
	arg := ""
	if len(args) == 1 {
		arg = args[0]
	}
	sources, err := crontab.Read(arg, env.Stdin, system)
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == arg {
		return nil, usageErrorf("%v", err)
	}
	return sources, err
}

// readOne returns the one crontab args name (see read), which has line
// --line when it is given.
func (o *crontabOptions) readOne(env Env, args []string) (crontab.Source, error) {
	sources, err := readCrontabs(env, args, o.system)
	if err != nil {
		return crontab.Source{}, err
	}
	src := sources[0]
	if o.line > len(src.Lines) {
		return crontab.Source{}, usageErrorf("--line %d: %s has %d lines", o.line, src.Name, len(src.Lines))
	}
	return src, nil
}

// wrapper tells the auditor how opkuma is called: run's options, from
// their definitions, and which of them carry the push URL.
func wrapper(env Env) crontab.Wrapper {
	flags := runCommand(env).Flags
	return crontab.Wrapper{
		Name: "opkuma",
		Run:  "run",
		TakesValue: func(option string) bool {
			f := cliflag.FindFlag(flags, strings.TrimLeft(option, "-"))
			return f != nil && cliflag.TakesValue(f)
		},
		URLOptions:         []string{"--url", "-url"},
		URLFileOptions:     []string{"--url-file", "-url-file"},
		URLFileOpenOptions: []string{"--url-file-insecure", "-url-file-insecure"},
		URLVariables:       []string{"OPKUMA_URL"},
		PipefailOptions:    []string{"--pipefail", "-pipefail"},
		CAFileOptions:      []string{"--ca-file", "-ca-file"},
		Check:              lineChecker(),
	}
}

// lineChecker returns the audit's Wrapper.Check: it reads the arguments
// of a crontab line's opkuma call with the very definitions of opkuma's
// commands, as the line would run, and returns the usage error that would
// stop opkuma run, or nil. Only run is checked; no other command runs (a
// push would be a heartbeat). Whether a shell has pipefail is asked once
// per shell.
func lineChecker() func(args []string) error {
	has := runner.HasPipefailOnce()
	return func(args []string) error {
		env := Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }, check: true, hasPipefail: has}
		app := newApp(env)
		argv := append([]string{"opkuma"}, args...)
		if c, _ := cliflag.CommandOf(app, argv); c == nil || c.Name != "run" {
			return nil
		}
		err := runApp(app, argv)
		var usage *usageError
		var pu *pusher.UsageError
		if errors.As(err, &usage) || errors.As(err, &pu) {
			return err
		}
		return nil
	}
}

// audit checks every job of the crontabs that calls opkuma and prints, per
// line, the interval its monitor needs and each problem with its fix; jobs
// without opkuma get one summary line. Exit 1 when a problem was found.
func (o *crontabOptions) audit(env Env, args []string, marginSet bool) error {
	sources, err := readCrontabs(env, args, o.system)
	if err != nil {
		return err
	}
	loc, ad, err := o.interval.advisor(marginSet)
	if err != nil {
		return err
	}
	res := crontab.AuditAll(o.auditor(env), ad, sources, loc, o.json)
	return writeReport(env, res, o.json, res.Problems)
}

// auditReport is an audit's result: lines for people, JSON for tools.
type auditReport interface {
	WriteText(io.Writer) error
	WriteJSON(io.Writer) error
}

// writeReport prints r, as JSON with asJSON; exit 1 when it holds
// problems.
func writeReport(env Env, r auditReport, asJSON bool, problems int) error {
	write := r.WriteText
	if asJSON {
		write = r.WriteJSON
	}
	if err := write(env.Stdout); err != nil {
		return err
	}
	if problems > 0 {
		return &exitError{code: exitFailure}
	}
	return nil
}

// auditor is the crontab auditor the options and this machine make.
func (o *crontabOptions) auditor(env Env) *crontab.Auditor {
	return &crontab.Auditor{Wrapper: wrapper(env), Local: !o.noExecCheck, Home: crontab.Homes(env.Getenv), IsUser: crontab.IsUser}
}

func (o *crontabOptions) wrap(env Env, args []string, marginSet bool) error {
	switch {
	case o.line <= 0:
		return usageErrorf("--line N: give the job's line number (opkuma crontab lists them)")
	case (o.url == "") == (o.urlFile == ""):
		return usageErrorf("give one of --url-file PATH or --url URL")
	case o.system && len(args) == 0:
		return usageErrorf("give the FILE to wrap a line of (or - for standard input)")
	}
	options, err := o.wrapOptions()
	if err != nil {
		return err
	}
	src, err := o.readOne(env, args)
	if err != nil {
		return err
	}
	l := src.Lines[o.line-1]
	if u := l.UserField(crontab.IsUser); u != "" {
		return usageErrorf("line %d looks like a system crontab's line (%s is a user): give --system to wrap the command after the user field", o.line, u)
	}
	wrapped, err := l.Wrap(caller(src.Lines[:o.line]) + " run" + options + " --")
	if err != nil {
		return &exitError{code: exitFailure, msg: err.Error()}
	}
	data := provision.ReplaceLines(src.Data, map[int]string{o.line: wrapped})
	if _, err := env.Stdout.Write(data); err != nil {
		return err
	}
	return o.wrapNotes(env, src, data, marginSet)
}

// wrapOptions are the options of opkuma run that wrap writes before --.
func (o *crontabOptions) wrapOptions() (string, error) {
	if o.urlFile != "" {
		options := " --url-file " + crontab.QuoteWord(o.urlFile)
		if o.urlFileInsecure {
			options += " --url-file-insecure"
		}
		return options, nil
	}
	if _, err := pusher.ParseEndpoint(o.url); err != nil {
		return "", fmt.Errorf("--url: %w", err)
	}
	// Always in single quotes: a URL as Uptime Kuma shows it holds & and
	// ?, which sh would cut or expand.
	return " --url " + shellword.Single(o.url), nil
}

// wrapNotes says on stderr the interval the wrapped line's monitor needs,
// and what the audit finds in the new line.
func (o *crontabOptions) wrapNotes(env Env, src crontab.Source, data []byte, marginSet bool) error {
	loc, ad, err := o.interval.advisor(marginSet)
	if err != nil {
		return err
	}
	a, err := ad.Advise(src.Lines[o.line-1].Schedule, crontab.Zones(src.Lines[:o.line], loc)[o.line-1])
	if err != nil {
		fmt.Fprintf(env.Stderr, "opkuma: line %d: no interval: %s\n", o.line, err)
	} else {
		fmt.Fprintf(env.Stderr, "opkuma: line %d: set the monitor's Heartbeat Interval to %d s (largest gap %d s + margin)\n", o.line, a.Value(), a.GapSeconds())
		if w := a.Warning(); w != "" {
			fmt.Fprintf(env.Stderr, "opkuma: %s\n", w)
		}
	}
	lines, err := crontab.Parse(bytes.NewReader(data), o.system)
	if err != nil {
		return err
	}
	for _, r := range o.auditor(env).Audit(lines[:min(o.line, len(lines))]) { // a line's audit reads the lines above it only
		if r.Line.Number != o.line {
			continue
		}
		r.WriteFindings(env.Stderr, fmt.Sprintf("line %d", o.line))
	}
	return nil
}

// caller is how a wrapped line after lines calls opkuma: by name when the
// crontab's PATH finds this opkuma, else by this executable's absolute path.
func caller(lines []crontab.Line) string {
	exe, err := os.Executable()
	if err != nil {
		return "opkuma"
	}
	return crontab.Caller(lines, exe, "opkuma")
}
