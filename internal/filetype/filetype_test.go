package filetype

import (
	"io/fs"
	"testing"
)

// TestName: each type by its name; a character device is not taken for a
// block one (Go sets ModeDevice on both). Mutation caught: the
// ModeCharDevice case after ModeDevice.
func TestName(t *testing.T) {
	for m, want := range map[fs.FileMode]string{
		fs.ModeNamedPipe | 0o600:                  "a FIFO",
		fs.ModeDevice | fs.ModeCharDevice | 0o666: "a character device",
		fs.ModeDevice | 0o660:                     "a block device",
		fs.ModeSocket | 0o755:                     "a socket",
		fs.ModeDir | 0o755:                        "a directory",
		0o644:                                     "a regular file",
		fs.ModeSymlink | 0o777:                    "L---------",
	} {
		if got := Name(m); got != want {
			t.Errorf("Name(%v) = %q, want %q", m, got, want)
		}
	}
}
