//go:build darwin || freebsd

package runner

import "syscall"

const ioctlGetTermios = syscall.TIOCGETA
