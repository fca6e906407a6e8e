package abi

import (
	"sync"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/mem"
	"github.com/nessie-go/nessie/fixture"
)

// keptObjects are a loaded fixture's origin and objects section, which a
// MemBackend has no use for but keeps, so that saving what it loaded
// loses nothing.
type keptObjects struct {
	mu      sync.Mutex
	origin  *fixture.Origin
	objects fixture.Objects
}

// exportState renders the backend's whole state as a fixture document
// (fixture/v1 YAML), what MemBackend.save writes, with the origin and
// objects of the fixture last loaded. A state the format cannot carry (a
// name only the default mode accepts) is refused with ErrInvalidArgument,
// so that no saved file fails to load.
func exportState(b *mem.Backend, kept *keptObjects) ([]byte, error) {
	st, err := b.Export(bg)
	if err != nil {
		return nil, err
	}
	if err := st.Check(); err != nil {
		return nil, &backend.Error{Op: "Save", Kind: backend.KindInvalidArgument, Resource: backend.ResourceBackend, Err: err}
	}
	kept.mu.Lock()
	f := &fixture.Fixture{State: st, Origin: kept.origin, Objects: kept.objects}
	kept.mu.Unlock()
	return fixture.MarshalFixture(f)
}

// loadState parses a fixture document (YAML or JSON; file names it in
// errors, which give the line and field) and replaces the backend's whole
// state with it, keeping its UUIDs: what MemBackend.load runs. On error
// nothing changes. The default mode keeps no times (see newBackend), so
// it drops the document's: what it saves again is what it loaded. The
// document's origin and objects are kept as written (checked for shape
// only: the objects are the server's) for the next save.
func loadState(b *mem.Backend, kept *keptObjects, strict bool, file, data string) error {
	f, err := fixture.ParseFixture(file, []byte(data))
	if err != nil {
		return &backend.Error{Op: "Load", Kind: backend.KindInvalidArgument, Resource: backend.ResourceBackend, Err: err}
	}
	st := f.State
	if !strict {
		for i := range st.Volumes {
			vr := &st.Volumes[i]
			vr.Volume.CreateTime = time.Time{}
			for j := range vr.Snapshots {
				vr.Snapshots[j].Snapshot.CreateTime = time.Time{}
			}
		}
	}
	kept.mu.Lock()
	defer kept.mu.Unlock()
	if err := b.Restore(bg, st); err != nil {
		return err
	}
	kept.origin, kept.objects = f.Origin, f.Objects
	return nil
}
