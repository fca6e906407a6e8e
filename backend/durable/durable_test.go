package durable_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/backendtest"
	"github.com/nessie-go/nessie/backend/durable"
	"github.com/nessie-go/nessie/fixture"
)

func open(t *testing.T, path string) *durable.Backend {
	t.Helper()
	b, err := durable.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// reopened closes b and opens its file again, checking that the reloaded
// state equals what b exported.
func reopened(t *testing.T, b *durable.Backend) *durable.Backend {
	t.Helper()
	before, err := b.Export(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	nb := open(t, b.Path())
	after, err := nb.Export(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d := diffStates(before, after); d != "" {
		t.Fatalf("state changed across close and reopen: %s", d)
	}
	return nb
}

// TestConformance runs the conformance suite over a file-backed backend;
// after each case the file is reopened and must hold exactly the state
// the case left.
func TestConformance(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backend.VolumeBackend {
		b := open(t, filepath.Join(t.TempDir(), "state.db"))
		t.Cleanup(func() {
			nb := reopened(t, b)
			if err := nb.Close(); err != nil {
				t.Error(err)
			}
		})
		return b
	}, nil)
}

func TestSurvivesReopen(t *testing.T) {
	ctx := t.Context()
	b := open(t, filepath.Join(t.TempDir(), "state.db"))
	v, err := b.CreateVolume(ctx, backend.VolumeSpec{Name: "v1", Size: backend.Bytes(1 << 30), JunctionPath: "/v1", Comment: "c"})
	if err != nil {
		t.Fatal(err)
	}
	var snaps []backend.Snapshot
	for _, n := range []string{"s1", "s2", "s3"} {
		s, err := b.CreateSnapshot(ctx, v.ID, backend.SnapshotSpec{Name: n})
		if err != nil {
			t.Fatal(err)
		}
		snaps = append(snaps, s)
	}
	if _, err := b.PatchSnapshot(ctx, v.ID, snaps[0].ID, backend.SnapshotPatch{Name: ptr("first")}); err != nil {
		t.Fatal(err)
	}
	c, err := b.CreateClone(ctx, backend.CloneSpec{Name: "c1", ParentVolume: v.ID, ParentSnapshot: snaps[1].ID})
	if err != nil {
		t.Fatal(err)
	}
	b = reopened(t, b)
	defer b.Close()
	// Order survives the rename of the oldest snapshot.
	got, err := b.ListSnapshots(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Name != "first" || got[1].ID != snaps[1].ID || got[2].ID != snaps[2].ID {
		t.Fatalf("snapshots after reopen: %+v", got)
	}
	// The clone's dependency is rebuilt: the parent snapshot is busy.
	if err := b.DeleteSnapshot(ctx, v.ID, snaps[1].ID); !errors.Is(err, backend.ErrInUse) {
		t.Fatalf("deleting the clone's parent snapshot after reopen: %v, want ErrInUse", err)
	}
	gc, err := b.GetVolume(ctx, c.ID)
	if err != nil || gc.Clone == nil || gc.Clone.ParentSnapshot != "s2" || gc.Clone.ParentVolume != "v1" {
		t.Fatalf("clone after reopen: %+v, %v", gc, err)
	}
	if _, err := b.SplitClone(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.RestoreSnapshot(ctx, v.ID, snaps[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteVolume(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	b = reopened(t, b)
	vs, _ := b.ListVolumes(ctx)
	ss, _ := b.ListSnapshots(ctx, v.ID)
	if len(vs) != 1 || len(ss) != 1 {
		t.Fatalf("after restore and delete, reopened: %d volumes, %d snapshots; want 1 and 1", len(vs), len(ss))
	}
}

func TestSecondOpenIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	b := open(t, path)
	defer b.Close()
	_, err := durable.Open(path, &durable.Options{LockTimeout: 50e6})
	if !errors.Is(err, durable.ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	t.Log(err)
}

func TestCorruptFileIsRefused(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]func(path string) error{
		"garbage": func(p string) error {
			return os.WriteFile(p, []byte("this is not a bbolt file, but it is long enough to look at"), 0o600)
		},
		"truncated": func(p string) error {
			b, err := durable.Open(p, nil)
			if err != nil {
				return err
			}
			if _, err := b.CreateVolume(context.Background(), backend.VolumeSpec{Name: "v"}); err != nil {
				return err
			}
			b.Close()
			return os.Truncate(p, 1000)
		},
		"zeroed pages": func(p string) error {
			b, err := durable.Open(p, nil)
			if err != nil {
				return err
			}
			b.Close()
			f, err := os.OpenFile(p, os.O_RDWR, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.WriteAt(make([]byte, 8192), 0) // both meta pages
			return err
		},
	}
	for name, damage := range cases {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name+".db")
			if err := damage(p); err != nil {
				t.Fatal(err)
			}
			b, err := durable.Open(p, nil)
			if err == nil {
				b.Close()
				t.Fatal("Open of a damaged file succeeded")
			}
			if !errors.Is(err, durable.ErrCorrupt) {
				t.Fatalf("Open: %v, want ErrCorrupt", err)
			}
			if !containsAll(err.Error(), p, "Move the file aside") {
				t.Fatalf("error does not name the file and the remedy: %v", err)
			}
		})
	}
}

// TestGroupCommitConcurrent runs many writers at once and checks every
// acknowledged volume is in the reopened file.
func TestGroupCommitConcurrent(t *testing.T) {
	ctx := t.Context()
	b := open(t, filepath.Join(t.TempDir(), "state.db"))
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := range 20 {
				v, err := b.CreateVolume(ctx, backend.VolumeSpec{Name: name(w, i)})
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := b.CreateSnapshot(ctx, v.ID, backend.SnapshotSpec{Name: "s"}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	b = reopened(t, b)
	defer b.Close()
	vs, _ := b.ListVolumes(ctx)
	if len(vs) != 16*20 {
		t.Fatalf("%d volumes after reopen, want %d", len(vs), 16*20)
	}
}

// TestRestoreKeepsUUIDsAndSurvivesReopen restores the example fixture,
// replacing what was there, and checks the exact state persists.
func TestRestoreKeepsUUIDsAndSurvivesReopen(t *testing.T) {
	ctx := t.Context()
	data, err := os.ReadFile("../../fixture/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	st, err := fixture.Parse("example.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	b := open(t, filepath.Join(t.TempDir(), "state.db"))
	if _, err := b.CreateVolume(ctx, backend.VolumeSpec{Name: "leftover"}); err != nil {
		t.Fatal(err)
	}
	if err := b.Restore(ctx, st); err != nil {
		t.Fatal(err)
	}
	b = reopened(t, b)
	defer b.Close()
	got, err := b.Export(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffStates(st, got); d != "" {
		t.Fatalf("restored state differs from the fixture: %s", d)
	}
	// The clone's parent snapshot is busy after the reload.
	if err := b.DeleteSnapshot(ctx, st.Volumes[0].Volume.ID, st.Volumes[0].Snapshots[0].Snapshot.ID); !errors.Is(err, backend.ErrInUse) {
		t.Fatalf("DeleteSnapshot of the clone's parent: %v", err)
	}
	// An invalid state changes nothing.
	bad := &backend.State{Volumes: []backend.VolumeRecord{{Volume: backend.Volume{Name: "x/y"}}}}
	if err := b.Restore(ctx, bad); !errors.Is(err, backend.ErrInvalidArgument) {
		t.Fatalf("Restore of an invalid state: %v", err)
	}
	if vs, _ := b.ListVolumes(ctx); len(vs) != len(st.Volumes) {
		t.Fatalf("%d volumes after a refused restore, want %d", len(vs), len(st.Volumes))
	}
}

// TestAttributesAndAtomicCloneSurviveReopen: attributes of volumes and
// snapshots (merged by patches) and a clone made with its own new parent
// snapshot are all in the reopened file.
func TestAttributesAndAtomicCloneSurviveReopen(t *testing.T) {
	ctx := t.Context()
	b := open(t, filepath.Join(t.TempDir(), "state.db"))
	v, err := b.CreateVolume(ctx, backend.VolumeSpec{Name: "v", State: backend.StateRestricted,
		Attributes: []byte(`{"space":{"snapshot":{"reserve_percent":5}},"tiering":{"policy":"none"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.PatchVolume(ctx, v.ID, backend.VolumePatch{Attributes: []byte(`{"tiering":null,"language":"c.utf_8"}`)}); err != nil {
		t.Fatal(err)
	}
	c, err := b.CreateClone(ctx, backend.CloneSpec{Name: "c", ParentVolume: v.ID, NewSnapshotName: "for_c",
		Comment: "clone", Attributes: []byte(`{"guarantee":{"type":"none"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.SnapshotByName(ctx, v.ID, "for_c")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.PatchSnapshot(ctx, v.ID, s.ID, backend.SnapshotPatch{Attributes: []byte(`{"snapmirror_label":"daily"}`)}); err != nil {
		t.Fatal(err)
	}
	b = reopened(t, b)
	defer b.Close()
	gv, err := b.VolumeByName(ctx, "v")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(gv.Attributes), `{"space":{"snapshot":{"reserve_percent":5}},"language":"c.utf_8"}`; got != want || gv.State != backend.StateRestricted {
		t.Fatalf("volume after reopen: attributes %s (want %s), state %s", got, want, gv.State)
	}
	gs, err := b.GetSnapshot(ctx, v.ID, s.ID)
	if err != nil || string(gs.Attributes) != `{"snapmirror_label":"daily"}` {
		t.Fatalf("snapshot after reopen: %+v, %v", gs, err)
	}
	gc, err := b.GetVolume(ctx, c.ID)
	if err != nil || gc.Clone == nil || gc.Clone.ParentSnapshot != "for_c" || string(gc.Attributes) != `{"guarantee":{"type":"none"}}` || gc.Comment != "clone" {
		t.Fatalf("clone after reopen: %+v, %v", gc, err)
	}
	if err := b.DeleteSnapshot(ctx, v.ID, s.ID); !errors.Is(err, backend.ErrInUse) {
		t.Fatalf("DeleteSnapshot of the clone's new parent snapshot: %v, want ErrInUse", err)
	}
}

// TestRestoreSnapshotKeepingSize: the ONTAP form of restore keeps the
// larger size and deletes later snapshots, and that survives a reopen.
func TestRestoreSnapshotKeepingSize(t *testing.T) {
	var _ backend.SizeKeepingRestorer = (*durable.Backend)(nil)
	ctx := t.Context()
	b := open(t, filepath.Join(t.TempDir(), "state.db"))
	v, err := b.CreateVolume(ctx, backend.VolumeSpec{Name: "v1", Size: backend.Bytes(100)})
	if err != nil {
		t.Fatal(err)
	}
	s1, err := b.CreateSnapshot(ctx, v.ID, backend.SnapshotSpec{Name: "s1"})
	if err != nil {
		t.Fatal(err)
	}
	big := backend.Bytes(300)
	if _, err := b.PatchVolume(ctx, v.ID, backend.VolumePatch{Size: &big}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.CreateSnapshot(ctx, v.ID, backend.SnapshotSpec{Name: "s2"}); err != nil {
		t.Fatal(err)
	}
	got, err := b.RestoreSnapshotKeepingSize(ctx, v.ID, s1.ID)
	if err != nil || got.Size != big {
		t.Fatalf("restore to a 100 snapshot from 300 = %+v, %v; want 300 kept", got, err)
	}
	b = reopened(t, b)
	defer b.Close()
	if got, err := b.GetVolume(ctx, v.ID); err != nil || got.Size != big {
		t.Fatalf("after reopen: %+v, %v; want size 300", got, err)
	}
	if ss, _ := b.ListSnapshots(ctx, v.ID); len(ss) != 1 || ss[0].ID != s1.ID {
		t.Fatalf("after reopen the snapshots are %+v; want s1 alone", ss)
	}
	small := backend.Bytes(50)
	if _, err := b.PatchVolume(ctx, v.ID, backend.VolumePatch{Size: &small}); err != nil {
		t.Fatal(err)
	}
	if got, err := b.RestoreSnapshotKeepingSize(ctx, v.ID, s1.ID); err != nil || got.Size != backend.Bytes(100) {
		t.Fatalf("restore to a 100 snapshot from 50 = %+v, %v; want 100", got, err)
	}
}
