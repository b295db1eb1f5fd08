package cmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/opkuma/opkuma/internal/cliflag"
	"github.com/opkuma/opkuma/internal/crontab"
	"github.com/opkuma/opkuma/internal/provision"
	"github.com/opkuma/opkuma/internal/runner"
	"github.com/opkuma/opkuma/internal/schedule"
	"github.com/opkuma/opkuma/internal/shellword"
	"github.com/opkuma/opkuma/pusher"

	"github.com/opkuma/opkuma/internal/filetype"
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
		Name:      "crontab",
		Usage:     "audit a crontab: what would stop each opkuma job, and the interval its monitor needs",
		ArgsUsage: "[FILE|-]",
		Description: `Reads a crontab (FILE, - for standard input, or the output of crontab -l) as
cron does (comments, NAME=value lines, @daily..., % and \%, CRON_TZ=) and, for
every line that calls opkuma, prints the Heartbeat Interval its monitor needs
(see opkuma interval) and each problem, with its line number and a fix:
  - an unquoted & ; | or # in the push URL: cron's sh cuts the line there;
  - a bare %, which cron turns into a newline (write \%);
  - opkuma not called by its absolute path and not on the crontab's PATH=
    (cron's default PATH is /usr/bin:/bin);
  - the job's command not found or not executable on this machine;
  - no -- between opkuma run's options and the job;
  - a --url-file that does not exist, or that group or others can read.
Jobs without opkuma get one summary line. Exit status: 0 no problem, 1 problems
found, 2 usage error.

Examples:
   opkuma crontab                          # your crontab, from crontab -l
   opkuma crontab --system                 # /etc/crontab and /etc/cron.d/*
   opkuma crontab --json mycrontab         # for tools: tokens hidden
   opkuma crontab --no-exec-check - < crontab-for-another-host`,
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
		Name:      "wrap",
		Usage:     "print the crontab with one job's command wrapped by opkuma run; or, with --provision, set up every job's monitor",
		ArgsUsage: "[FILE|-] --line N (--url-file PATH | --url URL)  |  [FILE|-] --provision --kuma URL --user USER [--write]",
		Description: `Prints the crontab to standard output with line N's command run under
opkuma run --url-file PATH -- (or --url 'URL'), every other byte unchanged, and
the recommended Heartbeat Interval on standard error, with anything the audit
(opkuma crontab) finds in the new line. It edits no file: pipe it to
crontab - once you have read it. The job runs its original text byte for byte:
plain words stay as they are; a command that needs a shell becomes one
single-quoted argument, which opkuma runs with /bin/sh -c as cron did. opkuma
is called by its absolute path unless the crontab's PATH finds it.

With --provision it does the rest too, for every job not under opkuma run yet
(or line --line only): it logs in to Uptime Kuma (with the flags of opkuma
monitor ensure), and for each job creates or updates a Push monitor named
after the comment line just above the job, else after its command
(--name-from command: always; -2, -3... keep names apart), with the interval
its schedule needs (CRON_TZ= counted), writes its push URL to DIR/NAME.url
(--url-dir, mode 0600) and wraps the line with --url-file DIR/NAME.url. Without --write it
only prints that plan and the new lines: nothing changes on the server, on
disk or in the crontab. With --write it makes the changes and writes the
crontab back: FILE, keeping the old one as FILE~, or your crontab through
crontab -, keeping the old one in --url-dir. A second run finds nothing to do.

Examples:
   crontab -l | opkuma crontab wrap - --line 5 --url-file ~/.config/opkuma/backup.url | crontab -
   opkuma crontab wrap --provision --kuma https://kuma.example.com --user admin --password-file ~/.config/opkuma/kuma.pass
   opkuma crontab wrap --provision --kuma https://kuma.example.com --user admin --password-file ~/.config/opkuma/kuma.pass --write`,
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

