// Package kube reads Kubernetes CronJobs from manifests (what kubectl
// applies or prints) so that each can get an Uptime Kuma Push monitor:
// its schedule as the CronJob controller reads it, a monitor name, a
// Secret that hands the push URL to the pod, and the settings that would
// make its heartbeats lie.
//
// It keeps only the fields it needs in its own structs; it does not
// depend on k8s.io/api.
package kube

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/opkuma/opkuma/pusher"
	"sigs.k8s.io/yaml"
)

// CronJob is the part of a batch/v1 (or batch/v1beta1) CronJob that
// monitoring needs.
type CronJob struct {
	APIVersion string // batch/v1 or batch/v1beta1
	Name       string
	// Namespace is metadata.namespace, or "default" when the manifest
	// leaves it out (kubectl then applies it to the context's namespace,
	// which is "default" unless configured otherwise).
	Namespace string
	Schedule  string
	// TimeZone is spec.timeZone: nil when unset (the controller's own
	// zone applies), else an IANA name.
	TimeZone                *string
	Suspend                 bool
	StartingDeadlineSeconds *int64
	// ConcurrencyPolicy is Allow, Forbid or Replace; "" when unset, which
	// Kubernetes defaults to Allow.
	ConcurrencyPolicy     string
	ActiveDeadlineSeconds *int64 // of the Job template
	BackoffLimit          *int32 // of the Job template
	RestartPolicy         string // of the pod template
	Containers            []Container
}

// Container is one container of a CronJob's pod template.
type Container struct {
	Name, Image string
	Command     []string // replaces the image's ENTRYPOINT; empty: the image's
	Args        []string // replaces the image's CMD
	Env         []EnvVar // literal values only (valueFrom is left out)
}

// EnvVar is a container's environment variable set to a literal value.
type EnvVar struct {
	Name, Value string
}

// Skipped is an object of a manifest that is not a CronJob Read knows.
type Skipped struct {
	Doc        int // 1-based number of the document (YAML) or value (JSON)
	APIVersion string
	Kind       string
	Namespace  string
	Name       string
}

// ReadError is returned by Read for a document it cannot decode.
type ReadError struct {
	Doc int // 1-based number of the document (YAML) or value (JSON)
	Err error
}

// Error returns the document number and the decoder's message, push
// tokens redacted.
func (e *ReadError) Error() string {
	// Redacted: a decoder's message might quote a push URL from the text.
	return pusher.Redact(fmt.Sprintf("kube: document %d: %v", e.Doc, e.Err))
}

// Unwrap returns the decoder's error.
func (e *ReadError) Unwrap() error { return e.Err }

// object holds the fields Read looks at, in the manifest's shape.
type object struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
	Items []json.RawMessage `json:"items"`
	Spec  struct {
		Schedule                string  `json:"schedule"`
		TimeZone                *string `json:"timeZone"`
		Suspend                 *bool   `json:"suspend"`
		StartingDeadlineSeconds *int64  `json:"startingDeadlineSeconds"`
		ConcurrencyPolicy       string  `json:"concurrencyPolicy"`
		JobTemplate             struct {
			Spec struct {
				ActiveDeadlineSeconds *int64 `json:"activeDeadlineSeconds"`
				BackoffLimit          *int32 `json:"backoffLimit"`
				Template              struct {
					Spec struct {
						RestartPolicy string `json:"restartPolicy"`
						Containers    []struct {
							Name    string   `json:"name"`
							Image   string   `json:"image"`
							Command []string `json:"command"`
							Args    []string `json:"args"`
							Env     []struct {
								Name  string `json:"name"`
								Value string `json:"value"`
							} `json:"env"`
						} `json:"containers"`
					} `json:"spec"`
				} `json:"template"`
			} `json:"spec"`
		} `json:"jobTemplate"`
	} `json:"spec"`
}

// Read returns the CronJobs in a manifest: JSON (one or more values) or
// YAML (documents separated by ---), each a CronJob or a list of objects
// (kind List, as kubectl get prints, or CronJobList). Other objects, and
// CronJobs of API versions other than batch/v1 and batch/v1beta1, are
// returned as skipped. Its error is a *ReadError for a document that is
// not JSON or YAML or whose fields have the wrong types.
func Read(r io.Reader) ([]CronJob, []Skipped, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("kube: %w", err)
	}
	docs, err := documents(data)
	if err != nil {
		return nil, nil, err
	}
	var jobs []CronJob
	var skipped []Skipped
	for i, doc := range docs {
		if err := collect(doc, i+1, "", "", &jobs, &skipped); err != nil {
			return nil, nil, &ReadError{Doc: i + 1, Err: err}
		}
	}
	return jobs, skipped, nil
}

// documents splits data into JSON values: a stream of JSON values when
// it starts with {, else YAML documents converted to JSON (empty ones
// dropped).
func documents(data []byte) ([]json.RawMessage, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if bytes.HasPrefix(trimmed, []byte("{")) {
		var out []json.RawMessage
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		for {
			var v json.RawMessage
			if err := dec.Decode(&v); err == io.EOF {
				return out, nil
			} else if err != nil {
				return nil, &ReadError{Doc: len(out) + 1, Err: err}
			}
			out = append(out, v)
		}
	}
	var out []json.RawMessage
	for i, doc := range splitYAML(data) {
		j, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, &ReadError{Doc: i + 1, Err: err}
		}
		if t := bytes.TrimSpace(j); len(t) == 0 || bytes.Equal(t, []byte("null")) {
			continue
		}
		out = append(out, j)
	}
	return out, nil
}

