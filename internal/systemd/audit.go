package systemd

import (
	"errors"
	"fmt"
	"strings"

	"github.com/opkuma/opkuma/pusher"
)

// Problem is a kind of mistake Audit finds in a timer or its service.
type Problem string

// The problems Audit reports. The names are stable: tools read them.
const (
	// Masked: the timer or the service (Finding.Unit) is masked: systemd
	// will not start it.
	Masked Problem = "masked"
	// ServiceNotFound: no unit file for the service the timer starts.
	ServiceNotFound Problem = "service-not-found"
	// Unreadable: a unit file could not be read (Finding.Text says why).
	Unreadable Problem = "unreadable"
	// InvalidCalendar: an OnCalendar= systemd does not take and ignores
	// (Finding.Text says why).
	InvalidCalendar Problem = "invalid-calendar"
	// InvalidSetting: another setting systemd ignores (Finding.Text).
	InvalidSetting Problem = "invalid-setting"
	// InvalidExecStart: an ExecStart= systemd cannot split (unbalanced
	// quotes, an unknown %-specifier, a bad path): it refuses the service,
	// or with "-" skips the line (Finding.Text, redacted).
	InvalidExecStart Problem = "invalid-exec-start"
	// NoSchedule: the timer has no OnCalendar= nor OnUnitActiveSec= /
	// OnUnitInactiveSec=: it starts the job once after boot, if at all.
	NoSchedule Problem = "no-schedule"
	// NoExecStart: the service runs nothing.
	NoExecStart Problem = "no-exec-start"
	// SeveralExecStart: more than one command in a service that is not
	// Type=oneshot: systemd refuses to load it.
	SeveralExecStart Problem = "several-exec-start"
	// NotOneshot: the service is not Type=oneshot (Finding.Text is its
	// type): systemd counts it started as soon as the process is forked,
	// so the start job, "systemctl start" and units ordered after it do not
	// wait for the run, and a failed run is not the start job's failure.
	// Type=oneshot makes them wait for the run and its exit code.
	NotOneshot Problem = "not-oneshot"
	// RemainAfterExit: a oneshot with RemainAfterExit=yes stays active
	// after its first run, and the timer's later elapses start nothing.
	RemainAfterExit Problem = "remain-after-exit"
	// PercentInURL: a URL in ExecStart= holds a "%" systemd reads as a
	// specifier: it replaces %C, %A, %b... (URL escapes such as %C3) with
	// the unit's values, and refuses the service for others (%2F). Write
	// "%%" for a literal "%", or keep the URL in a --url-file.
	PercentInURL Problem = "percent-specifier-in-url"
	// TokenOnCommandLine: a push URL in ExecStart=: its token shows in
	// systemctl status, ps and the journal. Use --url-file.
	TokenOnCommandLine Problem = "token-on-command-line"
)

// Finding is one problem of a timer or of its service.
type Finding struct {
	Problem Problem
	Unit    string // the unit it is in
	Text    string // what is concerned, push tokens redacted
}

// Report is the audit of one timer and the service it starts.
type Report struct {
	Timer   *Timer
	Service *Service // nil when it could not be loaded
	// Monitored: one of the service's commands runs under the wrapper,
	// as the caller's Monitored function decides.
	Monitored bool
	Findings  []Finding
}

// Audit checks a timer and the service it starts, loaded from t.
// monitored decides whether a command's argv (Command.Argv) runs its job
// under the wrapper; nil counts none as monitored.
func (t Tree) Audit(tm *Timer, monitored func(argv []string) bool) Report {
	r := Report{Timer: tm}
	add := func(p Problem, unit, text string) {
		r.Findings = append(r.Findings, Finding{Problem: p, Unit: unit, Text: pusher.Redact(text)})
	}
	if tm.Masked {
		add(Masked, tm.Name, tm.Path)
		return r
	}
	for _, e := range tm.Invalid {
		p := InvalidSetting
		if e.Key == "OnCalendar" {
			p = InvalidCalendar
		}
		add(p, tm.Name, e.Error())
	}
	if len(tm.Calendar)+len(tm.OnUnitActive)+len(tm.OnUnitInactive) == 0 {
		add(NoSchedule, tm.Name, strings.Join(tm.OnCalendar, "; "))
	}
	s, err := t.Service(tm.Activates)
	switch {
	case errors.Is(err, ErrNotFound):
		add(ServiceNotFound, tm.Activates, "")
		return r
	case err != nil:
		add(Unreadable, tm.Activates, err.Error())
		return r
	}
	r.Service = s
	if s.Masked {
		add(Masked, s.Name, s.Path)
		return r
	}
	for _, e := range s.Invalid {
		p := InvalidSetting
		if e.Key == "ExecStart" {
			p = InvalidExecStart
		}
		add(p, s.Name, e.Error())
	}
	switch {
	case len(s.ExecStart) == 0:
		add(NoExecStart, s.Name, "")
	case s.Type != "oneshot" && len(s.ExecStart) > 1:
		add(SeveralExecStart, s.Name, fmt.Sprintf("Type=%s with %d commands", s.Type, len(s.ExecStart)))
	}
	if s.Type != "oneshot" {
		add(NotOneshot, s.Name, "Type="+s.Type)
	} else if s.RemainAfterExit {
		add(RemainAfterExit, s.Name, "RemainAfterExit=yes")
	}
	for _, c := range s.ExecStart {
		if monitored != nil && monitored(c.Argv()) {
			r.Monitored = true
		}
	}
	for _, v := range s.execStart {
		for _, w := range rawWords(v) {
			lw := strings.ToLower(w)
			isURL := strings.Contains(lw, "://") || strings.Contains(lw, "/api/push/")
			if isURL && hasSpecifier(w) {
				add(PercentInURL, s.Name, w)
			}
			if strings.Contains(lw, "/api/push/") {
				add(TokenOnCommandLine, s.Name, w)
			}
		}
	}
	return r
}

// rawWords splits an ExecStart= value into its words before specifiers
// are resolved; an unbalanced quote ends it.
func rawWords(v string) []string {
	var ws []string
	for v != "" {
		w, rest, err := nextWord(v)
		if err != nil {
			break
		}
		ws = append(ws, w)
		v = rest
	}
	return ws
}

// hasSpecifier reports whether w holds a "%" systemd resolves or refuses:
// any but "%%" and a trailing lone "%".
func hasSpecifier(w string) bool {
	for i := 0; i+1 < len(w); i++ {
		if w[i] == '%' {
			if w[i+1] != '%' {
				return true
			}
			i++
		}
	}
	return false
}
