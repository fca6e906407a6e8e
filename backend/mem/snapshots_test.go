package mem_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/mem"
)

func TestCreateSnapshotRecordsTimeInUTC(t *testing.T) {
	clock := newClock()
	b := newBackend(t, &mem.Options{Now: clock.Now})
	v := mustVolume(t, b, "v", backend.Bytes(1))
	s := mustSnapshot(t, b, v.ID, "s")
	want := clock.last()
	if !s.CreateTime.Equal(want) || s.CreateTime.Location() != time.UTC {
		t.Errorf("create time %v, want %v in UTC", s.CreateTime, want.UTC())
	}
	if s.ID.IsZero() || s.Name != "s" || s.SizeConsumed != 0 || s.Comment != "" {
		t.Errorf("unexpected snapshot %+v", s)
	}
	got, err := b.GetSnapshot(ctx, v.ID, s.ID)
	if err != nil || !reflect.DeepEqual(got, s) {
		t.Errorf("GetSnapshot = %+v, %v; want %+v", got, err, s)
	}
	list, err := b.ListSnapshots(ctx, v.ID)
	if err != nil || len(list) != 1 || !reflect.DeepEqual(list[0], s) {
		t.Errorf("ListSnapshots = %+v, %v", list, err)
	}
}

func TestListSnapshotsOldestFirst(t *testing.T) {
	b := newBackend(t, &mem.Options{Now: newClock().Now})
	v := mustVolume(t, b, "v", backend.Unlimited)
	want := []string{"zeta", "alpha", "mid", "beta"}
	for _, n := range want {
		mustSnapshot(t, b, v.ID, n)
	}
	if got := snapshotNames(t, b, v.ID); !slices.Equal(got, want) {
		t.Errorf("ListSnapshots order = %v, want %v", got, want)
	}
	list, _ := b.ListSnapshots(ctx, v.ID)
	for i := 1; i < len(list); i++ {
		if !list[i-1].CreateTime.Before(list[i].CreateTime) {
			t.Errorf("snapshot %d is not older than snapshot %d", i-1, i)
		}
	}
}

func TestSnapshotNamesAreUniquePerVolume(t *testing.T) {
	b := newBackend(t, nil)
	v1 := mustVolume(t, b, "v1", backend.Unlimited)
	v2 := mustVolume(t, b, "v2", backend.Unlimited)
	s := mustSnapshot(t, b, v1.ID, "daily")
	mustSnapshot(t, b, v2.ID, "daily") // same name, other volume: fine

	before := observe(t, b)
	_, err := b.CreateSnapshot(ctx, v1.ID, backend.SnapshotSpec{Name: "daily"})
	wantErr(t, err, backend.KindAlreadyExists, backend.ResourceSnapshot)
	wantUnchanged(t, b, before)

	if err := b.DeleteSnapshot(ctx, v1.ID, s.ID); err != nil {
		t.Fatal(err)
	}
	mustSnapshot(t, b, v1.ID, "daily") // the name is free again
}

func TestCreateSnapshotRejectsInvalidNames(t *testing.T) {
	b := newBackend(t, nil)
	v := mustVolume(t, b, "v", backend.Unlimited)
	before := observe(t, b)
	for _, name := range []string{"", "a/b", "nul\x00", strings.Repeat("s", backend.MaxNameLen+1), "\xc3"} {
		_, err := b.CreateSnapshot(ctx, v.ID, backend.SnapshotSpec{Name: name})
		wantErr(t, err, backend.KindInvalidArgument, backend.ResourceSnapshot)
	}
	wantUnchanged(t, b, before)
}

