package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAuditAgreesWithRun generates crontab lines that call opkuma run with
// good and bad options, url-files in every state and one-string or argv
// jobs, audits them all with `opkuma crontab --json`, then runs each line
// as cron would (sh -c, a bare environment) and checks that the audit told
// the truth:
//   - a usage-error finding if and only if opkuma exits 2 and the job does
//     not run;
//   - otherwise the job runs, whatever the url-file's state, and opkuma
//     exits with its code;
//   - a finding about the push URL (url-file missing, readable by others,
//     empty, not a file; no URL at all) if and only if the run says
//     nothing is pushed.
//
// Mutations caught: the audit's Check not called (a bad --timeout passes
// the audit, the run exits 2); run stopping at a url-file others can read
// (the audit says the job runs); checkLine reading a --url-file.
func TestAuditAgreesWithRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs opkuma about 2,000 times; -short skips it")
	}
	opkuma, err := exec.LookPath("opkuma") // testscript.Main put it in PATH
	if err != nil {
		t.Skipf("opkuma not in PATH: %v", err)
	}
	n := 1000
	if raceBuild {
		n = 250 // each run of a race-built opkuma is several times slower; the plain run does 1,000
	}
	if v := os.Getenv("OPKUMA_PROPERTY_LINES"); v != "" {
		fmt.Sscan(v, &n)
	}
	_, base := startKuma(t, "proptok")
	url := base + "/api/push/proptok"

	dir := t.TempDir()
	write := func(name, data string, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(dir, name), mode); err != nil {
			t.Fatal(err)
		}
	}
	write("ok.url", url+"\n", 0o600)
	write("open.url", url+"\n", 0o644)
	write("empty.url", "", 0o600)
	if err := os.Mkdir(filepath.Join(dir, "dir.url"), 0o700); err != nil {
		t.Fatal(err)
	}

	// Options: each a few words, some of them mistakes run stops at.
	options := []string{
		"--timeout 5s", "--timeout 5", "--down-on-failure", "--dwn-on-failure", "-q",
		"--retries 2", "--retries abc", "--retries -5", "--max-time 2s", "--max-time 0s",
		"--kill-after 0s", "--msg 'all good'", "--ping 12", "--ping -1", "--status down",
		"--status ok", "--lock-wait 1s", "--lock LOCK", "--strict", "--shell /bin/bash",
		"--pipefail", "--url-file-insecure", "-v", "--connect-timeout 1s", "--ca-file /nonexistent/ca.pem",
		"--no-such-flag", "--timeout=1h", "--down-on-failure=maybe",
	}
	urls := []string{
		"--url-file " + dir + "/ok.url", "--url-file " + dir + "/open.url", "--url-file " + dir + "/missing.url",
		"--url-file " + dir + "/empty.url", "--url-file " + dir + "/dir.url",
		"--url '" + url + "'", "--url '" + base + "/api/nope/proptok'", "",
		"--url-file " + dir + "/ok.url --url '" + url + "'",
	}
	jobs := []string{"touch ran.N", "'touch ran.N | cat'", "'touch ran.N; exit 3'", "sh -c 'touch ran.N'"}

	rng := rand.New(rand.NewPCG(1, uint64(n)))
	var crontab strings.Builder
	crontab.WriteString("PATH=/usr/bin:/bin\n")
	lines := make([]string, n)
	for i := range n {
		var words []string
		for range rng.IntN(3) {
			words = append(words, strings.ReplaceAll(options[rng.IntN(len(options))], "LOCK", fmt.Sprintf("%s/lock.%d", dir, i)))
		}
		if u := urls[rng.IntN(len(urls))]; u != "" {
			words = append(words, u)
		}
		rng.Shuffle(len(words), func(a, b int) { words[a], words[b] = words[b], words[a] })
		job := strings.ReplaceAll(jobs[rng.IntN(len(jobs))], "ran.N", fmt.Sprintf("ran.%d", i))
		lines[i] = strings.Join(append(append([]string{opkuma, "run"}, words...), "--", job), " ")
		fmt.Fprintf(&crontab, "0 * * * * %s\n", lines[i])
	}
	write("crontab", crontab.String(), 0o644)

	out, err := exec.Command(opkuma, "crontab", "--json", filepath.Join(dir, "crontab")).Output()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	var audit struct {
		Jobs []struct {
			Line     int `json:"line"`
			Problems []struct {
				Problem string `json:"problem"`
				Message string `json:"message"`
			} `json:"problems"`
		} `json:"jobs"`
	}
	if err := json.Unmarshal(out, &audit); err != nil {
		t.Fatalf("audit --json: %v\n%s", err, out)
	}
	if len(audit.Jobs) != n {
		t.Fatalf("audit has %d jobs, want %d", len(audit.Jobs), n)
	}

	usageLines, setupLines := 0, 0
	for i, job := range audit.Jobs {
		line := lines[i]
		usage, setup := "", ""
		for _, p := range job.Problems {
			switch p.Problem {
			case "usage-error":
				usage = p.Message
			case "url-file-missing", "url-file-readable", "url-file-not-regular", "url-file-empty", "no-push-url", "ca-file-missing":
				setup = p.Message
			}
		}
		sh := exec.Command("/bin/sh", "-c", line)
		sh.Dir = dir
		sh.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + dir, "SHELL=/bin/sh", "LOGNAME=cron"}
		stderr, err := sh.CombinedOutput()
		code := 0
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		_, statErr := os.Stat(filepath.Join(dir, fmt.Sprintf("ran.%d", i)))
		ran := statErr == nil
		switch {
		case usage != "":
			usageLines++
			if code != 2 || ran {
				t.Errorf("line %d: the audit says %q, but run exited %d (job ran: %v)\n%s\n%s", i+2, usage, code, ran, line, stderr)
			}
		case !ran:
			t.Errorf("line %d: the audit finds no usage error, but the job did not run (exit %d)\n%s\n%s", i+2, code, line, stderr)
		case strings.Contains(string(stderr), "nothing is pushed") != (setup != ""):
			t.Errorf("line %d: the audit says %q about the push URL; the run said\n%s\n%s", i+2, setup, stderr, line)
		}
		if setup != "" && usage == "" {
			setupLines++
		}
	}
	t.Logf("%d lines: %d with a usage error, %d with a push URL problem that the job runs past", n, usageLines, setupLines)
	if usageLines == 0 || usageLines == n || setupLines == 0 {
		t.Errorf("the generator made %d usage errors and %d url-file problems in %d lines: not a test of both", usageLines, setupLines, n)
	}
}
