package realkuma

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Monitor is a push monitor added with AddMonitor.
type Monitor struct {
	ID        int    `json:"monitorID"`
	PushToken string `json:"pushToken"`
}

// Ctl runs scripts/realkuma/kuma-ctl.js against the server (login as the
// setup's admin over socket.io) and returns its stdout. Commands: add JSON,
// add-many N JSON, pause ID, resume ID, delete ID, addnotif JSON, delnotif ID, maint ID,
// delmaint ID (see kuma-ctl.js).
func (s *Server) Ctl(args ...string) (string, error) {
	dir, err := ScriptsDir()
	if err != nil {
		return "", err
	}
	full := append([]string{filepath.Join(dir, "kuma-ctl.js"), s.URL, s.Install.SetupResultFile()}, args...)
	cmd := exec.Command("node", full...)
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(s.Install.Dir, "src", "node_modules"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("kuma-ctl %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

func (s *Server) ctlJSON(v any, args ...string) error {
	out, err := s.Ctl(args...)
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		return fmt.Errorf("kuma-ctl %s: %w: %q", args[0], err, out)
	}
	return nil
}

// AddMonitor adds a push monitor with a new 32-character token. fields
// override kuma-ctl's defaults (type push, interval 3600, maxretries 0,
// no notification), e.g. {"name": "x", "notificationIDList": {"1": true}}.
func (s *Server) AddMonitor(fields map[string]any) (Monitor, error) {
	b, err := monitorFields(fields)
	if err != nil {
		return Monitor{}, err
	}
	var m Monitor
	err = s.ctlJSON(&m, "add", string(b))
	return m, err
}

// AddMonitors adds n push monitors named "NAME I" (fields as for
// AddMonitor) over one login, in the order of the result.
func (s *Server) AddMonitors(n int, fields map[string]any) ([]Monitor, error) {
	b, err := monitorFields(fields)
	if err != nil {
		return nil, err
	}
	var ms []Monitor
	if err := s.ctlJSON(&ms, "add-many", strconv.Itoa(n), string(b)); err != nil {
		return nil, err
	}
	if len(ms) != n {
		return nil, fmt.Errorf("kuma-ctl add-many %d: added %d", n, len(ms))
	}
	return ms, nil
}

// monitorFields is fields as kuma-ctl's JSON, named "opkuma-realkuma"
// unless fields name it.
func monitorFields(fields map[string]any) ([]byte, error) {
	f := map[string]any{"name": "opkuma-realkuma"}
	for k, v := range fields {
		f[k] = v
	}
	return json.Marshal(f)
}

// Pause pauses the monitor id (active = 0): pushes to it are refused.
func (s *Server) Pause(id int) error { return s.ctlOK("pause", id) }

// Resume resumes the monitor id.
func (s *Server) Resume(id int) error { return s.ctlOK("resume", id) }

func (s *Server) ctlOK(cmd string, id int) error {
	var r struct {
		OK  bool   `json:"ok"`
		Msg string `json:"msg"`
	}
	if err := s.ctlJSON(&r, cmd, fmt.Sprint(id)); err != nil {
		return err
	}
	if !r.OK {
		return fmt.Errorf("kuma-ctl %s %d: %s", cmd, id, r.Msg)
	}
	return nil
}

// AddWebhook adds a webhook notification (JSON body) that posts to url,
// attached to no monitor, and returns its id.
func (s *Server) AddWebhook(url string) (int, error) {
	b, _ := json.Marshal(map[string]any{"webhookURL": url})
	var r struct {
		ID int `json:"notificationID"`
	}
	err := s.ctlJSON(&r, "addnotif", string(b))
	return r.ID, err
}

// AttachNotification attaches notification nid to monitor mid by a row in
// monitor_notification, as the UI's checkbox does; the server reads that
// table each time it notifies.
func (s *Server) AttachNotification(mid, nid int) error {
	_, err := s.Exec(fmt.Sprintf("INSERT INTO monitor_notification (monitor_id, notification_id) VALUES (%d, %d);", mid, nid))
	return err
}