func TestSnapshotOfAnotherVolumeIsSnapshotNotFound(t *testing.T) {
	b := newBackend(t, nil)
	v1 := mustVolume(t, b, "v1", backend.Unlimited)
	v2 := mustVolume(t, b, "v2", backend.Unlimited)
	s := mustSnapshot(t, b, v1.ID, "s")
	calls := map[string]func() error{
		"GetSnapshot":     func() error { _, err := b.GetSnapshot(ctx, v2.ID, s.ID); return err },
		"DeleteSnapshot":  func() error { return b.DeleteSnapshot(ctx, v2.ID, s.ID) },
		"PatchSnapshot":   func() error { _, err := b.PatchSnapshot(ctx, v2.ID, s.ID, backend.SnapshotPatch{}); return err },
		"RestoreSnapshot": func() error { _, err := b.RestoreSnapshot(ctx, v2.ID, s.ID); return err },
		"CreateClone": func() error {
			_, err := b.CreateClone(ctx, backend.CloneSpec{ParentVolume: v2.ID, ParentSnapshot: s.ID, Name: "c"})
			return err
		},
		"unknown ID": func() error { _, err := b.GetSnapshot(ctx, v1.ID, backend.NewSnapshotID()); return err },
	}
	before := observe(t, b)
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			wantErr(t, call(), backend.KindNotFound, backend.ResourceSnapshot)
		})
	}
	wantUnchanged(t, b, before)
}

func TestDeleteSnapshotRefusedWhileACloneDependsOnIt(t *testing.T) {
	b := newBackend(t, nil)
	v := mustVolume(t, b, "v", backend.Unlimited)
	s := mustSnapshot(t, b, v.ID, "s")
	c1 := mustClone(t, b, v.ID, s.ID, "c1")
	c2 := mustClone(t, b, v.ID, s.ID, "c2")

	before := observe(t, b)
	wantErr(t, b.DeleteSnapshot(ctx, v.ID, s.ID), backend.KindInUse, backend.ResourceSnapshot)
	wantUnchanged(t, b, before)

	if err := b.DeleteVolume(ctx, c1.ID); err != nil {
		t.Fatal(err)
	}
	// One clone still depends on it.
	wantErr(t, b.DeleteSnapshot(ctx, v.ID, s.ID), backend.KindInUse, backend.ResourceSnapshot)
	if _, err := b.SplitClone(ctx, c2.ID); err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteSnapshot(ctx, v.ID, s.ID); err != nil {
		t.Fatalf("deleting a snapshot with no dependent clones: %v", err)
	}
	_, err := b.GetSnapshot(ctx, v.ID, s.ID)
	wantErr(t, err, backend.KindNotFound, backend.ResourceSnapshot)
}

func TestPatchSnapshot(t *testing.T) {
	b := newBackend(t, nil)
	v := mustVolume(t, b, "v", backend.Unlimited)
	s := mustSnapshot(t, b, v.ID, "s")
	mustSnapshot(t, b, v.ID, "other")

	got, err := b.PatchSnapshot(ctx, v.ID, s.ID, backend.SnapshotPatch{Name: new("renamed"), Comment: new("kept")})
	if err != nil {
		t.Fatal(err)
	}
	want := s
	want.Name, want.Comment = "renamed", "kept"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("patched = %+v, want %+v", got, want)
	}
	if read, _ := b.GetSnapshot(ctx, v.ID, s.ID); !reflect.DeepEqual(read, want) {
		t.Errorf("GetSnapshot = %+v, want %+v", read, want)
	}
	mustSnapshot(t, b, v.ID, "s") // the old name is free

	before := observe(t, b)
	_, err = b.PatchSnapshot(ctx, v.ID, s.ID, backend.SnapshotPatch{Name: new("other")})
	wantErr(t, err, backend.KindAlreadyExists, backend.ResourceSnapshot)
	_, err = b.PatchSnapshot(ctx, v.ID, s.ID, backend.SnapshotPatch{Name: new("a/b"), Comment: new("x")})
	wantErr(t, err, backend.KindInvalidArgument, backend.ResourceSnapshot)
	empty, err := b.PatchSnapshot(ctx, v.ID, s.ID, backend.SnapshotPatch{})
	if err != nil || !reflect.DeepEqual(empty, want) {
		t.Errorf("empty patch = %+v, %v", empty, err)
	}
	same, err := b.PatchSnapshot(ctx, v.ID, s.ID, backend.SnapshotPatch{Name: new("renamed")})
	if err != nil || !reflect.DeepEqual(same, want) {
		t.Errorf("rename to own name = %+v, %v", same, err)
	}
	wantUnchanged(t, b, before)
}

