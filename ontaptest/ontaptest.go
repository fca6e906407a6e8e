package ontaptest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/mem"
	"github.com/nessie-go/nessie/fixture"
	"github.com/nessie-go/nessie/server"
)

// Default credentials of a test server.
const (
	Username = "admin"
	Password = "nessie-test"
)

// Server is a running in-process ONTAP REST server.
type Server struct {
	// URL is the base URL, "https://127.0.0.1:<port>" (API paths start
	// with /api).
	URL string
	// Username and Password are the HTTP Basic credentials it requires.
	Username, Password string
	// Client trusts the server's certificate and sends nothing implicit:
	// requests carry credentials only if the caller sets them.
	Client *http.Client
	// Backend is the backend the server serves.
	Backend backend.VolumeBackend
	// API is the underlying handler, for identity and direct access.
	API *server.Server
}

type config struct {
	backend backend.VolumeBackend
	opts    server.Options
	plain   bool
	fixture *fixture.State
}

// Option configures NewServer.
type Option func(*config)

// WithBackend serves b instead of a fresh mem backend.
func WithBackend(b backend.VolumeBackend) Option { return func(c *config) { c.backend = b } }

// WithOptions sets the server options; empty credentials are replaced by
// the package defaults.
func WithOptions(o server.Options) Option { return func(c *config) { c.opts = o } }

// WithFixture starts the server from st (see package fixture), and makes
// [Server.Reset] return to it. A backend that implements
// [fixture.Restorer] (backend/durable's NewMemory) keeps the fixture's
// UUIDs; mem re-creates the objects through the contract, with new UUIDs.
func WithFixture(st *fixture.State) Option { return func(c *config) { c.fixture = st } }

// WithPlainHTTP serves plain HTTP instead of TLS (benchmarks that want to
// measure the API without TLS).
func WithPlainHTTP() Option { return func(c *config) { c.plain = true } }

// NewServer starts a server on 127.0.0.1:0 over a fresh mem backend (or
// the one given by WithBackend), with TLS unless WithPlainHTTP. It is
// closed by t.Cleanup; a configuration error fails the test at once.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	var c config
	for _, o := range opts {
		o(&c)
	}
	if c.backend == nil {
		c.backend = mem.New(nil)
	}
	if c.opts.Username == "" {
		c.opts.Username = Username
	}
	if c.opts.Password == "" {
		c.opts.Password = Password
	}
	initial := c.fixture
	if initial == nil {
		initial = &fixture.State{}
	} else if err := fixture.Load(context.Background(), c.backend, initial); err != nil {
		t.Fatalf("ontaptest: loading the fixture: %v", err)
	}
	if c.opts.Control.Reset == nil {
		b := c.backend
		c.opts.Control.Reset = func(ctx context.Context) error { return fixture.Load(ctx, b, initial) }
	}
	if c.opts.Control.State == nil {
		b := c.backend
		c.opts.Control.State = func(ctx context.Context) ([]byte, error) {
			st, err := fixture.Current(ctx, b)
			if err != nil {
				return nil, err
			}
			return fixture.Marshal(st)
		}
	}
	api, err := server.New(c.backend, &c.opts)
	if err != nil {
		t.Fatalf("ontaptest: %v", err)
	}
	ts := httptest.NewUnstartedServer(api)
	// Let "OPTIONS *" reach the handler (and its auth) instead of net/http
	// answering it.
	ts.Config.DisableGeneralOptionsHandler = true
	if c.plain {
		ts.Start()
	} else {
		ts.StartTLS()
	}
	t.Cleanup(func() {
		ts.Close()
		_ = api.Close()
	})
	return &Server{
		URL:      ts.URL,
		Username: c.opts.Username,
		Password: c.opts.Password,
		Client:   ts.Client(),
		Backend:  c.backend,
		API:      api,
	}
}

// Reset returns the server to its starting state (the fixture given with
// WithFixture, or empty) through POST /nessie/v1/reset, failing t if it
// cannot. Call it between test cases that share one server.
func (s *Server) Reset(t testing.TB) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, s.URL+"/nessie/v1/reset", nil)
	if err != nil {
		t.Fatalf("ontaptest: reset: %v", err)
	}
	req.SetBasicAuth(s.Username, s.Password)
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatalf("ontaptest: reset: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		t.Fatalf("ontaptest: reset: %s: %s", resp.Status, body)
	}
}
