package daemon

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// daemonRun is a Run in progress, stopped by the test's cleanup at the
// latest.
type daemonRun struct {
	Ready
	cancel   context.CancelFunc
	finished chan struct{} // closed when Run has returned err
	err      error
}

// stop cancels the run and returns Run's result.
func (d *daemonRun) stop() error {
	d.cancel()
	<-d.finished
	return d.err
}

func testConfig(t *testing.T) Config {
	cfg := DefaultConfig()
	cfg.Listen = "127.0.0.1:0"
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.ShutdownTimeout = 30 * time.Second
	return cfg
}

// start runs the daemon and waits until it is ready.
func start(t *testing.T, cfg Config, opts *RunOptions) *daemonRun {
	t.Helper()
	if opts == nil {
		opts = &RunOptions{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	}
	ready := make(chan Ready, 1)
	opts.Ready = func(r Ready) { ready <- r }
	ctx, cancel := context.WithCancel(context.Background())
	d := &daemonRun{cancel: cancel, finished: make(chan struct{})}
	go func() { d.err = Run(ctx, cfg, opts); close(d.finished) }()
	select {
	case d.Ready = <-ready:
	case <-d.finished:
		cancel()
		t.Fatalf("Run returned before ready: %v", d.err)
	}
	t.Cleanup(func() {
		if err := d.stop(); err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return d
}

// client returns an HTTPS client that trusts only the daemon's persisted
// certificate, so requests also prove its names cover 127.0.0.1.
func client(t testing.TB, dataDir string) *http.Client {
	t.Helper()
	pemBytes, err := os.ReadFile(filepath.Join(dataDir, tlsDir, certFile))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pemBytes) {
		t.Fatal("no certificate in cert.pem")
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func getCluster(t *testing.T, c *http.Client, url, user, pass string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url+"/api/cluster", nil)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET /api/cluster: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("GET /api/cluster body %q: %v", body, err)
		}
	}
	return resp.StatusCode, m
}

func TestRunServesHTTPSWithBasicAuth(t *testing.T) {
	cfg := testConfig(t)
	d := start(t, cfg, nil)

	if !strings.HasPrefix(d.URL, "https://127.0.0.1:") || strings.HasSuffix(d.URL, ":0") {
		t.Fatalf("URL = %q, want https on the bound port", d.URL)
	}
	if d.Addr.String() != strings.TrimPrefix(d.URL, "https://") {
		t.Errorf("Addr %v does not match URL %q", d.Addr, d.URL)
	}
	c := client(t, cfg.DataDir)
	status, body := getCluster(t, c, d.URL, cfg.Username, cfg.Password)
	if status != http.StatusOK {
		t.Fatalf("authenticated GET /api/cluster = %d, want 200", status)
	}
	if body["uuid"] != d.Identity.ClusterUUID || body["name"] != cfg.ClusterName {
		t.Errorf("cluster = %v, want uuid %s name %s", body, d.Identity.ClusterUUID, cfg.ClusterName)
	}
	if status, _ := getCluster(t, c, d.URL, "", ""); status != http.StatusUnauthorized {
		t.Errorf("unauthenticated GET = %d, want 401", status)
	}
	if status, _ := getCluster(t, c, d.URL, cfg.Username, "wrong"); status != http.StatusUnauthorized {
		t.Errorf("wrong password GET = %d, want 401", status)
	}
}

func TestRunRequiresTLS12(t *testing.T) {
	cfg := testConfig(t)
	d := start(t, cfg, nil)
	old := &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}

	// Control: this client does complete a TLS 1.1 handshake with a
	// server that allows it, so a failure below is the daemon's refusal.
	cert, err := tls.LoadX509KeyPair(filepath.Join(cfg.DataDir, tlsDir, certFile), filepath.Join(cfg.DataDir, tlsDir, keyFile))
	if err != nil {
		t.Fatal(err)
	}
	lenient, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS10})
	if err != nil {
		t.Fatal(err)
	}
	defer lenient.Close()
	go func() {
		if c, err := lenient.Accept(); err == nil {
			c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	conn, err := tls.Dial("tcp", lenient.Addr().String(), old)
	if err != nil {
		t.Fatalf("control TLS 1.1 handshake: %v", err)
	}
	if v := conn.ConnectionState().Version; v != tls.VersionTLS11 {
		t.Fatalf("control negotiated %x, want TLS 1.1", v)
	}
	conn.Close()

	if conn, err := tls.Dial("tcp", d.Addr.String(), old); err == nil {
		conn.Close()
		t.Fatalf("daemon accepted TLS %x", conn.ConnectionState().Version)
	}

	conn, err = tls.Dial("tcp", d.Addr.String(), &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatalf("TLS 1.2 handshake: %v", err)
	}
	defer conn.Close()
	if v := conn.ConnectionState().Version; v != tls.VersionTLS12 {
		t.Errorf("negotiated %x, want TLS 1.2", v)
	}
}

// servedFingerprint returns the fingerprint of the certificate the daemon
// presents.
func servedFingerprint(t *testing.T, addr string) string {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return fingerprint(tls.Certificate{Certificate: [][]byte{conn.ConnectionState().PeerCertificates[0].Raw}})
}

func TestRunRestartKeepsIdentityAndCertificate(t *testing.T) {
	cfg := testConfig(t)
	first := start(t, cfg, nil)
	if got := servedFingerprint(t, first.Addr.String()); got != first.CertSHA256 {
		t.Errorf("served certificate %s, Ready reports %s", got, first.CertSHA256)
	}
	if err := first.stop(); err != nil {
		t.Fatal(err)
	}

	second := start(t, cfg, nil)
	if !sameUUIDs(first.Identity, second.Identity) {
		t.Errorf("identity changed across restart:\n%+v\n%+v", first.Identity, second.Identity)
	}
	if second.CertSHA256 != first.CertSHA256 {
		t.Errorf("certificate changed across restart")
	}
	if got := servedFingerprint(t, second.Addr.String()); got != first.CertSHA256 {
		t.Errorf("served certificate %s after restart, want %s", got, first.CertSHA256)
	}
	status, body := getCluster(t, client(t, cfg.DataDir), second.URL, cfg.Username, cfg.Password)
	if status != http.StatusOK || body["uuid"] != first.Identity.ClusterUUID {
		t.Errorf("after restart GET /api/cluster = %d %v, want uuid %s", status, body, first.Identity.ClusterUUID)
	}
}

func TestRunServesGivenCertificate(t *testing.T) {
	certDir := t.TempDir()
	if err := writeSelfSigned(certDir, []string{"127.0.0.1"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	cfg.TLSCert, cfg.TLSKey = filepath.Join(certDir, certFile), filepath.Join(certDir, keyFile)
	given, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
	if err != nil {
		t.Fatal(err)
	}
	d := start(t, cfg, nil)
	if d.CertSHA256 != fingerprint(given) {
		t.Errorf("Ready reports %s, want the given certificate %s", d.CertSHA256, fingerprint(given))
	}
	if got := servedFingerprint(t, d.Addr.String()); got != fingerprint(given) {
		t.Errorf("served %s, want the given certificate %s", got, fingerprint(given))
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, tlsDir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a certificate was minted although one was given (stat: %v)", err)
	}
}

func TestRunPlainHTTP(t *testing.T) {
	cfg := testConfig(t)
	cfg.HTTP = true
	d := start(t, cfg, nil)
	if !strings.HasPrefix(d.URL, "http://") || d.CertSHA256 != "" {
		t.Fatalf("URL %q, fingerprint %q; want plain HTTP and no certificate", d.URL, d.CertSHA256)
	}
	status, body := getCluster(t, http.DefaultClient, d.URL, cfg.Username, cfg.Password)
	if status != http.StatusOK || body["uuid"] != d.Identity.ClusterUUID {
		t.Errorf("GET /api/cluster = %d %v", status, body)
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, tlsDir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a certificate was minted for plain HTTP (stat: %v)", err)
	}
}

func TestRunDataDirIsPrivate(t *testing.T) {
	cfg := testConfig(t)
	start(t, cfg, nil)
	fi, err := os.Stat(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		t.Errorf("data dir mode = %v, want 0700", perm)
	}
	fi, err = os.Stat(filepath.Join(cfg.DataDir, tlsDir, keyFile))
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("key file mode = %v, want 0600", perm)
	}
}

// blocking wraps the server so that requests carrying X-Block signal
// entered and then wait for release.
func blocking(entered chan<- struct{}, release <-chan struct{}) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("X-Block") != "" {
				entered <- struct{}{}
				<-release
			}
			h.ServeHTTP(w, r)
		})
	}
}

