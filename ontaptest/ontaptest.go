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
	// Fixture is the state the server starts from (see package fixture)
	// and [Server.Reset] returns to; nil means empty. A backend that
	// implements [backend.Restorer] (the default mem backend, and
	// backend/durable) keeps the fixture's UUIDs and times; any other gets
	// the objects re-created through the contract, with new UUIDs.
	Fixture *backend.State
	// Objects are the fixture's objects section (fixture.Fixture.Objects:
	// export policies, qtrees, LUNs, ...), which the server starts from
	// and [Server.Reset] returns to; nil means the built-ins. They are
	// checked against Fixture's volumes, which they refer to by UUID, so
	// the backend must be a [backend.Restorer]; a problem fails the test.
	Objects server.ObjectGroups
	// Origin is the fixture's origin (fixture.Fixture.Origin): the
	// built-in UUIDs in Objects that are rewritten to the server's.
	Origin *fixture.Origin
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
	initial := c.Fixture
	if initial == nil {
		initial = &backend.State{}
	} else if err := fixture.Load(context.Background(), c.Backend, initial); err != nil {
		t.Fatalf("ontaptest: loading the fixture: %v", err)
	}
	if c.Objects != nil {
		if _, ok := c.Backend.(backend.Restorer); !ok {
			// Re-created volumes get new UUIDs, which the objects
			// would not follow.
			t.Fatalf("ontaptest: Objects needs a backend.Restorer backend (the default mem backend is one), which keeps the volumes' UUIDs")
		}
		if c.Server.Identity == (server.Identity{}) {
			c.Server.Identity = server.NewIdentity()
		}
		var vols []backend.Volume
		for _, vr := range initial.Volumes {
			vols = append(vols, vr.Volume)
		}
		recs, err := server.ImportObjects(c.Objects, server.OriginIdentity(c.Origin), c.Server.Identity, vols)
		if err != nil {
			t.Fatalf("ontaptest: loading the fixture's objects: %v", err)
		}
		c.Server.Control.Objects = recs
	}
	b := c.Backend
	if c.Server.Control.Reset == nil {
		c.Server.Control.Reset = func(ctx context.Context) error { return fixture.Load(ctx, b, initial) }
	}
	var api *server.Server
	if c.Server.Control.State == nil {
		c.Server.Control.State = func(ctx context.Context, objs server.ObjectGroups) ([]byte, error) {
			st, err := fixture.Current(ctx, b)
			if err != nil {
				return nil, err
			}
			return fixture.MarshalFixture(&fixture.Fixture{State: st, Origin: server.Origin(api.Identity()), Objects: fixture.Objects(objs)})
		}
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

// Reset returns the server to its starting state (Options.Fixture, or
// empty) through POST /nessie/v1/reset, failing t if it cannot. Call it
// between test cases that share one server.
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
