// Package calendar reads systemd calendar events, the values of a timer's
// OnCalendar= setting (systemd.time(7)), and computes when they elapse.
//
// Expressions are read as systemd 252 reads them: optional weekdays
// (Mon,Wed or Mon..Fri), an optional date (year-month-day or month-day,
// with ~ counting days from the end of the month), an optional time
// (hour:minute[:second], seconds with up to six decimals), an optional time
// zone at the end (UTC or an IANA name such as Europe/Berlin), and the
// shorthands minutely, hourly, daily, weekly, monthly, quarterly,
// semiannually and yearly/annually. Each component is *, or a list of
// values, ranges (a..b) and repetitions (a/n, a..b/n).
//
// Elapses are found the way systemd finds them: by wall-clock time in the
// spec's zone, so a time skipped by a daylight-saving change does not
// elapse, and a repeated one elapses once.
package calendar

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

const (
	minYear    = 1970
	maxYear    = 2199
	usecPerSec = 1000000
	// maxComponents bounds a list, as systemd does.
	maxComponents = 240
)

// component is one entry of a list: start, or start..stop, each with an
// optional repetition. stop is -1 when there is none, repeat 0.
type component struct {
	start, stop, repeat int
}

// Spec is a parsed calendar event.
type Spec struct {
	expr       string
	weekdays   int // bit 0 Monday .. bit 6 Sunday; -1: any day
	year       []component
	month      []component
	day        []component
	hour       []component
	minute     []component
	usec       []component // seconds, in microseconds
	endOfMonth bool        // day counts back from the end of the month
	utc        bool
	zone       string         // IANA name, "" when none
	loc        *time.Location // UTC, the zone, or nil: the caller's
}

// ParseError is returned by Parse for an expression systemd would not take.
type ParseError struct {
	Expr   string // the expression as given
	Reason string // what is wrong with it
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("calendar event %q: %s", e.Expr, e.Reason)
}

// String returns the expression as given to Parse.
func (s *Spec) String() string { return s.expr }

// Location returns the zone the spec names (time.UTC for UTC), or nil when
// it names none and elapses are found in the location of the time given to
// Next.
func (s *Spec) Location() *time.Location { return s.loc }

// shorthands are the special expressions systemd.time(7) lists.
var shorthands = map[string]string{
	"minutely":      "*-*-* *:*:00",
	"hourly":        "*-*-* *:00:00",
	"daily":         "*-*-* 00:00:00",
	"monthly":       "*-*-01 00:00:00",
	"weekly":        "Mon *-*-* 00:00:00",
	"yearly":        "*-01-01 00:00:00",
	"annually":      "*-01-01 00:00:00",
	"anually":       "*-01-01 00:00:00",
	"quarterly":     "*-01,04,07,10-01 00:00:00",
	"semiannually":  "*-01,07-01 00:00:00",
	"semi-annually": "*-01,07-01 00:00:00",
	"biannually":    "*-01,07-01 00:00:00",
	"bi-annually":   "*-01,07-01 00:00:00",
}

// Parse reads one calendar event expression (one OnCalendar= value). It
// returns a *ParseError saying what is wrong when systemd would reject it.
// An IANA zone name is loaded with time.LoadLocation.
func Parse(expr string) (*Spec, error) {
	s := &Spec{expr: expr, weekdays: 0}
	fail := func(format string, a ...any) (*Spec, error) {
		return nil, &ParseError{Expr: expr, Reason: fmt.Sprintf(format, a...)}
	}
	p := expr
	if n := len(p); n >= 4 && strings.EqualFold(p[n-4:], " UTC") {
		s.utc = true
		p = p[:n-4]
	} else if i := strings.LastIndexByte(p, ' '); i >= 0 && validZone(p[i+1:]) {
		loc, err := time.LoadLocation(p[i+1:])
		if err == nil {
			s.zone, s.loc = p[i+1:], loc
			p = p[:i]
		}
	}
	if s.utc {
		s.loc = time.UTC
	}
	if p == "" {
		return fail("empty expression")
	}
	if long, ok := shorthands[strings.ToLower(p)]; ok {
		p = long
	}
	r := &reader{s: p}
	if err := r.weekdays(s); err != nil {
		return fail("%v", err)
	}
	timestamp := false
	if err := r.date(s, &timestamp); err != nil {
		return fail("%v", err)
	}
	if !timestamp {
		if err := r.time(s); err != nil {
			return fail("%v", err)
		}
	}
	if r.s != "" {
		return fail("unexpected %q at the end", r.s)
	}
	s.normalize()
	if err := s.valid(); err != nil {
		return fail("%v", err)
	}
	return s, nil
}

