package cmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/urfave/cli/v2"

	"github.com/opkuma/opkuma/internal/crontab"
	"github.com/opkuma/opkuma/pusher"
	"github.com/opkuma/opkuma/internal/runner"
)

type crontabOptions struct {
	interval intervalOptions
	system   bool
	json     bool
	// wrap
	line            int
	url             string
	urlFile         string
	urlFileInsecure bool
}

func crontabCommand(env Env) *cli.Command {
	o := &crontabOptions{}
	common := func() []cli.Flag {
		return append(intervalFlags(&o.interval),
			&cli.BoolFlag{Name: "system", Usage: "system crontab format, with a user field (/etc/crontab, /etc/cron.d); without FILE, read those", Destination: &o.system})
	}
	return &cli.Command{
		Name:      "crontab",
		Usage:     "list a crontab's jobs: monitored or not, and the interval each needs",
		ArgsUsage: "[FILE|-]",
		Description: `Reads a crontab (FILE, - for standard input, or the output of crontab -l) and
prints one row per job: its line number, schedule, command, whether it already
runs under opkuma run, and the Heartbeat Interval its monitor needs (see
opkuma interval). CRON_TZ= lines set the zone of the jobs below them.

Examples:
   opkuma crontab                          # your crontab, from crontab -l
   opkuma crontab --system                 # /etc/crontab and /etc/cron.d/*
   opkuma crontab --json mycrontab`,
		Flags: append(common(),
			&cli.BoolFlag{Name: "json", Usage: "print JSON for machines", Destination: &o.json}),
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			return o.list(env, c.Args().Slice(), c.IsSet("margin"))
		},
		Subcommands: []*cli.Command{{
			Name:      "wrap",
			Usage:     "print the crontab with one job's command wrapped by opkuma run",
			ArgsUsage: "[FILE|-] --line N (--url-file PATH | --url URL)",
			Description: `Prints the crontab to standard output with line N's command run under
opkuma run --url-file PATH -- (or --url URL), every other byte unchanged, and the
recommended Heartbeat Interval on standard error. It never edits a file: pipe it
to crontab - once you have read it. A command that needs a shell is kept as one
quoted argument, which opkuma runs with /bin/sh -c as cron did.

Examples:
   crontab -l | opkuma crontab wrap - --line 5 --url-file ~/.config/opkuma/backup.url | crontab -`,
			Flags: append(common(),
				&cli.IntFlag{Name: "line", Usage: "the job's line `N`umber (see opkuma crontab)", Destination: &o.line},
				&cli.StringFlag{Name: "url-file", Usage: "the wrapped job reads its push URL from `FILE`", Destination: &o.urlFile},
				&cli.StringFlag{Name: "url", Usage: "the wrapped job pushes to `URL` (visible in the crontab and in ps: prefer --url-file)", Destination: &o.url},
				&cli.BoolFlag{Name: "url-file-insecure", Usage: "pass --url-file-insecure on to the wrapped job", Destination: &o.urlFileInsecure},
			),
			OnUsageError: onUsageError,
			Action: func(c *cli.Context) error {
				return o.wrap(env, c.Args().Slice(), c.IsSet("margin"))
			},
		}},
	}
}

// source is one crontab read.
type source struct {
	name  string
	data  []byte
	lines []crontab.Line
}

// read returns the crontabs named by args: a file, - for stdin, or by
// default the user's (crontab -l) or, with --system, /etc/crontab and
// /etc/cron.d/*.
func (o *crontabOptions) read(env Env, args []string) ([]source, error) {
	if len(args) > 1 {
		return nil, usageErrorf("one FILE at most, got %d", len(args))
	}
	var sources []source
	add := func(name string, data []byte) error {
		lines, err := crontab.Parse(bytes.NewReader(data), o.system)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		sources = append(sources, source{name: name, data: data, lines: lines})
		return nil
	}
	switch {
	case len(args) == 1 && args[0] == "-":
		data, err := io.ReadAll(env.Stdin)
		if err != nil {
			return nil, fmt.Errorf("reading standard input: %w", err)
		}
		return sources, add("-", data)
	case len(args) == 1:
		data, err := os.ReadFile(args[0])
		if err != nil {
			return nil, usageErrorf("%v", err)
		}
		return sources, add(args[0], data)
	case o.system:
		files, _ := filepath.Glob("/etc/cron.d/*")
		sort.Strings(files)
		for _, f := range append([]string{"/etc/crontab"}, files...) {
			data, err := os.ReadFile(f)
			if err != nil {
				if errors.Is(err, os.ErrNotExist) {
					continue
				}
				return nil, err
			}
			if err := add(f, data); err != nil {
				return nil, err
			}
		}
	default:
		out, err := exec.Command("crontab", "-l").Output()
		if err != nil {
			why := err.Error()
			var ee *exec.ExitError
			if errors.As(err, &ee) && len(bytes.TrimSpace(ee.Stderr)) > 0 {
				why = string(bytes.TrimSpace(ee.Stderr))
			}
			return nil, fmt.Errorf("crontab -l: %s: give a FILE, or - for standard input", why)
		}
		return sources, add("crontab -l", out)
	}
	return sources, nil
}

// jobRow is one job of a crontab listing.
type jobRow struct {
	File      string `json:"file"`
	Line      int    `json:"line"`
	Schedule  string `json:"schedule"`
	User      string `json:"user,omitempty"`
	Command   string `json:"command"`
	Monitored bool   `json:"monitored"`
	TimeZone  string `json:"time_zone"`
	Interval  int64  `json:"interval_seconds,omitempty"`
	Gap       int64  `json:"largest_gap_seconds,omitempty"`
	Note      string `json:"note,omitempty"`
}

