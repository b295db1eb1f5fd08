package calendar

import (
	"errors"
	"testing"
	"time"
)

// regressions are expressions that once disagreed with systemd 252: want
// is its normalized form and the first elapses after from (UTC), or err.
var regressions = []struct {
	name, expr, from string
	norm             string
	want             []string
	err              bool
}{
	{name: "single range 1..1 is a value", expr: "1..1:00", from: "2026-12-06T07:00:00Z", norm: "*-*-* 01:00:00",
		want: []string{"2026-12-07T01:00:00Z"}},
	{name: "range shorter than repetition is its start", expr: "1..3/5:00", from: "2026-12-06T07:00:00Z", norm: "*-*-* 01:00:00",
		want: []string{"2026-12-07T01:00:00Z"}},
	{name: "last Monday in May", expr: "Mon *-05~07/1", from: "2026-12-06T07:00:00Z", norm: "Mon *-05~07/1 00:00:00",
		want: []string{"2027-05-31T00:00:00Z", "2028-05-29T00:00:00Z"}},
	{name: "day range trimmed to repetition", expr: "*-*-1..31/7 0:0", from: "2026-12-06T07:00:00Z", norm: "*-*-01..29/7 00:00:00",
		want: []string{"2026-12-08T00:00:00Z", "2026-12-15T00:00:00Z", "2026-12-22T00:00:00Z", "2026-12-29T00:00:00Z", "2027-01-01T00:00:00Z"}},
	{name: "seconds round to 6 decimals", expr: "12:00:07.9999996", from: "2026-12-06T07:00:00Z", norm: "*-*-* 12:00:08",
		want: []string{"2026-12-06T12:00:08Z"}},
	{name: "no date exists", expr: "*-02-30", from: "2026-12-06T07:00:00Z", norm: "*-02-30 00:00:00"},
	{name: "skipped hour does not elapse", expr: "*-03-28 02:30 Europe/Berlin", from: "2027-03-01T00:00:00Z", norm: "*-03-28 02:30:00 Europe/Berlin",
		want: []string{"2028-03-28T00:30:00Z"}},
	{name: "repeated hour elapses once", expr: "*-10-31 *:30 Europe/Berlin", from: "2027-10-30T23:00:00Z", norm: "*-10-31 *:30:00 Europe/Berlin",
		want: []string{"2027-10-30T23:30:00Z", "2027-10-31T00:30:00Z", "2027-10-31T02:30:00Z"}},
	{name: "fraction list keeps its second value", expr: "05:22:10.25,20.75", from: "2026-12-06T07:00:00Z", norm: "*-*-* 05:22:10.250000,20.750000",
		want: []string{"2026-12-07T05:22:10Z", "2026-12-07T05:22:20Z"}},
	{name: "second overflow resets the seconds", expr: "*-16 *:*:55..56/19,5,39/16", from: "2026-12-06T07:00:00Z", norm: "*-*-16 *:*:05,39/16,55",
		want: []string{"2026-12-16T00:00:05Z", "2026-12-16T00:00:39Z", "2026-12-16T00:00:55Z", "2026-12-16T00:01:05Z"}},
	{name: "seconds range of one value", expr: "*:*:35..35", err: true},
	{name: "star with a repetition", expr: "*:*/15", err: true},
	{name: "leading space", expr: " daily", err: true},
	{name: "space after a weekday comma", expr: "Mon, Tue 1:00", err: true},
	{name: "weekday range backwards", expr: "Fri..Mon", err: true},
	{name: "more than 28 days back", expr: "*-*~29", err: true},
	{name: "repetition never repeats", expr: "*-*-31/1", err: true},
	{name: "sixty seconds", expr: "00:00:60", err: true},
	{name: "past the last year", expr: "2200-1-1", err: true},
}

func TestRegressions(t *testing.T) {
	for _, tt := range regressions {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(tt.expr)
			if tt.err {
				var pe *ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("Parse(%q) = %v, want a *ParseError", tt.expr, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Normalized(); got != tt.norm {
				t.Errorf("Normalized() = %q, want %q", got, tt.norm)
			}
			from, err := time.Parse(time.RFC3339, tt.from)
			if err != nil {
				t.Fatal(err)
			}
			at := from
			for i, w := range tt.want {
				next, ok := s.Next(at)
				if got := next.UTC().Format(time.RFC3339); !ok || got != w {
					t.Fatalf("elapse %d = %s %v, want %s", i+1, got, ok, w)
				}
				at = next
			}
			if len(tt.want) == 0 {
				if next, ok := s.Next(at); ok {
					t.Errorf("Next(%s) = %s, want none", at, next)
				}
			}
		})
	}
}
