package kube

// The CronJob controller reads spec.schedule with robfig/cron v3.0.1's
// ParseStandard (kubernetes/kubernetes pkg/apis/batch/validation
// validateScheduleFormat, pkg/controller/cronjob/utils.go). parseCron
// reads it the same way, from robfig/cron v3.0.1 parser.go and spec.go,
// so that what validation accepts and when the controller runs a Job are
// Kubernetes', not cron's. Where it differs from Vixie cron (cronie),
// which internal/schedule implements:
//
//   - Day of month and day of week: robfig matches either when both are
//     restricted, but a field counts as unrestricted only when one of its
//     list items is * or ? without a step above 1 (spec.go dayMatches,
//     parser.go getRange "extra"); cronie looks at whether the field
//     starts with *. So "0 0 */10 * 0" runs on the 1st, 11th, 21st, 31st
//     and on Sundays under Kubernetes, on those days only when Sundays
//     under cronie (robfig's own TestActivation: "* * */10 * Sun").
//   - ? is *, in any field (parser.go getRange).
//   - Day of week is 0-6: 7 is rejected (spec.go dow bounds).
//   - Names (jan, mon) are accepted anywhere a number is, and numbers may
//     be written +5 or 05 (strconv.Atoi); empty list items ("1,,2") are
//     dropped (strings.FieldsFunc).
//   - Descriptors are case-sensitive and must be exact: @yearly,
//     @annually, @monthly, @weekly, @daily, @midnight, @hourly, and
//     "@every <Go duration>", which runs every duration from the
//     controller's last schedule. @reboot is not one (rejected).
//   - No TZ= or CRON_TZ= prefix: Kubernetes rejects a new CronJob whose
//     schedule contains "TZ" at all; spec.timeZone says the zone.
//   - No L, W, # (none of them is in cronie either).
//   - Daylight-saving time: robfig runs by the clock as it reads. A run
//     in the hour skipped in spring does not happen (cronie runs a
//     fixed-time job right after the change); a run in the hour repeated
//     in autumn happens twice (cronie runs a fixed-time job once).

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// cron is a schedule as robfig/cron v3 reads it: bits per field, as in
// its SpecSchedule (without seconds, always 0), or a constant delay.
type cron struct {
	minute, hour, dom, month, dow uint64
	every                         time.Duration // @every: the delay; the bits are unused
}

// starBit is set in a field that holds * or ? without a step above 1
// (robfig's starBit): a day field with it does not widen the other.
const starBit = 1 << 63

type bounds struct {
	min, max uint
	names    map[string]uint
}

var (
	minutes = bounds{0, 59, nil}
	hours   = bounds{0, 23, nil}
	doms    = bounds{1, 31, nil}
	months  = bounds{1, 12, map[string]uint{
		"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
		"jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
	}}
	dows = bounds{0, 6, map[string]uint{
		"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6,
	}}
)

// parseCron reads spec as robfig/cron v3.0.1 ParseStandard does, and
// fails where it fails; its error texts are robfig's.
func parseCron(spec string) (*cron, error) {
	if len(spec) == 0 {
		return nil, errors.New("empty spec string")
	}
	if strings.HasPrefix(spec, "@") {
		return parseDescriptor(spec)
	}
	fields := strings.Fields(spec)
	if len(fields) != 5 {
		return nil, fmt.Errorf("expected exactly 5 fields, found %d: %s", len(fields), fields)
	}
	var c cron
	for i, p := range []struct {
		bits *uint64
		r    bounds
	}{{&c.minute, minutes}, {&c.hour, hours}, {&c.dom, doms}, {&c.month, months}, {&c.dow, dows}} {
		bits, err := getField(fields[i], p.r)
		if err != nil {
			return nil, err
		}
		*p.bits = bits
	}
	return &c, nil
}

func getField(field string, r bounds) (uint64, error) {
	var bits uint64
	for _, expr := range strings.FieldsFunc(field, func(r rune) bool { return r == ',' }) {
		bit, err := getRange(expr, r)
		if err != nil {
			return bits, err
		}
		bits |= bit
	}
	return bits, nil
}

