package security

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nessie-go/nessie/internal/daemon"
	"github.com/nessie-go/nessie/reliability/harness"
)

// These daemons run with a short read-header timeout (read_header_timeout,
// 10 s by default) so the battery stays fast; a slow client must be cut off
// within it plus slack.
const (
	readHeaderTimeout = 2 * time.Second
	cutOffBound       = readHeaderTimeout + 5*time.Second
)

// slowConfig is harness.Config with the short read-header timeout.
func slowConfig(t *testing.T) daemon.Config {
	cfg := harness.Config(t)
	cfg.ReadHeaderTimeout = readHeaderTimeout
	return cfg
}

// readResponses reads n responses from conn, discarding bodies.
func readResponses(conn net.Conn, n int) ([]int, error) {
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	br := bufio.NewReader(conn)
	var out []int
	for range n {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return out, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		out = append(out, resp.StatusCode)
	}
	return out, nil
}

// closedWithin reads from conn until the server closes it and reports how
// long that took, or fails after bound.
func closedWithin(t *testing.T, conn net.Conn, bound time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	_ = conn.SetReadDeadline(start.Add(bound))
	buf := make([]byte, 4096)
	for {
		_, err := conn.Read(buf)
		if err == nil {
			continue // e.g. a 408 before the close
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("connection still open after %v", bound)
		}
		return time.Since(start)
	}
}

