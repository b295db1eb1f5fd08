package kumaapi

import (
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
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
		c := newTestClient()
		if err := c.packet([]byte(tc.packet)); err != nil {
			t.Errorf("%s: %v", tc.packet, err)
		}
		if c.version != tc.version || (c.counts["info"] == 1) != (tc.version != "") {
			t.Errorf("%s: version %q, %d info events; want %q", tc.packet, c.version, c.counts["info"], tc.version)
		}
	}
}

func newTestClient() *Client {
	return &Client{acks: map[int]chan []json.RawMessage{}, events: map[string]json.RawMessage{},
		counts: map[string]int{}, changed: make(chan struct{})}
}

// TestPacketAck: an acknowledgement goes to the call whose id it carries,
// and to none when it carries none. Mutations caught: an ack without id
// given to call 0 (Atoi("")) or to call 1 (id starting at 1), the digit 9
// not read as part of the id, the id read past the packet's end.
func TestPacketAck(t *testing.T) {
	for _, tc := range []struct {
		packet string
		to     int // the call that gets the ack; -1: none
		err    bool
	}{
		{`3["x"]`, -1, false},
		{`30["x"]`, 0, false},
		{`31["x"]`, 1, false},
		{`39["x"]`, 9, false},
		{`312["x"]`, 12, false},
		{`3/,9["x"]`, 9, false},
		{`31`, -1, true}, // an id, then nothing
		{`3`, -1, true},
	} {
		c := newTestClient()
		for _, id := range []int{0, 1, 9, 12} {
			c.acks[id] = make(chan []json.RawMessage, 1)
		}
		chans := maps.Clone(c.acks)
		err := c.packet([]byte(tc.packet))
		var pe *ProtocolError
		if tc.err != errors.As(err, &pe) {
			t.Errorf("%s: err = %v, want a ProtocolError: %v", tc.packet, err, tc.err)
		}
		for id, ch := range chans {
			select {
			case args := <-ch:
				if id != tc.to || len(args) != 1 || string(args[0]) != `"x"` {
					t.Errorf("%s: call %d got %s", tc.packet, id, args)
				}
			default:
				if id == tc.to {
					t.Errorf("%s: call %d got nothing", tc.packet, id)
				}
			}
		}
	}
}

// TestPacketKinds: packets with no data after their type, and events with
// and without an argument. Mutations caught: the namespace test or the
// event's first argument read past the end.
func TestPacketKinds(t *testing.T) {
	for _, tc := range []struct {
		packet    string
		err       bool
		connected bool
		event     string // its name and first argument, name=arg
	}{
		{`0`, false, true, ""},
		{`0{"sid":"x"}`, false, true, ""},
		{`2`, true, false, ""},
		{`2[]`, true, false, ""},
		{`2[1]`, true, false, ""},
		{`2["ping"]`, false, false, "ping="},
		{`2["e",{"a":1},2]`, false, false, `e={"a":1}`},
		{`21["e",3]`, false, false, `e=3`},
		{`1`, true, false, ""},
		{`4{"message":"no"}`, true, false, ""},
		{``, false, false, ""},
	} {
		c := newTestClient()
		err := c.packet([]byte(tc.packet))
		if (err != nil) != tc.err || c.connected != tc.connected {
			t.Errorf("%q: err %v connected %v, want error %v connected %v", tc.packet, err, c.connected, tc.err, tc.connected)
		}
		var got string
		for name, arg := range c.events {
			got = name + "=" + string(arg)
			if c.counts[name] != 1 {
				t.Errorf("%q: %d %s events", tc.packet, c.counts[name], name)
			}
		}
		if len(c.events) > 1 || got != tc.event {
			t.Errorf("%q: events %q, want %q", tc.packet, c.events, tc.event)
		}
	}
}

// TestStopKeepsFirst: the first reason the connection ended is the one
// told; before any, ErrClosed. Mutations caught: == / != swapped in stop
// and closedErr.
func TestStopKeepsFirst(t *testing.T) {
	c := newTestClient()
	if err := c.closedErr(); err != ErrClosed {
		t.Errorf("no reason yet: %v, want ErrClosed", err)
	}
	first, second := errors.New("first"), errors.New("second")
	c.stop(first)
	c.stop(second)
	if err := c.closedErr(); err != first {
		t.Errorf("closedErr = %v, want %v", err, first)
	}
}

// TestHandshakeErrorText: an HTTP status is told with the URL; without
// one, the cause without the url.Error wrapping. Mutation caught:
// Status != 0 negated.
func TestHandshakeErrorText(t *testing.T) {
	cause := errors.New("connection refused")
	for _, tc := range []struct {
		err  HandshakeError
		want string
	}{
		{HandshakeError{URL: "ws://k/socket.io/", Status: 404, Err: cause}, "ws://k/socket.io/ answered HTTP 404, not a WebSocket"},
		{HandshakeError{URL: "ws://k/socket.io/", Err: &url.Error{Op: "Get", URL: "ws://k", Err: cause}}, "connection refused"},
		{HandshakeError{URL: "ws://k/socket.io/", Err: cause}, "connection refused"},
	} {
		if got := tc.err.Error(); !strings.HasPrefix(got, tc.want) {
			t.Errorf("%+v: %q, want %q...", tc.err, got, tc.want)
		}
	}
}

// TestDialUserAgent: Options.UserAgent is the handshake's User-Agent.
// Mutation caught: the header set only when UserAgent is empty.
func TestDialUserAgent(t *testing.T) {
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" { // not Dial's probe after the failure
			got <- r.Header.Get("User-Agent")
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	for _, ua := range []string{"opkuma/9", ""} {
		_, err := Dial(testCtx(t), srv.URL, Options{UserAgent: ua})
		var he *HandshakeError
		if !errors.As(err, &he) || he.Status != http.StatusNotFound {
			t.Fatalf("Dial: %v, want HandshakeError 404", err)
		}
		switch sent := <-got; {
		case ua != "" && sent != ua:
			t.Errorf("UserAgent %q: sent %q", ua, sent)
		case ua == "" && sent == "":
			t.Errorf("no UserAgent: none sent, want Go's default")
		}
	}
}
