package mem_test

import (
	"reflect"
	"testing"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/mem"
)

func TestCreateCloneRecordsOriginAndSnapshotSize(t *testing.T) {
	clock := newClock()
	b := newBackend(t, &mem.Options{Now: clock.Now})
	parent := mustVolume(t, b, "parent", backend.Bytes(10<<30))
	snap := mustSnapshot(t, b, parent.ID, "snap")
	setSize(t, b, parent.ID, backend.Bytes(20<<30)) // grows after the snapshot

	c, err := b.CreateClone(ctx, backend.CloneSpec{ParentVolume: parent.ID, ParentSnapshot: snap.ID, Name: "clone"})
	if err != nil {
		t.Fatal(err)
	}
	want := backend.Volume{
		ID: c.ID, Name: "clone", Size: backend.Bytes(10 << 30), State: backend.StateOnline,
		Style: backend.StyleFlexVol, Type: backend.TypeRW, CreateTime: clock.last().UTC(),
		Clone: &backend.CloneOrigin{ParentVolume: "parent", ParentSnapshot: "snap", ParentVolumeID: parent.ID, ParentSnapshotID: snap.ID},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("clone\n got %+v (origin %+v)\nwant %+v (origin %+v)", c, c.Clone, want, want.Clone)
	}
	if !c.IsClone() || c.ID == parent.ID {
		t.Errorf("clone %+v", c)
	}
	if got := mustGet(t, b, c.ID); !reflect.DeepEqual(got, c) {
		t.Errorf("GetVolume = %+v, want %+v", got, c)
	}
	if snaps := snapshotNames(t, b, c.ID); len(snaps) != 0 {
		t.Errorf("a new clone has snapshots %v", snaps)
	}
}

func TestCloneOriginFollowsRenames(t *testing.T) {
	b := newBackend(t, nil)
	parent := mustVolume(t, b, "parent", backend.Unlimited)
	snap := mustSnapshot(t, b, parent.ID, "snap")
	c := mustClone(t, b, parent.ID, snap.ID, "clone")

	if _, err := b.PatchVolume(ctx, parent.ID, backend.VolumePatch{Name: new("parent2")}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.PatchSnapshot(ctx, parent.ID, snap.ID, backend.SnapshotPatch{Name: new("snap2")}); err != nil {
		t.Fatal(err)
	}
	got := mustGet(t, b, c.ID)
	if got.Clone == nil || got.Clone.ParentVolume != "parent2" || got.Clone.ParentSnapshot != "snap2" ||
		got.Clone.ParentVolumeID != parent.ID || got.Clone.ParentSnapshotID != snap.ID {
		t.Errorf("origin after renames = %+v", got.Clone)
	}
	list, _ := b.ListVolumes(ctx)
	for _, v := range list {
		if v.ID == c.ID && !reflect.DeepEqual(v, got) {
			t.Errorf("ListVolumes shows %+v, GetVolume %+v", v, got)
		}
	}
}

func TestCloneIsAFullVolume(t *testing.T) {
	b := newBackend(t, nil)
	root := mustVolume(t, b, "root", backend.Bytes(1))
	s0 := mustSnapshot(t, b, root.ID, "s0")
	c1 := mustClone(t, b, root.ID, s0.ID, "c1")

	setSize(t, b, c1.ID, backend.Bytes(2))
	s1 := mustSnapshot(t, b, c1.ID, "s1")
	c2 := mustClone(t, b, c1.ID, s1.ID, "c2") // clone of a clone
	if c2.Size != backend.Bytes(2) || c2.Clone.ParentVolume != "c1" || c2.Clone.ParentSnapshot != "s1" {
		t.Errorf("clone of clone = %+v origin %+v", c2, c2.Clone)
	}
	// c1 is pinned by c2 and itself pins root.
	wantErr(t, b.DeleteVolume(ctx, c1.ID), backend.KindInUse, backend.ResourceVolume)
	wantErr(t, b.DeleteVolume(ctx, root.ID), backend.KindInUse, backend.ResourceVolume)
	if _, err := b.RestoreSnapshot(ctx, c1.ID, s1.ID); err != nil {
		t.Errorf("restoring a clone: %v", err)
	}
	if _, err := b.PatchVolume(ctx, c1.ID, backend.VolumePatch{Name: new("c1-renamed")}); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, b, c2.ID); got.Clone.ParentVolume != "c1-renamed" {
		t.Errorf("origin = %+v", got.Clone)
	}
	for _, id := range []backend.VolumeID{c2.ID, c1.ID, root.ID} {
		if err := b.DeleteVolume(ctx, id); err != nil {
			t.Fatalf("deleting leaves first: %v", err)
		}
	}
}

