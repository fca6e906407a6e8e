package backendtest

import (
	"fmt"
	"time"

	"github.com/nessie-go/nessie/backend"
)

// restoreCases check the optional backend.Restorer interface. They run
// only for a backend that implements it, with the clone tier, and not
// with Options.Teardown: Restore replaces the whole state, which on a
// shared backend would wipe other users' volumes.
func restoreCases() []testCase {
	return []testCase{
		{
			name:     "Restore/Export/RoundTripIsIdentical",
			tier:     tierClone,
			restorer: true,
			rule:     "Export reports every volume, snapshot (with the volume's size when it was taken) and clone origin as the reads do, parents first; restoring that export, into the same backend or a fresh one, gives back an identical export with the same IDs and times, and reads equal to the originals",
			run:      restoreRoundTrip,
		},
		{
			name:     "Restore/Invalid/ChangesNothing",
			tier:     tierClone,
			restorer: true,
			rule:     "Restore of an invalid state (invalid or duplicate name, missing or duplicate UUID, a clone of a snapshot the state lacks, a non-object attribute) is ErrInvalidArgument and leaves the previous state exactly as it was",
			run:      restoreInvalid,
		},
		{
			name:     "Restore/Then/ContractHolds",
			tier:     tierClone,
			restorer: true,
			rule:     "after Restore the contract holds on the restored objects: their names are taken and the names of volumes held before are free, a clone's parent snapshot and volume refuse deletion with ErrInUse, a new clone gets the size recorded for its snapshot, a parent's rename shows in its clone's origin, and a split releases the snapshot",
			run:      restoreThenContract,
		},
	}
}

func (e *env) restorer() backend.Restorer { return e.b.(backend.Restorer) }

func (e *env) export(b backend.Restorer) *backend.State {
	e.r.Helper()
	st, err := b.Export(e.ctx)
	if err != nil {
		e.fatalf("Export: %v", err)
	}
	return st
}

// stateDiff describes how two states differ ("" if they do not): the
// same volumes in the same order, each equal with equal snapshots.
func stateDiff(got, want *backend.State) string {
	if len(got.Volumes) != len(want.Volumes) {
		return fmt.Sprintf("%d volumes, want %d", len(got.Volumes), len(want.Volumes))
	}
	for i := range got.Volumes {
		g, w := &got.Volumes[i], &want.Volumes[i]
		if d := volumeDiff(g.Volume, w.Volume); d != "" {
			return fmt.Sprintf("volumes[%d] (%q): %s", i, w.Volume.Name, d)
		}
		if len(g.Snapshots) != len(w.Snapshots) {
			return fmt.Sprintf("volumes[%d] (%q): %d snapshots, want %d", i, w.Volume.Name, len(g.Snapshots), len(w.Snapshots))
		}
		for j := range g.Snapshots {
			if d := snapshotDiff(g.Snapshots[j].Snapshot, w.Snapshots[j].Snapshot); d != "" {
				return fmt.Sprintf("volumes[%d] (%q) snapshots[%d]: %s", i, w.Volume.Name, j, d)
			}
			if gs, ws := g.Snapshots[j].VolumeSize, w.Snapshots[j].VolumeSize; gs != ws {
				return fmt.Sprintf("volumes[%d] (%q) snapshots[%d]: volume size %v, want %v", i, w.Volume.Name, j, gs, ws)
			}
		}
	}
	return ""
}

// attrs returns a if the backend keeps attributes, else nil.
func (e *env) attrs(a string) []byte {
	if e.o.NoAttributes {
		return nil
	}
	return []byte(a)
}

