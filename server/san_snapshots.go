package server

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/ontap"
)

// A LUN is a file in its volume, so a volume snapshot holds the volume's
// LUNs as they were: ONTAP's FlexClone of a snapshot has those LUNs (the
// sizes then, without the LUNs made since), and a SnapRestore makes them
// the volume's LUNs again (sizes back, later LUNs gone, deleted ones
// back). nessie keeps no LUN data, so the store records, for each
// snapshot made through the API of a volume holding LUNs, those LUN trees
// (shared: trees are never modified), and uses them for clones and
// restores. Only snapshots of volumes holding LUNs are recorded, which
// keeps snapshot-heavy NAS use free of the bookkeeping, so a snapshot with
// no record holds no LUN. (Snapshots saved before these records were kept
// count as holding none.)

// imageLocked records the LUNs volumeUUID holds now as snapshot snapUUID's
// (nothing when it holds none); the caller holds the lock.
func (st *sanStore) imageLocked(volumeUUID, snapUUID string) {
	var img map[string]ontap.Extra
	for id, l := range st.luns {
		if ontap.LookupString(l, "location.volume.uuid") == volumeUUID {
			if img == nil {
				img = map[string]ontap.Extra{}
			}
			img[id] = l
		}
	}
	if img != nil {
		st.snapLUNs[snapUUID] = img
		st.imaged[snapUUID] = volumeUUID
	}
}

// lunsAtLocked returns the LUNs snapshot snapUUID holds, by LUN UUID
// (none when it has no record). The caller holds the lock and does not
// modify the map.
func (st *sanStore) lunsAtLocked(snapUUID string) map[string]ontap.Extra {
	return st.snapLUNs[snapUUID]
}

// dropImagesLocked forgets the LUN records of the snapshots keep rejects
// (nil: all) among those of volumeUUID; the caller holds the lock.
func (st *sanStore) dropImagesLocked(volumeUUID string, keep func(snap string) bool) {
	for snap, vol := range st.imaged {
		if vol != volumeUUID || keep != nil && keep(snap) {
			continue
		}
		delete(st.imaged, snap)
		delete(st.snapLUNs, snap)
	}
}

// loadImageLUN adds a saved snapshot LUN record.
func (st *sanStore) loadImageLUN(snapUUID, lunUUID string, l ontap.Extra) {
	img := st.snapLUNs[snapUUID]
	if img == nil {
		img = map[string]ontap.Extra{}
		st.snapLUNs[snapUUID] = img
	}
	img[lunUUID] = l
	st.imaged[snapUUID] = ontap.LookupString(l, "location.volume.uuid")
}

// dropSnapshotImage forgets a deleted snapshot's LUNs.
func (st *sanStore) dropSnapshotImage(volumeUUID, snapUUID string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.dropImagesLocked(volumeUUID, func(snap string) bool { return snap != snapUUID })
}

// atVolume returns a LUN tree placed in the named volume (its path and
// location follow the volume's current name).
func atVolume(l ontap.Extra, volumeUUID, volumeName string) ontap.Extra {
	if ontap.LookupString(l, "location.volume.name") == volumeName {
		return l
	}
	loc, err := ontap.ParseLUNPath("name", ontap.LookupString(l, "name"))
	if err != nil {
		return l
	}
	loc.Volume = volumeName
	return ontap.With(ontap.With(l, "location.volume", ontap.Extra{"name": volumeName, "uuid": volumeUUID}), "name", loc.Path())
}

