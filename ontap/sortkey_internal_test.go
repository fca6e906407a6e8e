package ontap

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// sortByKey must order exactly as the general comparison does without
// order keys: by the whole key (not only its first 8 bytes), then by
// position.
func TestSortByKeyMatchesSortKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"", "a", "b", "\x00", "\xff", "abcdefgh", "abcdefgh\x00", "abcdefghi", "abcdefgi"}
	for round := range 200 {
		n := r.IntN(40)
		keys := make([]sortKey, n)
		for i := range keys {
			// Keys sharing long prefixes, shorter than 8 bytes, with NUL
			// and high bytes, and repeated (records without a key).
			k := alphabet[r.IntN(len(alphabet))]
			if r.IntN(2) == 0 {
				k += alphabet[r.IntN(len(alphabet))]
			}
			keys[i] = sortKey{key: k, idx: r.IntN(1000)}
		}
		want := slices.Clone(keys)
		sortKeys(want, nil, false, false)
		got := sortByKey(slices.Clone(keys))
		if !slices.EqualFunc(got, want, func(a, b sortKey) bool { return a.key == b.key && a.idx == b.idx }) {
			t.Fatalf("round %d: sortByKey %q\nwant %q", round, keysOf(got), keysOf(want))
		}
	}
}

func keysOf(ks []sortKey) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k.key
	}
	return out
}