func restoreRoundTrip(e *env) {
	p := e.createVolume(backend.VolumeSpec{Name: e.name("parent"), Size: backend.Bytes(gib), JunctionPath: "/" + e.name("parent"),
		ExportPolicy: "default", Comment: "parent", Attributes: e.attrs(`{"tiering":{"policy":"none"}}`)})
	s1 := e.snapshot(p.ID, "one")
	e.patch(p.ID, backend.VolumePatch{Size: new(backend.Bytes(2 * gib))})
	s2, err := e.s.CreateSnapshot(e.ctx, p.ID, backend.SnapshotSpec{Name: e.name("two"), Comment: "second", Attributes: e.attrs(`{"label":"daily"}`)})
	e.ok("CreateSnapshot", err)
	e.patch(p.ID, backend.VolumePatch{Size: new(backend.Unlimited)})
	c := e.clone(p.ID, s1.ID, "clone")
	cs := e.snapshot(c.ID, "of_clone")
	e.clone(c.ID, cs.ID, "grandclone")
	off := e.createVolume(backend.VolumeSpec{Name: e.name("offline"), State: backend.StateOffline, Size: backend.Bytes(gib)})
	_ = s2

	st := e.export(e.restorer())
	seen := map[backend.VolumeID]bool{}
	for i, vr := range st.Volumes {
		if c := vr.Volume.Clone; c != nil && !seen[c.ParentVolumeID] {
			e.errorf("Export: volumes[%d] (%q) comes before its parent %s", i, vr.Volume.Name, c.ParentVolumeID)
		}
		seen[vr.Volume.ID] = true
		e.stored(fmt.Sprintf("Export: volumes[%d]", i), vr.Volume)
		ss := make([]backend.Snapshot, len(vr.Snapshots))
		for j, s := range vr.Snapshots {
			ss[j] = s.Snapshot
		}
		e.snapsUnchanged(fmt.Sprintf("Export: volumes[%d] snapshots", i), vr.Volume.ID, ss)
	}
	if len(st.Volumes) != 4 {
		e.fatalf("Export: %d volumes, want the 4 created", len(st.Volumes))
	}
	sizes := map[backend.SnapshotID]backend.Size{}
	for _, vr := range st.Volumes {
		for _, s := range vr.Snapshots {
			sizes[s.Snapshot.ID] = s.VolumeSize
		}
	}
	if sizes[s1.ID] != backend.Bytes(gib) || sizes[s2.ID] != backend.Bytes(2*gib) || sizes[cs.ID] != backend.Bytes(gib) {
		e.errorf("Export: snapshots' volume sizes %v, %v, %v; want 1 GiB, 2 GiB, 1 GiB", sizes[s1.ID], sizes[s2.ID], sizes[cs.ID])
	}

	// Into the same backend, after changes that the restore must undo.
	e.patch(off.ID, backend.VolumePatch{Name: new(e.name("renamed"))})
	extra := e.volume("extra")
	e.ok("Restore", e.restorer().Restore(e.ctx, st))
	if d := stateDiff(e.export(e.restorer()), st); d != "" {
		e.errorf("export after restoring an export into the same backend: %s", d)
	}
	e.gone("a volume created after the export, after Restore", extra.ID)
	for _, vr := range st.Volumes {
		e.stored("after Restore", vr.Volume)
	}

	// Into a fresh backend.
	fresh, ok := e.peer().(backend.Restorer)
	if !ok {
		e.fatalf("the second backend is not a Restorer")
	}
	e.ok("Restore into a fresh backend", fresh.Restore(e.ctx, st))
	if d := stateDiff(e.export(fresh), st); d != "" {
		e.errorf("export after restoring into a fresh backend: %s", d)
	}
	if got, err := fresh.(backend.VolumeBackend).GetVolume(e.ctx, c.ID); err != nil {
		e.errorf("fresh backend: GetVolume(clone): %v", err)
	} else if d := volumeDiff(got, c); d != "" {
		e.errorf("fresh backend: the clone differs from the original: %s", d)
	}
}

func restoreInvalid(e *env) {
	p := e.volume("kept")
	s := e.snapshot(p.ID, "snap")
	e.clone(p.ID, s.ID, "kept_clone")
	before := e.export(e.restorer())
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	vol := func(name string) backend.VolumeRecord {
		return backend.VolumeRecord{Volume: backend.Volume{ID: backend.NewVolumeID(), Name: e.name(name), Size: backend.Bytes(gib),
			State: backend.StateOnline, Style: backend.StyleFlexVol, Type: backend.TypeRW, CreateTime: at}}
	}
	good := vol("good")
	dup := vol("dup")
	dup.Volume.ID = good.Volume.ID
	sameName := vol("same")
	sameName.Volume.Name = good.Volume.Name
	noID := vol("noid")
	noID.Volume.ID = backend.VolumeID{}
	badName := vol("bad")
	badName.Volume.Name = "a/b"
	orphan := vol("orphan")
	orphan.Volume.Clone = &backend.CloneOrigin{ParentVolumeID: good.Volume.ID, ParentSnapshotID: backend.NewSnapshotID()}
	twoSnaps := vol("twosnaps")
	sid := backend.NewSnapshotID()
	twoSnaps.Snapshots = []backend.SnapshotRecord{
		{Snapshot: backend.Snapshot{ID: sid, Name: "a", CreateTime: at}, VolumeSize: backend.Bytes(gib)},
		{Snapshot: backend.Snapshot{ID: sid, Name: "b", CreateTime: at}, VolumeSize: backend.Bytes(gib)},
	}
	badAttrs := vol("attrs")
	badAttrs.Volume.Attributes = []byte(`[1]`)
	for _, c := range []struct {
		why string
		vs  []backend.VolumeRecord
	}{
		{"a UUID used twice", []backend.VolumeRecord{good, dup}},
		{"a name used twice", []backend.VolumeRecord{good, sameName}},
		{"a missing UUID", []backend.VolumeRecord{good, noID}},
		{"an invalid name", []backend.VolumeRecord{good, badName}},
		{"a clone of a snapshot the state lacks", []backend.VolumeRecord{good, orphan}},
		{"a snapshot UUID used twice", []backend.VolumeRecord{good, twoSnaps}},
		{"attributes that are not an object", []backend.VolumeRecord{good, badAttrs}},
	} {
		err := e.restorer().Restore(e.ctx, &backend.State{Volumes: c.vs})
		e.want("Restore of a state with "+c.why, err, backend.ErrInvalidArgument)
		if d := stateDiff(e.export(e.restorer()), before); d != "" {
			e.errorf("Restore of a state with %s changed the backend: %s", c.why, d)
		}
	}
}

