package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/opkuma/opkuma/internal/kumaapi/kumatest"
	"github.com/opkuma/opkuma/internal/provision"
	"github.com/opkuma/opkuma/internal/realkuma"
)

// provisionCrontab writes a crontab whose PATH finds an opkuma (so that the
// wrapped lines pass the audit run on this machine) and returns its path.
func provisionCrontab(t *testing.T, dir, body string) string {
	t.Helper()
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "opkuma"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "crontab")
	if err := os.WriteFile(path, []byte("PATH="+bin+":/usr/bin:/bin\n"+body), 0o640); err != nil {
		t.Fatal(err)
	}
	return path
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// writes returns the events of s that change something.
func writes(s *kumatest.Server) []string {
	var out []string
	for _, e := range s.Events() {
		if e == "add" || e == "editMonitor" || e == "addTag" || e == "addMonitorTag" {
			out = append(out, e)
		}
	}
	return out
}

const provisionJobs = `# nightly backup
30 2 * * * /bin/true --full
0 * * * * cd /tmp && /bin/echo dump | gzip > /dev/null%stdin
*/15 * * * * /bin/true
0 4 * * *	/bin/true -x
@reboot /bin/true
`

// Catches (tried): the dry run creating monitors or writing url-files or
// the crontab (return dryRun removed: add events, files); names not from
// the comment (jobName ignoring it: "true-3"); two jobs of the same command
// sharing a monitor (usedNames check removed: one monitor, same url-file);
// url-files not 0600 (writeURLFile mode 0644); no backup (its write
// removed); a wrapped line failing the audit; a second run changing
// anything; the token printed.
func TestWrapProvision(t *testing.T) {
	for _, v := range []string{"1.23.17", "2.5.3"} {
		t.Run(v, func(t *testing.T) {
			s := kumatest.New(t, v)
			base := s.Start()
			dir := t.TempDir()
			t.Setenv("HOME", dir)
			tab := provisionCrontab(t, dir, provisionJobs)
			orig := mustRead(t, tab)
			urls := filepath.Join(dir, "urls")
			args := []string{"crontab", "wrap", "--provision", "--kuma", base, "--user", "admin", "--url-dir", urls,
				"--tz", "UTC", "--runtime", "1m", "--margin", "1m", tab}

			code, out, errOut := runMain(t, "secret", args...)
			want := tab + `:3: monitor "nightly backup" (new): to create: interval 86520 s, retries 0; url-file ` + urls + `/nightly-backup.url: to write
` + tab + `:3: + 30 2 * * * opkuma run --url-file ` + urls + `/nightly-backup.url -- /bin/true --full
` + tab + `:4: monitor "echo" (new): to create: interval 3720 s, retries 0; url-file ` + urls + `/echo.url: to write
` + tab + `:4: + 0 * * * * opkuma run --url-file ` + urls + `/echo.url -- 'cd /tmp && /bin/echo dump | gzip > /dev/null'%stdin
` + tab + `:5: monitor "true" (new): to create: interval 1020 s, retries 0; url-file ` + urls + `/true.url: to write
` + tab + `:5: + */15 * * * * opkuma run --url-file ` + urls + `/true.url -- /bin/true
` + tab + `:6: monitor "true-2" (new): to create: interval 86520 s, retries 0; url-file ` + urls + `/true-2.url: to write (not "true": another job of this crontab has it)
` + tab + `:6: + 0 4 * * *	opkuma run --url-file ` + urls + `/true-2.url -- /bin/true -x
dry run, nothing changed: --write creates 4 monitors, updates 0, writes 4 url-files and wraps 4 lines of ` + tab + `
`
			wantLeft := tab + ":7: left as it is: @reboot runs once at boot, not on a schedule: no heartbeat interval fits it\n"
			// The audit's word on the new lines: line 4's pipeline.
			wantErr := "opkuma: " + tab + ":4: the job is a pipeline: its exit status is its last command's, so a failure before it (a failed dump piped to gzip) counts as success and pushes an UP beat; fix: add --shell /bin/bash --pipefail to opkuma run's options, so that a failure anywhere in the pipeline fails the run\n"
			if code != 0 || out != wantLeft+want || errOut != wantErr {
				t.Fatalf("dry run: exit %d\nstdout %s\nwant   %s\nstderr %s", code, out, wantLeft+want, errOut)
			}
			if w := writes(s); len(w) > 0 || s.Monitor(2) != nil {
				t.Errorf("dry run wrote to the server: %v", w)
			}
			if _, err := os.Stat(urls); err == nil || mustRead(t, tab) != orig {
				t.Errorf("dry run wrote files: url-dir %v, crontab changed %v", err, mustRead(t, tab) != orig)
			}

			code, out, errOut = runMain(t, "secret", append(args, "--write")...)
			if code != 0 || errOut != wantErr {
				t.Fatalf("--write: exit %d\nstdout %s\nstderr %s", code, out, errOut)
			}
			names := map[string]int{"nightly backup": 2, "echo": 3, "true": 4, "true-2": 5}
			wantTab := orig
			for name, id := range names {
				file := filepath.Join(urls, provision.FileStem(name)+".url")
				token := readURLFile(t, file, base)
				m := s.Monitor(id)
				if m["name"] != name || m["pushToken"] != token || m["type"] != "push" {
					t.Errorf("monitor %d: %v, want %q with the token of %s", id, m, name, file)
				}
				if strings.Contains(out+errOut, token) {
					t.Errorf("token of %s printed", name)
				}
				if !strings.Contains(out, `: monitor "`+name+`" (id `) || !strings.Contains(out, "push URL written to "+file+"\n") {
					t.Errorf("--write output lacks %s: %s", name, out)
				}
			}
			for _, l := range []string{
				"30 2 * * * opkuma run --url-file " + urls + "/nightly-backup.url -- /bin/true --full",
				"0 * * * * opkuma run --url-file " + urls + "/echo.url -- 'cd /tmp && /bin/echo dump | gzip > /dev/null'%stdin",
				"*/15 * * * * opkuma run --url-file " + urls + "/true.url -- /bin/true",
				"0 4 * * *\topkuma run --url-file " + urls + "/true-2.url -- /bin/true -x",
			} {
				old := strings.SplitN(l, "opkuma run --url-file "+urls, 2)[0]
				i := strings.Index(wantTab, "\n"+old) + 1
				j := strings.Index(wantTab[i:], "\n") + i
				wantTab = wantTab[:i] + l + wantTab[j:]
			}
			if got := mustRead(t, tab); got != wantTab {
				t.Errorf("crontab after --write:\n%s\nwant\n%s", got, wantTab)
			}
			if fi, _ := os.Stat(tab); fi.Mode().Perm() != 0o640 {
				t.Errorf("crontab mode %04o, want its old 0640", fi.Mode().Perm())
			}
			if mustRead(t, tab+"~") != orig || !strings.HasSuffix(out, tab+": 4 lines wrapped; the crontab as it was is in "+tab+"~\n") {
				t.Errorf("backup: %q; stdout %s", mustRead(t, tab+"~"), out)
			}
			// The audit finds only what the job had: the bare % (it feeds
			// its standard input) and the pipeline.
			code, out, errOut = runMain(t, "", "crontab", tab)
			if strings.Count(out, "problem:") != 2 || !strings.Contains(out, tab+":4: problem: bare % ") || !strings.Contains(out, tab+":4: problem: the job is a pipeline") || !strings.Contains(out, "5 jobs, 4 under opkuma run, 2 problems;") {
				t.Errorf("audit of the written crontab: exit %d\n%s%s", code, out, errOut)
			}

			before := len(s.Events())
			code, out, errOut = runMain(t, "secret", append(args, "--write")...)
			if code != 0 || out != wantLeft+tab+": nothing to wrap: every job with a schedule runs under opkuma run already\n" || errOut != "" {
				t.Errorf("second --write: exit %d\nstdout %s\nstderr %s", code, out, errOut)
			}
			if mustRead(t, tab) != wantTab || mustRead(t, tab+"~") != orig || len(s.Events()) != before || s.Monitor(6) != nil {
				t.Errorf("second --write changed something: events %v", s.Events()[before:])
			}
		})
	}
}

