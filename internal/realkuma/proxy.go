package realkuma

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// Exchange is one request the Proxy passed on and the server's answer.
type Exchange struct {
	Method string
	URI    string // path and query, as received
	Header http.Header
	Status int    // 0: no answer (Err says why)
	Body   string // the answer's body
	Err    error  // transport error talking to the server
	Start  time.Time
	End    time.Time // when the server's answer was read
}

// Proxy is a recording HTTP proxy on 127.0.0.1 in front of a server: it
// counts the requests a client really sent. It passes each request on as
// received and follows no redirect; a request whose client has gone is
// still carried to its end, as the server would carry it.
type Proxy struct {
	URL string // http://127.0.0.1:PORT

	target string
	srv    *http.Server
	mu     sync.Mutex
	log    []Exchange
	wg     sync.WaitGroup
}

// NewProxy starts a Proxy to target (a server's URL), closed when the test
// ends.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("realkuma: %v", err)
	}
	p := &Proxy{URL: "http://" + l.Addr().String(), target: target}
	p.srv = &http.Server{Handler: p}
	go func() { _ = p.srv.Serve(l) }()
	t.Cleanup(func() { _ = p.srv.Close() })
	return p
}

// ServeHTTP passes r on to the server and its answer back.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.wg.Add(1)
	defer p.wg.Done()
	body, _ := io.ReadAll(r.Body)
	ex := Exchange{Method: r.Method, URI: r.URL.RequestURI(), Header: r.Header.Clone(), Start: time.Now()}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Minute)
	defer cancel()
	out, err := http.NewRequestWithContext(ctx, r.Method, p.target+ex.URI, bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out.Header = r.Header.Clone()
	out.Header.Del("Connection")
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		ex.Err, ex.End = err, time.Now()
		p.record(ex)
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	ex.Status, ex.Body, ex.End = resp.StatusCode, string(b), time.Now()
	p.record(ex)
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(b)
}

func (p *Proxy) record(ex Exchange) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.log = append(p.log, ex)
}

// Exchanges waits until no request is in flight (the server has answered
// every request received, even those whose client gave up) and returns
// them all, in the order their answers came.
func (p *Proxy) Exchanges() []Exchange {
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Exchange(nil), p.log...)
}

// PushURL returns the push URL of token through the proxy.
func (p *Proxy) PushURL(token string) string { return p.URL + "/api/push/" + token }
