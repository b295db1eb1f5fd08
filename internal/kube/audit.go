package kube

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/opkuma/opkuma/internal/report"
	"github.com/opkuma/opkuma/internal/schedule"
	"github.com/opkuma/opkuma/pusher"
)

// Problems the audit reports beside Check's, for what Kubernetes rejects.
const (
	BadName     Problem = "bad-name"
	BadSchedule Problem = "bad-schedule"
	BadTimeZone Problem = "bad-time-zone"
)

// Row is the audit of one CronJob.
type Row struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Schedule  string `json:"schedule"`
	// TimeZone is the zone its schedule runs in: spec.timeZone, else the
	// controller's ("" when spec.timeZone is one Kubernetes rejects).
	TimeZone  string       `json:"time_zone"`
	Suspended bool         `json:"suspended"`
	Monitored bool         `json:"monitored"`
	Interval  int64        `json:"interval_seconds,omitempty"`
	Gap       int64        `json:"largest_gap_seconds,omitempty"`
	Note      string       `json:"note,omitempty"`
	Problems  []ProblemRow `json:"problems"`
}

// where is the row's NAMESPACE/NAME.
func (r Row) where() string { return r.Namespace + "/" + r.Name }

// ProblemRow is one problem of a CronJob, with what to do about it.
type ProblemRow struct {
	Problem   Problem `json:"problem"`
	Container string  `json:"container,omitempty"`
	Message   string  `json:"message"`
	Fix       string  `json:"fix"`
}

// Result is the audit of the CronJobs of manifests, as opkuma cronjobs
// --json prints it.
type Result struct {
	CronJobs  []Row `json:"cronjobs"`
	Total     int   `json:"cronjobs_total"`
	Monitored int   `json:"cronjobs_monitored"`
	Suspended int   `json:"cronjobs_suspended"`
	Problems  int   `json:"problems"`
	// Skipped counts the objects that are not CronJobs.
	Skipped int `json:"other_objects_skipped"`
}

// AdviseBy returns the heartbeat interval ad advises for c (Advise with
// ad's runtime, margin, start day in c's zone, and cap). Its errors are
// Gap's.
func (c *CronJob) AdviseBy(ad *schedule.Advisor, controller *time.Location) (schedule.Advice, error) {
	loc, err := c.Location(controller)
	if err != nil {
		return schedule.Advice{}, err
	}
	return c.Advise(controller, ad.Start(loc), ad.Runtime, ad.Margin, ad.Uncapped)
}

// Audit checks each of jobs: the interval ad advises for its monitor (its
// zone: spec.timeZone, else controller), whether a container runs under
// opkuma run (monitored reads a container's argv), and Check's findings,
// each with its fix. A suspended CronJob gets a note instead, and only
// the push URLs its manifest shows. skipped is what Read skipped.
func Audit(jobs []CronJob, skipped []Skipped, ad *schedule.Advisor, controller *time.Location, monitored func(argv []string) bool) Result {
	res := Result{CronJobs: []Row{}, Total: len(jobs), Skipped: len(skipped)}
	for i := range jobs {
		r := jobs[i].audit(ad, controller, monitored)
		if r.Monitored {
			res.Monitored++
		}
		if r.Suspended {
			res.Suspended++
		}
		res.Problems += len(r.Problems)
		res.CronJobs = append(res.CronJobs, r)
	}
	return res
}

