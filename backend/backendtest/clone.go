package backendtest

import (
	"fmt"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/internal/text"
)

// cloneCases check the clone tier.
func cloneCases() []testCase {
	return []testCase{
		{
			name: "Clone/Lifecycle/CreateGetDelete",
			tier: tierClone,
			rule: "a clone keeps its name, is a clone whose origin names the parent volume and snapshot, is found by GetVolume, and clone, snapshot and parent can then be deleted in that order (upstream C-1..C-8)",
			run:  cloneLifecycle,
		},
		{
			name: "Clone/Create/ReturnsTheStoredClone",
			tier: tierClone,
			rule: "CreateClone returns the stored clone: a new ID, the given name, online, flexvol, rw, a creation time, and an origin with the parent's and snapshot's names and IDs; GetVolume and ListVolumes return an equal volume",
			run:  cloneReturnsStored,
		},
		{
			name: "Clone/Create/InheritsTheSizeAtSnapshotTime",
			tier: tierClone,
			rule: "a clone starts with the size its parent had when the snapshot was taken, not the parent's current size (unlimited included)",
			run: func(e *env) {
				p := e.volume("parent") // 1 GiB
				s1 := e.snapshot(p.ID, "one")
				e.patch(p.ID, backend.VolumePatch{Size: new(backend.Bytes(2 * gib))})
				s2 := e.snapshot(p.ID, "two")
				e.patch(p.ID, backend.VolumePatch{Size: new(backend.Unlimited)})
				s3 := e.snapshot(p.ID, "three")
				e.patch(p.ID, backend.VolumePatch{Size: new(backend.Bytes(4 * gib))})
				for _, c := range []struct {
					snap backend.Snapshot
					want backend.Size
				}{{s1, backend.Bytes(gib)}, {s2, backend.Bytes(2 * gib)}, {s3, backend.Unlimited}} {
					cl := e.clone(p.ID, c.snap.ID, "of_"+c.snap.Name)
					if cl.Size != c.want {
						e.errorf("clone of the snapshot taken at size %v has size %v", c.want, cl.Size)
					}
					e.stored("clone", cl)
				}
			},
		},
		{
			name: "Clone/Create/NamesShareTheVolumeNamespace",
			tier: tierClone,
			rule: "clones and volumes share one namespace: a clone cannot take a volume's name, nor a volume (by create or rename) a clone's, each refused with ErrAlreadyExists and no effect",
			run:  cloneNamespace,
		},
		{
			name: "Clone/Create/UnknownParentIsVolumeNotFound",
			tier: tierClone,
			rule: "CreateClone checks the parent volume first: an unknown parent is ErrVolumeNotFound even with a bad snapshot or an invalid or taken name",
			run: func(e *env) {
				p := e.volume("parent")
				s := e.snapshot(p.ID, "snap")
				for _, args := range []struct {
					snap backend.SnapshotID
					name string
				}{{s.ID, e.name("c1")}, {backend.NewSnapshotID(), e.name("c2")}, {s.ID, ""}, {s.ID, p.Name}} {
					_, err := e.c.CreateClone(e.ctx, backend.CloneSpec{ParentVolume: backend.NewVolumeID(), ParentSnapshot: args.snap, Name: args.name})
					e.want(fmt.Sprintf("CreateClone(unknown parent, name %q)", args.name), err, backend.ErrVolumeNotFound)
				}
			},
		},
		{
			name: "Clone/Create/UnknownSnapshotIsSnapshotNotFound",
			tier: tierClone,
			rule: "CreateClone checks the snapshot second: a snapshot the parent does not have (a fresh ID, or another volume's snapshot) is ErrSnapshotNotFound even with an invalid or taken name",
			run: func(e *env) {
				p, q := e.volume("parent"), e.volume("other")
				e.snapshot(p.ID, "mine")
				theirs := e.snapshot(q.ID, "theirs")
				for _, snap := range []backend.SnapshotID{backend.NewSnapshotID(), theirs.ID} {
					for _, name := range []string{e.name("c"), "", q.Name} {
						_, err := e.c.CreateClone(e.ctx, backend.CloneSpec{ParentVolume: p.ID, ParentSnapshot: snap, Name: name})
						e.want(fmt.Sprintf("CreateClone(unknown snapshot, name %q)", name), err, backend.ErrSnapshotNotFound)
					}
				}
				if n := countNamed(e.list(), e.name("c")); n != 0 {
					e.errorf("refused clones left %d volumes behind", n)
				}
			},
		},
		{
			name: "Clone/Create/InvalidNameIsInvalidArgument",
			tier: tierClone,
			rule: "CreateClone rejects an invalid name with ErrInvalidArgument, creating nothing and leaving the snapshot free to delete",
			run: func(e *env) {
				p := e.volume("parent")
				s := e.snapshot(p.ID, "snap")
				for _, n := range e.invalidNames() {
					_, err := e.c.CreateClone(e.ctx, backend.CloneSpec{ParentVolume: p.ID, ParentSnapshot: s.ID, Name: n.name})
					e.want(fmt.Sprintf("CreateClone with a name that is %s", n.why), err, backend.ErrInvalidArgument)
				}
				for _, v := range e.list() {
					if v.Clone != nil && v.Clone.ParentVolumeID == p.ID {
						e.errorf("a refused CreateClone left clone %q behind", text.Truncate(v.Name, 40))
					}
				}
				e.ok("DeleteSnapshot after refused clones", e.c.DeleteSnapshot(e.ctx, p.ID, s.ID))
			},
		},
		{
			name: "Clone/IsAFullVolume/WithSnapshotsPatchesAndClonesOfItsOwn",
			tier: tierClone,
			rule: "a clone is a full volume: it can be patched, snapshotted, restored and cloned, and a clone of a clone records the clone as its parent",
			run:  cloneIsFullVolume,
		},
		{
			name: "Clone/Origin/FollowsRenamesOfTheParentVolumeAndSnapshot",
			tier: tierClone,
			rule: "a clone's origin is stored by ID and rendered by current name: after the parent volume and snapshot are renamed, GetVolume and ListVolumes show the new names and the same IDs",
			run: func(e *env) {
				p := e.volume("parent")
				s := e.snapshot(p.ID, "snap")
				c := e.clone(p.ID, s.ID, "clone")
				e.patch(p.ID, backend.VolumePatch{Name: new(e.name("parent2"))})
				_, err := e.c.PatchSnapshot(e.ctx, p.ID, s.ID, backend.SnapshotPatch{Name: new(e.name("snap2"))})
				e.ok("PatchSnapshot(rename)", err)
				want := c
				want.Clone = &backend.CloneOrigin{ParentVolume: e.name("parent2"), ParentSnapshot: e.name("snap2"), ParentVolumeID: p.ID, ParentSnapshotID: s.ID}
				e.stored("after renaming the parent and its snapshot", want)
			},
		},
		{
			name: "Clone/Delete/SnapshotInUseByCloneIsInUse",
			tier: tierClone,
			rule: "DeleteSnapshot is refused with ErrInUse while an unsplit clone depends on the snapshot, changing nothing; once the clone is deleted the snapshot can be deleted",
			run: func(e *env) {
				p := e.volume("parent")
				s := e.snapshot(p.ID, "snap")
				c := e.clone(p.ID, s.ID, "clone")
				before := e.snaps(p.ID)
				e.want("DeleteSnapshot of a snapshot backing a clone", e.c.DeleteSnapshot(e.ctx, p.ID, s.ID), backend.ErrInUse)
				e.snapsUnchanged("after the refused delete", p.ID, before)
				e.unchanged("clone after the refused delete", c)
				e.ok("DeleteVolume(clone)", e.c.DeleteVolume(e.ctx, c.ID))
				e.ok("DeleteSnapshot once the clone is gone", e.c.DeleteSnapshot(e.ctx, p.ID, s.ID))
			},
		},
		{
			name: "Clone/Delete/VolumeWithASnapshotBackingACloneIsInUse",
			tier: tierClone,
			rule: "DeleteVolume is refused with ErrInUse while an unsplit clone depends on one of the volume's snapshots, and then deletes nothing (no snapshot either); once the clone is deleted the volume can be deleted",
			run: func(e *env) {
				p := e.volume("parent")
				e.snapshot(p.ID, "one")
				s2 := e.snapshot(p.ID, "two")
				e.snapshot(p.ID, "three")
				c := e.clone(p.ID, s2.ID, "clone")
				before := e.snaps(p.ID)
				e.want("DeleteVolume of a parent with a clone", e.c.DeleteVolume(e.ctx, p.ID), backend.ErrInUse)
				e.unchanged("parent after the refused delete", p)
				e.snapsUnchanged("parent after the refused delete", p.ID, before)
				e.unchanged("clone after the refused delete", c)
				e.ok("DeleteVolume(clone)", e.c.DeleteVolume(e.ctx, c.ID))
				e.ok("DeleteVolume(parent) once the clone is gone", e.c.DeleteVolume(e.ctx, p.ID))
				e.gone("parent", p.ID)
			},
		},
		{
			name: "Clone/Delete/ChainsAreReleasedLeafFirst",
			tier: tierClone,
			rule: "dependencies chain: a clone that has a clone of its own is in use, as is the original parent, until the leaf clone is deleted",
			run: func(e *env) {
				p := e.volume("parent")
				s := e.snapshot(p.ID, "snap")
				c := e.clone(p.ID, s.ID, "child")
				cs := e.snapshot(c.ID, "childsnap")
				g := e.clone(c.ID, cs.ID, "grandchild")
				e.want("DeleteVolume(child with a clone)", e.c.DeleteVolume(e.ctx, c.ID), backend.ErrInUse)
				e.want("DeleteVolume(parent)", e.c.DeleteVolume(e.ctx, p.ID), backend.ErrInUse)
				e.unchanged("child", c)
				e.ok("DeleteVolume(grandchild)", e.c.DeleteVolume(e.ctx, g.ID))
				e.ok("DeleteVolume(child)", e.c.DeleteVolume(e.ctx, c.ID))
				e.ok("DeleteVolume(parent)", e.c.DeleteVolume(e.ctx, p.ID))
			},
		},
		{
			name: "Clone/Split/ClearsTheOriginAndReleasesTheSnapshot",
			tier: tierClone,
			rule: "SplitClone clears the origin (keeping ID, name and size) and returns the volume as stored; the parent snapshot and volume can then be deleted and the split volume lives on",
			run: func(e *env) {
				p := e.volume("parent")
				s := e.snapshot(p.ID, "snap")
				c := e.clone(p.ID, s.ID, "clone")
				got, err := e.c.SplitClone(e.ctx, c.ID)
				e.ok("SplitClone", err)
				want := c
				want.Clone, want.UsedBytes = nil, got.UsedBytes
				if d := volumeDiff(got, want); d != "" {
					e.errorf("SplitClone returned %s", d)
				}
				e.stored("after SplitClone", got)
				e.ok("DeleteSnapshot after the split", e.c.DeleteSnapshot(e.ctx, p.ID, s.ID))
				e.ok("DeleteVolume(parent) after the split", e.c.DeleteVolume(e.ctx, p.ID))
				e.stored("split volume after its parent's deletion", got)
			},
		},
		{
			name: "Clone/Split/NonCloneIsInvalidArgument",
			tier: tierClone,
			rule: "SplitClone of a volume that is not a clone (never was, or already split) fails with ErrInvalidArgument and changes nothing",
			run: func(e *env) {
				v := e.volume("plain")
				_, err := e.c.SplitClone(e.ctx, v.ID)
				e.want("SplitClone of a plain volume", err, backend.ErrInvalidArgument)
				e.unchanged("plain volume", v)
				s := e.snapshot(v.ID, "snap")
				c := e.clone(v.ID, s.ID, "clone")
				split, err := e.c.SplitClone(e.ctx, c.ID)
				e.ok("SplitClone", err)
				_, err = e.c.SplitClone(e.ctx, c.ID)
				e.want("second SplitClone", err, backend.ErrInvalidArgument)
				e.unchanged("split volume", split)
			},
		},
		{
			name: "Clone/Split/UnknownVolumeIsVolumeNotFound",
			tier: tierClone,
			rule: "SplitClone of an ID that names no live volume fails with ErrVolumeNotFound",
			run: func(e *env) {
				_, err := e.c.SplitClone(e.ctx, backend.NewVolumeID())
				e.want("SplitClone of a fresh ID", err, backend.ErrVolumeNotFound)
			},
		},
		{
			name: "Clone/Restore/NewerSnapshotBackingACloneIsInUse",
			tier: tierClone,
			rule: "RestoreSnapshot is refused with ErrInUse, changing nothing, if a snapshot it would delete backs an unsplit clone; restoring to the clone's own snapshot is fine",
			run: func(e *env) {
				v := e.volume("vol")
				s1 := e.snapshot(v.ID, "one")
				e.patch(v.ID, backend.VolumePatch{Size: new(backend.Bytes(2 * gib))})
				s2 := e.snapshot(v.ID, "two")
				c := e.clone(v.ID, s2.ID, "clone")
				cur := e.patch(v.ID, backend.VolumePatch{Size: new(backend.Bytes(3 * gib))})
				before := e.snaps(v.ID)
				_, err := e.c.RestoreSnapshot(e.ctx, v.ID, s1.ID)
				e.want("RestoreSnapshot past a snapshot backing a clone", err, backend.ErrInUse)
				e.unchanged("after the refused restore", cur)
				e.snapsUnchanged("after the refused restore", v.ID, before)
				got, err := e.c.RestoreSnapshot(e.ctx, v.ID, s2.ID)
				e.ok("RestoreSnapshot to the clone's snapshot", err)
				if got.Size != backend.Bytes(2*gib) {
					e.errorf("restored size %v, want %d", got.Size, 2*gib)
				}
				e.unchanged("clone", c)
			},
		},
		{
			name: "Clone/Values/ReturnedOriginsBelongToTheCaller",
			tier: tierClone,
			rule: "values a backend returns belong to the caller: mutating the clone origin of a volume from CreateClone, GetVolume, ListVolumes or PatchVolume never changes what the backend reports",
			run:  cloneValuesOwned,
		},
	}
}

