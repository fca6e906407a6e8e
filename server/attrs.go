package server

import (
	"sync"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/ontap/schema"
)

// attrStore keeps the ONTAP attribute trees (ontap.Attributes) of volumes
// and snapshots, keyed by object ID, until the backend contract stores
// them with the object. A volume the store does not know reports ONTAP's
// defaults. Entries are immutable; updates replace them.
type attrStore struct {
	mu    sync.RWMutex
	vols  map[backend.VolumeID]*ontap.Attributes
	snaps map[backend.SnapshotID]*ontap.Attributes
}

// volume returns the volume's attributes (ONTAP's defaults if none were
// stored).
func (a *attrStore) volume(id backend.VolumeID) *ontap.Attributes {
	a.mu.RLock()
	v := a.vols[id]
	a.mu.RUnlock()
	if v == nil {
		return ontap.DefaultVolumeAttributes()
	}
	return v
}

func (a *attrStore) setVolume(id backend.VolumeID, v *ontap.Attributes) {
	a.mu.Lock()
	if a.vols == nil {
		a.vols = map[backend.VolumeID]*ontap.Attributes{}
	}
	a.vols[id] = v
	a.mu.Unlock()
}

// patchVolume merges patch into the volume's stored attributes,
// atomically with respect to other updates.
func (a *attrStore) patchVolume(id backend.VolumeID, patch ontap.Extra) {
	if len(patch) == 0 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	cur := a.vols[id]
	if cur == nil {
		cur = ontap.DefaultVolumeAttributes()
	}
	if a.vols == nil {
		a.vols = map[backend.VolumeID]*ontap.Attributes{}
	}
	a.vols[id] = cur.Patch(schema.Volume, patch)
}

func (a *attrStore) deleteVolume(id backend.VolumeID) {
	a.mu.Lock()
	delete(a.vols, id)
	a.mu.Unlock()
}

// snapshot returns the snapshot's attributes, or nil.
func (a *attrStore) snapshot(id backend.SnapshotID) *ontap.Attributes {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.snaps[id]
}

// patchSnapshot merges patch into the snapshot's stored attributes.
func (a *attrStore) patchSnapshot(id backend.SnapshotID, patch ontap.Extra) {
	if len(patch) == 0 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	cur := a.snaps[id]
	if cur == nil {
		cur = &ontap.Attributes{}
	}
	if a.snaps == nil {
		a.snaps = map[backend.SnapshotID]*ontap.Attributes{}
	}
	a.snaps[id] = cur.Patch(schema.Snapshot, patch)
}

func (a *attrStore) deleteSnapshot(id backend.SnapshotID) {
	a.mu.Lock()
	delete(a.snaps, id)
	a.mu.Unlock()
}
