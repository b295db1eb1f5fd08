// Package websocket is the client side of RFC 6455 that opkuma needs to
// talk to Uptime Kuma's socket.io endpoint: one connection, text and binary
// messages, ping answered with pong, the closing handshake. It makes the
// opening handshake through an http.Client (net/http hands over the
// connection on "101 Switching Protocols"), so the client's proxy and TLS
// settings apply. No extension (compression) is offered.
//
// A general library (github.com/coder/websocket, which the tests use as the
// server) cost 184 KB of the binary for these few frames.
package websocket

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// DefaultReadLimit is the largest message Read accepts unless
// SetReadLimit says otherwise.
const DefaultReadLimit = 1 << 20

// Frame opcodes (RFC 6455, section 5.2).
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xa
)

// StatusNormalClosure is the close code of a connection that ends as
// intended (RFC 6455, section 7.4.1).
const StatusNormalClosure = 1000

// HandshakeError is an answer to the opening handshake that is not a
// WebSocket upgrade.
type HandshakeError struct {
	Status int    // the HTTP status
	Reason string // what is wrong with the answer
}

func (e *HandshakeError) Error() string {
	return fmt.Sprintf("WebSocket handshake: HTTP %d: %s", e.Status, e.Reason)
}

// CloseError is the peer's close frame: the connection has ended.
type CloseError struct {
	Code   int // 1005 when the frame held no code
	Reason string
}

func (e *CloseError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("WebSocket closed by the peer (%d)", e.Code)
	}
	return fmt.Sprintf("WebSocket closed by the peer (%d: %s)", e.Code, e.Reason)
}

// ErrProtocol is a frame that breaks RFC 6455 (or uses an extension this
// client did not offer).
var ErrProtocol = errors.New("WebSocket protocol error")

// ErrTooLarge is a message longer than the read limit.
var ErrTooLarge = errors.New("WebSocket message larger than the read limit")

// Conn is a client connection. Read must not be called from two
// goroutines at once; Write and Close may be called from any goroutine.
type Conn struct {
	rwc       io.ReadWriteCloser
	br        *bufio.Reader
	readLimit int64

	wmu       sync.Mutex // one frame at a time
	closeOnce sync.Once
	closeErr  error
}

