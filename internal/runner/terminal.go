package runner

import (
	"os"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// terminalOf returns the first of files that is a terminal, or nil.
func terminalOf(files ...*os.File) *os.File {
	for _, f := range files {
		if f != nil && term.IsTerminal(int(f.Fd())) {
			return f
		}
	}
	return nil
}

// inForeground reports whether opkuma's process group is the foreground
// group of the terminal tty: then the terminal's Ctrl-C and Ctrl-\ reach
// opkuma and the job, which shares its group, at once.
func inForeground(tty *os.File) bool {
	if tty == nil {
		return false
	}
	pgrp, err := unix.IoctlGetInt(int(tty.Fd()), unix.TIOCGPGRP)
	return err == nil && pgrp == unix.Getpgrp()
}
