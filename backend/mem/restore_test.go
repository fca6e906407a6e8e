package mem_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/mem"
)

func mustExport(t *testing.T, b *mem.Backend) *backend.State {
	t.Helper()
	st, err := b.Export(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// A dp volume, attributes, times in another zone, and a snapshot's
// volume size all come back from a restore as given (times in UTC).
func TestRestoreKeepsEveryField(t *testing.T) {
	b := newBackend(t, nil)
	at := time.Date(2024, 2, 29, 12, 0, 0, 5, time.FixedZone("CET", 3600))
	vid, sid := backend.NewVolumeID(), backend.NewSnapshotID()
	st := &backend.State{Volumes: []backend.VolumeRecord{{
		Volume: backend.Volume{ID: vid, Name: "dst", Size: backend.Bytes(5 << 30), State: backend.StateRestricted,
			Style: backend.StyleFlexVol, Type: backend.TypeDP, ExportPolicy: "p", Comment: "c", CreateTime: at,
			Attributes: []byte(`{ "a" : 1 }`), UsedBytes: 99},
		Snapshots: []backend.SnapshotRecord{{Snapshot: backend.Snapshot{ID: sid, Name: "s", CreateTime: at, Comment: "sc",
			Attributes: []byte(`{"l":"x"}`)}, VolumeSize: backend.Bytes(1 << 30)}},
	}}}
	if err := b.Restore(ctx, st); err != nil {
		t.Fatal(err)
	}
	v := mustGet(t, b, vid)
	want := backend.Volume{ID: vid, Name: "dst", Size: backend.Bytes(5 << 30), State: backend.StateRestricted,
		Style: backend.StyleFlexVol, Type: backend.TypeDP, ExportPolicy: "p", Comment: "c", CreateTime: at.UTC(),
		Attributes: []byte(`{"a":1}`)}
	if !reflect.DeepEqual(v, want) {
		t.Fatalf("restored volume\n%+v\nwant\n%+v", v, want)
	}
	c, err := b.CreateClone(ctx, backend.CloneSpec{Name: "c", ParentVolume: vid, ParentSnapshot: sid})
	if err != nil || c.Size != backend.Bytes(1<<30) || c.Type != backend.TypeRW {
		t.Fatalf("clone of the restored snapshot: %+v, %v; want 1 GiB, rw", c, err)
	}
	// The caller's state is not kept: changing it changes nothing stored.
	st.Volumes[0].Volume.Name = "changed"
	if got := mustGet(t, b, vid); got.Name != "dst" {
		t.Fatalf("changing the restored state renamed the volume to %q", got.Name)
	}
}

// Hand-written UUIDs differing only in their last digits get distinct
// index keys; a state whose UUIDs share a key is refused, changing nothing.
func TestRestoreUUIDsAndIndexKeys(t *testing.T) {
	b := newBackend(t, nil)
	var st backend.State
	for i := range 50 {
		id, err := backend.ParseVolumeID("00000000-0000-4000-8000-0000000000" + string("0123456789"[i/10]) + string("0123456789"[i%10]))
		if err != nil {
			t.Fatal(err)
		}
		st.Volumes = append(st.Volumes, backend.VolumeRecord{Volume: backend.Volume{ID: id, Name: volName(i),
			State: backend.StateOnline, Type: backend.TypeRW}})
	}
	if err := b.Restore(ctx, &st); err != nil {
		t.Fatal(err)
	}
	for _, vr := range st.Volumes {
		if got := mustGet(t, b, vr.Volume.ID); got.Name != vr.Volume.Name {
			t.Fatalf("volume %s is %q, want %q", vr.Volume.ID, got.Name, vr.Volume.Name)
		}
	}
	before := mustExport(t, b)
	first := st.Volumes[0].Volume.ID
	clash := mem.SameKeyID(first)
	bad := &backend.State{Volumes: []backend.VolumeRecord{
		{Volume: backend.Volume{ID: first, Name: "a", State: backend.StateOnline, Type: backend.TypeRW}},
		{Volume: backend.Volume{ID: clash, Name: "b", State: backend.StateOnline, Type: backend.TypeRW}},
	}}
	err := b.Restore(ctx, bad)
	wantErr(t, err, backend.KindInvalidArgument, backend.ResourceBackend)
	if !strings.Contains(err.Error(), clash.String()) {
		t.Errorf("the refusal does not name the UUID: %v", err)
	}
	if after := mustExport(t, b); !reflect.DeepEqual(after, before) {
		t.Fatal("a refused restore changed the state")
	}
}

// A lenient backend restores and exports too; a detached clone (its
// parent snapshot deleted) is exported as an independent volume, so the
// export restores.
func TestLenientExportRestore(t *testing.T) {
	b := lenient(t)
	p := mustVolume(t, b, "p", backend.Bytes(1))
	s := mustSnapshot(t, b, p.ID, "s")
	c := mustClone(t, b, p.ID, s.ID, "c")
	if err := b.DeleteSnapshot(ctx, p.ID, s.ID); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, b, c.ID); got.Clone == nil {
		t.Fatal("the detached clone lost its origin")
	}
	st := mustExport(t, b)
	if err := st.Check(); err != nil {
		t.Fatalf("a lenient export fails Check: %v", err)
	}
	fresh := lenient(t)
	if err := fresh.Restore(ctx, st); err != nil {
		t.Fatal(err)
	}
	got := mustGet(t, fresh, c.ID)
	if got.Clone != nil || got.Name != "c" {
		t.Fatalf("restored detached clone: %+v", got)
	}
	if d := mustExport(t, fresh); !reflect.DeepEqual(d, st) {
		t.Fatalf("export after restore differs:\n%+v\n%+v", d, st)
	}
}

// A done context changes nothing, before or while waiting for the lock.
func TestRestoreHonoursTheContext(t *testing.T) {
	b := newBackend(t, nil)
	mustVolume(t, b, "kept", backend.Unlimited)
	done, cancel := context.WithCancel(ctx)
	cancel()
	if err := b.Restore(done, &backend.State{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Restore with a done context: %v", err)
	}
	if _, err := b.Export(done); !errors.Is(err, context.Canceled) {
		t.Fatalf("Export with a done context: %v", err)
	}
	if vs, _ := b.ListVolumes(ctx); len(vs) != 1 {
		t.Fatalf("%d volumes after a cancelled restore, want 1", len(vs))
	}
}

// Readers racing a restore see either the whole old state or the whole
// new one (run under -race).
func TestRestoreIsAtomicForReaders(t *testing.T) {
	b := newBackend(t, nil)
	states := make([]*backend.State, 2)
	for k := range states {
		src := mem.New(nil)
		for i := range 20 {
			mustVolume(t, src, volName(k*100+i), backend.Bytes(uint64(k)))
		}
		states[k] = mustExport(t, src)
	}
	if err := b.Restore(ctx, states[0]); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				vs, err := b.ListVolumes(ctx)
				if err != nil || len(vs) != 20 {
					t.Errorf("listing during restores: %d volumes, %v", len(vs), err)
					return
				}
				for _, v := range vs[1:] {
					if v.Size != vs[0].Size {
						t.Errorf("a listing mixes two states")
						return
					}
				}
			}
		})
	}
	for i := range 200 {
		if err := b.Restore(ctx, states[i%2]); err != nil {
			t.Error(err)
			break
		}
	}
	close(stop)
	wg.Wait()
}
