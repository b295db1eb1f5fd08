// Package schedule reads crontab(5) time specifications and computes the
// heartbeat interval an Uptime Kuma Push monitor needs for a job run on
// them: the largest gap between two runs, plus the run time, plus a margin.
//
// Field matching (names, ranges, steps, 7 for Sunday, and the rule that a
// day matches either day-of-month or day-of-week when both are restricted)
// is github.com/adhocore/gronx's, which follows crontab(5) there. What this
// package adds is what cron does around daylight-saving changes: a job at a
// fixed time that falls in the hour skipped in spring runs right after the
// change, and one in the hour repeated in autumn runs once; jobs with a *
// minute or hour field run by the clock as it reads (Vixie cron, cronie).
package schedule

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/adhocore/gronx"
)

// Macros are the @ shorthands of crontab(5) that stand for a schedule.
var macros = map[string]string{
	"@yearly":   "0 0 1 1 *",
	"@annually": "0 0 1 1 *",
	"@monthly":  "0 0 1 * *",
	"@weekly":   "0 0 * * 0",
	"@daily":    "0 0 * * *",
	"@midnight": "0 0 * * *",
	"@hourly":   "0 * * * *",
}

// ErrReboot is returned by Parse for @reboot, which runs once at boot and so
// has no interval a heartbeat monitor could watch.
var ErrReboot = errors.New("@reboot runs once at boot, not on a schedule: no heartbeat interval fits it")

// fieldPattern is what crontab(5) allows in a field: numbers, names, *, and
// the , - / operators. gronx also reads ? L W # (Quartz extensions), which
// cron does not.
var fieldPattern = regexp.MustCompile(`^[0-9A-Za-z*,/-]+$`)

var namePattern = regexp.MustCompile(`[A-Za-z]+`)

var names = map[string]bool{
	"jan": true, "feb": true, "mar": true, "apr": true, "may": true, "jun": true, "jul": true,
	"aug": true, "sep": true, "oct": true, "nov": true, "dec": true,
	"sun": true, "mon": true, "tue": true, "wed": true, "thu": true, "fri": true, "sat": true,
}

var fieldNames = [5]string{"minute", "hour", "day of month", "month", "day of week"}

// Schedule is a parsed crontab(5) time specification.
type Schedule struct {
	spec      string // as written, macros included
	fields    [5]string
	minutes   []int  // minutes of the day it fires at, ascending
	days      string // "0 0 dom month dow", for matching a date
	fixedTime bool   // neither the minute nor the hour field starts with *
	gronx     *gronx.Gronx
}

// Parse reads the five time fields of a crontab line (or one @ macro). It
// returns ErrReboot for @reboot, and an error naming the bad field otherwise.
func Parse(spec string) (*Schedule, error) {
	spec = strings.Join(strings.Fields(spec), " ")
	expr := spec
	if strings.HasPrefix(spec, "@") {
		if strings.EqualFold(spec, "@reboot") {
			return nil, ErrReboot
		}
		e, ok := macros[strings.ToLower(spec)]
		if !ok {
			return nil, fmt.Errorf("unknown macro %q: crontab(5) knows @reboot, @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly", spec)
		}
		expr = e
	}
	f := strings.Fields(expr)
	if len(f) != 5 {
		return nil, fmt.Errorf("schedule %q has %d fields: want 5 (minute hour day-of-month month day-of-week) or an @ macro", spec, len(f))
	}
	s := &Schedule{spec: spec, gronx: gronx.New()}
	copy(s.fields[:], f)
	for i, field := range s.fields {
		if err := checkField(field); err != nil {
			return nil, fmt.Errorf("%s field %q: %w", fieldNames[i], field, err)
		}
	}
	if _, err := s.gronx.IsDue(expr, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		return nil, fmt.Errorf("schedule %q: %w", spec, err)
	}
	// The minutes of a day it fires at do not depend on the date.
	times := s.fields[0] + " " + s.fields[1] + " * * *"
	day := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	for m := range 24 * 60 {
		if ok, err := s.gronx.IsDue(times, day.Add(time.Duration(m)*time.Minute)); err != nil {
			return nil, fmt.Errorf("schedule %q: %w", spec, err)
		} else if ok {
			s.minutes = append(s.minutes, m)
		}
	}
	s.days = "0 0 " + strings.Join(s.fields[2:], " ")
	s.fixedTime = !strings.HasPrefix(s.fields[0], "*") && !strings.HasPrefix(s.fields[1], "*")
	if len(s.minutes) == 0 {
		return nil, fmt.Errorf("schedule %q never fires", spec)
	}
	return s, nil
}

func checkField(field string) error {
	if !fieldPattern.MatchString(field) {
		return errors.New("crontab(5) allows numbers, names, *, and , - / only")
	}
	for _, word := range namePattern.FindAllString(field, -1) {
		if !names[strings.ToLower(word)] {
			return fmt.Errorf("%q is not a month or day name", word)
		}
	}
	return nil
}

// String returns the schedule as given.
func (s *Schedule) String() string { return s.spec }

// matchesDay reports whether the schedule fires on the civil date d (its
// year, month and day in UTC).
func (s *Schedule) matchesDay(d time.Time) bool {
	ok, err := s.gronx.IsDue(s.days, d)
	return err == nil && ok
}

