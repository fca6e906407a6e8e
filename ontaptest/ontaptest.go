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

// Options configure NewServer; nil means all defaults.
type Options struct {
	// Backend is served instead of a fresh mem backend.
	Backend backend.VolumeBackend
	// Server are the REST server's options; empty credentials mean
	// [Username] and [Password].
	Server server.Options
	// PlainHTTP serves plain HTTP instead of TLS (benchmarks that measure
	// the API without TLS).
	PlainHTTP bool
}

// NewServer starts a server on 127.0.0.1:0 over opts.Backend or a fresh
// mem backend, with TLS unless opts.PlainHTTP. It is closed by t.Cleanup;
// a configuration error fails the test at once. opts may be nil.
func NewServer(t testing.TB, opts *Options) *Server {
	t.Helper()
	var c Options
	if opts != nil {
		c = *opts
	}
	if c.Backend == nil {
		c.Backend = mem.New(nil)
	}
	if c.Server.Username == "" {
		c.Server.Username = Username
	}
	if c.Server.Password == "" {
		c.Server.Password = Password
	}
	api, err := server.New(c.Backend, &c.Server)
	if err != nil {
		t.Fatalf("ontaptest: %v", err)
	}
	ts := httptest.NewUnstartedServer(api)
	// Let "OPTIONS *" reach the handler (and its auth) instead of net/http
	// answering it.
	ts.Config.DisableGeneralOptionsHandler = true
	if c.PlainHTTP {
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
		Username: c.Server.Username,
		Password: c.Server.Password,
		Client:   ts.Client(),
		Backend:  c.Backend,
		API:      api,
	}
}
