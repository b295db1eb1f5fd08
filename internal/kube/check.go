package kube

import (
	"strings"

	"github.com/opkuma/opkuma/pusher"
)

// Problem is a kind of CronJob setting that makes its heartbeats
// unreliable or leaks its push URL.
type Problem string

// The problems Check reports. The names are stable: tools read them.
const (
	// ConcurrentRuns: concurrencyPolicy is not Forbid. Runs may overlap,
	// and opkuma run's lock cannot stop it: a file lock in a pod holds on
	// its own node only.
	ConcurrentRuns Problem = "concurrent-runs"
	// NoActiveDeadline: the Job has no activeDeadlineSeconds, so a hung
	// run is never stopped, and no runtime bounds the heartbeat interval.
	NoActiveDeadline Problem = "no-active-deadline"
	// NotMonitored: no container's command runs under opkuma run
	// (Finding.Container is each container; Text says when the command
	// is the image's own, which the manifest does not show).
	NotMonitored Problem = "not-monitored"
	// PushURLInManifest: a push URL in a container's command, args or env
	// (Finding.Field; Text is it redacted). Its token is visible to any
	// reader of the CronJob: put it in a Secret.
	PushURLInManifest Problem = "push-url-in-manifest"
	// Suspended: the CronJob starts no Jobs; its monitor would go down.
	Suspended Problem = "suspended"
)

// Finding is one problem of a CronJob.
type Finding struct {
	Problem   Problem
	Container string // the container it is in, if any
	Field     string // command, args or env NAME, for PushURLInManifest
	Text      string // detail; push tokens redacted
}

// Check returns the problems of c, in the order of the Problem
// constants. monitored reports whether a container's argv (command then
// args) runs its job under opkuma run.
func (c *CronJob) Check(monitored func(argv []string) bool) []Finding {
	var out []Finding
	if c.ConcurrencyPolicy != "Forbid" {
		policy := c.ConcurrencyPolicy
		if policy == "" {
			policy = "Allow (the default)"
		}
		out = append(out, Finding{Problem: ConcurrentRuns, Text: "concurrencyPolicy is " + policy})
	}
	if c.ActiveDeadlineSeconds == nil {
		out = append(out, Finding{Problem: NoActiveDeadline})
	}
	if !c.Monitored(monitored) {
		for _, k := range c.Containers {
			f := Finding{Problem: NotMonitored, Container: k.Name}
			if len(k.Command) == 0 {
				f.Text = "no command: the image's entrypoint runs, which the manifest does not show"
			}
			out = append(out, f)
		}
	}
	for _, k := range c.Containers {
		for _, w := range k.Command {
			out = appendURL(out, k.Name, "command", w)
		}
		for _, w := range k.Args {
			out = appendURL(out, k.Name, "args", w)
		}
		for _, e := range k.Env {
			out = appendURL(out, k.Name, "env "+e.Name, e.Value)
		}
	}
	if c.Suspend {
		out = append(out, Finding{Problem: Suspended})
	}
	return out
}

// appendURL adds a PushURLInManifest finding when s holds a push URL.
func appendURL(out []Finding, container, field, s string) []Finding {
	if !strings.Contains(strings.ToLower(s), "/api/push/") {
		return out
	}
	return append(out, Finding{Problem: PushURLInManifest, Container: container, Field: field, Text: pusher.Redact(s)})
}