// Catches (tried): a monitor another wrapped line pushes to adopted by a new
// job (takenTokens ignored: "true" reused, two jobs one monitor); a
// url-file holding another URL overwritten (urlFileTaken returning ""); an
// existing monitor of the job's name not updated in place, or its token
// changed, or its Retries (the user's) reset without --retries (#16); a
// non-push monitor's name taken.
func TestWrapProvisionAdopts(t *testing.T) {
	s := kumatest.New(t, "2.5.3")
	base := s.Start()
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	urls := filepath.Join(dir, "urls")
	if err := os.MkdirAll(urls, 0o700); err != nil {
		t.Fatal(err)
	}
	taken := s.AddMonitor(map[string]any{"name": "true", "type": "push", "pushToken": "TakenTakenTakenTakenTakenTaken12", "interval": 990, "maxretries": 0, "active": true})
	nightly := s.AddMonitor(map[string]any{"name": "nightly", "type": "push", "pushToken": "NightlyNightlyNightlyNightly1234", "interval": 60, "maxretries": 2, "active": true, "description": "mine"})
	other := filepath.Join(urls, "sync.url")
	if err := os.WriteFile(other, []byte("https://elsewhere.example/api/push/Other\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tab := provisionCrontab(t, dir, `*/15 * * * * opkuma run --url `+base+`/api/push/TakenTakenTakenTakenTakenTaken12 -- /bin/true
*/15 * * * * /bin/true
# nightly
30 2 * * * /bin/true
# web
0 * * * * /bin/true
# sync
0 * * * * /bin/true
`)
	args := []string{"crontab", "wrap", "--provision", "--kuma", base, "--user", "admin", "--url-dir", urls, "--tz", "UTC", tab}
	code, out, errOut := runMain(t, "secret", args...)
	for _, w := range []string{
		`:3: monitor "true-2" (new): to create: interval 990 s, retries 0; url-file ` + urls + `/true-2.url: to write (not "true": monitor id ` + strconv.Itoa(taken) + ` is another job's)`,
		`:5: monitor "nightly" (id ` + strconv.Itoa(nightly) + `): to update: interval 60 -> 95040 s, schedule line added; url-file ` + urls + `/nightly.url: to write`,
		`:7: monitor "web-2" (new): to create: interval 3960 s, retries 0; url-file ` + urls + `/web-2.url: to write (not "web": monitor "web" is not a Push monitor (id 1 (http)))`,
		`:9: monitor "sync-2" (new): to create: interval 3960 s, retries 0; url-file ` + urls + `/sync-2.url: to write (not "sync": ` + other + ` exists and holds another push URL)`,
		"dry run, nothing changed: --write creates 3 monitors, updates 1, writes 4 url-files and wraps 4 lines of " + tab,
	} {
		if !strings.Contains(out, w+"\n") {
			t.Errorf("dry run: no line\n%s\nin\n%s", w, out)
		}
	}
	if code != 0 || errOut != "" || len(writes(s)) > 0 {
		t.Fatalf("dry run: exit %d, stderr %s, writes %v", code, errOut, writes(s))
	}
	code, out, errOut = runMain(t, "secret", append(args, "--write")...)
	if code != 0 || errOut != "" {
		t.Fatalf("--write: exit %d\n%s%s", code, out, errOut)
	}
	m := s.Monitor(nightly)
	if m["interval"] != 95040.0 || m["maxretries"] != 2.0 || m["pushToken"] != "NightlyNightlyNightlyNightly1234" ||
		m["description"] != "mine\n"+`opkuma: schedule="30 2 * * *" tz=UTC runtime=0s margin=10m` {
		t.Errorf("nightly after --write: %v", m)
	}
	if readURLFile(t, filepath.Join(urls, "nightly.url"), base) != "NightlyNightlyNightlyNightly1234" {
		t.Errorf("nightly.url does not hold the monitor's token")
	}
	if s.Monitor(taken)["interval"] != 990.0 || mustRead(t, other) != "https://elsewhere.example/api/push/Other\n" {
		t.Errorf("another job's monitor or url-file changed")
	}
}

// Catches (tried): the user's crontab not installed with crontab - or not
// backed up in the url-dir; --tag not given to new monitors.
func TestWrapProvisionUserCrontab(t *testing.T) {
	s := kumatest.New(t, "1.23.17")
	base := s.Start()
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	bin := filepath.Join(dir, "fakebin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	// A crontab command keeping the crontab in $FAKE_CRONTAB.
	script := "#!/bin/sh\ncase \"$1\" in -l) cat \"$FAKE_CRONTAB\";; -) cat > \"$FAKE_CRONTAB\";; *) exit 2;; esac\n"
	if err := os.WriteFile(filepath.Join(bin, "crontab"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+":"+os.Getenv("PATH"))
	store := provisionCrontab(t, dir, "# hourly\n0 * * * * /bin/true\n")
	t.Setenv("FAKE_CRONTAB", store)
	orig := mustRead(t, store)
	code, out, errOut := runMain(t, "secret", "crontab", "wrap", "--provision", "--write", "--kuma", base, "--user", "admin", "--tz", "UTC", "--tag", "cron")
	urls := filepath.Join(dir, ".config", "opkuma")
	if code != 0 || errOut != "" || !strings.Contains(out, "crontab -l:3: push URL written to "+urls+"/hourly.url\n") {
		t.Fatalf("--write: exit %d\n%s%s", code, out, errOut)
	}
	if got := mustRead(t, store); got != strings.Replace(orig, "* /bin/true", "* opkuma run --url-file "+urls+"/hourly.url -- /bin/true", 1) {
		t.Errorf("installed crontab:\n%s", got)
	}
	if tags, _ := s.Monitor(2)["tags"].([]any); len(tags) != 1 || tags[0].(map[string]any)["name"] != "cron" {
		t.Errorf("tags of the new monitor: %v", s.Monitor(2)["tags"])
	}
	backups, _ := filepath.Glob(filepath.Join(urls, "crontab-*.bak"))
	if len(backups) != 1 || mustRead(t, backups[0]) != orig || !strings.HasSuffix(out, "the crontab as it was is in "+backups[0]+"\n") {
		t.Errorf("backups %v; stdout %s", backups, out)
	}
}

// Catches (tried): --line ignored (every job planned); a line that is not
// a job, or already wrapped, not refused.
func TestWrapProvisionLine(t *testing.T) {
	s := kumatest.New(t, "2.5.3")
	base := s.Start()
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	tab := provisionCrontab(t, dir, "# a\n0 * * * * /bin/true\n0 3 * * * opkuma run --url-file /x -- /bin/true\n5 * * * * /bin/echo\n")
	args := []string{"crontab", "wrap", "--provision", "--kuma", base, "--user", "admin", tab}
	code, out, errOut := runMain(t, "secret", append(args, "--line", "5")...)
	if code != 0 || strings.Contains(out, ":3:") || !strings.Contains(out, `:5: monitor "echo" (new): to create: `) || !strings.HasSuffix(out, "wraps 1 line of "+tab+"\n") {
		t.Errorf("--line 5: exit %d\n%s%s", code, out, errOut)
	}
	for line, want := range map[string]string{"2": "opkuma: line 2 is a comment line, not a job\n", "4": "opkuma: line 4: already wrapped with opkuma run\n"} {
		if code, out, errOut := runMain(t, "secret", append(args, "--line", line)...); code != 1 || out != "" || errOut != want {
			t.Errorf("--line %s: exit %d, stdout %q, stderr %q", line, code, out, errOut)
		}
	}
	if len(s.Events()) != 1 || s.Events()[0] != "login" {
		t.Errorf("events: %v", s.Events())
	}
}

// On real Uptime Kuma 1.23.17 and 2.5.3: one --write run creates a monitor
// per job with the advised interval, the wrapped line's url-file lands an
// UP heartbeat, a second run changes nothing, and monitor check agrees.
// Catches (tried): conditions missing on 2.x through the shared provision
// (add refused), the url-file's URL not the server's.
func TestWrapProvisionRealKuma(t *testing.T) {
	realkuma.EachVersion(t, func(t *testing.T, in *realkuma.Install) {
		s := realkuma.Start(t, in)
		dir := t.TempDir()
		t.Setenv("HOME", dir)
		pw := filepath.Join(dir, "kuma.pass")
		if err := os.WriteFile(pw, []byte(in.Setup.Password+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		tab := provisionCrontab(t, dir, "# hourly report\n0 * * * * /bin/true\n*/15 * * * * /bin/true --quick\n")
		args := []string{"crontab", "wrap", "--provision", "--write", "--kuma", s.URL, "--user", in.Setup.Username, "--password-file", pw, "--tz", "UTC", tab}
		code, out, errOut := runMain(t, "", args...)
		if code != 0 || errOut != "" {
			t.Fatalf("--write: exit %d\n%s%s", code, out, errOut)
		}
		type row struct {
			ID        int    `json:"id"`
			Name      string `json:"name"`
			Interval  int    `json:"interval"`
			PushToken string `json:"push_token"`
		}
		var rows []row
		if err := s.Query("SELECT id, name, interval, push_token FROM monitor WHERE type = 'push' AND name IN ('hourly report', 'true') ORDER BY id", &rows); err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0].Name != "hourly report" || rows[0].Interval != 3960 || rows[1].Name != "true" || rows[1].Interval != 990 {
			t.Fatalf("monitors: %+v", rows)
		}
		urlFile := filepath.Join(dir, ".config", "opkuma", "hourly-report.url")
		if got := mustRead(t, urlFile); got != s.URL+"/api/push/"+rows[0].PushToken+"\n" {
			t.Errorf("url-file holds %d bytes, not the monitor's push URL", len(got))
		}
		run := exec.Command(opkumaBinary(t), "run", "--url-file", urlFile, "--", "true")
		if out, err := run.CombinedOutput(); err != nil {
			t.Fatalf("opkuma run: %v\n%s", err, out)
		}
		if hb := s.MustHeartbeats(t, rows[0].ID); len(hb) != 1 || hb[0].Status != realkuma.Up {
			t.Errorf("heartbeats: %v, want one UP", hb)
		}
		wrapped := mustRead(t, tab)
		if code, out, _ := runMain(t, "", args...); code != 0 || !strings.HasSuffix(out, "nothing to wrap: every job with a schedule runs under opkuma run already\n") || mustRead(t, tab) != wrapped {
			t.Errorf("second run: exit %d, %s", code, out)
		}
		check := []string{"monitor", "check", "--kuma", s.URL, "--user", in.Setup.Username, "--password-file", pw, "--tz", "UTC", tab}
		if code, out, errOut := runMain(t, "", check...); code != 0 || strings.Count(out, ": ok, advised interval") != 2 {
			t.Errorf("monitor check: exit %d\n%s%s", code, out, errOut)
		}
	})
}