// guid is the constant of the accept key (RFC 6455, section 1.3).
const guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// Dial makes the opening handshake with the ws://, wss://, http:// or
// https:// URL u through client (nil: http.DefaultClient), sending header
// too. ctx bounds the handshake only. The response is returned when one
// came, also with an error.
func Dial(ctx context.Context, u string, client *http.Client, header http.Header) (*Conn, *http.Response, error) {
	target, err := url.Parse(u)
	if err != nil {
		return nil, nil, err
	}
	switch target.Scheme {
	case "ws":
		target.Scheme = "http"
	case "wss":
		target.Scheme = "https"
	case "http", "https":
	default:
		return nil, nil, fmt.Errorf("%s: not a ws://, wss://, http:// or https:// URL", target.Redacted())
	}
	if client == nil {
		client = http.DefaultClient
	}
	if client.Timeout > 0 {
		// Client.Timeout would end the connection itself, not only the
		// handshake: bound the handshake by ctx instead.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, client.Timeout)
		defer cancel()
		c := *client
		c.Timeout = 0
		client = &c
	}
	var nonce [16]byte
	_, _ = rand.Read(nonce[:])
	key := base64.StdEncoding.EncodeToString(nonce[:])
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
	if err != nil {
		return nil, nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", key)
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	if err := checkUpgrade(resp, key); err != nil {
		resp.Body.Close()
		return nil, resp, err
	}
	rwc, ok := resp.Body.(io.ReadWriteCloser)
	if !ok {
		resp.Body.Close()
		return nil, resp, &HandshakeError{Status: resp.StatusCode, Reason: "the HTTP client did not hand over the connection"}
	}
	return &Conn{rwc: rwc, br: bufio.NewReader(rwc), readLimit: DefaultReadLimit}, resp, nil
}

// checkUpgrade checks the server's answer to the handshake (RFC 6455,
// section 4.1, the client's checks 1 to 6).
func checkUpgrade(resp *http.Response, key string) error {
	fail := func(reason string) error { return &HandshakeError{Status: resp.StatusCode, Reason: reason} }
	sum := sha1.Sum([]byte(key + guid))
	switch {
	case resp.StatusCode != http.StatusSwitchingProtocols:
		return fail("want 101 Switching Protocols")
	case !strings.EqualFold(resp.Header.Get("Upgrade"), "websocket"):
		return fail("no Upgrade: websocket")
	case !headerHasToken(resp.Header, "Connection", "upgrade"):
		return fail("no Connection: Upgrade")
	case resp.Header.Get("Sec-WebSocket-Accept") != base64.StdEncoding.EncodeToString(sum[:]):
		return fail("wrong Sec-WebSocket-Accept")
	case resp.Header.Get("Sec-WebSocket-Extensions") != "":
		return fail("an extension that was not offered")
	}
	return nil
}

// headerHasToken reports whether a comma-separated header holds token,
// ignoring case.
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// SetReadLimit sets the largest message, in bytes, that Read accepts.
func (c *Conn) SetReadLimit(n int64) { c.readLimit = n }

// Read returns the next message and whether it is text (else binary).
// Pings are answered and pongs skipped on the way. When ctx ends first,
// the connection is closed. A close frame from the peer is answered and
// returned as a *CloseError.
func (c *Conn) Read(ctx context.Context) (text bool, msg []byte, err error) {
	stop := context.AfterFunc(ctx, func() { c.rwc.Close() })
	defer func() {
		if !stop() && ctx.Err() != nil {
			err = fmt.Errorf("reading a WebSocket message: %w", ctx.Err())
		}
	}()
	var opcode byte
	for {
		h, err := c.readHeader()
		if err != nil {
			return false, nil, err
		}
		payload, err := c.readPayload(h, int64(len(msg)))
		if err != nil {
			return false, nil, err
		}
		switch h.opcode {
		case opPing:
			if err := c.writeFrame(opPong, payload); err != nil {
				return false, nil, err
			}
			continue
		case opPong:
			continue
		case opClose:
			return false, nil, c.peerClosed(payload)
		case opText, opBinary:
			if opcode != 0 {
				return false, nil, fmt.Errorf("%w: a new message inside a fragmented one", ErrProtocol)
			}
			opcode = h.opcode
		case opContinuation:
			if opcode == 0 {
				return false, nil, fmt.Errorf("%w: a continuation frame outside a message", ErrProtocol)
			}
		default:
			return false, nil, fmt.Errorf("%w: unknown opcode %#x", ErrProtocol, h.opcode)
		}
		msg = append(msg, payload...)
		if h.fin {
			return opcode == opText, msg, nil
		}
	}
}

type header struct {
	fin    bool
	opcode byte
	length int64
}

func (c *Conn) readHeader() (header, error) {
	var b [8]byte
	if _, err := io.ReadFull(c.br, b[:2]); err != nil {
		return header{}, err
	}
	h := header{fin: b[0]&0x80 != 0, opcode: b[0] & 0x0f, length: int64(b[1] & 0x7f)}
	switch {
	case b[0]&0x70 != 0:
		return h, fmt.Errorf("%w: reserved bits set (an extension was not offered)", ErrProtocol)
	case b[1]&0x80 != 0:
		return h, fmt.Errorf("%w: a masked frame from the server", ErrProtocol)
	case h.opcode >= opClose && (!h.fin || h.length > 125):
		return h, fmt.Errorf("%w: a fragmented or long control frame", ErrProtocol)
	}
	switch h.length {
	case 126:
		if _, err := io.ReadFull(c.br, b[:2]); err != nil {
			return h, err
		}
		h.length = int64(binary.BigEndian.Uint16(b[:2]))
	case 127:
		if _, err := io.ReadFull(c.br, b[:8]); err != nil {
			return h, err
		}
		h.length = int64(binary.BigEndian.Uint64(b[:8]) & (1<<63 - 1))
	}
	return h, nil
}

// readPayload reads h's payload; have is what the message already holds.
func (c *Conn) readPayload(h header, have int64) ([]byte, error) {
	if h.opcode < opClose && have+h.length > c.readLimit {
		c.closeWith(1009, "message too big")
		return nil, ErrTooLarge
	}
	p := make([]byte, h.length)
	if _, err := io.ReadFull(c.br, p); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return p, nil
}

// peerClosed answers the peer's close frame, ends the connection and
// returns why it ended.
func (c *Conn) peerClosed(payload []byte) error {
	ce := &CloseError{Code: 1005}
	if len(payload) >= 2 {
		ce.Code = int(binary.BigEndian.Uint16(payload))
		ce.Reason = string(payload[2:])
	}
	echo := payload
	if len(echo) > 2 {
		echo = echo[:2]
	}
	c.closeOnce.Do(func() {
		_ = c.writeFrame(opClose, echo)
		c.closeErr = c.rwc.Close()
	})
	return ce
}

// Write sends msg as one text message. When ctx ends first, the
// connection is closed.
func (c *Conn) Write(ctx context.Context, msg []byte) error {
	stop := context.AfterFunc(ctx, func() { c.rwc.Close() })
	err := c.writeFrame(opText, msg)
	if !stop() && ctx.Err() != nil {
		return fmt.Errorf("writing a WebSocket message: %w", ctx.Err())
	}
	return err
}

// writeFrame sends one final frame, masked as a client must.
func (c *Conn) writeFrame(opcode byte, payload []byte) error {
	frame := make([]byte, 0, 14+len(payload))
	frame = append(frame, 0x80|opcode)
	switch n := len(payload); {
	case n <= 125:
		frame = append(frame, 0x80|byte(n))
	case n <= 0xffff:
		frame = append(frame, 0x80|126)
		frame = binary.BigEndian.AppendUint16(frame, uint16(n))
	default:
		frame = append(frame, 0x80|127)
		frame = binary.BigEndian.AppendUint64(frame, uint64(n))
	}
	var mask [4]byte
	_, _ = rand.Read(mask[:])
	frame = append(frame, mask[:]...)
	for i, b := range payload {
		frame = append(frame, b^mask[i%4])
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err := c.rwc.Write(frame)
	return err
}

// Close sends a normal close frame and closes the connection, without
// waiting for the peer's answer.
func (c *Conn) Close() error {
	return c.closeWith(StatusNormalClosure, "")
}

func (c *Conn) closeWith(code int, reason string) error {
	c.closeOnce.Do(func() {
		payload := binary.BigEndian.AppendUint16(nil, uint16(code))
		_ = c.writeFrame(opClose, append(payload, reason...))
		c.closeErr = c.rwc.Close()
	})
	return c.closeErr
}