func TestPatchSnapshotChecksExistenceBeforeValidation(t *testing.T) {
	b := newBackend(t, nil)
	v := mustVolume(t, b, "v", backend.Unlimited)
	_, err := b.PatchSnapshot(ctx, v.ID, backend.NewSnapshotID(), backend.SnapshotPatch{Name: new("")})
	wantErr(t, err, backend.KindNotFound, backend.ResourceSnapshot)
}

func TestRestoreSnapshotRevertsSizeAndDropsNewerSnapshots(t *testing.T) {
	b := newBackend(t, nil)
	v := mustVolume(t, b, "v", backend.Bytes(100))
	mustSnapshot(t, b, v.ID, "s1")
	setSize(t, b, v.ID, backend.Bytes(200))
	s2 := mustSnapshot(t, b, v.ID, "s2")
	setSize(t, b, v.ID, backend.Unlimited)
	s3 := mustSnapshot(t, b, v.ID, "s3")
	setSize(t, b, v.ID, backend.Bytes(400))
	mustSnapshot(t, b, v.ID, "s4")

	got, err := b.RestoreSnapshot(ctx, v.ID, s2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Size != backend.Bytes(200) {
		t.Errorf("restored size = %v, want 200", got.Size)
	}
	if read := mustGet(t, b, v.ID); !reflect.DeepEqual(read, got) {
		t.Errorf("GetVolume = %+v, want the restore result %+v", read, got)
	}
	if names := snapshotNames(t, b, v.ID); !slices.Equal(names, []string{"s1", "s2"}) {
		t.Errorf("snapshots after restore = %v, want [s1 s2]", names)
	}
	_, err = b.GetSnapshot(ctx, v.ID, s3.ID)
	wantErr(t, err, backend.KindNotFound, backend.ResourceSnapshot)
	mustSnapshot(t, b, v.ID, "s3") // names of dropped snapshots are free

	// Restoring to the newest snapshot keeps everything.
	got, err = b.RestoreSnapshot(ctx, v.ID, s2.ID)
	if err != nil || got.Size != backend.Bytes(200) {
		t.Fatalf("second restore = %+v, %v", got, err)
	}
}

func TestRestoreSnapshotToUnlimited(t *testing.T) {
	b := newBackend(t, nil)
	v := mustVolume(t, b, "v", backend.Unlimited)
	s := mustSnapshot(t, b, v.ID, "s")
	setSize(t, b, v.ID, backend.Bytes(7))
	got, err := b.RestoreSnapshot(ctx, v.ID, s.ID)
	if err != nil || !got.Size.IsUnlimited() {
		t.Errorf("restore = %+v, %v; want unlimited size", got, err)
	}
}

func TestRestoreSnapshotRefusedWhenItWouldDropAClonesSnapshot(t *testing.T) {
	b := newBackend(t, nil)
	v := mustVolume(t, b, "v", backend.Bytes(1))
	s1 := mustSnapshot(t, b, v.ID, "s1")
	setSize(t, b, v.ID, backend.Bytes(2))
	s2 := mustSnapshot(t, b, v.ID, "s2")
	clone := mustClone(t, b, v.ID, s2.ID, "clone")

	before := observe(t, b)
	_, err := b.RestoreSnapshot(ctx, v.ID, s1.ID)
	wantErr(t, err, backend.KindInUse, backend.ResourceSnapshot)
	wantUnchanged(t, b, before)

	// A restore that keeps the clone's snapshot is fine.
	if _, err := b.RestoreSnapshot(ctx, v.ID, s2.ID); err != nil {
		t.Errorf("restoring to the clone's own snapshot: %v", err)
	}
	if _, err := b.SplitClone(ctx, clone.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.RestoreSnapshot(ctx, v.ID, s1.ID); err != nil {
		t.Errorf("restore after the split: %v", err)
	}
}

func setSize(t *testing.T, b *mem.Backend, id backend.VolumeID, size backend.Size) {
	t.Helper()
	if _, err := b.PatchVolume(ctx, id, backend.VolumePatch{Size: &size}); err != nil {
		t.Fatal(err)
	}
}

// TestRestoreSnapshotKeepingSize: the ONTAP form of restore keeps the
// larger of the size now and the snapshot's (unlimited the largest),
// deletes the later snapshots, and refuses as RestoreSnapshot does.
func TestRestoreSnapshotKeepingSize(t *testing.T) {
	var _ backend.SizeKeepingRestorer = (*mem.Backend)(nil)
	b := newBackend(t, nil)
	v := mustVolume(t, b, "v", backend.Bytes(100))
	s1 := mustSnapshot(t, b, v.ID, "s1")
	setSize(t, b, v.ID, backend.Bytes(300))
	s2 := mustSnapshot(t, b, v.ID, "s2")
	setSize(t, b, v.ID, backend.Bytes(200))
	mustSnapshot(t, b, v.ID, "s3")

	got, err := b.RestoreSnapshotKeepingSize(ctx, v.ID, s2.ID)
	if err != nil || got.Size != backend.Bytes(300) {
		t.Fatalf("restore to a 300 snapshot from 200 = %+v, %v; want 300", got, err)
	}
	if read := mustGet(t, b, v.ID); !reflect.DeepEqual(read, got) {
		t.Errorf("GetVolume = %+v, want the restore result %+v", read, got)
	}
	if names := snapshotNames(t, b, v.ID); !slices.Equal(names, []string{"s1", "s2"}) {
		t.Errorf("snapshots after restore = %v, want [s1 s2]", names)
	}
	setSize(t, b, v.ID, backend.Bytes(400))
	if got, err := b.RestoreSnapshotKeepingSize(ctx, v.ID, s1.ID); err != nil || got.Size != backend.Bytes(400) {
		t.Fatalf("restore to a 100 snapshot from 400 = %+v, %v; want 400 kept", got, err)
	}
	setSize(t, b, v.ID, backend.Unlimited)
	u := mustSnapshot(t, b, v.ID, "u")
	setSize(t, b, v.ID, backend.Bytes(7))
	if got, err := b.RestoreSnapshotKeepingSize(ctx, v.ID, u.ID); err != nil || !got.Size.IsUnlimited() {
		t.Fatalf("restore to an unlimited snapshot = %+v, %v; want unlimited", got, err)
	}
	if got, err := b.RestoreSnapshotKeepingSize(ctx, v.ID, s1.ID); err != nil || !got.Size.IsUnlimited() {
		t.Fatalf("restore of an unlimited volume = %+v, %v; want unlimited kept", got, err)
	}

	// Refused as RestoreSnapshot is: a later snapshot backs a clone.
	setSize(t, b, v.ID, backend.Bytes(50))
	s4 := mustSnapshot(t, b, v.ID, "s4")
	mustClone(t, b, v.ID, s4.ID, "clone")
	before := observe(t, b)
	_, err = b.RestoreSnapshotKeepingSize(ctx, v.ID, s1.ID)
	wantErr(t, err, backend.KindInUse, backend.ResourceSnapshot)
	wantUnchanged(t, b, before)
	_, err = b.RestoreSnapshotKeepingSize(ctx, v.ID, backend.NewSnapshotID())
	wantErr(t, err, backend.KindNotFound, backend.ResourceSnapshot)
}
