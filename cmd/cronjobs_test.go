package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/opkuma/opkuma/internal/kumaapi/kumatest"
	"github.com/opkuma/opkuma/internal/realkuma"
)

// cronJobsFixture is kubectl's output of CronJobs (internal/kube/testdata/README).
func cronJobsFixture(name string) string {
	return filepath.Join("..", "internal", "kube", "testdata", name)
}

// secretURLs reads a List of Secrets as kube.SecretList prints them and
// returns each url by NAMESPACE/NAME.
func secretURLs(t *testing.T, out string) map[string]string {
	t.Helper()
	var l struct {
		Kind  string
		Items []struct {
			APIVersion string `json:"apiVersion"`
			Kind       string
			Metadata   struct{ Name, Namespace string }
			Type       string
			Data       map[string]string `json:"stringData"`
		}
	}
	if err := yaml.Unmarshal([]byte(out), &l); err != nil || l.Kind != "List" {
		t.Fatalf("stdout is no List of Secrets: %v\n%s", err, out)
	}
	urls := map[string]string{}
	for _, s := range l.Items {
		if s.APIVersion != "v1" || s.Kind != "Secret" || s.Type != "Opaque" {
			t.Errorf("item %+v is no Opaque Secret", s)
		}
		urls[s.Metadata.Namespace+"/"+s.Metadata.Name] = s.Data["url"]
	}
	return urls
}

// TestCronJobsProvision runs provision against the stand-in: the dry run
// changes nothing, --write creates a monitor per running CronJob and
// writes its url-file, a second run changes nothing and says so,
// --cluster keeps another cluster's monitors apart, --secrets prints only
// Secrets on stdout. Catches (tried): `if !o.write` dropped (the dry run
// creates), `say = env.Stderr` dropped (the report in kubectl's input),
// Tag not passed to kube.Planner (--cluster takes the untagged monitors).
func TestCronJobsProvision(t *testing.T) {
	s := kumatest.New(t, "2.5.3")
	base := s.Start()
	dir := t.TempDir()
	urls := filepath.Join(dir, "urls")
	args := []string{"cronjobs", "provision", "-f", cronJobsFixture("audit.json"), "--kuma", base, "--user", "admin"}

	code, out, errOut := runMain(t, "secret", append(args, "--url-dir", urls)...)
	if code != 0 || errOut != "" || len(writes(s)) != 0 || !strings.HasSuffix(out, "dry run, nothing changed: --write creates 2 monitors, updates 0 and writes 2 url-files\n") {
		t.Fatalf("dry run: exit %d, writes %v\n%s%s", code, writes(s), out, errOut)
	}
	if _, err := os.Stat(urls); err == nil {
		t.Errorf("dry run made %s", urls)
	}

	code, out, errOut = runMain(t, "secret", append(args, "--url-dir", urls, "--write")...)
	want := "default/paused: left as it is: kube: cronjob is suspended: it starts no jobs\n" +
		`ops/backup: monitor "ops/backup" (id 2): created: interval 95040 s, retries 0` + "\n" +
		"ops/backup: push URL written to " + filepath.Join(urls, "ops_backup.url") + "\n" +
		`batch/report: monitor "batch/report" (id 3): created: interval 990 s, retries 0` + "\n" +
		"batch/report: push URL written to " + filepath.Join(urls, "batch_report.url") + "\n" +
		"2 monitors created, 0 updated, 0 unchanged\n"
	if code != 0 || errOut != "" || out != want {
		t.Fatalf("--write: exit %d\n%s%s", code, out, errOut)
	}
	token := readURLFile(t, filepath.Join(urls, "ops_backup.url"), base)
	if s.Monitor(2)["pushToken"] != token || s.Monitor(2)["name"] != "ops/backup" || strings.Contains(out, token) {
		t.Errorf("url-file or monitor wrong, or token printed: %v", s.Monitor(2))
	}

	before := len(writes(s))
	code, out, _ = runMain(t, "secret", append(args, "--url-dir", urls, "--write")...)
	if code != 0 || len(writes(s)) != before || !strings.HasSuffix(out, ": unchanged\nnothing changed: 2 monitors as the schedules need\n") {
		t.Errorf("second run: exit %d, writes %v\n%s", code, writes(s)[before:], out)
	}

	code, out, errOut = runMain(t, "secret", append(args, "--secrets", "--write", "--cluster", "prod")...)
	got := secretURLs(t, out)
	if code != 0 || len(got) != 2 || !strings.HasSuffix(errOut, "2 monitors created, 0 updated, 0 unchanged\n") {
		t.Fatalf("--secrets --cluster: exit %d\n%s%s", code, out, errOut)
	}
	if m := s.Monitor(4); m["name"] != "ops/backup" || got["ops/opkuma-backup"] != base+"/api/push/"+m["pushToken"].(string) {
		t.Errorf("Secret of ops/backup: %q, monitor %v", got["ops/opkuma-backup"], m)
	}
	if s.Monitor(2)["pushToken"] != token {
		t.Errorf("--cluster changed the untagged monitor")
	}
	for _, bad := range [][]string{{}, {"--secrets", "--url-dir", urls}} {
		if code, _, errOut := runMain(t, "secret", append(args, bad...)...); code != 2 || !strings.Contains(errOut, "give one of --secrets") {
			t.Errorf("%q: exit %d, %s", bad, code, errOut)
		}
	}
}

