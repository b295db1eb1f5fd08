package schedule

import "time"

// Prev returns the latest run of s at or before t, with the clock of loc
// (daylight-saving changes handled as cron handles them), in loc. ok is
// false when s does not run in the DefaultHorizon years up to t.
func (s *Schedule) Prev(loc *time.Location, t time.Time) (run time.Time, ok bool) {
	if len(s.minutes) == 0 {
		return time.Time{}, false
	}
	// A day's runs fall between its midnight and the next, so the first
	// day back holding a run at or before t holds the latest. The walk
	// starts a day after t's date, a guard for clock changes at midnight.
	local := t.In(loc)
	day := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, time.UTC)
	stop := day.AddDate(-DefaultHorizon, 0, -1)
	for ; !day.Before(stop); day = day.AddDate(0, 0, -1) {
		if !s.matchesDay(day) {
			continue
		}
		runs := s.runs(day, loc)
		for i := len(runs) - 1; i >= 0; i-- {
			if !runs[i].After(t) {
				return runs[i].In(loc), true
			}
		}
	}
	return time.Time{}, false
}

// Next returns the earliest run of s after t, with the clock of loc, in
// loc. ok is false when s does not run in the DefaultHorizon years after t.
func (s *Schedule) Next(loc *time.Location, t time.Time) (run time.Time, ok bool) {
	if len(s.minutes) == 0 {
		return time.Time{}, false
	}
	local := t.In(loc)
	day := time.Date(local.Year(), local.Month(), local.Day()-1, 0, 0, 0, 0, time.UTC)
	stop := day.AddDate(DefaultHorizon, 0, 1)
	for ; day.Before(stop); day = day.AddDate(0, 0, 1) {
		if !s.matchesDay(day) {
			continue
		}
		for _, r := range s.runs(day, loc) {
			if r.After(t) {
				return r.In(loc), true
			}
		}
	}
	return time.Time{}, false
}

// LastDue returns the latest run of s, with the clock of loc, whose
// deadline (the run + runtime + margin) is at or before now, and that
// deadline, both in loc: the run a heartbeat should have reported by now.
// ok is false when s does not run in the DefaultHorizon years before it.
func (s *Schedule) LastDue(loc *time.Location, now time.Time, runtime, margin time.Duration) (run, deadline time.Time, ok bool) {
	d := runtime + margin
	run, ok = s.Prev(loc, now.Add(-d))
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	return run, run.Add(d).In(loc), true
}

// NextDeadline returns the earliest run of s, with the clock of loc, whose
// deadline (the run + runtime + margin) is after now, and that deadline,
// both in loc: the next time a missed run can be noticed. ok is false when
// s does not run in the DefaultHorizon years after now - runtime - margin.
func (s *Schedule) NextDeadline(loc *time.Location, now time.Time, runtime, margin time.Duration) (run, deadline time.Time, ok bool) {
	d := runtime + margin
	run, ok = s.Next(loc, now.Add(-d))
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	return run, run.Add(d).In(loc), true
}
