package watch

import (
	"context"
	"time"
)

// Repeat runs pass every period until ctx ends, and then returns nil. An
// error of a pass for which stop says so (given whether it was the first
// pass: a set-up that never worked) ends it with that error; any other is
// given to said, and the next pass tries again (a server restarting is
// waited out).
func Repeat(ctx context.Context, period time.Duration, pass func(context.Context) error, stop func(err error, first bool) bool, said func(error)) error {
	t := time.NewTicker(period)
	defer t.Stop()
	for first := true; ; first = false {
		err := pass(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil && stop(err, first):
			return err
		case err != nil:
			said(err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
