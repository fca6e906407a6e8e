package shutdown

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nessie-go/nessie/backend/mem"
	"github.com/nessie-go/nessie/reliability/harness"
	"github.com/nessie-go/nessie/server"
)

// outcome is what one request got.
type outcome struct {
	name   string
	status int
	err    error
}

// connectionLevel reports whether err is a failure before any answer
// (refused, reset, a closed idle connection), as opposed to a broken
// answer (a truncated body).
func connectionLevel(err error) bool {
	s := err.Error()
	if strings.Contains(s, "reading the body") {
		return false
	}
	var op *net.OpError
	return errors.As(err, &op) || strings.Contains(s, "EOF") || strings.Contains(s, "connection reset") ||
		strings.Contains(s, "connection refused") || strings.Contains(s, "server closed")
}

// runningJobs counts the daemon's jobs in state running.
func runningJobs(ctx context.Context, d *harness.Daemon) (int, error) {
	r, err := d.Do(ctx, http.MethodGet, "/api/cluster/jobs?state=running&return_records=false", nil)
	if err != nil {
		return 0, err
	}
	var c struct {
		NumRecords int `json:"num_records"`
	}
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &c) != nil {
		return 0, fmt.Errorf("jobs: %d %s", r.Status, r.Body)
	}
	return c.NumRecords, nil
}

// TestGracefulShutdownUnderLoad cancels daemon.Run while every client has
// a request in flight (each create waits out a 300 ms job latency):
// those requests must all complete with 201, later ones must fail at
// the connection level, nothing may be answered 5xx or cut short, and
// Run must return nil.
func TestGracefulShutdownUnderLoad(t *testing.T) {
	const clients = 16
	cfg := harness.Config(t)
	cfg.JobLatency = 300 * time.Millisecond
	d := harness.StartDaemon(t, cfg)

	var inFlight sync.Map // name -> true for requests sent before shutdown began
	var shuttingDown atomic.Bool
	results := make(chan outcome, clients*64)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for i := range 64 {
				name := fmt.Sprintf("sd_c%02d_%d", c, i)
				if !shuttingDown.Load() {
					inFlight.Store(name, true)
				}
				r, err := d.Do(context.Background(), http.MethodPost, "/api/storage/volumes?return_timeout=30",
					`{"name":"`+name+`","svm.name":"svm0","aggregates.name":"aggr1"}`)
				o := outcome{name: name, err: err}
				if r != nil {
					o.status = r.Status
					if r.Status >= 400 {
						if _, e := harness.Envelope(r); e != nil {
							o.err = fmt.Errorf("malformed refusal: %v", e)
						}
					}
				}
				results <- o
				if err != nil {
					return
				}
			}
		})
	}
	// Wait until every client's first create is running on the server.
	deadline := time.Now().Add(20 * time.Second)
	for {
		n, err := runningJobs(t.Context(), d)
		if err != nil {
			t.Fatal(err)
		}
		if n >= clients {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d creates running after 20s", n, clients)
		}
		time.Sleep(10 * time.Millisecond)
	}
	shuttingDown.Store(true)
	if err := d.Stop(); err != nil {
		t.Errorf("daemon.Run after a graceful shutdown under load: %v", err)
	}
	wg.Wait()
	close(results)

	completed, refused := 0, 0
	for o := range results {
		_, before := inFlight.Load(o.name)
		switch {
		case o.err == nil && o.status >= 500:
			t.Errorf("%s: %d during shutdown", o.name, o.status)
		case o.err == nil:
			completed++
		case before && strings.Contains(o.err.Error(), "malformed"):
			t.Errorf("%s: %v", o.name, o.err)
		case !connectionLevel(o.err):
			t.Errorf("%s: failed with a broken answer, not at the connection level: %v", o.name, o.err)
		default:
			refused++
		}
	}
	// Every request that was running when shutdown began completed.
	if completed < clients {
		t.Errorf("%d requests completed; the %d in flight at shutdown should all have", completed, clients)
	}
	t.Logf("%d requests completed, %d refused at the connection level after shutdown began", completed, refused)
}

