package kube

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opkuma/opkuma/internal/schedule"
	"sigs.k8s.io/yaml"
)

const token = "Tok3nSecret"

// TestRead checks Read on kubectl's output (see testdata/README): which
// CronJobs it finds, in order, and what it skips. Catches: the Namespace
// "default" fallback removed, the item kind default (CronJobList items
// have no kind) removed in collect, and `rest[0] == '#'` dropped from
// splitYAML ("--- # nightly").
func TestRead(t *testing.T) {
	tests := []struct {
		file    string
		jobs    []string
		skipped []string
	}{
		{"backup.json", []string{"default/backup"}, nil},
		{"backup.yaml", []string{"default/backup"}, nil},
		{"report-ns.yaml", []string{"batch/report"}, nil},
		{"list.json", []string{"default/backup", "batch/report"}, []string{"v1 ConfigMap settings"}},
		{"cronjoblist.json", []string{"default/backup"}, nil},
		{"multi.yaml", []string{"default/backup", "ops/nightly"}, []string{"v1 ConfigMap settings"}},
	}
	for _, tt := range tests {
		f, err := os.Open("testdata/" + tt.file)
		if err != nil {
			t.Fatal(err)
		}
		jobs, skipped, err := Read(f)
		f.Close()
		if err != nil {
			t.Errorf("%s: %v", tt.file, err)
			continue
		}
		var names, skips []string
		for _, j := range jobs {
			names = append(names, j.MonitorName())
		}
		for _, s := range skipped {
			skips = append(skips, s.APIVersion+" "+s.Kind+" "+s.Name)
		}
		if !slices.Equal(names, tt.jobs) || !slices.Equal(skips, tt.skipped) {
			t.Errorf("%s: jobs %q skipped %q, want %q %q", tt.file, names, skips, tt.jobs, tt.skipped)
		}
	}
}

