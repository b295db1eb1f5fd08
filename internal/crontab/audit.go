package crontab

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/opkuma/opkuma/internal/shellword"
)

// DefaultPath is the PATH cron gives a job when the crontab sets none
// (cronie's and Debian cron's _PATH_DEFPATH).
const DefaultPath = "/usr/bin:/bin"

// Wrapper describes the program an audit looks for in job lines: a wrapper
// that runs a job given after its options and an end-of-options "--".
type Wrapper struct {
	Name string // base name of its executable
	Run  string // the subcommand that runs a job
	// TakesValue reports whether an option, as written without "=value"
	// (dashes included), takes the next word as its value.
	TakesValue     func(option string) bool
	URLOptions     []string // options whose value is a push URL
	URLFileOptions []string // options whose value is a file holding one
	// URLFileOpenOptions are options that make the wrapper accept a URL
	// file others may read (then that is not reported).
	URLFileOpenOptions []string
	URLVariables       []string // variables that may hold one (NAME=value before the call)
	// CAFileOptions are options whose value is a file of CA certificates
	// the wrapper reads before it pushes.
	CAFileOptions []string
	// PipefailOptions are options that make the wrapper run a command
	// line with its shell's pipefail option.
	PipefailOptions []string
	// Check, when set, reads the wrapper's arguments (the words after its
	// name, job included) as the wrapper itself would, and returns the
	// usage error it would stop at, or nil. It reads nothing from disk.
	Check func(args []string) error
}

// Problem is a kind of mistake the audit finds in a wrapper's call.
type Problem string

// The problems an audit reports. The names are stable: tools read them.
const (
	// InvalidLine: cron rejects the line (Finding.Text says why).
	InvalidLine Problem = "invalid-line"
	// UnquotedURL: a URL holds an unquoted & ; | (sh ends the command
	// there: the wrapper gets neither the rest of the URL nor the job) or
	// #. Finding.Char is the character, Text the URL as written.
	UnquotedURL Problem = "unquoted-url"
	// BarePercent: an unescaped % in the command, which cron turns into a
	// newline: the command ends there, the rest becomes its standard input.
	BarePercent Problem = "bare-percent"
	// WrapperNotOnPath: the wrapper is called by name and is not found in
	// the PATH cron gives the job (Finding.Path).
	WrapperNotOnPath Problem = "wrapper-not-on-path"
	// WrapperRelative: the wrapper is called by a relative path, which
	// cron resolves from the user's home directory.
	WrapperRelative Problem = "wrapper-relative-path"
	// WrapperNotFound, WrapperNotExecutable: the wrapper's absolute path
	// names nothing, or nothing this machine can execute.
	WrapperNotFound      Problem = "wrapper-not-found"
	WrapperNotExecutable Problem = "wrapper-not-executable"
	// NoEndOfOptions: the job follows the wrapper's options without "--",
	// so the wrapper may read the job's own options as its own.
	NoEndOfOptions Problem = "no-end-of-options"
	// NoUserField: a line of a system crontab (/etc/crontab, /etc/cron.d)
	// whose user field is the wrapper (Finding.Text): the user field was
	// left out, so cron looks for a user of that name and runs nothing.
	NoUserField Problem = "no-user-field"
	// UserFieldInUserCrontab: a line read as a user crontab's whose first
	// word names a user (Finding.Text): a system crontab's line, read
	// without --system; the job's command is what follows the user.
	UserFieldInUserCrontab Problem = "system-crontab-line"
	// NoJob: nothing to run after the wrapper's options.
	NoJob Problem = "no-job"
	// UsageError: the wrapper stops at its own command line (an unknown
	// option, a bad value) and runs nothing (Finding.Text says why).
	UsageError Problem = "usage-error"
	// PipelineHidesFailure: the job is a command line with a pipeline,
	// run without pipefail: its exit status is its last command's, so a
	// failure before it counts as success (Finding.Text is the job).
	PipelineHidesFailure Problem = "pipeline-hides-failure"
	// JobNotFound, JobNotExecutable: the job's command (Finding.Text) is
	// not found in the job's PATH (Finding.Path), or is not executable.
	JobNotFound      Problem = "job-not-found"
	JobNotExecutable Problem = "job-not-executable"
	// URLFileMissing: the file that should hold the push URL does not exist.
	URLFileMissing Problem = "url-file-missing"
	// URLFileReadable: group or others may read the file holding the push
	// URL, and so push to the monitor (Finding.Mode).
	URLFileReadable Problem = "url-file-readable"
	// URLFileNotRegular, URLFileEmpty: the file that should hold the push
	// URL is a directory, FIFO or device; or it is empty.
	URLFileNotRegular Problem = "url-file-not-regular"
	URLFileEmpty      Problem = "url-file-empty"
	// CAFileMissing: the file of CA certificates does not exist: the job
	// runs, nothing is pushed.
	CAFileMissing Problem = "ca-file-missing"
	// NoPushURL: no push URL on the line (option or variable) nor in the
	// crontab's environment: the job runs, nothing is pushed.
	NoPushURL Problem = "no-push-url"
)

