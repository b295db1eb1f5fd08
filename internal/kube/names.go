package kube

import (
	"errors"
	"fmt"
	"regexp"
	"sync"
)

// NameError is a name Kubernetes rejects.
type NameError struct {
	Field  string // metadata.name or metadata.namespace
	Name   string
	Reason string
}

// Error says what is wrong, and with what.
func (e *NameError) Error() string {
	return fmt.Sprintf("kube: %s %q: %s", e.Field, e.Name, e.Reason)
}

// DNS-1123 names, as k8s.io/apimachinery/pkg/util/validation reads them,
// compiled when first used: not in every opkuma run's start-up.
var (
	dns1123Label     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`) })
	dns1123Subdomain = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	})
)

// maxCronJobName is the longest name Kubernetes takes for a new CronJob:
// a Job name (63) less the 11 characters of the suffix the controller
// appends (pkg/apis/batch/validation ValidateCronJobCreate).
const maxCronJobName = 52

// checkNames returns a *NameError for a name or namespace Kubernetes
// rejects: a name must be a DNS-1123 subdomain of at most 52 characters,
// a namespace a DNS-1123 label.
func (c *CronJob) checkNames() error {
	switch {
	case c.Name == "":
		return &NameError{"metadata.name", c.Name, "required"}
	case len(c.Name) > maxCronJobName:
		return &NameError{"metadata.name", c.Name, fmt.Sprintf("must be no more than %d characters", maxCronJobName)}
	case !dns1123Subdomain().MatchString(c.Name):
		return &NameError{"metadata.name", c.Name, "must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit"}
	case len(c.Namespace) > 63 || !dns1123Label().MatchString(c.Namespace):
		return &NameError{"metadata.namespace", c.Namespace, "must be a DNS-1123 label: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit"}
	}
	return nil
}

// Validate returns what Kubernetes would reject in c, joined: a
// *NameError, a *ScheduleError, a *TimeZoneError; nil when it takes it.
func (c *CronJob) Validate() error {
	var errs []error
	if err := c.checkNames(); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.cron(); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.Location(nil); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// MonitorName returns the name of c's Push monitor: NAMESPACE/NAME.
func (c *CronJob) MonitorName() string { return c.Namespace + "/" + c.Name }

// FileStem returns a file name (without extension) for c's url file:
// NAMESPACE_NAME, which no two CronJobs share since neither name holds
// "_". It returns a *NameError when a name is not what Kubernetes takes
// (which also keeps "/" and ".." out of the file name).
func (c *CronJob) FileStem() (string, error) {
	if err := c.checkNames(); err != nil {
		return "", err
	}
	return c.Namespace + "_" + c.Name, nil
}
