package server

import (
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/nessie-go/nessie/internal/text"
	"github.com/nessie-go/nessie/ontap"
)

// objectStore holds the records of every object kind beyond the storage
// contract (ontap.Kind values) under one lock, with referential
// integrity: a record's parents and references exist when it is stored,
// an object something refers to cannot be deleted, and deleting an object
// deletes the records that cascade from it. Records are ontap.Extra
// trees, never modified once stored (changes store a new tree).
type objectStore struct {
	mu     sync.RWMutex
	tables map[string]*kindTable // by kind name
	order  []*kindTable          // registration order

	journal ObjectJournal       // nil: nothing is saved
	dirty   map[objKey]struct{} // records changed since the last flush
	view    ontap.View          // what the kinds' hooks see (read under mu)

	// held is what each volume snapshot holds of the kinds that are
	// InSnapshots (objsnapshots.go), by snapshot UUID.
	held map[string]*snapHeld
}

// kindTable is one kind's records.
type kindTable struct {
	kind   *ontap.Kind
	schema *ontap.Schema
	keys   []string               // the kind's identity paths
	recs   map[string]ontap.Extra // by identity (ontap.RecordKey)
	next   map[string]int64       // the next integer key, by scope
}

func newObjectStore(kinds ...*ontap.Kind) *objectStore {
	st := &objectStore{tables: map[string]*kindTable{}, held: map[string]*snapHeld{}}
	for _, k := range kinds {
		t := &kindTable{kind: k, schema: k.Schema(), keys: k.KeyPaths(), recs: map[string]ontap.Extra{}, next: map[string]int64{}}
		st.tables[k.Name()] = t
		st.order = append(st.order, t)
	}
	return st
}

// table returns the kind's table (nil if the kind is not registered).
func (st *objectStore) table(name string) *kindTable { return st.tables[name] }

// list returns the kind's records whose first len(match) identity paths
// equal match (a scope: a policy's rules), in no particular order.
func (st *objectStore) list(t *kindTable, scope string) []ontap.Record {
	st.mu.RLock()
	defer st.mu.RUnlock()
	out := make([]ontap.Record, 0, len(t.recs))
	for _, rec := range t.recs {
		if scope != "" && t.scopeOf(rec) != scope {
			continue
		}
		out = append(out, ontap.Record{Extra: rec})
	}
	return out
}

// get returns the record with identity id.
func (st *objectStore) get(t *kindTable, id string) (ontap.Extra, bool) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	rec, ok := t.recs[id]
	return rec, ok
}

// find returns the first record of kind name for which match is true.
func (st *objectStore) find(name string, match func(ontap.Extra) bool) (ontap.Extra, bool) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.findLocked(name, match)
}

func (st *objectStore) findLocked(name string, match func(ontap.Extra) bool) (ontap.Extra, bool) {
	t := st.tables[name]
	if t == nil {
		return nil, false
	}
	for _, rec := range t.recs {
		if match(rec) {
			return rec, true
		}
	}
	return nil, false
}

// scopeOf is the identity of the record's scope: the key of its Scope
// parent, or "" for a kind keyed cluster-wide.
func (t *kindTable) scopeOf(rec ontap.Extra) string {
	if len(t.keys) < 2 {
		return ""
	}
	return ontap.RecordKey(rec, t.keys[:len(t.keys)-1])
}

// conflictScope is the value two records must share to be compared by
// the kind's Conflicts rule: the key of the first parent, or nothing for
// a ClusterWide kind.
func (t *kindTable) conflictScope(rec ontap.Extra) string {
	if len(t.kind.Parents) == 0 || t.kind.ClusterWide {
		return ""
	}
	p := t.kind.Parents[0]
	return ontap.RecordKey(rec, []string{p.Field + "." + refKeyField(p.Kind)})
}

// refKeyField is the field that identifies an object of kind in a
// reference: "uuid" for SVMs, volumes and uuid-keyed kinds, else the
// kind's integer key ("id").
func refKeyField(kind string) string {
	if k := kindByName(kind); k != nil {
		return k.Key
	}
	return "uuid"
}

