package mem

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/internal/text"
)

// Options configures a Backend. The zero value (or a nil *Options) gives
// the defaults.
type Options struct {
	// Now supplies creation times for volumes and snapshots; tests set it
	// to get reproducible times. The result is stored in UTC. Default:
	// time.Now.
	Now func() time.Time

	// Lenient relaxes three contract rules to match the published
	// nessie-backend-mem 0.2/0.3 Python package, which the Python
	// binding's default mode reproduces (see the package doc). Everything
	// else, CheckInvariants included, holds as in the default mode.
	Lenient bool
}

// Backend is the in-memory reference backend. It implements every tier of
// the contract. Create one with New; the zero value is not usable.
type Backend struct {
	mu sync.RWMutex
	// vols holds every live volume by the first 8 bytes of its ID (see
	// key); order holds the same volumes densely, for listing.
	vols  map[uint64]*volRec
	order []*volRec
	names map[string]backend.VolumeID
	// snaps holds each volume's snapshots, oldest first; a volume without
	// snapshots has no entry. A list is replaced, never written in place,
	// so a reader may use one after releasing the lock.
	snaps map[backend.VolumeID][]*snapRec
	// deps holds, for each snapshot unsplit clones depend on, those
	// clones. Only writers use it, so it is changed in place.
	deps map[backend.SnapshotID][]backend.VolumeID

	now     func() time.Time
	lenient bool
}

// volRec is a stored volume. A record is immutable once stored (but for
// pos): a write stores a changed copy (see put), so readers can render a
// record after releasing the lock. Fields holding pointers come first, so
// the collector scans only the start of the record. Every volume mem
// makes is rw; only a restored state can hold a dp one (see dp). The
// record is 80 bytes: what most volumes leave empty (junction path,
// export policy, comment, attributes, clone origin) lives in rare, the
// creation time as Unix seconds and nanoseconds, the state as a code.
type volRec struct {
	name string
	// rare is nil when all its fields are empty. A copy of the record
	// shares it, so it is replaced, never changed in place (setRare).
	rare *volRare
	id   backend.VolumeID
	size backend.Size
	// sec and nsec are the creation time (UTC) since the Unix epoch.
	sec  int64
	nsec int32
	// pos is the record's index in Backend.order. It is the one field
	// that changes in a stored record (when a delete moves the record in
	// order), so only writers read or write it, under the writer lock.
	pos   int32
	state stateCode
	// detached marks, in lenient mode only, a clone whose parent snapshot
	// was deleted: its origin keeps the names it had and pins nothing.
	detached bool
	// dp marks a data-protection volume, which only Restore stores.
	dp bool
}

// volRare holds a volume's fields that most volumes leave empty.
type volRare struct {
	junction string
	policy   string
	comment  string
	attrs    json.RawMessage // compacted object, or nil
	origin   *backend.CloneOrigin
}

func (r *volRec) junction() string {
	if r.rare == nil {
		return ""
	}
	return r.rare.junction
}

func (r *volRec) comment() string {
	if r.rare == nil {
		return ""
	}
	return r.rare.comment
}

func (r *volRec) attrs() json.RawMessage {
	if r.rare == nil {
		return nil
	}
	return r.rare.attrs
}

func (r *volRec) origin() *backend.CloneOrigin {
	if r.rare == nil {
		return nil
	}
	return r.rare.origin
}

// setRare replaces r's rare fields by a copy that f changes (nil when
// they are all empty then). r is a record not yet stored, or a copy.
func (r *volRec) setRare(f func(*volRare)) {
	var x volRare
	if r.rare != nil {
		x = *r.rare
	}
	f(&x)
	if x.junction == "" && x.policy == "" && x.comment == "" && x.attrs == nil && x.origin == nil {
		r.rare = nil
		return
	}
	r.rare = &x
}

// created returns the creation time, in UTC.
func (r *volRec) created() time.Time { return time.Unix(r.sec, int64(r.nsec)).UTC() }

// setCreated stores t (UTC, without a monotonic reading) as the creation
// time; created returns it equal under ==.
func (r *volRec) setCreated(t time.Time) { r.sec, r.nsec = t.Unix(), int32(t.Nanosecond()) }

// stateCode is a volume state in a byte.
type stateCode uint8

// states lists the states by code.
var states = [...]backend.VolumeState{backend.StateOnline, backend.StateOffline, backend.StateRestricted}

func (c stateCode) state() backend.VolumeState { return states[c] }

// codeOf returns the code of a valid state ("" is online).
func codeOf(s backend.VolumeState) stateCode {
	for i, x := range states {
		if x == s {
			return stateCode(i)
		}
	}
	return 0
}

// snapRec is a stored snapshot, immutable, laid out like volRec.
type snapRec struct {
	created time.Time
	name    string
	comment string
	attrs   json.RawMessage
	id      backend.SnapshotID
	size    backend.Size // the volume's size when the snapshot was taken
}

