package runner

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    Command
		wantErr error
	}{
		{"argv as given", []string{"/bin/echo", "a b", "$HOME"}, Command{Argv: []string{"/bin/echo", "a b", "$HOME"}}, nil},
		{"one word", []string{"backup.sh"}, Command{Argv: []string{"backup.sh"}}, nil},
		{"line split", []string{"backup.sh --full  /srv"}, Command{Argv: []string{"backup.sh", "--full", "/srv"}}, nil},
		{"quotes and escapes", []string{`cp "a b" 'c d' e\ f`}, Command{Argv: []string{"cp", "a b", "c d", "e f"}}, nil},
		{"env assignments", []string{`LANG=C TZ="Europe/Paris" date -u`}, Command{Argv: []string{"date", "-u"}, Env: []string{"LANG=C", "TZ=Europe/Paris"}}, nil},
		{"pipe goes to sh", []string{"pg_dump db | gzip > /srv/db.gz"}, Command{Argv: []string{Shell, "-c", "pg_dump db | gzip > /srv/db.gz"}, Shell: true}, nil},
		{"variable goes to sh", []string{"echo $HOME"}, Command{Argv: []string{Shell, "-c", "echo $HOME"}, Shell: true}, nil},
		{"list goes to sh", []string{"cd /srv && make"}, Command{Argv: []string{Shell, "-c", "cd /srv && make"}, Shell: true}, nil},
		{"glob goes to sh", []string{"rm /tmp/*.old"}, Command{Argv: []string{Shell, "-c", "rm /tmp/*.old"}, Shell: true}, nil},
		{"tilde goes to sh", []string{"ls ~/x"}, Command{Argv: []string{Shell, "-c", "ls ~/x"}, Shell: true}, nil},
		{"subst goes to sh", []string{"echo `date`"}, Command{Argv: []string{Shell, "-c", "echo `date`"}, Shell: true}, nil},
		{"empty", nil, Command{}, ErrNoCommand},
		{"empty string", []string{""}, Command{}, ErrNoCommand},
		{"blank line", []string{"   "}, Command{}, ErrNoCommand},
		{"only env", []string{"A=1 B=2"}, Command{}, ErrNoCommand},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCommand(tt.args)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err == nil && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
	if _, err := ParseCommand([]string{`echo "unterminated`}); err == nil {
		t.Error("unterminated quote: want an error")
	}
}

// FuzzParseCommandLine checks that any line parses without panicking into a
// runnable command or an error, that shell syntax always goes to /bin/sh
// with the line intact, and that plain words split at blanks.
func FuzzParseCommandLine(f *testing.F) {
	for _, s := range []string{
		"backup.sh --full", `A=1 cmd "x y" 'z' w\ v`, "a | b", "echo $(date)",
		"\t\n", `"`, "x=1", `\`, "cmd 'it''s'", "ünï cödé ✓",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		c, err := ParseCommandLine(line)
		if err != nil {
			return
		}
		if len(c.Argv) == 0 {
			t.Fatalf("no argv and no error for %q", line)
		}
		if needsShell(line) {
			if !c.Shell || !reflect.DeepEqual(c.Argv, []string{Shell, "-c", line}) {
				t.Fatalf("%q needs a shell, got %#v", line, c)
			}
			return
		}
		if c.Shell {
			t.Fatalf("%q went to the shell without shell syntax", line)
		}
		if !strings.ContainsAny(line, `"'\=`) {
			// Word separators as go-shellwords has them; unlike
			// strings.Fields, \v and \f are part of a word.
			want := strings.FieldsFunc(line, func(r rune) bool { return strings.ContainsRune(" \t\r\n", r) })
			if !reflect.DeepEqual(c.Argv, want) {
				t.Fatalf("%q split into %q, want %q", line, c.Argv, want)
			}
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
		{Command{Argv: []string{"date"}, Env: []string{"TZ=Europe/Paris", "X=a b"}}, "TZ=Europe/Paris X='a b' date"},
		{Command{Argv: []string{Shell, "-c", "a | b"}, Shell: true}, "/bin/sh -c 'a | b'"},
		{Command{Argv: []string{"a=b", "c=d"}}, "'a=b' c=d"},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("String() = %s, want %s", got, tt.want)
		}
	}
}