func cloneLifecycle(e *env) {
	p := e.volume("parent")           // C-1
	s := e.snapshot(p.ID, "snap")     // C-2
	c := e.clone(p.ID, s.ID, "clone") // C-3
	if c.Name != e.name("clone") {
		e.errorf("C-3: CreateClone returned name %q, want %q", c.Name, e.name("clone"))
	}
	if !c.IsClone() { // C-4
		e.fatalf("C-4: CreateClone returned a volume that is not a clone")
	}
	if c.Clone.ParentVolume != p.Name { // C-5
		e.errorf("C-5: origin parent volume %q, want %q", c.Clone.ParentVolume, p.Name)
	}
	if c.Clone.ParentSnapshot != s.Name { // C-6
		e.errorf("C-6: origin parent snapshot %q, want %q", c.Clone.ParentSnapshot, s.Name)
	}
	e.get(c.ID) // C-7
	e.ok("C-8: DeleteVolume(clone)", e.c.DeleteVolume(e.ctx, c.ID))
	e.ok("C-8: DeleteSnapshot", e.c.DeleteSnapshot(e.ctx, p.ID, s.ID))
	e.ok("C-8: DeleteVolume(parent)", e.c.DeleteVolume(e.ctx, p.ID))
}

func cloneReturnsStored(e *env) {
	p := e.createVolume(backend.VolumeSpec{Name: e.name("parent"), Size: backend.Bytes(2 * gib), Comment: "parent"})
	s := e.snapshot(p.ID, "snap")
	before := time.Now()
	c := e.clone(p.ID, s.ID, "clone")
	after := time.Now()
	if c.ID.IsZero() || c.ID == p.ID {
		e.errorf("clone ID %s is nil or the parent's", c.ID)
	}
	want := backend.Volume{ID: c.ID, Name: e.name("clone"), Size: backend.Bytes(2 * gib), State: backend.StateOnline,
		Style: backend.StyleFlexVol, Type: backend.TypeRW,
		Clone:        &backend.CloneOrigin{ParentVolume: p.Name, ParentSnapshot: s.Name, ParentVolumeID: p.ID, ParentSnapshotID: s.ID},
		JunctionPath: c.JunctionPath, ExportPolicy: c.ExportPolicy, Comment: c.Comment, CreateTime: c.CreateTime, UsedBytes: c.UsedBytes}
	if d := volumeDiff(c, want); d != "" {
		e.errorf("CreateClone returned %s", d)
	}
	e.saneTime("CreateClone", c.CreateTime, before, after)
	e.stored("CreateClone", c)
	e.unchanged("parent after CreateClone", p)
}

