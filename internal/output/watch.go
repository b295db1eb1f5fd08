package output

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// readerGone reports whether d is a pipe or socket whose reading end has
// gone: a write to it fails with EPIPE.
func readerGone(d *os.File) bool {
	if !isPipeOrSocket(d) {
		return false
	}
	fds := []unix.PollFd{{Fd: int32(d.Fd())}}
	n, err := unix.Poll(fds, 0)
	return err == nil && n > 0 && fds[0].Revents&(unix.POLLERR|unix.POLLHUP) != 0
}

func isPipeOrSocket(d *os.File) bool {
	var st unix.Stat_t
	if unix.Fstat(int(d.Fd()), &st) != nil {
		return false
	}
	m := st.Mode & unix.S_IFMT
	return m == unix.S_IFIFO || m == unix.S_IFSOCK
}

// watch calls gone as soon as the reader of the pipe or socket d goes away,
// so that the job meets EPIPE on its next write, as it would alone, rather
// than writing on into opkuma's pipe. It returns a func that ends the
// watch.
func watch(d *os.File, gone func()) (stop func()) {
	if !isPipeOrSocket(d) {
		return func() {}
	}
	wr, ww, err := os.Pipe()
	if err != nil {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer wr.Close()
		fds := []unix.PollFd{{Fd: int32(d.Fd())}, {Fd: int32(wr.Fd()), Events: unix.POLLIN}}
		for {
			_, err := unix.Poll(fds, -1)
			if errors.Is(err, unix.EINTR) {
				continue
			}
			if err == nil && fds[0].Revents&(unix.POLLERR|unix.POLLHUP) != 0 {
				gone()
			}
			return
		}
	}()
	return func() { ww.Close(); <-done }
}
