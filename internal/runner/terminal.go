//go:build linux || darwin || freebsd

package runner

import (
	"os"
	"syscall"
	"unsafe"
)

// IsTerminal reports whether f is a terminal. opkuma keeps the child in its
// own process group only when none of its streams is one: a child that is
// not in the terminal's foreground group is stopped when it reads from it.
func IsTerminal(f *os.File) bool {
	if f == nil {
		return false
	}
	var t syscall.Termios
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), ioctlGetTermios, uintptr(unsafe.Pointer(&t)))
	return errno == 0
}
