package watch

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Status is a heartbeat's status, numbered as Uptime Kuma numbers it.
type Status int

// The statuses of a heartbeat.
const (
	Down        Status = 0
	Up          Status = 1
	Pending     Status = 2
	Maintenance Status = 3
)

// String returns the status as Uptime Kuma's UI names it, lower-case.
func (s Status) String() string {
	switch s {
	case Down:
		return "down"
	case Up:
		return "up"
	case Pending:
		return "pending"
	case Maintenance:
		return "maintenance"
	}
	return "status " + strconv.Itoa(int(s))
}

// Beat is one heartbeat of a monitor, as Uptime Kuma recorded it.
type Beat struct {
	Time   time.Time // when the server recorded it, by the server's clock
	Status Status
	Msg    string
}

// MonitorState is what Decide needs to know of the monitor itself.
type MonitorState struct {
	Active        bool // false: paused (so the zero value pushes nothing)
	InMaintenance bool // in one of Uptime Kuma's maintenance windows now
}

// Action is Decide's answer for one monitor: push a down beat, or nothing.
type Action struct {
	Push     bool      // push status=down with Msg
	Msg      string    // the down push's message, when Push
	Run      time.Time // the run looked at, in the schedule's zone; zero if none is due
	Deadline time.Time // when Run's heartbeat was due: Run + runtime + margin
	Why      string    // why, in one line, for -v
}

// Skew is how far Uptime Kuma's clock may be behind the job host's: a beat
// recorded up to Skew before a run's scheduled time counts for the run, so
// a job of a few seconds on a host whose clock runs ahead is not reported
// missed. It is below every gap cron allows (a minute).
const Skew = 30 * time.Second

// kumaMissed starts the message of the beats Uptime Kuma adds itself when a
// Push monitor's interval passes (1.23 to 3.0).
const kumaMissed = "No heartbeat in the time window"

// missed starts the message of the down beats Decide asks for.
const missed = "missed the "

// Decide says whether a monitor whose job runs on spec missed a run, at
// now, given the monitor's state and its heartbeats (any order; only those
// since the latest due run matter, so the newest hundred Uptime Kuma sends
// are enough). See the package doc for the rules. It fails only when spec
// does not compile (a *SpecError).
func Decide(spec Spec, mon MonitorState, beats []Beat, now time.Time) (Action, error) {
	sched, loc, err := spec.Compile()
	if err != nil {
		return Action{}, err
	}
	now = now.In(loc)
	run, deadline, ok := sched.LastDue(loc, now, spec.Runtime, spec.Margin)
	if !ok {
		return Action{Why: "no run due: the schedule has not run in the years before now"}, nil
	}
	a := Action{Run: run, Deadline: deadline}
	name := "the " + clock(run, now) + " run"
	switch {
	case !mon.Active:
		a.Why = "paused"
		return a, nil
	case mon.InMaintenance:
		a.Why = "in maintenance"
		return a, nil
	}
	var kuma, pending int
	for _, b := range beats {
		switch {
		case b.Time.Before(run.Add(-Skew)):
			continue
		case strings.HasPrefix(b.Msg, kumaMissed):
			kuma++ // says nothing of the run: not the job, not us
			continue
		case b.Status == Pending && strings.HasPrefix(b.Msg, missed):
			pending++ // our push, held back by Retries (2.0-2.5): again
			continue
		}
		a.Why = fmt.Sprintf("%s has a heartbeat: %s at %s (%q)", name, b.Status, clock(b.Time.In(loc), now), b.Msg)
		return a, nil
	}
	a.Push = true
	a.Msg = fmt.Sprintf("missed %s (%s, %s): no heartbeat by %s", name, sched, spec.TZ, clock(deadline, now))
	a.Why = fmt.Sprintf("no heartbeat since %s started", name)
	if kuma > 0 {
		a.Why += fmt.Sprintf("; %d of Uptime Kuma's own %q beats not counted", kuma, kumaMissed)
	}
	if pending > 0 {
		a.Why += fmt.Sprintf("; %d earlier down push(es) recorded as pending: pushed again until Retries are used up", pending)
	}
	return a, nil
}

// clock writes t as a person reads it next to now (both in the schedule's
// zone): 03:00, or Tue 2026-03-10 03:00 when it is not today; seconds only
// when there are some.
func clock(t, now time.Time) string {
	layout := "15:04"
	if t.Second() != 0 || t.Nanosecond() != 0 {
		layout = "15:04:05"
	}
	if y, m, d := t.Date(); y != now.Year() || m != now.Month() || d != now.Day() {
		layout = "Mon 2006-01-02 " + layout
	}
	return t.Format(layout)
}
