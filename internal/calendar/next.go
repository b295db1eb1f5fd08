package calendar

import (
	"errors"
	"fmt"
	"time"

	"github.com/opkuma/opkuma/internal/schedule"
)

// wall is a broken-down wall-clock time, like C's struct tm.
type wall struct {
	year, month, day, hour, min, sec, usec int
}

func wallOf(t time.Time) wall {
	return wall{t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond() / 1000}
}

// date is mktime: the instant of w's fields (seconds and up), normalized.
func (w wall) date(loc *time.Location) time.Time {
	return time.Date(w.year, time.Month(w.month), w.day, w.hour, w.min, w.sec, 0, loc)
}

// normalize is mktime's side effect on the fields; usec is kept.
func (w *wall) normalize(loc *time.Location) {
	u := w.usec
	*w = wallOf(w.date(loc))
	w.usec = u
}

// withinBounds is systemd's tm_within_bounds: -1 past the last year or
// when normalizing would go backwards, 0 (and w normalized, the unit below
// the first changed one reset) when a field was out of range or the time
// does not exist on the clock, 1 otherwise.
func (w *wall) withinBounds(loc *time.Location) int {
	if w.year > maxYear {
		return -1
	}
	n := *w
	n.normalize(loc)
	cmp := 0
	switch {
	case n.year != w.year:
		cmp, n.month = compare(n.year, w.year), 1
	case n.month != w.month:
		cmp, n.day = compare(n.month, w.month), 1
	case n.day != w.day:
		cmp, n.hour = compare(n.day, w.day), 0
	case n.hour != w.hour:
		cmp, n.min = compare(n.hour, w.hour), 0
	case n.min != w.min:
		cmp, n.sec = compare(n.min, w.min), 0
	default:
		cmp = compare(n.sec, w.sec)
	}
	switch {
	case cmp < 0:
		return -1
	case cmp > 0:
		*w = n
		return 0
	}
	return 1
}

