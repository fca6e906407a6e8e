package mem_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/mem"
)

var ctx = context.Background()

// newBackend returns a fresh backend whose invariants are checked when the
// test ends, whatever the test did.
func newBackend(t testing.TB, opts *mem.Options) *mem.Backend {
	t.Helper()
	b := mem.New(opts)
	t.Cleanup(func() {
		if err := b.CheckInvariants(); err != nil {
			t.Errorf("invariants violated at the end of the test:\n%v", err)
		}
	})
	return b
}

// fakeClock ticks one second per reading, in a zone other than UTC so that
// tests can see the backend converting.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 14, 15, 9, 26, 0, time.FixedZone("CET", 3600))}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// last returns the most recent reading without advancing the clock.
func (c *fakeClock) last() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func mustVolume(t testing.TB, b *mem.Backend, name string, size backend.Size) backend.Volume {
	t.Helper()
	v, err := b.CreateVolume(ctx, backend.VolumeSpec{Name: name, Size: size})
	if err != nil {
		t.Fatalf("CreateVolume(%q): %v", name, err)
	}
	return v
}

func mustSnapshot(t testing.TB, b *mem.Backend, vol backend.VolumeID, name string) backend.Snapshot {
	t.Helper()
	s, err := b.CreateSnapshot(ctx, vol, backend.SnapshotSpec{Name: name})
	if err != nil {
		t.Fatalf("CreateSnapshot(%q): %v", name, err)
	}
	return s
}

func mustClone(t testing.TB, b *mem.Backend, vol backend.VolumeID, snap backend.SnapshotID, name string) backend.Volume {
	t.Helper()
	c, err := b.CreateClone(ctx, backend.CloneSpec{ParentVolume: vol, ParentSnapshot: snap, Name: name})
	if err != nil {
		t.Fatalf("CreateClone(%q): %v", name, err)
	}
	return c
}

func mustGet(t testing.TB, b *mem.Backend, id backend.VolumeID) backend.Volume {
	t.Helper()
	v, err := b.GetVolume(ctx, id)
	if err != nil {
		t.Fatalf("GetVolume(%s): %v", id, err)
	}
	return v
}

func snapshotNames(t testing.TB, b *mem.Backend, vol backend.VolumeID) []string {
	t.Helper()
	snaps, err := b.ListSnapshots(ctx, vol)
	if err != nil {
		t.Fatalf("ListSnapshots: %v", err)
	}
	var names []string
	for _, s := range snaps {
		names = append(names, s.Name)
	}
	return names
}

// wantErr fails unless err is a *backend.Error of the given kind and
// resource. Not-found errors must also match the resource's sentinel and
// not the other one.
func wantErr(t testing.TB, err error, kind backend.Kind, res backend.Resource) {
	t.Helper()
	var be *backend.Error
	if !errors.As(err, &be) {
		t.Fatalf("error = %v (%T), want a *backend.Error of kind %q", err, err, kind)
	}
	if be.Kind != kind || be.Resource != res {
		t.Fatalf("error = %v: kind %q resource %q, want kind %q resource %q", err, be.Kind, be.Resource, kind, res)
	}
	if !errors.Is(err, kind) {
		t.Fatalf("errors.Is(%v, %v) is false", err, kind)
	}
	if kind == backend.KindNotFound {
		vol, snap := errors.Is(err, backend.ErrVolumeNotFound), errors.Is(err, backend.ErrSnapshotNotFound)
		if vol != (res == backend.ResourceVolume) || snap != (res == backend.ResourceSnapshot) {
			t.Fatalf("%v: matches ErrVolumeNotFound=%v ErrSnapshotNotFound=%v", err, vol, snap)
		}
	}
}

// world is everything observable through the API, for comparing the state
// before and after an operation that must have no effect.
type world struct {
	Volumes   []backend.Volume
	Snapshots map[backend.VolumeID][]backend.Snapshot
}

func observe(t testing.TB, b *mem.Backend) world {
	t.Helper()
	vols, err := b.ListVolumes(ctx)
	if err != nil {
		t.Fatalf("ListVolumes: %v", err)
	}
	slices.SortFunc(vols, func(x, y backend.Volume) int { return strings.Compare(x.Name, y.Name) })
	w := world{Volumes: vols, Snapshots: map[backend.VolumeID][]backend.Snapshot{}}
	for _, v := range vols {
		snaps, err := b.ListSnapshots(ctx, v.ID)
		if err != nil {
			t.Fatalf("ListSnapshots(%q): %v", v.Name, err)
		}
		w.Snapshots[v.ID] = snaps
	}
	return w
}

func wantUnchanged(t testing.TB, b *mem.Backend, before world) {
	t.Helper()
	if after := observe(t, b); !reflect.DeepEqual(before, after) {
		t.Fatalf("state changed:\nbefore %+v\nafter  %+v", before, after)
	}
}

func volName(i int) string { return fmt.Sprintf("vol-%06d", i) }
