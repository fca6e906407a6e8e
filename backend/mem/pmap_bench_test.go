package mem

import (
	"strconv"
	"testing"

	"github.com/nessie-go/nessie/backend"
)

// BenchmarkPmapGet isolates the trie lookup from record access, so
// BENCHMARKS.md can tell trie cost from cache misses on the records.
func BenchmarkPmapGet(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			var m pmap[backend.VolumeID, *volRec]
			ids := make([]backend.VolumeID, n)
			for i := range n {
				ids[i] = backend.NewVolumeID()
				m = m.set(hashVolumeID(ids[i]), ids[i], &volRec{id: ids[i]})
			}
			i := 0
			for b.Loop() {
				if _, ok := m.get(hashVolumeID(ids[i%n]), ids[i%n]); !ok {
					b.Fatal("missing")
				}
				i++
			}
		})
	}
}
