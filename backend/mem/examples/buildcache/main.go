// Command buildcache walks through the build-cache flow on the in-memory
// backend: create a cache volume, snapshot it before a build, hand a pull
// request a writable clone of the snapshot, then delete the clone.
//
//	go run ./backend/mem/examples/buildcache
package main

import (
	"context"
	"fmt"
	"log"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/mem"
)

func main() {
	log.SetFlags(0)
	ctx := context.Background()
	b := mem.New(nil)

	vol, err := b.CreateVolume(ctx, backend.VolumeSpec{Name: "build-cache", Size: backend.Bytes(50 << 30)})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("created volume %s (%s, %d GiB)\n", vol.Name, vol.ID, gib(vol.Size))

	snap, err := b.CreateSnapshot(ctx, vol.ID, backend.SnapshotSpec{Name: "pre-build"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("took snapshot %s@%s at %s\n", vol.Name, snap.Name, snap.CreateTime.Format("2006-01-02T15:04:05Z"))

	clone, err := b.CreateClone(ctx, backend.CloneSpec{ParentVolume: vol.ID, ParentSnapshot: snap.ID, Name: "build-cache-pr1234"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("cloned it as %s (%d GiB)\n", clone.Name, gib(clone.Size))

	if o := clone.Clone; o == nil || o.ParentVolume != vol.Name || o.ParentSnapshot != snap.Name {
		log.Fatalf("clone origin is %+v, want %s@%s", o, vol.Name, snap.Name)
	}
	fmt.Printf("clone origin: %s@%s\n", clone.Clone.ParentVolume, clone.Clone.ParentSnapshot)

	if err := b.DeleteVolume(ctx, clone.ID); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("deleted clone %s\n", clone.Name)

	if err := b.CheckInvariants(); err != nil {
		log.Fatal(err)
	}
}

func gib(s backend.Size) uint64 {
	n, _ := s.Get()
	return n >> 30
}
