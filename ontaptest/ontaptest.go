package ontaptest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/mem"
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
}

// Option configures NewServer.
type Option func(*config)

// WithBackend serves b instead of a fresh mem backend.
func WithBackend(b backend.VolumeBackend) Option { return func(c *config) { c.backend = b } }

// WithOptions sets the server options; empty credentials are replaced by
// the package defaults.
func WithOptions(o server.Options) Option { return func(c *config) { c.opts = o } }

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
