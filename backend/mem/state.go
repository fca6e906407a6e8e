package mem

import (
	"encoding/binary"
	"hash/maphash"
	"time"

	"github.com/nessie-go/nessie/backend"
)

// state is one immutable version of everything the backend stores. Writers
// build a new state from the current one and publish it with a single
// atomic store; readers load a state and see a consistent whole.
type state struct {
	vols  pmap[backend.VolumeID, *volRec] // every live volume, by ID
	names pmap[string, backend.VolumeID]  // volume name -> ID, one entry per volume
	seed  maphash.Seed                    // hashes names; fixed for the backend's life
}

// volRec is a stored volume. It is immutable once published: changes copy
// the struct (and the snaps slice, if it changes).
type volRec struct {
	id       backend.VolumeID
	name     string
	size     backend.Size
	state    backend.VolumeState
	typ      backend.VolumeType
	origin   origin // zero unless an unsplit clone
	junction string
	policy   string
	comment  string
	created  time.Time
	snaps    []snapRec // in the order taken, oldest first; never appended to in place
}

// origin identifies the snapshot a clone was made from. Names are looked up
// at read time so renames show through.
type origin struct {
	vol  backend.VolumeID
	snap backend.SnapshotID
}

func (o origin) isClone() bool { return !o.vol.IsZero() }

// snapRec is a stored snapshot.
type snapRec struct {
	id      backend.SnapshotID
	name    string
	created time.Time
	size    backend.Size // the volume's size when the snapshot was taken
	comment string
	clones  int // unsplit clones made from this snapshot
}

func hashVolumeID(id backend.VolumeID) uint64 {
	// v4 UUIDs are random apart from six fixed bits; folding the halves
	// together leaves every bit of the hash random.
	return binary.LittleEndian.Uint64(id[:8]) ^ binary.LittleEndian.Uint64(id[8:])
}

func (s *state) hashName(name string) uint64 { return maphash.String(s.seed, name) }

func (s *state) vol(id backend.VolumeID) (*volRec, bool) {
	return s.vols.get(hashVolumeID(id), id)
}

func (s *state) volByName(name string) (*volRec, bool) {
	id, ok := s.names.get(s.hashName(name), name)
	if !ok {
		return nil, false
	}
	return s.vol(id)
}

func (s *state) nameTaken(name string) bool {
	_, ok := s.names.get(s.hashName(name), name)
	return ok
}

// withVol returns a state in which each of rs replaces (or adds) the
// volume with its ID. Name bookkeeping is the caller's: see withName and
// withoutName.
func (s *state) withVol(rs ...*volRec) *state {
	vols := s.vols
	for _, r := range rs {
		vols = vols.set(hashVolumeID(r.id), r.id, r)
	}
	return &state{vols: vols, names: s.names, seed: s.seed}
}

func (s *state) withoutVol(id backend.VolumeID) *state {
	return &state{vols: s.vols.del(hashVolumeID(id), id), names: s.names, seed: s.seed}
}

// withName and withoutName update the name index in place on a state that
// has not been published yet.
func (s *state) withName(name string, id backend.VolumeID) {
	s.names = s.names.set(s.hashName(name), name, id)
}

func (s *state) withoutName(name string) {
	s.names = s.names.del(s.hashName(name), name)
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
