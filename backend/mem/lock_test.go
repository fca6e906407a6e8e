package mem_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/mem"
)

// pausingClock is an Options.Now that, when armed, holds the first caller
// until released. mem reads the clock under the writer lock, in the middle
// of a write, so an armed clock parks one writer mid-update.
type pausingClock struct {
	armed   atomic.Bool
	entered chan struct{} // closed when a caller is parked
	release chan struct{} // closing it lets the caller go
}

func newPausingClock() *pausingClock {
	return &pausingClock{entered: make(chan struct{}), release: make(chan struct{})}
}

func (c *pausingClock) Now() time.Time {
	if c.armed.CompareAndSwap(true, false) {
		close(c.entered)
		<-c.release
	}
	return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
}

// TestWriterLockPreventsLostUpdates makes a lost update deterministic
// rather than a matter of luck: writer A is parked by its clock in the
// middle of a write, after reading what it changes and before storing the
// changed copy; writer B then changes the same thing. With the writer
// lock, B waits for A, and both changes survive. Without it, B finishes
// while A is parked, A then stores its stale copy, and B's change is gone,
// which this test reports. (A waits for B at most 200 ms, which is how
// long B is given to finish if nothing stops it.)
func TestWriterLockPreventsLostUpdates(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b func(b *mem.Backend, v backend.Volume) error
		// check runs when both are done.
		check func(t *testing.T, b *mem.Backend, v backend.Volume)
	}{
		{
			name: "VolumeRecord", // A receives a stream into v; B patches v
			a: func(b *mem.Backend, v backend.Volume) error {
				_, err := b.ReceiveStream(ctx, v.Name, strings.NewReader("nessie-mem-stream 1\nvolume \"src\"\nsize 9\nsnapshot \"a\"\nbase \"\"\nend\n"))
				return err
			},
			b: func(b *mem.Backend, v backend.Volume) error {
				_, err := b.PatchVolume(ctx, v.ID, backend.VolumePatch{Comment: new("B"), Attributes: json.RawMessage(`{"b":1}`)})
				return err
			},
			check: func(t *testing.T, b *mem.Backend, v backend.Volume) {
				got := mustGet(t, b, v.ID)
				if got.Comment != "B" || string(got.Attributes) != `{"b":1}` {
					t.Errorf("B's patch was lost: comment %q, attributes %s", got.Comment, got.Attributes)
				}
				if got.Size != backend.Bytes(9) || strings.Join(snapshotNames(t, b, v.ID), ",") != "a" {
					t.Errorf("A's stream was lost: size %v, snapshots %q", got.Size, snapshotNames(t, b, v.ID))
				}
			},
		},
		{
			name: "SnapshotList", // A and B both take a snapshot of v
			a: func(b *mem.Backend, v backend.Volume) error {
				_, err := b.CreateSnapshot(ctx, v.ID, backend.SnapshotSpec{Name: "a"})
				return err
			},
			b: func(b *mem.Backend, v backend.Volume) error {
				_, err := b.CreateSnapshot(ctx, v.ID, backend.SnapshotSpec{Name: "b"})
				return err
			},
			check: func(t *testing.T, b *mem.Backend, v backend.Volume) {
				if names := strings.Join(snapshotNames(t, b, v.ID), ","); names != "a,b" {
					t.Errorf("snapshots %q, want a,b", names)
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := newPausingClock()
			b := newBackend(t, &mem.Options{Now: clock.Now})
			v := mustVolume(t, b, "v", backend.Bytes(1))
			clock.armed.Store(true)
			aDone := make(chan error, 1)
			go func() { aDone <- tc.a(b, v) }()
			<-clock.entered // A is parked mid-write
			bDone := make(chan error, 1)
			go func() { bDone <- tc.b(b, v) }()
			var bErr error
			select {
			case bErr = <-bDone: // no lock stopped B
				close(clock.release)
			case <-time.After(200 * time.Millisecond): // B waits for A, as it should
				close(clock.release)
				bErr = <-bDone
			}
			if err := <-aDone; err != nil {
				t.Fatalf("A: %v", err)
			}
			if bErr != nil {
				t.Fatalf("B: %v", bErr)
			}
			tc.check(t, b, v)
		})
	}
}

