package pusher

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"
)

// The statistics tables of Uptime Kuma 2.x, one row per monitor and period.
const (
	StatMinutely = "stat_minutely"
	StatHourly   = "stat_hourly"
	StatDaily    = "stat_daily"
)

// StuckStatsError is a fault of Uptime Kuma 2.0-2.5.x (uptime-kuma#5357):
// two pushes of one monitor at a new statistics period both inserted its
// row, one failed on the unique key, and the server kept the unsaved row,
// so until the period ends it answers every push to that monitor with that
// failure and records nothing. Push waits out a stuck minute (up to a
// minute past Client.MaxTime) and returns this error, inside an
// *UnreachableError, for a stuck hour or day, or a minute it could not wait
// out.
type StuckStatsError struct {
	Table      string    // StatMinutely, StatHourly or StatDaily
	Until      time.Time // when the period ends (UTC), by the server's Date header when it sent one
	StatusCode int       // HTTP status code of the answer
	Msg        string    // the server's msg, redacted
}

// Error names the time the monitor's statistics are stuck until and says
// that the beat was not recorded.
func (e *StuckStatsError) Error() string {
	s := fmt.Sprintf("Uptime Kuma 2.x has this monitor's statistics stuck until %s (its bug, uptime-kuma#5357, in %s): the beat was not recorded",
		e.Until.UTC().Format("2006-01-02 15:04:05 UTC"), e.Table)
	if e.Table == StatMinutely {
		s += "; a push waits for the next minute, up to a minute past its time bound"
	}
	return s
}

// statsSpread is the most a push waits past the start of the next minute.
// The race needs the first two pushes of a minute within a few
// milliseconds of each other; once one is stored, the minute's row exists
// and every later push is safe. So the pushes a stuck minute held come
// back spread over the next minute, thinly at its start and thicker later
// (statsOffset): a uniform spread of 48 pushes over 5 s stuck the next
// minute too in one of a few runs on Uptime Kuma 2.5.3; this one leaves
// the first push of the minute seconds apart from the second.
const statsSpread = 50 * time.Second

// statsOffset is how far past the start of the next minute a push held by
// a stuck one comes back: window·∛u for u uniform in [0, 1), a density
// rising as t² over the window. For n pushes the first two are on average
// window/(3·∛n) apart (4.6 s for 48 over 50 s) where a uniform spread
// leaves window/n (1 s).
func statsOffset(u float64, window time.Duration) time.Duration {
	return time.Duration(math.Cbrt(u) * float64(window))
}

// statsGrace is how far past MaxTime a push may wait for a stuck minute to
// end.
const statsGrace = time.Minute

// stuckStats reports which statistics table an {"ok":false} msg says is
// stuck: a unique-key failure inserting a stat_minutely, stat_hourly or
// stat_daily row, in SQLite's or MariaDB's words.
func stuckStats(msg string) (table string, ok bool) {
	i := strings.Index(msg, "UNIQUE constraint failed")
	if i < 0 {
		// MariaDB's, with (mysql) or without (mysql2) "ER_DUP_ENTRY: ".
		i = strings.Index(msg, "Duplicate entry")
	}
	if i < 0 || !strings.HasPrefix(msg, "insert into ") {
		return "", false
	}
	// The constraint's name (after the failure) says the table; the
	// insert's target (before it) when a server words it otherwise.
	for _, part := range []string{msg[i:], msg[:i]} {
		for _, t := range []string{StatMinutely, StatHourly, StatDaily} {
			if strings.Contains(part, t) {
				return t, true
			}
		}
	}
	return "", false
}

// periodEnd returns when the period of table that holds t ends, in UTC, as
// Uptime Kuma's UptimeCalculator cuts periods.
func periodEnd(table string, t time.Time) time.Time {
	t = t.UTC()
	switch table {
	case StatDaily:
		return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, time.UTC)
	case StatHourly:
		return t.Truncate(time.Hour).Add(time.Hour)
	default:
		return t.Truncate(time.Minute).Add(time.Minute)
	}
}

// serverTime is the time of an answer by the server's clock: its Date
// header, else now. Date is cut to the second, so a wait computed from it
// ends late, never early.
func serverTime(resp *http.Response, now time.Time) time.Time {
	if t, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		return t
	}
	return now
}