// TestReadFields checks every field Read keeps, on the hand-edited
// fixture. Catches: `Suspend: s.Suspend != nil && *s.Suspend` changed to
// false, and any field left unmapped in cronJob.
func TestReadFields(t *testing.T) {
	f, err := os.Open("testdata/nightly-berlin.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	jobs, _, err := Read(f)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("Read: %v, %d jobs", err, len(jobs))
	}
	j := jobs[0]
	got := fmt.Sprintf("%s %s/%s %q tz=%s suspend=%v sds=%d %s ads=%d backoff=%d %s %s %s %q",
		j.APIVersion, j.Namespace, j.Name, j.Schedule, *j.TimeZone, j.Suspend, *j.StartingDeadlineSeconds,
		j.ConcurrencyPolicy, *j.ActiveDeadlineSeconds, *j.BackoffLimit, j.RestartPolicy,
		j.Containers[0].Name, j.Containers[0].Image, j.Containers[0].Command)
	want := `batch/v1 ops/nightly "30 2 * * *" tz=Europe/Berlin suspend=true sds=300 Forbid ads=3600 backoff=2 Never nightly busybox ["opkuma" "run" "--url-file" "/etc/opkuma/url" "--" "/bin/nightly"]`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestReadErrors checks that Read fails with a *ReadError naming the
// document, never quoting a push URL. Catches: Doc counted from 0 (i
// instead of i+1 in Read), and pusher.Redact removed from
// ReadError.Error.
func TestReadErrors(t *testing.T) {
	tests := []struct {
		in  string
		doc int
	}{
		{"kind: CronJob\n---\n: : bad: [\n", 2},
		{`{"kind":"CronJob","apiVersion":"batch/v1","spec":{"schedule":5}}`, 1},
		{`{"kind":"CronJob"} {"kind":`, 2},
		{"apiVersion: batch/v1\nkind: CronJob\nspec:\n  suspend: https://k/api/push/" + token + "\n", 1},
		{`{"apiVersion":"v1","kind":"List","items":[{"kind":"CronJob","apiVersion":"batch/v1","spec":{"suspend":"x"}}]}`, 1},
	}
	for _, tt := range tests {
		_, _, err := Read(strings.NewReader(tt.in))
		var re *ReadError
		if !errors.As(err, &re) || re.Doc != tt.doc {
			t.Errorf("%q: err = %v, want *ReadError for document %d", tt.in, err, tt.doc)
			continue
		}
		if strings.Contains(err.Error(), token) {
			t.Errorf("%q: error shows the token: %v", tt.in, err)
		}
	}
}

// TestNames checks names and what Kubernetes takes. Catches: the 52
// character limit removed from checkNames, and "_" changed to "-" in
// FileStem (then ns "a-b"/name "c" and ns "a"/name "b-c" collide).
func TestNames(t *testing.T) {
	long := strings.Repeat("a", 53)
	tests := []struct {
		ns, name  string
		monitor   string
		stem      string
		wantError bool
	}{
		{"default", "backup", "default/backup", "default_backup", false},
		{"a-b", "c", "a-b/c", "a-b_c", false},
		{"a", "b-c", "a/b-c", "a_b-c", false},
		{"ops", "db.backup", "ops/db.backup", "ops_db.backup", false},
		{"ops", long, "ops/" + long, "", true},
		{"ops", "Backup", "ops/Backup", "", true},
		{"ops", "..", "ops/..", "", true},
		{"o.ps", "x", "o.ps/x", "", true},
		{"../etc", "x", "../etc/x", "", true},
		{"ops", "", "ops/", "", true},
	}
	stems := map[string]bool{}
	for _, tt := range tests {
		c := CronJob{Namespace: tt.ns, Name: tt.name, Schedule: "0 3 * * *"}
		stem, err := c.FileStem()
		var ne *NameError
		if c.MonitorName() != tt.monitor || stem != tt.stem || (err != nil) != tt.wantError || err != nil && !errors.As(err, &ne) {
			t.Errorf("%s/%s: monitor %q stem %q err %v", tt.ns, tt.name, c.MonitorName(), stem, err)
		}
		if err == nil && stems[stem] {
			t.Errorf("%s/%s: stem %q shared", tt.ns, tt.name, stem)
		}
		stems[stem] = true
		if err := c.Validate(); (err != nil) != tt.wantError || err != nil && !errors.As(err, &ne) {
			t.Errorf("%s/%s: Validate = %v", tt.ns, tt.name, err)
		}
	}
}

// TestSecretManifest checks the Secret as kubectl reads it, and that its
// errors and a printed Push never show the token. Catches: Namespace
// left out of the Secret's metadata, and Push.String printing p.URL.
func TestSecretManifest(t *testing.T) {
	job := &CronJob{Namespace: "batch", Name: "report"}
	url := "https://kuma.example.com/api/push/" + token + "?status=up&msg=OK"
	y, err := SecretManifest(Push{job, url}, YAML)
	if err != nil {
		t.Fatal(err)
	}
	want := `apiVersion: v1
kind: Secret
metadata:
  labels:
    app.kubernetes.io/managed-by: opkuma
  name: opkuma-report
  namespace: batch
stringData:
  url: https://kuma.example.com/api/push/` + token + `?status=up&msg=OK
type: Opaque
`
	if string(y) != want {
		t.Errorf("YAML:\n%s\nwant:\n%s", y, want)
	}
	other := &CronJob{Namespace: "default", Name: "backup"}
	for _, f := range []Format{YAML, JSON} {
		l, err := SecretList([]Push{{job, url}, {other, url}}, f)
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Kind  string
			Items []secret
		}
		if err := yaml.Unmarshal(l, &got); err != nil {
			t.Fatalf("format %d: %v\n%s", f, err, l)
		}
		if got.Kind != "List" || len(got.Items) != 2 || got.Items[1].Metadata.Namespace != "default" ||
			got.Items[0].StringData[SecretKey] != url || got.Items[1].Metadata.Name != "opkuma-backup" {
			t.Errorf("format %d: %+v", f, got)
		}
	}
	bad := []Push{
		{job, "https://kuma.example.com/api/pish/" + token},
		{job, "ftp://kuma.example.com/api/push/" + token},
		{&CronJob{Namespace: "batch", Name: "Bad_Name"}, url},
	}
	for _, p := range bad {
		if _, err := SecretManifest(p, JSON); err == nil || strings.Contains(err.Error(), token) {
			t.Errorf("%v: err = %v, want an error without the token", p, err)
		}
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(verb, Push{job, url}); strings.Contains(s, token) {
			t.Errorf("%s shows the token: %s", verb, s)
		}
	}
}