// insertLocked stores a new record: it checks the parents and references
// that are stored objects (resolve), runs the kind's Conflicts rule
// against the records of the same scope, assigns the key (and, with the
// kind's Place, what else is allocated) and the record's self link.
// resolve completes references under the store's lock, so a referenced
// object cannot disappear in between. The caller holds st.mu.
func (st *objectStore) insertLocked(t *kindTable, rec ontap.Extra, resolve func(ontap.Extra) (ontap.Extra, error)) (ontap.Extra, error) {
	rec, err := resolve(rec)
	if err != nil {
		return nil, err
	}
	if err := st.conflict(t, rec, ""); err != nil {
		return nil, err
	}
	k := t.kind
	switch {
	case k.Key == "uuid":
		rec = ontap.With(rec, k.Key, uuid.NewString())
	case !k.IntKey():
		// A name given in the body, or a parent's key (an SVM's NFS
		// service): required, and free.
		id := ontap.RecordKey(rec, t.keys)
		if ontap.Lookup(rec, k.Key) == nil {
			return nil, ontap.ErrRequired(k.Key)
		}
		if _, taken := t.recs[id]; taken {
			return nil, ontap.Errorf(http.StatusConflict, ontap.CodeDuplicateEntry, k.Key, "The %s already exists.", k.Label)
		}
	default:
		scope := t.scopeOf(rec)
		if given, ok := ontap.LookupInt(rec, k.Key); ok {
			// A client-chosen index (a rule's): it must be free.
			if _, taken := t.recs[ontap.RecordKey(rec, t.keys)]; taken || given < 1 {
				return nil, ontap.Errorf(http.StatusConflict, ontap.CodeDuplicateEntry, k.Key, "%s %s %d already exists.", k.Label, k.Key, given)
			}
			st.setNextLocked(t, scope, max(t.next[scope], given+1))
		} else {
			n := t.next[scope]
			if n == 0 {
				n = max(k.FirstID, 1)
			}
			for {
				if _, taken := t.recs[ontap.RecordKey(ontap.With(rec, k.Key, n), t.keys)]; !taken {
					break
				}
				n++
			}
			rec = ontap.With(rec, k.Key, n)
			st.setNextLocked(t, scope, n+1)
		}
	}
	if k.Place != nil {
		var err error
		if rec, err = k.Place(st.view, rec, nil); err != nil {
			return nil, err
		}
	}
	id := ontap.RecordKey(rec, t.keys)
	rec = ontap.With(rec, "_links", ontap.Extra{"self": ontap.Extra{"href": t.itemPath(rec)}})
	st.setLocked(t, id, rec)
	return rec, nil
}

// conflict runs the kind's Conflicts rule of rec against the records of
// its scope other than the one with identity self.
func (st *objectStore) conflict(t *kindTable, rec ontap.Extra, self string) error {
	if t.kind.Conflicts == nil {
		return nil
	}
	scope := t.conflictScope(rec)
	for id, other := range t.recs {
		if id == self || t.conflictScope(other) != scope {
			continue
		}
		if e := t.kind.Conflicts(rec, other); e != nil {
			return e
		}
	}
	return nil
}

// update replaces the record with identity id by change(old), under the
// lock; change returns the new tree.
func (st *objectStore) update(t *kindTable, id string, change func(old ontap.Extra) (ontap.Extra, error)) (ontap.Extra, error) {
	st.mu.Lock()
	rec, err := st.updateLocked(t, id, change)
	wait := st.flushLocked()
	st.mu.Unlock()
	return rec, firstErr(err, wait)
}

func (st *objectStore) updateLocked(t *kindTable, id string, change func(old ontap.Extra) (ontap.Extra, error)) (ontap.Extra, error) {
	old, ok := t.recs[id]
	if !ok {
		return nil, ontap.ErrNotFound(t.kind.Key)
	}
	rec, err := change(old)
	if err != nil {
		return nil, err
	}
	if err := st.conflict(t, rec, id); err != nil {
		return nil, err
	}
	st.setLocked(t, id, rec)
	if name := ontap.LookupString(old, "name"); name != "" && name != ontap.LookupString(rec, "name") {
		st.renameRefs(t, old, rec)
	}
	return rec, nil
}

// renameRefs rewrites the references to a renamed object (they hold its
// name for display).
func (st *objectStore) renameRefs(t *kindTable, old, rec ontap.Extra) {
	name := t.kind.Name()
	for _, ot := range st.order {
		for _, p := range ot.kind.Parents {
			if p.Kind == name {
				st.rewrite(ot, p.Field, t, old, rec)
			}
		}
		for _, r := range ot.kind.Refs {
			if r.Kind == name {
				st.rewrite(ot, r.Field, t, old, rec)
			}
		}
	}
}

