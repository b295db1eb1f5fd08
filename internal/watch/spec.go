package watch

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/opkuma/opkuma/internal/calendar"
	"github.com/opkuma/opkuma/internal/schedule"
)

// Spec is the schedule a monitor carries in its description: when the job
// runs, in which zone, and how long after a run its heartbeat may come.
type Spec struct {
	Schedule string        // crontab(5) time fields or an @ macro, e.g. "0 3 * * 1-5"
	Calendar string        // or a systemd timer's OnCalendar= expressions, "; " between them
	TZ       string        // the zone cron runs it in, an IANA name, e.g. "Europe/Berlin"
	Runtime  time.Duration // the job's longest run
	Margin   time.Duration // slack after Runtime before the run counts as missed
}

// DefaultMargin is the margin of a line that has no margin=: enough for a
// late start or a slow push, short next to Uptime Kuma's interval.
const DefaultMargin = 10 * time.Minute

// prefix starts the line; it is matched without regard to case.
const prefix = "opkuma:"

// The keys of the line, in the order Format writes them.
var keys = [...]string{"schedule", "calendar", "tz", "runtime", "margin"}

// SpecError reports a schedule line (or Spec) opkuma cannot use: a key it
// does not know, one missing or given twice, or a value that does not read.
type SpecError struct {
	Key string // "schedule", "tz", "runtime" or "margin"; "" for the line as a whole
	Msg string // what is wrong, and what to write instead
	Err error  // the cause (from schedule.Parse, time.LoadLocation, time.ParseDuration), or nil
}

func (e *SpecError) Error() string {
	if e.Key == "" {
		return "watch: " + e.Msg
	}
	return "watch: " + e.Key + ": " + e.Msg
}

// Unwrap returns the cause, or nil.
func (e *SpecError) Unwrap() error { return e.Err }

// Format returns s as the one line that goes into a monitor's description,
// e.g. `opkuma: schedule="0 3 * * 1-5" tz=Europe/Berlin runtime=5m margin=10m`.
// It does not check s: Compile does, and Parse of the line reports the same.
func Format(s Spec) string {
	key, when := "schedule", s.Schedule
	if s.Calendar != "" {
		key, when = "calendar", s.Calendar
	}
	return fmt.Sprintf("%s %s=%q tz=%s runtime=%s margin=%s",
		prefix, key, strings.Join(strings.Fields(when), " "), s.TZ, duration(s.Runtime), duration(s.Margin))
}

// duration writes d as a person would: 5m, 1h30m, 90s, 0s.
func duration(d time.Duration) string {
	t := d.String()
	if strings.HasSuffix(t, "m0s") {
		t = t[:len(t)-2]
	}
	if strings.HasSuffix(t, "h0m") {
		t = t[:len(t)-2]
	}
	return t
}

// Parse finds the opkuma line in a monitor's description (a line that
// starts with "opkuma:", anywhere among other lines) and reads it. found is
// false, with no error, when there is no such line. A line that is there
// but cannot be used gives found true and a *SpecError: a key other than
// schedule, tz, runtime and margin, a key twice, no schedule or tz, or a
// value that does not read. Keys may come in any order and case, values
// quoted with " or ' (or typographic quotes) or not, with spaces around =;
// runtime defaults to 0 and margin to DefaultMargin.
func Parse(description string) (spec Spec, found bool, err error) {
	line, found, err := find(description)
	if !found || err != nil {
		return Spec{}, found, err
	}
	spec, err = read(line)
	return spec, true, err
}

// find returns the text after "opkuma:" on the description's opkuma line.
func find(description string) (rest string, found bool, err error) {
	n := 0
	for _, line := range strings.Split(description, "\n") {
		if r, ok := opkumaLine(line); ok {
			rest, n = r, n+1
		}
	}
	if n > 1 {
		return "", true, &SpecError{Msg: fmt.Sprintf("%d lines start with %q: keep one", n, prefix)}
	}
	return rest, n == 1, nil
}

