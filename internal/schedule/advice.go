package schedule

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Advice is the Heartbeat Interval a Push monitor needs for a schedule,
// and how it was found.
type Advice struct {
	Gap      Gap           // the largest gap between two runs
	Runtime  time.Duration // the job's longest run
	Margin   time.Duration // the safety margin
	Interval int64         // Gap + Runtime + Margin, in whole seconds
	// Uncapped: the server takes any interval (Uptime Kuma 2.5 and later);
	// else MaxInterval is the most it takes.
	Uncapped bool
}

// Advise returns the advice for the schedule spec in loc, from its runs
// from from on over DefaultHorizon: its largest gap + runtime + margin.
// A negative margin means the default, Margin of the gap. Its errors are
// Parse's and Gap's (ErrReboot for @reboot).
func Advise(spec string, loc *time.Location, from time.Time, runtime, margin time.Duration, uncapped bool) (Advice, error) {
	s, err := Parse(spec)
	if err != nil {
		return Advice{}, err
	}
	gap, err := s.Gap(loc, from, DefaultHorizon)
	if err != nil {
		return Advice{}, err
	}
	return AdviseGap(gap, runtime, margin, uncapped), nil
}

// AdviseGap is the advice for a largest gap found otherwise (a systemd
// timer's): gap + runtime + margin; a negative margin means Margin of
// the gap.
func AdviseGap(gap Gap, runtime, margin time.Duration, uncapped bool) Advice {
	if margin < 0 {
		margin = Margin(gap.Length)
	}
	return Advice{Gap: gap, Runtime: runtime, Margin: margin, Interval: Interval(gap.Length, runtime, margin), Uncapped: uncapped}
}

// Value is the Heartbeat Interval to set: Interval, or MaxInterval when
// the server caps intervals below it (Retries says how many retries, each
// MaxInterval long, make up the rest).
func (a Advice) Value() int64 {
	if a.Uncapped {
		return a.Interval
	}
	v, _ := Capped(a.Interval)
	return v
}

// Retries is how many retries of MaxInterval a capped server needs beyond
// Value to cover Interval: 0 when Value is Interval.
func (a Advice) Retries() int64 {
	if a.Uncapped {
		return 0
	}
	_, r := Capped(a.Interval)
	return r
}

// Capped splits an interval of seconds for Uptime Kuma up to 2.4, whose
// Heartbeat Interval stops at MaxInterval: the interval to set, and how
// many retries (each with a Heartbeat Retry Interval of MaxInterval) make
// up the rest; retries is 0 when seconds fits.
func Capped(seconds int64) (interval, retries int64) {
	if seconds <= MaxInterval {
		return seconds, 0
	}
	n := (seconds + MaxInterval - 1) / MaxInterval
	return MaxInterval, n - 1
}

// Warning tells, when Uptime Kuma up to 2.4 cannot take the interval, what
// to set instead; "" when the interval fits.
func (a Advice) Warning() string {
	if a.Value() == a.Interval {
		return ""
	}
	return fmt.Sprintf("%d s is more than Uptime Kuma's largest Heartbeat Interval (%d s, 24 days): set the interval to %d and Retries to %d with a Heartbeat Retry Interval of %d (the monitor shows PENDING in between), or run the job more often (Uptime Kuma 2.5 and later take it: --kuma-version 2.5)",
		a.Interval, MaxInterval, MaxInterval, a.Retries(), MaxInterval)
}

// Uncapped reports whether Uptime Kuma version v ("1.23.17", "2.5",
// "v2.0.0-beta.1") takes any interval: 2.5.0 removed the 24-day cap
// (uptime-kuma#7607). "" is not known, so false.
func Uncapped(v string) (bool, error) {
	if v == "" {
		return false, nil
	}
	var major, minor int
	if n, _ := fmt.Sscanf(strings.TrimPrefix(v, "v"), "%d.%d", &major, &minor); n < 1 {
		return false, fmt.Errorf("%q: want a version like 1.23.17 or 2.5", v)
	}
	return major > 2 || major == 2 && minor >= 5, nil
}

// Advisor advises on many schedules with one set of options, each
// distinct schedule and zone once: a schedule takes milliseconds (28 years
// of days), a crontab repeats few of them.
type Advisor struct {
	Runtime  time.Duration // the job's longest run
	Margin   time.Duration // negative: Margin of the gap
	From     time.Time     // the day to look from (its date, in each schedule's zone); zero: now
	Uncapped bool          // the server takes any interval (Uncapped)
	cache    map[string]advised
}

type advised struct {
	a   Advice
	err error
}

// Start is the time an advice in loc looks from.
func (ad *Advisor) Start(loc *time.Location) time.Time {
	if ad.From.IsZero() {
		return time.Now().In(loc)
	}
	y, m, d := ad.From.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// Advise is Advise with the Advisor's options, remembered.
func (ad *Advisor) Advise(spec string, loc *time.Location) (Advice, error) {
	key := strings.Join(strings.Fields(strings.ToLower(spec)), " ") + "\x00" + loc.String()
	if r, ok := ad.cache[key]; ok {
		return r.a, r.err
	}
	a, err := Advise(spec, loc, ad.Start(loc), ad.Runtime, ad.Margin, ad.Uncapped)
	if ad.cache == nil {
		ad.cache = map[string]advised{}
	}
	ad.cache[key] = advised{a, err}
	return a, err
}

// AdviseGap is AdviseGap with the Advisor's options.
func (ad *Advisor) AdviseGap(gap Gap) Advice {
	return AdviseGap(gap, ad.Runtime, ad.Margin, ad.Uncapped)
}

// Explain writes how a, the advice for spec in loc, was found: the largest
// gap and the two runs around it, the runtime and the margin (its origin
// in how), and the interval.
func (a Advice) Explain(w io.Writer, spec string, loc *time.Location, how string) {
	const layout = "Mon 2006-01-02 15:04 MST"
	zone := loc.String()
	if loc == time.Local {
		zone = "the local time zone"
	}
	fmt.Fprintf(w, "schedule:      %s (times in %s)\n", spec, zone)
	fmt.Fprintf(w, "largest gap:   %d s (%s), from %s to %s\n", seconds(a.Gap.Length), a.Gap.Length,
		a.Gap.From.In(loc).Format(layout), a.Gap.To.In(loc).Format(layout))
	fmt.Fprintf(w, "run time:    + %d s\n", seconds(a.Runtime))
	fmt.Fprintf(w, "margin:      + %d s (%s)\n", seconds(a.Margin), how)
	fmt.Fprintf(w, "interval:    = %d s: the monitor's Heartbeat Interval\n", a.Interval)
}

// seconds is d in whole seconds, rounded up.
func seconds(d time.Duration) int64 { return int64((d + time.Second - 1) / time.Second) }

// GapSeconds is the largest gap in whole seconds, rounded up.
func (a Advice) GapSeconds() int64 { return seconds(a.Gap.Length) }
