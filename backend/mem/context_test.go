package mem_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/mem"
)

// Every method, given a context that is already done, returns the
// context's error itself and changes nothing.
func TestDoneContextHasNoEffect(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel2()

	type fixture struct {
		b      *mem.Backend
		v, c   backend.Volume
		s      backend.Snapshot
		free   backend.Snapshot // no clone depends on it
		stream string
	}
	setup := func(t *testing.T) fixture {
		b := newBackend(t, nil)
		v := mustVolume(t, b, "v", backend.Bytes(1))
		s := mustSnapshot(t, b, v.ID, "s")
		c := mustClone(t, b, v.ID, s.ID, "c")
		free := mustSnapshot(t, b, c.ID, "free")
		return fixture{b: b, v: v, c: c, s: s, free: free, stream: send(t, b, v.ID, "s", "")}
	}
	calls := map[string]func(context.Context, fixture) error{
		"ListVolumes": func(ctx context.Context, f fixture) error { _, err := f.b.ListVolumes(ctx); return err },
		"CreateVolume": func(ctx context.Context, f fixture) error {
			_, err := f.b.CreateVolume(ctx, backend.VolumeSpec{Name: "new"})
			return err
		},
		"GetVolume":    func(ctx context.Context, f fixture) error { _, err := f.b.GetVolume(ctx, f.v.ID); return err },
		"DeleteVolume": func(ctx context.Context, f fixture) error { return f.b.DeleteVolume(ctx, f.c.ID) },
		"PatchVolume": func(ctx context.Context, f fixture) error {
			_, err := f.b.PatchVolume(ctx, f.v.ID, backend.VolumePatch{Name: new("renamed")})
			return err
		},
		"AccessHandle":  func(ctx context.Context, f fixture) error { _, err := f.b.AccessHandle(ctx, f.v.ID); return err },
		"ListSnapshots": func(ctx context.Context, f fixture) error { _, err := f.b.ListSnapshots(ctx, f.v.ID); return err },
		"CreateSnapshot": func(ctx context.Context, f fixture) error {
			_, err := f.b.CreateSnapshot(ctx, f.v.ID, backend.SnapshotSpec{Name: "s2"})
			return err
		},
		"GetSnapshot":    func(ctx context.Context, f fixture) error { _, err := f.b.GetSnapshot(ctx, f.v.ID, f.s.ID); return err },
		"DeleteSnapshot": func(ctx context.Context, f fixture) error { return f.b.DeleteSnapshot(ctx, f.c.ID, f.free.ID) },
		"PatchSnapshot": func(ctx context.Context, f fixture) error {
			_, err := f.b.PatchSnapshot(ctx, f.v.ID, f.s.ID, backend.SnapshotPatch{Comment: new("x")})
			return err
		},
		"RestoreSnapshot": func(ctx context.Context, f fixture) error {
			_, err := f.b.RestoreSnapshot(ctx, f.v.ID, f.s.ID)
			return err
		},
		"CreateClone": func(ctx context.Context, f fixture) error {
			_, err := f.b.CreateClone(ctx, backend.CloneSpec{ParentVolume: f.v.ID, ParentSnapshot: f.s.ID, Name: "c2"})
			return err
		},
		"SplitClone": func(ctx context.Context, f fixture) error { _, err := f.b.SplitClone(ctx, f.c.ID); return err },
		"SendStream": func(ctx context.Context, f fixture) error { _, err := f.b.SendStream(ctx, f.v.ID, "s", ""); return err },
		"ReceiveStream": func(ctx context.Context, f fixture) error {
			_, err := f.b.ReceiveStream(ctx, "mirror", strings.NewReader(f.stream))
			return err
		},
	}
	for _, done := range []context.Context{cancelled, expired} {
		for op, call := range calls {
			t.Run(op+"/"+done.Err().Error(), func(t *testing.T) {
				f := setup(t)
				before := observe(t, f.b)
				if err := call(done, f); err != done.Err() {
					t.Errorf("error = %v, want exactly %v", err, done.Err())
				}
				wantUnchanged(t, f.b, before)
				// The same call with a live context succeeds, so the
				// context was the only reason for the failure.
				if err := call(ctx, f); err != nil {
					t.Errorf("with a live context: %v", err)
				}
			})
		}
	}
}
