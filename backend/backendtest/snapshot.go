package backendtest

import (
	"fmt"
	"strings"
	"time"

	"github.com/nessie-go/nessie/backend"
)

// snapshotCases check the snapshot tier.
func snapshotCases() []testCase {
	return []testCase{
		{
			name: "Snapshot/Lifecycle/CreateListGetDelete",
			tier: tierSnapshot,
			rule: "a snapshot keeps its name, is found by ListSnapshots and GetSnapshot, and after DeleteSnapshot GetSnapshot is ErrSnapshotNotFound; its volume can then be deleted (upstream S-1..S-7)",
			run:  snapshotLifecycle,
		},
		{
			name: "Snapshot/Create/ReturnsTheStoredSnapshot",
			tier: tierSnapshot,
			rule: "CreateSnapshot returns the stored snapshot (new ID, the given name, no comment, its creation time); GetSnapshot and ListSnapshots return an equal snapshot; the volume itself is unchanged",
			run: func(e *env) {
				v := e.volume("vol")
				before := time.Now()
				s := e.snapshot(v.ID, "snap")
				after := time.Now()
				if s.ID.IsZero() || s.Name != e.name("snap") || s.Comment != "" {
					e.errorf("CreateSnapshot returned ID %s, name %q, comment %q; want a non-nil ID, name %q, no comment", s.ID, s.Name, s.Comment, e.name("snap"))
				}
				e.saneTime("CreateSnapshot", s.CreateTime, before, after)
				e.snapStored("CreateSnapshot", v.ID, s)
				e.unchanged("after CreateSnapshot", v)
			},
		},
		{
			name: "Snapshot/Create/RecordsTheCreateTimeInUTC",
			tier: tierSnapshot,
			rule: "a snapshot's creation time is recorded in UTC, and reported in UTC by CreateSnapshot, GetSnapshot and ListSnapshots",
			run: func(e *env) {
				v := e.volume("vol")
				s := e.snapshot(v.ID, "utc")
				got := e.getSnap(v.ID, s.ID)
				listed, _ := findSnapshot(e.snaps(v.ID), s.ID)
				for _, r := range []struct {
					call string
					t    time.Time
				}{{"CreateSnapshot", s.CreateTime}, {"GetSnapshot", got.CreateTime}, {"ListSnapshots", listed.CreateTime}} {
					if r.t.IsZero() || r.t.Location() != time.UTC {
						e.errorf("%s reports create time %v in location %q, want a time in UTC", r.call, r.t, r.t.Location())
					}
				}
			},
		},
		{
			name: "Snapshot/Create/DuplicateNameOnOneVolumeIsAlreadyExists",
			tier: tierSnapshot,
			rule: "snapshot names are unique within their volume: CreateSnapshot with a name the volume already has fails with ErrAlreadyExists and changes nothing",
			run: func(e *env) {
				v := e.volume("vol")
				e.snapshot(v.ID, "dup")
				before := e.snaps(v.ID)
				_, err := e.s.CreateSnapshot(e.ctx, v.ID, backend.SnapshotSpec{Name: e.name("dup")})
				e.want("CreateSnapshot with a taken name", err, backend.ErrAlreadyExists)
				e.snapsUnchanged("after the refused create", v.ID, before)
			},
		},
		{
			name: "Snapshot/Create/SameNameOnTwoVolumesIsAllowed",
			tier: tierSnapshot,
			rule: "snapshot names are unique per volume only: two volumes may each have a snapshot of the same name",
			run: func(e *env) {
				a, b := e.volume("a"), e.volume("b")
				sa, sb := e.snapshot(a.ID, "same"), e.snapshot(b.ID, "same")
				if sa.ID == sb.ID {
					e.errorf("the two snapshots share ID %s", sa.ID)
				}
				e.snapsUnchanged("first volume", a.ID, []backend.Snapshot{sa})
				e.snapsUnchanged("second volume", b.ID, []backend.Snapshot{sb})
			},
		},
		{
			name: "Snapshot/Create/InvalidNameIsInvalidArgument",
			tier: tierSnapshot,
			rule: "CreateSnapshot rejects an invalid name (see ValidateName) with ErrInvalidArgument, creating nothing",
			run: func(e *env) {
				v := e.volume("vol")
				for _, n := range e.invalidNames() {
					_, err := e.s.CreateSnapshot(e.ctx, v.ID, backend.SnapshotSpec{Name: n.name})
					e.want(fmt.Sprintf("CreateSnapshot with a name that is %s", n.why), err, backend.ErrInvalidArgument)
				}
				e.snapsUnchanged("after the refused creates", v.ID, nil)
			},
		},
		{
			name: "Snapshot/Create/RepeatedCreateDeleteCyclesOfOneNameBehaveAlike",
			tier: tierSnapshot,
			rule: "a deleted snapshot's name is free again at once: creating and deleting one name repeatedly works every time, and deleting twice is ErrSnapshotNotFound",
			run: func(e *env) {
				v := e.volume("vol")
				for i := range 4 {
					s := e.snapshot(v.ID, "cycle")
					e.snapStored(fmt.Sprintf("cycle %d", i), v.ID, s)
					e.ok(fmt.Sprintf("cycle %d: DeleteSnapshot", i), e.s.DeleteSnapshot(e.ctx, v.ID, s.ID))
					_, err := e.s.GetSnapshot(e.ctx, v.ID, s.ID)
					e.want(fmt.Sprintf("cycle %d: GetSnapshot after delete", i), err, backend.ErrSnapshotNotFound)
					e.want(fmt.Sprintf("cycle %d: second DeleteSnapshot", i), e.s.DeleteSnapshot(e.ctx, v.ID, s.ID), backend.ErrSnapshotNotFound)
					e.snapsUnchanged(fmt.Sprintf("cycle %d", i), v.ID, nil)
				}
			},
		},
		{
			name: "Snapshot/List/IsOldestFirst",
			tier: tierSnapshot,
			rule: "ListSnapshots returns the volume's snapshots oldest first, whatever their names, with non-decreasing creation times",
			run: func(e *env) {
				v := e.volume("vol")
				var made []backend.Snapshot
				for _, tag := range []string{"c", "a", "d", "b", "e"} {
					made = append(made, e.snapshot(v.ID, tag))
				}
				got := e.snaps(v.ID)
				e.snapsUnchanged("ListSnapshots", v.ID, made)
				for i := 1; i < len(got); i++ {
					if got[i].CreateTime.Before(got[i-1].CreateTime) {
						e.errorf("snapshot %q (created %v) is listed after %q (created %v)", got[i].Name, got[i].CreateTime, got[i-1].Name, got[i-1].CreateTime)
					}
				}
			},
		},
		{
			name: "Snapshot/Lookup/UnknownVolumeIsVolumeNotFound",
			tier: tierSnapshot,
			rule: "every snapshot method given an unknown volume fails with ErrVolumeNotFound, checked before the snapshot, even when the snapshot ID is real",
			run:  snapshotUnknownVolume,
		},
		{
			name: "Snapshot/Lookup/UnknownSnapshotIsSnapshotNotFound",
			tier: tierSnapshot,
			rule: "GetSnapshot, DeleteSnapshot, PatchSnapshot and RestoreSnapshot of a snapshot ID the volume does not have fail with ErrSnapshotNotFound",
			run: func(e *env) {
				v := e.volume("vol")
				e.snapshot(v.ID, "real")
				forEachSnapshotLookup(e, v.ID, backend.NewSnapshotID(), backend.ErrSnapshotNotFound, "a fresh snapshot ID")
			},
		},
		{
			name: "Snapshot/Lookup/SnapshotOfAnotherVolumeIsSnapshotNotFound",
			tier: tierSnapshot,
			rule: "a snapshot ID that belongs to another volume names no snapshot of this one: ErrSnapshotNotFound, and neither volume nor snapshot changes",
			run: func(e *env) {
				a, b := e.volume("a"), e.volume("b")
				sa := e.snapshot(a.ID, "mine")
				e.snapshot(b.ID, "theirs")
				beforeA, beforeB := e.snaps(a.ID), e.snaps(b.ID)
				forEachSnapshotLookup(e, b.ID, sa.ID, backend.ErrSnapshotNotFound, "another volume's snapshot")
				e.snapsUnchanged("owning volume", a.ID, beforeA)
				e.snapsUnchanged("other volume", b.ID, beforeB)
				e.unchanged("other volume", b)
			},
		},
		{
			name: "Snapshot/Delete/RemovesOnlyThatSnapshot",
			tier: tierSnapshot,
			rule: "DeleteSnapshot deletes that snapshot only; its volume and the other snapshots are unchanged",
			run: func(e *env) {
				v := e.volume("vol")
				s1, s2, s3 := e.snapshot(v.ID, "one"), e.snapshot(v.ID, "two"), e.snapshot(v.ID, "three")
				e.ok("DeleteSnapshot", e.s.DeleteSnapshot(e.ctx, v.ID, s2.ID))
				e.snapsUnchanged("after DeleteSnapshot", v.ID, []backend.Snapshot{s1, s3})
				e.unchanged("after DeleteSnapshot", v)
			},
		},
		{
			name: "Snapshot/Patch/RenameIsStoredAndFreesTheOldName",
			tier: tierSnapshot,
			rule: "PatchSnapshot stores a new name (keeping ID and creation time), returns the snapshot as stored, and frees the old name",
			run: func(e *env) {
				v := e.volume("vol")
				s := e.snapshot(v.ID, "old")
				got, err := e.s.PatchSnapshot(e.ctx, v.ID, s.ID, backend.SnapshotPatch{Name: new(e.name("new"))})
				e.ok("PatchSnapshot(rename)", err)
				want := s
				want.Name = e.name("new")
				if d := snapshotDiff(got, want); d != "" {
					e.errorf("PatchSnapshot(rename) returned %s", d)
				}
				e.snapStored("after rename", v.ID, got)
				e.snapshot(v.ID, "old")
			},
		},
		{
			name: "Snapshot/Patch/CommentIsStored",
			tier: tierSnapshot,
			rule: "PatchSnapshot stores a comment, including the empty one that clears it, and returns the snapshot as stored",
			run: func(e *env) {
				v := e.volume("vol")
				s := e.snapshot(v.ID, "note")
				for _, c := range []string{"before the upgrade, ünïcödé", ""} {
					got, err := e.s.PatchSnapshot(e.ctx, v.ID, s.ID, backend.SnapshotPatch{Comment: new(c)})
					e.ok("PatchSnapshot(comment)", err)
					if got.Comment != c || got.Name != s.Name || got.ID != s.ID {
						e.errorf("PatchSnapshot(comment=%q) returned %+v", c, got)
					}
					e.snapStored("after PatchSnapshot(comment)", v.ID, got)
				}
			},
		},
		{
			name: "Snapshot/Patch/RenameOntoAnotherSnapshotIsAlreadyExists",
			tier: tierSnapshot,
			rule: "PatchSnapshot renaming onto a name the volume already has fails with ErrAlreadyExists and changes nothing; a name used only on another volume is fine",
			run: func(e *env) {
				v, w := e.volume("v"), e.volume("w")
				s1 := e.snapshot(v.ID, "one")
				s2 := e.snapshot(v.ID, "two")
				e.snapshot(w.ID, "elsewhere")
				before := e.snaps(v.ID)
				_, err := e.s.PatchSnapshot(e.ctx, v.ID, s2.ID, backend.SnapshotPatch{Name: new(s1.Name), Comment: new("x")})
				e.want("rename onto a taken snapshot name", err, backend.ErrAlreadyExists)
				e.snapsUnchanged("after the refused rename", v.ID, before)
				got, err := e.s.PatchSnapshot(e.ctx, v.ID, s2.ID, backend.SnapshotPatch{Name: new(e.name("elsewhere"))})
				e.ok("rename to a name used on another volume", err)
				e.snapStored("after renaming to a name used on another volume", v.ID, got)
			},
		},
		{
			name: "Snapshot/Patch/InvalidPatchIsInvalidArgumentAndChangesNothing",
			tier: tierSnapshot,
			rule: "PatchSnapshot rejects a patch that fails SnapshotPatch.Validate with ErrInvalidArgument and applies none of it",
			run: func(e *env) {
				v := e.volume("vol")
				e.snapshot(v.ID, "snap")
				before := e.snaps(v.ID)
				var bad []backend.SnapshotPatch
				for _, n := range e.invalidNames() {
					bad = append(bad, backend.SnapshotPatch{Name: new(n.name)})
				}
				bad = append(bad,
					backend.SnapshotPatch{Comment: new(strings.Repeat("c", backend.MaxCommentLen+1))},
					backend.SnapshotPatch{Comment: new("a\x00b")},
					backend.SnapshotPatch{Comment: new("fine"), Name: new("a/b")},
				)
				for _, p := range bad {
					_, err := e.s.PatchSnapshot(e.ctx, v.ID, before[0].ID, p)
					e.want("PatchSnapshot with an invalid patch", err, backend.ErrInvalidArgument)
				}
				e.snapsUnchanged("after the refused patches", v.ID, before)
			},
		},
		{
			name: "Snapshot/Patch/EmptyPatchChangesNothingAndRepeatsAreIdempotent",
			tier: tierSnapshot,
			rule: "an empty snapshot patch returns the snapshot unchanged, and applying the same patch twice gives the same result",
			run: func(e *env) {
				v := e.volume("vol")
				s := e.snapshot(v.ID, "snap")
				got, err := e.s.PatchSnapshot(e.ctx, v.ID, s.ID, backend.SnapshotPatch{})
				e.ok("PatchSnapshot(empty)", err)
				if d := snapshotDiff(got, s); d != "" {
					e.errorf("empty patch returned %s", d)
				}
				e.snapsUnchanged("after an empty patch", v.ID, []backend.Snapshot{s})
				p := backend.SnapshotPatch{Name: new(e.name("again")), Comment: new("again")}
				first, err := e.s.PatchSnapshot(e.ctx, v.ID, s.ID, p)
				e.ok("PatchSnapshot", err)
				second, err := e.s.PatchSnapshot(e.ctx, v.ID, s.ID, p)
				e.ok("PatchSnapshot again", err)
				if d := snapshotDiff(second, first); d != "" {
					e.errorf("second application differs from the first: %s", d)
				}
				e.snapsUnchanged("after patching twice", v.ID, []backend.Snapshot{first})
			},
		},
		{
			name: "Snapshot/Cascade/DeletingAVolumeDeletesItsSnapshots",
			tier: tierSnapshot,
			rule: "DeleteVolume deletes the volume's snapshots with it: afterwards its snapshot methods fail with ErrVolumeNotFound",
			run: func(e *env) {
				v := e.volume("vol")
				s1, s2 := e.snapshot(v.ID, "one"), e.snapshot(v.ID, "two")
				e.ok("DeleteVolume", e.s.DeleteVolume(e.ctx, v.ID))
				_, err := e.s.ListSnapshots(e.ctx, v.ID)
				e.want("ListSnapshots of a deleted volume", err, backend.ErrVolumeNotFound)
				for _, s := range []backend.Snapshot{s1, s2} {
					_, err := e.s.GetSnapshot(e.ctx, v.ID, s.ID)
					e.want("GetSnapshot of a deleted volume's snapshot", err, backend.ErrVolumeNotFound)
				}
			},
		},
		{
			name: "Snapshot/Cascade/ARecreatedVolumeStartsWithoutSnapshots",
			tier: tierSnapshot,
			rule: "snapshots belong to the volume, not its name: a new volume under a deleted volume's name has no snapshots, and the old snapshot names are free on it",
			run: func(e *env) {
				v := e.volume("vol")
				old := e.snapshot(v.ID, "snap")
				e.ok("DeleteVolume", e.s.DeleteVolume(e.ctx, v.ID))
				w := e.volume("vol")
				e.snapsUnchanged("the recreated volume", w.ID, nil)
				_, err := e.s.GetSnapshot(e.ctx, w.ID, old.ID)
				e.want("GetSnapshot of the old volume's snapshot on the new volume", err, backend.ErrSnapshotNotFound)
				e.snapshot(w.ID, "snap")
			},
		},
		{
			name: "Snapshot/Restore/RevertsTheSizeAndDeletesNewerSnapshots",
			tier: tierSnapshot,
			rule: "RestoreSnapshot sets the volume's size to the size it had when the snapshot was taken, deletes every snapshot taken after it (freeing their names), keeps the older ones, and returns the volume as stored",
			run:  restoreReverts,
		},
		{
			name: "Snapshot/Restore/RevertsUnlimitedAndZeroSizes",
			tier: tierSnapshot,
			rule: "restoring reverts to unlimited or to zero bytes as faithfully as to any other size",
			run: func(e *env) {
				for _, size := range []backend.Size{backend.Unlimited, backend.Bytes(0)} {
					v := e.createVolume(backend.VolumeSpec{Name: e.name("r" + size.String()), Size: size})
					s := e.snapshot(v.ID, "at"+size.String())
					e.patch(v.ID, backend.VolumePatch{Size: new(backend.Bytes(9 * gib))})
					got, err := e.s.RestoreSnapshot(e.ctx, v.ID, s.ID)
					e.ok("RestoreSnapshot", err)
					if got.Size != size {
						e.errorf("after restoring a snapshot taken at size %v the size is %v", size, got.Size)
					}
					e.stored("after RestoreSnapshot", got)
				}
			},
		},
		{
			name: "Snapshot/Restore/ToTheNewestSnapshotKeepsEverySnapshot",
			tier: tierSnapshot,
			rule: "restoring to the newest snapshot deletes no snapshot",
			run: func(e *env) {
				v := e.volume("vol")
				e.snapshot(v.ID, "one")
				e.snapshot(v.ID, "two")
				before := e.snaps(v.ID)
				_, err := e.s.RestoreSnapshot(e.ctx, v.ID, before[len(before)-1].ID)
				e.ok("RestoreSnapshot to the newest", err)
				e.snapsUnchanged("after restoring to the newest", v.ID, before)
			},
		},
		{
			name: "Snapshot/Values/ReturnedSnapshotsBelongToTheCaller",
			tier: tierSnapshot,
			rule: "values a backend returns belong to the caller: mutating snapshots from CreateSnapshot, GetSnapshot or ListSnapshots never changes what the backend reports",
			run: func(e *env) {
				v := e.volume("vol")
				s := e.snapshot(v.ID, "own")
				keep := s
				scribble := func(x *backend.Snapshot) {
					x.Name, x.Comment, x.CreateTime, x.SizeConsumed = "scribbled", "scribbled", time.Time{}, 12345
				}
				scribble(&s)
				g := e.getSnap(v.ID, keep.ID)
				scribble(&g)
				list := e.snaps(v.ID)
				for i := range list {
					scribble(&list[i])
				}
				e.snapStored("after mutating returned snapshots", v.ID, keep)
			},
		},
	}
}