// imageLoadedSnapshots records, for each snapshot of a volume holding LUNs
// that has no record, the volume's LUNs as they are now. Objects loaded
// from a fixture (which holds no such records: it is ONTAP-shaped) are
// taken to be held by the fixture's snapshots of their volumes.
func (s *Server) imageLoadedSnapshots(ctx context.Context) {
	if s.snaps == nil {
		return
	}
	st := s.san
	st.mu.Lock()
	defer st.mu.Unlock()
	vols := map[string]bool{}
	for _, l := range st.luns {
		vols[ontap.LookupString(l, "location.volume.uuid")] = true
	}
	for vu := range vols {
		id, err := backend.ParseVolumeID(vu)
		if err != nil {
			continue
		}
		snaps, err := s.snaps.ListSnapshots(ctx, id)
		if err != nil {
			continue // the volume is gone: pruneOrphans drops its LUNs
		}
		for _, sn := range snaps {
			if _, ok := st.snapLUNs[sn.ID.String()]; !ok {
				st.imageLocked(vu, sn.ID.String())
			}
		}
	}
}

// createSnapshotWithLUNs makes the snapshot and records the volume's LUNs
// as it holds them, under the SAN lock so that no LUN changes in between.
func (s *Server) createSnapshotWithLUNs(ctx context.Context, volID backend.VolumeID, spec backend.SnapshotSpec) (backend.Snapshot, error) {
	s.san.mu.Lock()
	defer s.san.mu.Unlock()
	sn, err := s.snaps.CreateSnapshot(ctx, volID, spec)
	if err != nil {
		return sn, err
	}
	s.san.imageLocked(volID.String(), sn.ID.String())
	return sn, nil
}

// restoreWithLUNs reverts the volume to the snapshot and its LUNs to the
// snapshot's: a LUN the snapshot holds gets its state then (keeping its
// maps), a LUN made since is deleted with its maps, a LUN deleted since
// comes back unmapped. The records of the snapshots the restore deleted
// are dropped. All under the SAN lock.
func (s *Server) restoreWithLUNs(ctx context.Context, volID backend.VolumeID, snapID backend.SnapshotID) (backend.Volume, error) {
	st := s.san
	st.mu.Lock()
	defer st.mu.Unlock()
	nv, err := s.restoreVolume(ctx, volID, snapID)
	if err != nil {
		return nv, err
	}
	vu := volID.String()
	then := st.lunsAtLocked(snapID.String())
	for id, l := range st.luns {
		if _, kept := then[id]; !kept && ontap.LookupString(l, "location.volume.uuid") == vu {
			st.dropLUN(id)
		}
	}
	for id, l := range then {
		st.luns[id] = atVolume(l, vu, nv.Name)
	}
	if left, err := s.snaps.ListSnapshots(ctx, volID); err == nil {
		live := map[string]bool{}
		for _, sn := range left {
			live[sn.ID.String()] = true
		}
		st.dropImagesLocked(vu, func(snap string) bool { return live[snap] })
	}
	return nv, nil
}

// cloneWithLUNs makes the FlexClone and gives it copies of the LUNs its
// parent held in the clone's snapshot: same paths under the clone's name,
// sizes, os_type and attributes; new UUIDs and serial numbers; no maps. A
// snapshot the clone makes itself (none named) records the parent's LUNs
// now. All under the SAN lock, so that no LUN changes in between.
func (s *Server) cloneWithLUNs(ctx context.Context, spec backend.CloneSpec) (backend.Volume, error) {
	st := s.san
	st.mu.Lock()
	defer st.mu.Unlock()
	v, err := s.clones.CreateClone(ctx, spec)
	if err != nil || v.Clone == nil {
		return v, err
	}
	snap := v.Clone.ParentSnapshotID.String()
	if spec.ParentSnapshot.IsZero() {
		st.imageLocked(spec.ParentVolume.String(), snap)
	}
	for _, l := range st.lunsAtLocked(snap) {
		id := uuid.NewString()
		c := atVolume(l, v.ID.String(), v.Name)
		c = ontap.With(c, "location.volume", ontap.Extra{"name": v.Name, "uuid": v.ID.String()})
		c = ontap.With(c, "uuid", id)
		c = ontap.With(c, "serial_number", ontap.NewLUNSerial())
		c = ontap.With(c, "create_time", time.Now().UTC().Format(ontap.TimeLayout))
		c = ontap.With(c, "_links", selfLink(lunsPath+"/"+id))
		st.luns[id] = c
	}
	return v, nil
}
