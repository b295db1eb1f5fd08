package cmd

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mattn/go-shellwords"
	"github.com/urfave/cli/v2"

	"github.com/opkuma/opkuma/internal/crontab"
	"github.com/opkuma/opkuma/internal/schedule"
)

// fence is one fenced code block of README.md.
type fence struct {
	info, section, body string
}

func readmeFences(t *testing.T) (string, []fence) {
	t.Helper()
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []fence
	section := ""
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if strings.HasPrefix(line, "## ") {
			section = strings.TrimPrefix(line, "## ")
		}
		if !strings.HasPrefix(line, "```") {
			continue
		}
		f := fence{info: strings.TrimPrefix(line, "```"), section: section}
		var body []string
		for i++; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
			body = append(body, lines[i])
		}
		f.body = strings.Join(body, "\n")
		out = append(out, f)
	}
	return string(data), out
}

// TestHelpExamplesInREADME keeps --help and README in step: every example
// in a command's help is in README, word for word.
func TestHelpExamplesInREADME(t *testing.T) {
	readme, _ := readmeFences(t)
	flat := strings.Join(strings.Fields(strings.ReplaceAll(readme, "\\\n", " ")), " ")
	app := newApp(Env{})
	var walk func(cmds []*cli.Command)
	walk = func(cmds []*cli.Command) {
		for _, c := range cmds {
			_, examples, found := strings.Cut(c.Description, "Examples:\n")
			if found {
				joined := strings.ReplaceAll(examples, "\\\n", " ")
				for _, ex := range strings.Split(joined, "\n") {
					ex = strings.TrimSpace(regexp.MustCompile(`\s+#.*$`).ReplaceAllString(ex, ""))
					if ex == "" {
						continue
					}
					if !strings.Contains(flat, strings.Join(strings.Fields(ex), " ")) {
						t.Errorf("opkuma %s --help example not in README.md: %s", c.Name, ex)
					}
				}
			}
			walk(c.Subcommands)
		}
	}
	walk(app.Commands)
}

// TestREADMERecipes checks README's recipes: crontab lines parse and run
// under opkuma, and every opkuma command in a recipe is accepted by opkuma
// itself (run with --dry-run, URL files replaced by a valid one).
func TestREADMERecipes(t *testing.T) {
	_, fences := readmeFences(t)
	urlFile := filepath.Join(t.TempDir(), "kuma.url")
	if err := os.WriteFile(urlFile, []byte("https://kuma.example.com/api/push/AbC123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var invocations []string
	crontabs, units, checked := 0, 0, 0
	for _, f := range fences {
		if f.section != "Recipes" {
			continue
		}
		switch f.info {
		case "crontab":
			crontabs++
			system := strings.Contains(f.body, "/etc/cron.d/")
			lines, err := crontab.Parse(strings.NewReader(f.body), system)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range lines {
				switch l.Kind {
				case crontab.Invalid:
					t.Errorf("crontab recipe line %q: %v", l.Raw, l.Err)
				case crontab.Job:
					if !l.Monitored() {
						t.Errorf("crontab recipe job not under opkuma run: %q", l.Raw)
					}
					if _, err := schedule.Parse(l.Schedule); err != nil {
						t.Errorf("crontab recipe schedule %q: %v", l.Schedule, err)
					}
					invocations = append(invocations, l.Command())
				}
			}
		case "ini":
			units++
			for _, line := range strings.Split(f.body, "\n") {
				if v, ok := strings.CutPrefix(line, "ExecStart="); ok {
					if !strings.HasPrefix(v, "/usr/local/bin/opkuma run ") {
						t.Errorf("ExecStart does not run /usr/local/bin/opkuma run: %s", v)
					}
					invocations = append(invocations, v)
				}
			}
		case "yaml":
			for _, line := range strings.Split(f.body, "\n") {
				trimmed := strings.TrimSpace(line)
				switch {
				case strings.HasPrefix(trimmed, "args: ["):
					var args []string
					if err := json.Unmarshal([]byte(strings.TrimPrefix(trimmed, "args: ")), &args); err != nil {
						t.Errorf("yaml args %q: %v", trimmed, err)
					}
					invocations = append(invocations, shellJoin(args))
				case strings.HasPrefix(trimmed, "run: opkuma "), strings.HasPrefix(trimmed, "- opkuma "):
					invocations = append(invocations, trimmed[strings.Index(trimmed, "opkuma "):])
				}
			}
			if strings.Contains(f.body, "kind: CronJob") && (!strings.Contains(f.body, "concurrencyPolicy: Forbid") || !strings.Contains(f.body, "secretKeyRef")) {
				t.Error("the CronJob recipe must forbid concurrency and take the URL from a Secret")
			}
		}
	}
	if crontabs < 2 || units < 2 {
		t.Fatalf("found %d crontab and %d systemd recipes, want the user and system crontabs and the service and timer", crontabs, units)
	}
	for _, inv := range invocations {
		words, err := shellwords.Parse(inv)
		if err != nil || len(words) < 2 || filepath.Base(words[0]) != "opkuma" {
			t.Errorf("recipe %q: not an opkuma command (%v)", inv, err)
			continue
		}
		args := []string{"opkuma", words[1], "--dry-run"}
		for i := 2; i < len(words); i++ {
			args = append(args, words[i])
			if words[i] == "--url-file" && i+1 < len(words) {
				args = append(args, urlFile)
				i++
			}
		}
		var out bytes.Buffer
		env := Env{Stdout: &out, Stderr: &out, Getenv: func(k string) string {
			if k == "OPKUMA_URL" {
				return "https://kuma.example.com/api/push/AbC123"
			}
			return ""
		}}
		if code := Main(args, env); code != 0 {
			t.Errorf("recipe %q: opkuma --dry-run exits %d: %s", inv, code, out.String())
		}
		checked++
	}
	if checked < 6 {
		t.Errorf("checked %d opkuma commands in the recipes, want every one (at least 6)", checked)
	}
}

// TestREADMECrontabLines keeps every crontab line of README that runs
// opkuma, in any section, free of the pitfalls it warns about: the URL in
// single quotes (cron's sh ends a command at its &), opkuma by its full path
// unless the block sets a PATH= that holds /usr/local/bin, no bare %.
func TestREADMECrontabLines(t *testing.T) {
	_, fences := readmeFences(t)
	checked := 0
	for _, f := range fences {
		if f.info != "crontab" {
			continue
		}
		pathSet := regexp.MustCompile(`(?m)^PATH=.*/usr/local/bin`).MatchString(f.body)
		for _, line := range strings.Split(f.body, "\n") {
			if !regexp.MustCompile(`^[0-9*@]`).MatchString(line) || !strings.Contains(line, "opkuma run") {
				continue
			}
			checked++
			if !strings.Contains(line, "/usr/local/bin/opkuma run") && !pathSet {
				t.Errorf("README crontab line calls opkuma without its path, and no PATH= line: %s", line)
			}
			if strings.Contains(line, "--url ") && !strings.Contains(line, "--url '") {
				t.Errorf("README crontab line with a URL not in single quotes: %s", line)
			}
			if regexp.MustCompile(`(^|[^\\])%`).MatchString(line) {
				t.Errorf("README crontab line with a bare %% (cron's newline): %s", line)
			}
		}
	}
	if checked < 5 {
		t.Errorf("checked %d crontab lines of README, want all of them (at least 5)", checked)
	}
}

func shellJoin(args []string) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(crontab.QuoteWord(a))
	}
	return b.String()
}

