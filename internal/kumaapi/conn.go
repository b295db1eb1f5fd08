// Package kumaapi talks to Uptime Kuma's socket.io API, the one its web UI
// uses: Uptime Kuma has no REST API to manage monitors in any release. It
// speaks Socket.IO 5 over Engine.IO 4 on a WebSocket (the only transport
// Uptime Kuma's UI uses, so any proxy in front of Uptime Kuma passes it),
// and offers the few events opkuma needs: login (with a TOTP code when
// two-factor authentication is on), the monitor list sent after login, and
// add, getMonitor, editMonitor, resumeMonitor, getMonitorBeats and the
// tag events. (The heartbeatList events both versions send after login
// are not waited for: they come after the login's answer, one per
// monitor, with no end marker; getMonitorBeats answers one monitor's beats
// over a period, acknowledged, in 1.23 and 2.x alike.)
//
// It works with Uptime Kuma 1.23.x and 2.x. Two differences matter: 2.x
// registers its event handlers only after it has sent "info" to a new
// connection (an event sent before is dropped), so Dial waits for "info";
// and 2.x requires a monitor's conditions (Add sends [] for it).
package kumaapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Options are Dial's settings; the zero value works.
type Options struct {
	// HTTPClient makes the WebSocket handshake (e.g. one trusting a private
	// CA); nil: http.DefaultClient.
	HTTPClient *http.Client
	// UserAgent is sent in the handshake; empty: none.
	UserAgent string
}

// ErrClosed is returned by calls on a connection that has ended.
var ErrClosed = errors.New("connection to Uptime Kuma closed")

// ProtocolError is an answer that is not what an Uptime Kuma server sends:
// the address is probably not Uptime Kuma's.
type ProtocolError struct{ Msg string }

func (e *ProtocolError) Error() string { return e.Msg }

// HandshakeError is a failed WebSocket handshake with the socket.io URL:
// an HTTP answer other than an upgrade, or none (Uptime Kuma closes an
// upgrade to a path it does not serve without a word: EOF). Dial then asks
// the same URL once more with a plain GET of Engine.IO's polling transport,
// whose answer tells a wrong address (an HTML page, a 404) from a reverse
// proxy that does not pass WebSocket upgrades (an Engine.IO handshake).
type HandshakeError struct {
	URL    string // the socket.io URL asked, without its query
	Base   string // the Uptime Kuma address it was made from
	Status int    // the upgrade's HTTP status, 0 when none came
	Err    error
	// Polling is what the plain GET answered, for the user ("an HTML page
	// (HTTP 200)", "HTTP 404"); "": no answer came.
	Polling string
	// SocketIO: the plain GET answered an Engine.IO handshake, so
	// socket.io is there and only the WebSocket upgrade failed.
	SocketIO bool
}

func (e *HandshakeError) Error() string {
	switch {
	case e.SocketIO:
		return fmt.Sprintf("%s answers socket.io over HTTP, but its WebSocket upgrade failed (%s): the reverse proxy in front of Uptime Kuma must pass WebSocket upgrades (the Upgrade and Connection headers)", e.URL, e.cause())
	case e.Polling != "":
		return fmt.Sprintf("no socket.io at %s: it answers %s: %s", e.URL, e.Polling, baseHint(e.Base))
	case e.Status != 0:
		return fmt.Sprintf("%s answered HTTP %d, not a WebSocket: is this Uptime Kuma's address (with its path prefix, if any)?", e.URL, e.Status)
	}
	return e.cause()
}

// cause is the upgrade's failure: its status, or its error without the
// HTTP client's `Get "URL":`, which says nothing more.
func (e *HandshakeError) cause() string {
	if e.Status != 0 {
		return fmt.Sprintf("HTTP %d", e.Status)
	}
	var ue *url.Error
	if errors.As(e.Err, &ue) {
		return ue.Err.Error()
	}
	return e.Err.Error()
}

// baseHint asks whether Uptime Kuma is at base, the likely mistake being
// a page's address (the dashboard's) given for Uptime Kuma's.
func baseHint(base string) string {
	if i := strings.Index(base, "/dashboard"); i > 0 {
		return fmt.Sprintf("is Uptime Kuma at %s? try %s, without /dashboard", base, base[:i])
	}
	return fmt.Sprintf("is Uptime Kuma at %s? try the address you open in the browser, without /dashboard", base)
}

func (e *HandshakeError) Unwrap() error { return e.Err }

// Client is one logged-in (or not yet) socket.io connection to Uptime
// Kuma. Its methods may be called from several goroutines.
type Client struct {
	ws     *websocket.Conn
	cancel context.CancelFunc
	done   chan struct{} // closed when the reader has stopped

	mu        sync.Mutex
	err       error // why the reader stopped
	connected bool  // the server answered the socket.io CONNECT
	nextID    int
	acks      map[int]chan []json.RawMessage
	events    map[string]json.RawMessage // last first argument of each event
	counts    map[string]int             // how many of each event came
	version   string                     // from the last "info" that had one
	changed   chan struct{}              // closed and replaced on every event
}

