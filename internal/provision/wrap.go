package provision

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/opkuma/opkuma/internal/crontab"
	"github.com/opkuma/opkuma/internal/kumaapi"
	"github.com/opkuma/opkuma/internal/report"
	"github.com/opkuma/opkuma/internal/schedule"
	"github.com/opkuma/opkuma/internal/watch"
	"github.com/opkuma/opkuma/pusher"
)

// Wrapping is one job of a crontab that crontab wrap --provision sets up:
// its monitor's slot and the line as it is and as it becomes.
type Wrapping struct {
	Slot
	Line    crontab.Line
	Where   string // FILE:LINE
	Wrapped string // the new line
}

// Note says why the job's monitor is not named after its base name.
func (j *Wrapping) Note() string {
	if j.Passed == "" {
		return ""
	}
	return fmt.Sprintf(" (not %q: %s)", j.Base, j.Passed)
}

// Selection is what SelectJobs picks and how it plans each job's monitor.
type Selection struct {
	Line       int            // only this line; 0: every job not under opkuma run
	NameFrom   string         // FromComment or FromCommand
	Loc        *time.Location // the schedules' zone, unless CRON_TZ= says another
	Advisor    *schedule.Advisor
	Retries    int
	RetriesSet bool
	// Watch returns the schedule line of a job for its monitor, or nil.
	Watch func(where, sched string, loc *time.Location) *watch.Spec
	// Skip is told of a job left as it is: no interval fits its schedule
	// (@reboot, a schedule cron rejects).
	Skip func(where string, err error)
}

// SystemLineError is a user crontab's job that reads as a system
// crontab's line: its first word is a user.
type SystemLineError struct {
	Where string // FILE:LINE
	User  string
}

func (e *SystemLineError) Error() string {
	return fmt.Sprintf("%s looks like a system crontab's line (%s is a user)", e.Where, e.User)
}

// SelectJobs returns the jobs of src to wrap, with the monitor settings
// their schedules need. For sel.Line, a line that is not a job, or runs
// under opkuma run already, is the error of crontab.Line.Wrap. A line that
// reads as a system crontab's is a *SystemLineError.
func SelectJobs(src crontab.Source, sel Selection) ([]*Wrapping, error) {
	locs := crontab.Zones(src.Lines, sel.Loc)
	var jobs []*Wrapping
	for i, l := range src.Lines {
		if sel.Line > 0 && l.Number != sel.Line {
			continue
		}
		if l.Kind != crontab.Job || l.Monitored() {
			if sel.Line > 0 {
				_, err := l.Wrap("opkuma")
				return nil, err
			}
			continue
		}
		where := fmt.Sprintf("%s:%d", src.Name, l.Number)
		if u := l.UserField(crontab.IsUser); u != "" {
			return nil, &SystemLineError{Where: where, User: u}
		}
		a, err := sel.Advisor.Advise(l.Schedule, locs[i])
		if err != nil {
			sel.Skip(where, err)
			continue
		}
		want := Plan(a.Interval, sel.Retries, sel.RetriesSet)
		want.Watch = sel.Watch(where, l.Schedule, locs[i])
		jobs = append(jobs, &Wrapping{Line: l, Where: where, Slot: Slot{Base: JobName(src.Lines, i, sel.NameFrom), Want: want}})
	}
	return jobs, nil
}

// WriteDryRun says, a line per job, what --write would do: which monitors
// it creates or updates, which url-files it writes (those missing, which
// it records in missing), and the new lines. It returns the line that sums
// it up, for after what the audit says of them.
func WriteDryRun(w io.Writer, name string, jobs []*Wrapping, missing map[string]bool) (summary string) {
	creates, updates, files := 0, 0, 0
	for _, j := range jobs {
		id := "new"
		switch {
		case j.Decision.Existing == nil:
			creates++
		case len(j.Decision.Changes) > 0:
			updates++
		}
		if j.Decision.Existing != nil {
			id = fmt.Sprintf("id %d", j.Decision.Existing.ID)
		}
		file := "exists"
		if _, err := os.Lstat(j.URLFile); err != nil {
			file, missing[j.URLFile] = "to write", true
			files++
		}
		fmt.Fprintln(w, pusher.Redact(fmt.Sprintf("%s: monitor %q (%s): %s; url-file %s: %s%s", j.Where, j.Name, id, j.Decision, j.URLFile, file, j.Note())))
		fmt.Fprintln(w, pusher.Redact(fmt.Sprintf("%s: + %s", j.Where, strings.TrimSuffix(j.Wrapped, "\r"))))
	}
	return fmt.Sprintf("dry run, nothing changed: --write creates %s, updates %d, writes %s and wraps %s of %s",
		report.Plural(creates, "monitor", "monitors"), updates, report.Plural(files, "url-file", "url-files"), report.Plural(len(jobs), "line", "lines"), name)
}

