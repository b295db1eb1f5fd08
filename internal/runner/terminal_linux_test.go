package runner

import (
	"fmt"
	"os"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestTerminalOf: the first terminal among the files, skipping nil ones
// and ones that are not terminals. Mutation caught: f == nil (never a
// terminal found).
func TestTerminalOf(t *testing.T) {
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer ptmx.Close()
	if err := unix.IoctlSetPointerInt(int(ptmx.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("no pty: %v", err)
	}
	n, err := unix.IoctlGetInt(int(ptmx.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	pts, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer pts.Close()
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	for _, tc := range []struct {
		name  string
		files []*os.File
		want  *os.File
	}{
		{"none", nil, nil},
		{"nil and /dev/null", []*os.File{nil, null}, nil},
		{"pty after nil and /dev/null", []*os.File{nil, null, pts}, pts},
		{"pty first", []*os.File{pts, null}, pts},
		{"master then slave", []*os.File{null, ptmx, pts}, ptmx},
	} {
		if got := terminalOf(tc.files...); got != tc.want {
			t.Errorf("%s: terminalOf = %v, want %v", tc.name, got, tc.want)
		}
	}
}
