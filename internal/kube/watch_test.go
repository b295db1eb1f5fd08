package kube

import (
	"errors"
	"testing"
	"time"

	"github.com/opkuma/opkuma/internal/watch"
)

// TestWatchSpec: a CronJob's schedule line for monitor watch is its
// schedule as the crontab line that runs at the same times, in its zone,
// the margin widened by startingDeadlineSeconds; none for @every, nor for a
// fixed time in the hour a change of Europe/Berlin's offset skips or
// repeats (cron and the controller run it differently there).
//
// Catches: the user's text kept when cron reads it otherwise (the sameRuns
// check dropped: */10 keeps its cron meaning), the zone check dropped (02:30 in Berlin gets a line and watch
// reports a run the controller never made), startingDeadlineSeconds not
// added, the controller's zone used for a CronJob with spec.timeZone.
func TestWatchSpec(t *testing.T) {
	berlin, deadline := "Europe/Berlin", int64(300)
	from := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		schedule string
		tz       *string
		deadline *int64
		want     *watch.Spec
	}{
		{"0 3 * * *", nil, nil, &watch.Spec{Schedule: "0 3 * * *", TZ: "UTC", Margin: watch.DefaultMargin}},
		{"*/15 * * * *", &berlin, &deadline, &watch.Spec{Schedule: "*/15 * * * *", TZ: berlin, Margin: watch.DefaultMargin + 5*time.Minute}},
		{"0 4 * * 1-5", &berlin, nil, &watch.Spec{Schedule: "0 4 * * 1-5", TZ: berlin, Margin: watch.DefaultMargin}},
		{"30 2 * * *", &berlin, nil, nil},
		// Written as cron reads the controller's runs: ? is *, and */10
		// in the day of month restricts it (robfig), where cron would
		// take a field starting with * for every day.
		{"0 3 ? * *", nil, nil, &watch.Spec{Schedule: "0 3 * * *", TZ: "UTC", Margin: watch.DefaultMargin}},
		{"0 0 */10 * 1", nil, nil, &watch.Spec{Schedule: "0 0 1,11,21,31 * 1", TZ: "UTC", Margin: watch.DefaultMargin}},
		{"@every 1h", nil, nil, nil},
	} {
		c := &CronJob{Namespace: "ops", Name: "x", Schedule: tc.schedule, TimeZone: tc.tz, StartingDeadlineSeconds: tc.deadline}
		got, err := c.WatchSpec(time.UTC, from, 0, -1)
		switch {
		case tc.want == nil && !errors.Is(err, ErrNoWatchLine):
			t.Errorf("%q: %+v, %v; want ErrNoWatchLine", tc.schedule, got, err)
		case tc.want != nil && (err != nil || *got != *tc.want):
			t.Errorf("%q: %+v, %v; want %+v", tc.schedule, got, err, *tc.want)
		}
	}
}
