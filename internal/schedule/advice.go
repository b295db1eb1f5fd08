package schedule

import "time"

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
