package server

import (
	"context"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/ontap"
)

// A LUN is a file in its volume, so a volume snapshot holds the volume's
// LUNs as they were: ONTAP's FlexClone of a snapshot has those LUNs (the
// sizes then, without the LUNs made since), and a SnapRestore makes them
// the volume's LUNs again (sizes back, later LUNs gone, deleted ones
// back). nessie keeps no LUN data, so the object store records, for each
// snapshot made through the API of a volume holding records of a kind
// that is ontap.Kind.InSnapshots (LUNs), those records as they were (the
// trees are shared: stored trees are never modified), and uses them for
// the snapshot's FlexClones (through the kind's CloneVolume) and restores.
// Only snapshots of volumes holding such records are recorded, which
// keeps snapshot-heavy NAS use free of the bookkeeping, so a snapshot
// with no record holds none. (Snapshots saved before these records were
// kept count as holding none.)
//
// The records are journalled change by change like the store's own, as
// ObjectRecords of kind heldPrefix + the kind's name, key "<snapshot
// uuid>/<record identity>". A fixture carries none (it is ONTAP-shaped:
// the state export leaves them out), so the snapshots of a volume loaded
// from one hold its records as loaded (holdLoaded).

// heldPrefix marks the journal records of what snapshots hold (kind names
// have no colon).
const heldPrefix = "held:"

// snapHeld is what one snapshot holds.
type snapHeld struct {
	vol  string                            // its volume's UUID
	recs map[string]map[string]ontap.Extra // by kind name and identity
}

// volumeField is the field of k's volume parent ("" if it has none).
func volumeField(k *ontap.Kind) string {
	for _, p := range k.Parents {
		if p.Kind == "volume" {
			return p.Field
		}
	}
	return ""
}

// heldTables are the tables of the kinds snapshots hold, with the field
// of their volume parent.
func (st *objectStore) heldTables(fn func(t *kindTable, field string)) {
	for _, t := range st.order {
		if f := volumeField(t.kind); t.kind.InSnapshots && f != "" {
			fn(t, f)
		}
	}
}

// touchHeld notes a change of what snapshot snap holds of kind for the
// journal.
func (st *objectStore) touchHeld(kind, snap, id string) {
	if st.journal != nil {
		st.touchKey(objKey{heldPrefix + kind, snap + "/" + id})
	}
}

// holdLocked records the records the volume holds now as snapshot snap's
// (nothing when it holds none). The caller holds st.mu.
func (st *objectStore) holdLocked(vol, snap string) {
	var h *snapHeld
	st.heldTables(func(t *kindTable, f string) {
		name := t.kind.Name()
		for id, r := range t.recs {
			if ontap.LookupString(r, f+".uuid") != vol {
				continue
			}
			if h == nil {
				h = &snapHeld{vol: vol, recs: map[string]map[string]ontap.Extra{}}
			}
			if h.recs[name] == nil {
				h.recs[name] = map[string]ontap.Extra{}
			}
			h.recs[name][id] = r
			st.touchHeld(name, snap, id)
		}
	})
	if h != nil {
		st.held[snap] = h
	}
}

// forgetHeldLocked forgets what snapshot snap holds.
func (st *objectStore) forgetHeldLocked(snap string) {
	h := st.held[snap]
	if h == nil {
		return
	}
	for kind, recs := range h.recs {
		for id := range recs {
			st.touchHeld(kind, snap, id)
		}
	}
	delete(st.held, snap)
}

// dropHeldLocked forgets what the snapshots of vol hold, except those
// keep accepts (nil: all go).
func (st *objectStore) dropHeldLocked(vol string, keep func(snap string) bool) {
	for snap, h := range st.held {
		if h.vol == vol && (keep == nil || !keep(snap)) {
			st.forgetHeldLocked(snap)
		}
	}
}

