package mem

import (
	"encoding/binary"
	"hash/maphash"
	"maps"
	"time"

	"github.com/nessie-go/nessie/backend"
)

// state is one immutable version of everything the backend stores. Writers
// build a new state from the current one and publish it with a single
// atomic store; readers load a state and see a consistent whole.
type state struct {
	vols pmap[backend.VolumeID, *volRec] // every live volume, by ID

	// names maps the 64-bit hash of a volume name to the volume's ID. Its
	// entries hold no pointers, so the garbage collector never scans its
	// entry arrays and copying them needs no write barriers; a lookup
	// confirms the name on the record it finds. A name whose hash is
	// already taken by another name goes to spill instead, a plain map that
	// is copied on write and empty unless two names' hashes collide.
	names pmap[uint64, backend.VolumeID]
	spill map[string]backend.VolumeID

	seed     maphash.Seed // hashes names; fixed for the backend's life
	nameMask uint64       // ANDed into name hashes: all ones, except in tests that force collisions
}

// volRec is a stored volume. It is immutable once published: changes copy
// the struct (and the snaps slice, if it changes).
//
// Fields holding pointers come first: the collector scans an object only
// up to its last pointer word, so the plain data after them costs nothing
// to mark.
type volRec struct {
	name     string
	junction string
	policy   string
	comment  string
	snaps    []snapRec // in the order taken, oldest first; never appended to in place
	state    backend.VolumeState
	typ      backend.VolumeType
	created  time.Time
	id       backend.VolumeID
	size     backend.Size
	origin   origin // zero unless an unsplit clone
}

// origin identifies the snapshot a clone was made from. Names are looked up
// at read time so renames show through.
type origin struct {
	vol  backend.VolumeID
	snap backend.SnapshotID
}

func (o origin) isClone() bool { return !o.vol.IsZero() }

// snapRec is a stored snapshot; like volRec, pointers first.
type snapRec struct {
	name    string
	comment string
	created time.Time
	id      backend.SnapshotID
	size    backend.Size // the volume's size when the snapshot was taken
	clones  int          // unsplit clones made from this snapshot
}

func hashVolumeID(id backend.VolumeID) uint64 {
	// v4 UUIDs are random apart from six fixed bits; folding the halves
	// together leaves every bit of the hash random.
	return binary.LittleEndian.Uint64(id[:8]) ^ binary.LittleEndian.Uint64(id[8:])
}

func (s *state) hashName(name string) uint64 { return maphash.String(s.seed, name) & s.nameMask }

func identityHash(h uint64) uint64 { return h }

func (s *state) vol(id backend.VolumeID) (*volRec, bool) {
	return s.vols.get(hashVolumeID(id), id)
}

func (s *state) volByName(name string) (*volRec, bool) {
	h := s.hashName(name)
	if id, ok := s.names.get(h, h); ok {
		if r, ok := s.vol(id); ok && r.name == name {
			return r, true
		}
	}
	if id, ok := s.spill[name]; ok {
		return s.vol(id)
	}
	return nil, false
}

func (s *state) nameTaken(name string) bool {
	_, ok := s.volByName(name)
	return ok
}

// withVol returns a state in which each of rs replaces (or adds) the
// volume with its ID. Name bookkeeping is the caller's: see withName and
// withoutName.
func (s *state) withVol(rs ...*volRec) *state {
	n := *s
	for _, r := range rs {
		n.vols = n.vols.set(hashVolumeID(r.id), r.id, r)
	}
	return &n
}

func (s *state) withoutVol(id backend.VolumeID) *state {
	n := *s
	n.vols = n.vols.del(hashVolumeID(id), id)
	return &n
}

// withName and withoutName update the name index in place on a state that
// has not been published yet. withName binds name to id; the caller has
// made sure no other volume holds name.
func (s *state) withName(name string, id backend.VolumeID) {
	h := s.hashName(name)
	if cur, ok := s.names.get(h, h); ok {
		if r, ok := s.vol(cur); !ok || r.name != name {
			// The slot belongs to another name with the same hash.
			s.spill = cloneSpill(s.spill, 1)
			s.spill[name] = id
			return
		}
	}
	s.names = s.names.set(h, h, id)
}

// withoutName unbinds name, which volume id holds. If another name with
// the same hash waits in spill, it takes over the freed slot.
func (s *state) withoutName(name string, id backend.VolumeID) {
	h := s.hashName(name)
	if cur, ok := s.names.get(h, h); !ok || cur != id {
		if _, ok := s.spill[name]; ok {
			s.spill = spillWithout(s.spill, name)
		}
		return
	}
	s.names = s.names.del(h, h)
	for other, oid := range s.spill {
		if s.hashName(other) == h {
			s.spill = spillWithout(s.spill, other)
			s.names = s.names.set(h, h, oid)
			break
		}
	}
}

// cloneSpill and spillWithout return new maps: a published state's spill
// is never written. An empty spill is nil.
func cloneSpill(m map[string]backend.VolumeID, extra int) map[string]backend.VolumeID {
	c := make(map[string]backend.VolumeID, len(m)+extra)
	maps.Copy(c, m)
	return c
}

func spillWithout(m map[string]backend.VolumeID, name string) map[string]backend.VolumeID {
	if len(m) <= 1 {
		return nil
	}
	c := cloneSpill(m, 0)
	delete(c, name)
	return c
}

// snapIndex returns the position of snapshot id in r.snaps, or -1.
func (r *volRec) snapIndex(id backend.SnapshotID) int {
	for i := range r.snaps {
		if r.snaps[i].id == id {
			return i
		}
	}
	return -1
}

// snapIndexByName returns the position of the snapshot called name, or -1.
func (r *volRec) snapIndexByName(name string) int {
	for i := range r.snaps {
		if r.snaps[i].name == name {
			return i
		}
	}
	return -1
}

// copyRec returns a shallow copy of r that the caller may change before
// publishing. The snaps slice is still shared: replace it, never write
// into it.
func (r *volRec) copyRec() *volRec {
	c := *r
	return &c
}

// withCloneDelta returns a copy of r in which snapshot i's dependent-clone
// count changes by delta.
func (r *volRec) withCloneDelta(i, delta int) *volRec {
	c := r.copyRec()
	c.snaps = make([]snapRec, len(r.snaps))
	copy(c.snaps, r.snaps)
	c.snaps[i].clones += delta
	return c
}

// volume renders r as the caller-owned value the API returns. Clone
// origins are rendered with the names current in s.
func (s *state) volume(r *volRec) backend.Volume {
	v := backend.Volume{
		ID:           r.id,
		Name:         r.name,
		Size:         r.size,
		State:        r.state,
		Style:        backend.StyleFlexVol,
		Type:         r.typ,
		JunctionPath: r.junction,
		ExportPolicy: r.policy,
		Comment:      r.comment,
		CreateTime:   r.created,
	}
	if r.origin.isClone() {
		o := &backend.CloneOrigin{ParentVolumeID: r.origin.vol, ParentSnapshotID: r.origin.snap}
		if p, ok := s.vol(r.origin.vol); ok {
			o.ParentVolume = p.name
			if i := p.snapIndex(r.origin.snap); i >= 0 {
				o.ParentSnapshot = p.snaps[i].name
			}
		}
		v.Clone = o
	}
	return v
}

func (sr *snapRec) snapshot() backend.Snapshot {
	return backend.Snapshot{ID: sr.id, Name: sr.name, CreateTime: sr.created, Comment: sr.comment}
}
