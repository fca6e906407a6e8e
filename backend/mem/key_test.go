package mem

import (
	"encoding/binary"
	"testing"

	"github.com/nessie-go/nessie/backend"
)

// Volumes are indexed by a 64-bit fold of their ID. An ID that shares its
// key with a stored volume's must neither find that volume nor be stored
// beside it: a new volume whose key is taken gets another ID.
func TestVolumesWhoseIDsShareAKey(t *testing.T) {
	b := New(nil)
	first := &volRec{id: backend.NewVolumeID(), name: "first"}
	b.add(first)
	clash := sameKey(first.id)
	if key(clash) != key(first.id) {
		t.Fatal("the test's IDs do not share a key")
	}
	if r, ok := b.rec(clash); ok {
		t.Fatalf("looking up %s found volume %q, whose ID is %s", clash, r.name, r.id)
	}
	second := &volRec{id: clash, name: "second"}
	b.add(second)
	if second.id == clash || key(second.id) == key(first.id) {
		t.Fatalf("a new volume kept ID %s although its key was taken", second.id)
	}
	for _, r := range []*volRec{first, second} {
		if got, ok := b.rec(r.id); !ok || got != r {
			t.Errorf("volume %q is not found by its ID %s", r.name, r.id)
		}
		if b.names[r.name] != r.id {
			t.Errorf("name %q maps to %s, want %s", r.name, b.names[r.name], r.id)
		}
	}
	if err := b.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
}

// sameKey returns another ID with id's key: the last 8 bytes changed, the
// first 8 changed to compensate.
func sameKey(id backend.VolumeID) backend.VolumeID {
	other := id
	other[15] ^= 0xff
	lo := binary.LittleEndian.Uint64(id[:8]) ^ key(id) ^ key(other)
	binary.LittleEndian.PutUint64(other[:8], lo)
	return other
}

// IDs that differ in only one half, as hand-written UUIDs often do, never
// share a key.
func TestKeysOfIDsDifferingInOneHalf(t *testing.T) {
	seen := map[uint64]backend.VolumeID{}
	for i := range 256 {
		for _, half := range []int{0, 8} {
			var id backend.VolumeID
			id[half+7] = byte(i)
			id[half] = byte(i >> 1)
			if prev, dup := seen[key(id)]; dup && prev != id {
				t.Fatalf("%s and %s share key %x", prev, id, key(id))
			}
			seen[key(id)] = id
		}
	}
}

// SameKeyID is sameKey for the external test package.
var SameKeyID = sameKey
