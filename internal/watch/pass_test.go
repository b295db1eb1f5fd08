package watch

import (
	"testing"
	"time"
)

// Catches: Describe giving the last due deadline rather than the next
// (LastDue for NextDeadline), the line's zone not used for the clock.
func TestDescribe(t *testing.T) {
	now := time.Date(2026, 3, 6, 1, 30, 0, 0, time.UTC) // a Friday, 02:30 in Berlin
	text, found, err := Describe("notes\n"+`opkuma: schedule="0 3 * * 1-5" tz=Europe/Berlin runtime=5m margin=10m`, now)
	want := `watched: "0 3 * * 1-5" (Europe/Berlin), runtime 5m, margin 10m; next deadline 03:15 (the 03:00 run)`
	if !found || err != nil || text != want {
		t.Errorf("Describe = %q, %v, %v\nwant       %q", text, found, err, want)
	}
	if _, found, err := Describe("no line", now); found || err != nil {
		t.Errorf("no line: found %v, %v", found, err)
	}
	if _, found, err := Describe(`opkuma: schedule="0 3 * * *" tz=Nowhere/Else`, now); !found || err == nil {
		t.Errorf("a bad line: found %v, %v", found, err)
	}
}

// Catches: SameRuns comparing the schedule as written (spaces) or
// leaving the zone out.
func TestSameRuns(t *testing.T) {
	a := Spec{Schedule: "0  3 * * *", TZ: "UTC", Runtime: time.Minute}
	if !SameRuns(a, Spec{Schedule: "0 3 * * *", TZ: "UTC", Margin: time.Hour}) {
		t.Errorf("runtime, margin or spaces told apart")
	}
	if SameRuns(a, Spec{Schedule: "0 3 * * *", TZ: "Europe/Paris"}) || SameRuns(a, Spec{Schedule: "0 4 * * *", TZ: "UTC"}) {
		t.Errorf("another zone or schedule taken for the same")
	}
}

// Catches: time.Local written as "Local" (which Compile refuses), $TZ
// passed over.
func TestZoneName(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip(err)
	}
	if got := ZoneName(paris, nil); got != "Europe/Paris" {
		t.Errorf("ZoneName(Europe/Paris) = %q", got)
	}
	env := func(v string) func(string) string { return func(string) string { return v } }
	if got := ZoneName(time.Local, env(":America/New_York")); got != "America/New_York" {
		t.Errorf("ZoneName(Local) with TZ=:America/New_York = %q", got)
	}
	if got := ZoneName(time.Local, env("Nowhere/Else")); got != "" {
		t.Errorf("ZoneName(Local) with an unknown TZ = %q, want none", got)
	}
}
