package backend_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/mem"
)

// Embedding the in-memory backend: a volume, a snapshot of it and a
// writable clone of the snapshot. The README shows this code.
func Example() {
	ctx := context.Background()
	b := mem.New(nil)
	vol, err := b.CreateVolume(ctx, backend.VolumeSpec{Name: "build-cache", Size: backend.Bytes(50 << 30)})
	if err != nil {
		log.Fatal(err)
	}
	snap, err := b.CreateSnapshot(ctx, vol.ID, backend.SnapshotSpec{Name: "pre-build"})
	if err != nil {
		log.Fatal(err)
	}
	clone, err := b.CreateClone(ctx, backend.CloneSpec{Name: "build-cache-pr1234", ParentVolume: vol.ID, ParentSnapshot: snap.ID})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(clone.Clone.ParentVolume, clone.Clone.ParentSnapshot)
	err = b.DeleteSnapshot(ctx, vol.ID, snap.ID) // the clone depends on it
	fmt.Println(errors.Is(err, backend.ErrInUse))
	// Output:
	// build-cache pre-build
	// true
}

// Failures are *backend.Error values: test their kind with errors.Is,
// never by message, and read the details with errors.As.
func Example_errorsIs() {
	ctx := context.Background()
	b := mem.New(nil)
	if _, err := b.CreateVolume(ctx, backend.VolumeSpec{Name: "db"}); err != nil {
		log.Fatal(err)
	}

	_, err := b.CreateVolume(ctx, backend.VolumeSpec{Name: "db"})
	fmt.Println("duplicate:", errors.Is(err, backend.ErrAlreadyExists))

	_, err = b.GetVolume(ctx, backend.NewVolumeID())
	fmt.Println("unknown volume:", errors.Is(err, backend.ErrVolumeNotFound))
	fmt.Println("any kind of not found:", errors.Is(err, backend.ErrNotFound), "- a snapshot:", errors.Is(err, backend.ErrSnapshotNotFound))

	var be *backend.Error
	if errors.As(err, &be) {
		fmt.Println("kind:", be.Kind, "resource:", be.Resource)
	}
	// Output:
	// duplicate: true
	// unknown volume: true
	// any kind of not found: true - a snapshot: false
	// kind: not found resource: volume
}