func TestRunShutdownLetsInFlightRequestsFinish(t *testing.T) {
	cfg := testConfig(t)
	entered, release := make(chan struct{}, 1), make(chan struct{})
	closed := make(chan struct{})
	d := start(t, cfg, &RunOptions{wrap: blocking(entered, release), wrapListener: func(ln net.Listener) net.Listener {
		return &closeNotifier{Listener: ln, closed: closed}
	}})
	c := client(t, cfg.DataDir)

	type result struct {
		status int
		err    error
	}
	res := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, d.URL+"/api/cluster", nil)
		req.SetBasicAuth(cfg.Username, cfg.Password)
		req.Header.Set("X-Block", "1")
		resp, err := c.Do(req)
		if err != nil {
			res <- result{err: err}
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		res <- result{status: resp.StatusCode}
	}()
	<-entered
	d.cancel()

	// Shutdown has begun once it has closed the listener.
	<-closed
	if conn, err := net.Dial("tcp", d.Addr.String()); err == nil {
		conn.Close()
		t.Fatal("listener still accepting after Shutdown closed it")
	}
	select {
	case <-d.finished:
		t.Fatalf("Run returned (%v) while a request was in flight", d.err)
	default:
	}

	close(release)
	if r := <-res; r.err != nil || r.status != http.StatusOK {
		t.Fatalf("in-flight request: status %d, error %v; want 200", r.status, r.err)
	}
	if err := d.stop(); err != nil {
		t.Fatalf("Run after graceful shutdown = %v, want nil", err)
	}
}