// Finding is one problem of one line.
type Finding struct {
	Problem Problem
	Column  int         // 1-based byte column in the line where it is, or 0
	Char    string      // UnquotedURL: the character
	Text    string      // the URL, command or file concerned; InvalidLine: why
	Path    string      // the PATH searched
	Mode    fs.FileMode // URLFileReadable: the file's permissions
}

// Report is the audit of one job line.
type Report struct {
	Line     Line
	Calls    bool   // the line calls the wrapper
	Sub      string // the wrapper's subcommand, if it calls it
	Path     string // the PATH cron gives the job
	Findings []Finding
}

// Auditor checks the wrapper's calls in crontab lines. Its zero value needs
// Wrapper set; it keeps what it looked up on disk, so one Auditor serves a
// whole run and must not be shared between goroutines.
type Auditor struct {
	Wrapper Wrapper
	// Local checks this machine too: whether the commands and the URL
	// file exist, are executable, who can read the file.
	Local bool
	// Stat is os.Stat when nil.
	Stat func(name string) (fs.FileInfo, error)
	// Home returns the home directory of user ("" for the current user),
	// where cron starts jobs. Nil or failing: relative paths are not checked.
	Home func(user string) (string, error)
	// IsUser reports whether name is a user of this machine, to tell a
	// system crontab read as a user's. Nil: not checked.
	IsUser func(name string) bool

	stats map[string]statResult
	homes map[string]string
}

type statResult struct {
	info fs.FileInfo
	err  error
}

// Audit checks every job line of a crontab read by Parse, following its
// environment lines as cron does (PATH, HOME). It returns one Report per
// job or invalid line, in order.
func (a *Auditor) Audit(lines []Line) []Report {
	var reports []Report
	env := map[string]string{}
	for _, l := range lines {
		switch l.Kind {
		case Env:
			env[l.Name] = l.Value
		case Invalid:
			reports = append(reports, Report{Line: l, Findings: []Finding{{Problem: InvalidLine, Text: l.Err.Error()}}})
		case Job:
			reports = append(reports, a.job(l, env))
		}
	}
	return reports
}

