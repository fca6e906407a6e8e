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
// durable mode it is d, which the caller closes. id is the daemon's
// identity, which a fixture's objects are loaded for.
func openStore(ctx context.Context, cfg Config, id server.Identity, log *slog.Logger) (b storeBackend, d *durable.Backend, ctl server.Control, err error) {
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
	var objects []server.ObjectRecord
	if cfg.Load != "" {
		f, recs, err := ReadFixture(cfg.Load, id)
		if err != nil {
			return fail(fmt.Errorf("loading fixture: %w", err))
		}
		if d != nil {
			// The volumes and the objects in one commit; without an
			// objects section the saved objects (of the volumes the
			// fixture replaced) go, and the server starts from the
			// built-ins.
			err = RestoreFixture(ctx, d, f.State, recs)
		} else {
			err = b.Restore(ctx, f.State)
		}
		if err != nil {
			return fail(fmt.Errorf("loading fixture %s: %w", cfg.Load, err))
		}
		initial, objects = f.State, recs
		log.Info("loaded fixture", "file", cfg.Load, "volumes", len(f.State.Volumes), "objects", len(recs), "store", cfg.Store)
	}
	ctl = server.Control{
		Reset:   func(ctx context.Context) error { return b.Restore(ctx, initial) },
		Objects: objects,
		State: func(ctx context.Context, objs server.ObjectGroups) ([]byte, error) {
			st, err := b.Export(ctx)
			if err != nil {
				return nil, err
			}
			return fixture.MarshalFixture(&fixture.Fixture{State: st, Origin: server.Origin(id), Objects: fixture.Objects(objs)})
		},
	}
	return b, d, ctl, nil
}

// ReadFixture reads and checks a fixture file for a daemon of identity id:
// its volumes, and its objects (server.LoadFixture's records, nil when
// the file has no objects section). Errors name the file, line and field.
func ReadFixture(path string, id server.Identity) (*fixture.Fixture, []server.ObjectRecord, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	f, err := fixture.ParseFixture(path, data)
	if err != nil {
		return nil, nil, err
	}
	if f.Objects == nil {
		return f, nil, nil
	}
	recs, err := server.LoadFixture(f, id)
	if err != nil {
		return nil, nil, err
	}
	return f, recs, nil
}

// RestoreFixture replaces a durable store's volumes with st and its saved
// objects with recs (none: the next start seeds the built-ins), in one
// commit.
func RestoreFixture(ctx context.Context, d *durable.Backend, st *backend.State, recs []server.ObjectRecord) error {
	return d.RestoreWithRecords(ctx, st, ObjectRecordKind, journalRecords(recs))
}

// ExportState renders a stopped daemon's durable store as a fixture: its
// volumes, and its objects if the server has ever saved them (otherwise
// the built-ins are implied, and the section is left out).
func ExportState(ctx context.Context, d *durable.Backend, id server.Identity) ([]byte, error) {
	st, err := d.Export(ctx)
	if err != nil {
		return nil, err
	}
	f := &fixture.Fixture{State: st}
	recs, saved, err := newObjectJournal(d).LoadObjects()
	if err != nil {
		return nil, err
	}
	if saved {
		objs, err := server.ObjectsOf(recs)
		if err != nil {
			return nil, err
		}
		f.Origin, f.Objects = server.Origin(id), fixture.Objects(objs)
	}
	return fixture.MarshalFixture(f)
}

// DataDirIdentity returns the identity of a data directory, minting it
// if the directory has none yet (as a first start would), with the
// default names.
func DataDirIdentity(dir string) (server.Identity, error) {
	id, _, err := loadOrCreateIdentity(dir, DefaultConfig())
	return id, err
}
