package watch

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/opkuma/opkuma/internal/schedule"
)

// kumaTimer is a Push monitor's Heartbeat Interval, Retries and Heartbeat
// Retry Interval, in seconds.
type kumaTimer struct{ interval, retries, retryInterval int64 }

// capped is the timer for an advised interval on Uptime Kuma up to 2.4, as
// `monitor ensure` sets it (provision.Plan, not imported while its
// signature is in flux): the largest interval, Retries for the rest.
func capped(advised int64) kumaTimer {
	interval, retries := schedule.Capped(advised)
	if retries == 0 {
		return kumaTimer{interval: interval}
	}
	return kumaTimer{interval, retries, schedule.MaxInterval}
}

// kumaAlert is when Uptime Kuma's own timer turns a Push monitor DOWN after
// its last up beat at lastUp, with no beat since: a miss at the interval,
// PENDING through the retries, DOWN after them (its 1 s buffer left out).
func kumaAlert(lastUp time.Time, k kumaTimer) time.Time {
	return lastUp.Add(time.Duration(k.interval+k.retries*k.retryInterval) * time.Second)
}

// latency is the worst delay, over a year of runs, from a missed run's
// scheduled time to the alert: by the interval alone (Uptime Kuma 2.5+,
// and up to 2.4 with its cap made up by Retries), and by monitor watch
// passing every minute. The worst case is a run missed right after a run
// that took the whole runtime and pushed up.
type latency struct {
	name, spec     string
	interval       int64
	uncapped, capd time.Duration
	watch          time.Duration
}

func measure(t *testing.T, name, spec string, loc *time.Location, from time.Time, runtime, margin time.Duration) latency {
	t.Helper()
	s, err := schedule.Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	gap, err := s.Gap(loc, from, schedule.DefaultHorizon)
	if err != nil {
		t.Fatal(err)
	}
	interval := schedule.Interval(gap.Length, runtime, schedule.Margin(gap.Length))
	uncapped, capd := kumaTimer{interval: interval}, capped(interval)
	w := Spec{Schedule: spec, TZ: loc.String(), Runtime: runtime, Margin: margin}
	l := latency{name: name, spec: spec, interval: interval}
	prev, _ := s.Next(loc, from)
	for end := from.AddDate(1, 0, 0); ; {
		run, _ := s.Next(loc, prev)
		if run.After(end) {
			break
		}
		up := prev.Add(runtime)
		l.uncapped = max(l.uncapped, kumaAlert(up, uncapped).Sub(run))
		l.capd = max(l.capd, kumaAlert(up, capd).Sub(run))

		// monitor watch, a pass every minute on the minute, from two
		// before the deadline (TestDecide pins the passes before) to
		// three after it.
		beats := []Beat{{Time: up, Status: Up, Msg: "OK"}}
		pushes := 0
		due := run.Add(runtime + margin).Truncate(time.Minute)
		for now := due.Add(-2 * time.Minute); !now.After(due.Add(3 * time.Minute)); now = now.Add(time.Minute) {
			a, err := Decide(w, MonitorState{Active: true}, beats, now)
			if err != nil {
				t.Fatal(err)
			}
			if !a.Push {
				continue
			}
			if pushes++; pushes == 1 {
				l.watch = max(l.watch, now.Sub(run))
			}
			beats = append(beats, Beat{Time: now, Status: Down, Msg: a.Msg})
		}
		if pushes != 1 {
			t.Fatalf("%s: the run at %v was pushed %d times, want once", spec, run, pushes)
		}
		prev = run
	}
	return l
}

// TestLatencyTable computes the README's table (go test -v -run
// TestLatencyTable ./internal/watch) and pins it: a job with a 5-minute
// runtime in Europe/Berlin over 2026, Uptime Kuma's interval from `opkuma
// interval` (margin 10% of the largest gap), monitor watch with margin
// 10m. Mutation: in Decide, `case b.Status == Pending &&
// strings.HasPrefix(b.Msg, missed):` -> `case strings.HasPrefix(b.Msg,
// missed):` (pushed every pass: "pushed 4 times"); any change that pushes
// early or late changes the pinned watch column.
func TestLatencyTable(t *testing.T) {
	if testing.Short() {
		t.Skip("a year of runs")
	}
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, loc)
	rows := []struct{ name, spec string }{
		{"hourly", "0 * * * *"},
		{"daily", "0 3 * * *"},
		{"weekdays only", "0 3 * * 1-5"},
		{"weekly", "0 3 * * 1"},
		{"monthly", "0 3 1 * *"},
	}
	var b strings.Builder
	b.WriteString("| schedule | Heartbeat Interval | interval alone (Uptime Kuma 2.5+) | interval alone (up to 2.4: 24-day cap + Retries) | `monitor watch` (a pass a minute) |\n")
	b.WriteString("| --- | --- | --- | --- | --- |\n")
	var got []string
	for _, r := range rows {
		l := measure(t, r.name, r.spec, loc, from, 5*time.Minute, 10*time.Minute)
		fmt.Fprintf(&b, "| %s `%s` | %d s (%s) | %s | %s | %s |\n", r.name, r.spec, l.interval, human(time.Duration(l.interval)*time.Second), human(l.uncapped), human(l.capd), human(l.watch))
		got = append(got, human(l.uncapped)+" "+human(l.capd)+" "+human(l.watch))
	}
	t.Logf("worst delay from a missed run's time to the alert; runtime 5m, Europe/Berlin, 2026:\n%s", b.String())
	want := []string{
		"16m 16m 15m",
		"4h 40m 4h 40m 15m",
		"2d 8h 28m 2d 8h 28m 15m",
		"19h 4m 19h 4m 15m",
		"6d 3h 40m 20d 5m 15m",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("table changed:\n%s\nwant (interval 2.5+, interval 2.4, watch):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// human writes d in days, hours and minutes: 2d 7h 22m.
func human(d time.Duration) string {
	d = d.Round(time.Minute)
	days, h, m := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	var parts []string
	if days > 0 {
		parts = append(parts, fmt.Sprintf("%dd", days))
	}
	if h > 0 {
		parts = append(parts, fmt.Sprintf("%dh", h))
	}
	if m > 0 || len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("%dm", m))
	}
	return strings.Join(parts, " ")
}
