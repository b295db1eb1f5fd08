package kube

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opkuma/opkuma/internal/crontab"
	"github.com/opkuma/opkuma/internal/kumaapi"
	"github.com/opkuma/opkuma/internal/provision"
	"github.com/opkuma/opkuma/internal/schedule"
	"github.com/opkuma/opkuma/internal/watch"
)

// advisor looks from a fixed day, with the default margin.
func advisor() *schedule.Advisor {
	return &schedule.Advisor{Margin: -1, From: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)}
}

func readFixture(t *testing.T, name string) ([]CronJob, []Skipped) {
	t.Helper()
	jobs, skipped, err := ReadFile(filepath.Join("testdata", name), nil)
	if err != nil {
		t.Fatal(err)
	}
	return jobs, skipped
}

// TestAudit checks each CronJob's row on kubectl's output: its interval
// (timeZone used), whether it is monitored (crontab.ArgvMonitored), its
// problems, and a suspended one said and skipped. Catches: `if c.Suspend
// { return r }` removed in audit (a suspended CronJob gets an interval),
// and `Skipped: len(skipped)` dropped from Audit's Result.
func TestAudit(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"audit.json", "ops/backup UTC mon=true 95040 [concurrent-runs no-active-deadline]|" +
			"batch/report UTC mon=false 990 [concurrent-runs no-active-deadline not-monitored]|" +
			"default/paused UTC mon=false 0 []|3 1 1 5 1"},
		{"list.json", "default/backup UTC mon=false 95040 [concurrent-runs no-active-deadline not-monitored]|" +
			"batch/report UTC mon=true 990 [concurrent-runs no-active-deadline push-url-in-manifest]|2 1 0 6 1"},
		{"recipe.json", "ops/backup Europe/Berlin mon=true 99000 []|1 1 0 0 0"},
		{"recipe.yaml", "ops/backup Europe/Berlin mon=true 99000 []|1 1 0 0 0"},
	}
	for _, tt := range tests {
		jobs, skipped := readFixture(t, tt.file)
		res := Audit(jobs, skipped, advisor(), nil, crontab.ArgvMonitored)
		var b strings.Builder
		for _, r := range res.CronJobs {
			var ps []string
			for _, p := range r.Problems {
				ps = append(ps, string(p.Problem))
			}
			fmt.Fprintf(&b, "%s/%s %s mon=%v %d %v|", r.Namespace, r.Name, r.TimeZone, r.Monitored, r.Interval, ps)
		}
		fmt.Fprintf(&b, "%d %d %d %d %d", res.Total, res.Monitored, res.Suspended, res.Problems, res.Skipped)
		if got := b.String(); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.file, got, tt.want)
		}
	}
}

// TestAuditText checks the text and JSON of an audit: the crontab audit's
// wording with NAMESPACE/NAME, the skipped line, no token anywhere.
// Catches: `res.Skipped > 0` changed to `> 1` in WriteText, and the
// interval line's "largest gap" given r.Interval.
func TestAuditText(t *testing.T) {
	jobs, skipped := readFixture(t, "list.json")
	res := Audit(jobs, skipped, advisor(), nil, crontab.ArgvMonitored)
	var text, js bytes.Buffer
	if err := res.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := res.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"batch/report: interval: set the monitor's Heartbeat Interval to 990 s (largest gap 900 s + margin)\n",
		`batch/report: problem: container "report" has a push URL in its env KUMA_URL (https://kuma.example.com/api/push/****?status=up)`,
		"\n1 other object skipped: not batch/v1 CronJobs\n2 CronJobs, 1 under opkuma run, 0 suspended, 6 problems\n",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	raw, _ := os.ReadFile("testdata/list.json")
	tok := string(raw[bytes.Index(raw, []byte("/api/push/"))+10:][:6])
	if strings.Contains(text.String()+js.String(), tok) || !strings.Contains(js.String(), `"other_objects_skipped": 1`) {
		t.Errorf("token %q shown, or JSON wrong:\n%s", tok, js.String())
	}
}

