package systemd

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Infinity is the time span "infinity": never.
const Infinity = time.Duration(math.MaxInt64)

// units of systemd 252's parse_time(), in its order: the first suffix the
// text starts with is taken, so "min" before "m", "ms" before "m".
var spanUnits = []struct {
	suffix string
	d      time.Duration
}{
	{"seconds", time.Second}, {"second", time.Second}, {"sec", time.Second}, {"s", time.Second},
	{"minutes", time.Minute}, {"minute", time.Minute}, {"min", time.Minute},
	{"months", 2629800 * time.Second}, {"month", 2629800 * time.Second}, {"M", 2629800 * time.Second},
	{"msec", time.Millisecond}, {"ms", time.Millisecond}, {"m", time.Minute},
	{"hours", time.Hour}, {"hour", time.Hour}, {"hr", time.Hour}, {"h", time.Hour},
	{"days", 24 * time.Hour}, {"day", 24 * time.Hour}, {"d", 24 * time.Hour},
	{"weeks", 7 * 24 * time.Hour}, {"week", 7 * 24 * time.Hour}, {"w", 7 * 24 * time.Hour},
	{"years", 31557600 * time.Second}, {"year", 31557600 * time.Second}, {"y", 31557600 * time.Second},
	{"usec", time.Microsecond}, {"us", time.Microsecond}, {"μs", time.Microsecond}, {"µs", time.Microsecond},
}

// ParseSpan reads a time span as systemd.time(7) writes it: "1h 30min",
// "5m", "2d", "1.5h", a bare number of seconds, "infinity" (Infinity).
// It returns an error for anything systemd-analyze timespan refuses.
func ParseSpan(s string) (time.Duration, error) {
	p := strings.Trim(s, " \t\n\r")
	if p == "infinity" {
		return Infinity, nil
	}
	if p == "" {
		return 0, fmt.Errorf("systemd: empty time span")
	}
	var total float64 // microseconds, as systemd counts
	for p != "" {
		i := 0
		for i < len(p) && p[i] >= '0' && p[i] <= '9' {
			i++
		}
		whole := p[:i]
		frac := ""
		if i < len(p) && p[i] == '.' {
			j := i + 1
			for j < len(p) && p[j] >= '0' && p[j] <= '9' {
				j++
			}
			frac, i = p[i+1:j], j
			if frac == "" { // systemd refuses "1."
				return 0, fmt.Errorf("systemd: invalid time span %q", s)
			}
		}
		if whole == "" && frac == "" {
			return 0, fmt.Errorf("systemd: invalid time span %q", s)
		}
		p = strings.TrimLeft(p[i:], " \t\n\r")
		unit := time.Second
		for _, u := range spanUnits {
			if strings.HasPrefix(p, u.suffix) {
				unit, p = u.d, p[len(u.suffix):]
				break
			}
		}
		n := 0.0
		for _, c := range whole {
			n = n*10 + float64(c-'0')
		}
		f, scale := 0.0, 1.0
		for _, c := range frac {
			scale /= 10
			f += float64(c-'0') * scale
		}
		total += (n + f) * float64(unit/time.Microsecond)
		if total >= math.MaxInt64/1000 {
			return 0, fmt.Errorf("systemd: time span %q out of range", s)
		}
		// A unit must end at a separator or a digit: "5mins" is refused.
		if p != "" && !(p[0] >= '0' && p[0] <= '9') && !strings.ContainsRune(" \t\n\r", rune(p[0])) {
			return 0, fmt.Errorf("systemd: invalid time span %q", s)
		}
		p = strings.TrimLeft(p, " \t\n\r")
	}
	return time.Duration(math.Floor(total+0.5)) * time.Microsecond, nil
}