func snapshotLifecycle(e *env) {
	v := e.createVolume(backend.VolumeSpec{Name: e.name("parent")}) // S-1
	s := e.snapshot(v.ID, "snap")                                   // S-2
	if s.Name != e.name("snap") {
		e.errorf("S-2: CreateSnapshot returned name %q, want %q", s.Name, e.name("snap"))
	}
	if _, ok := findSnapshot(e.snaps(v.ID), s.ID); !ok { // S-3
		e.errorf("S-3: ListSnapshots lacks the new snapshot %s", s.ID)
	}
	if g := e.getSnap(v.ID, s.ID); g.ID != s.ID { // S-4
		e.errorf("S-4: GetSnapshot returned ID %s, want %s", g.ID, s.ID)
	}
	e.ok("S-5: DeleteSnapshot", e.s.DeleteSnapshot(e.ctx, v.ID, s.ID))
	_, err := e.s.GetSnapshot(e.ctx, v.ID, s.ID)
	e.want("S-6: GetSnapshot after delete", err, backend.ErrSnapshotNotFound)
	e.ok("S-7: DeleteVolume", e.s.DeleteVolume(e.ctx, v.ID))
}

func snapshotUnknownVolume(e *env) {
	v := e.volume("vol")
	s := e.snapshot(v.ID, "real")
	before := e.snaps(v.ID)
	deleted := e.volume("deleted")
	e.ok("DeleteVolume", e.b.DeleteVolume(e.ctx, deleted.ID))
	for _, id := range []backend.VolumeID{backend.NewVolumeID(), deleted.ID} {
		_, err := e.s.ListSnapshots(e.ctx, id)
		e.want("ListSnapshots", err, backend.ErrVolumeNotFound)
		_, err = e.s.CreateSnapshot(e.ctx, id, backend.SnapshotSpec{Name: e.name("new")})
		e.want("CreateSnapshot", err, backend.ErrVolumeNotFound)
		forEachSnapshotLookup(e, id, s.ID, backend.ErrVolumeNotFound, "an unknown volume")
	}
	e.snapsUnchanged("the real snapshot's volume", v.ID, before)
}

