package kube

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/opkuma/opkuma/internal/kumaapi"
	"github.com/opkuma/opkuma/internal/provision"
	"github.com/opkuma/opkuma/internal/report"
	"github.com/opkuma/opkuma/internal/schedule"
)

// ErrListedTwice is the reason a CronJob is left when an earlier one of
// the input has the same namespace and name.
var ErrListedTwice = errors.New("listed twice: the first one is provisioned")

// Monitor is the Push monitor one CronJob needs, and what provisioning it
// takes.
type Monitor struct {
	Job      *CronJob
	Decision provision.Decision
}

// Left is a CronJob that provisioning leaves alone, and why: ErrSuspended,
// ErrListedTwice, a *NameError, a *ScheduleError or a *TimeZoneError.
type Left struct {
	Job    *CronJob
	Reason error
}

// Planner is how Plan sets up the CronJobs' monitors.
type Planner struct {
	Advisor    *schedule.Advisor
	Controller *time.Location // the zone of a schedule without spec.timeZone (nil: UTC)
	// Tag tells this cluster's monitors from another's of the same
	// NAMESPACE/NAME (a cluster name); "": any monitor of the name.
	Tag        string
	Retries    int
	RetriesSet bool
}

// Plan decides, among monitors, the Push monitor of each CronJob of jobs
// that the controller runs: named MonitorName, with the interval the
// Advisor gives its schedule. The others are left, with the reason. It
// fails with provision.Decide's errors (*provision.AmbiguousError,
// *provision.NotPushError).
func (p Planner) Plan(jobs []CronJob, monitors []kumaapi.Monitor) ([]Monitor, []Left, error) {
	var (
		mons []Monitor
		left []Left
		seen = map[string]bool{}
	)
	for i := range jobs {
		c := &jobs[i]
		if err := p.check(c, seen); err != nil {
			left = append(left, Left{c, err})
			continue
		}
		a, err := c.AdviseBy(p.Advisor, p.Controller)
		if err != nil {
			left = append(left, Left{c, err})
			continue
		}
		want := provision.Plan(a.Interval, p.Retries, p.RetriesSet)
		if loc, err := c.Location(p.Controller); err == nil {
			want.Watch, _ = c.WatchSpec(p.Controller, p.Advisor.Start(loc), p.Advisor.Runtime, p.Advisor.Margin)
		}
		d, err := provision.Decide(monitors, provision.Job{Name: c.MonitorName(), Tag: p.Tag, Want: want})
		if err != nil {
			return nil, nil, err
		}
		mons = append(mons, Monitor{c, d})
	}
	return mons, left, nil
}

// check returns why c gets no monitor, or nil; seen holds the names
// planned so far.
func (p Planner) check(c *CronJob, seen map[string]bool) error {
	switch err := c.checkNames(); {
	case c.Suspend:
		return ErrSuspended
	case err != nil:
		return err
	case seen[c.MonitorName()]:
		return ErrListedTwice
	}
	seen[c.MonitorName()] = true
	return nil
}

// WriteLeft writes a line per CronJob left: "NAMESPACE/NAME: left as it
// is: REASON".
func WriteLeft(w io.Writer, left []Left) {
	for _, l := range left {
		fmt.Fprintf(w, "%s: left as it is: %v\n", l.Job.MonitorName(), l.Reason)
	}
}

// URLFile returns the url-file of c's push URL in dir:
// DIR/NAMESPACE_NAME.url; a *NameError as FileStem.
func (c *CronJob) URLFile(dir string) (string, error) {
	stem, err := c.FileStem()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, stem+".url"), nil
}

// Counts returns how many of mons Apply creates and updates (or
// resumes); the others are unchanged.
func Counts(mons []Monitor) (creates, updates int) {
	for _, m := range mons {
		switch d := m.Decision; {
		case d.Existing == nil:
			creates++
		case len(d.Changes) > 0 || d.Resume:
			updates++
		}
	}
	return creates, updates
}

// WriteDryRun says, a line per monitor, what Apply would do and where
// the push URL would go: the url-file in dir (written, or there), or,
// when dir is "", a Secret. It returns the line that sums it up.
func WriteDryRun(w io.Writer, mons []Monitor, dir string) (summary string) {
	files := 0
	for _, m := range mons {
		id := "new"
		if m.Decision.Existing != nil {
			id = fmt.Sprintf("id %d", m.Decision.Existing.ID)
		}
		to := fmt.Sprintf("Secret %s/%s", m.Job.Namespace, m.Job.SecretName())
		if dir != "" {
			file, _ := m.Job.URLFile(dir) // Plan left the CronJobs without one
			state := "exists"
			if _, err := os.Lstat(file); err != nil {
				state = "to write"
				files++
			}
			to = "url-file " + file + ": " + state
		}
		fmt.Fprintf(w, "%s: monitor %q (%s): %s; %s\n", m.Job.MonitorName(), m.Job.MonitorName(), id, m.Decision, to)
	}
	creates, updates := Counts(mons)
	hand := "prints " + report.Plural(len(mons), "Secret", "Secrets")
	if dir != "" {
		hand = "writes " + report.Plural(files, "url-file", "url-files")
	}
	return fmt.Sprintf("dry run, nothing changed: --write creates %s, updates %d and %s", report.Plural(creates, "monitor", "monitors"), updates, hand)
}

// Done sums up what Apply did to mons: "nothing changed" when every
// monitor was as it should be.
func Done(mons []Monitor) string {
	creates, updates := Counts(mons)
	if creates+updates == 0 {
		return fmt.Sprintf("nothing changed: %s as the schedules need", report.Plural(len(mons), "monitor", "monitors"))
	}
	return fmt.Sprintf("%s created, %d updated, %d unchanged", report.Plural(creates, "monitor", "monitors"), updates, len(mons)-creates-updates)
}