// opkumaLine reports whether line is the opkuma line, and its text after
// the prefix.
func opkumaLine(line string) (string, bool) {
	t := strings.TrimSpace(line)
	if len(t) < len(prefix) || !strings.EqualFold(t[:len(prefix)], prefix) {
		return "", false
	}
	return t[len(prefix):], true
}

// Set returns description with its opkuma line set to Format(s): replaced
// where it stands, or, when there is none, added as a line of its own after
// the rest, which is kept as it is.
func Set(description string, s Spec) string {
	lines := strings.Split(description, "\n")
	for i, line := range lines {
		if _, ok := opkumaLine(line); ok {
			lines[i] = Format(s)
			return strings.Join(lines, "\n")
		}
	}
	if strings.TrimSpace(description) == "" {
		return Format(s)
	}
	return strings.TrimRight(description, "\r\n") + "\n" + Format(s)
}

// aroundEquals is = with the spaces a person may put around it.
var aroundEquals = regexp.MustCompile(`\s*=\s*`)

// quotes are the marks a value may be quoted with.
const quotes = "\"'\u201c\u201d\u2018\u2019"

// read reads the text after "opkuma:": key=value pairs, where a value runs
// to the next key=, so an unquoted schedule with spaces reads too.
func read(line string) (Spec, error) {
	values := map[string]string{}
	key := ""
	for _, word := range strings.Fields(aroundEquals.ReplaceAllString(line, "=")) {
		k, v, isKey := strings.Cut(word, "=")
		if isKey && !strings.ContainsAny(k, quotes) {
			key = strings.ToLower(k)
			if _, seen := values[key]; seen {
				return Spec{}, &SpecError{Key: key, Msg: "given twice: keep one"}
			}
			if !known(key) {
				return Spec{}, &SpecError{Msg: fmt.Sprintf("unknown key %q: the line takes %s", k, strings.Join(keys[:], "=, ")+"=")}
			}
			values[key] = v
			continue
		}
		if key == "" {
			return Spec{}, &SpecError{Msg: fmt.Sprintf("%q before the first key: write e.g. %s", word, Format(Spec{Schedule: "0 3 * * *", TZ: "Europe/Berlin", Margin: DefaultMargin}))}
		}
		values[key] += " " + word
	}
	for k, v := range values {
		values[k] = strings.Join(strings.Fields(strings.Trim(v, quotes)), " ")
	}
	s := Spec{Schedule: values["schedule"], Calendar: values["calendar"], TZ: values["tz"], Margin: DefaultMargin}
	for _, d := range []struct {
		key string
		to  *time.Duration
	}{{"runtime", &s.Runtime}, {"margin", &s.Margin}} {
		v, ok := values[d.key]
		if !ok {
			continue
		}
		n, err := time.ParseDuration(v)
		if err != nil {
			return Spec{}, &SpecError{Key: d.key, Msg: fmt.Sprintf("%q is not a duration: write e.g. 5m or 1h30m", v), Err: err}
		}
		*d.to = n
	}
	if _, _, err := s.Compile(); err != nil {
		return Spec{}, err
	}
	return s, nil
}

func known(key string) bool {
	for _, k := range keys {
		if k == key {
			return true
		}
	}
	return false
}

