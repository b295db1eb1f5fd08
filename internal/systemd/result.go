package systemd

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/opkuma/opkuma/internal/calendar"
	"github.com/opkuma/opkuma/internal/report"
	"github.com/opkuma/opkuma/internal/schedule"
	"github.com/opkuma/opkuma/internal/watch"
	"github.com/opkuma/opkuma/pusher"
)

// Advise returns ad's advice for tm, its OnCalendar= times in loc unless
// they name a zone: its largest gap (Gap, over the horizon calendar.Advise
// looks at) + runtime + margin. Its errors are Gap's.
func (tm *Timer) Advise(ad *schedule.Advisor, loc *time.Location) (schedule.Advice, error) {
	from := ad.Start(loc)
	g, err := tm.Gap(from, calendar.Horizon(tm.Calendar, from))
	if err != nil {
		return schedule.Advice{}, err
	}
	return ad.AdviseGap(g), nil
}

// Row is one timer of an audit, for --json.
type Row struct {
	Timer     string       `json:"timer"`
	Path      string       `json:"path"`
	Schedule  string       `json:"schedule"` // the OnCalendar= values, "; " between
	Service   string       `json:"service"`
	ExecStart []string     `json:"exec_start"` // each command as ExecStart= writes it, tokens hidden
	Monitored bool         `json:"monitored"`
	Interval  int64        `json:"interval_seconds,omitempty"`
	Gap       int64        `json:"largest_gap_seconds,omitempty"`
	Note      string       `json:"note,omitempty"`
	Problems  []ProblemRow `json:"problems"`
}

// ProblemRow is one problem of a timer, with what to do about it.
type ProblemRow struct {
	Problem string `json:"problem"`
	Unit    string `json:"unit"`
	Message string `json:"message"`
	Fix     string `json:"fix"`
}

// Result is the audit of a tree's timers, as opkuma timers --json prints it.
type Result struct {
	Timers    []Row `json:"timers"`
	Total     int   `json:"timers_total"`
	Monitored int   `json:"timers_monitored"`
	Problems  int   `json:"problems"`
}

// AuditAll audits every timer of t (Timers) and gives each the interval
// ad advises (its OnCalendar= times in loc). As for a crontab, only the
// timers whose service runs under the wrapper (monitored, see Audit) get
// problems: the others are counted in the summary. A unit file that
// cannot be read is a problem of its own row.
func (t Tree) AuditAll(ad *schedule.Advisor, loc *time.Location, monitored func(argv []string) bool) Result {
	res := Result{Timers: []Row{}}
	timers, err := t.Timers()
	for _, tm := range timers {
		r := t.Audit(tm, monitored)
		row := Row{Timer: tm.Name, Path: tm.Path, Schedule: strings.Join(tm.OnCalendar, "; "), Service: tm.Activates,
			ExecStart: []string{}, Monitored: r.Monitored, Problems: []ProblemRow{}}
		if r.Service != nil {
			for _, c := range r.Service.ExecStart {
				row.ExecStart = append(row.ExecStart, pusher.Redact(c.Prefix+quoteWords(c.Words)))
			}
		}
		switch a, err := tm.Advise(ad, loc); {
		case errors.Is(err, ErrOnce) || errors.Is(err, ErrNoTrigger):
			row.Note = "no interval: " + strings.TrimPrefix(err.Error(), "systemd: ")
		case err != nil:
			row.Note = "no interval: " + err.Error()
		default:
			row.Interval, row.Gap, row.Note = a.Value(), a.GapSeconds(), a.Warning()
		}
		if r.Monitored {
			res.Monitored++
			for _, f := range r.Findings {
				msg, fix := f.Describe(tm.Name)
				row.Problems = append(row.Problems, ProblemRow{Problem: string(f.Problem), Unit: f.Unit, Message: msg, Fix: fix})
			}
		}
		res.Total++
		res.Problems += len(row.Problems)
		res.Timers = append(res.Timers, row)
	}
	if err != nil {
		row := Row{ExecStart: []string{}, Problems: []ProblemRow{}}
		for _, e := range unjoin(err) {
			row.Problems = append(row.Problems, ProblemRow{Problem: string(Unreadable), Message: pusher.Redact(e.Error()), Fix: "make the unit file readable, or remove it"})
		}
		res.Problems += len(row.Problems)
		res.Timers = append(res.Timers, row)
	}
	return res
}

