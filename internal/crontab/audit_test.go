package crontab

import (
	"errors"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestCommands checks where sh cuts a command line. Mutations caught:
// dropping "&&" from operators (cut at "&" then "&"), not skipping quotes in
// words, or reading a mid-word # as a comment.
func TestCommands(t *testing.T) {
	tests := []struct {
		text  string
		want  []string // each simple command's words, as written, then its end operator
		glued []bool   // whether each end operator touches the word before it
	}{
		{"a b c", []string{"a b c|"}, []bool{false}},
		{"u=x?a=1&b=2 -- j", []string{"u=x?a=1|&", "b=2 -- j|"}, []bool{true, false}},
		{"a && b || c ; d", []string{"a|&&", "b|||", "c|;", "d|"}, []bool{false, false, false, false}},
		{`a 'x&y' "p;q" r\&s`, []string{`a 'x&y' "p;q" r\&s|`}, []bool{false}},
		{"a $(b; c) `d|e` ${f#g}", []string{"a $(b; c) `d|e` ${f#g}|"}, []bool{false}},
		{"a x#y #comment & b", []string{"a x#y|"}, []bool{false}},
		{"a 2>/dev/null >&2 <in b", []string{"a b|"}, []bool{false}},
		{"a 'unterminated & b", []string{"a 'unterminated & b|"}, []bool{false}},
		{"a|b", []string{"a||", "b|"}, []bool{true, false}},
		// Mutations: a redirection right after a separator reads the word
		// before it (there is none) or keeps its target; a last redirection
		// reads past the tokens; an empty last command kept, or none for "".
		{"a;>f b", []string{"a|;", "b|"}, []bool{true, false}},
		{"a >", []string{"a|"}, []bool{false}},
		{"a;", []string{"a|;"}, []bool{true}},
		{"", []string{"|"}, []bool{false}},
	}
	for _, tt := range tests {
		var got []string
		var glued []bool
		for _, c := range commands(tt.text) {
			var ws []string
			for _, w := range c.words {
				ws = append(ws, w.raw)
			}
			got = append(got, strings.Join(ws, " ")+"|"+c.end.op)
			glued = append(glued, c.end.glued)
		}
		if !slices.Equal(got, tt.want) || !slices.Equal(glued, tt.glued) {
			t.Errorf("commands(%q) = %q %v, want %q %v", tt.text, got, glued, tt.want, tt.glued)
		}
	}
}

// fakeFile is a file for a fake Stat.
type fakeFile struct {
	mode fs.FileMode
}

func (f fakeFile) Name() string       { return "f" }
func (f fakeFile) Size() int64        { return 64 }
func (f fakeFile) Mode() fs.FileMode  { return f.mode }
func (f fakeFile) ModTime() time.Time { return time.Time{} }
func (f fakeFile) IsDir() bool        { return f.mode.IsDir() }
func (f fakeFile) Sys() any           { return nil }

var testWrapper = Wrapper{
	Name: "opkuma",
	Run:  "run",
	TakesValue: func(o string) bool {
		return o == "--url" || o == "--url-file" || o == "--timeout" || o == "--lock" || o == "--ca-file"
	},
	URLOptions:         []string{"--url"},
	URLFileOptions:     []string{"--url-file"},
	URLFileOpenOptions: []string{"--url-file-insecure"},
	URLVariables:       []string{"OPKUMA_URL"},
	PipefailOptions:    []string{"--pipefail"},
	CAFileOptions:      []string{"--ca-file"},
	// As opkuma run would: --bad is not one of its options, and it gets
	// its subcommand first, the job last.
	Check: func(args []string) error {
		if len(args) == 0 || args[0] != "run" {
			return errors.New("check: no run in " + strings.Join(args, " "))
		}
		for _, a := range args {
			if a == "--" {
				break
			}
			if a == "--bad" {
				return errors.New("unknown flag --bad")
			}
		}
		return nil
	},
}

func testAuditor(local bool) *Auditor {
	files := map[string]fs.FileMode{
		"/usr/local/bin/opkuma": 0o755,
		"/usr/bin/opkuma-less":  0o755,
		"/bin/true":             0o755,
		"/opt/bin/backup":       0o755,
		"/bin/date":             0o755,
		"/home/u/bin/job":       0o755,
		"/home/u/noexec":        0o644,
		"/home/u/dir":           fs.ModeDir | 0o755,
		"/etc/opkuma/ok.url":    0o600,
		"/etc/opkuma/open.url":  0o644,
		"/home/u/.opkuma.url":   0o640,
		"/home/backup/b.url":    0o600,
		"/etc/opkuma/fifo.url":  fs.ModeNamedPipe | 0o600,
		"/etc/opkuma/dir.url":   fs.ModeDir | 0o700,
	}
	return &Auditor{
		Wrapper: testWrapper,
		Local:   local,
		Stat: func(name string) (fs.FileInfo, error) {
			if m, ok := files[name]; ok {
				return fakeFile{m}, nil
			}
			return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
		},
		Home: func(user string) (string, error) {
			if user == "" {
				return "/home/u", nil
			}
			return "/home/" + user, nil
		},
	}
}

// TestAudit checks each finding on one line, with a fake file system.
// The mutation each row catches is in its comment.
func TestAudit(t *testing.T) {
	const O = "/usr/local/bin/opkuma run --url-file /etc/opkuma/ok.url"
	tests := []struct {
		crontab string
		local   bool
		want    []Problem // of the last line
	}{
		// Clean. (Any spurious finding.)
		{"0 * * * * " + O + " -- /opt/bin/backup --full", true, nil},
		// Mutation: drop the glued test in urlCut.
		{"0 * * * * /usr/local/bin/opkuma run --url https://k/api/push/T?a=1&b=2 -- /bin/true", true, []Problem{UnquotedURL}},
		{"0 * * * * /usr/local/bin/opkuma run --url 'https://k/api/push/T?a=1&b=2' -- /bin/true", true, nil},
		// Mutation: skip the assignment before the call.
		{"0 * * * * OPKUMA_URL=https://k/api/push/T?a=1&b=2 /usr/local/bin/opkuma run -- /bin/true", true, []Problem{UnquotedURL}},
		// Mutation: read % after cron's processing (\% would count).
		{"0 * * * * " + O + ` -- 'date +\%F'`, true, nil},
		{"0 * * * * " + O + " -- 'date +%F'", true, []Problem{BarePercent}},
		// Mutation: look opkuma up in the process's PATH.
		{"0 * * * * opkuma run --url-file /etc/opkuma/ok.url -- /bin/true", true, []Problem{WrapperNotOnPath}},
		{"PATH=/usr/local/bin:/bin\n0 * * * * opkuma run --url-file /etc/opkuma/ok.url -- /bin/true", true, nil},
		{"0 * * * * opkuma run --url-file /etc/opkuma/ok.url -- /bin/true", false, []Problem{WrapperNotOnPath}},
		{"PATH=/opt/bin:/usr/bin:/bin\n0 * * * * opkuma run --url-file /etc/opkuma/ok.url -- /bin/true", false, nil},
		{"0 * * * * ./opkuma run --url-file /etc/opkuma/ok.url -- /bin/true", true, []Problem{WrapperRelative}},
		{"0 * * * * /opt/opkuma run --url-file /etc/opkuma/ok.url -- /bin/true", true, []Problem{WrapperNotFound}},
		// Mutation: skip NoEndOfOptions; take --timeout as valueless.
		{"0 * * * * " + O + " --timeout 2h /bin/true", true, []Problem{NoEndOfOptions}},
		{"0 * * * * " + O + " --", true, []Problem{NoJob}},
		// Mutation: search PATH without the crontab's PATH; skip the x bit.
		{"0 * * * * " + O + " -- backup", true, []Problem{JobNotFound}},
		{"PATH=/opt/bin\n0 * * * * " + O + " -- backup", true, nil},
		{"0 * * * * " + O + " -- noexec", true, []Problem{JobNotFound}},
		{"0 * * * * " + O + " -- ./noexec", true, []Problem{JobNotExecutable}},
		{"0 * * * * " + O + " -- ~/dir", true, []Problem{JobNotExecutable}},
		{"0 * * * * " + O + " -- 'nosuch | gzip'", true, []Problem{JobNotFound, PipelineHidesFailure}},
		{"0 * * * * " + O + " -- 'cd /x && nosuch'", true, nil},
		{"0 * * * * " + O + " -- 'bin/job >/dev/null 2>&1'", true, nil},
		{"0 * * * * " + O + " -- nosuch", false, nil},
		// Mutation: test only the others' read bit.
		{"0 * * * * /usr/local/bin/opkuma run --url-file ~/.opkuma.url -- /bin/true", true, []Problem{URLFileReadable}},
		{"0 * * * * /usr/local/bin/opkuma run --url-file=/etc/opkuma/open.url -- /bin/true", true, []Problem{URLFileReadable}},
		{"0 * * * * /usr/local/bin/opkuma run --url-file=/etc/opkuma/open.url --url-file-insecure -- /bin/true", true, nil},
		{"0 * * * * /usr/local/bin/opkuma run --url-file-insecure=true --url-file /etc/opkuma/open.url -- /bin/true", true, nil},
		{"0 * * * * /usr/local/bin/opkuma run --url-file-insecure=false --url-file /etc/opkuma/open.url -- /bin/true", true, []Problem{URLFileReadable}},
		{"0 * * * * /usr/local/bin/opkuma run --url-file-insecure --url-file /etc/opkuma/none.url -- /bin/true", true, []Problem{URLFileMissing}},
		{"0 * * * * /usr/local/bin/opkuma run --url-file /etc/opkuma/none.url -- /bin/true", true, []Problem{URLFileMissing}},
		// Mutation: only the mode checked (a FIFO or directory passes).
		{"0 * * * * /usr/local/bin/opkuma run --url-file /etc/opkuma/fifo.url -- /bin/true", true, []Problem{URLFileNotRegular}},
		{"0 * * * * /usr/local/bin/opkuma run --url-file /etc/opkuma/dir.url -- /bin/true", true, []Problem{URLFileNotRegular}},
		// Mutation: CAFileOptions ignored.
		{"0 * * * * " + O + " --ca-file /etc/opkuma/none.pem -- /bin/true", true, []Problem{CAFileMissing}},
		{"0 * * * * " + O + " --ca-file /etc/opkuma/ok.url -- /bin/true", true, nil},
		// Mutation: NoPushURL skipped, or blind to the crontab's OPKUMA_URL=.
		{"0 * * * * /usr/local/bin/opkuma run -- /bin/true", true, []Problem{NoPushURL}},
		{"OPKUMA_URL=https://k/api/push/T\n0 * * * * /usr/local/bin/opkuma run -- /bin/true", true, nil},
		{"0 * * * * OPKUMA_URL=https://k/api/push/T /usr/local/bin/opkuma run -- /bin/true", true, nil},
		// Not a call of opkuma: nothing to say.
		{"0 * * * * echo opkuma run --url x&y", true, nil},
		// A runner before opkuma.
		{"0 * * * * nice -n 5 " + O + " /bin/true", true, []Problem{NoEndOfOptions}},
		// Mutation: findCall's last return -1 made 1 (a runner without opkuma).
		{"0 * * * * nice /opt/bin/backup --url x&y", true, nil},
		// Mutation: the ~/ wrapper with a known home left unchecked.
		{"0 * * * * ~/bin/opkuma run --url-file /etc/opkuma/ok.url -- /bin/true", true, []Problem{WrapperNotFound}},
		// Mutation: a relative PATH entry unknown although home is known.
		{"PATH=bin\n0 * * * * " + O + " -- nosuch", true, []Problem{JobNotFound}},
		{"PATH=bin\n0 * * * * " + O + " -- job", true, nil},
		// Mutation: job starting at 1, not -1, with neither "--" nor a job.
		{"0 * * * * " + O, true, []Problem{NoJob}},
		// Mutation: a value-taking option as last word reads past the words.
		{"0 * * * * " + O + " --timeout", true, []Problem{NoJob}},
		// Mutation: the command before the call (empty here, cut by "(") read
		// as if it had a last word.
		{"0 * * * * (" + O + " -- /bin/true)", true, nil},
		// Mutation: any glued operator (here ")") taken as cutting the URL.
		{"0 * * * * (/usr/local/bin/opkuma run --url https://k/api/push/T)", true, []Problem{NoJob}},
		// Mutation: the URL as written read past the end of the line.
		{"0 * * * * /usr/local/bin/opkuma run --url https://k/api/push/T?a=1&b=2", true, []Problem{UnquotedURL}},
		// Mutations: a job of assignments only read past its words; the
		// assignments before the job's command not skipped.
		{"0 * * * * " + O + " -- 'A=1 B=2'", true, nil},
		{"0 * * * * " + O + " -- 'A=1 /bin/true'", true, nil},
		// Mutation: Check not called; a usage error's other findings kept.
		{"0 * * * * " + O + " --bad -- nosuch", true, []Problem{UsageError}},
		{"0 * * * * " + O + " --bad /bin/true", false, []Problem{UsageError}},
		// Mutation: expandsWord blind to quotes (a quoted * skips the check,
		// a $ in double quotes does not).
		{"0 * * * * " + O + " --lock 'a*b' --bad -- /bin/true", true, []Problem{UsageError}},
		{"0 * * * * " + O + ` --lock "$HOME/l" --bad -- /bin/true`, true, nil},
		// Mutation: a leading ~ taken as an expansion (lines with --url-file
		// ~/x went unchecked).
		{"0 * * * * " + O + " --lock ~/l --bad -- /bin/true", true, []Problem{UsageError}},
		{"0 * * * * " + O + " --lock a\\*b --bad -- /bin/true", true, []Problem{UsageError}},
		// Mutation: PipefailOptions ignored; || or a quoted | taken as a pipe.
		{"0 * * * * " + O + " -- 'pg_dump db | gzip > db.gz'", false, []Problem{PipelineHidesFailure}},
		{"0 * * * * " + O + " --pipefail -- 'pg_dump db | gzip > db.gz'", false, nil},
		{"0 * * * * " + O + " --pipefail=false -- 'pg_dump db | gzip > db.gz'", false, []Problem{PipelineHidesFailure}},
		{"0 * * * * " + O + " -- 'pg_dump db || echo failed'", false, nil},
		{"0 * * * * " + O + ` -- 'grep "a|b" log'`, false, nil},
		// Several words are no command line: sh cut the pipe already.
		{"0 * * * * " + O + " -- pg_dump db | gzip", false, nil},
	}
	for _, tt := range tests {
		lines, err := Parse(strings.NewReader(tt.crontab), false)
		if err != nil {
			t.Fatal(err)
		}
		reports := testAuditor(tt.local).Audit(lines)
		r := reports[len(reports)-1]
		var got []Problem
		for _, f := range r.Findings {
			got = append(got, f.Problem)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q (local %v): %v, want %v", tt.crontab, tt.local, got, tt.want)
		}
	}
}

// TestAuditSystem checks that a system crontab's user field is skipped and
// its user's home is used. Mutation caught: Home called with "" for every
// line (the backup user's ~/b.url is then missing).
func TestAuditSystem(t *testing.T) {
	lines := parseFile(t, "system.crontab", true)
	lines = append(lines, parseLine(9, "0 1 * * * backup /usr/local/bin/opkuma run --url-file ~/b.url -- /bin/true", true))
	reports := testAuditor(true).Audit(lines)
	r := reports[len(reports)-1]
	if !r.Calls || r.Sub != "run" || len(r.Findings) != 0 {
		t.Errorf("system line: %+v", r)
	}
}

// TestUnquotedURLText checks the URL given back for the fix: as written, up
// to the next blank. Mutation caught: giving back the cut word only.
func TestUnquotedURLText(t *testing.T) {
	lines, _ := Parse(strings.NewReader("0 * * * * /usr/local/bin/opkuma run --url=https://k/api/push/T?status=up&msg=OK&ping= -- /bin/true"), false)
	f := testAuditor(false).Audit(lines)[0].Findings[0]
	if f.Problem != UnquotedURL || f.Char != "&" || f.Text != "https://k/api/push/T?status=up&msg=OK&ping=" || f.Column != 37 {
		t.Errorf("finding %+v", f)
	}
}

// FuzzWrapAudit checks, for any job line, that the wrapped line runs the
// original command text byte for byte (one single-quoted word, or the
// original words) and passes the audit: no finding but a bare % the
// original already had. Mutations caught: re-tokenising the command,
// not quoting a builtin first word, leaving the URL unquoted.
func FuzzWrapAudit(f *testing.F) {
	data, _ := os.ReadFile("testdata/user.crontab")
	for _, l := range strings.Split(string(data), "\n") {
		f.Add(l)
	}
	f.Add("0 0 * * * cd /srv && exit 3")
	f.Add("0 0 * * * a\\%b % c")
	f.Add(`0 0 * * * echo "it's" 'a\b'`)
	const prefix = "/usr/local/bin/opkuma run --url 'https://k/api/push/T?a=1&b=2' --"
	f.Fuzz(func(t *testing.T, raw string) {
		if strings.ContainsAny(raw, "\n") {
			return
		}
		l := parseLine(1, raw, false)
		if l.Kind != Job || l.Monitored() {
			return
		}
		w, err := l.Wrap(prefix)
		if err != nil {
			t.Fatalf("Wrap(%q): %v", raw, err)
		}
		back := parseLine(1, w, false)
		a := testAuditor(false)
		r := a.Audit([]Line{back})[0]
		if !r.Calls || r.Sub != "run" {
			t.Fatalf("wrapped %q -> %q: no call found", raw, w)
		}
		_, pct := cronPercent(l.CommandText())
		for _, f := range r.Findings {
			if f.Problem == PipelineHidesFailure && hidesFailure(l.Command()) {
				continue // the job's own, wrapped or not
			}
			if f.Problem != BarePercent || pct < 0 {
				t.Fatalf("wrapped %q -> %q: %+v", raw, w, f)
			}
		}
		// The job as sh will give it to opkuma.
		orig := strings.TrimRight(l.Command(), " \t")
		cs := commands(back.Command())
		words := cs[0].words
		i := slices.IndexFunc(words, func(w word) bool { return w.raw == "--" })
		if i < 0 || len(cs) != 1 && cs[0].end.op != "" {
			t.Fatalf("wrapped %q -> %q: cut by sh: %v", raw, w, cs)
		}
		job := words[i+1:]
		if i+1 >= len(words) {
			t.Fatalf("wrapped %q -> %q: no job", raw, w)
		}
		text := back.Command()[words[i+1].start:]
		if len(job) == 1 && strings.HasPrefix(job[0].raw, "'") {
			if got := unquoteSingle(job[0].raw); got != orig {
				t.Fatalf("wrapped %q -> %q: job %q, want %q", raw, w, got, orig)
			}
		} else if !strings.HasPrefix(text, orig) {
			t.Fatalf("wrapped %q -> %q: job words %q, want %q", raw, w, text, orig)
		}
	})
}

// TestAuditColumns checks the column of a bare % and of a missing job.
// Mutations caught: pct or the text's length subtracted, or 1 subtracted.
func TestAuditColumns(t *testing.T) {
	const O = "/usr/local/bin/opkuma run --url-file /etc/opkuma/ok.url"
	for _, tc := range []struct {
		line    string
		problem Problem
		column  int
	}{
		{"0 * * * * " + O + " -- 'date +%F'", BarePercent, len("0 * * * * "+O+" -- 'date +") + 1},
		{"@daily  " + O + " -- date%x", BarePercent, len("@daily  "+O+" -- date") + 1},
		{"0 * * * * " + O + " --  \t", NoJob, len("0 * * * * "+O+" --") + 1},
	} {
		lines, err := Parse(strings.NewReader(tc.line), false)
		if err != nil {
			t.Fatal(err)
		}
		r := testAuditor(true).Audit(lines)[0]
		var got []Finding
		for _, f := range r.Findings {
			if f.Problem == tc.problem {
				got = append(got, f)
			}
		}
		if len(got) != 1 || got[0].Column != tc.column {
			t.Errorf("%q: %s findings %+v, want one at column %d", tc.line, tc.problem, got, tc.column)
		}
	}
}

// unquoteSingle undoes shellword.Single.
func unquoteSingle(s string) string {
	s = strings.TrimPrefix(strings.TrimSuffix(s, "'"), "'")
	return strings.ReplaceAll(s, `'\''`, "'")
}

// In a system crontab the field after the schedule is the user: a line
// that left it out names the wrapper as its user and never runs. Mutation
// caught: the check dropped, or made on user crontabs too.
func TestAuditNoUserField(t *testing.T) {
	for _, c := range []struct {
		line   string
		system bool
		want   []Problem
		column int
	}{
		{"0 * * * * /usr/local/bin/opkuma run --url-file /etc/opkuma/ok.url -- /bin/true", true, []Problem{NoUserField}, 11},
		{"@hourly  opkuma run --url-file /etc/opkuma/ok.url -- /bin/true", true, []Problem{NoUserField}, 10},
		{"0 * * * * root /usr/local/bin/opkuma run --url-file /etc/opkuma/ok.url -- /bin/true", true, nil, 0},
		{"0 * * * * /usr/local/bin/opkuma run --url-file /etc/opkuma/ok.url -- /bin/true", false, nil, 0},
	} {
		lines, err := Parse(strings.NewReader(c.line), c.system)
		if err != nil {
			t.Fatal(err)
		}
		reports := testAuditor(true).Audit(lines)
		if len(reports) != 1 {
			t.Fatalf("%q: %d reports", c.line, len(reports))
		}
		r := reports[0]
		var got []Problem
		for _, f := range r.Findings {
			got = append(got, f.Problem)
		}
		if !slices.Equal(got, c.want) || !r.Calls {
			t.Errorf("%q (system %v): %v, calls %v; want %v", c.line, c.system, got, r.Calls, c.want)
		}
		if c.column != 0 && r.Findings[0].Column != c.column {
			t.Errorf("%q: column %d, want %d", c.line, r.Findings[0].Column, c.column)
		}
	}
}
