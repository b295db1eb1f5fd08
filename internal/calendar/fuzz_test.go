package calendar

import (
	"testing"
	"time"
)

// FuzzParse checks that Parse never panics, that what it takes prints a
// normalized form it takes again, and that Next only moves forward.
func FuzzParseCalendar(f *testing.F) {
	for _, e := range manExamples {
		f.Add(e)
	}
	for _, e := range dstRows {
		f.Add(e)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		s, err := Parse(expr)
		if err != nil {
			return
		}
		again, err := Parse(s.Normalized())
		if err != nil {
			t.Fatalf("Parse(%q) takes it, not its normalized form %q: %v", expr, s.Normalized(), err)
		}
		if again.Normalized() != s.Normalized() {
			t.Fatalf("normalized form of %q changes: %q, then %q", expr, s.Normalized(), again.Normalized())
		}
		at := time.Date(2026, 3, 29, 0, 59, 59, 0, time.UTC)
		for range 5 {
			next, ok := s.Next(at)
			if !ok {
				return
			}
			if !next.After(at) {
				t.Fatalf("%q: Next(%s) = %s, not after it", expr, at, next)
			}
			at = next
		}
	})
}
