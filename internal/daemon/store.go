package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/durable"
	"github.com/nessie-go/nessie/fixture"
	"github.com/nessie-go/nessie/server"
)

// StoreKind says where the daemon keeps volumes.
type StoreKind string

// The stores. Memory is the default: every start is a clean slate, which
// is what test suites and the original nessie daemon's users expect, and
// nothing is written to disk. Durable keeps everything acknowledged in
// DataDir/state.db across restarts and crashes.
const (
	StoreMemory  StoreKind = "memory"
	StoreDurable StoreKind = "durable"
)

// StoreFile is the durable store's file name inside the data directory.
const StoreFile = "state.db"

// jobTTL is how long finished jobs stay queryable (ONTAP's, and the
// server's default); the journal keeps them as long.
const jobTTL = 300 * time.Second

// openStore returns the backend cfg asks for, loaded with cfg.Load if set,
// and the control hooks that reset to (and export) its starting state.
func openStore(ctx context.Context, cfg Config, log *slog.Logger) (*durable.Backend, server.Control, error) {
	var b *durable.Backend
	switch cfg.Store {
	case StoreDurable:
		path := filepath.Join(cfg.DataDir, StoreFile)
		start := time.Now()
		var err error
		b, err = durable.Open(path, nil)
		if err != nil {
			return nil, server.Control{}, err
		}
		n, _ := b.ListVolumes(ctx)
		log.Info("opened durable store", "file", path, "volumes", len(n), "duration", time.Since(start))
	default:
		b = durable.NewMemory(nil)
	}
	initial := &backend.State{}
	if cfg.Load != "" {
		data, err := os.ReadFile(cfg.Load)
		if err != nil {
			b.Close()
			return nil, server.Control{}, fmt.Errorf("reading fixture: %w", err)
		}
		st, err := fixture.Parse(cfg.Load, data)
		if err != nil {
			b.Close()
			return nil, server.Control{}, fmt.Errorf("loading fixture: %w", err)
		}
		if err := b.Restore(ctx, st); err != nil {
			b.Close()
			return nil, server.Control{}, fmt.Errorf("loading fixture %s: %w", cfg.Load, err)
		}
		initial = st
		log.Info("loaded fixture", "file", cfg.Load, "volumes", len(st.Volumes), "store", cfg.Store)
	}
	ctl := server.Control{
		Reset: func(ctx context.Context) error { return b.Restore(ctx, initial) },
		State: func(ctx context.Context) ([]byte, error) {
			st, err := b.Export(ctx)
			if err != nil {
				return nil, err
			}
			return fixture.Marshal(st)
		},
	}
	return b, ctl, nil
}
