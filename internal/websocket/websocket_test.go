package websocket

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	cws "github.com/coder/websocket"
)

// echoServer is an independent implementation (github.com/coder/websocket)
// that sends back every message it reads, with its type.
func echoServer(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := cws.Accept(w, r, &cws.AcceptOptions{CompressionMode: cws.CompressionDisabled})
		if err != nil {
			return
		}
		defer ws.CloseNow()
		ws.SetReadLimit(1 << 24)
		for {
			typ, msg, err := ws.Read(r.Context())
			if err != nil {
				return
			}
			if err := ws.Write(r.Context(), typ, msg); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// Mutations caught: the 16- and 64-bit length forms swapped or cut, the
// mask not applied, the text flag inverted.
func TestEchoAgainstAnotherImplementation(t *testing.T) {
	ctx := context.Background()
	c, _, err := Dial(ctx, echoServer(t), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadLimit(1 << 24)
	for _, n := range []int{0, 1, 125, 126, 127, 65535, 65536, 70000} {
		msg := bytes.Repeat([]byte("0123456789abcdef"), n/16+1)[:n]
		if err := c.Write(ctx, msg); err != nil {
			t.Fatalf("write %d bytes: %v", n, err)
		}
		text, got, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("read %d bytes: %v", n, err)
		}
		if !text || !bytes.Equal(got, msg) {
			t.Errorf("%d bytes: got text=%v, %d bytes back", n, text, len(got))
		}
	}
}

// rawServer makes the opening handshake by hand, then writes frames and
// hands what the client sends to the test.
func rawServer(t *testing.T, answer func(key string) string, frames []byte) (url string, fromClient <-chan []byte) {
	t.Helper()
	got := make(chan []byte, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, rw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		stop := context.AfterFunc(t.Context(), func() { conn.Close() }) // a client that never closes
		defer stop()
		rw.WriteString(answer(r.Header.Get("Sec-WebSocket-Key")))
		rw.Write(frames)
		rw.Flush()
		conn.(*net.TCPConn).CloseWrite()              // all sent: the client reads EOF after the frames
		b, _ := io.ReadAll(io.LimitReader(rw, 1<<16)) // until the client closes
		select {
		case got <- b:
		default:
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL, got
}

func accept(key string) string {
	sum := sha1.Sum([]byte(key + guid))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func upgrade(key string) string {
	return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + accept(key) + "\r\n\r\n"
}

// frame is an unmasked server frame.
func frame(first byte, payload string) []byte {
	b := []byte{first}
	switch n := len(payload); {
	case n <= 125:
		b = append(b, byte(n))
	case n <= 0xffff:
		b = append(b, 126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, payload...)
}

func cat(frames ...[]byte) []byte { return bytes.Join(frames, nil) }

// unmask decodes the client's frames (all masked, all final).
func unmask(t *testing.T, b []byte) (ops []byte, payloads []string) {
	t.Helper()
	r := bufio.NewReader(bytes.NewReader(b))
	for {
		var h [2]byte
		if _, err := io.ReadFull(r, h[:]); err != nil {
			return ops, payloads
		}
		if h[0]&0x80 == 0 || h[1]&0x80 == 0 {
			t.Fatalf("client frame %x: not final or not masked", h)
		}
		n := int(h[1] & 0x7f)
		if n == 126 {
			var l [2]byte
			io.ReadFull(r, l[:])
			n = int(binary.BigEndian.Uint16(l[:]))
		}
		var mask [4]byte
		io.ReadFull(r, mask[:])
		p := make([]byte, n)
		io.ReadFull(r, p)
		for i := range p {
			p[i] ^= mask[i%4]
		}
		ops, payloads = append(ops, h[0]&0x0f), append(payloads, string(p))
	}
}

// Mutations caught: each rule of a frame's header and of fragmentation
// dropped; a ping not answered; a close frame not echoed.
func TestRead(t *testing.T) {
	for _, c := range []struct {
		name    string
		frames  []byte
		text    bool
		msg     string
		err     string // in the error of the first Read after the messages
		replies []string
		limit   int64 // the read limit; 0: 1024
	}{
		{name: "text", frames: frame(0x81, "hello"), text: true, msg: "hello"},
		{name: "binary", frames: frame(0x82, "\x00\x01"), msg: "\x00\x01"},
		{name: "fragments", frames: cat(frame(0x01, "he"), frame(0x00, "ll"), frame(0x80, "o")), text: true, msg: "hello"},
		{name: "ping inside a fragmented message", frames: cat(frame(0x01, "he"), frame(0x89, "p1"), frame(0x80, "llo")), text: true, msg: "hello", replies: []string{"\x0ap1"}},
		{name: "pong skipped", frames: cat(frame(0x8a, "x"), frame(0x81, "a")), text: true, msg: "a"},
		{name: "16-bit length", frames: frame(0x81, strings.Repeat("x", 300)), text: true, msg: strings.Repeat("x", 300)},
		{name: "64-bit length", frames: frame(0x81, strings.Repeat("y", 70000)), text: true, msg: strings.Repeat("y", 70000)},
		{name: "close", frames: frame(0x88, "\x03\xe8bye"), err: "closed by the peer (1000: bye)", replies: []string{"\x08\x03\xe8"}},
		{name: "close without code", frames: frame(0x88, ""), err: "(1005)", replies: []string{"\x08"}},
		{name: "reserved bit", frames: frame(0xc1, "x"), err: "reserved bits"},
		{name: "masked", frames: []byte{0x81, 0x81, 1, 2, 3, 4, 'x'}, err: "masked frame"},
		{name: "fragmented ping", frames: frame(0x09, "x"), err: "control frame"},
		{name: "long ping", frames: frame(0x89, strings.Repeat("x", 126)), err: "control frame"},
		{name: "continuation first", frames: frame(0x80, "x"), err: "continuation frame outside"},
		{name: "message inside a message", frames: cat(frame(0x01, "a"), frame(0x81, "b")), err: "new message inside"},
		{name: "unknown opcode", frames: frame(0x83, "x"), err: "unknown opcode"},
		{name: "too large", frames: frame(0x81, strings.Repeat("z", 2000)), err: "larger than the read limit", replies: []string{"\x08\x03\xf1message too big"}},
		{name: "too large in fragments", frames: cat(frame(0x01, strings.Repeat("z", 600)), frame(0x80, strings.Repeat("z", 600))), err: "larger than the read limit", replies: []string{"\x08\x03\xf1message too big"}},
		{name: "cut short", frames: frame(0x81, "hello")[:4], err: "unexpected EOF"},
		{name: "cut after the header", frames: frame(0x81, "hello")[:2], err: "unexpected EOF"},
		{name: "exactly the limit", frames: frame(0x81, strings.Repeat("l", 1024)), text: true, msg: strings.Repeat("l", 1024)},
		{name: "long close", frames: frame(0x88, strings.Repeat("x", 126)), err: "control frame"},
		{name: "fragmented close", frames: frame(0x08, "\x03\xe8"), err: "control frame"},
		{name: "ping of 125 bytes", frames: cat(frame(0x89, strings.Repeat("p", 125)), frame(0x81, "a")), text: true, msg: "a", replies: []string{"\x0a" + strings.Repeat("p", 125)}},
		{name: "close longer than a small limit", frames: frame(0x88, "\x03\xe8twenty bytes here"), limit: 10, err: "(1000: twenty bytes here)", replies: []string{"\x08\x03\xe8"}},
		{name: "close with a code only", frames: frame(0x88, "\x03\xe9"), err: "(1001)", replies: []string{"\x08\x03\xe9"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			url, fromClient := rawServer(t, upgrade, c.frames)
			conn, _, err := Dial(context.Background(), url, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			conn.SetReadLimit(1024)
			if c.limit > 0 {
				conn.SetReadLimit(c.limit)
			}
			if c.name == "64-bit length" {
				conn.SetReadLimit(1 << 20)
			}
			if c.err == "" {
				text, msg, err := conn.Read(context.Background())
				if err != nil || text != c.text || string(msg) != c.msg {
					t.Errorf("Read: text=%v %.20q %v, want text=%v %.20q", text, msg, err, c.text, c.msg)
				}
			} else {
				_, _, err := conn.Read(context.Background())
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Errorf("Read: %v, want an error with %q", err, c.err)
				}
			}
			conn.rwc.Close() // no close frame of ours in what the server got
			ops, payloads := unmask(t, <-fromClient)
			var replies []string
			for i := range ops {
				replies = append(replies, string(ops[i])+payloads[i])
			}
			if strings.Join(replies, "|") != strings.Join(c.replies, "|") {
				t.Errorf("the client sent %q, want %q", replies, c.replies)
			}
		})
	}
}

// Mutations caught: any check of the server's 101 answer dropped.
func TestDialChecksTheAnswer(t *testing.T) {
	for _, c := range []struct {
		name   string
		answer func(key string) string
		err    string
	}{
		{"not 101", func(string) string { return "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" }, "HTTP 200: want 101"},
		{"no upgrade", func(k string) string {
			return "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + accept(k) + "\r\n\r\n"
		}, "no Upgrade"},
		{"no connection", func(k string) string {
			return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: " + accept(k) + "\r\n\r\n"
		}, "no Connection"},
		{"wrong accept", func(k string) string {
			return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + accept(k+"x") + "\r\n\r\n"
		}, "wrong Sec-WebSocket-Accept"},
		{"extension", func(k string) string {
			return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Extensions: permessage-deflate\r\nSec-WebSocket-Accept: " + accept(k) + "\r\n\r\n"
		}, "extension"},
	} {
		t.Run(c.name, func(t *testing.T) {
			url, _ := rawServer(t, c.answer, nil)
			_, resp, err := Dial(context.Background(), url, nil, nil)
			var he *HandshakeError
			if !errors.As(err, &he) || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("Dial: %v, want a *HandshakeError with %q", err, c.err)
			}
			if resp == nil || resp.StatusCode != he.Status {
				t.Errorf("response %v, status %d", resp, he.Status)
			}
		})
	}
	url, _ := rawServer(t, func(k string) string {
		return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: keep-alive, upgrade\r\nSec-WebSocket-Accept: " + accept(k) + "\r\n\r\n"
	}, nil)
	c, _, err := Dial(context.Background(), url, nil, http.Header{"User-Agent": {"t"}})
	if err != nil {
		t.Fatalf("a 101 with other spellings of the tokens: %v", err)
	}
	c.Close()
	if _, _, err := Dial(context.Background(), "ftp://example.com/", nil, nil); err == nil {
		t.Error("Dial accepted an ftp:// URL")
	}
}

// Mutations caught: a cancelled read that goes on blocking, or reports
// something other than the context's error.
func TestReadCancelled(t *testing.T) {
	stall := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := cws.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		<-stall
	}))
	defer srv.Close()
	defer close(stall)
	c, _, err := Dial(context.Background(), srv.URL, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := c.Read(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Read on a cancelled context: %v", err)
	}
}

// A write whose context has ended fails with the context's error. Mutation
// caught: the write's own result returned instead.
func TestWriteCancelled(t *testing.T) {
	c, _, err := Dial(context.Background(), echoServer(t), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Write(ctx, []byte("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("Write on a cancelled context: %v", err)
	}
}

// The http.Client's Timeout bounds the handshake, not the connection:
// a message that comes after it is still read. Mutation caught: passing the
// client on unchanged.
func TestClientTimeoutBoundsOnlyTheHandshake(t *testing.T) {
	if testing.Short() {
		t.Skip("waits 300 ms")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := cws.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		<-time.After(300 * time.Millisecond) // past the client's timeout
		ws.Write(r.Context(), cws.MessageText, []byte("late"))
		ws.Read(r.Context())
	}))
	defer srv.Close()
	c, _, err := Dial(context.Background(), srv.URL, &http.Client{Timeout: 100 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, msg, err := c.Read(context.Background()); err != nil || string(msg) != "late" {
		t.Errorf("Read: %q, %v", msg, err)
	}
}

// A frame uses the shortest length form (RFC 6455, section 5.2). Mutation
// caught: a 65535-byte payload sent with the 64-bit form.
func TestWriteFrameLengthForm(t *testing.T) {
	for n, header := range map[int]int{0: 2, 125: 2, 126: 4, 65535: 4, 65536: 10} {
		var buf bytes.Buffer
		c := &Conn{rwc: nopCloser{&buf}}
		if err := c.writeFrame(opText, make([]byte, n)); err != nil {
			t.Fatal(err)
		}
		if got := buf.Len() - n - 4; got != header {
			t.Errorf("%d bytes: a %d-byte header, want %d", n, got, header)
		}
	}
}

type nopCloser struct{ io.ReadWriter }

func (nopCloser) Close() error { return nil }