// socketIOURL returns the WebSocket URL of the socket.io endpoint under
// base (prefix + /socket.io/).
func socketIOURL(base string) (string, error) {
	u, err := ParseBaseURL(base)
	if err != nil {
		return "", err
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/socket.io/"
	u.RawPath = ""
	u.RawQuery = "EIO=4&transport=websocket"
	return u.String(), nil
}

// ParseBaseURL checks an Uptime Kuma address: http or https, a host, an
// optional path prefix, no query, fragment or user info. The returned URL
// has no trailing slash.
func ParseBaseURL(base string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(base))
	if err != nil {
		return nil, fmt.Errorf("%q: not a URL: %w", base, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("%q: want an http:// or https:// URL, like https://kuma.example.com", base)
	case u.Host == "":
		return nil, fmt.Errorf("%q: no host", base)
	case u.User != nil:
		return nil, fmt.Errorf("%q: no user or password in the URL, please", base)
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("%q: give Uptime Kuma's address only, without ? or #", base)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// PushURL returns the push URL of token on the Uptime Kuma at base (its
// path prefix kept), or ParseBaseURL's error.
func PushURL(base, token string) (string, error) {
	u, err := ParseBaseURL(base)
	if err != nil {
		return "", err
	}
	return u.String() + "/api/push/" + token, nil
}

// Dial connects to the Uptime Kuma at base (its address as the browser
// shows it, path prefix included) and returns once the server is ready for
// events: it has sent "info".
func Dial(ctx context.Context, base string, opts Options) (*Client, error) {
	wsURL, err := socketIOURL(base)
	if err != nil {
		return nil, err
	}
	var header http.Header
	if opts.UserAgent != "" {
		header = http.Header{"User-Agent": {opts.UserAgent}}
	}
	ws, resp, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPClient: opts.HTTPClient, HTTPHeader: header})
	if err != nil {
		he := &HandshakeError{URL: redactQuery(wsURL), Err: err}
		he.Base = strings.TrimSuffix(he.URL, "/socket.io/")
		if resp != nil {
			he.Status = resp.StatusCode
		}
		he.Polling, he.SocketIO = probe(ctx, wsURL, opts.HTTPClient, header)
		return nil, he
	}
	ws.SetReadLimit(64 << 20) // the monitor list of a big install is megabytes
	_, open, err := ws.Read(ctx)
	if err != nil {
		ws.CloseNow()
		return nil, fmt.Errorf("reading the Engine.IO handshake: %w", err)
	}
	if len(open) == 0 || open[0] != '0' || !json.Valid(open[1:]) {
		ws.CloseNow()
		return nil, &ProtocolError{Msg: fmt.Sprintf("%s: no Engine.IO 4 handshake (got %.40q): is this Uptime Kuma?", redactQuery(wsURL), open)}
	}
	rctx, cancel := context.WithCancel(context.Background())
	c := &Client{
		ws: ws, cancel: cancel, done: make(chan struct{}),
		acks: map[int]chan []json.RawMessage{}, events: map[string]json.RawMessage{},
		counts: map[string]int{}, changed: make(chan struct{}),
	}
	go c.read(rctx)
	if err := c.write(ctx, "40"); err != nil { // socket.io CONNECT to namespace /
		c.Close()
		return nil, err
	}
	// 2.x handles events only after it has sent "info"; 1.23 sends it too.
	err = c.wait(ctx, "the server's info", func() bool { return c.connected && c.counts["info"] > 0 })
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// probe GETs the socket.io URL with Engine.IO's polling transport, as a
// browser falls back to, and says what answered; socketIO: an Engine.IO
// handshake. "" when nothing answered (refused, timed out: the upgrade's
// error says it already). Redirects are not followed: an authenticating
// proxy's redirect is the answer to tell.
func probe(ctx context.Context, wsURL string, client *http.Client, header http.Header) (answer string, socketIO bool) {
	if client == nil {
		client = http.DefaultClient
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	u := strings.Replace(wsURL, "transport=websocket", "transport=polling", 1)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", false
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", false
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode == http.StatusOK && len(body) > 1 && body[0] == '0' {
		var open struct {
			SID string `json:"sid"`
		}
		if json.Unmarshal(body[1:], &open) == nil && open.SID != "" {
			return "", true
		}
	}
	ct, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";")
	switch loc := resp.Header.Get("Location"); {
	case resp.StatusCode >= 300 && resp.StatusCode < 400 && loc != "":
		return fmt.Sprintf("a redirect (HTTP %d) to %s", resp.StatusCode, redactQuery(loc)), false
	case strings.TrimSpace(ct) == "text/html":
		return fmt.Sprintf("an HTML page (HTTP %d)", resp.StatusCode), false
	case ct != "":
		return fmt.Sprintf("HTTP %d (%s)", resp.StatusCode, strings.TrimSpace(ct)), false
	}
	return fmt.Sprintf("HTTP %d", resp.StatusCode), false
}

func redactQuery(u string) string {
	s, _, _ := strings.Cut(u, "?")
	return s
}

// Close ends the connection.
func (c *Client) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = c.write(ctx, "41") // socket.io DISCONNECT
	err := c.ws.CloseNow() // a close handshake would wait for the server, up to 5 s
	c.cancel()
	<-c.done
	return err
}

func (c *Client) write(ctx context.Context, msg string) error {
	if err := c.ws.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		return fmt.Errorf("sending to Uptime Kuma: %w", err)
	}
	return nil
}

