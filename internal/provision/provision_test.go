package provision

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/opkuma/opkuma/internal/kumaapi"
	"github.com/opkuma/opkuma/internal/watch"
)

// Catches: an interval above Uptime Kuma's largest sent as is (it refuses
// it), or retries that do not cover the rest.
func TestPlan(t *testing.T) {
	for _, tc := range []struct {
		advised int64
		retries int
		want    Target
	}{
		{3720, 0, Target{Interval: 3720}},
		{3720, 2, Target{Interval: 3720, Retries: 2}},
		{2_073_600, 0, Target{Interval: 2_073_600}},
		{2_073_601, 0, Target{Interval: 2_073_600, Retries: 1, RetryInterval: 2_073_600}},
		{2 * 2_073_600, 0, Target{Interval: 2_073_600, Retries: 1, RetryInterval: 2_073_600}},
		{2*2_073_600 + 1, 0, Target{Interval: 2_073_600, Retries: 2, RetryInterval: 2_073_600}},
		{2_946_240, 1, Target{Interval: 2_073_600, Retries: 2, RetryInterval: 2_073_600}}, // @monthly
	} {
		if got := Plan(tc.advised, tc.retries, false); got != tc.want {
			t.Errorf("Plan(%d, %d) = %+v, want %+v", tc.advised, tc.retries, got, tc.want)
		}
	}
}

func push(id int, name string, interval, retries int, tags ...string) kumaapi.Monitor {
	m := kumaapi.Monitor{ID: id, Name: name, Type: "push", Active: true, Interval: interval, MaxRetries: retries, PushToken: name + "-token"}
	for _, t := range tags {
		m.Tags = append(m.Tags, kumaapi.Tag{Name: t})
	}
	return m
}

// retry returns m with its retry interval set.
func retry(m kumaapi.Monitor, seconds int) kumaapi.Monitor {
	m.RetryInterval = seconds
	return m
}

// Catches: a monitor of another name, tag or type taken for the job's;
// two candidates not refused; a field that differs not edited, or one that
// does not edited; the retry interval edited when the plan leaves it.
func TestDecide(t *testing.T) {
	http := kumaapi.Monitor{ID: 1, Name: "web", Type: "http"}
	monitors := []kumaapi.Monitor{http, push(2, "backup", 3720, 0), push(3, "dup", 60, 0), push(4, "dup", 60, 0),
		push(5, "tagged", 60, 1, "cron"), push(6, "long", 2_073_600, 1)}
	monitors[1].RetryInterval = 30 // left as it is unless the plan sets it
	long := Plan(2_946_240, 0, false)
	paused := push(7, "paused", 60, 0)
	paused.Active = false
	monitors = append(monitors, paused)
	for _, tc := range []struct {
		job     Job
		id      int // the existing monitor; 0: create
		changes map[string]any
		said    string
		err     string
	}{
		{Job{Name: "backup", Want: Target{Interval: 3720}}, 2, map[string]any{}, "unchanged: interval 3720 s, retries 0", ""},
		{Job{Name: "backup", Want: Target{Interval: 60, Retries: 2, SetRetries: true}}, 2, map[string]any{"interval": 60, "maxretries": 2}, "to update: interval 3720 -> 60 s, retries 0 -> 2", ""},
		// #16: a re-run leaves the Retries the user set, unless asked.
		// Mutation caught: retriesOff ignoring SetRetries.
		{Job{Name: "tagged", Want: Target{Interval: 60}}, 5, map[string]any{}, "unchanged: interval 60 s, retries 1", ""},
		{Job{Name: "tagged", Want: Target{Interval: 60, SetRetries: true}}, 5, map[string]any{"maxretries": 0}, "to update: retries 1 -> 0", ""},
		// Beyond the largest interval, the retries the schedule needs.
		{Job{Name: "long", Want: Plan(3*2_073_600, 0, false)}, 6, map[string]any{"maxretries": 2, "retryInterval": 2_073_600}, "to update: retries 1 -> 2, retry interval 0 -> 2073600 s", ""},
		// A paused monitor is resumed only when asked.
		{Job{Name: "paused", Want: Target{Interval: 60}}, 7, map[string]any{}, "unchanged: interval 60 s, retries 0", ""},
		{Job{Name: "paused", Want: Target{Interval: 60}, Resume: true}, 7, map[string]any{}, "to resume", ""},
		{Job{Name: "backup", Want: Target{Interval: 3720}, Resume: true}, 2, map[string]any{}, "unchanged: interval 3720 s, retries 0", ""},
		{Job{Name: "new", Want: Target{Interval: 60}}, 0, nil, "to create: interval 60 s, retries 0", ""},
		{Job{Name: "backup", Tag: "cron", Want: Target{Interval: 60}}, 0, nil, "to create: interval 60 s, retries 0", ""},
		{Job{Name: "tagged", Tag: "cron", Want: Target{Interval: 60, Retries: 1}}, 5, map[string]any{}, "unchanged: interval 60 s, retries 1", ""},
		{Job{Name: "long", Want: long}, 6, map[string]any{"retryInterval": 2_073_600}, "to update: retry interval 0 -> 2073600 s", ""},
		{Job{Name: "dup"}, 0, nil, "", `2 Push monitors are named "dup" (ids 3, 4)`},
		{Job{Name: "web"}, 0, nil, "", `monitor "web" is not a Push monitor (id 1 (http))`},
	} {
		d, err := Decide(monitors, tc.job)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("Decide(%+v): error %v, want %q", tc.job, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Decide(%+v): %v", tc.job, err)
			continue
		}
		id := 0
		if d.Existing != nil {
			id = d.Existing.ID
		}
		if id != tc.id || !reflect.DeepEqual(d.Changes, tc.changes) || d.String() != tc.said {
			t.Errorf("Decide(%+v) = id %d, changes %v, %q; want id %d, %v, %q", tc.job, id, d.Changes, d, tc.id, tc.changes, tc.said)
		}
	}
	var ae *AmbiguousError
	if _, err := Decide(monitors, Job{Name: "dup"}); !errors.As(err, &ae) || !reflect.DeepEqual(ae.IDs, []int{3, 4}) {
		t.Errorf("two candidates: %#v, want *AmbiguousError", err)
	}
	var ne *NotPushError
	if _, err := Decide(monitors, Job{Name: "web"}); !errors.As(err, &ne) {
		t.Errorf("http monitor: %#v, want *NotPushError", err)
	}
}