func TestRunShutdownTimeoutCutsOffStragglers(t *testing.T) {
	cfg := testConfig(t)
	cfg.ShutdownTimeout = 50 * time.Millisecond
	entered, release := make(chan struct{}, 1), make(chan struct{})
	defer close(release)
	opts := &RunOptions{wrap: blocking(entered, release)}
	ready := make(chan Ready, 1)
	opts.Ready = func(r Ready) { ready <- r }
	opts.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, opts) }()
	r := <-ready

	c := client(t, cfg.DataDir)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, r.URL+"/api/cluster", nil)
		req.Header.Set("X-Block", "1")
		if resp, err := c.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	<-entered
	cancel()
	if err := <-done; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run = %v, want a shutdown error wrapping context.DeadlineExceeded", err)
	}
}

func TestRunRefusesDefaultPasswordBeyondLoopback(t *testing.T) {
	cfg := testConfig(t)
	cfg.Listen = "0.0.0.0:0"
	err := Run(context.Background(), cfg, &RunOptions{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Ready:  func(Ready) { t.Error("Ready called for a refused config") },
	})
	if !errors.Is(err, ErrInsecurePassword) {
		t.Fatalf("Run = %v, want ErrInsecurePassword", err)
	}
	if _, err := os.Stat(cfg.DataDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("data dir touched before the config was validated (stat: %v)", err)
	}
}

func TestRunListenFailure(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	cfg := testConfig(t)
	cfg.Listen = taken.Addr().String()
	err = Run(context.Background(), cfg, &RunOptions{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Ready:  func(Ready) { t.Error("Ready called although listen failed") },
	})
	if err == nil {
		t.Fatal("Run on a taken port succeeded")
	}
}

func TestRunBanner(t *testing.T) {
	for _, tt := range []struct {
		name     string
		password string
		shows    bool
	}{
		{"default password is shown", DefaultPassword, true},
		{"own password is not echoed", "my own s3cret", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.Password = tt.password
			var out bytes.Buffer
			d := start(t, cfg, &RunOptions{Stdout: &out})
			banner := out.String() // written before Ready, so complete now
			if !strings.Contains(banner, d.URL) || !strings.Contains(banner, "username: "+cfg.Username) || !strings.Contains(banner, d.CertSHA256) {
				t.Errorf("banner lacks URL, username or fingerprint:\n%s", banner)
			}
			if got := strings.Contains(banner, tt.password); got != tt.shows {
				t.Errorf("banner shows password = %v, want %v:\n%s", got, tt.shows, banner)
			}
		})
	}
}

// closeNotifier closes closed when the listener is first closed.
type closeNotifier struct {
	net.Listener
	once   sync.Once
	closed chan struct{}
}

func (l *closeNotifier) Close() error {
	err := l.Listener.Close()
	l.once.Do(func() { close(l.closed) })
	return err
}

// TestRunPortInUse: a taken port says so and points at --listen.
func TestRunPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg := testConfig(t)
	cfg.Listen = ln.Addr().String()
	err = Run(t.Context(), cfg, &RunOptions{Logger: slog.New(slog.DiscardHandler)})
	if err == nil || !errors.Is(err, syscall.EADDRINUSE) || !strings.Contains(err.Error(), "already in use") || !strings.Contains(err.Error(), "--listen") {
		t.Fatalf("Run on a taken port: %v", err)
	}
}

// TestJSONLogDurations: JSON logs write durations as people read them.
func TestJSONLogDurations(t *testing.T) {
	var buf bytes.Buffer
	cfg := DefaultConfig()
	cfg.LogFormat = LogJSON
	cfg.Logger(&buf).Info("request", "duration", 1520*time.Microsecond, "timeout", 10*time.Second)
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["duration"] != "1.52ms" || rec["timeout"] != "10s" {
		t.Fatalf("%s", buf.Bytes())
	}
}
