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
	"github.com/nessie-go/nessie/backend/mem"
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

// storeBackend is what the daemon serves: the backend tiers, and Restore
// and Export for fixtures, reset and the state endpoint.
type storeBackend interface {
	backend.CloneBackend
	backend.Restorer
}

// openStore returns the backend cfg asks for, loaded with cfg.Load if set,
// and the control hooks that reset to (and export) its starting state. In
// memory mode it is backend/mem, the reference backend, and d is nil; in
// durable mode it is d, which the caller closes.
func openStore(ctx context.Context, cfg Config, log *slog.Logger) (b storeBackend, d *durable.Backend, ctl server.Control, err error) {
	switch cfg.Store {
	case StoreDurable:
		path := filepath.Join(cfg.DataDir, StoreFile)
		start := time.Now()
		d, err = durable.Open(path, nil)
		if err != nil {
			return nil, nil, server.Control{}, err
		}
		n, _ := d.ListVolumes(ctx)
		log.Info("opened durable store", "file", path, "volumes", len(n), "duration", time.Since(start))
		b = d
	default:
		b = mem.New(nil)
	}
	fail := func(err error) (storeBackend, *durable.Backend, server.Control, error) {
		if d != nil {
			d.Close()
		}
		return nil, nil, server.Control{}, err
	}
	initial := &backend.State{}
	if cfg.Load != "" {
		data, err := os.ReadFile(cfg.Load)
		if err != nil {
			return fail(fmt.Errorf("reading fixture: %w", err))
		}
		st, err := fixture.Parse(cfg.Load, data)
		if err != nil {
			return fail(fmt.Errorf("loading fixture: %w", err))
		}
		if err := b.Restore(ctx, st); err != nil {
			return fail(fmt.Errorf("loading fixture %s: %w", cfg.Load, err))
		}
		if d != nil {
			// The saved objects (qtrees, LUNs, ...) belonged to the
			// volumes the fixture replaced: start from the built-ins.
			if err := d.DropRecords(ObjectRecordKind); err != nil {
				return fail(fmt.Errorf("loading fixture %s: %w", cfg.Load, err))
			}
		}
		initial = st
		log.Info("loaded fixture", "file", cfg.Load, "volumes", len(st.Volumes), "store", cfg.Store)
	}
	ctl = server.Control{
		Reset: func(ctx context.Context) error { return b.Restore(ctx, initial) },
		State: func(ctx context.Context) ([]byte, error) {
			st, err := b.Export(ctx)
			if err != nil {
				return nil, err
			}
			return fixture.Marshal(st)
		},
	}
	return b, d, ctl, nil
}