// loadHeld adds a saved record snap holds (kind t's, identity id).
func (st *objectStore) loadHeld(t *kindTable, snap, id string, rec ontap.Extra) {
	h := st.held[snap]
	if h == nil {
		h = &snapHeld{vol: ontap.LookupString(rec, volumeField(t.kind)+".uuid"), recs: map[string]map[string]ontap.Extra{}}
		st.held[snap] = h
	}
	name := t.kind.Name()
	if h.recs[name] == nil {
		h.recs[name] = map[string]ontap.Extra{}
	}
	h.recs[name][id] = rec
}

// heldRecord returns the record snap holds of kind with identity id.
func (st *objectStore) heldRecord(kind, snap, id string) (ontap.Extra, bool) {
	h := st.held[snap]
	if h == nil {
		return nil, false
	}
	rec, ok := h.recs[kind][id]
	return rec, ok
}

// restoreHeldLocked makes the records snapshot snap holds the volume's
// again, under the volume's current name: a record the snapshot holds
// gets its state then (what refers to it stays: a LUN keeps its maps),
// one made since is deleted with what cascades from it (its maps), one
// deleted since comes back (unmapped).
func (st *objectStore) restoreHeldLocked(vol, name, snap string) {
	h := st.held[snap]
	st.heldTables(func(t *kindTable, f string) {
		var then map[string]ontap.Extra
		if h != nil {
			then = h.recs[t.kind.Name()]
		}
		for id, r := range t.recs {
			if _, kept := then[id]; kept || ontap.LookupString(r, f+".uuid") != vol {
				continue
			}
			if _, still := t.recs[id]; still {
				st.drop(t, id, r)
			}
		}
		for id, r := range then {
			if ontap.LookupString(r, f+".name") != name {
				r = ontap.With(r, f+".name", name)
				if t.kind.Complete != nil {
					r = t.kind.Complete(r)
				}
			}
			st.setLocked(t, id, r)
		}
	})
}

// involves reports whether a snapshot, clone or restore of vol concerns
// the store: vol holds records of a kind snapshots hold or clones copy,
// or one of its snapshots holds some. Only then does the backend call run
// under the store's lock. Other volumes (every NAS volume) keep their
// snapshots, clones and restores concurrent, which the durable backend's
// group commit needs: under the lock, each would wait for the previous
// one's fsync. A record made while such a call is under way is, like any
// concurrent change, ordered after it.
func (st *objectStore) involves(vol string) bool {
	st.mu.RLock()
	defer st.mu.RUnlock()
	for _, h := range st.held {
		if h.vol == vol {
			return true
		}
	}
	for _, t := range st.order {
		f := volumeField(t.kind)
		if f == "" || !t.kind.InSnapshots && t.kind.CloneVolume == nil {
			continue
		}
		for _, r := range t.recs {
			if ontap.LookupString(r, f+".uuid") == vol {
				return true
			}
		}
	}
	return false
}

// createSnapshotHolding makes the snapshot and records what the volume
// holds as it holds it, under the store's lock so that nothing changes in
// between.
func (s *Server) createSnapshotHolding(ctx context.Context, volID backend.VolumeID, spec backend.SnapshotSpec) (backend.Snapshot, error) {
	st := s.objects
	if !st.involves(volID.String()) {
		return s.snaps.CreateSnapshot(ctx, volID, spec)
	}
	var sn backend.Snapshot
	err := st.do(func() error {
		var err error
		if sn, err = s.snaps.CreateSnapshot(ctx, volID, spec); err != nil {
			return err
		}
		st.holdLocked(volID.String(), sn.ID.String())
		return nil
	})
	return sn, err
}

// forgetSnapshot forgets what a deleted snapshot held.
func (st *objectStore) forgetSnapshot(snap string) error {
	return st.do(func() error {
		st.forgetHeldLocked(snap)
		return nil
	})
}

