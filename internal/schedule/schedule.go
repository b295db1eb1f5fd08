// Package schedule reads crontab(5) time specifications and computes the
// heartbeat interval an Uptime Kuma Push monitor needs for a job run on
// them: the largest gap between two runs, plus the run time, plus a margin.
//
// Fields are read as cronie reads them: numbers, ranges, steps, lists, *,
// month and day names in their own fields only, 7 for Sunday, and a day
// matches either day-of-month or day-of-week when both are restricted
// (unless one of them starts with *: then it must match both). Around
// daylight-saving changes it does what cron does: a job at a fixed time that
// falls in the hour skipped in spring runs right after the change, and one
// in the hour repeated in autumn runs once; jobs with a * minute or hour
// field run by the clock as it reads (Vixie cron, cronie).
package schedule

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// macro returns the schedule a crontab(5) @ shorthand stands for.
func macro(name string) (string, bool) {
	switch strings.ToLower(name) {
	case "@yearly", "@annually":
		return "0 0 1 1 *", true
	case "@monthly":
		return "0 0 1 * *", true
	case "@weekly":
		return "0 0 * * 0", true
	case "@daily", "@midnight":
		return "0 0 * * *", true
	case "@hourly":
		return "0 * * * *", true
	}
	return "", false
}

// ErrReboot is returned by Parse for @reboot, which runs once at boot and so
// has no interval a heartbeat monitor could watch.
var ErrReboot = errors.New("@reboot runs once at boot, not on a schedule: no heartbeat interval fits it")

// The fields of a schedule, in order.
const (
	minuteField = iota
	hourField
	domField
	monthField
	dowField
)

var fieldNames = [5]string{"minute", "hour", "day of month", "month", "day of week"}

// fieldRange is the values each field takes; 7 in day of week is Sunday.
var fieldRange = [5]struct{ min, max int }{{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 7}}

// Names crontab(5) takes: months in the month field, days in the day of
// week field only, as cronie reads them.
var (
	monthNames = [...]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
	dayNames   = [...]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
)

// Schedule is a parsed crontab(5) time specification.
type Schedule struct {
	spec      string    // as written, macros included
	bits      [5]uint64 // per field, bit v set when value v matches
	minutes   []int     // minutes of the day it fires at, ascending
	fixedTime bool      // neither the minute nor the hour field starts with *
	eitherDay bool      // neither day field starts with *: a day matches either
}

// Parse reads the five time fields of a crontab line (or one @ macro). It
// returns ErrReboot for @reboot, and an error naming the bad field otherwise.
func Parse(spec string) (*Schedule, error) {
	spec = strings.Join(strings.Fields(spec), " ")
	expr := spec
	if strings.HasPrefix(spec, "@") {
		if strings.EqualFold(spec, "@reboot") {
			return nil, ErrReboot
		}
		e, ok := macro(spec)
		if !ok {
			return nil, fmt.Errorf("unknown macro %q: crontab(5) knows @reboot, @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly", spec)
		}
		expr = e
	}
	f := strings.Fields(expr)
	if len(f) != 5 {
		return nil, fmt.Errorf("schedule %q has %d fields: want 5 (minute hour day-of-month month day-of-week) or an @ macro", spec, len(f))
	}
	s := &Schedule{spec: spec}
	for i, field := range f {
		bits, err := parseField(i, field)
		if err != nil {
			return nil, fmt.Errorf("%s field %q: %w", fieldNames[i], field, err)
		}
		s.bits[i] = bits
	}
	if s.bits[dowField]&(1<<7) != 0 {
		s.bits[dowField] |= 1 // 7 is Sunday, as 0
	}
	for h := range 24 {
		for m := range 60 {
			if s.bits[hourField]&(1<<h) != 0 && s.bits[minuteField]&(1<<m) != 0 {
				s.minutes = append(s.minutes, h*60+m)
			}
		}
	}
	s.fixedTime = !strings.HasPrefix(f[minuteField], "*") && !strings.HasPrefix(f[hourField], "*")
	s.eitherDay = !strings.HasPrefix(f[domField], "*") && !strings.HasPrefix(f[dowField], "*")
	return s, nil
}

// parseField returns the values field number i matches, as bits: a list
// of *, N, N-M or a name, each with an optional /STEP (N/STEP is N-max/STEP).
func parseField(i int, field string) (uint64, error) {
	if err := checkField(i, field); err != nil {
		return 0, err
	}
	lo, hi := fieldRange[i].min, fieldRange[i].max
	var bits uint64
	for _, part := range strings.Split(field, ",") {
		rng, stepText, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepText)
			if err != nil || n < 1 {
				return 0, fmt.Errorf("step %q: want a whole number of 1 or more", stepText)
			}
			step = n
		}
		var from, to int
		switch first, last, isRange := strings.Cut(rng, "-"); {
		case rng == "*":
			from, to = lo, hi
		case isRange:
			var err error
			if from, err = value(i, first); err != nil {
				return 0, err
			}
			if to, err = value(i, last); err != nil {
				return 0, err
			}
			if to < from {
				return 0, fmt.Errorf("range %s goes backwards: write %d-%d", rng, to, from)
			}
		default:
			v, err := value(i, rng)
			if err != nil {
				return 0, err
			}
			from, to = v, v
			if hasStep {
				to = hi
			}
		}
		for v := from; v <= to; v += step {
			bits |= 1 << v
		}
	}
	return bits, nil
}