// validZone reports whether name may be a zone name systemd would look up:
// a relative path in the zone database, not Go's "Local".
func validZone(name string) bool {
	if name == "" || name == "Local" || strings.HasPrefix(name, "/") || strings.Contains(name, "..") {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("/_-+", c)) {
			return false
		}
	}
	return true
}

// reader consumes an expression from the left.
type reader struct{ s string }

func (r *reader) peek() byte {
	if r.s == "" {
		return 0
	}
	return r.s[0]
}

func (r *reader) skipSpaces() { r.s = strings.TrimLeft(r.s, " ") }

var dayNames = []struct {
	name string
	nr   int
}{
	{"monday", 0}, {"mon", 0}, {"tuesday", 1}, {"tue", 1}, {"wednesday", 2}, {"wed", 2},
	{"thursday", 3}, {"thu", 3}, {"friday", 4}, {"fri", 4}, {"saturday", 5}, {"sat", 5},
	{"sunday", 6}, {"sun", 6},
}

var shortDays = [7]string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}

// weekdays reads an optional weekday list, as systemd's parse_weekdays.
func (r *reader) weekdays(s *Spec) error {
	from := -1
	first := true
	for {
		nr := -1
		for _, d := range dayNames {
			if len(r.s) < len(d.name) || !strings.EqualFold(r.s[:len(d.name)], d.name) {
				continue
			}
			if rest := r.s[len(d.name):]; rest != "" && !strings.ContainsRune("-., ", rune(rest[0])) {
				return fmt.Errorf("bad weekday %q", wordAt(r.s))
			}
			nr = d.nr
			s.weekdays |= 1 << nr
			if from >= 0 {
				if from > nr {
					return fmt.Errorf("weekday range %s..%s runs backwards", shortDays[from], shortDays[nr])
				}
				for j := from + 1; j < nr; j++ {
					s.weekdays |= 1 << j
				}
			}
			r.s = r.s[len(d.name):]
			break
		}
		if nr < 0 {
			if first {
				return nil
			}
			return fmt.Errorf("expected a weekday at %q", r.s)
		}
		switch r.peek() {
		case 0:
			return nil
		case ' ':
			r.skipSpaces()
			return nil
		case '.':
			if from >= 0 {
				return fmt.Errorf("weekday range has more than two ends")
			}
			if !strings.HasPrefix(r.s, "..") {
				return fmt.Errorf("weekday range needs \"..\"")
			}
			from = nr
			r.s = r.s[2:]
		case '-':
			if from >= 0 {
				return fmt.Errorf("weekday range has more than two ends")
			}
			from = nr
			r.s = r.s[1:]
		case ',':
			from = -1
			r.s = r.s[1:]
		}
		if c := r.peek(); c == 0 || c == ' ' {
			r.skipSpaces()
			if from >= 0 {
				return fmt.Errorf("weekday range has no end")
			}
			return nil
		}
		first = false
	}
}

func wordAt(s string) string {
	if i := strings.IndexAny(s, " ,."); i >= 0 {
		return s[:i]
	}
	return s
}