func restoreThenContract(e *env) {
	old := e.volume("before")
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	pid, cid := backend.NewVolumeID(), backend.NewVolumeID()
	s1, s2 := backend.NewSnapshotID(), backend.NewSnapshotID()
	st := &backend.State{Volumes: []backend.VolumeRecord{
		// The clone first: Restore accepts any order.
		{Volume: backend.Volume{ID: cid, Name: e.name("clone"), Size: backend.Bytes(gib), State: backend.StateOnline,
			Style: backend.StyleFlexVol, Type: backend.TypeRW, CreateTime: at.Add(time.Hour),
			Clone: &backend.CloneOrigin{ParentVolumeID: pid, ParentSnapshotID: s1}}},
		{Volume: backend.Volume{ID: pid, Name: e.name("parent"), Size: backend.Bytes(3 * gib), State: backend.StateOnline,
			Style: backend.StyleFlexVol, Type: backend.TypeRW, CreateTime: at},
			Snapshots: []backend.SnapshotRecord{
				{Snapshot: backend.Snapshot{ID: s1, Name: e.name("s1"), CreateTime: at}, VolumeSize: backend.Bytes(gib)},
				{Snapshot: backend.Snapshot{ID: s2, Name: e.name("s2"), CreateTime: at.Add(time.Minute)}, VolumeSize: backend.Bytes(2 * gib)},
			}},
	}}
	e.ok("Restore", e.restorer().Restore(e.ctx, st))
	e.gone("a volume held before Restore", old.ID)
	c := e.get(cid)
	if c.Clone == nil || c.Clone.ParentVolume != e.name("parent") || c.Clone.ParentSnapshot != e.name("s1") ||
		c.Clone.ParentVolumeID != pid || c.Clone.ParentSnapshotID != s1 || !c.CreateTime.Equal(at.Add(time.Hour)) {
		e.errorf("restored clone: origin %+v, create time %v; want %s/%s (%s/%s), %v", c.Clone, c.CreateTime,
			e.name("parent"), e.name("s1"), pid, s1, at.Add(time.Hour))
	}
	if v, err := e.b.VolumeByName(e.ctx, e.name("parent")); err != nil || v.ID != pid {
		e.errorf("VolumeByName(restored parent) = %s, %v; want %s", v.ID, err, pid)
	}
	_, err := e.b.CreateVolume(e.ctx, e.spec("parent"))
	e.want("CreateVolume with a restored volume's name", err, backend.ErrAlreadyExists)
	e.createVolume(e.spec("before")) // the name held before the restore is free
	e.want("DeleteSnapshot of the restored clone's parent snapshot", e.s.DeleteSnapshot(e.ctx, pid, s1), backend.ErrInUse)
	e.want("DeleteVolume of the restored clone's parent", e.b.DeleteVolume(e.ctx, pid), backend.ErrInUse)
	if n := e.clone(pid, s2, "new_clone"); n.Size != backend.Bytes(2*gib) {
		e.errorf("a clone of a restored snapshot has size %v, want the recorded 2 GiB", n.Size)
	}
	e.patch(pid, backend.VolumePatch{Name: new(e.name("parent_renamed"))})
	if c := e.get(cid); c.Clone == nil || c.Clone.ParentVolume != e.name("parent_renamed") {
		e.errorf("after renaming the parent, the restored clone's origin is %+v", c.Clone)
	}
	_, err = e.c.SplitClone(e.ctx, cid)
	e.ok("SplitClone", err)
	e.ok("DeleteSnapshot of the released parent snapshot", e.s.DeleteSnapshot(e.ctx, pid, s1))
}