// Gap is the largest time between two consecutive runs.
type Gap struct {
	Length   time.Duration
	From, To time.Time // the two runs around it
}

// DefaultHorizon is how far Gap looks ahead: 28 years hold every pairing of
// weekday and leap year (until 2100, which is not a leap year).
const DefaultHorizon = 28

// Gap returns the largest time between two consecutive runs from `from` on,
// over `years` years, with the clock of loc (daylight-saving changes
// included, as cron handles them).
func (s *Schedule) Gap(loc *time.Location, from time.Time, years int) (Gap, error) {
	if len(s.minutes) == 0 {
		return Gap{}, errors.New("empty schedule")
	}
	from = from.In(loc)
	day := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	end := day.AddDate(years, 0, 0)
	// The largest gap within a day: between minutes[widest] and the next.
	inDay, widest := 0, 0
	for i := 1; i < len(s.minutes); i++ {
		if d := s.minutes[i] - s.minutes[i-1]; d > inDay {
			inDay, widest = d, i-1
		}
	}

	var best Gap
	var last time.Time
	note := func(from, to time.Time) {
		if d := to.Sub(from); !from.IsZero() && d > best.Length {
			best = Gap{Length: d, From: from, To: to}
		}
	}
	first, final := s.minutes[0], s.minutes[len(s.minutes)-1]
	for ; day.Before(end); day = day.AddDate(0, 0, 1) {
		if !s.matchesDay(day) {
			continue
		}
		if steadyClock(day, loc) {
			// No clock change today: runs are where the clock says, and
			// the day's gaps are the same as every other day's.
			at := func(m int) time.Time {
				return time.Date(day.Year(), day.Month(), day.Day(), m/60, m%60, 0, 0, loc)
			}
			note(last, at(first))
			if inDay > 0 && time.Duration(inDay)*time.Minute > best.Length {
				note(at(s.minutes[widest]), at(s.minutes[widest+1]))
			}
			last = at(final)
			continue
		}
		runs := s.runs(day, loc)
		if len(runs) == 0 {
			continue
		}
		note(last, runs[0])
		for i := 1; i < len(runs); i++ {
			note(runs[i-1], runs[i])
		}
		last = runs[len(runs)-1]
	}
	if best.Length == 0 {
		return Gap{}, fmt.Errorf("schedule %q fires at most once in %d years", s.spec, years)
	}
	return best, nil
}

// steadyClock reports whether loc's clock runs without a change through the
// civil date day.
func steadyClock(day time.Time, loc *time.Location) bool {
	start := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	_, end := start.ZoneBounds()
	return end.IsZero() || !end.Before(start.Add(24*time.Hour)) && start.Hour() == 0
}

// runs returns the instants the schedule fires at on civil date day, in
// loc, as cron runs them across a daylight-saving change.
func (s *Schedule) runs(day time.Time, loc *time.Location) []time.Time {
	out := make([]time.Time, 0, len(s.minutes))
	for _, m := range s.minutes {
		civil := day.Add(time.Duration(m) * time.Minute)
		at := instants(civil, loc)
		switch {
		case len(at) == 0 && s.fixedTime:
			// Skipped by the spring change: cron runs it right after.
			out = append(out, transitionAfter(civil, loc))
		case len(at) == 0:
		case len(at) > 1 && s.fixedTime:
			// Repeated by the autumn change: cron runs it once.
			out = append(out, at[0])
		default:
			out = append(out, at...)
		}
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return slices.CompactFunc(out, time.Time.Equal)
}

// instants returns the instants at which loc's clock reads civil (a wall
// time carried in UTC): none in a spring gap, two in an autumn overlap.
func instants(civil time.Time, loc *time.Location) []time.Time {
	var out []time.Time
	for _, probe := range []time.Duration{-36 * time.Hour, 36 * time.Hour} {
		_, off := civil.Add(probe).In(loc).Zone()
		t := civil.Add(-time.Duration(off) * time.Second)
		if wall(t.In(loc)).Equal(civil) && !slices.ContainsFunc(out, t.Equal) {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// transitionAfter returns the instant of the clock change that skipped
// civil.
func transitionAfter(civil time.Time, loc *time.Location) time.Time {
	_, off := civil.Add(-36 * time.Hour).In(loc).Zone()
	t := civil.Add(-time.Duration(off) * time.Second).In(loc) // in the new zone
	start, _ := t.ZoneBounds()
	return start
}

// wall returns t's clock reading as a UTC time.
func wall(t time.Time) time.Time {
	y, mo, d := t.Date()
	h, mi, sec := t.Clock()
	return time.Date(y, mo, d, h, mi, sec, 0, time.UTC)
}

// Margin is the default safety margin for a gap: 10% of it, at least a
// minute, so a job that starts a little late does not raise an alarm.
func Margin(gap time.Duration) time.Duration {
	return max(gap/10, time.Minute)
}

// Interval is a heartbeat interval in whole seconds: gap + runtime + margin,
// rounded up.
func Interval(gap, runtime, margin time.Duration) int64 {
	total := gap + runtime + margin
	return int64((total + time.Second - 1) / time.Second)
}

// Uptime Kuma's limits on a monitor's Heartbeat Interval, in seconds: its
// timers cannot wait longer than 2^31 ms.
const (
	MinInterval = 20
	MaxInterval = 2_073_600
)
