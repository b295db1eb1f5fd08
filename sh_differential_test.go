package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/opkuma/opkuma/internal/fakekuma"
	"github.com/opkuma/opkuma/internal/runner"
)

// TestShDifferential runs every command line of testdata/shcorpus/lines.txt
// as `opkuma run --url STANDIN -- LINE` and as `/bin/sh -c LINE`, as cron
// runs it, and the argv forms as `opkuma run --url STANDIN -- ARGS...` and
// `/bin/sh -c '"$@"' sh ARGS...`, each in a fresh twin directory: stdout,
// stderr and exit code must be byte-identical. A subset runs again with
// output capture (--down-on-failure), and with stdout and stderr on one
// pipe, where their order must be kept too.
func TestShDifferential(t *testing.T) {
	opkuma, err := exec.LookPath("opkuma") // testscript.Main put it in PATH
	if b := os.Getenv("OPKUMA_DIFF_BIN"); b != "" {
		opkuma = b // another build, e.g. an older one, to compare
	}
	if err != nil {
		t.Skipf("opkuma not in PATH: %v", err)
	}
	_, base := startKuma(t, "difftok")
	url := base + "/api/push/difftok"

	lines := readCorpus(t, "testdata/shcorpus/lines.txt")
	if len(lines) < 60 {
		t.Fatalf("corpus has %d lines, want at least 60", len(lines))
	}
	argvs := [][]string{
		{"echo", "a b", "$HOME", "*"},
		{"printf", "%s|", "a", "b c", `C:\backup`},
		{"sed", `s/\./,/g`, "in.txt"},
		{"sh", "-c", "exit 3"},
		{"sh", "-c", "kill -TERM $$"},
		{"sh", "-c", "echo out; echo err >&2; echo out2"},
		{"cat", "in.txt"},
		{"ls", "nosuchfile"},
		{"false"},
		{"nosuchcommand_xyz", "arg"},
		{"./notexec.sh", "arg"},
		{"./noshebang", "x y"},
		{"./dir"},
		{"./nosuch/x"},
		{"relbin", "from a relative PATH entry"},
		{"env", "-i", "A=1", "/usr/bin/env"},
		{"A=1", "x"},
	}
	captured := []string{
		"echo one; echo two >&2; echo three", "exit 42", "kill -TERM $$", "ls nosuchfile",
		"yes | head -n 3", `sed "s/\./,/g" in.txt`, "printf '\\0binary\\377' | od -c", "echo before; exec >&-; echo after",
		"nosuchcommand_xyz", "./noshebang", "echo err 1>&2", "false",
	}

	run := func(t *testing.T, name string, argv []string, shArgv []string, plain bool, extra ...string) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want := runIn(t, false, shArgv...)
			got := runIn(t, false, append(append([]string{opkuma, "run", "--url", url}, extra...), append([]string{"--"}, argv...)...)...)
			if len(shArgv) > 3 && shArgv[2] == `"$@"` {
				// The outer sh reports a child's death by SIGTERM.
				want.stderr = strings.TrimSuffix(want.stderr, "Terminated\n")
			}
			if plain {
				// sh's prefix for its own messages; opkuma's are its own.
				want.stderr = strings.ReplaceAll(want.stderr, "/bin/sh: 1: ", "opkuma: ")
				want.stderr = strings.ReplaceAll(want.stderr, "sh: 1: ", "opkuma: ")
			}
			if got != want {
				t.Errorf("%q:\nopkuma: %+v\nsh:     %+v", argv, got, want)
			}
		})
	}
	for i, line := range lines {
		c, err := runner.Parse([]string{line}, "")
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		run(t, fmt.Sprintf("line%02d", i+1), []string{line}, []string{"/bin/sh", "-c", line}, !c.Shell)
	}
	for i, argv := range argvs {
		run(t, fmt.Sprintf("argv%02d", i+1), argv, append([]string{"/bin/sh", "-c", `"$@"`, "sh"}, argv...), true)
	}
	for i, line := range captured {
		c, _ := runner.Parse([]string{line}, "")
		run(t, fmt.Sprintf("capture%02d", i+1), []string{line}, []string{"/bin/sh", "-c", line}, !c.Shell, "--down-on-failure")
		// One pipe for stdout and stderr: the order between them is kept.
		t.Run(fmt.Sprintf("onepipe%02d", i+1), func(t *testing.T) {
			t.Parallel()
			want := runIn(t, true, "/bin/sh", "-c", line)
			got := runIn(t, true, opkuma, "run", "--down-on-failure", "--url", url, "--", line)
			if !c.Shell {
				want.stdout = strings.ReplaceAll(want.stdout, "/bin/sh: 1: ", "opkuma: ")
			}
			if got != want {
				t.Errorf("%q on one pipe:\nopkuma: %+v\nsh:     %+v", line, got, want)
			}
		})
	}
}

type outcome struct {
	stdout, stderr string
	code           int
}

// runIn runs argv in a fresh directory holding the corpus's files. With
// onePipe its stdout and stderr are one pipe, read into stdout.
func runIn(t *testing.T, onePipe bool, argv ...string) outcome {
	dir := t.TempDir()
	files := map[string]struct {
		data string
		mode os.FileMode
	}{
		"in.txt":     {"a.b.c\n1.2\n", 0o644},
		"a.txt":      {"a\n", 0o644},
		"b.txt":      {"b\n", 0o644},
		"notexec.sh": {"#!/bin/sh\necho should not run\n", 0o644},
		"noshebang":  {"echo no shebang: $0 \"$@\"\nexit 5\n", 0o755},
		"bin/relbin": {"#!/bin/sh\necho relbin: \"$@\"\n", 0o755},
		"dir/.keep":  {"", 0o644},
	}
	for name, f := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f.data), f.mode); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=bin:" + os.Getenv("PATH"), "HOME=/home/cron", "LANG=C", "LC_ALL=C", "TZ=UTC"}
	var out, errOut bytes.Buffer
	if onePipe {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = w, w
		done := make(chan struct{})
		go func() { out.ReadFrom(r); close(done) }()
		err = cmd.Start()
		w.Close()
		if err == nil {
			err = cmd.Wait()
		}
		<-done
		r.Close()
		return outcome{strings.ReplaceAll(out.String(), dir, "DIR"), "", code(t, cmd, err)}
	}
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return outcome{strings.ReplaceAll(out.String(), dir, "DIR"), errOut.String(), code(t, cmd, err)}
}

func code(t *testing.T, cmd *exec.Cmd, err error) int {
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	if ws := cmd.ProcessState.Sys().(syscall.WaitStatus); ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return cmd.ProcessState.ExitCode()
}

// readCorpus reads one command line a line; # starts a comment line and
// <NL> stands for a newline.
func readCorpus(t *testing.T, path string) []string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, strings.ReplaceAll(l, "<NL>", "\n"))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// startKuma starts a stand-in Uptime Kuma 2.x on 127.0.0.1 with an active
// push monitor of token, for the test's life; it returns it and its base
// URL.
func startKuma(t *testing.T, token string) (*fakekuma.Server, string) {
	t.Helper()
	kuma := fakekuma.New(fakekuma.V2)
	kuma.AddMonitor(token, true)
	srv := httptest.NewUnstartedServer(kuma)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Listener = l
	srv.Start()
	t.Cleanup(func() { kuma.Close(); srv.Close() })
	return kuma, srv.URL
}