// read handles what the server sends until the connection ends.
func (c *Client) read(ctx context.Context) {
	defer close(c.done)
	for {
		typ, data, err := c.ws.Read(ctx)
		if err != nil {
			c.stop(fmt.Errorf("%w: %v", ErrClosed, err))
			return
		}
		if typ != websocket.MessageText || len(data) == 0 {
			continue // binary attachments: no event opkuma uses has any
		}
		switch data[0] {
		case '1': // Engine.IO close
			c.stop(fmt.Errorf("%w by the server", ErrClosed))
			return
		case '2': // ping: answer pong with the same payload
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := c.write(wctx, "3"+string(data[1:]))
			cancel()
			if err != nil {
				c.stop(err)
				return
			}
		case '4':
			if err := c.packet(data[1:]); err != nil {
				c.stop(err)
				return
			}
		}
	}
}

// packet handles one Socket.IO packet.
func (c *Client) packet(p []byte) error {
	if len(p) == 0 {
		return nil
	}
	typ, rest := p[0], p[1:]
	if len(rest) > 0 && rest[0] == '/' { // a namespace other than "/" is named
		nsp, after, _ := strings.Cut(string(rest), ",")
		if nsp != "/" {
			return nil
		}
		rest = []byte(after)
	}
	id := -1
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	if i > 0 {
		id, _ = strconv.Atoi(string(rest[:i]))
		rest = rest[i:]
	}
	switch typ {
	case '0': // CONNECT accepted
		c.mu.Lock()
		c.connected = true
		c.notify()
		c.mu.Unlock()
	case '1':
		return fmt.Errorf("%w: the server disconnected this client", ErrClosed)
	case '4': // CONNECT_ERROR
		var e struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(rest, &e)
		return &ProtocolError{Msg: "Uptime Kuma refused the socket.io connection: " + e.Message}
	case '2': // EVENT
		var args []json.RawMessage
		if err := json.Unmarshal(rest, &args); err != nil || len(args) == 0 {
			return &ProtocolError{Msg: fmt.Sprintf("a socket.io event that is not a JSON array: %.60q", rest)}
		}
		var name string
		if err := json.Unmarshal(args[0], &name); err != nil {
			return &ProtocolError{Msg: fmt.Sprintf("a socket.io event without a name: %.60q", rest)}
		}
		var first json.RawMessage
		if len(args) > 1 {
			first = args[1]
		}
		c.mu.Lock()
		c.events[name] = first
		c.counts[name]++
		if name == "info" {
			var info struct {
				Version any `json:"version"`
			}
			if json.Unmarshal(first, &info) == nil && info.Version != nil {
				c.version = fmt.Sprint(info.Version)
			}
		}
		c.notify()
		c.mu.Unlock()
	case '3': // ACK
		var args []json.RawMessage
		if err := json.Unmarshal(rest, &args); err != nil {
			return &ProtocolError{Msg: fmt.Sprintf("a socket.io acknowledgement that is not a JSON array: %.60q", rest)}
		}
		c.mu.Lock()
		ch := c.acks[id]
		delete(c.acks, id)
		c.mu.Unlock()
		if ch != nil {
			ch <- args
		}
	}
	return nil
}

// notify wakes the waiters; c.mu is held.
func (c *Client) notify() {
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *Client) stop(err error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
	}
	c.mu.Unlock()
}

// closedErr returns why the connection ended.
func (c *Client) closedErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	return ErrClosed
}

// wait returns when cond (called with c.mu held) holds, the connection
// ends, or ctx is done; what names what was awaited.
func (c *Client) wait(ctx context.Context, what string, cond func() bool) error {
	for {
		c.mu.Lock()
		ok, ch := cond(), c.changed
		c.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-c.done:
			return c.closedErr()
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		}
	}
}

// Call emits event with args and returns the arguments of the server's
// acknowledgement. Uptime Kuma answers every event opkuma uses with one
// object: see call.
func (c *Client) Call(ctx context.Context, event string, args ...any) ([]json.RawMessage, error) {
	payload, err := json.Marshal(append([]any{event}, args...))
	if err != nil {
		return nil, err
	}
	ch := make(chan []json.RawMessage, 1)
	c.mu.Lock()
	id := c.nextID
	c.nextID++
	c.acks[id] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.acks, id)
		c.mu.Unlock()
	}()
	if err := c.write(ctx, "42"+strconv.Itoa(id)+string(payload)); err != nil {
		return nil, err
	}
	select {
	case args := <-ch:
		return args, nil
	case <-c.done:
		return nil, fmt.Errorf("%s: %w", event, c.closedErr())
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: no answer from Uptime Kuma: %w", event, ctx.Err())
	}
}
