package runner

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// Stdio returns opkuma's standard input, output and error as the job must
// get them, nil for one that was closed when opkuma started.
//
// The Go runtime opens /dev/null read-write in place of a closed standard
// descriptor before main runs, so a job started with "2>&-" would see
// /dev/null, where alone it would see a closed descriptor. Such a
// descriptor is told from one a caller opened on /dev/null by its access
// mode (redirections open it read-only or write-only) and by not sharing
// its open file with another standard descriptor (daemon(3) opens
// /dev/null read-write once and duplicates it to all three).
func Stdio() (stdin, stdout, stderr *os.File) {
	files := [3]*os.File{os.Stdin, os.Stdout, os.Stderr}
	var null unix.Stat_t
	if unix.Stat("/dev/null", &null) != nil {
		return files[0], files[1], files[2]
	}
	isNullRW := func(fd int) bool {
		var st unix.Stat_t
		if unix.Fstat(fd, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != null.Rdev {
			return false
		}
		fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
		return err == nil && fl&unix.O_ACCMODE == unix.O_RDWR
	}
	var candidate [3]bool
	for fd := range files {
		candidate[fd] = isNullRW(fd)
	}
	for fd := range files {
		if !candidate[fd] {
			continue
		}
		shared := false
		for other := range files {
			if other != fd && candidate[other] && sameOpenFile(fd, other) {
				shared = true
			}
		}
		if !shared {
			files[fd] = nil
		}
	}
	return files[0], files[1], files[2]
}

// sameOpenFile reports whether descriptors a and b share one open file
// (one came from the other by dup): status flags belong to the open file,
// so a flag set through a shows through b. O_APPEND is harmless on
// /dev/null and is cleared again.
func sameOpenFile(a, b int) bool {
	fa, err := unix.FcntlInt(uintptr(a), unix.F_GETFL, 0)
	if err != nil {
		return false
	}
	before, err := unix.FcntlInt(uintptr(b), unix.F_GETFL, 0)
	if err != nil {
		return false
	}
	if _, err := unix.FcntlInt(uintptr(a), unix.F_SETFL, fa^unix.O_APPEND); err != nil {
		return false
	}
	after, err := unix.FcntlInt(uintptr(b), unix.F_GETFL, 0)
	_, _ = unix.FcntlInt(uintptr(a), unix.F_SETFL, fa)
	return err == nil && (before^after)&unix.O_APPEND != 0
}

// StdioOf returns the job's standard files when opkuma's are in, out and
// errw: Stdio's when they are os.Stdin, os.Stdout and os.Stderr, else
// those of them that are files (nil for any other writer).
func StdioOf(in *os.File, out, errw io.Writer) (stdin, stdout, stderr *os.File) {
	if in == os.Stdin && out == os.Stdout && errw == os.Stderr {
		return Stdio()
	}
	stdout, _ = out.(*os.File)
	stderr, _ = errw.(*os.File)
	return in, stdout, stderr
}