// audit is the row of c.
func (c *CronJob) audit(ad *schedule.Advisor, controller *time.Location, monitored func([]string) bool) Row {
	r := Row{Namespace: c.Namespace, Name: c.Name, Schedule: c.Schedule, Suspended: c.Suspend,
		Monitored: c.Monitored(monitored), Problems: []ProblemRow{}}
	if loc, err := c.Location(controller); err == nil {
		r.TimeZone = loc.String()
	}
	if c.Suspend {
		r.Note = "suspended: the controller starts no Jobs, so no monitor is needed until it is resumed (provision skips it)"
	}
	if err := c.checkNames(); err != nil {
		r.Problems = append(r.Problems, ProblemRow{Problem: BadName, Message: err.Error(), Fix: "Kubernetes rejects this name: correct metadata.name or metadata.namespace"})
	}
	for _, f := range c.Check(monitored) {
		if c.Suspend && f.Problem != PushURLInManifest || f.Problem == Suspended {
			continue
		}
		msg, fix := f.Describe()
		r.Problems = append(r.Problems, ProblemRow{Problem: f.Problem, Container: f.Container, Message: msg, Fix: fix})
	}
	if c.Suspend {
		return r
	}
	a, err := c.AdviseBy(ad, controller)
	var tz *TimeZoneError
	switch {
	case errors.As(err, &tz):
		r.Problems = append(r.Problems, ProblemRow{Problem: BadTimeZone, Message: err.Error(), Fix: "set spec.timeZone to an IANA name like Europe/Berlin, or leave it out"})
	case err != nil:
		r.Problems = append(r.Problems, ProblemRow{Problem: BadSchedule, Message: err.Error(), Fix: "correct spec.schedule: 5 fields or a descriptor like @daily, as the CronJob controller reads them"})
	default:
		r.Interval, r.Gap, r.Note = a.Value(), a.GapSeconds(), a.Warning()
	}
	return r
}

// Describe returns what f means and what to do about it, push tokens
// redacted.
func (f Finding) Describe() (msg, fix string) {
	switch f.Problem {
	case ConcurrentRuns:
		msg = f.Text + ": runs may overlap, and opkuma run's --lock holds on one node only"
		fix = "set spec.concurrencyPolicy: Forbid"
	case NoActiveDeadline:
		msg = "the Job has no activeDeadlineSeconds: a hung run is never stopped"
		fix = "set spec.jobTemplate.spec.activeDeadlineSeconds above the job's longest run, and opkuma run --timeout below it"
	case NotMonitored:
		msg = fmt.Sprintf("container %q does not run its command under opkuma run", f.Container)
		if f.Text != "" {
			msg += " (" + f.Text + ")"
		}
		fix = `make its command ["/opkuma", "run", "--url-file", "/etc/opkuma/url", "--", ...] with the push URL's Secret mounted at /etc/opkuma (opkuma cronjobs provision --secrets)`
	case PushURLInManifest:
		msg = fmt.Sprintf("container %q has a push URL in its %s (%s): anyone who can read the CronJob can push to its monitor", f.Container, f.Field, f.Text)
		fix = "keep the URL in a Secret mounted as a file (opkuma cronjobs provision --secrets) and give opkuma run --url-file"
	case Suspended:
		msg, fix = "suspended: the controller starts no Jobs", "set spec.suspend: false, or remove its monitor"
	default:
		msg, fix = string(f.Problem)+" "+f.Text, "see opkuma cronjobs --help"
	}
	return pusher.Redact(msg), pusher.Redact(fix)
}

// WriteJSON writes the result as JSON, tokens hidden.
func (res Result) WriteJSON(w io.Writer) error {
	return report.JSON(w, res)
}

// WriteText writes a line per interval, note and problem of each CronJob,
// "NAMESPACE/NAME: ...", a line for the objects skipped, and the summary
// line; tokens hidden.
func (res Result) WriteText(w io.Writer) error {
	out := report.To(w)
	for _, r := range res.CronJobs {
		if r.Interval > 0 {
			out.Interval(r.where(), r.Interval, r.Gap)
		}
		out.Note(r.where(), r.Note)
		for _, p := range r.Problems {
			out.Problem(r.where(), p.Message, p.Fix)
		}
	}
	if res.Skipped > 0 {
		out.Printf("%s skipped: not batch/v1 CronJobs", report.Plural(res.Skipped, "other object", "other objects"))
	}
	out.Printf("%s, %d under opkuma run, %d suspended, %s", report.Plural(res.Total, "CronJob", "CronJobs"), res.Monitored, res.Suspended, report.Plural(res.Problems, "problem", "problems"))
	return out.Err()
}

// Monitored reports whether a container of c runs its command under
// opkuma run: its command (then args) given, and monitored says so of
// them. Args alone do not count: the image's entrypoint runs them.
func (c *CronJob) Monitored(monitored func(argv []string) bool) bool {
	for _, k := range c.Containers {
		if len(k.Command) > 0 && monitored(append(append([]string{}, k.Command...), k.Args...)) {
			return true
		}
	}
	return false
}