func TestCreateCloneErrorOrder(t *testing.T) {
	b := newBackend(t, nil)
	parent := mustVolume(t, b, "parent", backend.Unlimited)
	snap := mustSnapshot(t, b, parent.ID, "snap")
	mustVolume(t, b, "taken", backend.Unlimited)
	for _, tc := range []struct {
		name string
		vol  backend.VolumeID
		snap backend.SnapshotID
		new  string
		kind backend.Kind
		res  backend.Resource
	}{
		{"unknown parent before everything", backend.NewVolumeID(), backend.NewSnapshotID(), "", backend.KindNotFound, backend.ResourceVolume},
		{"unknown snapshot before bad name", parent.ID, backend.NewSnapshotID(), "a/b", backend.KindNotFound, backend.ResourceSnapshot},
		{"bad name", parent.ID, snap.ID, "a/b", backend.KindInvalidArgument, backend.ResourceVolume},
		{"empty name", parent.ID, snap.ID, "", backend.KindInvalidArgument, backend.ResourceVolume},
		{"name taken", parent.ID, snap.ID, "taken", backend.KindAlreadyExists, backend.ResourceVolume},
		{"name of the parent", parent.ID, snap.ID, "parent", backend.KindAlreadyExists, backend.ResourceVolume},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := observe(t, b)
			_, err := b.CreateClone(ctx, backend.CloneSpec{ParentVolume: tc.vol, ParentSnapshot: tc.snap, Name: tc.new})
			wantErr(t, err, tc.kind, tc.res)
			wantUnchanged(t, b, before)
		})
	}
	// A failed clone leaves no dependency behind.
	if err := b.DeleteSnapshot(ctx, parent.ID, snap.ID); err != nil {
		t.Errorf("snapshot pinned by failed clones: %v", err)
	}
}

func TestSplitCloneClearsOriginAndFreesTheSnapshot(t *testing.T) {
	b := newBackend(t, nil)
	parent := mustVolume(t, b, "parent", backend.Bytes(3))
	snap := mustSnapshot(t, b, parent.ID, "snap")
	c := mustClone(t, b, parent.ID, snap.ID, "clone")

	got, err := b.SplitClone(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := c
	want.Clone = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("split = %+v, want %+v", got, want)
	}
	if read := mustGet(t, b, c.ID); !reflect.DeepEqual(read, want) || read.IsClone() {
		t.Errorf("GetVolume after split = %+v", read)
	}
	before := observe(t, b)
	_, err = b.SplitClone(ctx, c.ID)
	wantErr(t, err, backend.KindInvalidArgument, backend.ResourceVolume)
	_, err = b.SplitClone(ctx, parent.ID)
	wantErr(t, err, backend.KindInvalidArgument, backend.ResourceVolume)
	wantUnchanged(t, b, before)

	if err := b.DeleteSnapshot(ctx, parent.ID, snap.ID); err != nil {
		t.Errorf("snapshot still pinned after split: %v", err)
	}
	if err := b.DeleteVolume(ctx, parent.ID); err != nil {
		t.Errorf("parent still pinned after split: %v", err)
	}
	if _, err := b.GetVolume(ctx, c.ID); err != nil {
		t.Errorf("the split clone did not survive its parent: %v", err)
	}
}

func TestCloneSharesTheVolumeNamespace(t *testing.T) {
	b := newBackend(t, nil)
	parent := mustVolume(t, b, "parent", backend.Unlimited)
	snap := mustSnapshot(t, b, parent.ID, "snap")
	c := mustClone(t, b, parent.ID, snap.ID, "clone")
	_, err := b.CreateVolume(ctx, backend.VolumeSpec{Name: "clone"})
	wantErr(t, err, backend.KindAlreadyExists, backend.ResourceVolume)
	if err := b.DeleteVolume(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	mustVolume(t, b, "clone", backend.Unlimited)
}
