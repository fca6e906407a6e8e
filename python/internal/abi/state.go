package abi

import (
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/mem"
	"github.com/nessie-go/nessie/fixture"
)

// exportState renders the backend's whole state as a fixture document
// (fixture/v1 YAML), what MemBackend.save writes. A state the format
// cannot carry (a name only the default mode accepts) is refused with
// ErrInvalidArgument, so that no saved file fails to load.
func exportState(b *mem.Backend) ([]byte, error) {
	st, err := b.Export(bg)
	if err != nil {
		return nil, err
	}
	if err := st.Check(); err != nil {
		return nil, &backend.Error{Op: "Save", Kind: backend.KindInvalidArgument, Resource: backend.ResourceBackend, Err: err}
	}
	return fixture.Marshal(st)
}

// loadState parses a fixture document (YAML or JSON; file names it in
// errors, which give the line and field) and replaces the backend's whole
// state with it, keeping its UUIDs: what MemBackend.load runs. On error
// nothing changes. The default mode keeps no times (see newBackend), so
// it drops the document's: what it saves again is what it loaded.
func loadState(b *mem.Backend, strict bool, file, data string) error {
	st, err := fixture.Parse(file, []byte(data))
	if err != nil {
		return &backend.Error{Op: "Load", Kind: backend.KindInvalidArgument, Resource: backend.ResourceBackend, Err: err}
	}
	if !strict {
		for i := range st.Volumes {
			vr := &st.Volumes[i]
			vr.Volume.CreateTime = time.Time{}
			for j := range vr.Snapshots {
				vr.Snapshots[j].Snapshot.CreateTime = time.Time{}
			}
		}
	}
	return b.Restore(bg, st)
}