// TestCheck checks the findings per CronJob. Catches: `!= "Forbid"`
// changed to `== "Allow"` (unset policy), `return true` in Monitored changed to `break`
// (a sidecar next to the monitored container), and the env loop removed.
func TestCheck(t *testing.T) {
	i64 := func(v int64) *int64 { return &v }
	monitored := func(argv []string) bool { return len(argv) > 1 && argv[0] == "opkuma" && argv[1] == "run" }
	run := Container{Name: "job", Command: []string{"opkuma", "run", "--url-file", "/u", "--", "x"}}
	tests := []struct {
		name string
		job  CronJob
		want string
	}{
		{"clean", CronJob{ConcurrencyPolicy: "Forbid", ActiveDeadlineSeconds: i64(60), Containers: []Container{run}}, ""},
		{"defaults", CronJob{Containers: []Container{{Name: "job", Command: []string{"/bin/job"}}}},
			"concurrent-runs,,,concurrencyPolicy is Allow (the default)|no-active-deadline,,,|not-monitored,job,,|"},
		{"replace", CronJob{ConcurrencyPolicy: "Replace", ActiveDeadlineSeconds: i64(60), Containers: []Container{run}},
			"concurrent-runs,,,concurrencyPolicy is Replace|"},
		{"sidecar", CronJob{ConcurrencyPolicy: "Forbid", ActiveDeadlineSeconds: i64(60), Containers: []Container{{Name: "proxy", Image: "envoy"}, run}}, ""},
		{"entrypoint", CronJob{ConcurrencyPolicy: "Forbid", ActiveDeadlineSeconds: i64(60), Containers: []Container{{Name: "job", Args: []string{"opkuma", "run"}}}},
			"not-monitored,job,,no command: the image's entrypoint runs, which the manifest does not show|"},
		{"url", CronJob{ConcurrencyPolicy: "Forbid", ActiveDeadlineSeconds: i64(60), Suspend: true, Containers: []Container{{
			Name:    "job",
			Command: []string{"opkuma", "run", "--url", "https://k/api/push/" + token, "--", "x"},
			Env:     []EnvVar{{"URL", "https://k/API/PUSH/" + token}, {"HOME", "/"}},
		}}},
			"push-url-in-manifest,job,command,https://k/api/push/****|push-url-in-manifest,job,env URL,https://k/API/PUSH/****|suspended,,,|"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		for _, f := range tt.job.Check(monitored) {
			fmt.Fprintf(&b, "%s,%s,%s,%s|", f.Problem, f.Container, f.Field, f.Text)
		}
		if got := b.String(); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

// FuzzReadCronJobs feeds Read any bytes, and every CronJob it finds to
// Validate, Check and Gap: none may panic, an error never shows a push
// token from the input, and a schedule Kubernetes takes becomes one
// internal/schedule reads. Catches: `rest == "" ||` dropped in splitYAML
// (a bare --- line panics).
func FuzzReadCronJobs(f *testing.F) {
	for _, name := range []string{"backup.json", "multi.yaml", "list.json", "cronjoblist.json"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range fuzzSchedules {
		f.Add([]byte(`{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"x"},"spec":{"schedule":"` + s + `"}}`))
	}
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		jobs, _, err := Read(bytes.NewReader(data))
		if err != nil {
			if strings.Contains(err.Error(), "/api/push/"+token) {
				t.Fatalf("error shows the token: %v", err)
			}
			return
		}
		for _, j := range jobs {
			_ = j.Validate()
			_ = j.Check(func([]string) bool { return false })
			if c, err := j.cron(); err == nil && c.every == 0 {
				if v, ok := c.vixie(); ok {
					if _, err := schedule.Parse(v); err != nil {
						t.Fatalf("%q -> %q: %v", j.Schedule, v, err)
					}
				}
			}
			_, _ = j.Gap(time.UTC, from)
		}
	})
}