// checkAdvice fails when --runtime, --margin or --from are wrong, before
// any schedule is read.
func (o *crontabOptions) checkAdvice(loc *time.Location, marginSet bool) error {
	_, err := o.interval.advise("0 0 * * *", loc, marginSet)
	var ue *usageError
	if errors.As(err, &ue) {
		return err
	}
	return nil
}

// advisor computes the interval of each distinct schedule once: a schedule
// takes milliseconds (28 years of days), a crontab repeats few of them.
type advisor struct {
	o         *intervalOptions
	marginSet bool
	cache     map[string]adviceResult
}

type adviceResult struct {
	a   advice
	err error
}

func (ad *advisor) advise(spec string, loc *time.Location) (advice, error) {
	key := strings.Join(strings.Fields(strings.ToLower(spec)), " ") + "\x00" + loc.String()
	if r, ok := ad.cache[key]; ok {
		return r.a, r.err
	}
	a, err := ad.o.advise(spec, loc, ad.marginSet)
	if ad.cache == nil {
		ad.cache = map[string]adviceResult{}
	}
	ad.cache[key] = adviceResult{a, err}
	return a, err
}

// jobRow is one job (or invalid line) of a crontab audit, for --json.
type jobRow struct {
	File      string       `json:"file"`
	Line      int          `json:"line"`
	Schedule  string       `json:"schedule"`
	User      string       `json:"user,omitempty"`
	Command   string       `json:"command"`
	Monitored bool         `json:"monitored"`
	TimeZone  string       `json:"time_zone"`
	Interval  int64        `json:"interval_seconds,omitempty"`
	Gap       int64        `json:"largest_gap_seconds,omitempty"`
	Note      string       `json:"note,omitempty"`
	Problems  []problemRow `json:"problems"`

	calls bool // the line calls opkuma (any command)
}

// where is the row's FILE:LINE.
func (r jobRow) where() string { return fmt.Sprintf("%s:%d", r.File, r.Line) }