// unjoin returns the errors errors.Join joined into err.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// Describe says what f means for the timer and what to do about it,
// tokens hidden.
func (f Finding) Describe(timer string) (msg, fix string) {
	u, x := f.Unit, f.Text
	switch f.Problem {
	case Masked:
		msg, fix = u+" is masked: systemd will not start it", "systemctl unmask "+u+", or remove the timer"
	case ServiceNotFound:
		msg, fix = timer+" starts "+u+", which has no unit file", "write "+u+", or set Unit= in the timer to the service it starts"
	case Unreadable:
		msg, fix = x, "make the unit file readable"
	case InvalidCalendar:
		msg, fix = x+": systemd ignores this OnCalendar=", "correct it (systemd-analyze calendar 'EXPR' checks one)"
	case InvalidSetting:
		msg, fix = x+": systemd ignores this setting", "correct it (see systemd.timer(5) and systemd.service(5))"
	case InvalidExecStart:
		msg, fix = x+": systemd cannot split this command line and refuses it", "balance the quotes, write %% for a literal %"
	case NoSchedule:
		msg, fix = timer+" has no OnCalendar= nor OnUnitActiveSec=: it starts the job once after boot at most, so no heartbeat interval fits", "add OnCalendar= to the timer"
	case NoExecStart:
		msg, fix = u+" has no ExecStart=: it runs nothing", "add ExecStart= with the job's command"
	case SeveralExecStart:
		msg, fix = u+": "+x+": systemd refuses several commands unless Type=oneshot", "set Type=oneshot in its [Service] section"
	case NotOneshot:
		msg, fix = u+" is "+x+": systemd counts the job started once forked, so a failed run is not the start job's failure", "set Type=oneshot in its [Service] section (systemctl edit "+u+")"
	case RemainAfterExit:
		msg, fix = u+" has RemainAfterExit=yes: it stays active after its first run and the timer's later elapses start nothing", "remove RemainAfterExit=yes"
	case PercentInURL:
		msg, fix = u+": the URL "+x+" holds %, which systemd reads as a specifier", "write %% for a literal %, or keep the URL in a file: opkuma run --url-file FILE"
	case TokenOnCommandLine:
		msg, fix = u+": a push URL on the command line ("+x+"): its token shows in systemctl status, ps and the journal", "keep it in a file: opkuma run --url-file FILE"
	default:
		msg, fix = string(f.Problem)+": "+x, "see the unit files"
	}
	return pusher.Redact(msg), pusher.Redact(fix)
}

// WriteJSON writes the result as JSON, tokens hidden.
func (res Result) WriteJSON(w io.Writer) error {
	return report.JSON(w, res)
}

// WriteText writes, for each timer under the wrapper, a line for its
// interval, its note and each problem, "TIMER: problem: ...; fix: ...",
// then the summary line with the timers not under it; tokens hidden.
func (res Result) WriteText(w io.Writer) error {
	out := report.To(w)
	var others []string
	for _, row := range res.Timers {
		where := row.Timer
		if where == "" {
			where = "unit files"
		}
		if row.Timer != "" && !row.Monitored {
			others = append(others, row.Timer)
		}
		if row.Monitored && row.Interval > 0 {
			out.Interval(where, row.Interval, row.Gap)
		}
		if row.Monitored {
			out.Note(where, row.Note)
		}
		for _, p := range row.Problems {
			out.Problem(where, p.Message, p.Fix)
		}
	}
	out.Printf("%s", res.summary(others))
	return out.Err()
}

// summary is the audit's last line.
func (res Result) summary(others []string) string {
	s := fmt.Sprintf("%s, %d under opkuma run, %s", report.Plural(res.Total, "timer", "timers"), res.Monitored, report.Plural(res.Problems, "problem", "problems"))
	if len(others) > 0 {
		list := report.List(others, 20)
		s += fmt.Sprintf("; %s without opkuma: %s (opkuma timers wrap NAME.timer adds it)", report.Plural(len(others), "timer", "timers"), list)
	}
	return s
}

// WriteFindings writes a line per finding of r, "opkuma: WHERE: what;
// fix: what to do", tokens hidden: what wrap says of the drop-in it plans.
func (r Report) WriteFindings(w io.Writer, where string) {
	for _, f := range r.Findings {
		msg, fix := f.Describe(r.Timer.Name)
		fmt.Fprintf(w, "opkuma: %s: %s; fix: %s\n", where, msg, fix)
	}
}

// Describe says what decides tm's elapses, as its unit sets them:
// "OnCalendar=daily, AccuracySec=1m0s".
func (tm *Timer) Describe() string {
	var parts []string
	for _, v := range tm.OnCalendar {
		parts = append(parts, "OnCalendar="+v)
	}
	for _, s := range []struct {
		key string
		ds  []time.Duration
	}{{"OnUnitActiveSec", tm.OnUnitActive}, {"OnUnitInactiveSec", tm.OnUnitInactive}, {"OnBootSec", tm.OnBoot}, {"OnStartupSec", tm.OnStartup}, {"OnActiveSec", tm.OnActive}} {
		for _, d := range s.ds {
			parts = append(parts, s.key+"="+d.String())
		}
	}
	parts = append(parts, "AccuracySec="+tm.Accuracy.String())
	if tm.RandomizedDelay > 0 {
		parts = append(parts, "RandomizedDelaySec="+tm.RandomizedDelay.String())
	}
	return strings.Join(parts, ", ")
}

// WatchSpec returns the schedule line monitor watch reads from tm's
// monitor: its OnCalendar= expressions (those systemd takes), in zone
// (the name of the zone of those that name none), with runtime and margin
// (negative: watch.DefaultMargin) widened by AccuracySec= and
// RandomizedDelaySec=, as an elapse may come that late. It is nil for a
// timer with only monotonic triggers, which no line describes.
func (tm *Timer) WatchSpec(zone string, runtime, margin time.Duration) *watch.Spec {
	if len(tm.Calendar) == 0 {
		return nil
	}
	exprs := make([]string, len(tm.Calendar))
	for i, c := range tm.Calendar {
		exprs[i] = c.Normalized()
	}
	if margin < 0 {
		margin = watch.DefaultMargin
	}
	return &watch.Spec{Calendar: strings.Join(exprs, "; "), TZ: zone, Runtime: runtime, Margin: margin + tm.Accuracy + tm.RandomizedDelay}
}
