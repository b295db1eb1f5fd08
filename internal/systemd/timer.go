package systemd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/opkuma/opkuma/internal/calendar"
	"github.com/opkuma/opkuma/internal/schedule"
)

// ErrOnce is returned by Timer.Gap for a timer with only OnBootSec=,
// OnStartupSec= or OnActiveSec=: it elapses once after boot (or start),
// like cron's @reboot, so no heartbeat interval fits it.
var ErrOnce = errors.New("systemd: timer elapses once after boot, not on a schedule: no heartbeat interval fits it")

// ErrNoTrigger is returned by Timer.Gap for a timer with no trigger
// setting at all, which systemd refuses to load.
var ErrNoTrigger = errors.New("systemd: timer has no OnCalendar= nor On...Sec= setting: systemd refuses to load it")

// DefaultAccuracy is AccuracySec= when a timer does not set it.
const DefaultAccuracy = time.Minute

// SettingError is a setting systemd would not take: it ignores the
// assignment (or, for ExecStart=, may refuse the whole unit).
type SettingError struct {
	Where string // file:line of the assignment
	Key   string // e.g. OnCalendar
	Value string // as written
	Err   error  // why
}

func (e *SettingError) Error() string {
	return fmt.Sprintf("%s: %s=%s: %v", e.Where, e.Key, e.Value, e.Err)
}

func (e *SettingError) Unwrap() error { return e.Err }

// Timer is a timer unit's [Timer] section as systemd reads it.
type Timer struct {
	Unit
	Activates  string           // Unit=, else the timer's name with .service
	OnCalendar []string         // OnCalendar= values as written
	Calendar   []*calendar.Spec // those systemd takes, parsed
	// Monotonic triggers, each possibly given several times.
	OnBoot, OnStartup, OnActive, OnUnitActive, OnUnitInactive []time.Duration
	Persistent                                                bool
	Accuracy                                                  time.Duration // AccuracySec=, DefaultAccuracy unless set
	RandomizedDelay                                           time.Duration // RandomizedDelaySec=
	FixedRandomDelay                                          bool
	// Invalid holds the assignments systemd ignores, with why.
	Invalid []*SettingError
}

// Timer loads the timer unit name (".timer" is added when missing). Its
// errors are Load's.
func (t Tree) Timer(name string) (*Timer, error) {
	if !strings.HasSuffix(name, ".timer") {
		name += ".timer"
	}
	u, err := t.Load(name)
	if err != nil {
		return nil, err
	}
	return newTimer(u), nil
}

func newTimer(u *Unit) *Timer {
	tm := &Timer{Unit: *u, Accuracy: DefaultAccuracy}
	tm.Activates = strings.TrimSuffix(u.Name, ".timer") + ".service"
	if v, ok := u.Value("Timer", "Unit"); ok {
		tm.Activates = v
	}
	bad := func(key, v string, err error) {
		tm.Invalid = append(tm.Invalid, &SettingError{Where: u.where("Timer", key, v), Key: key, Value: v, Err: err})
	}
	for _, v := range u.Values("Timer", "OnCalendar") {
		tm.OnCalendar = append(tm.OnCalendar, v)
		sp, err := calendar.Parse(v)
		if err != nil {
			bad("OnCalendar", v, err)
			continue
		}
		tm.Calendar = append(tm.Calendar, sp)
	}
	spans := []struct {
		key string
		to  *[]time.Duration
	}{
		{"OnBootSec", &tm.OnBoot}, {"OnStartupSec", &tm.OnStartup}, {"OnActiveSec", &tm.OnActive},
		{"OnUnitActiveSec", &tm.OnUnitActive}, {"OnUnitInactiveSec", &tm.OnUnitInactive},
	}
	for _, s := range spans {
		for _, v := range u.Values("Timer", s.key) {
			d, err := ParseSpan(v)
			if err != nil {
				bad(s.key, v, err)
				continue
			}
			*s.to = append(*s.to, d)
		}
	}
	for _, s := range []struct {
		key string
		to  *time.Duration
	}{{"AccuracySec", &tm.Accuracy}, {"RandomizedDelaySec", &tm.RandomizedDelay}} {
		if v, ok := u.Value("Timer", s.key); ok {
			d, err := ParseSpan(v)
			if err != nil {
				bad(s.key, v, err)
				continue
			}
			*s.to = d
		}
	}
	if tm.Accuracy == 0 { // systemd: AccuracySec=0 means 1us
		tm.Accuracy = time.Microsecond
	}
	for _, s := range []struct {
		key string
		to  *bool
	}{{"Persistent", &tm.Persistent}, {"FixedRandomDelay", &tm.FixedRandomDelay}} {
		if v, ok := u.Value("Timer", s.key); ok {
			b, err := parseBool(v)
			if err != nil {
				bad(s.key, v, err)
				continue
			}
			*s.to = b
		}
	}
	return tm
}

