package calendar

import (
	"time"

	"github.com/opkuma/opkuma/internal/schedule"
)

// Advise returns ad's advice for a timer with the OnCalendar= specs (their
// zone loc unless they name one): its largest gap + runtime + margin. It
// looks 28 years ahead (every weekday and leap-year pairing), or a year,
// or a week for a timer that elapses too often to walk that far
// (MaxElapses), as its first week tells. Its errors are Gap's.
func Advise(ad *schedule.Advisor, specs []*Spec, loc *time.Location) (schedule.Advice, error) {
	from := ad.Start(loc)
	gap, err := Gap(specs, from, Horizon(specs, from))
	if err != nil {
		return schedule.Advice{}, err
	}
	return ad.AdviseGap(gap), nil
}

// Horizon returns how far Advise looks for the specs' largest gap from
// from: 28 years, a year, or a week, as the specs' first week tells (see
// Advise). Another front end of OnCalendar= (a timer unit) passes it to
// Gap so that it finds the gap Advise would.
func Horizon(specs []*Spec, from time.Time) time.Duration {
	const week = 7 * 24 * time.Hour
	switch n := elapses(specs, from, week, MaxElapses/53); {
	case n <= MaxElapses/(53*schedule.DefaultHorizon):
		return time.Duration(schedule.DefaultHorizon) * 366 * 24 * time.Hour
	case n <= MaxElapses/53:
		return 366 * 24 * time.Hour
	}
	return week
}

// elapses counts the elapses of specs in the span after from, up to
// limit+1.
func elapses(specs []*Spec, from time.Time, span time.Duration, limit int) int {
	n, at := 0, from
	for n <= limit {
		next, ok := Earliest(specs, at)
		if !ok || next.Sub(from) > span {
			break
		}
		n, at = n+1, next
	}
	return n
}
