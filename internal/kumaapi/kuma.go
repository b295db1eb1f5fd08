package kumaapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ErrTwoFactorRequired is returned by Login when the user has two-factor
// authentication on and no TOTP secret was given.
var ErrTwoFactorRequired = errors.New("two-factor authentication is on for this user: a TOTP code is needed")

// LoginError is Uptime Kuma refusing a login: wrong user or password, a
// wrong TOTP code, or too many attempts.
type LoginError struct{ Msg string }

func (e *LoginError) Error() string { return "login refused: " + e.Msg }

// ServerError is Uptime Kuma answering an event with ok: false.
type ServerError struct {
	Event string
	Msg   string
}

func (e *ServerError) Error() string { return e.Event + ": " + e.Msg }

// i18n turns the message keys 2.x sends (msgi18n: true) into the English
// text 1.23 sends.
var i18n = map[string]string{
	"authIncorrectCreds":        "Incorrect username or password.",
	"authInvalidToken":          "Invalid Token!",
	"authUserInactiveOrDeleted": "The user is inactive or deleted.",
	"successAdded":              "Added Successfully.",
}

// reply is the object Uptime Kuma acknowledges events with.
type reply struct {
	OK            bool            `json:"ok"`
	Msg           string          `json:"msg"`
	MsgI18n       bool            `json:"msgi18n"`
	TokenRequired bool            `json:"tokenRequired"`
	MonitorID     flexInt         `json:"monitorID"`
	Monitor       json.RawMessage `json:"monitor"`
	Tags          []Tag           `json:"tags"`
	Tag           *Tag            `json:"tag"`
	Data          json.RawMessage `json:"data"`
}

func (r *reply) message() string {
	if r.MsgI18n {
		if m, ok := i18n[r.Msg]; ok {
			return m
		}
	}
	if r.Msg == "" {
		return "refused, without a reason"
	}
	return r.Msg
}

// call emits event and decodes the reply object; ok: false is a
// *ServerError.
func (c *Client) call(ctx context.Context, event string, args ...any) (*reply, error) {
	raw, err := c.Call(ctx, event, args...)
	if err != nil {
		return nil, err
	}
	var r reply
	if len(raw) == 0 || json.Unmarshal(raw[0], &r) != nil {
		return nil, &ProtocolError{Msg: fmt.Sprintf("%s: Uptime Kuma's answer is not an object", event)}
	}
	if !r.OK && !r.TokenRequired {
		return &r, &ServerError{Event: event, Msg: r.message()}
	}
	return &r, nil
}

// Credentials are what Login sends.
type Credentials struct {
	Username string
	Password string
	// TOTPSecret is the two-factor secret (the key, decoded from the
	// base32 the authenticator app was given); nil: none.
	TOTPSecret []byte
	// Now is the clock for the TOTP code; nil: time.Now.
	Now func() time.Time
}

// Login logs in and returns once the server has sent what it sends after a
// login: the monitor list, the info with its version, and the notification
// list. With 2FA on and no TOTPSecret it returns ErrTwoFactorRequired.
func (c *Client) Login(ctx context.Context, cr Credentials) error {
	now := cr.Now
	if now == nil {
		now = time.Now
	}
	token := ""
	if cr.TOTPSecret != nil {
		token = TOTP(cr.TOTPSecret, now())
	}
	login := func(token string) (*reply, error) {
		return c.call(ctx, "login", map[string]string{"username": cr.Username, "password": cr.Password, "token": token})
	}
	r, err := login(token)
	var se *ServerError
	if errors.As(err, &se) && cr.TOTPSecret != nil && r != nil && r.message() == i18n["authInvalidToken"] {
		// Uptime Kuma refuses a code used for the last login (a second run
		// within 30 s) but accepts the next period's.
		r, err = login(TOTP(cr.TOTPSecret, now().Add(TOTPPeriod)))
	}
	switch {
	case errors.As(err, &se):
		return &LoginError{Msg: se.Msg}
	case err != nil:
		return err
	case r.TokenRequired:
		return ErrTwoFactorRequired
	}
	return c.wait(ctx, "the monitor list after login", func() bool {
		return c.counts["monitorList"] > 0 && c.counts["notificationList"] > 0 && c.version != ""
	})
}

// Version returns Uptime Kuma's version, as sent after login.
func (c *Client) Version() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.version
}

// Major returns the major version number, 0 when unknown.
func (c *Client) Major() int {
	n, _ := strconv.Atoi(strings.SplitN(c.Version(), ".", 2)[0])
	return n
}

// Refresh asks the server for its monitor list again (after Add, for
// Monitors to see the new monitor). The list comes before the answer.
func (c *Client) Refresh(ctx context.Context) error {
	_, err := c.call(ctx, "getMonitorList")
	return err
}