// The tiers Backend implements; the compiler keeps Capabilities honest.
var (
	_ backend.CloneBackend       = (*Backend)(nil)
	_ backend.ReplicationBackend = (*Backend)(nil)
	_ backend.Restorer           = (*Backend)(nil)
)

// New returns an empty backend. opts may be nil.
func New(opts *Options) *Backend {
	b := &Backend{
		vols:  make(map[uint64]*volRec),
		names: make(map[string]backend.VolumeID),
		snaps: make(map[backend.VolumeID][]*snapRec),
		deps:  make(map[backend.SnapshotID][]backend.VolumeID),
		now:   time.Now,
	}
	if opts != nil {
		if opts.Now != nil {
			b.now = opts.Now
		}
		b.lenient = opts.Lenient
	}
	return b
}

// Capabilities reports every tier: snapshots, clones and replication.
func (b *Backend) Capabilities(context.Context) backend.Capabilities {
	return backend.Capabilities{Snapshots: true, Clones: true, Replication: true}
}

// timestamp returns the current time in UTC, without a monotonic reading,
// so stored times compare equal to what callers get back.
func (b *Backend) timestamp() time.Time { return b.now().UTC() }

// lock takes the writer lock, unless ctx is done by the time it is held:
// then it returns ctx's error with the lock released. A call that waited
// for the lock must not act on a context that ended meanwhile.
func (b *Backend) lock(ctx context.Context) error {
	b.mu.Lock()
	if err := ctx.Err(); err != nil {
		b.mu.Unlock()
		return err
	}
	return nil
}

// key indexes a volume in Backend.vols: a 64-bit fold of its ID, the
// first 8 bytes xor the last 8 times an odd constant (a bijection, so two
// IDs that differ in only one half never share a key, as hand-written
// fixture UUIDs often do). IDs mem mints are random, and it mints another
// when a new volume's key is taken (see add); Restore refuses a state
// whose IDs share a key. A key therefore names at most one volume. The
// index is half the size of one keyed by the whole ID, so more of it stays
// in the caches; lookups still compare the whole ID.
func key(id backend.VolumeID) uint64 {
	return binary.LittleEndian.Uint64(id[:8]) ^ binary.LittleEndian.Uint64(id[8:])*0x9e3779b97f4a7c15
}

// rec returns the stored record of a volume. The caller holds b.mu.
func (b *Backend) rec(id backend.VolumeID) (*volRec, bool) {
	r := b.vols[key(id)]
	if r == nil || r.id != id {
		return nil, false
	}
	return r, true
}

// readRec returns a volume's record under the read lock.
func (b *Backend) readRec(id backend.VolumeID) (*volRec, bool) {
	b.mu.RLock()
	r, ok := b.rec(id)
	b.mu.RUnlock()
	return r, ok
}

// put replaces the stored record with r's ID by r (a changed copy, which
// keeps the old one's pos); a renamed volume's name is the caller's to
// re-index. add stores a new volume, first giving it another ID if its
// key is taken, and indexes its name. remove drops a volume and its name.
// All three run under the writer lock.
func (b *Backend) put(r *volRec) {
	b.order[r.pos] = r
	b.vols[key(r.id)] = r
}

func (b *Backend) add(r *volRec) {
	for b.vols[key(r.id)] != nil {
		r.id = backend.NewVolumeID()
	}
	r.pos = int32(len(b.order))
	b.order = append(b.order, r)
	b.vols[key(r.id)] = r
	b.names[r.name] = r.id
}

func (b *Backend) remove(r *volRec) {
	last := len(b.order) - 1
	moved := b.order[last]
	b.order[r.pos] = moved
	moved.pos = r.pos
	b.order[last] = nil
	b.order = b.order[:last]
	delete(b.vols, key(r.id))
	delete(b.names, r.name)
}

// copyRec returns a copy of r for the caller to change and put.
func (r *volRec) copyRec() *volRec {
	c := *r
	return &c
}

// setSnaps stores a volume's snapshot list; an empty one is no entry. The
// caller holds the writer lock.
func (b *Backend) setSnaps(vol backend.VolumeID, ss []*snapRec) {
	if len(ss) == 0 {
		delete(b.snaps, vol)
		return
	}
	b.snaps[vol] = ss
}

// byID and byName return the position of a snapshot in a list, or -1.

func byID(ss []*snapRec, id backend.SnapshotID) int {
	return slices.IndexFunc(ss, func(s *snapRec) bool { return s.id == id })
}

func byName(ss []*snapRec, name string) int {
	return slices.IndexFunc(ss, func(s *snapRec) bool { return s.name == name })
}

// volume renders r as the caller-owned value the API returns.
func (r *volRec) volume() backend.Volume {
	var v backend.Volume
	r.render(&v)
	return v
}