// value reads one number or name of field number i.
func value(i int, word string) (int, error) {
	if word == "" {
		return 0, errors.New("a number is missing")
	}
	lower := strings.ToLower(word)
	if n := slices.Index(monthNames[:], lower); n >= 0 && i == monthField {
		return n + 1, nil
	}
	if n := slices.Index(dayNames[:], lower); n >= 0 && i == dowField {
		return n, nil
	}
	n, err := strconv.Atoi(word)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", word)
	}
	if n < fieldRange[i].min || n > fieldRange[i].max {
		return 0, fmt.Errorf("%d is out of bounds: the %s field takes %d-%d", n, fieldNames[i], fieldRange[i].min, fieldRange[i].max)
	}
	return n, nil
}

// checkField checks field number i against what crontab(5) allows:
// numbers, names in their own field, *, and the , - / operators; not the
// Quartz extensions ? L W # that some schedulers read.
func checkField(i int, field string) error {
	for j := 0; j < len(field); {
		c := field[j]
		switch {
		case c >= '0' && c <= '9', c == '*', c == ',', c == '/', c == '-':
			j++
			continue
		case !isLetter(c):
			return errors.New("crontab(5) allows numbers, names, *, and , - / only")
		}
		k := j
		for k < len(field) && isLetter(field[k]) {
			k++
		}
		if err := checkName(i, field[j:k]); err != nil {
			return err
		}
		j = k
	}
	return nil
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// checkName checks a name in field number i.
func checkName(i int, word string) error {
	lower := strings.ToLower(word)
	month, day := slices.Contains(monthNames[:], lower), slices.Contains(dayNames[:], lower)
	switch {
	case month && i == monthField, day && i == dowField:
		return nil
	case month:
		return fmt.Errorf("%q is a month name: only the month field (the 4th) takes month names", word)
	case day:
		return fmt.Errorf("%q is a day name: only the day of week field (the 5th) takes day names", word)
	case lower == "l" || lower == "w" || lower == "lw":
		// Quartz (and some cloud schedulers) read L as last, W as weekday.
		return fmt.Errorf("%q is Quartz syntax (last day, nearest weekday), which cron does not have: for the last day of the month run on 28-31 and test the date in the command, e.g. [ \"$(date -d tomorrow +\\%%d)\" = 01 ] && job", word)
	}
	return fmt.Errorf("%q is not a month or day name", word)
}

// String returns the schedule as given.
func (s *Schedule) String() string { return s.spec }

// matchesDay reports whether the schedule fires on the civil date d (its
// year, month and day in UTC).
func (s *Schedule) matchesDay(d time.Time) bool {
	_, month, mday := d.Date()
	return s.matches(month, mday, d.Weekday())
}

// matches reports whether the schedule fires on a day of month, mday and
// weekday.
func (s *Schedule) matches(month time.Month, mday int, weekday time.Weekday) bool {
	if s.bits[monthField]&(1<<int(month)) == 0 {
		return false
	}
	dom := s.bits[domField]&(1<<mday) != 0
	dow := s.bits[dowField]&(1<<int(weekday)) != 0
	if s.eitherDay {
		return dom || dow
	}
	return dom && dow
}

// Gap is the largest time between two consecutive runs.
type Gap struct {
	Length   time.Duration
	From, To time.Time // the two runs around it, in the schedule's zone
}

// DefaultHorizon is how far Gap looks ahead: 28 years hold every pairing of
// weekday and leap year (until 2100, which is not a leap year).
const DefaultHorizon = 28

// Gap returns the largest time between two consecutive runs from `from` on,
// over `years` years, with the clock of loc (daylight-saving changes
// included, as cron handles them).
func (s *Schedule) Gap(loc *time.Location, from time.Time, years int) (Gap, error) {
	if len(s.minutes) == 0 {
		return Gap{}, errors.New("empty schedule")
	}
	from = from.In(loc)
	day := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	end := day.AddDate(years, 0, 0)
	// The largest gap within a day: between minutes[widest] and the next.
	inDay, widest := 0, 0
	for i := 1; i < len(s.minutes); i++ {
		if d := s.minutes[i] - s.minutes[i-1]; d > inDay {
			inDay, widest = d, i-1
		}
	}

	// Instants are counted in Unix seconds: Gap looks at some 10,000 days,
	// and every run is on a whole minute.
	var best struct{ length, from, to int64 }
	note := func(from, to int64) {
		if to-from > best.length {
			best.length, best.from, best.to = to-from, from, to
		}
	}
	var last int64
	haveLast := false
	// The zone period the clock was last seen in: while a whole day falls
	// in it, the day's runs are its midnight plus their minutes, without
	// asking loc again. Days only go forward, so a day is never before the
	// period's start.
	var zone struct {
		end    int64 // 0: no change ahead
		offset int64
		known  bool
	}
	midnight := func(civil int64) (int64, bool) {
		if zone.known {
			mid := civil - zone.offset
			if zone.end == 0 || mid+24*60*60 <= zone.end {
				return mid, true
			}
		}
		zone.known = false
		day := time.Unix(civil, 0).UTC()
		if !steadyClock(day, loc) {
			return 0, false
		}
		mid := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
		_, off := mid.Zone()
		_, end := mid.ZoneBounds()
		zone.end, zone.offset, zone.known = 0, int64(off), true
		if !end.IsZero() {
			zone.end = end.Unix()
		}
		return mid.Unix(), true
	}
	first, final := int64(s.minutes[0])*60, int64(s.minutes[len(s.minutes)-1])*60
	// The date is counted by hand, not asked of a time.Time at each step.
	year, month, mday := day.Date()
	weekday := day.Weekday()
	for civil, stop := day.Unix(), end.Unix(); civil < stop; civil += 24 * 60 * 60 {
		matches := s.matches(month, mday, weekday)
		if weekday++; weekday > time.Saturday {
			weekday = time.Sunday
		}
		if mday++; mday > daysIn(year, month) {
			if mday, month = 1, month+1; month > time.December {
				month, year = time.January, year+1
			}
		}
		if !matches {
			continue
		}
		if mid, ok := midnight(civil); ok {
			// No clock change today: runs are where the clock says, and
			// the day's gaps are the same as every other day's.
			if haveLast {
				note(last, mid+first)
			}
			if inDay > 0 && int64(inDay)*60 > best.length {
				note(mid+int64(s.minutes[widest])*60, mid+int64(s.minutes[widest+1])*60)
			}
			last, haveLast = mid+final, true
			continue
		}
		for _, r := range s.runs(time.Unix(civil, 0).UTC(), loc) {
			if haveLast {
				note(last, r.Unix())
			}
			last, haveLast = r.Unix(), true
		}
	}
	if best.length == 0 {
		return Gap{}, fmt.Errorf("schedule %q fires at most once in %d years", s.spec, years)
	}
	return Gap{
		Length: time.Duration(best.length) * time.Second,
		From:   time.Unix(best.from, 0).In(loc),
		To:     time.Unix(best.to, 0).In(loc),
	}, nil
}

// daysIn returns the number of days of month in year.
func daysIn(year int, month time.Month) int {
	switch month {
	case time.February:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// steadyClock reports whether loc's clock runs without a change through the
// civil date day.
func steadyClock(day time.Time, loc *time.Location) bool {
	start := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	_, end := start.ZoneBounds()
	return end.IsZero() || !end.Before(start.Add(24*time.Hour)) && start.Hour() == 0
}

// runs returns the instants the schedule fires at on civil date day, in
// loc, as cron runs them across a daylight-saving change.
func (s *Schedule) runs(day time.Time, loc *time.Location) []time.Time {
	change, before, after := clockChange(day, loc)
	out := make([]time.Time, 0, len(s.minutes))
	for _, m := range s.minutes {
		civil := day.Add(time.Duration(m) * time.Minute)
		// The instants the clock reads civil: by the old offset before the
		// change, by the new one after it; none in a spring gap, two in an
		// autumn overlap.
		early, late := civil.Add(-before), civil.Add(-after)
		inEarly, inLate := early.Before(change), !late.Before(change)
		switch {
		case !inEarly && !inLate && s.fixedTime:
			// Skipped by the spring change: cron runs it right after.
			out = append(out, change)
		case inEarly && inLate && s.fixedTime:
			// Repeated by the autumn change: cron runs it once.
			out = append(out, early)
		default:
			if inEarly {
				out = append(out, early)
			}
			if inLate {
				out = append(out, late)
			}
		}
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return slices.CompactFunc(out, time.Time.Equal)
}

// clockChange returns the instant loc's clock changes on the civil date day
// (carried in UTC), and its offsets before and after the change.
func clockChange(day time.Time, loc *time.Location) (change time.Time, before, after time.Duration) {
	_, b := day.Add(-36 * time.Hour).In(loc).Zone()
	before = time.Duration(b) * time.Second
	t := day.Add(-before).In(loc) // the clock reads midnight, if not yet changed
	start, end := t.ZoneBounds()
	if _, off := t.Zone(); time.Duration(off)*time.Second == before && !end.IsZero() {
		change = end
	} else {
		change = start
	}
	_, a := change.In(loc).Zone()
	return change, before, time.Duration(a) * time.Second
}

// Margin is the default safety margin for a gap: 10% of it, at least a
// minute, so a job that starts a little late does not raise an alarm.
func Margin(gap time.Duration) time.Duration {
	return max(gap/10, time.Minute)
}

// Interval is a heartbeat interval in whole seconds: gap + runtime + margin,
// rounded up.
func Interval(gap, runtime, margin time.Duration) int64 {
	total := gap + runtime + margin
	return int64((total + time.Second - 1) / time.Second)
}

// Uptime Kuma's limits on a monitor's Heartbeat Interval, in seconds: its
// timers cannot wait longer than 2^31 ms.
const (
	MinInterval = 20
	MaxInterval = 2_073_600
)