// date reads an optional date, as systemd's parse_date. A @timestamp sets
// *timestamp: no time follows it.
func (r *reader) date(s *Spec, timestamp *bool) error {
	if r.s == "" {
		return nil
	}
	if r.s[0] == '@' {
		v, rest, err := number(r.s[1:])
		if err != nil {
			return fmt.Errorf("bad timestamp after @: %w", err)
		}
		t := time.Unix(int64(v), 0).UTC()
		s.year = []component{{t.Year(), -1, 0}}
		s.month = []component{{int(t.Month()), -1, 0}}
		s.day = []component{{t.Day(), -1, 0}}
		s.hour = []component{{t.Hour(), -1, 0}}
		s.minute = []component{{t.Minute(), -1, 0}}
		s.usec = []component{{t.Second() * usecPerSec, -1, 0}}
		s.utc, s.loc = true, time.UTC
		r.s = rest
		*timestamp = true
		return nil
	}
	save := r.s
	first, err := r.chain(false)
	if err != nil {
		return err
	}
	if c := r.peek(); c == 0 || c == ':' {
		r.s = save // a time, not a date
		return nil
	}
	sep := func() error {
		switch r.peek() {
		case '~':
			s.endOfMonth = true
		case '-':
		default:
			return fmt.Errorf("unexpected %q in date", r.s)
		}
		r.s = r.s[1:]
		return nil
	}
	if err := sep(); err != nil {
		return err
	}
	second, err := r.chain(false)
	if err != nil {
		return err
	}
	if c := r.peek(); c == 0 || c == ' ' {
		r.skipSpaces()
		s.month, s.day = first, second
		return nil
	}
	if s.endOfMonth {
		return fmt.Errorf("~ must come before the day")
	}
	if err := sep(); err != nil {
		return err
	}
	third, err := r.chain(false)
	if err != nil {
		return err
	}
	if c := r.peek(); c != 0 && c != ' ' {
		return fmt.Errorf("unexpected %q after the date", r.s)
	}
	r.skipSpaces()
	s.year, s.month, s.day = first, second, third
	return nil
}

// time reads an optional time, as systemd's parse_calendar_time.
func (r *reader) time(s *Spec) error {
	zero := []component{{0, -1, 0}}
	if r.s == "" {
		s.hour, s.minute, s.usec = zero, zero, zero
		return nil
	}
	h, err := r.chain(false)
	if err != nil {
		return err
	}
	if r.peek() != ':' {
		return fmt.Errorf("expected \":\" after the hour, found %q", r.s)
	}
	r.s = r.s[1:]
	m, err := r.chain(false)
	if err != nil {
		return err
	}
	s.hour, s.minute = h, m
	if r.s == "" {
		s.usec = zero
		return nil
	}
	if r.peek() != ':' {
		return fmt.Errorf("expected \":\" after the minute, found %q", r.s)
	}
	r.s = r.s[1:]
	sec, err := r.chain(true)
	if err != nil {
		return err
	}
	if r.s != "" {
		return fmt.Errorf("unexpected %q after the seconds", r.s)
	}
	s.usec = sec
	return nil
}

// chain reads * or a list, as systemd's parse_chain; nil means *.
func (r *reader) chain(usec bool) ([]component, error) {
	if r.peek() == '*' {
		r.s = r.s[1:]
		if usec {
			return []component{{0, -1, usecPerSec}}, nil
		}
		return nil, nil
	}
	var list []component
	for {
		if len(list) > maxComponents {
			return nil, fmt.Errorf("list longer than %d values", maxComponents)
		}
		c := component{stop: -1}
		var err error
		if c.start, err = r.decimal(usec); err != nil {
			return nil, err
		}
		if strings.HasPrefix(r.s, "..") {
			r.s = r.s[2:]
			if c.stop, err = r.decimal(usec); err != nil {
				return nil, err
			}
			c.repeat = 1
			if usec {
				c.repeat = usecPerSec
			}
		}
		if r.peek() == '/' {
			r.s = r.s[1:]
			if c.repeat, err = r.decimal(usec); err != nil {
				return nil, err
			}
			if c.repeat == 0 {
				return nil, fmt.Errorf("repetition must not be 0")
			}
		} else if usec && c.stop >= 0 && c.start+c.repeat > c.stop {
			// systemd's default step for seconds is 1s: a shorter range is refused.
			return nil, fmt.Errorf("seconds range shorter than a second")
		}
		if ch := r.peek(); ch != 0 && !strings.ContainsRune(" ,-~:", rune(ch)) {
			return nil, fmt.Errorf("unexpected %q in a value", r.s)
		}
		list = append(list, c)
		if r.peek() != ',' {
			return list, nil
		}
		r.s = r.s[1:]
	}
}