// parseBool reads a boolean as systemd.syntax(7) writes it.
func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "yes", "y", "true", "t", "on":
		return true, nil
	case "0", "no", "n", "false", "f", "off":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean")
}

// Gap returns the largest time between two elapses of the timer, from
// `from` on over horizon (calendar.Gap's), widened by what can delay an
// elapse: AccuracySec= (an elapse may come that much late) and
// RandomizedDelaySec= (up to that much more, unless FixedRandomDelay=,
// which delays every elapse alike). Persistent= shrinks nothing: it only
// catches up an elapse missed while the machine was off.
//
// A timer that repeats by OnUnitActiveSec= or OnUnitInactiveSec= has, as
// gap, its shortest such period plus the delays (the job's run time, which
// OnUnitInactiveSec= counts from, is what schedule.AdviseGap adds), and
// zero From and To: its elapses follow the service, not the clock. With
// OnCalendar= too, the timer elapses on whichever comes first, so the
// smaller gap is returned. Errors: ErrOnce, ErrNoTrigger, and
// calendar.Gap's.
func (tm *Timer) Gap(from time.Time, horizon time.Duration) (schedule.Gap, error) {
	delay := tm.Accuracy
	if !tm.FixedRandomDelay {
		delay += tm.RandomizedDelay
	}
	var period time.Duration
	if ps := append(slices.Clone(tm.OnUnitActive), tm.OnUnitInactive...); len(ps) > 0 {
		period = slices.Min(ps)
	}
	if len(tm.Calendar) == 0 {
		switch {
		case period > 0:
			return schedule.Gap{Length: period + delay}, nil
		case len(tm.OnBoot)+len(tm.OnStartup)+len(tm.OnActive) > 0:
			return schedule.Gap{}, ErrOnce
		}
		return schedule.Gap{}, ErrNoTrigger
	}
	g, err := calendar.Gap(tm.Calendar, from, horizon)
	if err != nil {
		return schedule.Gap{}, err
	}
	g.Length += delay
	if period > 0 && period+delay < g.Length {
		return schedule.Gap{Length: period + delay}, nil
	}
	return g, nil
}

// Timers loads every timer of the tree: each *.timer unit file on the
// search path (a name found twice counts once, as systemd loads it), and
// each instance of a template timer enabled by a symlink in a .wants/ or
// .requires/ directory. Templates themselves are not timers and are left
// out. A unit that fails to load is left out and its error returned with
// the others joined (errors.Join).
func (t Tree) Timers() ([]*Timer, error) {
	names := map[string]bool{}
	for _, d := range t.SearchPath() {
		ents, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range ents {
			n := e.Name()
			switch {
			case e.IsDir() && (strings.HasSuffix(n, ".wants") || strings.HasSuffix(n, ".requires")):
				sub, _ := os.ReadDir(filepath.Join(d, n))
				for _, s := range sub {
					if strings.HasSuffix(s.Name(), ".timer") && templateOf(s.Name()) != "" {
						names[s.Name()] = true
					}
				}
			case !e.IsDir() && strings.HasSuffix(n, ".timer") && !strings.HasSuffix(n, "@.timer"):
				names[n] = true
			}
		}
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	var timers []*Timer
	var errs []error
	for _, n := range sorted {
		tm, err := t.Timer(n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		timers = append(timers, tm)
	}
	return timers, errors.Join(errs...)
}
