package mem_test

import (
	"context"
	"fmt"
	"log"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/mem"
)

// The build-cache flow: snapshot a warm cache before a build, give a pull
// request its own writable clone of it, and throw the clone away after.
func Example_buildCache() {
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
	clone, err := b.CreateClone(ctx, backend.CloneSpec{ParentVolume: vol.ID, ParentSnapshot: snap.ID, Name: "build-cache-pr1234"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("clone:", clone.Name, "size:", clone.Size)
	fmt.Printf("origin: %s@%s\n", clone.Clone.ParentVolume, clone.Clone.ParentSnapshot)

	if err := b.DeleteVolume(ctx, clone.ID); err != nil {
		log.Fatal(err)
	}
	vols, _ := b.ListVolumes(ctx)
	fmt.Println("volumes left:", len(vols))
	// Output:
	// clone: build-cache-pr1234 size: 53687091200
	// origin: build-cache@pre-build
	// volumes left: 1
}

// A clone pins its parent snapshot: the snapshot cannot be deleted until
// the clone is split (or deleted).
func ExampleBackend_SplitClone() {
	ctx := context.Background()
	b := mem.New(nil)
	vol, _ := b.CreateVolume(ctx, backend.VolumeSpec{Name: "db"})
	snap, _ := b.CreateSnapshot(ctx, vol.ID, backend.SnapshotSpec{Name: "nightly"})
	clone, _ := b.CreateClone(ctx, backend.CloneSpec{ParentVolume: vol.ID, ParentSnapshot: snap.ID, Name: "db-test"})

	err := b.DeleteSnapshot(ctx, vol.ID, snap.ID)
	fmt.Println("delete while cloned:", backend.KindOf(err))

	split, _ := b.SplitClone(ctx, clone.ID)
	fmt.Println("still a clone:", split.IsClone())
	fmt.Println("delete after split:", b.DeleteSnapshot(ctx, vol.ID, snap.ID))
	// Output:
	// delete while cloned: in use
	// still a clone: false
	// delete after split: <nil>
}

// Replication between two backends: send a snapshot from one, receive it
// into a volume of the other, which is created by a full stream.
func ExampleBackend_ReceiveStream() {
	ctx := context.Background()
	primary, secondary := mem.New(nil), mem.New(nil)
	vol, _ := primary.CreateVolume(ctx, backend.VolumeSpec{Name: "app", Size: backend.Bytes(1 << 30)})
	primary.CreateSnapshot(ctx, vol.ID, backend.SnapshotSpec{Name: "hourly.0"})

	stream, err := primary.SendStream(ctx, vol.ID, "hourly.0", "")
	if err != nil {
		log.Fatal(err)
	}
	defer stream.Close()
	if _, err := secondary.ReceiveStream(ctx, "app-dr", stream); err != nil {
		log.Fatal(err)
	}

	vols, _ := secondary.ListVolumes(ctx)
	snaps, _ := secondary.ListSnapshots(ctx, vols[0].ID)
	fmt.Println(vols[0].Name, vols[0].Size, snaps[0].Name)
	// Output: app-dr 1073741824 hourly.0
}