func cloneNamespace(e *env) {
	v := e.volume("vol")
	s := e.snapshot(v.ID, "snap")
	_, err := e.c.CreateClone(e.ctx, backend.CloneSpec{ParentVolume: v.ID, ParentSnapshot: s.ID, Name: v.Name})
	e.want("CreateClone with a volume's name", err, backend.ErrAlreadyExists)
	c := e.clone(v.ID, s.ID, "clone")
	_, err = e.c.CreateClone(e.ctx, backend.CloneSpec{ParentVolume: v.ID, ParentSnapshot: s.ID, Name: c.Name})
	e.want("CreateClone with a clone's name", err, backend.ErrAlreadyExists)
	_, err = e.b.CreateVolume(e.ctx, backend.VolumeSpec{Name: c.Name})
	e.want("CreateVolume with a clone's name", err, backend.ErrAlreadyExists)
	_, err = e.b.PatchVolume(e.ctx, v.ID, backend.VolumePatch{Name: new(c.Name)})
	e.want("renaming a volume to a clone's name", err, backend.ErrAlreadyExists)
	list := e.list()
	for _, name := range []string{v.Name, c.Name} {
		if n := countNamed(list, name); n != 1 {
			e.errorf("ListVolumes has %d volumes named %q, want 1", n, name)
		}
	}
	e.unchanged("volume", v)
	e.unchanged("clone", c)
}

