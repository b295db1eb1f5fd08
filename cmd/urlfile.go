package cmd

import (
	"errors"

	"github.com/opkuma/opkuma/pusher"
)

// urlFileError words an error of pusher.ReadURLFile for the user, with the
// flag that named the file: a *setupError. Other errors pass through.
func urlFileError(err error) error {
	var fe *pusher.URLFileError
	if !errors.As(err, &fe) {
		return err
	}
	switch {
	case fe.Op == "open" || fe.Op == "stat":
		return setupErrorf("--url-file: %v", fe)
	case errors.Is(fe, pusher.ErrURLFileReadable):
		return setupErrorf("--url-file %v: run chmod 600 %s, or pass --url-file-insecure", fe, fe.Path)
	case errors.Is(fe, pusher.ErrURLFileNoURL):
		return setupErrorf("--url-file %v: put the push URL on a line of its own", fe)
	}
	return setupErrorf("--url-file %v", fe)
}
