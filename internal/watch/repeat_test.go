package watch

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestRepeat: passes run until the context ends (then nil); an error stop
// names ends it, given whether it was the first pass; others are said and
// the passes go on.
//
// Catches: first always true or never (the error of pass 1 and of pass 3
// are told apart only by it), said skipped, ctx's end returned as an error.
func TestRepeat(t *testing.T) {
	errFirst, errLater := errors.New("first"), errors.New("later")
	for _, tc := range []struct {
		name      string
		errs      []error // of passes 1, 2, ...; the pass after them cancels
		stopFirst bool    // stop on any error of the first pass
		want      error
		wantSaid  int
		wantPass  int
	}{
		{"all fine until cancelled", []error{nil, nil}, true, nil, 0, 3},
		{"first pass fails: stop", []error{errFirst}, true, errFirst, 0, 1},
		{"first pass fails, kept on", []error{errFirst, nil}, false, nil, 1, 3},
		{"later error said, passes go on", []error{nil, errLater, nil}, true, nil, 1, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			passes, said := 0, 0
			pass := func(context.Context) error {
				passes++
				if passes > len(tc.errs) {
					cancel()
					return errors.New("cancelled mid-pass")
				}
				return tc.errs[passes-1]
			}
			stop := func(err error, first bool) bool { return first && tc.stopFirst }
			got := Repeat(ctx, time.Microsecond, pass, stop, func(error) { said++ })
			if got != tc.want || said != tc.wantSaid || passes != tc.wantPass {
				t.Errorf("Repeat = %v after %d passes, %d said; want %v, %d, %d", got, passes, said, tc.want, tc.wantPass, tc.wantSaid)
			}
		})
	}
}
