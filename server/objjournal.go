package server

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/nessie-go/nessie/ontap"
)

// ObjectJournal keeps the ONTAP objects beyond the storage contract (the
// kinds of the generic object store: export policies and their rules,
// qtrees, quota rules, services, shares, snapshot policies, schedules,
// QoS and efficiency policies) across restarts, so that a durable daemon
// keeps every object it acknowledged, as it keeps volumes.
//
// The server queues each change (every record it put or deleted, a
// cascade's and a rename's included) under the object store's lock, so
// changes reach the journal in the order they were made, and answers only
// once the wait function returns nil: an acknowledged change is durable. A
// reader may see a change whose commit is still in flight, as with the
// durable backend's volumes.
type ObjectJournal interface {
	// LoadObjects returns the saved records, and whether anything was
	// ever saved: a journal that was never written makes the server seed
	// the built-in objects and save them; one that was is taken as the
	// whole object state (built-ins deleted since stay deleted).
	LoadObjects() (recs []ObjectRecord, saved bool, err error)
	// QueueObjects queues changes to be saved in one commit, all or none,
	// and returns at once; wait returns once they are durable (or why
	// not). With replace, every record saved before is dropped in the
	// same commit (a reset). Calls commit in the order they are queued.
	QueueObjects(changes []ObjectRecord, replace bool) (wait func() error)
}

// ObjectRecord is one saved object: its kind (ontap.Kind.Name), its
// identity within the kind (its key paths' values, as the store keys it)
// and its record as JSON; nil Record in a change deletes it. The next
// integer key of a kind's scope is saved too, so that keys are not reused
// after a restart: kind "next:" + the kind's name, key the scope, record
// the decimal number.
type ObjectRecord struct {
	Kind   string
	Key    string
	Record []byte
}

// objKey names a record in the store's change set.
type objKey struct{ kind, id string }

// nextPrefix marks the records of next integer keys (kind names have no
// colon).
const nextPrefix = "next:"

// setNextLocked sets the next integer key of scope and notes the change.
func (st *objectStore) setNextLocked(t *kindTable, scope string, n int64) {
	t.next[scope] = n
	if st.journal != nil {
		st.touchKey(objKey{nextPrefix + t.kind.Name(), scope})
	}
}

// setLocked stores rec under id and notes the change for the journal.
// The caller holds st.mu.
func (st *objectStore) setLocked(t *kindTable, id string, rec ontap.Extra) {
	t.recs[id] = rec
	st.touch(t, id)
}

// deleteLocked deletes the record id and notes the change.
func (st *objectStore) deleteLocked(t *kindTable, id string) {
	delete(t.recs, id)
	st.touch(t, id)
}

func (st *objectStore) touch(t *kindTable, id string) {
	if st.journal == nil {
		return
	}
	st.touchKey(objKey{t.kind.Name(), id})
}

func (st *objectStore) touchKey(k objKey) {
	if _, ok := st.dirty[k]; !ok {
		if st.dirty == nil {
			st.dirty = map[objKey]struct{}{}
		}
		st.dirty[k] = struct{}{}
	}
}

// flushLocked queues the changes noted since the last flush (with
// replace: the whole store, replacing what was saved) and returns the
// wait for their commit. The caller holds st.mu and waits after
// releasing it.
func (st *objectStore) flushLocked(replace bool) (wait func() error) {
	if st.journal == nil || (len(st.dirty) == 0 && !replace) {
		st.dirty = nil
		return func() error { return nil }
	}
	var chs []ObjectRecord
	if replace {
		for _, t := range st.order {
			for id := range t.recs {
				chs = append(chs, st.saved(objKey{t.kind.Name(), id}))
			}
			for scope := range t.next {
				chs = append(chs, st.saved(objKey{nextPrefix + t.kind.Name(), scope}))
			}
		}
	} else {
		for k := range st.dirty {
			chs = append(chs, st.saved(k))
		}
	}
	st.dirty = nil
	w := st.journal.QueueObjects(chs, replace)
	return func() error {
		if err := w(); err != nil {
			return ontap.Errorf(http.StatusInternalServerError, ontap.CodeJobFailed, "",
				"Saving the change failed; it may be lost at the next restart: %v", err)
		}
		return nil
	}
}

// saved returns what the journal saves for k now (a deletion if absent).
func (st *objectStore) saved(k objKey) ObjectRecord {
	c := ObjectRecord{Kind: k.kind, Key: k.id}
	if name, ok := strings.CutPrefix(k.kind, nextPrefix); ok {
		if n, ok := st.tables[name].next[k.id]; ok {
			c.Record = strconv.AppendInt(nil, n, 10)
		}
	} else if rec, ok := st.tables[k.kind].recs[k.id]; ok {
		c.Record = ontap.Record{Extra: rec}.AppendJSON(nil)
	}
	return c
}

// load replaces the store's records with the journal's, when it
// has saved any; it reports whether it did.
func (st *objectStore) load() (bool, error) {
	recs, saved, err := st.journal.LoadObjects()
	if err != nil || !saved {
		return false, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, t := range st.order {
		t.recs = map[string]ontap.Extra{}
		t.next = map[string]int64{}
	}
	for _, r := range recs {
		if name, ok := strings.CutPrefix(r.Kind, nextPrefix); ok {
			n, err := strconv.ParseInt(string(r.Record), 10, 64)
			t := st.tables[name]
			if err != nil || t == nil {
				return false, fmt.Errorf("saved next key %q of kind %q: %q is not a number of a known kind", r.Key, name, r.Record)
			}
			t.next[r.Key] = n
			continue
		}
		t := st.tables[r.Kind]
		if t == nil {
			return false, fmt.Errorf("saved object %q of kind %q: this build has no such kind", r.Key, r.Kind)
		}
		var rec ontap.Record
		if err := rec.UnmarshalJSON(r.Record); err != nil {
			return false, fmt.Errorf("saved %s %q: %w", r.Kind, r.Key, err)
		}
		t.recs[r.Key] = rec.Extra
	}
	return true, nil
}

// restoreObjects fills the object store at start: from the journal if it
// has saved anything, else with the built-ins (saved, when journalled).
func (s *Server) restoreObjects() error {
	if s.objects.journal != nil {
		loaded, err := s.objects.load()
		if err != nil || loaded {
			return err
		}
	}
	return s.seedObjects()
}
