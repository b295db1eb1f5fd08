package calendar

import (
	"testing"
	"time"
)

// TestTimerDeadlines: the latest weekday 02:00 whose deadline has passed,
// and the next deadline, with runtime and margin; several specs elapse
// when any does. Catches: LastDue taking the first elapse of its window
// (not the latest), a window too short to reach back over a weekend, an
// elapse exactly at the deadline counted as not due.
func TestTimerDeadlines(t *testing.T) {
	weekdays, err := Parse("Mon..Fri 02:00")
	if err != nil {
		t.Fatal(err)
	}
	noon, err := Parse("Sat 12:00")
	if err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		timer            Timer
		now              string
		lastRun, nextRun string
	}{
		// Monday 01:00: the last due run is Friday's (the weekend between).
		{Timer{weekdays}, "2026-12-07 01:00", "2026-12-04 02:00", "2026-12-07 02:00"},
		// Monday 02:10, runtime 5m + margin 5m: Monday's deadline is now.
		{Timer{weekdays}, "2026-12-07 02:10", "2026-12-07 02:00", "2026-12-08 02:00"},
		{Timer{weekdays, noon}, "2026-12-07 01:00", "2026-12-05 12:00", "2026-12-07 02:00"},
	} {
		run, deadline, ok := tc.timer.LastDue(loc, at(tc.now), 5*time.Minute, 5*time.Minute)
		if !ok || !run.Equal(at(tc.lastRun)) || !deadline.Equal(at(tc.lastRun).Add(10*time.Minute)) {
			t.Errorf("%s at %s: LastDue = %v, %v, %v; want %s", tc.timer, tc.now, run, deadline, ok, tc.lastRun)
		}
		run, _, ok = tc.timer.NextDeadline(loc, at(tc.now), 5*time.Minute, 5*time.Minute)
		if !ok || !run.Equal(at(tc.nextRun)) {
			t.Errorf("%s at %s: NextDeadline run = %v, %v; want %s", tc.timer, tc.now, run, ok, tc.nextRun)
		}
	}
}