// forEachSnapshotLookup calls every method that names one snapshot with
// (vol, snap) and wants each to fail with want.
func forEachSnapshotLookup(e *env, vol backend.VolumeID, snap backend.SnapshotID, want error, what string) {
	e.r.Helper()
	_, err := e.s.GetSnapshot(e.ctx, vol, snap)
	e.want("GetSnapshot of "+what, err, want)
	e.want("DeleteSnapshot of "+what, e.s.DeleteSnapshot(e.ctx, vol, snap), want)
	_, err = e.s.PatchSnapshot(e.ctx, vol, snap, backend.SnapshotPatch{Comment: new("x")})
	e.want("PatchSnapshot of "+what, err, want)
	_, err = e.s.RestoreSnapshot(e.ctx, vol, snap)
	e.want("RestoreSnapshot of "+what, err, want)
}

func restoreReverts(e *env) {
	v := e.volume("vol") // 1 GiB
	s1 := e.snapshot(v.ID, "one")
	e.patch(v.ID, backend.VolumePatch{Size: new(backend.Bytes(2 * gib))})
	s2 := e.snapshot(v.ID, "two")
	e.patch(v.ID, backend.VolumePatch{Size: new(backend.Bytes(3 * gib))})
	s3 := e.snapshot(v.ID, "three")
	s4 := e.snapshot(v.ID, "four")
	cur := e.patch(v.ID, backend.VolumePatch{Size: new(backend.Unlimited)})

	got, err := e.s.RestoreSnapshot(e.ctx, v.ID, s2.ID)
	e.ok("RestoreSnapshot", err)
	want := cur
	want.Size = backend.Bytes(2 * gib)
	want.UsedBytes = got.UsedBytes
	if d := volumeDiff(got, want); d != "" {
		e.errorf("RestoreSnapshot returned %s", d)
	}
	e.stored("after RestoreSnapshot", got)
	e.snapsUnchanged("after RestoreSnapshot", v.ID, []backend.Snapshot{s1, s2})
	for _, s := range []backend.Snapshot{s3, s4} {
		_, err := e.s.GetSnapshot(e.ctx, v.ID, s.ID)
		e.want("GetSnapshot of a snapshot newer than the restored one", err, backend.ErrSnapshotNotFound)
	}
	e.snapshot(v.ID, "three") // its name is free again
}
