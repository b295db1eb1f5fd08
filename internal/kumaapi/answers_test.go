package kumaapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coder/websocket"
)

// scripted serves a socket.io stand-in (Uptime Kuma 2.x framing) whose
// answers the test gives: for each event, the Engine.IO messages to send,
// where %ACK% stands for the event's acknowledgement packet prefix
// ("43" and its id); hangUp drops the connection after them.
func scripted(t *testing.T, answer func(event string) (msgs []string, hangUp bool)) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		ctx := r.Context()
		send := func(m string) bool { return ws.Write(ctx, websocket.MessageText, []byte(m)) == nil }
		if !send(`0{"sid":"e","upgrades":[],"pingInterval":25000,"pingTimeout":20000}`) {
			return
		}
		if _, m, err := ws.Read(ctx); err != nil || string(m) != "40" {
			return
		}
		if !send(`40{"sid":"s"}`) || !send(`42["info",{"version":null}]`) {
			return
		}
		for {
			_, m, err := ws.Read(ctx)
			if err != nil || !strings.HasPrefix(string(m), "42") {
				return
			}
			rest := string(m[2:])
			i := strings.IndexByte(rest, '[')
			var args []json.RawMessage
			var event string
			if i < 0 || json.Unmarshal([]byte(rest[i:]), &args) != nil || len(args) == 0 || json.Unmarshal(args[0], &event) != nil {
				return
			}
			msgs, hangUp := answer(event)
			for _, msg := range msgs {
				if !send(strings.ReplaceAll(msg, "%ACK%", "43"+rest[:i])) {
					return
				}
			}
			if hangUp {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestLoginWaitsForMonitorList: the server sends the notification list
// and its version before the login ack (as 2.x does), then no monitor list
// and hangs up: Login must not return as logged in. Mutation caught:
// counts["monitorList"] >= 0.
func TestLoginWaitsForMonitorList(t *testing.T) {
	base := scripted(t, func(event string) ([]string, bool) {
		return []string{`42["notificationList",[]]`, `42["info",{"version":"2.0.0"}]`, `%ACK%[{"ok":true}]`}, true
	})
	c, err := Dial(testCtx(t), base, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(testCtx(t), Credentials{Username: "a", Password: "b"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Login without a monitor list: err = %v, want ErrClosed", err)
	}
}

// TestAddAnswers: the ids Add and AddTag accept from the server. Mutations
// caught: make's size hint len(fields)-1 (a panic for no fields), a
// monitorID or tag id of 0 accepted.
func TestAddAnswers(t *testing.T) {
	for _, tc := range []struct {
		tag    bool // AddTag, else Add
		answer string
		fields map[string]any
		id     int // 0: a ProtocolError
	}{
		{false, `{"ok":true,"monitorID":5}`, nil, 5},
		{false, `{"ok":true,"monitorID":1}`, map[string]any{"name": "x"}, 1},
		{false, `{"ok":true,"monitorID":0}`, nil, 0},
		{false, `{"ok":true}`, nil, 0},
		{false, `{"ok":true,"monitorID":-3}`, nil, 0},
		{true, `{"ok":true,"tag":{"id":4,"name":"t"}}`, nil, 4},
		{true, `{"ok":true,"tag":{"id":1,"name":"t"}}`, nil, 1},
		{true, `{"ok":true,"tag":{"id":0,"name":"t"}}`, nil, 0},
		{true, `{"ok":true,"tag":{"name":"t"}}`, nil, 0},
		{true, `{"ok":true}`, nil, 0},
	} {
		base := scripted(t, func(string) ([]string, bool) { return []string{`%ACK%[` + tc.answer + `]`}, false })
		c, err := Dial(testCtx(t), base, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var id int
		if tc.tag {
			var tg Tag
			tg, err = c.AddTag(testCtx(t), "t", "#fff")
			id = tg.ID
		} else {
			id, err = c.Add(testCtx(t), tc.fields)
		}
		c.Close()
		var pe *ProtocolError
		if tc.id == 0 && !errors.As(err, &pe) || tc.id != 0 && (err != nil || id != tc.id) {
			t.Errorf("answer %s (tag %v): id %d, err %v; want id %d", tc.answer, tc.tag, id, err, tc.id)
		}
	}
}