// splitYAML cuts a YAML stream at its document separators: lines that
// start with --- followed by nothing or a comment, as
// k8s.io/apimachinery/pkg/util/yaml's YAMLReader cuts them.
func splitYAML(data []byte) [][]byte {
	var docs [][]byte
	var cur []byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "---"); ok {
			if rest = strings.TrimSpace(rest); rest == "" || rest[0] == '#' {
				docs = append(docs, cur)
				cur = nil
				continue
			}
		}
		cur = append(cur, line...)
		cur = append(cur, '\n')
	}
	return append(docs, cur)
}

// collect adds the CronJob in raw, or the CronJobs of the list in it, to
// jobs, and what else it holds to skipped. apiVersion and kind are the
// defaults a typed list (CronJobList) gives its items, which leave them
// out.
func collect(raw json.RawMessage, doc int, apiVersion, kind string, jobs *[]CronJob, skipped *[]Skipped) error {
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] != '{' {
		return errors.New("not a Kubernetes object: want a mapping with apiVersion and kind")
	}
	var o object
	if err := json.Unmarshal(raw, &o); err != nil {
		return err
	}
	if o.APIVersion == "" {
		o.APIVersion = apiVersion
	}
	if o.Kind == "" {
		o.Kind = kind
	}
	if itemKind, ok := strings.CutSuffix(o.Kind, "List"); ok && o.Items != nil {
		for _, item := range o.Items {
			if err := collect(item, doc, o.APIVersion, itemKind, jobs, skipped); err != nil {
				return err
			}
		}
		return nil
	}
	if o.Kind != "CronJob" || o.APIVersion != "batch/v1" && o.APIVersion != "batch/v1beta1" {
		*skipped = append(*skipped, Skipped{Doc: doc, APIVersion: o.APIVersion, Kind: o.Kind, Namespace: o.Metadata.Namespace, Name: o.Metadata.Name})
		return nil
	}
	*jobs = append(*jobs, o.cronJob())
	return nil
}

// cronJob returns the CronJob o describes.
func (o *object) cronJob() CronJob {
	s := &o.Spec
	js := &s.JobTemplate.Spec
	c := CronJob{
		APIVersion:              o.APIVersion,
		Name:                    o.Metadata.Name,
		Namespace:               o.Metadata.Namespace,
		Schedule:                s.Schedule,
		TimeZone:                s.TimeZone,
		Suspend:                 s.Suspend != nil && *s.Suspend,
		StartingDeadlineSeconds: s.StartingDeadlineSeconds,
		ConcurrencyPolicy:       s.ConcurrencyPolicy,
		ActiveDeadlineSeconds:   js.ActiveDeadlineSeconds,
		BackoffLimit:            js.BackoffLimit,
		RestartPolicy:           js.Template.Spec.RestartPolicy,
	}
	if c.Namespace == "" {
		c.Namespace = "default"
	}
	for _, k := range js.Template.Spec.Containers {
		ct := Container{Name: k.Name, Image: k.Image, Command: k.Command, Args: k.Args}
		for _, e := range k.Env {
			ct.Env = append(ct.Env, EnvVar{Name: e.Name, Value: e.Value})
		}
		c.Containers = append(c.Containers, ct)
	}
	return c
}

// NoCronJobsError is ReadFile's error for input that holds no CronJob.
type NoCronJobsError struct {
	Name    string
	Skipped int // the objects it holds
}

// Error names the input and says how many other objects it holds.
func (e *NoCronJobsError) Error() string {
	return fmt.Sprintf("kube: %s: no batch/v1 CronJob in it (%d other objects)", e.Name, e.Skipped)
}

// ReadFile is Read of the file name, or of stdin when name is "-". Its
// errors: the *fs.PathError of opening or reading the file, Read's
// (named after name), a *NoCronJobsError when it holds no CronJob.
func ReadFile(name string, stdin io.Reader) ([]CronJob, []Skipped, error) {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, nil, err
		}
		defer f.Close()
		r = f
	}
	jobs, skipped, err := Read(r)
	var re *ReadError
	switch {
	case errors.As(err, &re):
		return nil, nil, fmt.Errorf("kube: %s: document %d: %w", name, re.Doc, redacted{re.Err})
	case err != nil:
		return nil, nil, errors.Unwrap(err) // Read's "kube: " wrap of the reader's error
	case len(jobs) == 0:
		return nil, nil, &NoCronJobsError{Name: name, Skipped: len(skipped)}
	}
	return jobs, skipped, nil
}

// redacted is an error whose message has push tokens hidden.
type redacted struct{ err error }

func (r redacted) Error() string { return pusher.Redact(r.err.Error()) }
func (r redacted) Unwrap() error { return r.err }
