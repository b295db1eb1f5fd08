package runner

import (
	"os"
	"testing"

	"github.com/opkuma/opkuma/internal/ptytest"
)

// TestTerminalOf: the first terminal among the files, skipping nil ones
// and ones that are not terminals. Mutation caught: f == nil (never a
// terminal found).
func TestTerminalOf(t *testing.T) {
	ptmx, pts := ptytest.Open(t)
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