// TestReadFile checks ReadFile's errors, each typed for the command
// line. Catches: the NoCronJobsError case removed (no CronJob: nil
// error), and the non-object check removed from collect (a YAML scalar's
// message is the decoder's).
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var none *NoCronJobsError
	if _, _, err := ReadFile(write("cm.json", `{"apiVersion":"v1","kind":"ConfigMap"}`), nil); !errors.As(err, &none) || none.Skipped != 1 {
		t.Errorf("ConfigMap only: %v", err)
	}
	var pe *fs.PathError
	if _, _, err := ReadFile(filepath.Join(dir, "missing"), nil); !errors.As(err, &pe) {
		t.Errorf("missing: %v", err)
	}
	_, _, err := ReadFile(write("text", "just words\n"), nil)
	if err == nil || !strings.HasSuffix(err.Error(), "document 1: not a Kubernetes object: want a mapping with apiVersion and kind") {
		t.Errorf("text: %v", err)
	}
	jobs, _, err := ReadFile("-", strings.NewReader(`{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"a"},"spec":{"schedule":"@daily"}}`))
	if err != nil || len(jobs) != 1 {
		t.Errorf("stdin: %v %v", jobs, err)
	}
}

// TestPlan checks what provisioning decides: one monitor per CronJob the
// controller runs, named NAMESPACE/NAME with the advised interval, found
// by the cluster's tag; suspended, badly named and repeated ones left.
// Catches: `seen[...] = true` removed (a repeated CronJob planned twice),
// and Tag not passed to provision.Job (the other cluster's monitor
// updated).
func TestPlan(t *testing.T) {
	jobs, _ := readFixture(t, "audit.json")
	jobs = append(jobs, jobs[0], CronJob{Namespace: "ops", Name: "Bad_Name", Schedule: "@daily"})
	var line string // batch/report's monitor carries its schedule line already
	for _, c := range jobs {
		if c.MonitorName() == "batch/report" {
			spec, err := c.WatchSpec(nil, advisor().Start(time.UTC), 0, -1)
			if err != nil {
				t.Fatal(err)
			}
			line = watch.Format(*spec)
		}
	}
	monitors := []kumaapi.Monitor{
		{ID: 7, Name: "batch/report", Type: "push", Interval: 990, Active: true, Tags: []kumaapi.Tag{{Name: "prod"}}, Description: line},
		{ID: 8, Name: "batch/report", Type: "push", Interval: 60, Active: true, Tags: []kumaapi.Tag{{Name: "staging"}}},
	}
	p := Planner{Advisor: advisor(), Tag: "prod"}
	mons, left, err := p.Plan(jobs, monitors)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, m := range mons {
		fmt.Fprintf(&b, "%s: %s|", m.Job.MonitorName(), m.Decision)
	}
	for _, l := range left {
		fmt.Fprintf(&b, "left %s: %v|", l.Job.MonitorName(), l.Reason)
	}
	want := `ops/backup: to create: interval 95040 s, retries 0|batch/report: unchanged: interval 990 s, retries 0|` +
		`left default/paused: kube: cronjob is suspended: it starts no jobs|left ops/backup: listed twice: the first one is provisioned|` +
		`left ops/Bad_Name: kube: metadata.name "Bad_Name": must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit|`
	if got := b.String(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if c, u := Counts(mons); c != 1 || u != 0 || Done(mons) != "1 monitor created, 0 updated, 1 unchanged" {
		t.Errorf("Counts %d %d, Done %q", c, u, Done(mons))
	}
	var dry bytes.Buffer
	sum := WriteDryRun(&dry, mons, "")
	if sum != "dry run, nothing changed: --write creates 1 monitor, updates 0 and prints 2 Secrets" ||
		!strings.Contains(dry.String(), `batch/report: monitor "batch/report" (id 7): unchanged: interval 990 s, retries 0; Secret batch/opkuma-report`) {
		t.Errorf("dry run: %s\n%s", sum, dry.String())
	}
	if _, _, err := p.Plan(jobs, append(monitors, kumaapi.Monitor{ID: 9, Name: "ops/backup", Type: "http", Tags: []kumaapi.Tag{{Name: "prod"}}})); !errors.As(err, new(*provision.NotPushError)) {
		t.Errorf("http monitor of the name: %v", err)
	}
}