func cloneIsFullVolume(e *env) {
	p := e.volume("parent") // 1 GiB
	s := e.snapshot(p.ID, "snap")
	c := e.clone(p.ID, s.ID, "child")
	patched := e.patch(c.ID, backend.VolumePatch{Size: new(backend.Bytes(2 * gib)), Comment: new("a clone"), JunctionPath: new("/child")})
	if patched.Comment != "a clone" || patched.Size != backend.Bytes(2*gib) || patched.JunctionPath != "/child" || patched.Clone == nil {
		e.errorf("patching a clone returned %+v; want the patch applied and the origin kept", patched)
	}
	cs := e.snapshot(c.ID, "childsnap")
	e.patch(c.ID, backend.VolumePatch{Size: new(backend.Bytes(5 * gib))})
	restored, err := e.c.RestoreSnapshot(e.ctx, c.ID, cs.ID)
	e.ok("RestoreSnapshot on a clone", err)
	if restored.Size != backend.Bytes(2*gib) || restored.Clone == nil {
		e.errorf("restoring a clone returned size %v, origin %v; want 2 GiB and the origin kept", restored.Size, restored.Clone)
	}
	g := e.clone(c.ID, cs.ID, "grandchild")
	want := &backend.CloneOrigin{ParentVolume: c.Name, ParentSnapshot: cs.Name, ParentVolumeID: c.ID, ParentSnapshotID: cs.ID}
	if g.Clone == nil || *g.Clone != *want {
		e.errorf("clone of a clone has origin %v, want %v", g.Clone, *want)
	}
	if g.Size != backend.Bytes(2*gib) {
		e.errorf("clone of a clone has size %v, want the child's size at snapshot time, %d", g.Size, 2*gib)
	}
	e.stored("clone of a clone", g)
}

func cloneValuesOwned(e *env) {
	p := e.volume("parent")
	s := e.snapshot(p.ID, "snap")
	c := e.clone(p.ID, s.ID, "clone")
	keep := c
	keep.Clone = new(*c.Clone)
	scribble := func(v *backend.Volume) {
		if v.Clone != nil {
			v.Clone.ParentVolume, v.Clone.ParentSnapshot = "scribbled", "scribbled"
			v.Clone.ParentVolumeID, v.Clone.ParentSnapshotID = backend.NewVolumeID(), backend.NewSnapshotID()
		}
	}
	scribble(&c)
	e.stored("after mutating CreateClone's origin", keep)
	g := e.get(keep.ID)
	scribble(&g)
	e.stored("after mutating GetVolume's origin", keep)
	list := e.list()
	for i := range list {
		scribble(&list[i])
	}
	e.stored("after mutating ListVolumes' origins", keep)
	pv := e.patch(keep.ID, backend.VolumePatch{Comment: new("patched")})
	keep = pv
	keep.Clone = new(*pv.Clone)
	scribble(&pv)
	e.stored("after mutating PatchVolume's origin", keep)
}
