// Package harness starts the nessie REST endpoint the reliability battery
// attacks (the real daemon through internal/daemon.Run, or the server in
// process through ontaptest) and gives the tests one way to talk to it:
// authenticated requests, raw bytes on a fresh connection, the ONTAP error
// envelope check and the liveness probe run after every hostile case.
//
// Everything here listens on and connects to loopback only.
package harness

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/internal/daemon"
	"github.com/nessie-go/nessie/ontaptest"
)

// Target is a running ONTAP REST endpoint and how to reach it.
type Target struct {
	// URL is the base URL, e.g. "https://127.0.0.1:40123".
	URL string
	// Addr is URL's host:port, for raw connections.
	Addr string
	// Username and Password are the HTTP Basic credentials.
	Username, Password string
	// Client reaches URL (trusting its certificate) and adds no
	// credentials of its own.
	Client *http.Client
	// TLS is the client TLS configuration for raw connections; nil for
	// plain HTTP.
	TLS *tls.Config
	// Backend is the served backend when the server runs in process, so
	// tests can check its invariants directly; nil for a daemon.
	Backend backend.VolumeBackend
}

// Daemon is a daemon started by [StartDaemon].
type Daemon struct {
	*Target
	// Ready is what daemon.Run reported when it started serving.
	Ready daemon.Ready
	// Config is the configuration it runs with.
	Config daemon.Config

	cancel   context.CancelFunc
	finished chan struct{}
	err      error
}

// Stop shuts the daemon down gracefully and returns Run's result. It may
// be called more than once; later calls return the same result.
func (d *Daemon) Stop() error {
	d.cancel()
	<-d.finished
	return d.err
}

// Done is closed once Run has returned.
func (d *Daemon) Done() <-chan struct{} { return d.finished }

// Config returns a daemon configuration for tests: loopback on a free
// port, HTTPS, a data directory under t.TempDir(), a non-default password
// and quiet logs.
func Config(t testing.TB) daemon.Config {
	cfg := daemon.DefaultConfig()
	cfg.Listen = "127.0.0.1:0"
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.Password = "reliability-" + rand.Text()
	cfg.ShutdownTimeout = 30 * time.Second
	cfg.LogLevel = slog.LevelWarn
	return cfg
}

// StartDaemon runs daemon.Run with cfg (from [Config], adjusted by the
// caller) and returns once it serves. The daemon is stopped, and its
// result checked, by t.Cleanup at the latest. Its logs go to the test's
// output.
func StartDaemon(t testing.TB, cfg daemon.Config) *Daemon {
	t.Helper()
	ready := make(chan daemon.Ready, 1)
	ctx, cancel := context.WithCancel(context.Background())
	d := &Daemon{Config: cfg, cancel: cancel, finished: make(chan struct{})}
	opts := &daemon.RunOptions{
		Ready:  func(r daemon.Ready) { ready <- r },
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: cfg.LogLevel})),
	}
	go func() {
		d.err = daemon.Run(ctx, cfg, opts)
		close(d.finished)
	}()
	select {
	case d.Ready = <-ready:
	case <-d.finished:
		cancel()
		t.Fatalf("daemon.Run returned before it was ready: %v", d.err)
	}
	t.Cleanup(func() {
		if err := d.Stop(); err != nil {
			t.Errorf("daemon.Run: %v", err)
		}
	})
	d.Target = &Target{
		URL:      d.Ready.URL,
		Addr:     d.Ready.Addr.String(),
		Username: cfg.Username,
		Password: cfg.Password,
	}
	if !cfg.HTTP {
		d.TLS = PinnedTLS(d.Ready.CertSHA256)
	}
	d.Client = newClient(t, d.TLS)
	return d
}

// PinnedTLS returns a client TLS configuration that accepts exactly the
// certificate whose SHA-256 fingerprint (hex) is sum, whatever names it
// covers.
func PinnedTLS(sum string) *tls.Config {
	return &tls.Config{
		InsecureSkipVerify: true, // replaced by the pin below
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("no server certificate")
			}
			got := sha256.Sum256(cs.PeerCertificates[0].Raw)
			if hex.EncodeToString(got[:]) != sum {
				return fmt.Errorf("server certificate %x is not the pinned %s", got, sum)
			}
			return nil
		},
	}
}