// getRange reads number | number "-" number [ "/" number ], or * or ?.
func getRange(expr string, r bounds) (uint64, error) {
	var (
		start, end, step uint
		rangeAndStep     = strings.Split(expr, "/")
		lowAndHigh       = strings.Split(rangeAndStep[0], "-")
		singleDigit      = len(lowAndHigh) == 1
		err              error
	)
	var extra uint64
	if lowAndHigh[0] == "*" || lowAndHigh[0] == "?" {
		start, end, extra = r.min, r.max, starBit
	} else {
		if start, err = parseIntOrName(lowAndHigh[0], r.names); err != nil {
			return 0, err
		}
		switch len(lowAndHigh) {
		case 1:
			end = start
		case 2:
			if end, err = parseIntOrName(lowAndHigh[1], r.names); err != nil {
				return 0, err
			}
		default:
			return 0, fmt.Errorf("too many hyphens: %s", expr)
		}
	}
	switch len(rangeAndStep) {
	case 1:
		step = 1
	case 2:
		if step, err = parseInt(rangeAndStep[1]); err != nil {
			return 0, err
		}
		if singleDigit { // "N/step" means "N-max/step"
			end = r.max
		}
		if step > 1 {
			extra = 0
		}
	default:
		return 0, fmt.Errorf("too many slashes: %s", expr)
	}
	switch {
	case start < r.min:
		return 0, fmt.Errorf("beginning of range (%d) below minimum (%d): %s", start, r.min, expr)
	case end > r.max:
		return 0, fmt.Errorf("end of range (%d) above maximum (%d): %s", end, r.max, expr)
	case start > end:
		return 0, fmt.Errorf("beginning of range (%d) beyond end of range (%d): %s", start, end, expr)
	case step == 0:
		return 0, fmt.Errorf("step of range should be a positive number: %s", expr)
	}
	var bits uint64
	if step == 1 {
		bits = ^(math.MaxUint64 << (end + 1)) & (math.MaxUint64 << start)
	} else {
		for i := start; i <= end; i += step {
			bits |= 1 << i
		}
	}
	return bits | extra, nil
}

func parseIntOrName(expr string, names map[string]uint) (uint, error) {
	if n, ok := names[strings.ToLower(expr)]; ok {
		return n, nil
	}
	return parseInt(expr)
}

func parseInt(expr string) (uint, error) {
	num, err := strconv.Atoi(expr)
	if err != nil {
		return 0, fmt.Errorf("failed to parse int from %s: %s", expr, err)
	}
	if num < 0 {
		return 0, fmt.Errorf("negative number (%d) not allowed: %s", num, expr)
	}
	return uint(num), nil
}

func parseDescriptor(d string) (*cron, error) {
	all := func(r bounds) uint64 { return ^(math.MaxUint64<<(r.max+1))&(math.MaxUint64<<r.min) | starBit }
	switch d {
	case "@yearly", "@annually":
		return &cron{minute: 1, hour: 1, dom: 1 << 1, month: 1 << 1, dow: all(dows)}, nil
	case "@monthly":
		return &cron{minute: 1, hour: 1, dom: 1 << 1, month: all(months), dow: all(dows)}, nil
	case "@weekly":
		return &cron{minute: 1, hour: 1, dom: all(doms), month: all(months), dow: 1}, nil
	case "@daily", "@midnight":
		return &cron{minute: 1, hour: 1, dom: all(doms), month: all(months), dow: all(dows)}, nil
	case "@hourly":
		return &cron{minute: 1, hour: all(hours), dom: all(doms), month: all(months), dow: all(dows)}, nil
	}
	if s, ok := strings.CutPrefix(d, "@every "); ok {
		dur, err := time.ParseDuration(s)
		if err != nil {
			return nil, fmt.Errorf("failed to parse duration %s: %s", d, err)
		}
		// robfig's Every: at least a second, in whole seconds.
		dur = max(dur, time.Second)
		return &cron{every: dur - dur%time.Second}, nil
	}
	return nil, fmt.Errorf("unrecognized descriptor: %s", d)
}

