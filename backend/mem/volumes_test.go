package mem_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/mem"
)

func TestCapabilitiesAreHonestAndComplete(t *testing.T) {
	b := newBackend(t, nil)
	want := backend.Capabilities{Snapshots: true, Clones: true, Replication: true}
	if got := b.Capabilities(ctx); got != want {
		t.Errorf("Capabilities = %+v, want %+v", got, want)
	}
	if got := backend.Tiers(b); got != b.Capabilities(ctx) {
		t.Errorf("Tiers = %+v disagrees with Capabilities %+v", got, b.Capabilities(ctx))
	}
	if err := b.Capabilities(ctx).Validate(); err != nil {
		t.Error(err)
	}
}

func TestCreateVolumeReturnsTheStoredVolume(t *testing.T) {
	clock := newClock()
	b := newBackend(t, &mem.Options{Now: clock.Now})
	spec := backend.VolumeSpec{Name: "db", Size: backend.Bytes(1 << 30), JunctionPath: "/db", ExportPolicy: "default", Comment: "primary"}
	v, err := b.CreateVolume(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if v.ID.IsZero() {
		t.Error("volume has the nil ID")
	}
	want := backend.Volume{
		ID: v.ID, Name: "db", Size: backend.Bytes(1 << 30), State: backend.StateOnline,
		Style: backend.StyleFlexVol, Type: backend.TypeRW, JunctionPath: "/db",
		ExportPolicy: "default", Comment: "primary", CreateTime: clock.last().UTC(),
	}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("created\n got %+v\nwant %+v", v, want)
	}
	if got := mustGet(t, b, v.ID); !reflect.DeepEqual(got, v) {
		t.Errorf("GetVolume = %+v, want what CreateVolume returned %+v", got, v)
	}
	list, err := b.ListVolumes(ctx)
	if err != nil || len(list) != 1 || !reflect.DeepEqual(list[0], v) {
		t.Errorf("ListVolumes = %+v, %v; want [%+v]", list, err, v)
	}
	if v.CreateTime.Location().String() != "UTC" {
		t.Errorf("create time %v is not in UTC", v.CreateTime)
	}
}

func TestCreateVolumeDefaultsToUnlimitedAndTheRealClock(t *testing.T) {
	b := newBackend(t, nil)
	v := mustVolume(t, b, "scratch", backend.Unlimited)
	if !v.Size.IsUnlimited() || v.CreateTime.IsZero() || v.Clone != nil || v.IsClone() {
		t.Errorf("unexpected volume %+v", v)
	}
}

func TestCreateVolumeRejectsInvalidSpecs(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec backend.VolumeSpec
	}{
		{"empty name", backend.VolumeSpec{}},
		{"slash in name", backend.VolumeSpec{Name: "a/b"}},
		{"NUL in name", backend.VolumeSpec{Name: "a\x00b"}},
		{"name too long", backend.VolumeSpec{Name: strings.Repeat("n", backend.MaxNameLen+1)}},
		{"invalid UTF-8 name", backend.VolumeSpec{Name: "\xff"}},
		{"relative junction path", backend.VolumeSpec{Name: "v", JunctionPath: "v"}},
		{"comment too long", backend.VolumeSpec{Name: "v", Comment: strings.Repeat("c", backend.MaxCommentLen+1)}},
		{"NUL in export policy", backend.VolumeSpec{Name: "v", ExportPolicy: "x\x00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBackend(t, nil)
			before := observe(t, b)
			_, err := b.CreateVolume(ctx, tc.spec)
			wantErr(t, err, backend.KindInvalidArgument, backend.ResourceVolume)
			wantUnchanged(t, b, before)
		})
	}
}