func (st *objectStore) rewrite(ot *kindTable, field string, t *kindTable, old, rec ontap.Extra) {
	for id, r := range ot.recs {
		if refMatches(r, field, t, old) && ontap.Lookup(r, field+".name") != nil {
			st.setLocked(ot, id, ontap.With(r, field+".name", ontap.LookupString(rec, "name")))
		}
	}
}

// refMatches reports whether child's reference in field names parent, a
// record of t: the reference holds t's key, and the child shares t's
// scope (a quota rule's qtree is the qtree of that id in the rule's own
// volume).
func refMatches(child ontap.Extra, field string, t *kindTable, parent ontap.Extra) bool {
	for _, p := range t.keys {
		cv := ontap.Lookup(child, p)
		if p == t.kind.Key {
			// The reference holds the key's last part: a policy's id, an
			// iSCSI service's svm.uuid (its SVM's reference).
			cv = ontap.Lookup(child, field+"."+p[strings.LastIndexByte(p, '.')+1:])
		}
		if cv == nil || cv != ontap.Lookup(parent, p) {
			return false
		}
	}
	return true
}

// remove deletes the record with identity id after check(rec) passes and
// nothing refers to it, and deletes the records that cascade from it.
// users reports an outside user of the object (a volume using an export
// policy) as an error.
func (st *objectStore) remove(t *kindTable, id string, check func(ontap.Extra) error, params map[string]string) (ontap.Extra, error) {
	st.mu.Lock()
	rec, err := st.removeLocked(t, id, check, params)
	wait := st.flushLocked()
	st.mu.Unlock()
	return rec, firstErr(err, wait)
}

func (st *objectStore) removeLocked(t *kindTable, id string, check func(ontap.Extra) error, params map[string]string) (ontap.Extra, error) {
	rec, ok := t.recs[id]
	if !ok {
		return nil, ontap.ErrNotFound(t.kind.Key)
	}
	if check != nil {
		if err := check(rec); err != nil {
			return nil, err
		}
	}
	if err := st.inUse(t, rec, params); err != nil {
		return nil, err
	}
	st.drop(t, id, rec)
	st.dropLast(t, rec)
	return rec, nil
}

// dropLast deletes the parents of a deleted record that go with their
// last child (Parent.DropLast: an igroup's delete_on_unmap).
func (st *objectStore) dropLast(t *kindTable, rec ontap.Extra) {
	for _, p := range t.kind.Parents {
		pt := st.tables[p.Kind]
		if p.DropLast == "" || pt == nil {
			continue
		}
		for pid, parent := range pt.recs {
			if !refMatches(rec, p.Field, pt, parent) {
				continue
			}
			if on, _ := ontap.Lookup(parent, p.DropLast).(bool); !on {
				continue
			}
			last := true
			for _, r := range t.recs {
				if refMatches(r, p.Field, pt, parent) {
					last = false
					break
				}
			}
			if last {
				st.drop(pt, pid, parent)
			}
		}
	}
}

// inUse reports the first record that keeps rec (of t's kind) in use: a
// non-cascading child (unless the request's params say to cascade) or a
// reference.
func (st *objectStore) inUse(t *kindTable, rec ontap.Extra, params map[string]string) error {
	name := t.kind.Name()
	for _, ot := range st.order {
		for _, p := range ot.kind.Parents {
			if p.Kind != name || p.Cascade || p.Derived || p.CascadeWith != "" && strings.EqualFold(params[p.CascadeWith], "true") {
				continue
			}
			for _, r := range ot.recs {
				if refMatches(r, p.Field, t, rec) {
					if p.InUse != nil {
						return p.InUse(rec)
					}
					return ontap.Errorf(http.StatusConflict, ontap.CodeInUse, t.kind.Key, "%s %s is in use by %s %s.", t.kind.Label,
						describeRec(rec), ot.kind.Label, describeRec(r))
				}
			}
		}
		for _, ref := range ot.kind.Refs {
			if ref.Kind != name {
				continue
			}
			for _, r := range ot.recs {
				if refMatches(r, ref.Field, t, rec) {
					if ref.InUse != nil {
						return ref.InUse(ontap.LookupString(rec, "name"))
					}
					return ontap.Errorf(http.StatusConflict, ontap.CodeInUse, t.kind.Key, "%s %s is in use by %s %s.", t.kind.Label,
						describeRec(rec), ot.kind.Label, describeRec(r))
				}
			}
		}
	}
	return nil
}

