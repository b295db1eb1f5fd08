package provision

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/opkuma/opkuma/internal/kumaapi"
)

// fakeServer keeps monitors in memory and records the calls that write.
type fakeServer struct {
	monitors map[int]kumaapi.Monitor
	added    map[string]any
	tags     []kumaapi.Tag
	calls    []string
	saveAs   int // >0: EditMonitor saves this interval instead
}

func (f *fakeServer) DefaultNotifications() ([]int, error) { return []int{7}, nil }

func (f *fakeServer) Add(ctx context.Context, fields map[string]any) (int, error) {
	f.calls = append(f.calls, "add")
	f.added = fields
	id := len(f.monitors) + 1
	f.monitors[id] = kumaapi.Monitor{ID: id, Name: fields["name"].(string), Type: "push", Active: true,
		Interval: fields["interval"].(int), MaxRetries: fields["maxretries"].(int), PushToken: fields["pushToken"].(string)}
	return id, nil
}

func (f *fakeServer) GetMonitor(ctx context.Context, id int) (kumaapi.Monitor, error) {
	m, ok := f.monitors[id]
	if !ok {
		return m, errors.New("no such monitor")
	}
	return m, nil
}

func (f *fakeServer) EditMonitor(ctx context.Context, m kumaapi.Monitor, changes map[string]any) error {
	f.calls = append(f.calls, "edit")
	if v, ok := changes["interval"]; ok {
		m.Interval = v.(int)
	}
	if v, ok := changes["maxretries"]; ok {
		m.MaxRetries = v.(int)
	}
	if f.saveAs > 0 {
		m.Interval = f.saveAs
	}
	f.monitors[m.ID] = m
	return nil
}

func (f *fakeServer) Resume(ctx context.Context, id int) error {
	f.calls = append(f.calls, "resume")
	m := f.monitors[id]
	m.Active = true
	f.monitors[id] = m
	return nil
}

func (f *fakeServer) Tags(ctx context.Context) ([]kumaapi.Tag, error) { return f.tags, nil }

func (f *fakeServer) AddTag(ctx context.Context, name, color string) (kumaapi.Tag, error) {
	f.calls = append(f.calls, "addTag "+name)
	t := kumaapi.Tag{ID: len(f.tags) + 1, Name: name}
	f.tags = append(f.tags, t)
	return t, nil
}

func (f *fakeServer) AddMonitorTag(ctx context.Context, tagID, monitorID int, value string) error {
	f.calls = append(f.calls, "addMonitorTag")
	m := f.monitors[monitorID]
	for _, t := range f.tags {
		if t.ID == tagID {
			m.Tags = append(m.Tags, t)
		}
	}
	f.monitors[monitorID] = m
	return nil
}

// Catches: a new monitor without the default notifications, the tag or a
// 32-character token; an existing tag defined again; an unchanged monitor
// edited; an edit Uptime Kuma did not save taken as done.
func TestApply(t *testing.T) {
	ctx := context.Background()
	f := &fakeServer{monitors: map[int]kumaapi.Monitor{}, tags: []kumaapi.Tag{{ID: 1, Name: "cron"}}}
	job := Job{Name: "backup", Tag: "cron", Want: Target{Interval: 3720}}
	d, _ := Decide(nil, job)
	m, what, err := Apply(ctx, f, d, nil)
	if err != nil || what != "created: interval 3720 s, retries 0" || !m.HasTag("cron") {
		t.Fatalf("create: %+v, %q, %v", m, what, err)
	}
	if !regexp.MustCompile(`^[A-Za-z0-9]{32}$`).MatchString(m.PushToken) || !reflect.DeepEqual(f.added["notificationIDList"], map[string]bool{"7": true}) ||
		f.added["retryInterval"] != 3720 {
		t.Errorf("added: %v", f.added)
	}
	if !reflect.DeepEqual(f.calls, []string{"add", "addMonitorTag"}) {
		t.Errorf("calls: %v", f.calls)
	}

	f.calls = nil
	list := []kumaapi.Monitor{f.monitors[1]}
	d, _ = Decide(list, job)
	if _, what, err := Apply(ctx, f, d, nil); err != nil || what != "unchanged: interval 3720 s, retries 0" || len(f.calls) != 0 {
		t.Errorf("unchanged: %q, %v, calls %v", what, err, f.calls)
	}

	d, _ = Decide(list, Job{Name: "backup", Want: Target{Interval: 60, Retries: 1, SetRetries: true}})
	if m, what, err := Apply(ctx, f, d, nil); err != nil || what != "updated: interval 3720 -> 60 s, retries 0 -> 1" || m.Interval != 60 || m.PushToken != list[0].PushToken {
		t.Errorf("update: %+v, %q, %v", m, what, err)
	}

	f.saveAs = 30
	d, _ = Decide([]kumaapi.Monitor{f.monitors[1]}, job)
	var ns *NotSavedError
	if _, _, err := Apply(ctx, f, d, nil); !errors.As(err, &ns) || !strings.Contains(err.Error(), "saved interval 30 s, retries 1 instead of interval 3720 s, retries 1") {
		t.Errorf("not saved: %v", err)
	}
}