// WrappedFindings returns what au finds in the wrapped lines of jobs in
// lines (the new crontab), each with its line, but for a bare % the job had
// (the user's), and for the url-files listed in missing (a dry run writes
// none).
func WrappedFindings(au *crontab.Auditor, lines []crontab.Line, jobs []*Wrapping, missing map[string]bool) []crontab.Report {
	ours := map[int]bool{}
	percent := map[int]bool{} // the job fed its standard input with a bare %
	for _, j := range jobs {
		ours[j.Line.Number] = true
		percent[j.Line.Number] = strings.Contains(strings.ReplaceAll(j.Line.CommandText(), `\%`, ""), "%")
	}
	var out []crontab.Report
	for _, r := range au.Audit(lines) {
		if !ours[r.Line.Number] {
			continue
		}
		kept := r.Findings[:0:0]
		for _, f := range r.Findings {
			if !(f.Problem == crontab.URLFileMissing && missing[f.Text] || f.Problem == crontab.BarePercent && percent[r.Line.Number]) {
				kept = append(kept, f)
			}
		}
		r.Findings = kept
		out = append(out, r)
	}
	return out
}

// InstallCrontab puts data in place of src, keeping what src was in a
// backup whose path it returns: FILE~ beside a file, or DIR/crontab-TIME.bak
// for the user's crontab, which is then installed with crontab -. It
// refuses when the crontab changed since it was read.
func InstallCrontab(src crontab.Source, data []byte, dir string) (string, error) {
	var (
		backup string
		err    error
	)
	if src.Name != "crontab -l" {
		backup, err = InstallFile(src.Name, src.Data, data)
	} else {
		backup, err = InstallUserCrontab(src.Data, data, dir, time.Now())
	}
	var changed *ChangedError
	switch {
	case errors.As(err, &changed) && changed.Name == "":
		return "", errors.New("your crontab changed while opkuma worked: it is left as it is; run again")
	case errors.As(err, &changed):
		return "", fmt.Errorf("%s changed while opkuma worked: it is left as it is; run again", changed.Name)
	}
	return backup, err
}

// ErrNoURLDir is URLDir's error when no directory is given and there is no
// home directory to keep the url-files in.
var ErrNoURLDir = errors.New("no home directory to keep the url-files in")

// URLDir returns the directory of the url-files, absolute: dir, else
// $XDG_CONFIG_HOME/opkuma, else HOME/.config/opkuma (home returns HOME).
func URLDir(dir string, getenv func(string) string, home func() (string, error)) (string, error) {
	if dir == "" {
		if x := getenv("XDG_CONFIG_HOME"); filepath.IsAbs(x) {
			dir = filepath.Join(x, "opkuma")
		} else {
			h, err := home()
			if err != nil || h == "" {
				return "", ErrNoURLDir
			}
			dir = filepath.Join(h, ".config", "opkuma")
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
		return "", fmt.Errorf("%s: not a directory", dir)
	}
	return abs, nil
}

// WrapAll names each job's monitor and url-file (AssignNames, in dir,
// beside monitors and the tokens of lines taken), wraps its line with the
// prefix call gives for it, and returns the crontab with every job's line
// wrapped. A *NoFreeNameError names the job's line; a line that cannot be
// wrapped is crontab.Line.Wrap's error.
func WrapAll(src crontab.Source, jobs []*Wrapping, monitors []kumaapi.Monitor, taken map[string]bool, tag, dir string, call func(j *Wrapping) string) ([]byte, error) {
	slots := make([]*Slot, len(jobs))
	for i, j := range jobs {
		slots[i] = &j.Slot
	}
	var noName *NoFreeNameError
	err := AssignNames(slots, monitors, taken, tag, dir)
	if errors.As(err, &noName) {
		return nil, fmt.Errorf("%s: %w", jobs[noName.Index].Where, err)
	} else if err != nil {
		return nil, err
	}
	wrapped := map[int]string{}
	for _, j := range jobs {
		if j.Wrapped, err = j.Line.Wrap(call(j)); err != nil {
			return nil, err
		}
		wrapped[j.Line.Number] = j.Wrapped
	}
	return ReplaceLines(src.Data, wrapped), nil
}