// Catches: check passing a paused monitor, a too-short interval, or other
// retries when asked for; failing a longer interval than advised, or the
// user's own Retries when not asked for (#16: they are a note).
func TestCompare(t *testing.T) {
	want := Target{Interval: 3600, Retries: 1, SetRetries: true}
	paused := push(1, "x", 3600, 1)
	paused.Active = false
	other := push(1, "x", 3600, 1)
	other.Type = "http"
	long := Plan(2_946_240, 0, false)
	for _, tc := range []struct {
		m    kumaapi.Monitor
		want Target
		out  Drift
	}{
		{push(1, "x", 3600, 1), want, Drift{}},
		{push(1, "x", 7200, 1), want, Drift{}},
		{push(1, "x", 3599, 1), want, Drift{Problems: []string{"interval 3599 s < advised 3600 s"}}},
		{push(1, "x", 3600, 0), want, Drift{Problems: []string{"retries 0, want 1"}}},
		// Mutation caught: the note's case taken as drift (retriesOff
		// ignoring SetRetries), or no note.
		{push(1, "x", 3600, 2), Target{Interval: 3600}, Drift{Notes: []string{"retries 2: alerts come only after 2 retries"}}},
		{push(1, "x", 3600, 0), Target{Interval: 3600}, Drift{}},
		{paused, want, Drift{Paused: true}},
		{other, want, Drift{Problems: []string{"type http, not push"}}},
		{retry(push(1, "x", 2_073_600, 0), long.RetryInterval), long, Drift{Problems: []string{"retries 0, want 1"}}},
		{push(1, "x", 2_073_600, 1), long, Drift{Problems: []string{"retry interval 0 s < 2073600 s"}}},
		// Mutation: a retry interval equal to the wanted one reported.
		{retry(push(1, "x", 2_073_600, 1), long.RetryInterval), long, Drift{}},
		{retry(push(1, "x", 2_073_600, 1), long.RetryInterval+1), long, Drift{}},
		{retry(push(1, "x", 2_073_600, 1), long.RetryInterval-1), long, Drift{Problems: []string{fmt.Sprintf("retry interval %d s < %d s", long.RetryInterval-1, long.RetryInterval)}}},
	} {
		if got := Compare(tc.m, tc.want); !reflect.DeepEqual(got, tc.out) {
			t.Errorf("Compare(%+v, %+v) = %+v, want %+v", tc.m, tc.want, got, tc.out)
		}
	}
}

// Catches: a line written again when it is there (every ensure an edit),
// a missing line not added, another line not replaced, the user's text
// lost.
func TestDecideScheduleLine(t *testing.T) {
	spec := watch.Spec{Schedule: "0 3 * * *", TZ: "UTC", Margin: 10 * time.Minute}
	line := watch.Format(spec)
	for _, c := range []struct{ have, said, want string }{
		{"the user's", "schedule line added", "the user's\n" + line},
		{"the user's\n" + line, "", ""},
		{"the user's\n" + `opkuma: schedule="0 4 * * *" tz=UTC` + "\nmore", "schedule line updated", "the user's\n" + line + "\nmore"},
		{`opkuma: schedule=nonsense`, "schedule line updated", line},
	} {
		m := kumaapi.Monitor{ID: 2, Name: "backup", Type: "push", Interval: 60, Description: c.have}
		d, err := Decide([]kumaapi.Monitor{m}, Job{Name: "backup", Want: Target{Interval: 60, Watch: &spec}})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := d.Changes["description"].(string); got != c.want || strings.Join(d.Said, ", ") != c.said {
			t.Errorf("description %q: changes %q, said %q; want %q, %q", c.have, got, d.Said, c.want, c.said)
		}
	}
}
