package calendar

import (
	"errors"
	"testing"
	"time"
)

func TestGap(t *testing.T) {
	from := time.Date(2026, 12, 6, 7, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		exprs []string
		want  time.Duration
		err   error
	}{
		{"daily", []string{"daily"}, 24 * time.Hour, nil},
		{"weekdays at nine: the weekend", []string{"Mon..Fri 9:00"}, 72 * time.Hour, nil},
		{"two lines: earliest of both", []string{"Mon..Fri 9:00", "Sat,Sun 12:00"}, 27 * time.Hour, nil},
		{"quarterly: the longest quarter", []string{"quarterly"}, 92 * 24 * time.Hour, nil},
		{"never", []string{"2003-03-05"}, 0, ErrNoGap},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var specs []*Spec
			for _, e := range tt.exprs {
				s, err := Parse(e)
				if err != nil {
					t.Fatal(err)
				}
				specs = append(specs, s)
			}
			gap, err := Gap(specs, from, 2*365*24*time.Hour)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Gap() error = %v, want %v", err, tt.err)
			}
			if gap.Length != tt.want {
				t.Errorf("Gap() = %v (%s to %s), want %v", gap.Length, gap.From, gap.To, tt.want)
			}
		})
	}
}