// TestShutdownLosesNothingAcknowledged applies the daemon's shutdown
// sequence (http.Server.Shutdown, then server.Close) in the middle of a
// create/delete load over a backend the test keeps, then reads the
// backend: every acknowledged create and delete took effect, and no
// request that failed at the connection level did.
func TestShutdownLosesNothingAcknowledged(t *testing.T) {
	const clients = 16
	b := mem.New(nil)
	api, err := server.New(b, &server.Options{Username: "admin", Password: "shutdown-test", JobLatency: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close(); _ = api.Close() }) // after a failure; idempotent
	tgt := harness.External(t, "http://"+ln.Addr().String(), "admin", "shutdown-test", false)

	type ledger struct {
		created, deleted        map[string]string // name -> uuid
		failedCreate, failedDel map[string]string
	}
	ledgers := make([]*ledger, clients)
	var ops atomic.Int64
	var wg sync.WaitGroup
	for c := range clients {
		l := &ledger{created: map[string]string{}, deleted: map[string]string{}, failedCreate: map[string]string{}, failedDel: map[string]string{}}
		ledgers[c] = l
		wg.Go(func() {
			var live []string // names
			for i := 0; i < 100_000; i++ {
				ops.Add(1)
				if len(live) > 3 && i%3 == 0 {
					name := live[0]
					r, err := tgt.Do(context.Background(), http.MethodDelete, "/api/storage/volumes/"+l.created[name]+"?return_timeout=30", nil)
					switch {
					case err != nil:
						l.failedDel[name] = l.created[name]
						return
					case r.Status == http.StatusOK:
						l.deleted[name] = l.created[name]
						live = live[1:]
					default:
						t.Errorf("DELETE %s: %d %s", name, r.Status, r.Body)
						return
					}
					continue
				}
				name := fmt.Sprintf("ack_c%02d_%d", c, i)
				r, err := tgt.Do(context.Background(), http.MethodPost, "/api/storage/volumes?return_timeout=30&return_records=true",
					`{"name":"`+name+`","svm.name":"svm0","aggregates.name":"aggr1"}`)
				if err != nil {
					if !connectionLevel(err) {
						t.Errorf("POST %s: broken answer: %v", name, err)
					}
					l.failedCreate[name] = ""
					return
				}
				var rec struct {
					Records []struct{ UUID string } `json:"records"`
				}
				if r.Status != http.StatusCreated || json.Unmarshal(r.Body, &rec) != nil || len(rec.Records) != 1 {
					t.Errorf("POST %s: %d %s", name, r.Status, r.Body)
					return
				}
				l.created[name] = rec.Records[0].UUID
				live = append(live, name)
			}
		})
	}
	// Shut down in the middle of the load.
	for deadline := time.Now().Add(30 * time.Second); ops.Load() < 400; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d operations after 30s", ops.Load())
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := api.Close(); err != nil {
		t.Error(err)
	}
	wg.Wait()
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("Serve: %v", err)
	}

	vols, err := b.ListVolumes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]string{}
	for _, v := range vols {
		have[v.Name] = v.ID.String()
	}
	acked, refusedOps := 0, 0
	for _, l := range ledgers {
		for name, id := range l.created {
			acked++
			_, gone := l.deleted[name]
			switch {
			case gone && have[name] != "":
				t.Errorf("%s: deletion acknowledged, volume still there", name)
			case !gone && have[name] != id:
				t.Errorf("%s (%s): creation acknowledged, volume lost (have %q)", name, id, have[name])
			}
		}
		acked += len(l.deleted)
		for name := range l.failedCreate {
			refusedOps++
			if have[name] != "" {
				t.Errorf("%s: the create failed at the connection level, yet the volume exists", name)
			}
		}
		for name, id := range l.failedDel {
			refusedOps++
			if have[name] != id {
				t.Errorf("%s: the delete failed at the connection level, yet the volume is gone", name)
			}
		}
	}
	if err := b.CheckInvariants(); err != nil {
		t.Error(err)
	}
	t.Logf("%d acknowledged operations kept, %d refused ones without effect, %d volumes at the end", acked, refusedOps, len(vols))
}

// identity reads every UUID discovery reports.
func identity(t *testing.T, d *harness.Daemon) string {
	t.Helper()
	var parts []string
	for _, p := range []string{"/api/cluster?fields=uuid", "/api/cluster/nodes?fields=uuid,serial_number", "/api/svm/svms?fields=uuid",
		"/api/storage/aggregates?fields=uuid", "/api/network/ip/interfaces?fields=uuid"} {
		r, err := d.Do(t.Context(), http.MethodGet, p, nil)
		if err != nil || r.Status != http.StatusOK {
			t.Fatalf("GET %s: %v %v", p, err, r)
		}
		var m any
		if err := json.Unmarshal(r.Body, &m); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(m) // canonical key order
		parts = append(parts, string(b))
	}
	return strings.Join(parts, "\n")
}

// peerCert returns the SHA-256 of the certificate a handshake presents.
func peerCert(t *testing.T, addr string, cfg *tls.Config) string {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		t.Fatalf("handshake with %s: %v", addr, err)
	}
	defer conn.Close()
	sum := sha256.Sum256(conn.ConnectionState().PeerCertificates[0].Raw)
	return hex.EncodeToString(sum[:])
}

// TestRestartKeepsIdentityAndCertificate stops a daemon that served load
// and starts another on the same data directory: discovery reports the
// same UUIDs, the certificate is the same, and a client that pinned the
// first daemon's certificate reaches the second.
func TestRestartKeepsIdentityAndCertificate(t *testing.T) {
	cfg := harness.Config(t)
	first := harness.StartDaemon(t, cfg)
	for i := range 20 {
		r, err := first.Do(t.Context(), http.MethodPost, "/api/storage/volumes?return_timeout=30",
			fmt.Sprintf(`{"name":"restart_%d","svm.name":"svm0","aggregates.name":"aggr1"}`, i))
		if err != nil || r.Status != http.StatusCreated {
			t.Fatalf("create: %v %v", err, r)
		}
	}
	id1 := identity(t, first)
	cert1 := peerCert(t, first.Addr, first.TLS)
	if cert1 != first.Ready.CertSHA256 {
		t.Fatalf("served certificate %s, Ready reported %s", cert1, first.Ready.CertSHA256)
	}
	pinned := first.TLS
	if err := first.Stop(); err != nil {
		t.Fatalf("first run: %v", err)
	}

	second := harness.StartDaemon(t, cfg)
	if id2 := identity(t, second); id2 != id1 {
		t.Errorf("identity changed across the restart:\nbefore %s\nafter  %s", id1, id2)
	}
	if cert2 := peerCert(t, second.Addr, pinned); cert2 != cert1 {
		t.Errorf("certificate changed across the restart: %s, then %s", cert1, cert2)
	}
}
