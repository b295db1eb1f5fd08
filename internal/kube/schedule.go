package kube

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/opkuma/opkuma/internal/schedule"
)

// ErrSuspended is returned by Gap and Advise for a suspended CronJob: the
// controller starts no Jobs for it, so no heartbeat interval fits it.
var ErrSuspended = errors.New("kube: cronjob is suspended: it starts no jobs")

// ScheduleError is a spec.schedule Kubernetes rejects, or one it accepts
// that never runs (the 30th of February).
type ScheduleError struct {
	Schedule string
	Reason   string
}

// Error says what is wrong, and with what.
func (e *ScheduleError) Error() string {
	return fmt.Sprintf("kube: schedule %q: %s", e.Schedule, e.Reason)
}

// TimeZoneError is a spec.timeZone Kubernetes rejects.
type TimeZoneError struct {
	TimeZone string
	Reason   string
}

// Error says what is wrong, and with what.
func (e *TimeZoneError) Error() string {
	return fmt.Sprintf("kube: time zone %q: %s", e.TimeZone, e.Reason)
}

// validTimeZoneCharacters is Kubernetes' (pkg/apis/batch/validation
// validateTimeZone): a component of an IANA name.
var validTimeZoneCharacters = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z\.\-_0-9+]{1,14}$`) })

// Location returns the zone the controller runs c's schedule in:
// spec.timeZone, or controller (the kube-controller-manager's own zone,
// UTC when nil) when it is unset. It returns a *TimeZoneError for a zone
// Kubernetes rejects: empty, "Local", not an IANA name, or unknown here.
func (c *CronJob) Location(controller *time.Location) (*time.Location, error) {
	if c.TimeZone == nil {
		if controller == nil {
			return time.UTC, nil
		}
		return controller, nil
	}
	tz := *c.TimeZone
	if tz == "" {
		return nil, &TimeZoneError{tz, "must be unset or an IANA name"}
	}
	for _, part := range strings.Split(tz, "/") {
		if part == "." || part == ".." || strings.HasPrefix(part, "-") || !validTimeZoneCharacters().MatchString(part) {
			return nil, &TimeZoneError{tz, "not an IANA time zone name"}
		}
	}
	if strings.EqualFold(tz, "Local") {
		return nil, &TimeZoneError{tz, "must be an explicit IANA time zone, not Local"}
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, &TimeZoneError{tz, "unknown time zone: " + err.Error()}
	}
	return loc, nil
}

// cron returns c's schedule as the controller reads it, or a
// *ScheduleError.
func (c *CronJob) cron() (*cron, error) {
	// Kubernetes rejects "TZ" anywhere in a new CronJob's schedule.
	if strings.Contains(c.Schedule, "TZ") {
		return nil, &ScheduleError{c.Schedule, "TZ= and CRON_TZ= are not allowed: set spec.timeZone"}
	}
	cr, err := parseCron(c.Schedule)
	if err != nil {
		return nil, &ScheduleError{c.Schedule, err.Error()}
	}
	return cr, nil
}

// Gap returns the largest time between two consecutive Jobs of c from
// from on, over schedule.DefaultHorizon years, in the zone Location
// returns: the largest gap between two scheduled runs, widened by
// startingDeadlineSeconds, since the controller may start a run that
// late. Its errors: ErrSuspended, *TimeZoneError, *ScheduleError.
func (c *CronJob) Gap(controller *time.Location, from time.Time) (schedule.Gap, error) {
	if c.Suspend {
		return schedule.Gap{}, ErrSuspended
	}
	loc, err := c.Location(controller)
	if err != nil {
		return schedule.Gap{}, err
	}
	cr, err := c.cron()
	if err != nil {
		return schedule.Gap{}, err
	}
	g, err := cr.gap(loc, from)
	if err != nil {
		return schedule.Gap{}, &ScheduleError{c.Schedule, err.Error()}
	}
	if s := c.StartingDeadlineSeconds; s != nil && *s > 0 {
		late := time.Duration(*s) * time.Second
		g.Length += late
		g.To = g.To.Add(late)
	}
	return g, nil
}

// Advise returns the heartbeat interval a Push monitor of c needs: its
// Gap + runtime + margin (a negative margin: schedule.Margin of the gap).
// The Job's activeDeadlineSeconds, when set, bounds its runtime. Its
// errors are Gap's.
func (c *CronJob) Advise(controller *time.Location, from time.Time, runtime, margin time.Duration, uncapped bool) (schedule.Advice, error) {
	g, err := c.Gap(controller, from)
	if err != nil {
		return schedule.Advice{}, err
	}
	return schedule.AdviseGap(g, runtime, margin, uncapped), nil
}

// gap returns the largest gap between two runs of c from from on in loc.
func (c *cron) gap(loc *time.Location, from time.Time) (schedule.Gap, error) {
	from = from.In(loc)
	if c.every > 0 {
		return schedule.Gap{Length: c.every, From: from, To: from.Add(c.every)}, nil
	}
	spec, ok := c.vixie()
	if !ok {
		return schedule.Gap{}, errors.New("a field matches no value: the controller never starts it")
	}
	s, err := schedule.Parse(spec)
	if err != nil {
		return schedule.Gap{}, err
	}
	g, err := s.Gap(loc, from, schedule.DefaultHorizon)
	if err != nil {
		return schedule.Gap{}, errors.New("it runs at most once in " + fmt.Sprint(schedule.DefaultHorizon) + " years")
	}
	if strings.HasPrefix(spec, "*") || strings.HasPrefix(strings.Fields(spec)[1], "*") {
		return g, nil // run by the clock in both: the gaps agree
	}
	// A fixed-time run in the hour skipped in spring: cronie runs it
	// right after the change, robfig not at all. The gap around it is
	// from the last run before the change to robfig's next.
	end := from.AddDate(schedule.DefaultHorizon, 0, 0)
	for t := from; ; {
		_, change := t.ZoneBounds()
		if change.IsZero() || !change.Before(end) || !change.After(t) {
			break
		}
		_, before := change.Add(-time.Second).Zone()
		_, after := change.Zone()
		if after > before {
			last, ok := s.Prev(loc, change.Add(-time.Second))
			next := c.next(loc, change.Add(-time.Second))
			if ok && !last.Before(from) && !next.IsZero() && next.Sub(last) > g.Length {
				g = schedule.Gap{Length: next.Sub(last), From: last, To: next}
			}
		}
		// From just after it: at the instant of a change, a zone from
		// a POSIX TZ rule (beyond the tzdata table) says it ends there.
		t = change.Add(time.Second)
	}
	return g, nil
}
