package unixonly

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestWindowsBuildSaysWhy builds this package for Windows: it must fail
// with the message that says opkuma is for Unix.
func TestWindowsBuildSaysWhy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds for another GOOS")
	}
	cmd := exec.Command("go", "build", "-o", os.DevNull, ".")
	cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatal("a Windows build succeeded: want a compile error that says why")
	}
	if !strings.Contains(string(out), "opkuma is for Unix") {
		t.Errorf("a Windows build fails without saying why:\n%s", out)
	}
}