// problemRow is one problem of a job, with what to do about it.
type problemRow struct {
	Problem string `json:"problem"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
	Fix     string `json:"fix"`
}

// auditResult is the whole audit, as --json prints it.
type auditResult struct {
	Jobs      []jobRow `json:"jobs"`
	Total     int      `json:"jobs_total"`
	Monitored int      `json:"jobs_monitored"`
	Problems  int      `json:"problems"`
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
	known := map[string]bool{}
	has := func(shell string) bool {
		v, ok := known[shell]
		if !ok {
			v = runner.HasPipefail(shell)
			known[shell] = v
		}
		return v
	}
	return func(args []string) error {
		env := Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }, check: true, hasPipefail: has}
		app := newApp(env)
		argv := append([]string{"opkuma"}, args...)
		if c, _ := cliflag.CommandOf(app, argv); c == nil || c.Name != "run" {
			return nil
		}
		err := app.Run(cliflag.FlagsFirst(app, argv))
		var usage *usageError
		var pu *pusher.UsageError
		if errors.As(err, &usage) || errors.As(err, &pu) {
			return err
		}
		return nil
	}
}

// isUser reports whether name is a user of this machine and no command
// in cron's default PATH (a user crontab's line may run mail or backup).
func isUser(name string) bool {
	if _, err := user.Lookup(name); err != nil {
		return false
	}
	for _, dir := range filepath.SplitList(crontab.DefaultPath) {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return false
		}
	}
	return true
}

// homeDir returns the home directory of user, where cron starts its jobs;
// "" is the user running opkuma.
func homeDir(env Env) func(string) (string, error) {
	return func(name string) (string, error) {
		if h := env.Getenv("HOME"); name == "" && h != "" {
			return h, nil
		}
		return crontab.HomeDir(name)
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
	loc, err := o.interval.location()
	if err != nil {
		return err
	}
	if err := o.checkAdvice(loc, marginSet); err != nil {
		return err
	}
	ad := &advisor{o: &o.interval, marginSet: marginSet}
	au := &crontab.Auditor{Wrapper: wrapper(env), Local: !o.noExecCheck, Home: homeDir(env), IsUser: isUser}
	var res auditResult
	var others []string
	for _, src := range sources {
		locs := crontab.Zones(src.Lines, loc)
		for _, r := range au.Audit(src.Lines) {
			row := ad.row(src.Name, r, locs[r.Line.Number-1], o.json)
			if r.Line.Kind == crontab.Job {
				res.Total++
			}
			if row.Monitored {
				res.Monitored++
			}
			if !r.Calls && r.Line.Kind == crontab.Job {
				ref := fmt.Sprint(r.Line.Number)
				if len(sources) > 1 {
					ref = row.where()
				}
				others = append(others, ref)
			}
			res.Problems += len(row.Problems)
			res.Jobs = append(res.Jobs, row)
		}
	}
	if err := o.printAudit(env.Stdout, res, others); err != nil {
		return err
	}
	if res.Problems > 0 {
		return &exitError{code: exitFailure}
	}
	return nil
}

// row is the audit of one line: its problems, with what to do, and the
// interval its monitor needs (for a line that calls opkuma, or every job
// when all is set).
func (ad *advisor) row(file string, r crontab.Report, loc *time.Location, all bool) jobRow {
	l := r.Line
	row := jobRow{File: file, Line: l.Number, Schedule: l.Schedule, User: l.User, Command: pusher.Redact(l.Command()),
		Monitored: r.Calls && r.Sub == "run", TimeZone: loc.String(), Problems: []problemRow{}, calls: r.Calls}
	if l.Kind == crontab.Invalid {
		row.Command = pusher.Redact(strings.TrimSpace(l.Raw))
	}
	for _, f := range r.Findings {
		msg, fix := describe(f, l)
		row.Problems = append(row.Problems, problemRow{Problem: string(f.Problem), Column: f.Column, Message: pusher.Redact(msg), Fix: pusher.Redact(fix)})
	}
	if l.Kind != crontab.Job || !r.Calls && !all {
		return row
	}
	a, err := ad.advise(l.Schedule, loc)
	switch {
	case errors.Is(err, schedule.ErrReboot):
		row.Note = err.Error()
	case err != nil:
		row.Problems = append(row.Problems, problemRow{Problem: "bad-schedule", Message: err.Error(), Fix: "cron rejects this schedule: correct its fields (see crontab(5))"})
	default:
		row.Interval, row.Gap, row.Note = a.Value(), seconds(a.Gap.Length), a.warning()
	}
	return row
}

// printAudit prints the audit: JSON with --json, else a line per interval,
// note and problem, and the summary.
func (o *crontabOptions) printAudit(w io.Writer, res auditResult, others []string) error {
	if o.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if res.Jobs == nil {
			res.Jobs = []jobRow{}
		}
		return enc.Encode(res)
	}
	out := func(format string, args ...any) {
		fmt.Fprintln(w, pusher.Redact(fmt.Sprintf(format, args...)))
	}
	for _, row := range res.Jobs {
		if row.calls && row.Interval > 0 {
			out("%s: interval: set the monitor's Heartbeat Interval to %d s (largest gap %d s + margin)", row.where(), row.Interval, row.Gap)
		}
		if row.calls && row.Note != "" {
			out("%s: note: %s", row.where(), row.Note)
		}
		for _, p := range row.Problems {
			out("%s: problem: %s; fix: %s", row.where(), p.Message, p.Fix)
		}
	}
	out("%s", summary(res, others))
	return nil
}

// summary is the audit's last line: how many jobs, problems, and where the
// jobs without opkuma are.
func summary(res auditResult, others []string) string {
	s := fmt.Sprintf("%s, %d under opkuma run, %s", plural(res.Total, "job", "jobs"), res.Monitored, plural(res.Problems, "problem", "problems"))
	if len(others) > 0 {
		const most = 20
		list := strings.Join(others[:min(len(others), most)], ", ")
		if len(others) > most {
			list += fmt.Sprintf(", ... (%d more)", len(others)-most)
		}
		lines := "lines"
		if len(others) == 1 {
			lines = "line"
		}
		s += fmt.Sprintf("; %d without opkuma at %s %s (opkuma crontab wrap --line N adds it)", len(others), lines, list)
	}
	return s
}

// describe says what a finding means for the job and what to do, in the
// words of opkuma's command line.
func describe(f crontab.Finding, l crontab.Line) (msg, fix string) {
	switch f.Problem {
	case crontab.InvalidLine:
		return strings.TrimPrefix(f.Text, fmt.Sprintf("line %d: ", l.Number)), "cron rejects this line: correct it, or comment it out with #"
	case crontab.UnquotedURL:
		quoted := "'" + strings.ReplaceAll(f.Text, "'", `'\''`) + "'"
		switch f.Char {
		case "#":
			return "unquoted # in the push URL: what follows it is a URL fragment, never sent to Uptime Kuma",
				"write # as %23 (\\%23 in a crontab) and put the URL in single quotes: " + quoted
		case "|":
			return "unquoted | in the push URL: cron's sh pipes opkuma into the rest of the URL, so opkuma gets no command and the job never runs",
				"put the URL in single quotes: " + quoted
		}
		return fmt.Sprintf("unquoted %s in the push URL: cron's sh ends the command there, so opkuma gets no command and the job never runs", f.Char),
			"put the URL in single quotes: " + quoted
	case crontab.UserFieldInUserCrontab:
		return fmt.Sprintf("this looks like a system crontab's line (/etc/crontab, /etc/cron.d): %s is a user, and read as a user crontab the job would run a command called %s", f.Text, f.Text),
			"audit a system crontab with --system (opkuma crontab --system FILE)"
	case crontab.NoUserField:
		return fmt.Sprintf("no user field: in a system crontab the field after the schedule is the user, so cron looks for a user named %s and never runs the job", f.Text),
			"put the user the job runs as after the schedule: " + l.Schedule + " root " + l.Raw[f.Column-1:]
	case crontab.BarePercent:
		return fmt.Sprintf("bare %% at column %d: cron ends the command there and sends the rest to the job's standard input (a date +%%F is cut short)", f.Column),
			`write \% for a literal % (keep a bare % only to feed standard input)`
	case crontab.WrapperNotOnPath:
		return fmt.Sprintf("%s is not on the job's PATH (%s): cron finds no opkuma and the job never runs", f.Text, f.Path),
			"call opkuma by its absolute path (e.g. /usr/local/bin/opkuma), or set PATH= above this line to a list that holds it"
	case crontab.WrapperRelative:
		return fmt.Sprintf("opkuma is called by a relative path (%s), which cron reads from the user's home directory", f.Text),
			"call opkuma by its absolute path, e.g. /usr/local/bin/opkuma"
	case crontab.WrapperNotFound:
		return fmt.Sprintf("%s: not found on this machine: the job never runs", f.Text),
			"install opkuma there, or correct the path"
	case crontab.WrapperNotExecutable:
		return fmt.Sprintf("%s is not executable: the job never runs", f.Text), "chmod 755 " + shellword.Quote(f.Text)
	case crontab.NoEndOfOptions:
		return fmt.Sprintf("no -- before the job (%s): opkuma may take the job's options for its own", f.Text),
			"put -- between opkuma run's options and the job"
	case crontab.NoJob:
		return "no job after opkuma run's options: nothing runs", "put the job's command after --"
	case crontab.JobNotFound:
		if strings.Contains(f.Text, "/") {
			return fmt.Sprintf("the job's command %s is not found on this machine (exit 127)", f.Text), "correct the path, or install the command"
		}
		return fmt.Sprintf("the job's command %s is not found on the job's PATH (%s) on this machine (exit 127)", f.Text, f.Path),
			"call it by its absolute path, or set PATH= above this line to a list that holds it"
	case crontab.JobNotExecutable:
		return fmt.Sprintf("the job's command %s is not executable (exit 126)", f.Text), "chmod +x " + shellword.Quote(f.Text)
	case crontab.URLFileMissing:
		return fmt.Sprintf("the URL file %s does not exist on this machine: the job runs, nothing is pushed, so the monitor goes down", f.Text),
			fmt.Sprintf("install -m 600 /dev/null %s as the job's user, then write the push URL in it", shellword.Quote(f.Text))
	case crontab.URLFileReadable:
		return fmt.Sprintf("the URL file %s can be read by group or others (mode %04o): opkuma does not push from it (whoever reads it could push to the monitor): the job runs, nothing is pushed", f.Text, f.Mode),
			"chmod 600 " + shellword.Quote(f.Text)
	case crontab.URLFileNotRegular:
		return fmt.Sprintf("the URL file %s is not a regular file (%s): opkuma does not read it: the job runs, nothing is pushed", f.Text, filetype.Name(f.Mode)),
			"put the push URL in a regular file of mode 600 and give its path to --url-file"
	case crontab.URLFileEmpty:
		return fmt.Sprintf("the URL file %s is empty: the job runs, nothing is pushed", f.Text),
			"write the monitor's push URL in it"
	case crontab.CAFileMissing:
		return fmt.Sprintf("the CA file %s does not exist on this machine: the job runs, nothing is pushed", f.Text),
			"install the CA certificate (PEM) there, or correct the path"
	case crontab.NoPushURL:
		return "no push URL: neither --url, --url-file nor OPKUMA_URL (on the line or above it): the job runs, nothing is pushed",
			"add --url-file FILE (a file of mode 600 holding the push URL) to opkuma run's options"
	case crontab.UsageError:
		return fmt.Sprintf("opkuma stops at its own command line (exit 2) and the job never runs: %s", f.Text),
			"correct opkuma's options (try the line by hand with --dry-run)"
	case crontab.PipelineHidesFailure:
		return "the job is a pipeline: its exit status is its last command's, so a failure before it (a failed dump piped to gzip) counts as success and pushes an UP beat",
			"add --shell /bin/bash --pipefail to opkuma run's options, so that a failure anywhere in the pipeline fails the run"
	}
	return string(f.Problem), "see opkuma crontab --help"
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
	if u := l.UserField(isUser); u != "" {
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
	loc, err := o.interval.location()
	if err != nil {
		return err
	}
	l := src.Lines[o.line-1]
	a, err := o.interval.advise(l.Schedule, crontab.Zones(src.Lines[:o.line], loc)[o.line-1], marginSet)
	var ue *usageError
	switch {
	case errors.As(err, &ue):
		return err
	case err != nil:
		fmt.Fprintf(env.Stderr, "opkuma: line %d: no interval: %s\n", o.line, err)
	default:
		fmt.Fprintf(env.Stderr, "opkuma: line %d: set the monitor's Heartbeat Interval to %d s (largest gap %d s + margin)\n", o.line, a.Value(), seconds(a.Gap.Length))
		if w := a.warning(); w != "" {
			fmt.Fprintf(env.Stderr, "opkuma: %s\n", w)
		}
	}
	lines, err := crontab.Parse(bytes.NewReader(data), o.system)
	if err != nil {
		return err
	}
	au := &crontab.Auditor{Wrapper: wrapper(env), Local: !o.noExecCheck, Home: homeDir(env), IsUser: isUser}
	for _, r := range au.Audit(lines[:min(o.line, len(lines))]) { // a line's audit reads the lines above it only
		if r.Line.Number != o.line {
			continue
		}
		for _, f := range r.Findings {
			msg, fix := describe(f, r.Line)
			fmt.Fprintln(env.Stderr, pusher.Redact(fmt.Sprintf("opkuma: line %d: %s; fix: %s", o.line, msg, fix)))
		}
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
