// Package provision decides and makes the changes that give a crontab job
// an Uptime Kuma Push monitor: the monitor's settings for the job's
// schedule (Plan), what creating or updating it takes (Decide, read-only),
// doing it (Apply), each job's monitor name and url-file (JobName,
// AssignNames), writing url-files and crontabs in place (WriteURLFile,
// ReplaceLines, InstallFile, InstallUserCrontab), and whether a job's
// monitor drifted from what its schedule needs (JobToken, Drift).
//
// It knows Uptime Kuma's words, never opkuma's flags: its errors are typed
// so that the command line can word them.
package provision

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/opkuma/opkuma/internal/kumaapi"
	"github.com/opkuma/opkuma/internal/schedule"
)

// Target is what a job's monitor should have.
type Target struct {
	Interval      int // seconds
	Retries       int
	RetryInterval int // seconds; 0: leave as it is
}

// Plan turns an advised interval (seconds) and the Retries the user wants
// into monitor settings. Beyond Uptime Kuma's largest interval, retries at
// that interval cover the rest.
func Plan(advised int64, retries int) Target {
	if advised <= schedule.MaxInterval {
		return Target{Interval: int(advised), Retries: retries}
	}
	n := (advised + schedule.MaxInterval - 1) / schedule.MaxInterval
	return Target{Interval: schedule.MaxInterval, Retries: retries + int(n) - 1, RetryInterval: schedule.MaxInterval}
}

// String says t for the user: "interval 3720 s, retries 0".
func (t Target) String() string {
	s := fmt.Sprintf("interval %d s, retries %d", t.Interval, t.Retries)
	if t.RetryInterval > 0 {
		s += fmt.Sprintf(", retry interval %d s", t.RetryInterval)
	}
	return s
}

// Job is the monitor one job needs.
type Job struct {
	Name string
	Tag  string // "": any monitor of the name; a new one gets no tag
	Want Target
}

// Decision is what provisioning a job's monitor takes, found from the
// monitor list without writing anything.
type Decision struct {
	Job      Job
	Existing *kumaapi.Monitor // nil: create it
	Changes  map[string]any   // for Existing: the fields to edit; none: unchanged
	Said     []string         // the changes, for the user
}

// String says what Apply would do, for a dry run.
func (d Decision) String() string {
	switch {
	case d.Existing == nil:
		return "to create: " + d.Job.Want.String()
	case len(d.Changes) > 0:
		return "to update: " + strings.Join(d.Said, ", ")
	}
	return "unchanged: " + d.Job.Want.String()
}

// AmbiguousError is returned by Decide when more than one Push monitor
// has the job's name (and tag): it cannot tell which is the job's.
type AmbiguousError struct {
	Name string
	IDs  []int
}

// Error says how many Push monitors have the name, and their ids.
func (e *AmbiguousError) Error() string {
	ids := make([]string, len(e.IDs))
	for i, id := range e.IDs {
		ids[i] = strconv.Itoa(id)
	}
	return fmt.Sprintf("%d Push monitors are named %q (ids %s)", len(e.IDs), e.Name, strings.Join(ids, ", "))
}

// NotPushError is returned by Decide when the monitors of the job's name
// are all of another type than push.
type NotPushError struct {
	Name   string
	Others []kumaapi.Monitor
}

// Error names the monitors of the name and their types.
func (e *NotPushError) Error() string {
	other := make([]string, len(e.Others))
	for i, m := range e.Others {
		other[i] = fmt.Sprintf("%d (%s)", m.ID, m.Type)
	}
	return fmt.Sprintf("monitor %q is not a Push monitor (id %s)", e.Name, strings.Join(other, ", "))
}

// Decide finds j's Push monitor by name (and tag) among monitors and
// decides whether to create it, update it, or leave it. It fails with
// *AmbiguousError or *NotPushError.
func Decide(monitors []kumaapi.Monitor, j Job) (Decision, error) {
	var found, other []kumaapi.Monitor
	for _, m := range monitors {
		if m.Name != j.Name || (j.Tag != "" && !m.HasTag(j.Tag)) {
			continue
		}
		if m.Type != "push" {
			other = append(other, m)
			continue
		}
		found = append(found, m)
	}
	switch {
	case len(found) > 1:
		ids := make([]int, len(found))
		for i, f := range found {
			ids[i] = f.ID
		}
		return Decision{}, &AmbiguousError{Name: j.Name, IDs: ids}
	case len(found) == 0 && len(other) > 0:
		return Decision{}, &NotPushError{Name: j.Name, Others: other}
	case len(found) == 0:
		return Decision{Job: j}, nil
	}
	m := found[0]
	d := Decision{Job: j, Existing: &m, Changes: map[string]any{}}
	want := j.Want
	if m.Interval != want.Interval {
		d.Changes["interval"] = want.Interval
		d.Said = append(d.Said, fmt.Sprintf("interval %d -> %d s", m.Interval, want.Interval))
	}
	if m.MaxRetries != want.Retries {
		d.Changes["maxretries"] = want.Retries
		d.Said = append(d.Said, fmt.Sprintf("retries %d -> %d", m.MaxRetries, want.Retries))
	}
	if want.RetryInterval != 0 && m.RetryInterval != want.RetryInterval {
		d.Changes["retryInterval"] = want.RetryInterval
		d.Said = append(d.Said, fmt.Sprintf("retry interval %d -> %d s", m.RetryInterval, want.RetryInterval))
	}
	return d, nil
}

// Drift lists how m differs from what a job that needs want can live
// with: a longer interval than wanted is fine. None: m is right.
func Drift(m kumaapi.Monitor, want Target) []string {
	var p []string
	if m.Type != "push" {
		p = append(p, fmt.Sprintf("type %s, not push", m.Type))
	}
	if !m.Active {
		p = append(p, "paused")
	}
	if m.Interval < want.Interval {
		p = append(p, fmt.Sprintf("interval %d s < advised %d s", m.Interval, want.Interval))
	}
	if m.MaxRetries != want.Retries {
		p = append(p, fmt.Sprintf("retries %d, want %d", m.MaxRetries, want.Retries))
	}
	if want.RetryInterval != 0 && m.RetryInterval < want.RetryInterval {
		p = append(p, fmt.Sprintf("retry interval %d s < %d s", m.RetryInterval, want.RetryInterval))
	}
	return p
}
