package provision

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/opkuma/opkuma/internal/kumaapi"
	"github.com/opkuma/opkuma/internal/watch"
)

// Server is the part of Uptime Kuma's API that Apply uses;
// *kumaapi.Client is one.
type Server interface {
	DefaultNotifications() ([]int, error)
	Add(ctx context.Context, fields map[string]any) (int, error)
	GetMonitor(ctx context.Context, id int) (kumaapi.Monitor, error)
	EditMonitor(ctx context.Context, m kumaapi.Monitor, changes map[string]any) error
	Tags(ctx context.Context) ([]kumaapi.Tag, error)
	AddTag(ctx context.Context, name, color string) (kumaapi.Tag, error)
	AddMonitorTag(ctx context.Context, tagID, monitorID int, value string) error
	Resume(ctx context.Context, id int) error
}

// NotSavedError is returned by Apply when Uptime Kuma took an edit but
// saved other values than asked.
type NotSavedError struct {
	Monitor kumaapi.Monitor // as saved
	Want    Target          // as asked
}

// Error says what Uptime Kuma saved instead of what was asked.
func (e *NotSavedError) Error() string {
	return fmt.Sprintf("monitor %q (id %d): Uptime Kuma saved %s instead of %s",
		e.Monitor.Name, e.Monitor.ID, settings(e.Monitor), e.Want)
}

// Apply carries out d on s: creates the monitor (with a new random push
// token, the notifications Uptime Kuma's UI turns on for a new monitor,
// and the job's tag), or edits it and resumes it, or nothing. It returns
// the monitor as the server has it and what was done, for the user
// ("created: ...", "updated: ...", "resumed", "unchanged: ..."). rnd is the
// source of the push token (crypto/rand's Reader when nil).
func Apply(ctx context.Context, s Server, d Decision, rnd io.Reader) (kumaapi.Monitor, string, error) {
	if d.Existing == nil {
		m, err := create(ctx, s, d.Job, rnd)
		if err != nil {
			return kumaapi.Monitor{}, "", err
		}
		return m, "created: " + d.Job.Want.String(), nil
	}
	return update(ctx, s, *d.Existing, d)
}

// create adds the job's Push monitor.
func create(ctx context.Context, s Server, j Job, rnd io.Reader) (kumaapi.Monitor, error) {
	want := j.Want
	token, err := newToken(rnd)
	if err != nil {
		return kumaapi.Monitor{}, err
	}
	notify := map[string]bool{}
	ids, err := s.DefaultNotifications()
	if err != nil {
		return kumaapi.Monitor{}, err
	}
	for _, id := range ids {
		notify[strconv.Itoa(id)] = true
	}
	retryInterval := want.RetryInterval
	if retryInterval == 0 {
		retryInterval = want.Interval
	}
	description := "created by opkuma monitor ensure"
	if want.Watch != nil {
		description = watch.Set(description, *want.Watch)
	}
	id, err := s.Add(ctx, map[string]any{
		"type": "push", "name": j.Name, "pushToken": token, "active": true,
		"interval": want.Interval, "retryInterval": retryInterval, "maxretries": want.Retries, "resendInterval": 0,
		"accepted_statuscodes": []string{"200-299"}, "notificationIDList": notify,
		"description": description,
	})
	if err != nil {
		return kumaapi.Monitor{}, err
	}
	if j.Tag != "" {
		if err := addTag(ctx, s, j.Tag, id); err != nil {
			return kumaapi.Monitor{}, fmt.Errorf("monitor %q (id %d) created, but tagging it failed: %w", j.Name, id, err)
		}
	}
	return s.GetMonitor(ctx, id)
}

// addTag puts tag on the monitor, defining the tag first when the server
// has none of that name.
func addTag(ctx context.Context, s Server, tag string, monitorID int) error {
	tags, err := s.Tags(ctx)
	if err != nil {
		return err
	}
	tagID := 0
	for _, t := range tags {
		if t.Name == tag {
			tagID = t.ID
			break
		}
	}
	if tagID == 0 {
		t, err := s.AddTag(ctx, tag, "#2563EB")
		if err != nil {
			return err
		}
		tagID = t.ID
	}
	return s.AddMonitorTag(ctx, tagID, monitorID, "")
}

// update makes the changes d decided on m, and checks they were saved,
// then resumes m when d says so: an edit leaves a paused monitor paused.
func update(ctx context.Context, s Server, m kumaapi.Monitor, d Decision) (kumaapi.Monitor, string, error) {
	if len(d.Changes) == 0 && !d.Resume {
		return m, "unchanged: " + settings(m), nil
	}
	var did []string
	if len(d.Changes) > 0 {
		fresh, err := s.GetMonitor(ctx, m.ID)
		if err != nil {
			return m, "", err
		}
		if _, ok := d.Changes["description"]; ok && d.Job.Want.Watch != nil {
			// An edit in the UI since the list came stays.
			d.Changes["description"] = watch.Set(fresh.Description, *d.Job.Want.Watch)
		}
		if err := s.EditMonitor(ctx, fresh, d.Changes); err != nil {
			return m, "", err
		}
		did = append(did, "updated: "+strings.Join(d.Said, ", "))
	}
	if d.Resume {
		if err := s.Resume(ctx, m.ID); err != nil {
			return m, "", err
		}
		did = append(did, "resumed")
	}
	after, err := s.GetMonitor(ctx, m.ID)
	if err != nil {
		return m, "", err
	}
	asked := Target{Interval: after.Interval, Retries: after.MaxRetries}
	if v, ok := d.Changes["interval"].(int); ok {
		asked.Interval = v
	}
	if v, ok := d.Changes["maxretries"].(int); ok {
		asked.Retries = v
	}
	if after.Interval != asked.Interval || after.MaxRetries != asked.Retries {
		return m, "", &NotSavedError{Monitor: kumaapi.Monitor{ID: m.ID, Name: m.Name, Interval: after.Interval, MaxRetries: after.MaxRetries}, Want: asked}
	}
	return after, strings.Join(did, "; "), nil
}

// newToken returns a 32-character alphanumeric push token, as Uptime Kuma
// 2.x generates them.
func newToken(rnd io.Reader) (string, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	out := make([]byte, 0, 32)
	b := make([]byte, 1)
	for len(out) < 32 {
		if _, err := io.ReadFull(rnd, b); err != nil {
			return "", err
		}
		if b[0] < 248 { // 248 = 4*62: no modulo bias
			out = append(out, alphabet[b[0]%62])
		}
	}
	return string(out), nil
}
