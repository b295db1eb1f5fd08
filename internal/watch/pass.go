package watch

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/opkuma/opkuma/internal/kumaapi"
	"github.com/opkuma/opkuma/pusher"
)

// Server is what a pass reads from Uptime Kuma; *kumaapi.Client is one,
// logged in.
type Server interface {
	// Monitors returns the monitor list sent at login.
	Monitors() ([]kumaapi.Monitor, error)
	// Beats returns the monitor's heartbeats of the last period.
	Beats(ctx context.Context, id int, period time.Duration) ([]kumaapi.Beat, error)
}

// Result is what a pass did for one Push monitor that carries a
// schedule line.
type Result struct {
	Monitor kumaapi.Monitor
	Action  Action // Decide's answer; zero when Err came first
	Pushed  bool   // the down push was accepted
	// Err: the line does not read (*SpecError), its beats could not be
	// read, or the push failed (the pusher's error, token redacted). The
	// next pass tries again.
	Err error
}

// Pass is one look at every Push monitor of a server.
type Pass struct {
	Server Server
	// Base is Uptime Kuma's address (path prefix included): a monitor's
	// push URL is Base/api/push/<pushToken>.
	Base string
	// Pusher sends the down pushes; its Endpoint is set per monitor.
	Pusher pusher.Client
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// Run looks at every active Push monitor whose description carries a
// schedule line (paused ones are reported as such, without a request),
// reads the beats since its latest due run, asks Decide, and pushes
// status=down when Decide says so. It returns one Result per such monitor,
// in the server's order (by id); it fails only when the monitor list does
// not read. Monitors without a line are passed by.
func (p *Pass) Run(ctx context.Context) ([]Result, error) {
	monitors, err := p.Server.Monitors()
	if err != nil {
		return nil, err
	}
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	var out []Result
	for _, m := range monitors {
		if m.Type != "push" {
			continue
		}
		spec, found, err := Parse(m.Description)
		if !found {
			continue
		}
		r := Result{Monitor: m, Err: err}
		if err == nil {
			r = p.one(ctx, m, spec, now())
		}
		out = append(out, r)
	}
	return out, nil
}

// one decides, and pushes when it must, for the monitor m.
func (p *Pass) one(ctx context.Context, m kumaapi.Monitor, spec Spec, now time.Time) Result {
	r := Result{Monitor: m}
	state := MonitorState{Active: m.Active, InMaintenance: m.Maintenance}
	var beats []Beat
	if state.Active && !state.InMaintenance {
		sched, loc, err := spec.Compile()
		if err != nil {
			r.Err = err
			return r
		}
		run, _, ok := sched.LastDue(loc, now, spec.Runtime, spec.Margin)
		if ok {
			// A minute more than the run's age: the server's clock may
			// run behind ours.
			kb, err := p.Server.Beats(ctx, m.ID, now.Sub(run)+Skew+time.Minute)
			if err != nil {
				r.Err = fmt.Errorf("reading its heartbeats: %w", err)
				return r
			}
			for _, b := range kb {
				beats = append(beats, Beat{Time: b.Time, Status: Status(b.Status), Msg: b.Msg})
			}
		}
	}
	a, err := Decide(spec, state, beats, now)
	r.Action, r.Err = a, err
	if err != nil || !a.Push {
		return r
	}
	if m.PushToken == "" {
		r.Err = fmt.Errorf("no push token: open the monitor in Uptime Kuma and save it once")
		return r
	}
	raw, err := kumaapi.PushURL(p.Base, m.PushToken)
	if err != nil {
		return Result{Monitor: m, Err: err}
	}
	e, err := pusher.ParseEndpoint(raw)
	if err != nil {
		r.Err = err
		return r
	}
	c := p.Pusher
	c.Endpoint = e
	if _, err := c.Push(ctx, pusher.Beat{Status: pusher.StatusDown, Msg: a.Msg}); err != nil {
		r.Err = fmt.Errorf("pushing down: %w", err)
		return r
	}
	r.Pushed = true
	return r
}

// Describe says, for monitor check, the schedule a monitor's description
// carries and when the next run's heartbeat is due after now. found is
// false when there is no schedule line; a line that does not read gives
// its *SpecError.
func Describe(description string, now time.Time) (text string, found bool, err error) {
	spec, found, err := Parse(description)
	if !found || err != nil {
		return "", found, err
	}
	sched, loc, err := spec.Compile()
	if err != nil {
		return "", true, err
	}
	text = fmt.Sprintf("watched: %q (%s), runtime %s, margin %s", sched.String(), spec.TZ, duration(spec.Runtime), duration(spec.Margin))
	if run, deadline, ok := sched.NextDeadline(loc, now, spec.Runtime, spec.Margin); ok {
		now = now.In(loc)
		text += fmt.Sprintf("; next deadline %s (the %s run)", clock(deadline, now), clock(run, now))
	}
	return text, true, nil
}

// ZoneName returns the IANA name of loc for a schedule line: its own name,
// or for time.Local the zone $TZ names (getenv), else the one
// /etc/localtime links to. It returns "" when it cannot tell.
func ZoneName(loc *time.Location, getenv func(string) string) string {
	if loc != time.Local {
		return loc.String()
	}
	if tz := strings.TrimPrefix(getenv("TZ"), ":"); tz != "" {
		if _, err := time.LoadLocation(tz); err == nil && !filepath.IsAbs(tz) {
			return tz
		}
		return ""
	}
	target, err := os.Readlink("/etc/localtime")
	if err != nil {
		return ""
	}
	_, name, ok := strings.Cut(target, "zoneinfo/")
	if _, err := time.LoadLocation(name); !ok || err != nil {
		return ""
	}
	return name
}

// Report writes what the pass did, from results: a line on stdout per
// monitor pushed down (and, verbose, why not for the others), one on
// stderr per monitor not handled, but for an error after ctx ended (a
// signal mid-pass). It returns how many monitors were not handled.
func Report(ctx context.Context, stdout, stderr io.Writer, results []Result, verbose bool) (failed int) {
	for _, r := range results {
		name := fmt.Sprintf("monitor %q (id %d)", r.Monitor.Name, r.Monitor.ID)
		switch {
		case r.Err != nil && ctx.Err() != nil:
		case r.Err != nil:
			failed++
			fmt.Fprintf(stderr, "opkuma: %s: %s\n", name, strings.TrimPrefix(r.Err.Error(), "watch: "))
		case r.Pushed:
			fmt.Fprintf(stdout, "%s: %s: pushed down\n", name, r.Action.Msg)
		case verbose:
			fmt.Fprintf(stdout, "%s: %s\n", name, r.Action.Why)
		}
	}
	return failed
}
