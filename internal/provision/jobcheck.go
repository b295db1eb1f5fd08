package provision

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/opkuma/opkuma/internal/crontab"
	"github.com/opkuma/opkuma/internal/kumaapi"
	"github.com/opkuma/opkuma/internal/schedule"
	"github.com/opkuma/opkuma/internal/watch"
)

// Checked is one job of a crontab that runs under opkuma run, and what
// comparing it with its monitor found (opkuma monitor check).
type Checked struct {
	Where    string           // FILE:LINE
	Token    string           // the push token of its URL
	Advised  int64            // the interval its schedule needs
	Schedule string           // the crontab's schedule, in Loc
	Loc      *time.Location   // CRON_TZ=, else the zone asked for
	Monitor  *kumaapi.Monitor // the monitor with Token; nil: none found
	Problems []string         // drift, or what kept the job from being compared
	Notes    []string
	Paused   bool // the monitor itself (not its group) is paused
}

// CheckedJobs lists the jobs of sources that run under opkuma run, each
// with the interval ad advises for its schedule in its zone (loc, or the
// CRON_TZ= above it) and its push token (JobToken), or the problem that
// keeps it from being compared: word says an error of JobToken.
func CheckedJobs(sources []crontab.Source, loc *time.Location, ad *schedule.Advisor, w crontab.Wrapper, getenv func(string) string, word func(error) string) []*Checked {
	var jobs []*Checked
	for _, src := range sources {
		locs := crontab.Zones(src.Lines, loc)
		vars := map[string]string{}
		for i, l := range src.Lines {
			if l.Kind == crontab.Env {
				vars[l.Name] = l.Value
			}
			if l.Kind != crontab.Job || !l.Monitored() {
				continue
			}
			j := &Checked{Where: fmt.Sprintf("%s:%d", src.Name, l.Number), Schedule: l.Schedule, Loc: locs[i]}
			jobs = append(jobs, j)
			a, err := ad.Advise(l.Schedule, locs[i])
			if err != nil {
				j.Problems = append(j.Problems, "schedule: "+err.Error())
				continue
			}
			j.Advised = a.Interval
			if j.Token, err = JobToken(l.Command(), vars, getenv, w); err != nil {
				j.Problems = append(j.Problems, word(err))
			}
		}
	}
	return jobs
}

// CompareAll compares each job that has no problem yet with the monitor
// of its token among monitors, which should have the settings of
// Plan(j.Advised, retries, retriesSet) and the job's schedule line
// (deadlines from now); zone names the zone of a job's schedule for the
// line (watch.ZoneName). It returns how many jobs drift.
func CompareAll(jobs []*Checked, monitors []kumaapi.Monitor, retries int, retriesSet bool, zone func(*time.Location) string, now time.Time) (drift int) {
	byToken := map[string]kumaapi.Monitor{}
	for _, m := range monitors {
		if m.PushToken != "" {
			byToken[m.PushToken] = m
		}
	}
	for _, j := range jobs {
		if len(j.Problems) == 0 {
			if m, ok := byToken[j.Token]; ok {
				j.Monitor = &m
				j.compare(m, Plan(j.Advised, retries, retriesSet), zone, now)
			} else {
				j.Problems = []string{"no monitor has this job's push token (deleted? another Uptime Kuma?)"}
			}
		}
		if len(j.Problems) > 0 {
			drift++
		}
	}
	return drift
}

// compare adds to j how its monitor m differs from want, and what
// schedule line it carries.
func (j *Checked) compare(m kumaapi.Monitor, want Target, zone func(*time.Location) string, now time.Time) {
	d := Compare(m, want)
	switch {
	case m.GroupPaused:
		j.Problems = append(j.Problems, "paused (its group, in Uptime Kuma): resume the group there")
	case d.Paused:
		j.Problems = append(j.Problems, "paused (in Uptime Kuma): resume it there, or run opkuma monitor ensure --resume")
		j.Paused = true
	}
	j.Problems = append(j.Problems, d.Problems...)
	j.Notes = d.Notes
	problem, note := j.watchNote(m, zone, now)
	if problem != "" {
		j.Problems = append(j.Problems, problem)
	}
	if note != "" {
		j.Notes = append(j.Notes, note)
	}
}

// watchNote says what schedule monitor watch reads from m and its next
// deadline, or (a problem) that it is not the crontab's.
func (j *Checked) watchNote(m kumaapi.Monitor, zone func(*time.Location) string, now time.Time) (problem, note string) {
	text, found, err := watch.Describe(m.Description, now)
	switch {
	case !found:
		return "", "no schedule line: opkuma monitor watch passes it by (opkuma monitor ensure writes it)"
	case err != nil:
		return "schedule line: " + strings.TrimPrefix(err.Error(), "watch: "), ""
	}
	have, _, _ := watch.Parse(m.Description)
	if want := (watch.Spec{Schedule: j.Schedule, TZ: zone(j.Loc)}); want.TZ != "" && !watch.SameRuns(have, want) {
		return fmt.Sprintf("schedule line %q (%s), the crontab's %q (%s): opkuma monitor ensure sets it", have.Schedule, have.TZ, want.Schedule, want.TZ), ""
	}
	return "", text
}

// WriteChecked writes a line per job: ok with its advised interval, or its
// drift, and its notes. It reports whether a monitor itself is paused.
func WriteChecked(w io.Writer, jobs []*Checked) (paused bool) {
	for _, j := range jobs {
		name, note := "-", ""
		if j.Monitor != nil {
			name = fmt.Sprintf("%q (id %d)", j.Monitor.Name, j.Monitor.ID)
		}
		if len(j.Notes) > 0 {
			note = "; note: " + strings.Join(j.Notes, "; ")
		}
		if len(j.Problems) == 0 {
			fmt.Fprintf(w, "%s: %s: ok, advised interval %d s%s\n", j.Where, name, j.Advised, note)
			continue
		}
		paused = paused || j.Paused
		fmt.Fprintf(w, "%s: %s: drift: %s%s\n", j.Where, name, strings.Join(j.Problems, "; "), note)
	}
	return paused
}