// rows analyses every job of src; CRON_TZ lines change the zone of the jobs
// after them.
func (o *crontabOptions) rows(src source, marginSet bool) ([]jobRow, error) {
	loc, err := o.interval.location()
	if err != nil {
		return nil, err
	}
	var rows []jobRow
	for _, l := range src.lines {
		switch l.Kind {
		case crontab.Env:
			if l.Name == "CRON_TZ" {
				if z, err := time.LoadLocation(l.Value); err == nil {
					loc = z
				}
			}
			continue
		case crontab.Invalid:
			rows = append(rows, jobRow{File: src.name, Line: l.Number, Command: strings.TrimSpace(l.Raw), Note: l.Err.Error(), TimeZone: loc.String()})
			continue
		case crontab.Job:
		default:
			continue
		}
		r := jobRow{File: src.name, Line: l.Number, Schedule: l.Schedule, User: l.User, Command: l.Command(), Monitored: l.Monitored(), TimeZone: loc.String()}
		a, err := o.interval.advise(l.Schedule, loc, marginSet)
		var ue *usageError
		switch {
		case errors.As(err, &ue):
			return nil, err
		case err != nil:
			r.Note = err.Error()
		default:
			r.Interval, r.Gap = a.interval, seconds(a.gap.Length)
			r.Note = a.warning()
		}
		rows = append(rows, r)
	}
	return rows, nil
}

func (o *crontabOptions) list(env Env, args []string, marginSet bool) error {
	sources, err := o.read(env, args)
	if err != nil {
		return err
	}
	var all []jobRow
	for _, src := range sources {
		rows, err := o.rows(src, marginSet)
		if err != nil {
			return err
		}
		all = append(all, rows...)
	}
	if o.json {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if all == nil {
			all = []jobRow{}
		}
		return enc.Encode(all)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	multi := len(sources) > 1
	header := "LINE\tSCHEDULE\tCOMMAND\tMONITORED\tINTERVAL\tNOTE"
	if o.system {
		header = "LINE\tSCHEDULE\tUSER\tCOMMAND\tMONITORED\tINTERVAL\tNOTE"
	}
	fmt.Fprintln(tw, header)
	for _, r := range all {
		line := fmt.Sprint(r.Line)
		if multi {
			line = r.File + ":" + line
		}
		interval, monitored := "-", "no"
		if r.Interval > 0 {
			interval = fmt.Sprint(r.Interval)
		}
		if r.Monitored {
			monitored = "yes"
		}
		if r.Schedule == "" { // an invalid line
			monitored = "-"
		}
		cols := []string{line, r.Schedule, shorten(pusher.Redact(r.Command), 50), monitored, interval, r.Note}
		if o.system {
			cols = append(cols[:2], append([]string{r.User}, cols[2:]...)...)
		}
		fmt.Fprintln(tw, strings.Join(cols, "\t"))
	}
	return tw.Flush()
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
	prefix := "opkuma run"
	if o.urlFile != "" {
		prefix += " --url-file " + quoteWord(o.urlFile)
		if o.urlFileInsecure {
			prefix += " --url-file-insecure"
		}
	} else {
		if _, err := pusher.ParseEndpoint(o.url); err != nil {
			return fmt.Errorf("--url: %w", err)
		}
		prefix += " --url " + quoteWord(o.url)
	}
	prefix += " --"
	sources, err := o.read(env, args)
	if err != nil {
		return err
	}
	src := sources[0]
	if o.line > len(src.lines) {
		return usageErrorf("--line %d: %s has %d lines", o.line, src.name, len(src.lines))
	}
	l := src.lines[o.line-1]
	wrapped, err := l.Wrap(prefix)
	if err != nil {
		return &exitError{code: exitFailure, msg: err.Error()}
	}
	// Every other byte as it was: split the input at line ends, keep them.
	parts := bytes.SplitAfter(src.data, []byte("\n"))
	end := ""
	if strings.HasSuffix(string(parts[o.line-1]), "\n") {
		end = "\n"
	}
	parts[o.line-1] = []byte(wrapped + end)
	if _, err := env.Stdout.Write(bytes.Join(parts, nil)); err != nil {
		return err
	}
	rows, err := o.rows(source{name: src.name, lines: src.lines[:o.line]}, marginSet)
	if err != nil {
		return err
	}
	if r := rows[len(rows)-1]; r.Interval > 0 {
		fmt.Fprintf(env.Stderr, "opkuma: line %d: set the monitor's Heartbeat Interval to %d s (largest gap %d s + margin)\n", o.line, r.Interval, r.Gap)
		if r.Note != "" {
			fmt.Fprintf(env.Stderr, "opkuma: %s\n", r.Note)
		}
	} else {
		fmt.Fprintf(env.Stderr, "opkuma: line %d: no interval: %s\n", o.line, r.Note)
	}
	return nil
}

// quoteWord quotes w for sh when it needs it. A leading ~/ stays outside
// the quotes, so the shell expands it to the job's home.
func quoteWord(w string) string {
	if rest, ok := strings.CutPrefix(w, "~/"); ok && rest != "" {
		return "~/" + runner.Quote(rest)
	}
	return runner.Quote(w)
}

// shorten folds white space in s and cuts it to n characters, ending in "...".
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-3]) + "..."
}