// flipContext is live the first time it is asked and cancelled from then
// on: mem asks once on entry and again once it holds the writer lock, so
// every write sees it cancelled only after waiting for the lock.
type flipContext struct {
	context.Context
	asked atomic.Int32
}

func (c *flipContext) Err() error {
	if c.asked.Add(1) == 1 {
		return nil
	}
	return context.Canceled
}

// TestContextIsCheckedAgainOnceTheLockIsHeld: a write whose context ends
// while it waits for the writer lock must not take effect.
func TestContextIsCheckedAgainOnceTheLockIsHeld(t *testing.T) {
	type fixture struct {
		b      *mem.Backend
		v, c   backend.Volume
		s      backend.Snapshot
		free   backend.Snapshot // of the clone; nothing depends on it
		stream string
	}
	writes := map[string]func(context.Context, fixture) error{
		"CreateVolume": func(ctx context.Context, f fixture) error {
			_, err := f.b.CreateVolume(ctx, backend.VolumeSpec{Name: "new"})
			return err
		},
		"DeleteVolume": func(ctx context.Context, f fixture) error { return f.b.DeleteVolume(ctx, f.c.ID) },
		"PatchVolume": func(ctx context.Context, f fixture) error {
			_, err := f.b.PatchVolume(ctx, f.v.ID, backend.VolumePatch{Comment: new("x")})
			return err
		},
		"CreateSnapshot": func(ctx context.Context, f fixture) error {
			_, err := f.b.CreateSnapshot(ctx, f.v.ID, backend.SnapshotSpec{Name: "s2"})
			return err
		},
		"DeleteSnapshot": func(ctx context.Context, f fixture) error {
			return f.b.DeleteSnapshot(ctx, f.c.ID, f.free.ID)
		},
		"PatchSnapshot": func(ctx context.Context, f fixture) error {
			_, err := f.b.PatchSnapshot(ctx, f.v.ID, f.s.ID, backend.SnapshotPatch{Comment: new("x")})
			return err
		},
		"RestoreSnapshot": func(ctx context.Context, f fixture) error {
			_, err := f.b.RestoreSnapshot(ctx, f.v.ID, f.s.ID)
			return err
		},
		"CreateClone": func(ctx context.Context, f fixture) error {
			_, err := f.b.CreateClone(ctx, backend.CloneSpec{Name: "c2", ParentVolume: f.v.ID, NewSnapshotName: "s3"})
			return err
		},
		"SplitClone": func(ctx context.Context, f fixture) error { _, err := f.b.SplitClone(ctx, f.c.ID); return err },
		"ReceiveStream": func(ctx context.Context, f fixture) error {
			_, err := f.b.ReceiveStream(ctx, "mirror", strings.NewReader(f.stream))
			return err
		},
	}
	for op, write := range writes {
		t.Run(op, func(t *testing.T) {
			b := newBackend(t, nil)
			v := mustVolume(t, b, "v", backend.Bytes(1))
			s := mustSnapshot(t, b, v.ID, "s")
			f := fixture{b: b, v: v, s: s, c: mustClone(t, b, v.ID, s.ID, "c"), stream: send(t, b, v.ID, "s", "")}
			f.free = mustSnapshot(t, b, f.c.ID, "free")
			mustSnapshot(t, b, v.ID, "later") // so that a restore would delete something
			before := observe(t, b)
			fc := &flipContext{Context: context.Background()}
			if err := write(fc, f); err != context.Canceled {
				t.Fatalf("error = %v, want context.Canceled", err)
			}
			if fc.asked.Load() < 2 {
				t.Fatalf("the context was asked %d time(s); a write must ask again once it holds the lock", fc.asked.Load())
			}
			wantUnchanged(t, b, before)
		})
	}
}