func (a *Auditor) job(l Line, env map[string]string) Report {
	r := Report{Line: l, Path: DefaultPath}
	if l.User != "" && path.Base(l.User) == a.Wrapper.Name {
		r.Calls = true
		at := strings.LastIndex(l.Raw[:l.CommandAt], l.User)
		r.Findings = []Finding{{Problem: NoUserField, Column: at + 1, Text: l.User}}
		if words := strings.Fields(l.Command()); len(words) > 0 {
			r.Sub = words[0] // what would follow the wrapper
		}
		return r
	}
	if u := l.UserField(a.IsUser); u != "" {
		r.Findings = []Finding{{Problem: UserFieldInUserCrontab, Column: l.CommandAt + 1, Text: u}}
		return r
	}
	if p, ok := env["PATH"]; ok {
		r.Path = p
	}
	home, ok := env["HOME"]
	if !ok {
		home = a.home(l.User)
	}
	_, pct := cronPercent(l.CommandText())
	cmds := commands(l.Command())
	for ci, c := range cmds {
		at := a.findCall(c)
		if at < 0 {
			continue
		}
		r.Calls = true
		f := a.call(l, env, cmds, ci, at, r.Path, home, pct < 0)
		r.Sub, r.Findings = f.sub, f.findings
		break
	}
	if r.Calls && pct >= 0 {
		r.Findings = append(r.Findings, Finding{Problem: BarePercent, Column: l.CommandAt + pct + 1})
	}
	return r
}

// runners are programs that run the command given as their arguments.
var runners = map[string]bool{
	"exec": true, "command": true, "nice": true, "ionice": true, "env": true, "nohup": true, "time": true,
	"chronic": true, "setsid": true, "flock": true, "timeout": true, "sudo": true, "runuser": true,
	"chrt": true, "taskset": true, "systemd-cat": true,
}

// findCall returns the index of the wrapper's word in c, or -1: the
// command word (after NAME=value words), or a word after a runner such as
// nice or flock.
func (a *Auditor) findCall(c simple) int {
	i := 0
	for i < len(c.words) && isAssignment(c.words[i].raw) {
		i++
	}
	if i == len(c.words) {
		return -1
	}
	if path.Base(c.words[i].value) == a.Wrapper.Name {
		return i
	}
	if !runners[path.Base(c.words[i].value)] {
		return -1
	}
	for j := i + 1; j < len(c.words); j++ {
		if path.Base(c.words[j].value) == a.Wrapper.Name {
			return j
		}
	}
	return -1
}

type callResult struct {
	sub      string
	findings []Finding
}

