package durable_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/backendtest"
	"github.com/nessie-go/nessie/client"
	"github.com/nessie-go/nessie/ontaptest"
	"github.com/nessie-go/nessie/server"
)

// TestConformanceOverHTTP runs the suite through the REST client against
// the ONTAP REST server with a file-backed durable backend behind it, as
// the daemon serves it with --store durable.
func TestConformanceOverHTTP(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backend.VolumeBackend {
		d := open(t, filepath.Join(t.TempDir(), "state.db"))
		t.Cleanup(func() { d.Close() })
		srv := ontaptest.NewServer(t, &ontaptest.Options{Backend: d, Server: server.Options{RelaxedNames: true, ContractMode: true}})
		c, err := client.New(srv.URL, &client.Options{Username: srv.Username, Password: srv.Password, HTTPClient: srv.Client, PollInterval: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}, &backendtest.Options{NoAttributes: true}) // the REST client keeps none
}
