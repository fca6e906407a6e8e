package abi

import (
	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/mem"
)

// newBackend returns the mem backend of a session. TODO(contract): lenient
// unless strict, once mem.Options.Lenient lands.
func newBackend(strict bool) *mem.Backend {
	return mem.New(nil)
}

func createSnapshot(b *mem.Backend, vol backend.VolumeID, name string, comment *string) (backend.Snapshot, error) {
	snap, err := b.CreateSnapshot(bg, vol, name)
	if err == nil && comment != nil {
		return b.PatchSnapshot(bg, vol, snap.ID, backend.SnapshotPatch{Comment: comment})
	}
	return snap, err
}

func createClone(b *mem.Backend, vol backend.VolumeID, snap backend.SnapshotID, name string) (backend.Volume, error) {
	return b.CreateClone(bg, vol, snap, name)
}