// call checks the wrapper's call: the at-th word of cmds[ci]. The job's
// command is looked up only when whole: a % may have cut it.
func (a *Auditor) call(l Line, env map[string]string, cmds []simple, ci, at int, pathVar, home string, whole bool) callResult {
	var res callResult
	add := func(f Finding) { res.findings = append(res.findings, f) }
	c := cmds[ci]
	col := func(w word) int { return l.CommandAt + w.start + 1 }
	text := l.Command()

	// The words that hold the URL: assignments before the call, values of
	// the URL options.
	var urls []int
	for i := range at {
		if a.isURLVariable(c.words[i].raw) {
			urls = append(urls, i)
		}
	}
	// The wrapper's options, its subcommand, the subcommand's options,
	// then the job.
	job, dashdash, sub, openFile, pipefail, urlFile := -1, false, false, false, false, false
	for i := at + 1; i < len(c.words); i++ {
		v := c.words[i].value
		if v == "--" {
			job, dashdash = i+1, true
			break
		}
		if !strings.HasPrefix(v, "-") || v == "-" {
			if !sub {
				sub, res.sub = true, v
				continue
			}
			job = i
			break
		}
		name, value, hasValue := strings.Cut(v, "=")
		valueAt := i
		if !hasValue && a.Wrapper.TakesValue != nil && a.Wrapper.TakesValue(name) && i+1 < len(c.words) {
			i++
			valueAt, value, hasValue = i, c.words[i].value, true
		}
		switch {
		case contains(a.Wrapper.URLFileOpenOptions, name) && (!hasValue || value != "false" && value != "0"):
			openFile = true
		case contains(a.Wrapper.PipefailOptions, name):
			pipefail = !hasValue || value != "false" && value != "0"
		case !hasValue:
		case contains(a.Wrapper.URLOptions, name):
			urls = append(urls, valueAt)
		case contains(a.Wrapper.CAFileOptions, name):
			a.checkCAFile(c.words[valueAt], value, home, col(c.words[valueAt]), add)
		case contains(a.Wrapper.URLFileOptions, name):
			urlFile = true
			a.checkURLFile(c.words[valueAt], value, home, col(c.words[valueAt]), add)
		}
	}
	if openFile { // the wrapper was told: reading it is accepted
		res.findings = slices.DeleteFunc(res.findings, func(f Finding) bool { return f.Problem == URLFileReadable })
	}
	cut := false
	if ci > 0 {
		// NAME=URL& before the call: sh made the assignment a command of
		// its own, and the call follows the &.
		prev := cmds[ci-1]
		if n := len(prev.words); n > 0 && a.isURLVariable(prev.words[n-1].raw) {
			if ch, full := urlCut(text, prev, n-1); ch != "" && ch != "#" {
				cut = true
				add(Finding{Problem: UnquotedURL, Column: col(prev.words[n-1]), Char: ch, Text: full})
			}
		}
	}
	for _, i := range urls {
		if ch, full := urlCut(text, c, i); ch != "" {
			cut = cut || ch != "#"
			add(Finding{Problem: UnquotedURL, Column: col(c.words[i]), Char: ch, Text: full})
		}
	}
	prog := c.words[at]
	a.checkWrapper(prog, pathVar, home, col(prog), add)
	if res.sub != a.Wrapper.Run || cut {
		// What sh cut off is the rest of the URL and the job: that is
		// the problem to fix, not what follows from it.
		return res
	}
	if job < 0 || job >= len(c.words) {
		add(Finding{Problem: NoJob, Column: l.CommandAt + len(strings.TrimRight(text, " \t")) + 1})
		return res
	}
	if a.Wrapper.Check != nil && !expands(c.words[at+1:job]) {
		args := make([]string, 0, len(c.words)-at-1)
		for _, w := range c.words[at+1:] {
			args = append(args, w.value)
		}
		if err := a.Wrapper.Check(args); err != nil {
			add(Finding{Problem: UsageError, Column: col(c.words[at]), Text: err.Error()})
			return res // it runs nothing: what follows does not matter
		}
	}
	if len(urls) == 0 && !urlFile && !a.envURL(env) {
		add(Finding{Problem: NoPushURL, Column: col(c.words[at])})
	}
	if !dashdash {
		add(Finding{Problem: NoEndOfOptions, Column: col(c.words[job]), Text: c.words[job].raw})
	}
	if whole {
		a.checkJob(c.words[job:], pathVar, home, col(c.words[job]), add)
	}
	if !pipefail && job == len(c.words)-1 && hidesFailure(c.words[job].value) {
		add(Finding{Problem: PipelineHidesFailure, Column: col(c.words[job]), Text: c.words[job].value})
	}
	return res
}

// expands reports whether sh expands any of words when it runs the line
// in a way that can change how the wrapper reads them: a $ or ` outside
// single quotes, or a glob. A leading ~ only makes a path absolute, which
// no option's check depends on: such words are checked as written.
func expands(words []word) bool {
	for _, w := range words {
		if expandsWord(w.raw) {
			return true
		}
	}
	return false
}

// expandsWord reports whether sh expands something in the word raw that
// matters to the wrapper: a $ or ` outside single quotes, or an unquoted
// glob character.
func expandsWord(raw string) bool {
	var quote byte
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			}
		case c == '\\':
			i++
		case c == '$' || c == '`':
			return true
		case quote == '"':
			if c == '"' {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '*' || c == '?' || c == '[':
			return true
		}
	}
	return false
}

// hidesFailure reports whether line, run by a shell as one command line,
// holds a pipeline: its exit status is then its last command's.
func hidesFailure(line string) bool {
	if shellword.Plain(line) {
		return false
	}
	for _, c := range commands(line) {
		if c.end.op == "|" && len(c.words) > 0 {
			return true
		}
	}
	return false
}

