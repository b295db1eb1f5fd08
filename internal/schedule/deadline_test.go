package schedule

import (
	"testing"
	"time"
)

// at reads "2006-01-02 15:04" (or with :05 seconds) on loc's clock; in a
// repeated hour it is the first of the two instants, as time.Date picks.
func at(t testing.TB, loc *time.Location, clock string) time.Time {
	t.Helper()
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04"} {
		if v, err := time.ParseInLocation(layout, clock, loc); err == nil {
			return v
		}
	}
	t.Fatalf("bad clock %q", clock)
	return time.Time{}
}

const stamp = "Mon 2006-01-02 15:04 MST"

// TestLastDue: one row per case, each naming the one-line change to
// deadline.go (or to the cron rules it relies on) that makes it fail.
func TestLastDue(t *testing.T) {
	tests := []struct {
		spec, tz string
		now      string // on the schedule's clock; "…Z" rows give UTC instead
		runtime  time.Duration
		margin   time.Duration
		run      string // want, Mon 2006-01-02 15:04 MST; "" = none
	}{
		// Deadline passed: Wednesday's run. Mutation: LastDue asks Prev(now)
		// with no deadline at all -> still Wed; so the next row holds it.
		{"0 3 * * 1-5", "Europe/Berlin", "2026-03-11 03:15", 5 * time.Minute, 10 * time.Minute, "Wed 2026-03-11 03:00 CET"},
		// A minute before the deadline: still Tuesday's. Mutation:
		// `run, ok = s.Prev(loc, now.Add(-d))` -> `s.Prev(loc, now)`.
		{"0 3 * * 1-5", "Europe/Berlin", "2026-03-11 03:14:59", 5 * time.Minute, 10 * time.Minute, "Tue 2026-03-10 03:00 CET"},
		// Deadline == now counts (<=). Mutation: `!runs[i].After(t)` ->
		// `runs[i].Before(t)`.
		{"0 3 * * 1-5", "Europe/Berlin", "2026-03-11 03:15:00", 0, 15 * time.Minute, "Wed 2026-03-11 03:00 CET"},
		// Weekdays only: Monday before the run looks back to Friday.
		// Mutation: delete `if !s.matchesDay(day) { continue }` -> Sunday.
		{"0 3 * * 1-5", "Europe/Berlin", "2026-03-16 02:00", 5 * time.Minute, 10 * time.Minute, "Fri 2026-03-13 03:00 CET"},
		// Spring gap, Berlin (Mar 29 02:00 -> 03:00): 02:30 runs at 03:00.
		// Mutation in runs(): `out = append(out, change)` ->
		// `out = append(out, civil.Add(-after))` (03:30, deadline not yet).
		{"30 2 * * *", "Europe/Berlin", "2026-03-29 03:15", 5 * time.Minute, 10 * time.Minute, "Sun 2026-03-29 03:00 CEST"},
		// Autumn fold, Berlin (Oct 25 03:00 -> 02:00): 02:30 runs once, the
		// first time. now = 02:50 CET. Mutation in runs(): the fixed-time
		// fold case `append(out, early)` -> `append(out, late)`.
		{"30 2 * * *", "Europe/Berlin", "2026-10-25T01:50:00Z", 5 * time.Minute, 10 * time.Minute, "Sun 2026-10-25 02:30 CEST"},
		// Autumn fold with a * hour: 02:30 runs twice; the second is the
		// latest due. Mutation in runs(): `case inEarly && inLate &&
		// s.fixedTime` -> drop `&& s.fixedTime` (once only: CEST).
		{"30 * * * *", "Europe/Berlin", "2026-10-25T01:40:00Z", 0, 10 * time.Minute, "Sun 2026-10-25 02:30 CET"},
		// Spring gap, New York (Mar 8 02:00 -> 03:00). Mutation: return
		// `runs[i]` without `.In(loc)` (checked below: the zone of the result).
		{"30 2 * * *", "America/New_York", "2026-03-08 03:20", 5 * time.Minute, 10 * time.Minute, "Sun 2026-03-08 03:00 EDT"},
		// Autumn fold, New York (Nov 1 02:00 -> 01:00): 01:30 once, EDT.
		// now = 01:50 EST. Same mutation as the Berlin fold, other rules.
		{"30 1 * * *", "America/New_York", "2026-11-01T06:50:00Z", 5 * time.Minute, 10 * time.Minute, "Sun 2026-11-01 01:30 EDT"},
		// A zone far from the machine's (UTC in CI): Chatham, +13:45 in
		// summer. Mutation: `s.runs(day, loc)` -> `s.runs(day, time.Local)`.
		{"0 9 * * *", "Pacific/Chatham", "2026-01-15 09:10", 0, 10 * time.Minute, "Thu 2026-01-15 09:00 +1345"},
		// The same instant given in UTC (Jan 14 there). A pin, not a
		// mutation catcher: `local := t.In(loc)` -> `local := t` survives,
		// as the walk's extra day covers any zone's date offset; only
		// both that and `local.Day()+1` -> `local.Day()` break it.
		{"0 9 * * *", "Pacific/Chatham", "2026-01-14T19:25:00Z", 0, 10 * time.Minute, "Thu 2026-01-15 09:00 +1345"},
		// The 31st: April has none, so on May 1 the last is March 31.
		// Mutation: `day.AddDate(0, 0, -1)` -> `day.AddDate(0, -1, 0)`.
		{"0 0 31 * *", "UTC", "2026-05-01 00:05", 0, 10 * time.Minute, "Tue 2026-03-31 00:00 UTC"},
		// */15: the latest of the day's runs, not the first. Mutation: walk
		// the day's runs forward (`for i := range runs`).
		{"*/15 * * * *", "UTC", "2026-03-11 10:29:59", 0, 0, "Wed 2026-03-11 10:15 UTC"},
		{"*/15 * * * *", "UTC", "2026-03-11 10:30", 0, 0, "Wed 2026-03-11 10:30 UTC"},
		// @yearly, five minutes after New Year with a 10 m margin: last
		// year's. Mutation: `stop := day.AddDate(-DefaultHorizon, 0, -1)` ->
		// `day.AddDate(0, 0, -DefaultHorizon)` (28 days).
		{"@yearly", "Europe/Berlin", "2026-01-01 00:05", 0, 10 * time.Minute, "Wed 2025-01-01 00:00 CET"},
		// Feb 29 across 2100, which is no leap year: 7 years back. Mutation:
		// `DefaultHorizon` -> `4` in the look-back.
		{"0 0 29 2 *", "UTC", "2103-06-01 00:00", 0, 10 * time.Minute, "Wed 2096-02-29 00:00 UTC"},
		// Never runs: no run, and the walk ends. Mutation: the loop's
		// `!day.Before(stop)` -> `true` (never ends: the test times out).
		{"0 0 31 2 *", "UTC", "2026-06-01 00:00", 0, 10 * time.Minute, ""},
	}
	for _, tt := range tests {
		t.Run(tt.spec+" "+tt.tz+" "+tt.now, func(t *testing.T) {
			s, err := Parse(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			loc := mustLoad(t, tt.tz)
			now := parseNow(t, loc, tt.now)
			run, deadline, ok := s.LastDue(loc, now, tt.runtime, tt.margin)
			if tt.run == "" {
				if ok {
					t.Fatalf("LastDue = %v, want none", run.Format(stamp))
				}
				return
			}
			if !ok {
				t.Fatalf("LastDue: none, want %s", tt.run)
			}
			if got := run.Format(stamp); got != tt.run {
				t.Errorf("run %s, want %s", got, tt.run)
			}
			if run.Location() != loc || deadline.Location() != loc {
				t.Errorf("run in %v, deadline in %v: want %v", run.Location(), deadline.Location(), loc)
			}
			if !deadline.Equal(run.Add(tt.runtime+tt.margin)) || deadline.After(now) {
				t.Errorf("deadline %v: want run + %v, at or before now %v", deadline, tt.runtime+tt.margin, now)
			}
		})
	}
}

func parseNow(t testing.TB, loc *time.Location, now string) time.Time {
	t.Helper()
	if v, err := time.Parse(time.RFC3339, now); err == nil {
		return v
	}
	return at(t, loc, now)
}

func TestNextDeadline(t *testing.T) {
	tests := []struct {
		spec, tz string
		now      string
		runtime  time.Duration
		margin   time.Duration
		run      string
		deadline string // 15:04 MST
	}{
		// At the very deadline, that run is due, not next. Mutation in Next:
		// `r.After(t)` -> `!r.Before(t)`.
		{"0 3 * * 1-5", "Europe/Berlin", "2026-03-11 03:15", 5 * time.Minute, 10 * time.Minute, "Thu 2026-03-12 03:00 CET", "03:15 CET"},
		// Before the deadline of a run already started: that run. Mutation:
		// `s.Next(loc, now.Add(-d))` -> `s.Next(loc, now)`.
		{"0 3 * * 1-5", "Europe/Berlin", "2026-03-11 03:10", 5 * time.Minute, 10 * time.Minute, "Wed 2026-03-11 03:00 CET", "03:15 CET"},
		// Friday evening: Monday. Mutation: delete Next's matchesDay check.
		{"0 3 * * 1-5", "Europe/Berlin", "2026-03-13 20:00", 5 * time.Minute, 10 * time.Minute, "Mon 2026-03-16 03:00 CET", "03:15 CET"},
		// Spring gap in New York: the 02:30 run is at 03:00 EDT.
		// Mutation: `return r.In(loc), true` -> `return r, true` (zone).
		{"30 2 * * *", "America/New_York", "2026-03-08 00:00", 0, 10 * time.Minute, "Sun 2026-03-08 03:00 EDT", "03:10 EDT"},
		// After this year's: next year's. Mutation: `stop :=
		// day.AddDate(DefaultHorizon, 0, 1)` -> `day.AddDate(0, 0, 28)`.
		{"@yearly", "UTC", "2026-01-01 00:10", 0, 10 * time.Minute, "Fri 2027-01-01 00:00 UTC", "00:10 UTC"},
	}
	for _, tt := range tests {
		t.Run(tt.spec+" "+tt.now, func(t *testing.T) {
			s, err := Parse(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			loc := mustLoad(t, tt.tz)
			now := at(t, loc, tt.now)
			run, deadline, ok := s.NextDeadline(loc, now, tt.runtime, tt.margin)
			if !ok {
				t.Fatal("NextDeadline: none")
			}
			if got := run.Format(stamp); got != tt.run {
				t.Errorf("run %s, want %s", got, tt.run)
			}
			if got := deadline.Format("15:04 MST"); got != tt.deadline || !deadline.After(now) {
				t.Errorf("deadline %s, want %s, after now", got, tt.deadline)
			}
		})
	}
	s, _ := Parse("0 0 31 2 *")
	if _, _, ok := s.NextDeadline(time.UTC, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 0, 0); ok {
		t.Error("NextDeadline of a schedule that never runs: want none")
	}
}

// TestPrevNextAgreeWithGap walks a year of runs with Next and checks that
// Prev finds each run from itself and from just before the next, and that
// the largest step is what Gap (its own day walk) finds. Mutation: in Prev,
// `!runs[i].After(t)` -> `runs[i].Before(t)`.
func TestPrevNextAgreeWithGap(t *testing.T) {
	tests := []struct{ spec, tz string }{
		{"0 * * * *", "Europe/Berlin"},
		{"*/15 1-3 * * *", "America/New_York"},
		{"30 2 * * *", "Europe/Berlin"},
		{"0 3 * * 1-5", "Europe/Berlin"},
		{"0 0 31 * *", "UTC"},
		{"45 23 * * 6", "Australia/Lord_Howe"}, // a 30-minute change
	}
	for _, tt := range tests {
		t.Run(tt.spec+" "+tt.tz, func(t *testing.T) {
			s, err := Parse(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			loc := mustLoad(t, tt.tz)
			start := time.Date(2026, 1, 1, 0, 0, 0, 0, loc)
			end := start.AddDate(1, 0, 0)
			prev, ok := s.Next(loc, start.Add(-time.Nanosecond))
			if !ok {
				t.Fatal("no first run")
			}
			var largest time.Duration
			for n := 0; n < 40000; n++ {
				if got, ok := s.Prev(loc, prev); !ok || !got.Equal(prev) {
					t.Fatalf("Prev(%v) = %v, want itself", prev.Format(stamp), got.Format(stamp))
				}
				next, ok := s.Next(loc, prev)
				if !ok || !next.After(prev) {
					t.Fatalf("Next(%v) = %v, %v", prev.Format(stamp), next, ok)
				}
				if got, _ := s.Prev(loc, next.Add(-time.Second)); !got.Equal(prev) {
					t.Fatalf("Prev(%v - 1s) = %v, want %v", next.Format(stamp), got.Format(stamp), prev.Format(stamp))
				}
				if !next.Before(end) {
					break
				}
				largest = max(largest, next.Sub(prev))
				prev = next
			}
			g, err := s.Gap(loc, start, 1)
			if err != nil {
				t.Fatal(err)
			}
			if g.Length != largest {
				t.Errorf("largest step %v, Gap %v (from %v)", largest, g.Length, g.From.Format(stamp))
			}
		})
	}
}
