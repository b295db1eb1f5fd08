package watch

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestDecide: Wednesday 2026-03-11 in Berlin, a weekdays-only job at 03:00
// (runtime 5m, margin 10m: due by 03:15) unless the row says otherwise.
// Each row names the one-line mutation of decide.go it catches.
func TestDecide(t *testing.T) {
	ber := mustLoad(t, "Europe/Berlin")
	wed := func(clock string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04:05", "2026-03-11 "+clock, ber)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ours := "missed the 03:00 run (0 3 * * 1-5, Europe/Berlin): no heartbeat by 03:15"
	active := MonitorState{Active: true}
	tests := []struct {
		name  string
		spec  Spec
		mon   MonitorState
		beats []Beat
		now   time.Time
		push  string // the down push's message; "" for none
		why   string // part of Why
	}{
		// Mutation: `a.Push = true` -> `a.Push = false`.
		{"no beat", berlin, active, nil, wed("03:20:00"), ours, "no heartbeat since the 03:00 run started"},
		// Mutation: `case b.Time.Before(run.Add(-Skew)):` -> `case b.Time.Before(deadline):`.
		{"up after the run", berlin, active, []Beat{{wed("03:04:10"), Up, "OK"}}, wed("03:20:00"), "", `has a heartbeat: up at 03:04:10 ("OK")`},
		// Mutation: `case b.Time.Before(run.Add(-Skew)):` -> `case false:`.
		{"only yesterday's", berlin, active, []Beat{{wed("03:04:10").AddDate(0, 0, -1), Up, "OK"}}, wed("03:20:00"), ours, ""},
		// Mutation: `case b.Status == Pending && strings.HasPrefix(b.Msg, missed):` -> `case b.Status != Up:`.
		{"the job's own down push", berlin, active, []Beat{{wed("03:01:00"), Down, "exit 3: disk full"}}, wed("03:20:00"), "", "down at 03:01"},
		// A previous pass pushed: nothing new (once per run). Mutation:
		// `case b.Status == Pending && strings.HasPrefix(...)` -> `case strings.HasPrefix(b.Msg, missed):`.
		{"our push, down", berlin, active, []Beat{{wed("03:15:02"), Down, ours}}, wed("03:16:00"), "", "down at 03:15:02"},
		// 2.0-2.5 with Retries: our push went pending: again. Mutation:
		// that case -> `case false:`.
		{"our push, pending", berlin, active, []Beat{{wed("03:15:02"), Pending, ours}}, wed("03:16:00"), ours, "recorded as pending"},
		// Uptime Kuma's own beat does not cover the run. Mutation:
		// `case strings.HasPrefix(b.Msg, kumaMissed):` -> `case false:`.
		{"Kuma's own, down", berlin, active, []Beat{{wed("03:10:00"), Down, "No heartbeat in the time window"}}, wed("03:20:00"), ours, "1 of Uptime Kuma's own"},
		{"Kuma's own, pending", berlin, active, []Beat{{wed("03:10:00"), Pending, "No heartbeat in the time window"}}, wed("03:20:00"), ours, ""},
		// Mutation: `case !mon.Active:` -> `case false:`.
		{"paused", berlin, MonitorState{}, nil, wed("03:20:00"), "", "paused"},
		// Mutation: `case mon.InMaintenance:` -> `case false:`.
		{"in maintenance", berlin, MonitorState{Active: true, InMaintenance: true}, nil, wed("03:20:00"), "", "in maintenance"},
		// A maintenance window since the run covers it. Mutation: add
		// `case b.Status == Maintenance: continue`.
		{"maintenance beat", berlin, active, []Beat{{wed("03:02:00"), Maintenance, "Monitor under maintenance"}}, wed("03:20:00"), "", "maintenance at 03:02"},
		// Kuma's clock 15 s behind the job host. Mutation:
		// `run.Add(-Skew)` -> `run`.
		{"skew", berlin, active, []Beat{{wed("02:59:45"), Up, "OK"}}, wed("03:20:00"), "", "up at 02:59:45"},
		// A minute before the run is a previous run's. Mutation:
		// `Skew = 30 * time.Second` -> `Skew = 2 * time.Minute`.
		{"a minute early", berlin, active, []Beat{{wed("02:59:00"), Up, "OK"}}, wed("03:20:00"), ours, ""},
		// Before Wednesday's deadline: Tuesday's run, which has its beat.
		// Mutation: `sched.LastDue(loc, now, spec.Runtime, spec.Margin)` ->
		// `sched.LastDue(loc, now, 0, spec.Margin)`.
		{"not due yet", berlin, active, []Beat{{wed("03:04:00").AddDate(0, 0, -1), Up, "OK"}}, wed("03:14:00"), "", "the Tue 2026-03-10 03:00 run has a heartbeat"},
		// Monday night: Friday's run, dated. Mutation: delete
		// `layout = "Mon 2006-01-02 " + layout`.
		{"not today", berlin, active, nil, wed("02:00:00").AddDate(0, 0, -2),
			"missed the Fri 2026-03-06 03:00 run (0 3 * * 1-5, Europe/Berlin): no heartbeat by Fri 2026-03-06 03:15", ""},
		// now in UTC, a day ahead of New York: times and "today" are the
		// schedule's. Mutation: delete `now = now.In(loc)`.
		{"now in UTC", Spec{Schedule: "0 22 * * *", TZ: "America/New_York", Margin: 10 * time.Minute}, active, nil,
			time.Date(2026, 3, 12, 2, 20, 0, 0, time.UTC), "missed the 22:00 run (0 22 * * *, America/New_York): no heartbeat by 22:10", ""},
		// Seconds in the deadline. Mutation: `layout = "15:04:05"` -> `layout = "15:04"`.
		{"seconds", Spec{Schedule: "0 3 * * *", TZ: "Europe/Berlin", Runtime: 90 * time.Second, Margin: 10 * time.Minute}, active, nil, wed("03:20:00"),
			"missed the 03:00 run (0 3 * * *, Europe/Berlin): no heartbeat by 03:11:30", ""},
		// A schedule that never runs. Mutation: `if !ok {` -> `if false {`.
		{"never runs", Spec{Schedule: "0 0 31 2 *", TZ: "UTC"}, active, nil, wed("03:20:00"), "", "no run due"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Decide(tt.spec, tt.mon, tt.beats, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			if a.Push != (tt.push != "") || a.Msg != tt.push {
				t.Errorf("push %v %q, want %q (why: %s)", a.Push, a.Msg, tt.push, a.Why)
			}
			if !strings.Contains(a.Why, tt.why) {
				t.Errorf("why %q, want it to hold %q", a.Why, tt.why)
			}
		})
	}
}

// TestDecideBadSpec: a Spec that does not compile is an error, not a
// silent nothing. Mutation: `return Action{}, err` -> `return Action{}, nil`.
func TestDecideBadSpec(t *testing.T) {
	_, err := Decide(Spec{Schedule: "0 3 * *", TZ: "UTC"}, MonitorState{Active: true}, nil, time.Now())
	var se *SpecError
	if !errors.As(err, &se) || se.Key != "schedule" {
		t.Errorf("Decide: %v, want a *SpecError for schedule", err)
	}
}

// TestDecideCalendar: a timer's missed weekday run is found by its
// deadline as a crontab job's is, over the weekend too. Mutation caught:
// Compile ignoring calendar= (no schedule: a *SpecError).
func TestDecideCalendar(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	spec := Spec{Calendar: "Mon..Fri 02:00", TZ: "Europe/Berlin", Runtime: 5 * time.Minute, Margin: 10 * time.Minute}
	now := time.Date(2026, 12, 7, 2, 30, 0, 0, loc) // a Monday
	a, err := Decide(spec, MonitorState{Active: true}, nil, now)
	if err != nil || !a.Push || !a.Run.Equal(time.Date(2026, 12, 7, 2, 0, 0, 0, loc)) ||
		a.Msg != "missed the 02:00 run (Mon..Fri *-*-* 02:00:00, Europe/Berlin): no heartbeat by 02:15" {
		t.Errorf("Decide = %+v, %v", a, err)
	}
	a, err = Decide(spec, MonitorState{Active: true}, []Beat{{Time: time.Date(2026, 12, 7, 2, 4, 0, 0, loc), Status: Up, Msg: "OK"}}, now)
	if err != nil || a.Push {
		t.Errorf("with the run's beat: Decide = %+v, %v", a, err)
	}
}
