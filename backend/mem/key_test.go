package mem

import (
	"testing"

	"github.com/nessie-go/nessie/backend"
)

// Volumes are indexed by the first 8 bytes of their ID. An ID that shares
// those bytes with a stored volume's must neither find that volume nor be
// stored beside it: a new volume whose key is taken gets another ID.
func TestVolumesWhoseIDsShareAKey(t *testing.T) {
	b := New(nil)
	first := &volRec{id: backend.NewVolumeID(), name: "first", state: backend.StateOnline}
	b.add(first)
	clash := first.id
	clash[15] ^= 0xff // same key, another ID
	if key(clash) != key(first.id) {
		t.Fatal("the test's IDs do not share a key")
	}
	if r, ok := b.rec(clash); ok {
		t.Fatalf("looking up %s found volume %q, whose ID is %s", clash, r.name, r.id)
	}
	second := &volRec{id: clash, name: "second", state: backend.StateOnline}
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
