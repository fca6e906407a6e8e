package mem

import (
	"context"
	"fmt"
	"testing"

	"github.com/nessie-go/nessie/backend"
)

// BenchmarkListingHoldsTheLock measures how long ListVolumes holds the
// read lock at 100k volumes, which is as long as it can hold a writer up:
// appendRecords, the copy of the record pointers into a slice allocated
// beforehand, without the allocation or the rendering.
func BenchmarkListingHoldsTheLock(b *testing.B) {
	bk := New(nil)
	for i := range 100_000 {
		if _, err := bk.CreateVolume(context.Background(), backend.VolumeSpec{Name: fmt.Sprintf("vol-%06d", i)}); err != nil {
			b.Fatal(err)
		}
	}
	buf := make([]*volRec, 0, 100_000)
	var n int
	for b.Loop() {
		n += len(bk.appendRecords(buf[:0]))
	}
	if n != 100_000*b.N {
		b.Fatalf("copied %d records, want %d", n, 100_000*b.N)
	}
}