func TestVolumeNamesAreUniqueAndFreedOnDelete(t *testing.T) {
	b := newBackend(t, nil)
	v := mustVolume(t, b, "data", backend.Bytes(1))
	_, err := b.CreateVolume(ctx, backend.VolumeSpec{Name: "data", Size: backend.Bytes(2)})
	wantErr(t, err, backend.KindAlreadyExists, backend.ResourceVolume)
	if err := b.DeleteVolume(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	again := mustVolume(t, b, "data", backend.Bytes(3))
	if again.ID == v.ID {
		t.Error("a recreated volume reused the deleted volume's ID")
	}
	if s, _ := again.Size.Get(); s != 3 {
		t.Errorf("recreated volume has size %v, want 3", again.Size)
	}
}

func TestVolumeNamesAreCaseSensitive(t *testing.T) {
	b := newBackend(t, nil)
	mustVolume(t, b, "Data", backend.Unlimited)
	mustVolume(t, b, "data", backend.Unlimited)
}

func TestUnknownVolumeIsVolumeNotFoundEverywhere(t *testing.T) {
	b := newBackend(t, nil)
	ghost := backend.NewVolumeID()
	snap := backend.NewSnapshotID()
	name := "x"
	calls := map[string]func() error{
		"GetVolume":    func() error { _, err := b.GetVolume(ctx, ghost); return err },
		"DeleteVolume": func() error { return b.DeleteVolume(ctx, ghost) },
		"PatchVolume": func() error {
			_, err := b.PatchVolume(ctx, ghost, backend.VolumePatch{Name: &name})
			return err
		},
		"AccessHandle":    func() error { _, err := b.AccessHandle(ctx, ghost); return err },
		"ListSnapshots":   func() error { _, err := b.ListSnapshots(ctx, ghost); return err },
		"CreateSnapshot":  func() error { _, err := b.CreateSnapshot(ctx, ghost, backend.SnapshotSpec{Name: "s"}); return err },
		"GetSnapshot":     func() error { _, err := b.GetSnapshot(ctx, ghost, snap); return err },
		"DeleteSnapshot":  func() error { return b.DeleteSnapshot(ctx, ghost, snap) },
		"PatchSnapshot":   func() error { _, err := b.PatchSnapshot(ctx, ghost, snap, backend.SnapshotPatch{}); return err },
		"RestoreSnapshot": func() error { _, err := b.RestoreSnapshot(ctx, ghost, snap); return err },
		"CreateClone": func() error {
			_, err := b.CreateClone(ctx, backend.CloneSpec{ParentVolume: ghost, ParentSnapshot: snap, Name: "c"})
			return err
		},
		"SplitClone": func() error { _, err := b.SplitClone(ctx, ghost); return err },
		"SendStream": func() error { _, err := b.SendStream(ctx, ghost, "s", ""); return err },
	}
	for op, call := range calls {
		t.Run(op, func(t *testing.T) {
			err := call()
			wantErr(t, err, backend.KindNotFound, backend.ResourceVolume)
			var be *backend.Error
			if !errors.As(err, &be) || be.Op != op || be.ID != ghost.String() {
				t.Errorf("error %v: want Op %q and ID %s", err, op, ghost)
			}
		})
	}
}

func TestAccessHandleIsInMemory(t *testing.T) {
	b := newBackend(t, nil)
	v := mustVolume(t, b, "v", backend.Unlimited)
	h, err := b.AccessHandle(ctx, v.ID)
	if err != nil || h != (backend.AccessHandle{Kind: backend.AccessInMemory}) {
		t.Errorf("AccessHandle = %+v, %v", h, err)
	}
}

func TestDeleteVolumeCascadesToSnapshots(t *testing.T) {
	b := newBackend(t, nil)
	v := mustVolume(t, b, "v", backend.Unlimited)
	s := mustSnapshot(t, b, v.ID, "s1")
	mustSnapshot(t, b, v.ID, "s2")
	if err := b.DeleteVolume(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	_, err := b.ListSnapshots(ctx, v.ID)
	wantErr(t, err, backend.KindNotFound, backend.ResourceVolume)
	_, err = b.GetSnapshot(ctx, v.ID, s.ID)
	wantErr(t, err, backend.KindNotFound, backend.ResourceVolume)
	_, err = b.GetVolume(ctx, v.ID)
	wantErr(t, err, backend.KindNotFound, backend.ResourceVolume)
	if list, _ := b.ListVolumes(ctx); len(list) != 0 {
		t.Errorf("ListVolumes after delete = %+v", list)
	}
}

func TestDeleteVolumeRefusedWhileACloneDependsOnIt(t *testing.T) {
	b := newBackend(t, nil)
	parent := mustVolume(t, b, "parent", backend.Bytes(10))
	mustSnapshot(t, b, parent.ID, "free")
	s := mustSnapshot(t, b, parent.ID, "pinned")
	clone := mustClone(t, b, parent.ID, s.ID, "clone")

	before := observe(t, b)
	err := b.DeleteVolume(ctx, parent.ID)
	wantErr(t, err, backend.KindInUse, backend.ResourceVolume)
	wantUnchanged(t, b, before)

	if err := b.DeleteVolume(ctx, clone.ID); err != nil {
		t.Fatalf("deleting the clone: %v", err)
	}
	if err := b.DeleteVolume(ctx, parent.ID); err != nil {
		t.Fatalf("deleting the parent once its clone is gone: %v", err)
	}
}

func TestPatchVolumeStoresEveryField(t *testing.T) {
	for _, tc := range []struct {
		name  string
		patch backend.VolumePatch
		check func(v backend.Volume) bool
	}{
		{"name", backend.VolumePatch{Name: new("renamed")}, func(v backend.Volume) bool { return v.Name == "renamed" }},
		{"size", backend.VolumePatch{Size: new(backend.Bytes(2 << 30))}, func(v backend.Volume) bool { return v.Size == backend.Bytes(2<<30) }},
		{"size zero", backend.VolumePatch{Size: new(backend.Bytes(0))}, func(v backend.Volume) bool { return v.Size == backend.Bytes(0) }},
		{"size unlimited", backend.VolumePatch{Size: new(backend.Unlimited)}, func(v backend.Volume) bool { return v.Size.IsUnlimited() }},
		{"state restricted", backend.VolumePatch{State: new(backend.StateRestricted)}, func(v backend.Volume) bool { return v.State == backend.StateRestricted }},
		{"junction path", backend.VolumePatch{JunctionPath: new("/mnt/x")}, func(v backend.Volume) bool { return v.JunctionPath == "/mnt/x" }},
		{"unmount", backend.VolumePatch{JunctionPath: new("")}, func(v backend.Volume) bool { return v.JunctionPath == "" }},
		{"export policy", backend.VolumePatch{ExportPolicy: new("nfs-open")}, func(v backend.Volume) bool { return v.ExportPolicy == "nfs-open" }},
		{"comment", backend.VolumePatch{Comment: new("hello")}, func(v backend.Volume) bool { return v.Comment == "hello" }},
		{"clear comment", backend.VolumePatch{Comment: new("")}, func(v backend.Volume) bool { return v.Comment == "" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBackend(t, nil)
			v, err := b.CreateVolume(ctx, backend.VolumeSpec{Name: "v", Size: backend.Bytes(1 << 30), JunctionPath: "/v", Comment: "c"})
			if err != nil {
				t.Fatal(err)
			}
			got, err := b.PatchVolume(ctx, v.ID, tc.patch)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(got) {
				t.Errorf("patch result %+v does not show the change", got)
			}
			if read := mustGet(t, b, v.ID); !reflect.DeepEqual(read, got) {
				t.Errorf("GetVolume = %+v, want the patch result %+v", read, got)
			}
			if got.ID != v.ID || !got.CreateTime.Equal(v.CreateTime) {
				t.Errorf("patch changed identity: %+v", got)
			}
		})
	}
}

func TestPatchVolumeEmptyPatchChangesNothing(t *testing.T) {
	b := newBackend(t, nil)
	v := mustVolume(t, b, "v", backend.Bytes(5))
	before := observe(t, b)
	got, err := b.PatchVolume(ctx, v.ID, backend.VolumePatch{})
	if err != nil || !reflect.DeepEqual(got, v) {
		t.Errorf("empty patch = %+v, %v; want %+v", got, err, v)
	}
	wantUnchanged(t, b, before)
}

func TestPatchVolumeChecksExistenceBeforeValidation(t *testing.T) {
	b := newBackend(t, nil)
	_, err := b.PatchVolume(ctx, backend.NewVolumeID(), backend.VolumePatch{JunctionPath: new("relative")})
	wantErr(t, err, backend.KindNotFound, backend.ResourceVolume)
}

func TestPatchVolumeRejectsInvalidPatchesWithoutEffect(t *testing.T) {
	for _, tc := range []struct {
		name  string
		patch backend.VolumePatch
	}{
		{"relative junction", backend.VolumePatch{JunctionPath: new("mnt")}},
		{"bad state", backend.VolumePatch{State: new(backend.VolumeState("melted"))}},
		{"empty name", backend.VolumePatch{Name: new("")}},
		{"slash name with valid size", backend.VolumePatch{Name: new("a/b"), Size: new(backend.Bytes(1))}},
		{"long comment", backend.VolumePatch{Comment: new(strings.Repeat("x", backend.MaxCommentLen+1))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBackend(t, nil)
			v := mustVolume(t, b, "v", backend.Bytes(1))
			before := observe(t, b)
			_, err := b.PatchVolume(ctx, v.ID, tc.patch)
			wantErr(t, err, backend.KindInvalidArgument, backend.ResourceVolume)
			var be *backend.Error
			if errors.As(err, &be); be.Op != "PatchVolume" {
				t.Errorf("error op = %q, want PatchVolume", be.Op)
			}
			wantUnchanged(t, b, before)
		})
	}
}

func TestPatchVolumeRename(t *testing.T) {
	b := newBackend(t, nil)
	a := mustVolume(t, b, "a", backend.Unlimited)
	mustVolume(t, b, "b", backend.Unlimited)

	before := observe(t, b)
	_, err := b.PatchVolume(ctx, a.ID, backend.VolumePatch{Name: new("b"), Comment: new("lost?")})
	wantErr(t, err, backend.KindAlreadyExists, backend.ResourceVolume)
	wantUnchanged(t, b, before)

	if _, err := b.PatchVolume(ctx, a.ID, backend.VolumePatch{Name: new("a")}); err != nil {
		t.Errorf("renaming a volume to its own name: %v", err)
	}
	if _, err := b.PatchVolume(ctx, a.ID, backend.VolumePatch{Name: new("c")}); err != nil {
		t.Fatal(err)
	}
	// The old name is free at once; the new one is taken.
	mustVolume(t, b, "a", backend.Unlimited)
	_, err = b.CreateVolume(ctx, backend.VolumeSpec{Name: "c"})
	wantErr(t, err, backend.KindAlreadyExists, backend.ResourceVolume)
}

func TestPatchVolumeStateAndJunctionPath(t *testing.T) {
	for _, tc := range []struct {
		name         string
		startOffline bool
		patch        backend.VolumePatch
		wantState    backend.VolumeState
		wantJunction string
		wantInUse    bool
	}{
		{name: "offline unmounts", patch: backend.VolumePatch{State: new(backend.StateOffline)},
			wantState: backend.StateOffline, wantJunction: ""},
		{name: "restricted unmounts", patch: backend.VolumePatch{State: new(backend.StateRestricted)},
			wantState: backend.StateRestricted, wantJunction: ""},
		{name: "offline with empty junction", patch: backend.VolumePatch{State: new(backend.StateOffline), JunctionPath: new("")},
			wantState: backend.StateOffline, wantJunction: ""},
		{name: "offline while mounting", patch: backend.VolumePatch{State: new(backend.StateOffline), JunctionPath: new("/new")},
			wantInUse: true},
		{name: "mount an offline volume", startOffline: true, patch: backend.VolumePatch{JunctionPath: new("/new")},
			wantInUse: true},
		{name: "online and mount together", startOffline: true, patch: backend.VolumePatch{State: new(backend.StateOnline), JunctionPath: new("/new")},
			wantState: backend.StateOnline, wantJunction: "/new"},
		{name: "online stays unmounted", startOffline: true, patch: backend.VolumePatch{State: new(backend.StateOnline)},
			wantState: backend.StateOnline, wantJunction: ""},
		{name: "unmount an offline volume", startOffline: true, patch: backend.VolumePatch{JunctionPath: new("")},
			wantState: backend.StateOffline, wantJunction: ""},
		{name: "remount online", patch: backend.VolumePatch{JunctionPath: new("/elsewhere")},
			wantState: backend.StateOnline, wantJunction: "/elsewhere"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBackend(t, nil)
			v, err := b.CreateVolume(ctx, backend.VolumeSpec{Name: "v", JunctionPath: "/v"})
			if err != nil {
				t.Fatal(err)
			}
			if tc.startOffline {
				if _, err := b.PatchVolume(ctx, v.ID, backend.VolumePatch{State: new(backend.StateOffline)}); err != nil {
					t.Fatal(err)
				}
			}
			before := observe(t, b)
			got, err := b.PatchVolume(ctx, v.ID, tc.patch)
			if tc.wantInUse {
				wantErr(t, err, backend.KindInUse, backend.ResourceVolume)
				wantUnchanged(t, b, before)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.State != tc.wantState || got.JunctionPath != tc.wantJunction {
				t.Errorf("state %q junction %q, want %q %q", got.State, got.JunctionPath, tc.wantState, tc.wantJunction)
			}
			if read := mustGet(t, b, v.ID); !reflect.DeepEqual(read, got) {
				t.Errorf("GetVolume = %+v, want %+v", read, got)
			}
		})
	}
}

func TestListVolumesReturnsEveryVolume(t *testing.T) {
	b := newBackend(t, nil)
	want := map[backend.VolumeID]string{}
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		want[mustVolume(t, b, name, backend.Unlimited).ID] = name
	}
	p := mustVolume(t, b, "p", backend.Unlimited)
	want[p.ID] = "p"
	s := mustSnapshot(t, b, p.ID, "s")
	want[mustClone(t, b, p.ID, s.ID, "clone").ID] = "clone"

	list, err := b.ListVolumes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[backend.VolumeID]string{}
	for _, v := range list {
		got[v.ID] = v.Name
	}
	if !reflect.DeepEqual(got, want) || len(list) != len(want) {
		t.Errorf("ListVolumes = %v, want %v", got, want)
	}
}

func TestManyVolumesStayReachable(t *testing.T) {
	// Enough volumes to grow every map several times, then delete half,
	// so that deletes move volumes around the listing slice.
	b := newBackend(t, nil)
	const n = 3000
	ids := make([]backend.VolumeID, n)
	for i := range n {
		ids[i] = mustVolume(t, b, volName(i), backend.Bytes(uint64(i))).ID
	}
	for i := 0; i < n; i += 2 {
		if err := b.DeleteVolume(ctx, ids[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		v, err := b.GetVolume(ctx, ids[i])
		if i%2 == 0 {
			wantErr(t, err, backend.KindNotFound, backend.ResourceVolume)
			continue
		}
		if err != nil || v.Name != volName(i) || v.Size != backend.Bytes(uint64(i)) {
			t.Fatalf("volume %d = %+v, %v", i, v, err)
		}
	}
	list, _ := b.ListVolumes(ctx)
	if len(list) != n/2 {
		t.Errorf("ListVolumes has %d volumes, want %d", len(list), n/2)
	}
}