// Compile checks s and returns its schedule and zone. It fails with a
// *SpecError when the schedule does not parse (wrapping schedule.Parse's
// error, schedule.ErrReboot for @reboot), the zone is missing, "Local" or
// unknown (wrapping time.LoadLocation's error), or a duration is negative.
func (s Spec) Compile() (Runs, *time.Location, error) {
	sched, err := s.runs()
	if err != nil {
		return nil, nil, err
	}
	switch s.TZ {
	case "":
		return nil, nil, &SpecError{Key: "tz", Msg: "missing: name the zone cron runs the job in, e.g. tz=Europe/Berlin or tz=UTC"}
	case "Local":
		// The watcher's zone need not be the job's.
		return nil, nil, &SpecError{Key: "tz", Msg: `"Local" is the zone of whoever reads it: name the job's zone, e.g. tz=Europe/Berlin`}
	}
	loc, err := time.LoadLocation(s.TZ)
	if err != nil {
		return nil, nil, &SpecError{Key: "tz", Msg: fmt.Sprintf("unknown time zone %q: use a name like Europe/Berlin or UTC", s.TZ), Err: err}
	}
	if s.Runtime < 0 || s.Margin < 0 {
		key := "runtime"
		if s.Runtime >= 0 {
			key = "margin"
		}
		return nil, nil, &SpecError{Key: key, Msg: "negative: want 0 or more"}
	}
	return sched, loc, nil
}

// Runs is when a job runs: a crontab schedule (*schedule.Schedule) or a
// systemd timer's calendar (calendar.Timer), in a zone.
type Runs interface {
	// LastDue is the latest run whose deadline (run + runtime + margin)
	// is at or before now, and that deadline.
	LastDue(loc *time.Location, now time.Time, runtime, margin time.Duration) (run, deadline time.Time, ok bool)
	// NextDeadline is the earliest run whose deadline is after now.
	NextDeadline(loc *time.Location, now time.Time, runtime, margin time.Duration) (run, deadline time.Time, ok bool)
	String() string
}

// runs parses s's schedule, or its calendar.
func (s Spec) runs() (Runs, error) {
	switch {
	case strings.TrimSpace(s.Schedule) != "" && strings.TrimSpace(s.Calendar) != "":
		return nil, &SpecError{Key: "calendar", Msg: "given with schedule=: keep one"}
	case strings.TrimSpace(s.Calendar) != "":
		var t calendar.Timer
		for _, expr := range strings.Split(s.Calendar, ";") {
			c, err := calendar.Parse(strings.TrimSpace(expr))
			if err != nil {
				return nil, &SpecError{Key: "calendar", Msg: err.Error(), Err: err}
			}
			t = append(t, c)
		}
		return t, nil
	case strings.TrimSpace(s.Schedule) == "":
		return nil, &SpecError{Key: "schedule", Msg: `missing: write e.g. schedule="0 3 * * *"`}
	}
	sched, err := schedule.Parse(s.Schedule)
	if err != nil {
		return nil, &SpecError{Key: "schedule", Msg: err.Error(), Err: err}
	}
	return sched, nil
}

// SameRuns reports whether a and b run a job at the same times: the same
// schedule (fields compared as cron reads them) in the same zone; runtime
// and margin aside.
func SameRuns(a, b Spec) bool {
	_, la, errA := a.Compile()
	_, lb, errB := b.Compile()
	fields := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	return errA == nil && errB == nil && fields(a.Schedule) == fields(b.Schedule) && fields(a.Calendar) == fields(b.Calendar) && la.String() == lb.String()
}

// ErrNoZoneName is SpecFor's error for a zone with no name to write:
// time.Local that neither $TZ nor /etc/localtime names.
var ErrNoZoneName = errors.New("cannot tell the local time zone's name")

// SpecFor returns the schedule line of a job run on sched in loc (named as
// ZoneName names it), with runtime and margin (negative: DefaultMargin),
// or why none can be written.
func SpecFor(sched string, loc *time.Location, getenv func(string) string, runtime, margin time.Duration) (*Spec, error) {
	spec := Spec{Schedule: sched, TZ: ZoneName(loc, getenv), Runtime: runtime, Margin: margin}
	if margin < 0 {
		spec.Margin = DefaultMargin
	}
	if spec.TZ == "" {
		return nil, ErrNoZoneName
	}
	if _, _, err := spec.Compile(); err != nil {
		return nil, err
	}
	return &spec, nil
}
