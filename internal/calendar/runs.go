package calendar

import (
	"strings"
	"time"
)

// Timer is the elapses of a timer with the OnCalendar= specs: it elapses
// when any of them does. It answers monitor watch's questions as a
// crontab schedule does (schedule.Schedule's LastDue and NextDeadline).
type Timer []*Spec

// String is the specs, normalized, "; " between them.
func (t Timer) String() string {
	out := make([]string, len(t))
	for i, s := range t {
		out[i] = s.Normalized()
	}
	return strings.Join(out, "; ")
}

// LastDue returns the latest elapse whose deadline (the elapse + runtime +
// margin) is at or before now, and that deadline, both in loc (the zone of
// specs that name none). It looks back in widening windows, up to 28
// years; ok is false when the timer did not elapse in them.
func (t Timer) LastDue(loc *time.Location, now time.Time, runtime, margin time.Duration) (run, deadline time.Time, ok bool) {
	d := runtime + margin
	cut := now.In(loc).Add(-d)
	const most = 28 * 366 * 24 * time.Hour
	for span := time.Hour; span < 4*most; span *= 4 {
		for at := cut.Add(-min(span, most)); ; {
			e, more := Earliest(t, at)
			if !more || e.After(cut) || !e.After(at) {
				break
			}
			// In loc again: a spec without a zone elapses in the zone of
			// the time it is asked from.
			run, ok, at = e, true, e.In(loc)
		}
		if ok {
			return run.In(loc), run.Add(d).In(loc), true
		}
	}
	return time.Time{}, time.Time{}, false
}

// NextDeadline returns the earliest elapse whose deadline (the elapse +
// runtime + margin) is after now, and that deadline, both in loc; ok is
// false when the timer does not elapse again.
func (t Timer) NextDeadline(loc *time.Location, now time.Time, runtime, margin time.Duration) (run, deadline time.Time, ok bool) {
	d := runtime + margin
	run, ok = Earliest(t, now.In(loc).Add(-d))
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	return run.In(loc), run.Add(d).In(loc), true
}
