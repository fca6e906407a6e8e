package client_test

import (
	"testing"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/backendtest"
	"github.com/nessie-go/nessie/client"
	"github.com/nessie-go/nessie/ontaptest"
	"github.com/nessie-go/nessie/server"
)

// overTheWire returns a factory for the conformance suite: each backend is
// a client of its own fresh ontaptest server (mem behind the REST API).
func overTheWire(srvOpts server.Options, clientOpts client.Options) func(t *testing.T) backend.VolumeBackend {
	// The suite's names follow the contract's rules, not ONTAP's stricter
	// ones (it checks that e.g. UTF-8 names round-trip).
	srvOpts.RelaxedNames = true
	// ...and its sizes (0, unlimited), which ONTAP's 20 MB minimum forbids.
	srvOpts.ContractMode = true
	return func(t *testing.T) backend.VolumeBackend {
		srv := ontaptest.NewServer(t, &ontaptest.Options{Server: srvOpts})
		opts := clientOpts // the factory runs in parallel subtests: copy
		opts.Username, opts.Password, opts.HTTPClient = srv.Username, srv.Password, srv.Client
		c, err := client.New(srv.URL, &opts)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
}

// suiteOptions tells the suite that the client refuses attributes.
var suiteOptions = &backendtest.Options{NoAttributes: true}

// TestConformance runs the whole contract through the client against the
// ONTAP REST server: every rule must survive the wire.
func TestConformance(t *testing.T) {
	backendtest.Run(t, overTheWire(server.Options{}, client.Options{PollInterval: time.Millisecond}), suiteOptions)
}

// TestConformanceSlowJobsSmallPages runs the suite again with every job
// still running when its POST/PATCH/DELETE is answered (so the client must
// poll, and learn created UUIDs after the fact) and lists cut into pages of
// two records (so it must follow _links.next).
func TestConformanceSlowJobsSmallPages(t *testing.T) {
	backendtest.Run(t, overTheWire(
		server.Options{JobLatency: 2 * time.Millisecond},
		client.Options{PollInterval: time.Millisecond, MaxRecords: 2},
	), suiteOptions)
}
