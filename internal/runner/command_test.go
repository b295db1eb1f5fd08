package runner

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	dir := t.TempDir()
	spaced := filepath.Join(dir, "my jobs", "run.sh")
	if err := os.MkdirAll(filepath.Dir(spaced), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(spaced, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	notExec := filepath.Join(dir, "my jobs", "data.txt")
	if err := os.WriteFile(notExec, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	sh := func(line string) Command { return Command{Argv: []string{DefaultShell, "-c", line}, Shell: true} }
	tests := []struct {
		name    string
		args    []string
		want    Command
		wantErr error
	}{
		{"argv as given", []string{"/bin/echo", "a b", "$HOME"}, Command{Argv: []string{"/bin/echo", "a b", "$HOME"}}, nil},
		{"two words", []string{"sh", "-c"}, Command{Argv: []string{"sh", "-c"}}, nil},
		{"one plain word", []string{"backup.sh"}, Command{Argv: []string{"backup.sh"}}, nil},
		{"one plain path", []string{"/usr/local/bin/back-up_2.sh"}, Command{Argv: []string{"/usr/local/bin/back-up_2.sh"}}, nil},
		{"line with blanks", []string{"backup.sh --full  /srv"}, sh("backup.sh --full  /srv"), nil},
		{"sed keeps its backslash", []string{`sed "s/\./,/g" in.txt`}, sh(`sed "s/\./,/g" in.txt`), nil},
		{"windows path", []string{`"C:\backup"`}, sh(`"C:\backup"`), nil},
		{"and list", []string{"true&&false"}, sh("true&&false"), nil},
		{"assignment", []string{"A=1"}, sh("A=1"), nil},
		{"quoted word", []string{`"date"`}, sh(`"date"`), nil},
		{"builtin", []string{"exit"}, sh("exit"), nil},
		{"keyword", []string{"if"}, sh("if"), nil},
		{"leading dash", []string{"-x"}, sh("-x"), nil},
		{"tilde", []string{"~/bin/job"}, sh("~/bin/job"), nil},
		{"glob", []string{"/tmp/*.sh"}, sh("/tmp/*.sh"), nil},
		{"executable with blank", []string{spaced}, Command{Argv: []string{spaced}}, nil},
		{"not executable with blank", []string{notExec}, sh(notExec), nil},
		{"blank name, not a path", []string{"run me"}, sh("run me"), nil},
		{"empty", nil, Command{}, ErrNoCommand},
		{"empty string", []string{""}, Command{}, ErrNoCommand},
		{"blank line", []string{" \t "}, Command{}, ErrNoCommand},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.args, "")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err == nil && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
	got, _ := Parse([]string{"echo $0"}, "/bin/bash")
	if want := []string{"/bin/bash", "-c", "echo $0"}; !reflect.DeepEqual(got.Argv, want) {
		t.Errorf("with a shell: %q, want %q", got.Argv, want)
	}
}

// FuzzParse checks that a single argument either runs as the one word it
// is, or goes to sh byte for byte: nothing is ever split or changed.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"backup.sh --full", `A=1 cmd "x y"`, "a|b", "true", `"C:\backup"`, "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		c, err := Parse([]string{line}, "")
		if err != nil {
			if strings.TrimSpace(line) != "" {
				t.Fatalf("%q: %v", line, err)
			}
			return
		}
		if c.Shell {
			if !reflect.DeepEqual(c.Argv, []string{DefaultShell, "-c", line}) {
				t.Fatalf("%q: argv %q", line, c.Argv)
			}
			return
		}
		if !reflect.DeepEqual(c.Argv, []string{line}) {
			t.Fatalf("%q: argv %q", line, c.Argv)
		}
	})
}