const intMax = 1<<31 - 1

// number reads decimal digits; values above intMax are an error.
func number(s string) (int, string, error) {
	i, v := 0, 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		if v <= intMax {
			v = v*10 + int(s[i]-'0')
		}
		i++
	}
	if i == 0 {
		if s == "" {
			return 0, s, fmt.Errorf("missing number")
		}
		return 0, s, fmt.Errorf("expected a number at %q", s)
	}
	if v > intMax {
		return 0, s, fmt.Errorf("number %s out of range", s[:i])
	}
	return v, s[i:], nil
}

// decimal reads a value; in seconds, in microseconds with up to six
// decimals, rounded as systemd rounds them.
func (r *reader) decimal(usec bool) (int, error) {
	v, rest, err := number(r.s)
	if err != nil {
		return 0, err
	}
	if usec {
		v *= usecPerSec
		if len(rest) > 1 && rest[0] == '.' && rest[1] != '.' || rest == "." {
			rest = rest[1:]
			frac, i := 0, 0
			for ; i < 6 && i < len(rest) && rest[i] >= '0' && rest[i] <= '9'; i++ {
				frac = frac*10 + int(rest[i]-'0')
			}
			if i == 0 {
				return 0, fmt.Errorf("expected digits after the decimal point")
			}
			rest = rest[i:]
			for ; i < 6; i++ {
				frac *= 10
			}
			if rest != "" && rest[0] >= '5' && rest[0] <= '9' {
				frac++
			}
			rest = strings.TrimLeft(rest, "0123456789")
			v += frac
		}
		if v > intMax {
			return 0, fmt.Errorf("seconds value out of range")
		}
	}
	r.s = rest
	return v, nil
}

// normalize does what systemd's calendar_spec_normalize does.
func (s *Spec) normalize() {
	if s.weekdays <= 0 || s.weekdays >= 127 {
		s.weekdays = -1
	}
	if s.endOfMonth && s.day == nil {
		s.endOfMonth = false
	}
	for i := range s.year {
		c := &s.year[i]
		for _, v := range []*int{&c.start, &c.stop} {
			switch {
			case *v >= 0 && *v < 70:
				*v += 2000
			case *v >= 70 && *v < 100:
				*v += 1900
			}
		}
	}
	for _, l := range []*[]component{&s.year, &s.month, &s.day, &s.hour, &s.minute, &s.usec} {
		*l = normalizeChain(*l)
	}
}

func normalizeChain(l []component) []component {
	for i := range l {
		c := &l[i]
		if c.stop > c.start && c.repeat > 0 {
			c.stop -= (c.stop - c.start) % c.repeat
		}
		if c.stop > c.start && c.repeat > 0 && c.start+c.repeat > c.stop || c.start == c.stop {
			c.repeat, c.stop = 0, -1
		}
	}
	slices.SortFunc(l, func(a, b component) int {
		if a.start != b.start {
			return a.start - b.start
		}
		if a.stop != b.stop {
			return a.stop - b.stop
		}
		return a.repeat - b.repeat
	})
	return slices.Compact(l)
}

var fieldNames = [6]string{"year", "month", "day", "hour", "minute", "second"}

