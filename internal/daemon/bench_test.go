package daemon

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"
)

// BenchmarkGetClusterHTTPS measures one authenticated GET /api/cluster
// through the whole daemon (TLS, connection limit, auth, server), over
// kept-alive connections from parallel clients.
func BenchmarkGetClusterHTTPS(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Listen = "127.0.0.1:0"
	cfg.DataDir = filepath.Join(b.TempDir(), "data")
	r := runForBench(b, cfg)
	c := client(b, cfg.DataDir)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodGet, r.URL+"/api/cluster", nil)
			req.SetBasicAuth(cfg.Username, cfg.Password)
			resp, err := c.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}

// runForBench starts the daemon with cfg for a benchmark, silent, and
// stops it (checking it exits cleanly) when the benchmark ends.
func runForBench(b *testing.B, cfg Config) Ready {
	b.Helper()
	ready := make(chan Ready, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, cfg, &RunOptions{Logger: slog.New(slog.DiscardHandler), Ready: func(r Ready) { ready <- r }})
	}()
	var r Ready
	select {
	case r = <-ready:
	case err := <-done:
		cancel()
		b.Fatal(err)
	}
	b.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	})
	return r
}

// BenchmarkResetHTTPS measures POST /nessie/v1/reset through the whole
// daemon, loaded with the example fixture (four volumes and their ONTAP
// objects: an export policy with a rule, a qtree, a LUN, an igroup and a
// map, with the built-ins), on each store.
func BenchmarkResetHTTPS(b *testing.B) {
	for _, store := range []StoreKind{StoreMemory, StoreDurable} {
		b.Run(string(store), func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.Listen = "127.0.0.1:0"
			cfg.DataDir = filepath.Join(b.TempDir(), "data")
			cfg.Store = store
			cfg.Load = "../../fixture/example.yaml"
			r := runForBench(b, cfg)
			c := client(b, cfg.DataDir)
			for b.Loop() {
				req, _ := http.NewRequest(http.MethodPost, r.URL+"/nessie/v1/reset", nil)
				req.SetBasicAuth(cfg.Username, cfg.Password)
				resp, err := c.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
		})
	}
}