func TestCommandString(t *testing.T) {
	tests := []struct {
		c    Command
		want string
	}{
		{Command{Argv: []string{"backup.sh", "--full", "--dir=/srv"}}, "backup.sh --full --dir=/srv"},
		{Command{Argv: []string{"cp", "a b", "it's", ""}}, `cp 'a b' 'it'\''s' ''`},
		{Command{Argv: []string{DefaultShell, "-c", "a | b"}, Shell: true}, "/bin/sh -c 'a | b'"},
		{Command{Argv: []string{"a=b", "c=d"}}, "'a=b' c=d"},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("String() = %s, want %s", got, tt.want)
		}
	}
}

func TestName(t *testing.T) {
	if got := (Command{Argv: []string{DefaultShell, "-c", "a | b"}, Shell: true}).Name(); got != "a | b" {
		t.Errorf("command line: %q", got)
	}
	if got := (Command{Argv: []string{"backup.sh", "x"}}).Name(); got != "backup.sh" {
		t.Errorf("argv: %q", got)
	}
}

// TestNameShort: a shell command without its line is named by its shell,
// and an empty one by nothing (no index out of range).
func TestNameShort(t *testing.T) {
	if got := (Command{Argv: []string{DefaultShell, "-c"}, Shell: true}).Name(); got != DefaultShell {
		t.Errorf("shell without a line: %q", got)
	}
	if got := (Command{}).Name(); got != "" {
		t.Errorf("empty: %q", got)
	}
}

// TestIsPlainWord: the ends of each character range, and the characters
// just outside them.
func TestIsPlainWord(t *testing.T) {
	for _, tt := range []struct {
		w    string
		want bool
	}{
		{"a", true}, {"z", true}, {"A", true}, {"Z", true}, {"0", true}, {"9", true},
		{"_", true}, {".", true}, {"/", true}, {"a-b+c,d:e@f%g^h", true},
		{"`", false}, {"{", false}, {"@", false}, {"[", false}, {":", false},
		{"-a", false}, {"a b", false}, {"$x", false}, {"a=b", false},
		{"", false}, // Parse never asks: "" is no command
	} {
		if got := isPlainWord(tt.w); got != tt.want {
			t.Errorf("isPlainWord(%q) = %v, want %v", tt.w, got, tt.want)
		}
	}
}

// TestPipefail checks that only a shell that has pipefail gets it, and
// that the line is kept byte for byte. Mutations: no probe (the fake
// shell without pipefail accepted); the probe's error ignored; an argv
// given to the shell.
func TestPipefail(t *testing.T) {
	dir := t.TempDir()
	noPipefail := filepath.Join(dir, "oldsh")
	// Like dash 0.5.12: an unknown -o option is an error.
	if err := os.WriteFile(noPipefail, []byte("#!/bin/sh\n[ \"$1\" = -o ] && exit 2\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	line := "false | gzip > 'a b'.gz"
	if _, err := Pipefail(Command{Argv: []string{noPipefail, "-c", line}, Shell: true}, nil); !errors.As(err, new(*NoPipefailError)) {
		t.Errorf("shell without pipefail: %v, want a *NoPipefailError", err)
	}
	if _, err := Pipefail(Command{Argv: []string{"pg_dump", "db"}}, nil); !errors.Is(err, ErrNotCommandLine) {
		t.Errorf("argv: %v, want ErrNotCommandLine", err)
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash here")
	}
	c, err := Pipefail(Command{Argv: []string{bash, "-c", line}, Shell: true}, nil)
	want := []string{bash, "-o", "pipefail", "-c", line}
	if err != nil || !slices.Equal(c.Argv, want) || !c.Shell || c.Name() != line {
		t.Errorf("bash: %q (shell %v, name %q), %v; want %q", c.Argv, c.Shell, c.Name(), err, want)
	}
	// And the shell does fail the pipeline.
	if err := exec.Command(c.Argv[0], c.Argv[1], c.Argv[2], c.Argv[3], "false | true").Run(); err == nil {
		t.Error("bash -o pipefail -c 'false | true' exited 0")
	}
}