// next returns the first run after t, in loc, as robfig/cron v3.0.1's
// SpecSchedule.Next finds it (spec.go, ported line by line, seconds
// fixed at 0), or the zero time when there is none within five years.
func (c *cron) next(loc *time.Location, t time.Time) time.Time {
	if c.every > 0 {
		return t.Add(c.every - time.Duration(t.Nanosecond())).In(loc)
	}
	t = t.In(loc)
	t = t.Add(time.Second - time.Duration(t.Nanosecond()))
	added := false
	yearLimit := t.Year() + 5
WRAP:
	if t.Year() > yearLimit {
		return time.Time{}
	}
	for 1<<uint(t.Month())&c.month == 0 {
		if !added {
			added = true
			t = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
		}
		t = t.AddDate(0, 1, 0)
		if t.Month() == time.January {
			goto WRAP
		}
	}
	for !c.dayMatches(t) {
		if !added {
			added = true
			t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
		}
		t = t.AddDate(0, 0, 1)
		// Midnight may not exist (a change at 00:00): robfig moves back
		// to the day's start this way.
		if t.Hour() != 0 {
			if t.Hour() > 12 {
				t = t.Add(time.Duration(24-t.Hour()) * time.Hour)
			} else {
				t = t.Add(time.Duration(-t.Hour()) * time.Hour)
			}
		}
		if t.Day() == 1 {
			goto WRAP
		}
	}
	for 1<<uint(t.Hour())&c.hour == 0 {
		if !added {
			added = true
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), 0, 0, 0, loc)
		}
		t = t.Add(time.Hour)
		if t.Hour() == 0 {
			goto WRAP
		}
	}
	for 1<<uint(t.Minute())&c.minute == 0 {
		if !added {
			added = true
			t = t.Truncate(time.Minute)
		}
		t = t.Add(time.Minute)
		if t.Minute() == 0 {
			goto WRAP
		}
	}
	for t.Second() != 0 {
		if !added {
			added = true
			t = t.Truncate(time.Second)
		}
		t = t.Add(time.Second)
		if t.Second() == 0 {
			goto WRAP
		}
	}
	return t
}

func (c *cron) dayMatches(t time.Time) bool {
	dom := 1<<uint(t.Day())&c.dom > 0
	dow := 1<<uint(t.Weekday())&c.dow > 0
	if c.dom&starBit > 0 || c.dow&starBit > 0 {
		return dom && dow
	}
	return dom || dow
}

// vixie returns the crontab(5) spec internal/schedule reads with the
// same runs on days without a clock change: lists of numbers, and * for
// a day field with robfig's star (cronie's rule for a day field starting
// with * is then robfig's), and for a full minute or hour field (so that
// cronie, like robfig, runs such a schedule by the clock across a
// daylight-saving change). ok is false when a field matches nothing.
func (c *cron) vixie() (spec string, ok bool) {
	// star: the field is written * (a day field: when robfig's star is
	// set; another: when it is full).
	field := func(bits uint64, r bounds, star bool) string {
		if star {
			return "*"
		}
		var list []string
		for v := r.min; v <= r.max; v++ {
			if bits&(1<<v) != 0 {
				list = append(list, strconv.Itoa(int(v)))
			}
		}
		return strings.Join(list, ",")
	}
	full := func(bits uint64, r bounds) bool {
		all := ^(uint64(math.MaxUint64) << (r.max + 1)) & (math.MaxUint64 << r.min)
		return bits&all == all
	}
	f := []string{
		field(c.minute, minutes, full(c.minute, minutes)),
		field(c.hour, hours, full(c.hour, hours)),
		field(c.dom, doms, c.dom&starBit != 0),
		field(c.month, months, full(c.month, months)),
		field(c.dow, dows, c.dow&starBit != 0),
	}
	for _, s := range f {
		if s == "" {
			return "", false
		}
	}
	return strings.Join(f, " "), true
}
