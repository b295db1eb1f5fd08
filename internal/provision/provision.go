// Package provision decides and makes the changes that give a crontab job
// an Uptime Kuma Push monitor: the monitor's settings for the job's
// schedule (Plan), what creating or updating it takes (Decide, read-only),
// doing it (Apply), each job's monitor name and url-file (JobName,
// AssignNames), writing url-files and crontabs in place (WriteURLFile,
// ReplaceLines, InstallFile, InstallUserCrontab), and whether a job's
// monitor drifted from what its schedule needs (JobToken, Compare).
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
	"github.com/opkuma/opkuma/internal/watch"
)

// Target is what a job's monitor should have. The schedule decides the
// interval; Retries are the user's to set in Uptime Kuma, unless asked for.
type Target struct {
	Interval int // seconds
	// Retries: a new monitor's. An existing one's only when SetRetries;
	// else it keeps its own, raised to Retries when fewer (a schedule
	// beyond Uptime Kuma's largest interval needs retries).
	Retries       int
	RetryInterval int // seconds; 0: leave as it is
	// SetRetries: the user asked for Retries, for existing monitors too.
	SetRetries bool
	// Watch, when set, is the schedule line the monitor's description
	// carries for opkuma monitor watch; the rest of the description stays.
	Watch *watch.Spec
}

// Plan turns an advised interval (seconds) and the Retries the user wants
// into monitor settings; set: the user asked for them (else retries is the
// default a new monitor gets). Beyond Uptime Kuma's largest interval,
// retries at that interval cover the rest.
func Plan(advised int64, retries int, set bool) Target {
	interval, extra := schedule.Capped(advised)
	if extra == 0 {
		return Target{Interval: int(interval), Retries: retries, SetRetries: set}
	}
	return Target{Interval: int(interval), Retries: retries + int(extra), RetryInterval: schedule.MaxInterval, SetRetries: set}
}

// retriesOff says whether have, an existing monitor's Retries, must
// change for t, and to what.
func (t Target) retriesOff(have int) (int, bool) {
	if t.SetRetries {
		return t.Retries, have != t.Retries
	}
	return t.Retries, have < t.Retries
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
	Name   string
	Tag    string // "": any monitor of the name; a new one gets no tag
	Want   Target
	Resume bool // resume the monitor when it is paused
}

// Decision is what provisioning a job's monitor takes, found from the
// monitor list without writing anything.
type Decision struct {
	Job      Job
	Existing *kumaapi.Monitor // nil: create it
	Changes  map[string]any   // for Existing: the fields to edit; none: unchanged
	Said     []string         // the changes, for the user
	Resume   bool             // for Existing: resume it (it is paused)
}

// String says what Apply would do, for a dry run.
func (d Decision) String() string {
	var did []string
	switch {
	case d.Existing == nil:
		return "to create: " + d.Job.Want.String()
	case len(d.Changes) > 0:
		did = append(did, "to update: "+strings.Join(d.Said, ", "))
	}
	if d.Resume {
		did = append(did, "to resume")
	}
	if len(did) == 0 {
		return "unchanged: " + settings(*d.Existing)
	}
	return strings.Join(did, "; ")
}

// settings says what of m's settings a job's Target decides.
func settings(m kumaapi.Monitor) string {
	return Target{Interval: m.Interval, Retries: m.MaxRetries}.String()
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
	if r, off := want.retriesOff(m.MaxRetries); off {
		d.Changes["maxretries"] = r
		d.Said = append(d.Said, fmt.Sprintf("retries %d -> %d", m.MaxRetries, r))
	}
	if want.RetryInterval != 0 && m.RetryInterval != want.RetryInterval {
		d.Changes["retryInterval"] = want.RetryInterval
		d.Said = append(d.Said, fmt.Sprintf("retry interval %d -> %d s", m.RetryInterval, want.RetryInterval))
	}
	if said := scheduleLine(m.Description, want.Watch); said != "" {
		d.Changes["description"] = watch.Set(m.Description, *want.Watch)
		d.Said = append(d.Said, said)
	}
	d.Resume = j.Resume && !m.Active
	return d, nil
}

// scheduleLine says what writing the schedule line want into description
// changes: "schedule line added" or "... updated", or "" for nothing (no
// want, or the line reads as want already).
func scheduleLine(description string, want *watch.Spec) string {
	if want == nil {
		return ""
	}
	have, found, err := watch.Parse(description)
	switch {
	case !found:
		return "schedule line added"
	case err != nil || watch.Format(have) != watch.Format(*want):
		return "schedule line updated"
	}
	return ""
}

// Drift is how a monitor differs from what its job needs.
type Drift struct {
	// Paused: paused in Uptime Kuma (the monitor or its group), which
	// refuses its pushes.
	Paused bool
	// Problems are the other differences that need a change, in Uptime
	// Kuma's words.
	Problems []string
	// Notes are worth knowing but not wrong: Retries the user set.
	Notes []string
}

// Drifts reports whether d needs a change.
func (d Drift) Drifts() bool { return d.Paused || len(d.Problems) > 0 }

// Compare finds how m differs from what a job that needs want can live
// with: a longer interval than wanted is fine; other Retries than wanted
// are a problem only when want.SetRetries, else a note (fewer than a
// schedule beyond Uptime Kuma's largest interval needs: a problem).
func Compare(m kumaapi.Monitor, want Target) Drift {
	var d Drift
	if m.Type != "push" {
		d.Problems = append(d.Problems, fmt.Sprintf("type %s, not push", m.Type))
	}
	d.Paused = !m.Active
	if m.Interval < want.Interval {
		d.Problems = append(d.Problems, fmt.Sprintf("interval %d s < advised %d s", m.Interval, want.Interval))
	}
	switch r, off := want.retriesOff(m.MaxRetries); {
	case off:
		d.Problems = append(d.Problems, fmt.Sprintf("retries %d, want %d", m.MaxRetries, r))
	case m.MaxRetries != r:
		d.Notes = append(d.Notes, fmt.Sprintf("retries %d: alerts come only after %d retries", m.MaxRetries, m.MaxRetries))
	}
	if want.RetryInterval != 0 && m.RetryInterval < want.RetryInterval {
		d.Problems = append(d.Problems, fmt.Sprintf("retry interval %d s < %d s", m.RetryInterval, want.RetryInterval))
	}
	return d
}