// drop deletes a record and, recursively, the records that cascade from
// it. The caller holds the lock.
func (st *objectStore) drop(t *kindTable, id string, rec ontap.Extra) {
	st.deleteLocked(t, id)
	name := t.kind.Name()
	for _, ot := range st.order {
		for _, p := range ot.kind.Parents {
			if p.Kind != name || !p.Cascade && p.CascadeWith == "" {
				continue // (a CascadeWith child left is one inUse allowed)
			}
			for cid, r := range ot.recs {
				if refMatches(r, p.Field, t, rec) {
					st.drop(ot, cid, r)
				}
			}
		}
	}
}

// dropVolume deletes the records that cascade from a deleted volume and
// what its snapshots held.
func (st *objectStore) dropVolume(uuid string) error {
	st.mu.Lock()
	st.dropVolumeLocked(uuid)
	wait := st.flushLocked()
	st.mu.Unlock()
	return wait()
}

func (st *objectStore) dropVolumeLocked(uuid string) {
	st.dropHeldLocked(uuid, nil)
	for _, ot := range st.order {
		for _, p := range ot.kind.Parents {
			if p.Kind != "volume" || !p.Cascade {
				continue
			}
			for cid, r := range ot.recs {
				if ontap.LookupString(r, p.Field+".uuid") == uuid {
					st.drop(ot, cid, r)
				}
			}
		}
	}
}

// dropSVM deletes the records of a deleted SVM (every record whose svm is
// it, and what cascades from them).
func (st *objectStore) dropSVM(uuid string) error {
	st.mu.Lock()
	for _, ot := range st.order {
		for cid, r := range ot.recs {
			if _, still := ot.recs[cid]; still && ontap.LookupString(r, "svm.uuid") == uuid {
				st.drop(ot, cid, r)
			}
		}
	}
	wait := st.flushLocked()
	st.mu.Unlock()
	return wait()
}

// renameSVM follows an SVM's rename in the records that name it.
func (st *objectStore) renameSVM(uuid, name string) error {
	st.mu.Lock()
	for _, ot := range st.order {
		for id, r := range ot.recs {
			if ontap.LookupString(r, "svm.uuid") == uuid && ontap.LookupString(r, "svm.name") != name {
				st.setLocked(ot, id, ontap.With(r, "svm.name", name))
			}
		}
	}
	wait := st.flushLocked()
	st.mu.Unlock()
	return wait()
}

// itemPath is the API path of a stored record.
func (t *kindTable) itemPath(rec ontap.Extra) string {
	k := t.kind
	p := k.Path
	for {
		i := strings.IndexByte(p, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(p[i:], '}')
		if j < 0 {
			break
		}
		p = p[:i] + valueText(ontap.Lookup(rec, p[i+1:i+j])) + p[i+j+1:]
	}
	if k.Scope != "" && !strings.Contains(k.Path, "{"+k.Scope+".") {
		p += "/" + valueText(ontap.Lookup(rec, t.keys[0]))
	}
	return p + "/" + valueText(ontap.Lookup(rec, k.Key))
}

func valueText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return ""
}

func describeRec(rec ontap.Extra) string {
	if n := ontap.LookupString(rec, "name"); n != "" {
		return strconv.Quote(text.Truncate(n, 64))
	}
	for _, k := range []string{"uuid", "id", "index"} {
		if v := valueText(ontap.Lookup(rec, k)); v != "" {
			return v
		}
	}
	return ""
}

// firstErr returns err, or else what wait returns: the commit of a change
// that failed has nothing to wait for.
func firstErr(err error, wait func() error) error {
	if err != nil {
		return err
	}
	return wait()
}

// do runs fn under the store's write lock, then queues the changes it
// made (setLocked, deleteLocked, insertLocked, drop) and returns once
// they are durable: the way a kind's own handlers change the store.
func (st *objectStore) do(fn func() error) error {
	st.mu.Lock()
	err := fn()
	wait := st.flushLocked()
	st.mu.Unlock()
	return firstErr(err, wait)
}

// renameVolume follows a volume's rename in the records inside it: the
// volume's name in their reference, and what their Complete rule derives
// from it (a qtree's path, a LUN's name).
func (st *objectStore) renameVolume(uuid, name string) error {
	return st.do(func() error {
		st.renameVolumeLocked(uuid, name)
		return nil
	})
}