// restoreHolding reverts the volume to the snapshot (restoreVolume) and
// its records to what the snapshot holds (restoreHeldLocked), and forgets
// what the snapshots the restore deleted held; all under the store's
// lock.
func (s *Server) restoreHolding(ctx context.Context, volID backend.VolumeID, snapID backend.SnapshotID) (backend.Volume, error) {
	st := s.objects
	if !st.involves(volID.String()) {
		return s.restoreVolume(ctx, volID, snapID)
	}
	var nv backend.Volume
	err := st.do(func() error {
		var err error
		if nv, err = s.restoreVolume(ctx, volID, snapID); err != nil {
			return err
		}
		vu := volID.String()
		st.restoreHeldLocked(vu, nv.Name, snapID.String())
		if left, err := s.snaps.ListSnapshots(ctx, volID); err == nil {
			live := make(map[string]bool, len(left))
			for _, sn := range left {
				live[sn.ID.String()] = true
			}
			st.dropHeldLocked(vu, func(snap string) bool { return live[snap] })
		}
		return nil
	})
	return nv, err
}

// cloneHolding makes the FlexClone and gives it the copies of what its
// parent held in the clone's snapshot (cloneVolumeLocked); a snapshot
// the clone makes itself (none named) records what the parent holds now.
// All under the store's lock, so that nothing changes in between.
func (s *Server) cloneHolding(ctx context.Context, spec backend.CloneSpec) (backend.Volume, error) {
	st := s.objects
	if !st.involves(spec.ParentVolume.String()) {
		return s.clones.CreateClone(ctx, spec)
	}
	var v backend.Volume
	err := st.do(func() error {
		var err error
		if v, err = s.clones.CreateClone(ctx, spec); err != nil {
			return err
		}
		parent, snap := spec.ParentVolume.String(), spec.ParentSnapshot.String()
		if v.Clone != nil {
			snap = v.Clone.ParentSnapshotID.String()
		}
		if spec.ParentSnapshot.IsZero() {
			st.holdLocked(parent, snap)
		}
		return st.cloneVolumeLocked(parent, snap, ontap.Extra{"name": v.Name, "uuid": v.ID.String()})
	})
	return v, err
}

// holdLoaded records, for each snapshot without a record of a volume
// holding records snapshots hold, those records as they are now: objects
// loaded from a fixture (which has no such records) are held by the
// fixture's snapshots of their volumes.
func (s *Server) holdLoaded(ctx context.Context) {
	if s.snaps == nil {
		return
	}
	st := s.objects
	st.mu.Lock()
	defer st.mu.Unlock()
	vols := map[string]bool{}
	st.heldTables(func(t *kindTable, f string) {
		for _, r := range t.recs {
			vols[ontap.LookupString(r, f+".uuid")] = true
		}
	})
	for vu := range vols {
		id, err := backend.ParseVolumeID(vu)
		if err != nil {
			continue
		}
		snaps, err := s.snaps.ListSnapshots(ctx, id)
		if err != nil {
			continue // the volume is gone: pruneOrphans drops its records
		}
		for _, sn := range snaps {
			if _, ok := st.held[sn.ID.String()]; !ok {
				st.holdLocked(vu, sn.ID.String())
			}
		}
	}
}

// prunableHeld lists the snapshots whose records are kept though the
// snapshot is gone (a crash after its delete, a restore's or its volume's,
// before the records were dropped); live are the volumes there are. A
// volume whose snapshots cannot be listed keeps its records. The caller
// holds st.mu.
func (s *Server) prunableHeld(ctx context.Context, live map[string]bool) []string {
	var gone []string
	snaps := map[string]map[string]bool{} // by volume: its snapshots (nil: unknown)
	for snap, h := range s.objects.held {
		if !live[h.vol] || s.snaps == nil {
			gone = append(gone, snap)
			continue
		}
		there, ok := snaps[h.vol]
		if !ok {
			if id, err := backend.ParseVolumeID(h.vol); err == nil {
				if list, err := s.snaps.ListSnapshots(ctx, id); err == nil {
					there = make(map[string]bool, len(list))
					for _, sn := range list {
						there[sn.ID.String()] = true
					}
				}
			}
			snaps[h.vol] = there
		}
		if there != nil && !there[snap] {
			gone = append(gone, snap)
		}
	}
	return gone
}