func compare(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// endOfMonth is the day of w's month that is `back` days before its end
// (1: the last day), or -1.
func endOfMonth(w wall, loc *time.Location, back int) int {
	t := time.Date(w.year, time.Month(w.month+1), 1-back, w.hour, w.min, w.sec, 0, loc)
	if int(t.Month()) != (w.month-1)%12+1 || t.Year() != w.year {
		return -1
	}
	return t.Day()
}

// match sets *val to the first value of l at or after it: 1 if that moved
// it, 0 if not, -1 if there is none.
func (s *Spec) match(l []component, eom bool, w wall, loc *time.Location, val *int) int {
	if l == nil {
		return 0
	}
	d, set := -1, false
	for _, c := range l {
		start, stop := c.start, c.stop
		if eom {
			start, stop = endOfMonth(w, loc, start), endOfMonth(w, loc, stop)
			if stop > 0 {
				start, stop = stop, start
			}
		}
		if start >= *val {
			if !set || start < d {
				d, set = start, true
			}
		} else if c.repeat > 0 {
			k := start + c.repeat*((*val-start+c.repeat-1)/c.repeat)
			if (!set || k < d) && (stop < 0 || k <= stop) {
				d, set = k, true
			}
		}
	}
	if !set {
		return -1
	}
	moved := 0
	if *val != d {
		moved = 1
	}
	*val = d
	return moved
}

func (s *Spec) weekdayMatches(w wall, loc *time.Location) bool {
	if s.weekdays < 0 {
		return true
	}
	k := (int(w.date(loc).Weekday()) + 6) % 7
	return s.weekdays&(1<<k) != 0
}

// find is systemd's find_next: the first wall time at or after w that
// matches, or false when there is none up to the last year.
func (s *Spec) find(w wall, loc *time.Location) (wall, bool) {
	c := w
	// systemd gives up after as many rounds (MAX_CALENDAR_ITERATIONS).
	for range 1000 {
		c.normalize(loc)

		r := s.match(s.year, false, c, loc, &c.year)
		if r > 0 {
			c.month, c.day, c.hour, c.min, c.sec, c.usec = 1, 1, 0, 0, 0, 0
		}
		if r < 0 || c.withinBounds(loc) <= 0 {
			return wall{}, false
		}

		r = s.match(s.month, false, c, loc, &c.month)
		if r > 0 {
			c.day, c.hour, c.min, c.sec, c.usec = 1, 0, 0, 0, 0
		}
		if r < 0 {
			c.year, c.month, c.day, c.hour, c.min, c.sec, c.usec = c.year+1, 1, 1, 0, 0, 0, 0
			continue
		}
		if r = c.withinBounds(loc); r < 0 {
			c.year, c.month, c.day, c.hour, c.min, c.sec, c.usec = c.year+1, 1, 1, 0, 0, 0, 0
			continue
		} else if r == 0 {
			continue
		}

		r = s.match(s.day, s.endOfMonth, c, loc, &c.day)
		if r > 0 {
			c.hour, c.min, c.sec, c.usec = 0, 0, 0, 0
		}
		if r < 0 {
			c.month, c.day, c.hour, c.min, c.sec, c.usec = c.month+1, 1, 0, 0, 0, 0
			continue
		}
		if r = c.withinBounds(loc); r < 0 {
			c.month, c.day, c.hour, c.min, c.sec, c.usec = c.month+1, 1, 0, 0, 0, 0
			continue
		} else if r == 0 {
			continue
		}

		if !s.weekdayMatches(c, loc) {
			c.day, c.hour, c.min, c.sec, c.usec = c.day+1, 0, 0, 0, 0
			continue
		}

		r = s.match(s.hour, false, c, loc, &c.hour)
		if r > 0 {
			c.min, c.sec, c.usec = 0, 0, 0
		}
		if r < 0 {
			c.day, c.hour, c.min, c.sec, c.usec = c.day+1, 0, 0, 0, 0
			continue
		}
		if r = c.withinBounds(loc); r < 0 {
			c.day, c.hour, c.min, c.sec, c.usec = c.day+1, 0, 0, 0, 0
			continue
		} else if r == 0 {
			continue
		}

		r = s.match(s.minute, false, c, loc, &c.min)
		if r > 0 {
			c.sec, c.usec = 0, 0
		}
		if r < 0 {
			c.hour, c.min, c.sec, c.usec = c.hour+1, 0, 0, 0
			continue
		}
		if r = c.withinBounds(loc); r < 0 {
			c.hour, c.min, c.sec, c.usec = c.hour+1, 0, 0, 0
			continue
		} else if r == 0 {
			continue
		}

		us := c.sec*usecPerSec + c.usec
		r = s.match(s.usec, false, c, loc, &us)
		c.sec, c.usec = us/usecPerSec, us%usecPerSec
		if r < 0 {
			c.min, c.sec, c.usec = c.min+1, 0, 0
			continue
		}
		if r = c.withinBounds(loc); r < 0 {
			c.min, c.sec, c.usec = c.min+1, 0, 0
			continue
		} else if r == 0 {
			continue
		}
		return c, true
	}
	return wall{}, false
}

// instant is the earliest instant after t that reads w on the clock of
// loc: when the clock is set back, a wall time is read twice.
func instant(w wall, loc *time.Location, t time.Time) (time.Time, bool) {
	asUTC := time.Date(w.year, time.Month(w.month), w.day, w.hour, w.min, w.sec, w.usec*1000, time.UTC)
	var best time.Time
	for _, probe := range []time.Duration{-30 * time.Hour, 0, 30 * time.Hour} {
		_, off := asUTC.Add(probe).In(loc).Zone()
		at := asUTC.Add(-time.Duration(off) * time.Second)
		if wallOf(at.In(loc)) == w && at.After(t) && (best.IsZero() || at.Before(best)) {
			best = at
		}
	}
	return best, !best.IsZero()
}

// Next returns the first time the spec elapses strictly after t, in the
// spec's zone, or in t's location when the spec names none. It returns
// false when the spec never elapses again (its years are past, or its
// dates do not exist, as *-02-30).
func (s *Spec) Next(t time.Time) (time.Time, bool) {
	loc := s.loc
	if loc == nil {
		loc = t.Location()
	}
	t = t.In(loc)
	// systemd counts in microseconds and starts one after t.
	from := t.Truncate(time.Microsecond).Add(time.Microsecond)
	w := wallOf(from)
	for range 16 {
		next, ok := s.find(w, loc)
		if !ok {
			return time.Time{}, false
		}
		if at, ok := instant(next, loc, t); ok {
			return at, true
		}
		at := time.Date(next.year, time.Month(next.month), next.day, next.hour, next.min, next.sec, next.usec*1000, loc)
		if at.After(t) {
			return at, true
		}
		w = wallOf(at.Add(time.Second))
	}
	return time.Time{}, false
}

// ErrNoGap is returned by Gap when the specs elapse fewer than twice.
var ErrNoGap = errors.New("calendar: elapses fewer than twice, no gap between elapses")

// ErrTooMany is returned by Gap when the specs elapse more than MaxElapses
// times over the horizon.
var ErrTooMany = errors.New("calendar: too many elapses to measure the gap")

// MaxElapses bounds the elapses Gap walks through.
const MaxElapses = 5_000_000

// Gap returns the largest time between two consecutive elapses of a timer
// with the given OnCalendar= specs (it elapses when any of them does), over
// the elapses from after `from` until the first one after from+horizon, in
// the shape schedule.Interval and schedule.Advice take. Specs without a
// zone use from's location. It returns ErrNoGap when they elapse fewer
// than twice, and ErrTooMany past MaxElapses elapses.
func Gap(specs []*Spec, from time.Time, horizon time.Duration) (schedule.Gap, error) {
	var gap schedule.Gap
	if len(specs) == 0 {
		return gap, fmt.Errorf("%w: no specs", ErrNoGap)
	}
	limit := from.Add(horizon)
	prev, ok := Earliest(specs, from)
	if !ok {
		return gap, ErrNoGap
	}
	count := 0
	for !prev.After(limit) {
		next, ok := Earliest(specs, prev)
		if !ok {
			break
		}
		if d := next.Sub(prev); d > gap.Length {
			gap = schedule.Gap{Length: d, From: prev, To: next}
		}
		if count++; count > MaxElapses {
			return schedule.Gap{}, ErrTooMany
		}
		prev = next
	}
	if gap.Length == 0 {
		return gap, ErrNoGap
	}
	return gap, nil
}

// Earliest returns the first elapse of any of specs strictly after t, as
// systemd computes a timer with several OnCalendar= lines, or false when
// none elapses again.
func Earliest(specs []*Spec, t time.Time) (time.Time, bool) {
	var best time.Time
	found := false
	for _, s := range specs {
		if n, ok := s.Next(t); ok && (!found || n.Before(best)) {
			best, found = n, true
		}
	}
	return best, found
}