// Monitors returns the monitors of the last monitor list the server sent
// (after login, or Refresh), by id.
func (c *Client) Monitors() ([]Monitor, error) {
	c.mu.Lock()
	raw := c.events["monitorList"]
	c.mu.Unlock()
	var list map[string]json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, &ProtocolError{Msg: "the monitor list is not an object: " + err.Error()}
	}
	out := make([]Monitor, 0, len(list))
	for key, m := range list {
		mon, err := decodeMonitor(m)
		if err != nil {
			return nil, fmt.Errorf("monitor %s: %w", key, err)
		}
		out = append(out, mon)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// DefaultNotifications returns the ids of the notifications marked
// "Default enabled", which Uptime Kuma's UI turns on for a new monitor.
func (c *Client) DefaultNotifications() ([]int, error) {
	c.mu.Lock()
	raw := c.events["notificationList"]
	c.mu.Unlock()
	var list []struct {
		ID        flexInt  `json:"id"`
		IsDefault flexBool `json:"isDefault"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, &ProtocolError{Msg: "the notification list is not an array: " + err.Error()}
	}
	var ids []int
	for _, n := range list {
		if n.IsDefault {
			ids = append(ids, int(n.ID))
		}
	}
	sort.Ints(ids)
	return ids, nil
}

// Add creates a monitor from fields (as Uptime Kuma's UI sends them) and
// returns its id. On 2.x it adds conditions: [] unless given.
func (c *Client) Add(ctx context.Context, fields map[string]any) (int, error) {
	m := make(map[string]any, len(fields)+1)
	for k, v := range fields {
		m[k] = v
	}
	if _, ok := m["conditions"]; !ok && c.Major() >= 2 {
		m["conditions"] = []any{}
	}
	r, err := c.call(ctx, "add", m)
	if err != nil {
		return 0, err
	}
	if r.MonitorID <= 0 {
		return 0, &ProtocolError{Msg: "add: Uptime Kuma's answer has no monitorID"}
	}
	return int(r.MonitorID), nil
}

// GetMonitor returns the monitor id as the server has it now.
func (c *Client) GetMonitor(ctx context.Context, id int) (Monitor, error) {
	r, err := c.call(ctx, "getMonitor", id)
	if err != nil {
		return Monitor{}, err
	}
	m, err := decodeMonitor(r.Monitor)
	if err != nil {
		return Monitor{}, fmt.Errorf("getMonitor: %w", err)
	}
	if m.ID != id {
		return Monitor{}, &ProtocolError{Msg: fmt.Sprintf("getMonitor %d: got monitor %d", id, m.ID)}
	}
	return m, nil
}

// EditMonitor saves m, as read by GetMonitor, with changes (field: value)
// applied: every other field goes back as it came, as Uptime Kuma's UI
// does, so notifications, tags, group and the push token stay.
func (c *Client) EditMonitor(ctx context.Context, m Monitor, changes map[string]any) error {
	if m.raw == nil {
		return errors.New("EditMonitor needs a monitor read by GetMonitor")
	}
	out := make(map[string]any, len(m.raw))
	for k, v := range m.raw {
		out[k] = v
	}
	for k, v := range changes {
		out[k] = v
	}
	_, err := c.call(ctx, "editMonitor", out)
	return err
}

// Resume resumes the paused monitor id, as the UI's Resume button does
// (an edit leaves a paused monitor paused). A monitor in a paused group
// stays inactive until the group is resumed.
func (c *Client) Resume(ctx context.Context, id int) error {
	_, err := c.call(ctx, "resumeMonitor", id)
	return err
}

// Tags returns every tag defined on the server.
func (c *Client) Tags(ctx context.Context) ([]Tag, error) {
	r, err := c.call(ctx, "getTags")
	if err != nil {
		return nil, err
	}
	return r.Tags, nil
}

// AddTag defines a tag and returns it.
func (c *Client) AddTag(ctx context.Context, name, color string) (Tag, error) {
	r, err := c.call(ctx, "addTag", map[string]string{"name": name, "color": color})
	if err != nil {
		return Tag{}, err
	}
	if r.Tag == nil || r.Tag.ID <= 0 {
		return Tag{}, &ProtocolError{Msg: "addTag: Uptime Kuma's answer has no tag id"}
	}
	return *r.Tag, nil
}

// AddMonitorTag puts the tag tagID, with value, on the monitor monitorID.
func (c *Client) AddMonitorTag(ctx context.Context, tagID, monitorID int, value string) error {
	_, err := c.call(ctx, "addMonitorTag", tagID, monitorID, value)
	return err
}

// Beat is one heartbeat of a monitor as Uptime Kuma stored it.
type Beat struct {
	Time   time.Time // by the server's clock, in UTC
	Status int       // 0 down, 1 up, 2 pending, 3 maintenance
	Msg    string
}

// Beats returns the heartbeats the monitor id got in the last period
// (rounded up to whole hours, as getMonitorBeats takes it; 1.23 and 2.x
// alike), oldest first.
func (c *Client) Beats(ctx context.Context, id int, period time.Duration) ([]Beat, error) {
	hours := int64((period + time.Hour - 1) / time.Hour)
	if hours < 1 {
		hours = 1
	}
	r, err := c.call(ctx, "getMonitorBeats", id, hours)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Time   string  `json:"time"`
		Status flexInt `json:"status"`
		Msg    *string `json:"msg"`
	}
	if err := json.Unmarshal(r.Data, &rows); err != nil {
		return nil, &ProtocolError{Msg: fmt.Sprintf("getMonitorBeats %d: the beats are not a list: %v", id, err)}
	}
	out := make([]Beat, 0, len(rows))
	for _, b := range rows {
		t, err := beatTime(b.Time)
		if err != nil {
			return nil, &ProtocolError{Msg: fmt.Sprintf("getMonitorBeats %d: %v", id, err)}
		}
		out = append(out, Beat{Time: t, Status: int(b.Status), Msg: deref(b.Msg)})
	}
	return out, nil
}

// beatTime reads a heartbeat's time: UTC, as SQLite holds it
// ("2026-12-06 07:18:00.123", older rows without the milliseconds), or
// RFC 3339 (MariaDB's rows through JSON).
func beatTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse("2006-01-02 15:04:05.999999999", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("a heartbeat time that does not read: %.40q", s)
	}
	return t, nil
}
