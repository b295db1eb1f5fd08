package kube

import (
	"encoding/json"
	"fmt"

	"github.com/opkuma/opkuma/pusher"
	"sigs.k8s.io/yaml"
)

// Format is how a manifest is written.
type Format int

// The formats kubectl apply -f reads.
const (
	YAML Format = iota
	JSON
)

// Push is a CronJob and its monitor's push URL. The URL is a secret: a
// Push prints as the monitor name and a redacted URL.
type Push struct {
	Job *CronJob
	URL string
}

// String returns the monitor name and the URL redacted.
func (p Push) String() string {
	return p.Job.MonitorName() + " " + pusher.Redact(p.URL)
}

// GoString is String, so that %#v does not print the URL either.
func (p Push) GoString() string { return "kube.Push{" + p.String() + "}" }

// SecretKey is the key of the Secret's data that holds the push URL: a
// pod reads it as a file (volume) or variable (secretKeyRef).
const SecretKey = "url"

// ManagedBy is the app.kubernetes.io/managed-by label of the Secrets.
const ManagedBy = "opkuma"

// SecretName returns the name of the Secret that holds c's push URL:
// opkuma-NAME.
func (c *CronJob) SecretName() string { return "opkuma-" + c.Name }

type secret struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string            `json:"name"`
		Namespace string            `json:"namespace"`
		Labels    map[string]string `json:"labels"`
	} `json:"metadata"`
	Type       string            `json:"type"`
	StringData map[string]string `json:"stringData"`
}

type list struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Items      []secret `json:"items"`
}

func newSecret(p Push) (secret, error) {
	if err := p.Job.checkNames(); err != nil {
		return secret{}, err
	}
	if _, err := pusher.ParseEndpoint(p.URL); err != nil {
		// ParseEndpoint's errors never hold the token.
		return secret{}, fmt.Errorf("kube: push url for %s: %w", p.Job.MonitorName(), err)
	}
	var s secret
	s.APIVersion, s.Kind, s.Type = "v1", "Secret", "Opaque"
	s.Metadata.Name = p.Job.SecretName()
	s.Metadata.Namespace = p.Job.Namespace
	s.Metadata.Labels = map[string]string{"app.kubernetes.io/managed-by": ManagedBy}
	s.StringData = map[string]string{SecretKey: p.URL}
	return s, nil
}

// SecretManifest returns a v1 Secret for kubectl apply -f: named
// SecretName, in the CronJob's namespace, of type Opaque, labelled
// managed by opkuma, whose stringData holds the push URL under
// SecretKey. Its errors: a *NameError, or pusher's error for a URL that
// is not a push URL (which never holds the token).
func SecretManifest(p Push, f Format) ([]byte, error) {
	s, err := newSecret(p)
	if err != nil {
		return nil, err
	}
	return marshal(s, f)
}

// SecretList returns the Secrets of SecretManifest for several CronJobs,
// as one v1 List. Its errors are SecretManifest's, for the first Push
// that fails.
func SecretList(ps []Push, f Format) ([]byte, error) {
	l := list{APIVersion: "v1", Kind: "List", Items: []secret{}}
	for _, p := range ps {
		s, err := newSecret(p)
		if err != nil {
			return nil, err
		}
		l.Items = append(l.Items, s)
	}
	return marshal(l, f)
}

func marshal(v any, f Format) ([]byte, error) {
	if f == JSON {
		b, err := json.MarshalIndent(v, "", "    ")
		return append(b, '\n'), err
	}
	return yaml.Marshal(v)
}
