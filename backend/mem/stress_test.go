package mem_test

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/nessie-go/nessie/backend"
)

// Many goroutines hammer one backend with every kind of write over a small
// name space, so that they collide constantly. Every failure must be a
// typed contract error, reads must always see a consistent version, and
// the invariants must hold throughout and afterwards. Run it under -race.
func TestConcurrentWritersKeepTheStateConsistent(t *testing.T) {
	b := newBackend(t, nil)
	const (
		writers = 8
		ops     = 400
	)
	seed := rand.Uint64()
	t.Logf("seed %d", seed)

	stop := make(chan struct{})
	readerDone := make(chan struct{})
	go func() { // a reader that checks each list is one coherent version
		defer close(readerDone)
		for {
			select {
			case <-stop:
				return
			default:
			}
			list, err := b.ListVolumes(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			byID := map[backend.VolumeID]string{}
			for _, v := range list {
				byID[v.ID] = v.Name
			}
			for _, v := range list {
				if v.Clone == nil {
					continue
				}
				if byID[v.Clone.ParentVolumeID] != v.Clone.ParentVolume || v.Clone.ParentSnapshot == "" {
					t.Errorf("clone %q has origin %+v, not in the same list", v.Name, v.Clone)
					return
				}
			}
			if err := b.CheckInvariants(); err != nil {
				t.Error(err)
				return
			}
		}
	}()

	var wg sync.WaitGroup
	var succeeded [opKinds]atomic.Int64
	for w := range writers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			for range ops {
				op, ok, err := randomOp(b, rng)
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					succeeded[op].Add(1)
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	<-readerDone
	// The mix must really have exercised every operation.
	for op := range succeeded {
		if succeeded[op].Load() == 0 {
			t.Errorf("operation %d never succeeded in %d attempts overall", op, writers*ops)
		}
	}
}

const opKinds = 11

// randomOp performs one random operation on a random existing (or
// missing) object. It reports which operation it tried and whether it
// succeeded, and returns an error only if the backend misbehaved.
func randomOp(b interface {
	backend.CloneBackend
	backend.ReplicationBackend
}, rng *rand.Rand) (int, bool, error) {
	name := fmt.Sprintf("v%d", rng.IntN(12))
	list, err := b.ListVolumes(ctx)
	if err != nil {
		return 0, false, err
	}
	vol := backend.NewVolumeID() // a missing volume unless we find one
	if len(list) > 0 && rng.IntN(10) > 0 {
		vol = list[rng.IntN(len(list))].ID
	}
	snap := backend.NewSnapshotID()
	if snaps, err := b.ListSnapshots(ctx, vol); err == nil && len(snaps) > 0 {
		snap = snaps[rng.IntN(len(snaps))].ID
	}
	snapName := fmt.Sprintf("s%d", rng.IntN(4))

	var opErr error
	op := rng.IntN(opKinds)
	switch op {
	case 0, 1:
		_, opErr = b.CreateVolume(ctx, backend.VolumeSpec{Name: name, Size: backend.Bytes(rng.Uint64N(1 << 40))})
	case 2:
		opErr = b.DeleteVolume(ctx, vol)
		if opErr != nil && rng.IntN(2) == 0 {
			// Free a pinned volume: split its dependants so a later
			// delete can go through.
			for _, v := range list {
				if v.Clone != nil && v.Clone.ParentVolumeID == vol {
					b.SplitClone(ctx, v.ID)
				}
			}
		}
	case 3, 4:
		_, opErr = b.CreateSnapshot(ctx, vol, backend.SnapshotSpec{Name: snapName})
	case 5:
		opErr = b.DeleteSnapshot(ctx, vol, snap)
	case 6:
		_, opErr = b.CreateClone(ctx, backend.CloneSpec{ParentVolume: vol, ParentSnapshot: snap, Name: fmt.Sprintf("c%d", rng.IntN(8))})
	case 7:
		_, opErr = b.SplitClone(ctx, vol)
	case 8:
		_, opErr = b.RestoreSnapshot(ctx, vol, snap)
	case 9:
		_, opErr = b.PatchVolume(ctx, vol, backend.VolumePatch{Name: &name, Size: new(backend.Bytes(rng.Uint64N(100)))})
	case 10:
		var rc io.ReadCloser
		if rc, opErr = b.SendStream(ctx, vol, snapName, ""); opErr == nil {
			_, opErr = b.ReceiveStream(ctx, name, rc)
			rc.Close()
		}
	}
	if opErr == nil {
		return op, true, nil
	}
	var be *backend.Error
	if !errors.As(opErr, &be) {
		return op, false, fmt.Errorf("untyped error %v (%T)", opErr, opErr)
	}
	switch be.Kind {
	case backend.KindNotFound, backend.KindAlreadyExists, backend.KindInUse, backend.KindInvalidArgument:
		return op, false, nil
	}
	return op, false, fmt.Errorf("unexpected error kind: %v", opErr)
}
