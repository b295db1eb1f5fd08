//go:build unix && !linux

package runner

import "syscall"

// sysProcAttr puts the child in a process group of its own when ownGroup.
func sysProcAttr(ownGroup bool) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: ownGroup}
}