// TestApplyResume (#16: check said ensure sets a paused monitor right,
// ensure left it paused): a paused monitor is resumed only when the job
// asks, after its edit, and said so. Mutations caught: update returning
// "unchanged" when only Resume is decided; the resume call dropped.
func TestApplyResume(t *testing.T) {
	ctx := context.Background()
	paused := push(1, "backup", 3720, 2)
	paused.Active = false
	for _, tc := range []struct {
		job   Job
		what  string
		calls []string
	}{
		{Job{Name: "backup", Want: Target{Interval: 3720}}, "unchanged: interval 3720 s, retries 2", nil},
		{Job{Name: "backup", Want: Target{Interval: 3720}, Resume: true}, "resumed", []string{"resume"}},
		{Job{Name: "backup", Want: Target{Interval: 60}, Resume: true}, "updated: interval 3720 -> 60 s; resumed", []string{"edit", "resume"}},
	} {
		f := &fakeServer{monitors: map[int]kumaapi.Monitor{1: paused}}
		d, err := Decide([]kumaapi.Monitor{paused}, tc.job)
		if err != nil {
			t.Fatal(err)
		}
		m, what, err := Apply(ctx, f, d, nil)
		if err != nil || what != tc.what || !reflect.DeepEqual(f.calls, tc.calls) || m.Active != tc.job.Resume {
			t.Errorf("%+v: %q, %v, calls %v, active %v; want %q, calls %v", tc.job, what, err, f.calls, m.Active, tc.what, tc.calls)
		}
	}
}

// TestApplyNewTag: a tag that Uptime Kuma does not have yet is made, then
// put on the new monitor. Mutation caught: AddTag's success taken for an
// error (the monitor left without the tag).
func TestApplyNewTag(t *testing.T) {
	f := &fakeServer{monitors: map[int]kumaapi.Monitor{}, tags: []kumaapi.Tag{{ID: 1, Name: "other"}}}
	d, _ := Decide(nil, Job{Name: "backup", Tag: "cron", Want: Target{Interval: 60}})
	m, _, err := Apply(context.Background(), f, d, nil)
	if err != nil || !m.HasTag("cron") {
		t.Errorf("created %+v, %v; want it tagged cron", m, err)
	}
	if want := []string{"add", "addTag cron", "addMonitorTag"}; !reflect.DeepEqual(f.calls, want) {
		t.Errorf("calls %v, want %v", f.calls, want)
	}
}

// Catches: a token with modulo bias (bytes 248-255 used), or not from the
// given source.
func TestNewToken(t *testing.T) {
	// 255s are skipped; 0, 61, 62 and 247 are A, 9, A, 9.
	src := append(bytes.Repeat([]byte{255}, 8), bytes.Repeat([]byte{0, 61, 62, 247}, 8)...)
	got, err := newToken(bytes.NewReader(src))
	if want := strings.Repeat("A9A9", 8); err != nil || got != want {
		t.Errorf("newToken = %q, %v; want %q", got, err, want)
	}
	// 248 is the first byte skipped.
	src = append(bytes.Repeat([]byte{248}, 8), bytes.Repeat([]byte{1}, 32)...)
	if got, err := newToken(bytes.NewReader(src)); err != nil || got != strings.Repeat("B", 32) {
		t.Errorf("newToken with 248s = %q, %v; want B*32", got, err)
	}
	if _, err := newToken(bytes.NewReader(nil)); err == nil {
		t.Errorf("newToken of an empty source: no error")
	}
}