// TestREADMEPipelinesUsePipefail keeps README and every command's help from
// showing a pipeline job that would hide a failure: a pipeline's status is
// its last command's, so 'pg_dump mydb | gzip > db.gz' exits 0 when pg_dump
// failed. Each one-string job with a | runs with --shell /bin/bash --pipefail.
func TestREADMEPipelinesUsePipefail(t *testing.T) {
	readme, _ := readmeFences(t)
	var texts []string
	texts = append(texts, readme)
	var walk func(cmds []*cli.Command)
	walk = func(cmds []*cli.Command) {
		for _, c := range cmds {
			texts = append(texts, c.Description)
			walk(c.Subcommands)
		}
	}
	walk(newApp(Env{}).Commands)
	pipe := regexp.MustCompile(`(^|[^|])\|([^|]|$)`)
	checked := 0
	for _, text := range texts {
		for _, line := range strings.Split(strings.ReplaceAll(text, "\\\n", " "), "\n") {
			_, call, ok := strings.Cut(line, "opkuma run ")
			if !ok {
				continue
			}
			opts, job, ok := strings.Cut(call, " -- ")
			if !ok || !strings.HasPrefix(strings.TrimSpace(job), "'") || !pipe.MatchString(job) {
				continue
			}
			checked++
			if !strings.Contains(opts, "--pipefail") || !strings.Contains(opts, "--shell /bin/bash") {
				t.Errorf("a pipeline job without --shell /bin/bash --pipefail hides its failures: %s", strings.TrimSpace(line))
			}
		}
	}
	if checked < 2 {
		t.Errorf("checked %d pipeline jobs in README and help, want at least the pg_dump examples (2)", checked)
	}
}

// TestREADMECIBlocks checks the blocks .ci/run runs as printed: one
// "<!-- ci: install -->" and one "<!-- ci: test -->", each right before an
// sh block that installs opkuma from the clone (never a module path, which
// the proxy does not have) or runs the tests.
func TestREADMECIBlocks(t *testing.T) {
	readme, _ := readmeFences(t)
	for marker, want := range map[string]*regexp.Regexp{
		"<!-- ci: install -->": regexp.MustCompile(`(?m)^(\S+=\S+ )*go (install|build) .* \.$`),
		"<!-- ci: test -->":    regexp.MustCompile(`(?m)^go test \./\.\.\.$`),
	} {
		_, after, found := strings.Cut(readme, "\n"+marker+"\n")
		if !found || strings.Count(readme, marker) != 1 {
			t.Errorf("README.md needs %q once, on a line of its own, before its sh block (.ci/run reads it)", marker)
			continue
		}
		body, ok := strings.CutPrefix(after, "```sh\n")
		body, _, closed := strings.Cut(body, "\n```")
		if !ok || !closed {
			t.Errorf("README.md: %q is not followed by an sh block", marker)
			continue
		}
		if !want.MatchString(body) {
			t.Errorf("README.md: the block after %q does not match %s:\n%s", marker, want, body)
		}
		if strings.Contains(body, "@") || strings.Contains(body, "github.com/") {
			t.Errorf("README.md: the block after %q names a module version: go install from the clone (.) instead:\n%s", marker, body)
		}
	}
}