func (st *objectStore) renameVolumeLocked(uuid, name string) {
	for _, ot := range st.order {
		for _, p := range ot.kind.Parents {
			if p.Kind != "volume" {
				continue
			}
			for id, r := range ot.recs {
				if ontap.LookupString(r, p.Field+".uuid") != uuid || ontap.LookupString(r, p.Field+".name") == name {
					continue
				}
				r = ontap.With(r, p.Field+".name", name)
				if ot.kind.Complete != nil {
					r = ot.kind.Complete(r)
				}
				st.setLocked(ot, id, r)
			}
		}
	}
}

// cloneVolumeLocked gives a FlexClone (clone: its {name, uuid}) of
// snapshot snap of volume parent the copies that its parent's records make
// (the kinds' CloneVolume hooks): of a kind snapshots hold, the records
// snap holds; of another, the records now. The caller holds st.mu.
func (st *objectStore) cloneVolumeLocked(parent, snap string, clone ontap.Extra) error {
	for _, ot := range st.order {
		if ot.kind.CloneVolume == nil {
			continue
		}
		for _, p := range ot.kind.Parents {
			if p.Kind != "volume" {
				continue
			}
			from := ot.recs
			if ot.kind.InSnapshots {
				from = nil
				if h := st.held[snap]; h != nil && h.vol == parent {
					from = h.recs[ot.kind.Name()]
				}
			}
			var copies []ontap.Extra
			for _, r := range from {
				if ontap.LookupString(r, p.Field+".uuid") == parent {
					if c := ot.kind.CloneVolume(r, clone); c != nil {
						copies = append(copies, c)
					}
				}
			}
			for _, c := range copies {
				if _, err := st.insertLocked(ot, c, func(rec ontap.Extra) (ontap.Extra, error) { return rec, nil }); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// storeView is the ontap.View of the store a kind's hooks get; its user
// holds st.mu, unless lock is set (Prepare's view: each read takes the
// read lock).
type storeView struct {
	s    *Server
	lock bool
}

func (s *Server) view() ontap.View { return storeView{s: s} }

// lookupView is the view of a hook run outside the store's lock.
func (s *Server) lookupView() ontap.View { return storeView{s: s, lock: true} }

func (v storeView) Get(kind, id string) (ontap.Extra, bool) {
	if v.lock {
		v.s.objects.mu.RLock()
		defer v.s.objects.mu.RUnlock()
	}
	t := v.s.objects.tables[kind]
	if t == nil {
		return nil, false
	}
	rec, ok := t.recs[id]
	return rec, ok
}

func (v storeView) Find(kind string, match func(ontap.Extra) bool) []ontap.Extra {
	if v.lock {
		v.s.objects.mu.RLock()
		defer v.s.objects.mu.RUnlock()
	}
	t := v.s.objects.tables[kind]
	if t == nil {
		return nil
	}
	var out []ontap.Extra
	for _, rec := range t.recs {
		if match(rec) {
			out = append(out, rec)
		}
	}
	return out
}

func (v storeView) SVM(uuid string) (ontap.Extra, bool) {
	if !strings.EqualFold(uuid, v.s.id.SVMUUID) {
		return nil, false
	}
	return ontap.Extra{"name": v.s.id.SVMName, "uuid": v.s.id.SVMUUID}, true
}

func (v storeView) Node() ontap.Extra {
	return ontap.Extra{"name": v.s.id.NodeName, "uuid": v.s.id.NodeUUID}
}

// Volume reads a volume from the backend (which never calls into the
// store, so this is safe under its lock). Only the LUNs ask, and they
// live in the cluster's SVM: a volume of another SVM is not found there.
func (v storeView) Volume(ref ontap.Ref) (ontap.VolumeRoom, bool, error) {
	vol, ok, err := v.s.findVolume(v.s.ctx, &ref)
	if err != nil {
		return ontap.VolumeRoom{}, false, ontap.FromBackend(ontap.OpVolumeGet, err)
	}
	if !ok || v.s.volumeSVMUUID(&vol) != v.s.id.SVMUUID {
		return ontap.VolumeRoom{}, false, nil
	}
	room := ontap.VolumeRoom{Ref: ontap.Extra{"name": vol.Name, "uuid": vol.ID.String()}}
	w := ontap.VolumeRecord(&vol, &v.s.volCtx, v.s.attrs.volume(&vol), nil)
	if w.Space != nil && w.Space.Available != nil {
		room.Available, room.Bounded = *w.Space.Available, true
	}
	return room, true, nil
}