// valid does what systemd's calendar_spec_valid does.
func (s *Spec) valid() error {
	bounds := [6][2]int{{minYear, maxYear}, {1, 12}, {1, 31}, {0, 23}, {0, 59}, {0, 60*usecPerSec - 1}}
	for i, l := range [6][]component{s.year, s.month, s.day, s.hour, s.minute, s.usec} {
		from, to := bounds[i][0], bounds[i][1]
		eom := i == 2 && s.endOfMonth
		if eom {
			to -= 3 // no more than 28 days from the end of the month
		}
		for _, c := range l {
			if err := c.valid(from, to, eom); err != nil {
				return fmt.Errorf("%s %s: %v", fieldNames[i], c.format(2, i == 5), err)
			}
		}
	}
	return nil
}

func (c component) valid(from, to int, eom bool) error {
	if c.start < from || c.start > to || c.stop >= 0 && (c.stop < from || c.stop > to) {
		return fmt.Errorf("out of range")
	}
	if c.repeat > to-from {
		return fmt.Errorf("repetition too large")
	}
	switch {
	case c.stop >= 0 && c.start+c.repeat > c.stop:
		return fmt.Errorf("range runs backwards")
	case c.stop < 0 && eom && c.start-c.repeat < from:
		return fmt.Errorf("repetition too large")
	case c.stop < 0 && !eom && c.start+c.repeat > to:
		return fmt.Errorf("repetition never repeats")
	}
	return nil
}

// Normalized returns the expression in systemd's normalized form, as
// systemd-analyze calendar prints it.
func (s *Spec) Normalized() string {
	var b strings.Builder
	if s.weekdays > 0 {
		formatWeekdays(&b, s.weekdays)
		b.WriteByte(' ')
	}
	b.WriteString(formatChain(s.year, 4, false))
	b.WriteByte('-')
	b.WriteString(formatChain(s.month, 2, false))
	if s.endOfMonth {
		b.WriteByte('~')
	} else {
		b.WriteByte('-')
	}
	b.WriteString(formatChain(s.day, 2, false))
	b.WriteByte(' ')
	b.WriteString(formatChain(s.hour, 2, false))
	b.WriteByte(':')
	b.WriteString(formatChain(s.minute, 2, false))
	b.WriteByte(':')
	b.WriteString(formatChain(s.usec, 2, true))
	if s.utc {
		b.WriteString(" UTC")
	} else if s.zone != "" {
		b.WriteString(" " + s.zone)
	}
	return b.String()
}

func formatWeekdays(b *strings.Builder, bits int) {
	l, comma := -1, false
	x := 0
	for ; x < 7; x++ {
		if bits&(1<<x) != 0 {
			if l < 0 {
				if comma {
					b.WriteByte(',')
				}
				comma = true
				b.WriteString(shortDays[x])
				l = x
			}
		} else if l >= 0 {
			if x > l+1 {
				b.WriteString(map[bool]string{true: "..", false: ","}[x > l+2])
				b.WriteString(shortDays[x-1])
			}
			l = -1
		}
	}
	if l >= 0 && x > l+1 {
		b.WriteString(map[bool]string{true: "..", false: ","}[x > l+2])
		b.WriteString(shortDays[x-1])
	}
}

func formatChain(l []component, width int, usec bool) string {
	if l == nil {
		return "*"
	}
	if usec && len(l) == 1 && l[0] == (component{0, -1, usecPerSec}) {
		return "*"
	}
	parts := make([]string, len(l))
	for i, c := range l {
		parts[i] = c.format(width, usec)
	}
	return strings.Join(parts, ",")
}

func (c component) format(width int, usec bool) string {
	d := 1
	if usec {
		d = usecPerSec
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%0*d", width, c.start/d)
	if c.start%d > 0 {
		fmt.Fprintf(&b, ".%06d", c.start%d)
	}
	if c.stop > 0 {
		fmt.Fprintf(&b, "..%0*d", width, c.stop/d)
		if c.stop%d > 0 {
			fmt.Fprintf(&b, ".%06d", c.stop%d)
		}
	}
	if c.repeat > 0 && !(c.stop > 0 && c.repeat == d) {
		fmt.Fprintf(&b, "/%d", c.repeat/d)
	}
	if c.repeat%d > 0 {
		fmt.Fprintf(&b, ".%06d", c.repeat%d)
	}
	return b.String()
}