// urlCut returns the character that makes the URL in word i of c unsafe in
// sh, and the URL as written: an operator glued after it (sh ended the
// command there), or an unquoted # in it.
func urlCut(text string, c simple, i int) (string, string) {
	w := c.words[i]
	full := w.raw
	if _, v, ok := strings.Cut(full, "="); ok && strings.HasPrefix(full, "-") || ok && isAssignment(full) {
		full = v
	}
	var ch string
	if i == len(c.words)-1 && c.end.glued && (c.end.op == "&" || c.end.op == "&&" || c.end.op == ";" || c.end.op == ";;" || c.end.op == "|" || c.end.op == "||") && c.end.start == w.end {
		ch = c.end.op[:1]
		// The URL as written: up to the next blank.
		end := c.end.start
		for end < len(text) && text[end] != ' ' && text[end] != '\t' {
			end++
		}
		full += text[w.end:end]
	} else if w.hash >= 0 {
		ch = "#"
	}
	return ch, full
}

// envURL reports whether the crontab's environment sets a URL variable.
func (a *Auditor) envURL(env map[string]string) bool {
	for _, v := range a.Wrapper.URLVariables {
		if env[v] != "" {
			return true
		}
	}
	return false
}

func (a *Auditor) isURLVariable(raw string) bool {
	name, _, ok := strings.Cut(raw, "=")
	return ok && contains(a.Wrapper.URLVariables, name)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkWrapper checks how the wrapper is called: by absolute path, or by
// name in the job's PATH.
func (a *Auditor) checkWrapper(w word, pathVar, home string, col int, add func(Finding)) {
	name := w.value
	if strings.HasPrefix(w.raw, "~/") && home != "" {
		name = home + name[1:] // sh expands it
	}
	switch {
	case strings.HasPrefix(w.raw, "~/") && home == "":
	case strings.HasPrefix(name, "/"):
		if a.Local {
			switch a.executable(name) {
			case errNotFound:
				add(Finding{Problem: WrapperNotFound, Column: col, Text: name})
			case errNotExecutable:
				add(Finding{Problem: WrapperNotExecutable, Column: col, Text: name})
			}
		}
	case strings.Contains(name, "/"):
		add(Finding{Problem: WrapperRelative, Column: col, Text: name})
	case !a.Local:
		if pathVar == DefaultPath {
			add(Finding{Problem: WrapperNotOnPath, Column: col, Text: name, Path: pathVar})
		}
	default:
		if _, err := a.lookPath(name, pathVar, home); err != nil {
			add(Finding{Problem: WrapperNotOnPath, Column: col, Text: name, Path: pathVar})
		}
	}
}

var (
	errNotFound      = errors.New("not found")
	errNotExecutable = errors.New("not executable")
	errUnknown       = errors.New("cannot tell")
)

// checkJob checks the job's command: the first word of several, or the
// first command of a command line that sh runs.
func (a *Auditor) checkJob(words []word, pathVar, home string, col int, add func(Finding)) {
	if !a.Local {
		return
	}
	name, raw := words[0].value, words[0].raw
	if len(words) == 1 && !shellword.Plain(name) && a.executable(a.abs(name, home)) != nil {
		// One command line, for sh -c: look at its first command.
		cs := commands(name)
		if len(cs) == 0 || len(cs[0].words) == 0 {
			return
		}
		ws := cs[0].words
		for len(ws) > 0 && isAssignment(ws[0].raw) {
			ws = ws[1:]
		}
		if len(ws) == 0 {
			return
		}
		name, raw = ws[0].value, ws[0].raw
		if shellword.Builtin(name) {
			return
		}
	}
	if strings.ContainsAny(raw, "$`*?[") {
		return // known only when it runs
	}
	if strings.HasPrefix(raw, "~/") {
		if home == "" {
			return
		}
		name = home + name[1:]
	}
	var err error
	if strings.Contains(name, "/") {
		name = a.abs(name, home)
		err = a.executable(name)
	} else {
		_, err = a.lookPath(name, pathVar, home)
	}
	switch err {
	case errNotFound:
		add(Finding{Problem: JobNotFound, Column: col, Text: name, Path: pathVar})
	case errNotExecutable:
		add(Finding{Problem: JobNotExecutable, Column: col, Text: name, Path: pathVar})
	}
}

// checkURLFile checks the file that holds the push URL: it exists, and
// only its owner may read it.
func (a *Auditor) checkURLFile(w word, name, home string, col int, add func(Finding)) {
	if name = a.localPath(w, name, home); name == "" {
		return
	}
	info, err := a.stat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		add(Finding{Problem: URLFileMissing, Column: col, Text: name})
	case err != nil:
	case !info.Mode().IsRegular():
		add(Finding{Problem: URLFileNotRegular, Column: col, Text: name, Mode: info.Mode()})
	case info.Mode().Perm()&0o044 != 0:
		add(Finding{Problem: URLFileReadable, Column: col, Text: name, Mode: info.Mode().Perm()})
	case info.Size() == 0:
		add(Finding{Problem: URLFileEmpty, Column: col, Text: name})
	}
}