// On real Uptime Kuma 1.23.17 and 2.5.3: provisioning from kubectl's
// output of 2 CronJobs creates exactly 2 monitors named NAMESPACE/NAME
// with the advised intervals; each Secret's url pushes to its monitor (one
// run of opkuma with it, one beat); a second run creates and changes
// nothing. Catches (tried): the Secrets' URLs swapped between the two
// CronJobs in apply (the beat lands on the other monitor).
func TestCronJobsProvisionRealKuma(t *testing.T) {
	realkuma.EachVersion(t, func(t *testing.T, in *realkuma.Install) {
		s := realkuma.Start(t, in)
		dir := t.TempDir()
		pw := filepath.Join(dir, "kuma.pass")
		if err := os.WriteFile(pw, []byte(in.Setup.Password+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		args := []string{"cronjobs", "provision", "-f", cronJobsFixture("provision2.json"), "--kuma", s.URL, "--user", in.Setup.Username,
			"--password-file", pw, "--secrets", "--write", "--cluster", "test"}
		code, out, errOut := runMain(t, "", args...)
		if code != 0 || !strings.HasSuffix(errOut, "2 monitors created, 0 updated, 0 unchanged\n") {
			t.Fatalf("--write: exit %d\n%s%s", code, out, errOut)
		}
		type row struct {
			ID       int    `json:"id"`
			Name     string `json:"name"`
			Interval int    `json:"interval"`
			Token    string `json:"push_token"`
		}
		monitors := func() []row {
			var rows []row
			if err := s.Query("SELECT id, name, interval, push_token FROM monitor WHERE name LIKE '%/%' ORDER BY id", &rows); err != nil {
				t.Fatal(err)
			}
			return rows
		}
		rows := monitors()
		if len(rows) != 2 || rows[0].Name != "ops/backup" || rows[0].Interval != 95040 || rows[1].Name != "batch/report" || rows[1].Interval != 990 {
			t.Fatalf("monitors: %+v", rows)
		}
		urls := secretURLs(t, out)
		for i, secret := range []string{"ops/opkuma-backup", "batch/opkuma-report"} {
			file := filepath.Join(dir, strings.ReplaceAll(secret, "/", "_"))
			if err := os.WriteFile(file, []byte(urls[secret]+"\n"), 0o400); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(opkumaBinary(t), "run", "--url-file", file, "--", "true").CombinedOutput(); err != nil {
				t.Fatalf("opkuma run with %s: %v\n%s", secret, err, out)
			}
			if hb := s.MustHeartbeats(t, rows[i].ID); len(hb) != 1 || hb[0].Status != realkuma.Up {
				t.Errorf("%s: heartbeats %v, want one UP", rows[i].Name, hb)
			}
		}
		code, again, errOut := runMain(t, "", args...)
		if code != 0 || again != out || !strings.HasSuffix(errOut, "nothing changed: 2 monitors as the schedules need\n") || !slices.Equal(monitors(), rows) {
			t.Errorf("second run: exit %d\n%s%s", code, again, errOut)
		}
	})
}
