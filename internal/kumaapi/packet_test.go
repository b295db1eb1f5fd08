package kumaapi

import (
	"encoding/json"
	"testing"
)

// TestPacketNamespace: a packet of another socket.io namespace is ignored;
// one that names "/" explicitly is the default namespace's. Mutation
// caught: `nsp == "/"` (the own namespace ignored, others taken).
func TestPacketNamespace(t *testing.T) {
	for _, tc := range []struct {
		packet  string
		version string // "" when the packet must be ignored
	}{
		{`2["info",{"version":"1.23.0"}]`, "1.23.0"},
		{`2/,["info",{"version":"2.0.0"}]`, "2.0.0"},
		{`2/admin,["info",{"version":"9.9.9"}]`, ""},
	} {
		c := &Client{acks: map[int]chan []json.RawMessage{}, events: map[string]json.RawMessage{},
			counts: map[string]int{}, changed: make(chan struct{})}
		if err := c.packet([]byte(tc.packet)); err != nil {
			t.Errorf("%s: %v", tc.packet, err)
		}
		if c.version != tc.version || (c.counts["info"] == 1) != (tc.version != "") {
			t.Errorf("%s: version %q, %d info events; want %q", tc.packet, c.version, c.counts["info"], tc.version)
		}
	}
}
