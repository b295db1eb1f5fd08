package kumaapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Monitor is what opkuma reads of a monitor; GetMonitor keeps every other
// field too, for EditMonitor.
type Monitor struct {
	ID            int
	Name          string
	Type          string // "push" for a Push monitor
	Active        bool   // false: paused (itself or its group)
	GroupPaused   bool   // inactive because a group it is in is paused
	Interval      int    // seconds
	RetryInterval int    // seconds
	MaxRetries    int
	PushToken     string
	Description   string
	Maintenance   bool // in one of Uptime Kuma's maintenance windows when the list was sent
	Tags          []Tag

	raw map[string]json.RawMessage
}

// Tag is a tag, or a tag on a monitor (then with its value).
type Tag struct {
	ID    int    // the tag's id
	Name  string `json:"name"`
	Color string `json:"color"`
	Value string `json:"value"`
}

// UnmarshalJSON reads a tag from getTags (id) or from a monitor (tag_id).
func (t *Tag) UnmarshalJSON(b []byte) error {
	var v struct {
		ID    flexInt `json:"id"`
		TagID flexInt `json:"tag_id"`
		Name  *string `json:"name"`
		Color *string `json:"color"`
		Value *string `json:"value"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*t = Tag{ID: int(v.ID), Name: deref(v.Name), Color: deref(v.Color), Value: deref(v.Value)}
	if v.TagID != 0 {
		t.ID = int(v.TagID)
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// HasTag reports whether m carries the tag named name.
func (m Monitor) HasTag(name string) bool {
	for _, t := range m.Tags {
		if t.Name == name {
			return true
		}
	}
	return false
}

func decodeMonitor(b json.RawMessage) (Monitor, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || raw == nil {
		return Monitor{}, &ProtocolError{Msg: fmt.Sprintf("a monitor that is not a JSON object: %.60q", b)}
	}
	var v struct {
		ID            flexInt  `json:"id"`
		Name          *string  `json:"name"`
		Type          *string  `json:"type"`
		Active        flexBool `json:"active"`
		ForceInactive flexBool `json:"forceInactive"`
		Interval      flexInt  `json:"interval"`
		RetryInterval flexInt  `json:"retryInterval"`
		MaxRetries    flexInt  `json:"maxretries"`
		PushToken     *string  `json:"pushToken"`
		Description   *string  `json:"description"`
		Maintenance   flexBool `json:"maintenance"`
		Tags          []Tag    `json:"tags"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return Monitor{}, &ProtocolError{Msg: "a monitor Uptime Kuma sent: " + err.Error()}
	}
	return Monitor{
		ID: int(v.ID), Name: deref(v.Name), Type: deref(v.Type), Active: bool(v.Active), GroupPaused: bool(v.ForceInactive),
		Interval: int(v.Interval), RetryInterval: int(v.RetryInterval), MaxRetries: int(v.MaxRetries),
		PushToken: deref(v.PushToken), Description: deref(v.Description), Maintenance: bool(v.Maintenance),
		Tags: v.Tags, raw: raw,
	}, nil
}

// flexInt reads a JSON number, a numeric string or null (0): SQLite hands
// back what was stored.
type flexInt int64

func (n *flexInt) UnmarshalJSON(b []byte) error {
	b = bytes.Trim(b, `"`)
	if string(b) == "null" || len(b) == 0 {
		*n = 0
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("want a number, got %.20s", b)
	}
	*n = flexInt(f)
	return nil
}

// flexBool reads true/false, 1/0 or null (false).
type flexBool bool

func (v *flexBool) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "true", "1", `"1"`:
		*v = true
	case "false", "0", `"0"`, "null":
		*v = false
	default:
		return fmt.Errorf("want a boolean, got %.20s", b)
	}
	return nil
}