// render fills *v, which must be zero, from r; ListVolumes renders in
// place to spare a copy per volume.
func (r *volRec) render(v *backend.Volume) {
	v.ID = r.id
	v.Name = r.name
	v.Size = r.size
	v.State = r.state.state()
	v.Style = backend.StyleFlexVol
	v.Type = backend.TypeRW
	if r.dp {
		v.Type = backend.TypeDP
	}
	v.CreateTime = r.created()
	if x := r.rare; x != nil {
		v.JunctionPath = x.junction
		v.ExportPolicy = x.policy
		v.Comment = x.comment
		if x.attrs != nil {
			v.Attributes = slices.Clone(x.attrs)
		}
		if x.origin != nil {
			o := *x.origin
			v.Clone = &o
		}
	}
}

func (sr *snapRec) snapshot() backend.Snapshot {
	return backend.Snapshot{ID: sr.id, Name: sr.name, CreateTime: sr.created, Comment: sr.comment, Attributes: slices.Clone(sr.attrs)}
}

// link records clone as depending on snapshot snap, unlink undoes that
// when the clone is deleted or split, and refresh sets the origins of p's
// dependent clones to p's current names after a rename. All run under the
// writer lock.

func (b *Backend) link(snap backend.SnapshotID, clone backend.VolumeID) {
	b.deps[snap] = append(b.deps[snap], clone)
}

func (b *Backend) unlink(clone *volRec) {
	if clone.origin() == nil || clone.detached {
		return
	}
	sid := clone.origin().ParentSnapshotID
	ids := b.deps[sid]
	if i := slices.Index(ids, clone.id); i >= 0 {
		ids[i] = ids[len(ids)-1]
		ids = ids[:len(ids)-1]
	}
	if len(ids) == 0 {
		delete(b.deps, sid)
		return
	}
	b.deps[sid] = ids
}

func (b *Backend) refresh(p *volRec) {
	for _, sr := range b.snaps[p.id] {
		for _, id := range b.deps[sr.id] {
			cr, _ := b.rec(id)
			c := cr.copyRec()
			o := *cr.origin()
			o.ParentVolume, o.ParentSnapshot = p.name, sr.name
			c.setRare(func(x *volRare) { x.origin = &o })
			b.put(c)
		}
	}
}

// detach cuts the clones of snapshot sid loose from it (lenient mode):
// each keeps the origin names it has now and pins nothing.
func (b *Backend) detach(sid backend.SnapshotID) {
	for _, id := range b.deps[sid] {
		cr, _ := b.rec(id)
		c := cr.copyRec()
		c.detached = true
		b.put(c)
	}
	delete(b.deps, sid)
}

// checkName validates a name (unless lenient) and labels the error with
// the calling operation and resource.
func (b *Backend) checkName(op string, r backend.Resource, name string) error {
	if b.lenient {
		return nil
	}
	err := backend.ValidateName(name)
	if err == nil {
		return nil
	}
	var be *backend.Error
	if errors.As(err, &be) && be.Err != nil {
		err = be.Err
	}
	return invalidArg(op, r, name, err)
}

// lenientName is what a lenient backend validates in place of a name, so
// that the contract's validators check everything else about a spec.
const lenientName = "lenient"

// relabel gives a validator's *backend.Error the operation it failed in.
// name is the name the request concerns: a lenient backend's errors
// report it instead of the placeholder.
func (b *Backend) relabel(op, name string, err error) error {
	var be *backend.Error
	if errors.As(err, &be) {
		c := *be
		c.Op = op
		if b.lenient && c.Name == lenientName {
			c.Name = text.Truncate(name, 64)
		}
		return &c
	}
	return invalidArg(op, "", "", err)
}

// Error constructors. Every failure a Backend returns, other than a context
// error, is a *backend.Error built here or by backend's own helpers.

func alreadyExists(op string, r backend.Resource, name string) error {
	return &backend.Error{Op: op, Kind: backend.KindAlreadyExists, Resource: r, Name: text.Truncate(name, 64)}
}

func inUse(op string, r backend.Resource, id, name string, cause error) error {
	return &backend.Error{Op: op, Kind: backend.KindInUse, Resource: r, ID: id, Name: text.Truncate(name, 64), Err: cause}
}

func invalidArg(op string, r backend.Resource, name string, cause error) error {
	return &backend.Error{Op: op, Kind: backend.KindInvalidArgument, Resource: r, Name: text.Truncate(name, 64), Err: cause}
}

func notFoundByName(op string, r backend.Resource, name string) error {
	return &backend.Error{Op: op, Kind: backend.KindNotFound, Resource: r, Name: text.Truncate(name, 64)}
}

func snapshotInUse(op string, sr *snapRec, n int) error {
	return inUse(op, backend.ResourceSnapshot, sr.id.String(), sr.name,
		fmt.Errorf("%d unsplit clone(s) depend on it", n))
}
