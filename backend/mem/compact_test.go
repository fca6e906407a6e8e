package mem

import (
	"testing"
	"time"
	"unsafe"

	"github.com/nessie-go/nessie/backend"
)

// TestVolRecSize: the record stays in the allocator's 80-byte class (the
// heap per stored volume at 100k is its largest part).
func TestVolRecSize(t *testing.T) {
	if n := unsafe.Sizeof(volRec{}); n > 80 {
		t.Fatalf("volRec is %d bytes, want at most 80", n)
	}
}

// TestCreatedRoundTrips: a creation time stored as seconds and
// nanoseconds comes back equal under == (what callers compare), for the
// zero time, times before 1970 and after 2262 (beyond int64 nanoseconds),
// and the clock's.
func TestCreatedRoundTrips(t *testing.T) {
	for _, tm := range []time.Time{{}, time.Now().UTC(), time.Date(1900, 2, 3, 4, 5, 6, 7, time.UTC),
		time.Date(2500, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Unix(0, 0).UTC(), time.Unix(-1, 1).UTC()} {
		var r volRec
		r.setCreated(tm)
		if got := r.created(); got != tm {
			t.Errorf("stored %v, got %v", tm, got)
		}
	}
}

// TestRareFieldsAreCopiedOnWrite: changing a copy's rare fields leaves
// the stored record's as they were, and a record whose rare fields are all
// empty holds none.
func TestRareFieldsAreCopiedOnWrite(t *testing.T) {
	r := &volRec{name: "a"}
	r.setRare(func(x *volRare) { x.junction, x.comment = "/a", "c" })
	c := r.copyRec()
	c.setRare(func(x *volRare) { x.junction = "/b" })
	if r.junction() != "/a" || c.junction() != "/b" || c.comment() != "c" {
		t.Fatalf("original %q, copy %q %q", r.junction(), c.junction(), c.comment())
	}
	c.setRare(func(x *volRare) { x.junction, x.comment = "", "" })
	if c.rare != nil {
		t.Fatalf("empty rare fields kept: %+v", *c.rare)
	}
	for _, s := range states {
		if got := codeOf(s).state(); got != s {
			t.Errorf("state %q comes back as %q", s, got)
		}
	}
	if got := codeOf("").state(); got != backend.StateOnline {
		t.Errorf(`state "" comes back as %q, want online`, got)
	}
}
