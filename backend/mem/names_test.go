package mem

import (
	"context"
	"fmt"
	"testing"

	"github.com/nessie-go/nessie/backend"
)

// With name hashes forced into two values, names share hash slots: the
// index must still find every name, free and reuse slots correctly, and
// keep CheckInvariants satisfied through creates, renames and deletes.
func TestNameIndexSurvivesHashCollisions(t *testing.T) {
	ctx := context.Background()
	b := NewWithCollidingNames()
	ids := map[string]backend.VolumeID{}
	verify := func(step string) {
		t.Helper()
		s := b.root.Load()
		for name, id := range ids {
			if r, ok := s.volByName(name); !ok || r.id != id {
				t.Fatalf("%s: name %q not found as %s", step, name, id)
			}
		}
		if s.nameTaken("never-created") {
			t.Fatalf("%s: a name never used is taken", step)
		}
		if err := b.CheckInvariants(); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	for i := range 40 {
		name := fmt.Sprintf("v%02d", i)
		v, err := b.CreateVolume(ctx, backend.VolumeSpec{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = v.ID
		if _, err := b.CreateVolume(ctx, backend.VolumeSpec{Name: name}); err == nil {
			t.Fatalf("duplicate %q accepted", name)
		}
	}
	verify("create")
	if s := b.root.Load(); len(s.spill) != 38 || s.names.len() != 2 {
		t.Fatalf("want 2 names in slots and 38 spilled, got %d and %d", s.names.len(), len(s.spill))
	}
	// Delete every volume that holds a slot: a spilled name must take it.
	for _, h := range []uint64{0, 1 << 63} {
		id, _ := b.root.Load().names.get(h, h)
		r, _ := b.root.Load().vol(id)
		if err := b.DeleteVolume(ctx, id); err != nil {
			t.Fatal(err)
		}
		delete(ids, r.name)
		verify("delete " + r.name)
	}
	for i := 0; i < 40; i += 3 {
		old, nw := fmt.Sprintf("v%02d", i), fmt.Sprintf("w%02d", i)
		id, ok := ids[old]
		if !ok {
			continue
		}
		if _, err := b.PatchVolume(ctx, id, backend.VolumePatch{Name: &nw}); err != nil {
			t.Fatal(err)
		}
		delete(ids, old)
		ids[nw] = id
		verify("rename " + old)
	}
	for name, id := range ids {
		if err := b.DeleteVolume(ctx, id); err != nil {
			t.Fatal(err)
		}
		delete(ids, name)
		verify("delete " + name)
	}
	if s := b.root.Load(); s.names.len() != 0 || s.spill != nil {
		t.Fatalf("empty backend keeps %d slots and %d spilled names", s.names.len(), len(s.spill))
	}
}