// checkCAFile checks that the file of CA certificates exists.
func (a *Auditor) checkCAFile(w word, name, home string, col int, add func(Finding)) {
	if name = a.localPath(w, name, home); name == "" {
		return
	}
	if _, err := a.stat(name); errors.Is(err, fs.ErrNotExist) {
		add(Finding{Problem: CAFileMissing, Column: col, Text: name})
	}
}

// localPath is the absolute path on this machine of the file that word w
// (whose value is name) names when the job runs, or "" when the audit
// does not look at this machine or cannot tell.
func (a *Auditor) localPath(w word, name, home string) string {
	if !a.Local || strings.ContainsAny(w.raw, "$`") {
		return ""
	}
	if strings.HasPrefix(w.raw, "~/") {
		if home == "" {
			return ""
		}
		name = home + name[1:]
	}
	name = a.abs(name, home)
	if !filepath.IsAbs(name) {
		return ""
	}
	return name
}

// abs makes a relative path absolute from home, where cron starts jobs.
func (a *Auditor) abs(name, home string) string {
	if filepath.IsAbs(name) || home == "" {
		return name
	}
	return filepath.Join(home, name)
}

// lookPath searches PATH as sh does: empty and relative entries are
// relative to the working directory (home). Found but not executable is
// errNotExecutable, unless an executable one follows.
func (a *Auditor) lookPath(name, pathVar, home string) (string, error) {
	err := errNotFound
	for _, dir := range strings.Split(pathVar, ":") {
		if dir == "" {
			dir = "."
		}
		if !filepath.IsAbs(dir) {
			if home == "" {
				return "", errUnknown
			}
			dir = filepath.Join(home, dir)
		}
		p := filepath.Join(dir, name)
		switch a.executable(p) {
		case nil:
			return p, nil
		case errNotExecutable:
			err = errNotExecutable
		}
	}
	return "", err
}

// executable tells whether name is a file this machine can execute: nil,
// errNotFound or errNotExecutable (a directory, or no x bit).
func (a *Auditor) executable(name string) error {
	info, err := a.stat(name)
	switch {
	case err != nil && errors.Is(err, fs.ErrNotExist):
		return errNotFound
	case err != nil:
		return errUnknown
	case info.IsDir() || info.Mode().Perm()&0o111 == 0:
		return errNotExecutable
	}
	return nil
}

func (a *Auditor) stat(name string) (fs.FileInfo, error) {
	if r, ok := a.stats[name]; ok {
		return r.info, r.err
	}
	stat := a.Stat
	if stat == nil {
		stat = os.Stat
	}
	info, err := stat(name)
	if a.stats == nil {
		a.stats = map[string]statResult{}
	}
	a.stats[name] = statResult{info, err}
	return info, err
}

func (a *Auditor) home(user string) string {
	if h, ok := a.homes[user]; ok {
		return h
	}
	h := ""
	if a.Home != nil {
		if dir, err := a.Home(user); err == nil {
			h = dir
		}
	}
	if a.homes == nil {
		a.homes = map[string]string{}
	}
	a.homes[user] = h
	return h
}
