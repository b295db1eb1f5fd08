package runner

import "syscall"

// sysProcAttr puts the child in a process group of its own when ownGroup,
// and has the kernel kill it if opkuma dies first (kill -9): a job never
// runs on unwatched.
func sysProcAttr(ownGroup bool) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: ownGroup, Pdeathsig: syscall.SIGKILL}
}