// TestSlowlorisHeaderIsCutOff trickles a request header forever, one
// line every 500 ms, over TLS: the daemon must close the connection at
// its read-header deadline.
func TestSlowlorisHeaderIsCutOff(t *testing.T) {
	t.Parallel()
	d := harness.StartDaemon(t, slowConfig(t))
	conn, err := d.Dial(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("GET /api/cluster HTTP/1.1\r\nHost: " + d.Addr + "\r\n")); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if _, err := conn.Write([]byte("X-Slow: x\r\n")); err != nil {
					return
				}
			}
		}
	}()
	took := closedWithin(t, conn, cutOffBound)
	t.Logf("trickling client cut off after %v", took.Round(100*time.Millisecond))
	if err := d.Alive(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// TestSilentTLSClientIsCutOff opens a TCP connection and never starts the
// TLS handshake.
func TestSilentTLSClientIsCutOff(t *testing.T) {
	t.Parallel()
	d := harness.StartDaemon(t, slowConfig(t))
	conn, err := net.Dial("tcp", d.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	took := closedWithin(t, conn, cutOffBound)
	t.Logf("silent client cut off after %v", took.Round(100*time.Millisecond))
}

// TestSlowClientsCannotHoldTheConnectionLimit fills the connection limit
// with trickling clients: once they are cut off, a normal client is
// served.
func TestSlowClientsCannotHoldTheConnectionLimit(t *testing.T) {
	t.Parallel()
	cfg := slowConfig(t)
	cfg.MaxConnections = 4
	d := harness.StartDaemon(t, cfg)
	for range cfg.MaxConnections {
		conn, err := net.Dial("tcp", d.Addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		go func() { // a byte now and then: never a handshake
			for range 60 {
				if _, err := conn.Write([]byte{0x16}); err != nil {
					return
				}
				time.Sleep(500 * time.Millisecond)
			}
		}()
	}
	ctx, cancel := context.WithTimeout(t.Context(), cutOffBound)
	defer cancel()
	start := time.Now()
	r, err := d.Do(ctx, http.MethodGet, "/api/cluster", nil)
	if err != nil || r.Status != http.StatusOK {
		t.Fatalf("a normal client behind %d slow ones: %v %v", cfg.MaxConnections, err, r)
	}
	t.Logf("normal client served after %v", time.Since(start).Round(100*time.Millisecond))
}

// TestIdleKeepAliveConnectionsDoNotLockOutClients: clients that keep
// idle keep-alive connections open (every HTTP library's pool does) must
// not keep a new client waiting once the connection limit is reached.
// Many CI jobs sharing one daemon do exactly this.
func TestIdleKeepAliveConnectionsDoNotLockOutClients(t *testing.T) {
	t.Parallel()
	cfg := slowConfig(t)
	cfg.MaxConnections = 4
	d := harness.StartDaemon(t, cfg)
	for i := range cfg.MaxConnections {
		conn, err := d.Dial(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.Write([]byte("GET /api/cluster HTTP/1.1\r\nHost: " + d.Addr + "\r\nAuthorization: " + d.AuthHeader() + "\r\n\r\n")); err != nil {
			t.Fatal(err)
		}
		if st, err := readResponses(conn, 1); err != nil || st[0] != http.StatusOK {
			t.Fatalf("idle client %d: %v %v", i, st, err)
		}
		// Now idle, connection kept open.
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	start := time.Now()
	r, err := d.Do(ctx, http.MethodGet, "/api/cluster", nil)
	if err != nil || r.Status != http.StatusOK {
		t.Fatalf("a new client behind %d idle keep-alive connections was not served within 5s (%v): %v %v",
			cfg.MaxConnections, time.Since(start).Round(100*time.Millisecond), err, r)
	}
}

// TestTLSVersions: TLS 1.0 and 1.1 are refused; 1.2 and 1.3 work.
func TestTLSVersions(t *testing.T) {
	d := harness.StartDaemon(t, slowConfig(t))
	for _, c := range []struct {
		name     string
		min, max uint16
		ok       bool
	}{
		{"TLS1.0", tls.VersionTLS10, tls.VersionTLS10, false},
		{"TLS1.1", tls.VersionTLS11, tls.VersionTLS11, false},
		{"TLS1.2", tls.VersionTLS12, tls.VersionTLS12, true},
		{"TLS1.3", tls.VersionTLS13, tls.VersionTLS13, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := d.TLS.Clone()
			cfg.MinVersion, cfg.MaxVersion = c.min, c.max
			conn, err := tls.Dial("tcp", d.Addr, cfg)
			if err == nil {
				defer conn.Close()
			}
			switch {
			case c.ok && err != nil:
				t.Fatalf("handshake failed: %v", err)
			case !c.ok && err == nil:
				t.Fatalf("handshake succeeded with %s", tls.VersionName(conn.ConnectionState().Version))
			}
		})
	}
}

// TestTLSInsecureCipherSuitesRefused offers only the cipher suites Go
// classifies as insecure (RC4, 3DES, CBC-SHA256, RSA key exchange) with
// TLS 1.2: no handshake may succeed.
func TestTLSInsecureCipherSuitesRefused(t *testing.T) {
	d := harness.StartDaemon(t, slowConfig(t))
	for _, cs := range tls.InsecureCipherSuites() {
		t.Run(cs.Name, func(t *testing.T) {
			cfg := d.TLS.Clone()
			cfg.MaxVersion = tls.VersionTLS12
			cfg.CipherSuites = []uint16{cs.ID}
			conn, err := tls.Dial("tcp", d.Addr, cfg)
			if err == nil {
				conn.Close()
				t.Fatalf("handshake succeeded with %s", cs.Name)
			}
		})
	}
}

// TestPlainHTTPToTLSPortIsRefused: a client speaking HTTP to the HTTPS
// port gets no API answer.
func TestPlainHTTPToTLSPortIsRefused(t *testing.T) {
	d := harness.StartDaemon(t, slowConfig(t))
	conn, err := net.Dial("tcp", d.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("GET /api/cluster HTTP/1.1\r\nHost: x\r\nAuthorization: " + d.AuthHeader() + "\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	st, err := readResponses(conn, 1)
	if err == nil && st[0] < 400 {
		t.Fatalf("plain HTTP on the TLS port answered %d", st[0])
	}
	if err != nil && !strings.Contains(err.Error(), "EOF") && !strings.Contains(err.Error(), "reset") && !strings.Contains(err.Error(), "malformed") {
		t.Logf("plain HTTP refused: %v", err)
	}
}
