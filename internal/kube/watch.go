package kube

import (
	"errors"
	"time"

	"github.com/opkuma/opkuma/internal/schedule"
	"github.com/opkuma/opkuma/internal/watch"
)

// ErrNoWatchLine is WatchSpec's error for a schedule monitor watch cannot
// follow: @every (no crontab line runs at its times), or a fixed time in an
// hour a daylight-saving change skips, which cron runs late and the
// controller not at all (watch would report a run that never was).
var ErrNoWatchLine = errors.New("no schedule line for opkuma monitor watch: the controller's runs differ from cron's")

// WatchSpec returns the schedule line monitor watch reads from c's monitor:
// its schedule as the crontab line that runs at the same times, in its zone
// (spec.timeZone, else controller), with runtime and margin (negative:
// watch.DefaultMargin); startingDeadlineSeconds widens the margin, as a Job
// may start that late. It checks the next two years for a change of the
// zone where the controller and cron part ways; then ErrNoWatchLine.
func (c *CronJob) WatchSpec(controller *time.Location, from time.Time, runtime, margin time.Duration) (*watch.Spec, error) {
	loc, err := c.Location(controller)
	if err != nil {
		return nil, err
	}
	cr, err := c.cron()
	if err != nil {
		return nil, err
	}
	line, ok := cr.vixie()
	if !ok || cr.every > 0 {
		return nil, ErrNoWatchLine
	}
	s, err := schedule.Parse(line)
	if err != nil {
		return nil, err
	}
	if !cr.agrees(s, loc, from.In(loc), from.In(loc).AddDate(2, 0, 0)) {
		return nil, ErrNoWatchLine
	}
	if own, err := schedule.Parse(c.Schedule); err == nil && sameRuns(own, s, loc, from, 1000) {
		line = c.Schedule // as the user wrote it: "*/15", not "0,15,30,45"
	}
	if margin < 0 {
		margin = watch.DefaultMargin
	}
	if d := c.StartingDeadlineSeconds; d != nil && *d > 0 {
		margin += time.Duration(*d) * time.Second
	}
	spec := &watch.Spec{Schedule: line, TZ: loc.String(), Runtime: runtime, Margin: margin}
	if _, _, err := spec.Compile(); err != nil {
		return nil, err
	}
	return spec, nil
}

// agrees reports whether cron, running s in loc, and the controller,
// running c, start the same runs around each change of loc's offset from
// from until end.
func (c *cron) agrees(s *schedule.Schedule, loc *time.Location, from, end time.Time) bool {
	for t := from; ; {
		_, change := t.ZoneBounds()
		if change.IsZero() || !change.Before(end) || !change.After(t) {
			return true
		}
		before := change.Add(-time.Second)
		want, ok := s.Next(loc, before)
		if got := c.next(loc, before); !ok || !got.Equal(want) {
			return false
		}
		t = change.Add(time.Second)
	}
}

// sameRuns reports whether a and b start the same n runs after from.
func sameRuns(a, b *schedule.Schedule, loc *time.Location, from time.Time, n int) bool {
	ta, tb := from, from
	for range n {
		var okA, okB bool
		ta, okA = a.Next(loc, ta)
		tb, okB = b.Next(loc, tb)
		if okA != okB || !ta.Equal(tb) {
			return false
		}
		if !okA {
			return true
		}
	}
	return true
}