func newClient(t testing.TB, tc *tls.Config) *http.Client {
	tr := &http.Transport{
		TLSClientConfig:     tc,
		MaxIdleConnsPerHost: 128,
		ForceAttemptHTTP2:   false,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{
		Transport: tr,
		Timeout:   60 * time.Second,
		// Redirects are answers under test, not something to follow.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// InProcess starts the REST server in process (ontaptest) and returns it
// as a Target whose Backend is set. opts may be nil.
func InProcess(t testing.TB, opts *ontaptest.Options) *Target {
	t.Helper()
	s := ontaptest.NewServer(t, opts)
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	tgt := &Target{URL: s.URL, Addr: u.Host, Username: s.Username, Password: s.Password, Backend: s.Backend}
	if tr, ok := s.Client.Transport.(*http.Transport); ok && tr.TLSClientConfig != nil {
		tgt.TLS = tr.TLSClientConfig.Clone()
	}
	tgt.Client = newClient(t, tgt.TLS)
	return tgt
}

// External returns a Target for an endpoint started elsewhere (the built
// binary, a shared fixture). insecure skips certificate verification, as
// clients of a self-signed nessie do.
func External(t testing.TB, rawURL, username, password string, insecure bool) *Target {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		t.Fatalf("target URL %q: %v", rawURL, err)
	}
	tgt := &Target{URL: strings.TrimSuffix(rawURL, "/"), Addr: u.Host, Username: username, Password: password}
	if u.Scheme == "https" {
		tgt.TLS = &tls.Config{InsecureSkipVerify: insecure}
	}
	tgt.Client = newClient(t, tgt.TLS)
	return tgt
}

// Response is a complete response: status, headers and the whole body.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends an authenticated request. body is sent as is if it is a
// []byte or string, else encoded as JSON; nil sends none. path may carry
// a query.
func (tg *Target) Do(ctx context.Context, method, path string, body any) (*Response, error) {
	return tg.DoAs(ctx, tg.Username, tg.Password, method, path, body)
}

// DoAs is Do with the given credentials; an empty username sends none.
func (tg *Target) DoAs(ctx context.Context, user, pass, method, path string, body any) (*Response, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(enc)
	}
	req, err := http.NewRequestWithContext(ctx, method, tg.URL+path, rd)
	if err != nil {
		return nil, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	return tg.Send(req)
}

// Send sends req with the target's client and reads the whole response.
func (tg *Target) Send(req *http.Request) (*Response, error) {
	resp, err := tg.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the body after status %d: %w", req.Method, req.URL.Path, resp.StatusCode, err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// Dial opens a new connection to the target (TLS when the target uses
// it), handshaken and ready for raw bytes.
func (tg *Target) Dial(ctx context.Context) (net.Conn, error) {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if tg.TLS == nil {
		return d.DialContext(ctx, "tcp", tg.Addr)
	}
	td := &tls.Dialer{NetDialer: d, Config: tg.TLS}
	return td.DialContext(ctx, "tcp", tg.Addr)
}

// Raw writes raw on a fresh connection and reads one HTTP response. It
// is for requests http.Client would refuse or normalise: odd methods,
// unclean paths, malformed headers. An error means the server closed
// the connection without a complete response.
func (tg *Target) Raw(ctx context.Context, raw []byte) (*Response, error) {
	return tg.RawClose(ctx, raw, false)
}

// RawClose is Raw that, if closeWrite is set, half-closes the connection
// after writing (a TLS close_notify, or a TCP FIN), as a client that
// gives up on sending the rest of a body does.
func (tg *Target) RawClose(ctx context.Context, raw []byte, closeWrite bool) (*Response, error) {
	conn, err := tg.Dial(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	deadline := time.Now().Add(30 * time.Second)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	_ = conn.SetDeadline(deadline)
	// Write concurrently: the server may answer (and stop reading)
	// before a huge request is fully sent.
	werr := make(chan error, 1)
	go func() {
		_, err := conn.Write(raw)
		if err == nil && closeWrite {
			if cw, ok := conn.(interface{ CloseWrite() error }); ok {
				err = cw.CloseWrite()
			}
		}
		werr <- err
	}()
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	// Skip interim answers (100 Continue) to the final one.
	for err == nil && resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols {
		resp, err = http.ReadResponse(br, nil)
	}
	if err != nil {
		if we := <-werr; we != nil {
			return nil, fmt.Errorf("no response (write: %v): %w", we, err)
		}
		return nil, fmt.Errorf("no response: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("truncated body after status %d: %w", resp.StatusCode, err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// AuthHeader returns the Authorization header value for the target's
// credentials, for raw requests.
func (tg *Target) AuthHeader() string {
	r := http.Request{Header: http.Header{}}
	r.SetBasicAuth(tg.Username, tg.Password)
	return r.Header.Get("Authorization")
}

// Alive checks that the target still serves: a fresh connection, an
// authenticated GET /api/cluster answered 200 with the cluster's UUID,
// and a volume listing answered 200.
func (tg *Target) Alive(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	raw := "GET /api/cluster?fields=uuid HTTP/1.1\r\nHost: " + tg.Addr + "\r\nAuthorization: " + tg.AuthHeader() + "\r\nConnection: close\r\n\r\n"
	resp, err := tg.Raw(ctx, []byte(raw))
	if err != nil {
		return fmt.Errorf("liveness: GET /api/cluster: %w", err)
	}
	var c struct {
		UUID string `json:"uuid"`
	}
	if resp.Status != http.StatusOK || json.Unmarshal(resp.Body, &c) != nil || c.UUID == "" {
		return fmt.Errorf("liveness: GET /api/cluster: status %d, body %.200q", resp.Status, resp.Body)
	}
	lr, err := tg.Do(ctx, http.MethodGet, "/api/storage/volumes?max_records=1", nil)
	if err != nil {
		return fmt.Errorf("liveness: GET /api/storage/volumes: %w", err)
	}
	if lr.Status != http.StatusOK {
		return fmt.Errorf("liveness: GET /api/storage/volumes: status %d, body %.200q", lr.Status, lr.Body)
	}
	return nil
}

// ErrorBody is the decoded ONTAP error envelope.
type ErrorBody struct {
	Message   string `json:"message"`
	Code      string `json:"code"`
	Target    string `json:"target"`
	Arguments []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"arguments"`
}

// Envelope checks that r is a client error in ONTAP's shape: a 4xx
// status, a JSON content type, and a body that is exactly
// {"error": {...}} with a non-empty message and a positive decimal code
// (a JSON string), as ONTAP clients parse it. It returns the error
// object.
func Envelope(r *Response) (*ErrorBody, error) {
	if r.Status < 400 || r.Status > 499 {
		return nil, fmt.Errorf("status %d, want 4xx (body %.300q)", r.Status, r.Body)
	}
	return envelope(r)
}

// AnyEnvelope is Envelope without the 4xx requirement.
func AnyEnvelope(r *Response) (*ErrorBody, error) { return envelope(r) }

func envelope(r *Response) (*ErrorBody, error) {
	ct := r.Header.Get("Content-Type")
	if !strings.Contains(ct, "json") {
		return nil, fmt.Errorf("status %d: content type %q, want a JSON envelope (body %.300q)", r.Status, ct, r.Body)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &top); err != nil {
		return nil, fmt.Errorf("status %d: body is not a JSON object: %v (%.300q)", r.Status, err, r.Body)
	}
	raw, ok := top["error"]
	if !ok || len(top) != 1 {
		return nil, fmt.Errorf("status %d: body %.300q is not {\"error\":{...}}", r.Status, r.Body)
	}
	var e ErrorBody
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return nil, fmt.Errorf("status %d: error object %.300q: %v", r.Status, raw, err)
	}
	if e.Message == "" {
		return nil, fmt.Errorf("status %d: error without message: %s", r.Status, raw)
	}
	if e.Code == "" || strings.TrimLeft(e.Code, "0123456789") != "" || strings.Trim(e.Code, "0") == "" {
		return nil, fmt.Errorf("status %d: error code %q is not a positive decimal string", r.Status, e.Code)
	}
	return &e, nil
}
