package abi

import (
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/mem"
)

// newBackend returns the mem backend of a session: lenient (the
// published package's name rules and delete/clone semantics) unless
// strict. The default mode reports no times (the published package keeps
// no clock), so its backend stamps none either: no clock read per create.
func newBackend(strict bool) *mem.Backend {
	if strict {
		return mem.New(nil)
	}
	return mem.New(&mem.Options{Lenient: true, Now: noClock})
}

func noClock() time.Time { return time.Time{} }

func createSnapshot(b *mem.Backend, vol backend.VolumeID, name string, comment *string) (backend.Snapshot, error) {
	spec := backend.SnapshotSpec{Name: name}
	if comment != nil {
		spec.Comment = *comment
	}
	return b.CreateSnapshot(bg, vol, spec)
}

// createClone clones an existing snapshot. The contract reads a zero
// snapshot ID as "snapshot the parent now"; here it is an ID like any
// other, naming no snapshot (after the parent's existence is checked, as
// the published package orders its errors).
func createClone(b *mem.Backend, vol backend.VolumeID, snap backend.SnapshotID, name string) (backend.Volume, error) {
	if snap.IsZero() {
		if _, err := b.GetVolume(bg, vol); err != nil {
			return backend.Volume{}, err
		}
		return backend.Volume{}, backend.SnapshotNotFound("CreateClone", snap)
	}
	return b.CreateClone(bg, backend.CloneSpec{Name: name, ParentVolume: vol, ParentSnapshot: snap})
}
