package server

import (
	"sync"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/ontap"
)

// attrStore keeps the settings clients set that the backend does not model
// (ontap.VolumeAttrs, ontap.SnapshotAttrs), keyed by object ID, so a GET
// reads back what a POST or PATCH set. A volume the store does not know
// reports ONTAP's defaults. Entries are immutable values; updates replace
// them.
type attrStore struct {
	mu    sync.RWMutex
	vols  map[backend.VolumeID]*ontap.VolumeAttrs
	snaps map[backend.SnapshotID]*ontap.SnapshotAttrs
}

var defaultVolumeAttrs = ontap.DefaultVolumeAttrs()

// volume returns the volume's attributes; the result must not be
// modified.
func (a *attrStore) volume(id backend.VolumeID) *ontap.VolumeAttrs {
	a.mu.RLock()
	v := a.vols[id]
	a.mu.RUnlock()
	if v == nil {
		return &defaultVolumeAttrs
	}
	return v
}

func (a *attrStore) setVolume(id backend.VolumeID, v ontap.VolumeAttrs) {
	if v == defaultVolumeAttrs {
		a.deleteVolume(id)
		return
	}
	a.mu.Lock()
	if a.vols == nil {
		a.vols = map[backend.VolumeID]*ontap.VolumeAttrs{}
	}
	a.vols[id] = &v
	a.mu.Unlock()
}

// updateVolume applies fn to a copy of the volume's attributes and stores
// the result, atomically with respect to other updates.
func (a *attrStore) updateVolume(id backend.VolumeID, fn func(*ontap.VolumeAttrs)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	v := defaultVolumeAttrs
	if cur := a.vols[id]; cur != nil {
		v = *cur
	}
	fn(&v)
	if v == defaultVolumeAttrs {
		delete(a.vols, id)
		return
	}
	if a.vols == nil {
		a.vols = map[backend.VolumeID]*ontap.VolumeAttrs{}
	}
	a.vols[id] = &v
}

func (a *attrStore) deleteVolume(id backend.VolumeID) {
	a.mu.Lock()
	delete(a.vols, id)
	a.mu.Unlock()
}

// snapshot returns the snapshot's attributes, or nil.
func (a *attrStore) snapshot(id backend.SnapshotID) *ontap.SnapshotAttrs {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.snaps[id]
}

// updateSnapshot is updateVolume for snapshots.
func (a *attrStore) updateSnapshot(id backend.SnapshotID, fn func(*ontap.SnapshotAttrs)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var v ontap.SnapshotAttrs
	if cur := a.snaps[id]; cur != nil {
		v = *cur
	}
	fn(&v)
	if v == (ontap.SnapshotAttrs{}) {
		delete(a.snaps, id)
		return
	}
	if a.snaps == nil {
		a.snaps = map[backend.SnapshotID]*ontap.SnapshotAttrs{}
	}
	a.snaps[id] = &v
}

func (a *attrStore) deleteSnapshot(id backend.SnapshotID) {
	a.mu.Lock()
	delete(a.snaps, id)
	a.mu.Unlock()
}
