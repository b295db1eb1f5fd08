package crontab

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/opkuma/opkuma/internal/report"
	"github.com/opkuma/opkuma/internal/schedule"
	"github.com/opkuma/opkuma/pusher"
)

// Row is one job (or invalid line) of a crontab audit, for --json.
type Row struct {
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
	Problems  []ProblemRow `json:"problems"`

	calls bool // the line calls opkuma (any command)
}

// where is the row's FILE:LINE.
func (r Row) where() string { return fmt.Sprintf("%s:%d", r.File, r.Line) }

// ProblemRow is one problem of a job, with what to do about it.
type ProblemRow struct {
	Problem string `json:"problem"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
	Fix     string `json:"fix"`
}

// Result is the audit of crontabs, as opkuma crontab --json prints it.
type Result struct {
	Jobs      []Row `json:"jobs"`
	Total     int   `json:"jobs_total"`
	Monitored int   `json:"jobs_monitored"`
	Problems  int   `json:"problems"`

	others []string // where the jobs without opkuma are: "3", or "FILE:3"
}

// AuditAll audits the lines of sources with au, and gives each job that
// calls opkuma (every job, with all) the interval ad advises for its
// schedule in its zone: loc, or the CRON_TZ= above it.
func AuditAll(au *Auditor, ad *schedule.Advisor, sources []Source, loc *time.Location, all bool) Result {
	res := Result{Jobs: []Row{}}
	for _, src := range sources {
		locs := Zones(src.Lines, loc)
		for _, r := range au.Audit(src.Lines) {
			row := row(ad, src.Name, r, locs[r.Line.Number-1], all)
			if r.Line.Kind == Job {
				res.Total++
			}
			if row.Monitored {
				res.Monitored++
			}
			if !r.Calls && r.Line.Kind == Job {
				ref := fmt.Sprint(r.Line.Number)
				if len(sources) > 1 {
					ref = row.where()
				}
				res.others = append(res.others, ref)
			}
			res.Problems += len(row.Problems)
			res.Jobs = append(res.Jobs, row)
		}
	}
	return res
}

// WriteJSON writes the result as JSON, tokens hidden.
func (res Result) WriteJSON(w io.Writer) error {
	return report.JSON(w, res)
}

// WriteText writes a line per interval, note and problem of the jobs that
// call opkuma, then the summary line; tokens hidden.
func (res Result) WriteText(w io.Writer) error {
	out := report.To(w)
	for _, row := range res.Jobs {
		if row.calls && row.Interval > 0 {
			out.Interval(row.where(), row.Interval, row.Gap)
		}
		if row.calls {
			out.Note(row.where(), row.Note)
		}
		for _, p := range row.Problems {
			out.Problem(row.where(), p.Message, p.Fix)
		}
	}
	out.Printf("%s", res.summary())
	return out.Err()
}

// summary is the audit's last line: how many jobs, problems, and where the
// jobs without opkuma are.
func (res Result) summary() string {
	s := fmt.Sprintf("%s, %d under opkuma run, %s", report.Plural(res.Total, "job", "jobs"), res.Monitored, report.Plural(res.Problems, "problem", "problems"))
	if others := res.others; len(others) > 0 {
		list := report.List(others, 20)
		lines := "lines"
		if len(others) == 1 {
			lines = "line"
		}
		s += fmt.Sprintf("; %d without opkuma at %s %s (opkuma crontab wrap --line N adds it)", len(others), lines, list)
	}
	return s
}

// row is the audit of one line: its problems, with what to do, and the
// interval its monitor needs (for a line that calls opkuma, or every job
// when all is set).
func row(ad *schedule.Advisor, file string, r Report, loc *time.Location, all bool) Row {
	l := r.Line
	row := Row{File: file, Line: l.Number, Schedule: l.Schedule, User: l.User, Command: pusher.Redact(l.Command()),
		Monitored: r.Calls && r.Sub == "run", TimeZone: loc.String(), Problems: []ProblemRow{}, calls: r.Calls}
	if l.Kind == Invalid {
		row.Command = pusher.Redact(strings.TrimSpace(l.Raw))
	}
	for _, f := range r.Findings {
		msg, fix := Describe(f, l)
		row.Problems = append(row.Problems, ProblemRow{Problem: string(f.Problem), Column: f.Column, Message: pusher.Redact(msg), Fix: pusher.Redact(fix)})
	}
	if l.Kind != Job || !r.Calls && !all {
		return row
	}
	a, err := ad.Advise(l.Schedule, loc)
	switch {
	case errors.Is(err, schedule.ErrReboot):
		row.Note = err.Error()
	case err != nil:
		row.Problems = append(row.Problems, ProblemRow{Problem: "bad-schedule", Message: err.Error(), Fix: "cron rejects this schedule: correct its fields (see crontab(5))"})
	default:
		row.Interval, row.Gap, row.Note = a.Value(), a.GapSeconds(), a.Warning()
	}
	return row
}

// IsUser reports whether name is a user of this machine and no command
// in cron's default PATH (a user crontab's line may run mail or backup).
func IsUser(name string) bool {
	if _, err := user.Lookup(name); err != nil {
		return false
	}
	for _, dir := range filepath.SplitList(DefaultPath) {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return false
		}
	}
	return true
}

// WriteFindings writes a line per finding of r, "opkuma: WHERE: what; fix:
// what to do", tokens hidden: what wrap says of a line it wrote.
func (r Report) WriteFindings(w io.Writer, where string) {
	for _, f := range r.Findings {
		msg, fix := Describe(f, r.Line)
		fmt.Fprintln(w, pusher.Redact(fmt.Sprintf("opkuma: %s: %s; fix: %s", where, msg, fix)))
	}
}
