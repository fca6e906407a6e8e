package mem_test

import (
	"reflect"
	"testing"

	"github.com/nessie-go/nessie/backend"
)

// Values a backend hands out belong to the caller: scribbling on them must
// not reach stored state or other callers' copies.
func TestReturnedValuesAreTheCallersOwn(t *testing.T) {
	b := newBackend(t, nil)
	parent := mustVolume(t, b, "parent", backend.Bytes(1))
	snap := mustSnapshot(t, b, parent.ID, "snap")
	clone := mustClone(t, b, parent.ID, snap.ID, "clone")
	before := observe(t, b)

	clone.Clone.ParentVolume = "hijacked"
	clone.Clone.ParentSnapshotID = backend.SnapshotID{}
	clone.Name = "renamed-locally"

	got := mustGet(t, b, clone.ID)
	other := mustGet(t, b, clone.ID)
	if got.Clone == other.Clone {
		t.Error("two reads share one CloneOrigin pointer")
	}
	got.Clone.ParentSnapshot = "also-hijacked"

	list, _ := b.ListVolumes(ctx)
	for i := range list {
		list[i].Name = "x"
		if list[i].Clone != nil {
			list[i].Clone.ParentVolume = "x"
		}
	}
	snaps, _ := b.ListSnapshots(ctx, parent.ID)
	snaps[0].Name = "x"

	wantUnchanged(t, b, before)
	if v := mustGet(t, b, clone.ID); !reflect.DeepEqual(v.Clone, &backend.CloneOrigin{
		ParentVolume: "parent", ParentSnapshot: "snap", ParentVolumeID: parent.ID, ParentSnapshotID: snap.ID,
	}) {
		t.Errorf("stored origin changed: %+v", v.Clone)
	}
}

// A read started before a write sees the state before it, whole: lists are
// taken from one version, so every clone in a list has its parent there.
func TestListIsOneConsistentVersion(t *testing.T) {
	b := newBackend(t, nil)
	parent := mustVolume(t, b, "parent", backend.Unlimited)
	snap := mustSnapshot(t, b, parent.ID, "snap")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 300 {
			c, err := b.CreateClone(ctx, backend.CloneSpec{ParentVolume: parent.ID, ParentSnapshot: snap.ID, Name: volName(i)})
			if err != nil {
				t.Error(err)
				return
			}
			if err := b.DeleteVolume(ctx, c.ID); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for {
		select {
		case <-done:
			return
		default:
		}
		list, err := b.ListVolumes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) > 2 {
			t.Fatalf("list holds %d volumes; at most one clone exists at a time", len(list))
		}
		for _, v := range list {
			if v.Clone != nil && (v.Clone.ParentVolume != "parent" || v.Clone.ParentSnapshot != "snap") {
				t.Fatalf("clone %q listed with origin %+v", v.Name, v.Clone)
			}
		}
	}
}
