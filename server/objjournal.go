package server

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/nessie-go/nessie/ontap"
)

// ObjectJournal keeps the ONTAP objects beyond the storage contract
// across restarts, so that a durable daemon keeps every object it
// acknowledged, as it keeps volumes: the kinds of the object store
// (export policies and their rules, qtrees, quota rules, NFS and CIFS
// services, CIFS shares, snapshot policies, schedules, QoS and efficiency
// policies, LUNs, igroups, LUN maps, iSCSI services and credentials), and
// the SVMs and IP interfaces created through the API.
//
// The server queues each change of the object store (every record it put
// or deleted, a cascade's and a rename's included) under that store's
// lock, so changes reach the journal in the order they were made; the
// SVM and LIF changes are found by comparison (sidejournal.go). It
// answers, or ends the job, only once the wait function returns nil: an
// acknowledged change is durable. A reader may see a change whose commit
// is still in flight, as with the durable backend's volumes.
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
// the decimal number; and what each volume snapshot holds of a kind that
// is InSnapshots: kind "held:" + the kind's name, key "<snapshot
// uuid>/<identity>" (objsnapshots.go).
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

// flushLocked queues the changes noted since the last flush and returns
// the wait for their commit. The caller holds st.mu and waits after
// releasing it.
func (st *objectStore) flushLocked() (wait func() error) {
	if st.journal == nil || len(st.dirty) == 0 {
		st.dirty = nil
		return func() error { return nil }
	}
	chs := make([]ObjectRecord, 0, len(st.dirty))
	for k := range st.dirty {
		chs = append(chs, st.saved(k))
	}
	st.dirty = nil
	return savingErr(st.journal.QueueObjects(chs, false))
}

// allLocked returns every record of the store (held and next keys
// included) as saved. The caller holds st.mu, read or write.
func (st *objectStore) allLocked() []ObjectRecord {
	var chs []ObjectRecord
	for _, t := range st.order {
		for id := range t.recs {
			chs = append(chs, st.saved(objKey{t.kind.Name(), id}))
		}
		for scope := range t.next {
			chs = append(chs, st.saved(objKey{nextPrefix + t.kind.Name(), scope}))
		}
	}
	for snap, h := range st.held {
		for kind, recs := range h.recs {
			for id := range recs {
				chs = append(chs, st.saved(objKey{heldPrefix + kind, snap + "/" + id}))
			}
		}
	}
	return chs
}

// savingErr turns a journal's failure into the error a client gets.
func savingErr(w func() error) func() error {
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
	if kind, ok := strings.CutPrefix(k.kind, heldPrefix); ok {
		snap, id, _ := strings.Cut(k.id, "/")
		if rec, ok := st.heldRecord(kind, snap, id); ok {
			c.Record = ontap.Record{Extra: rec}.AppendJSON(nil)
		}
	} else if name, ok := strings.CutPrefix(k.kind, nextPrefix); ok {
		if n, ok := st.tables[name].next[k.id]; ok {
			c.Record = strconv.AppendInt(nil, n, 10)
		}
	} else if rec, ok := st.tables[k.kind].recs[k.id]; ok {
		c.Record = ontap.Record{Extra: rec}.AppendJSON(nil)
	}
	return c
}

// loadLocked replaces the store's records with saved ones (recs of the
// store's kinds and next keys). The caller holds st.mu.
func (st *objectStore) loadLocked(recs []ObjectRecord) error {
	for _, t := range st.order {
		t.recs = map[string]ontap.Extra{}
		t.next = map[string]int64{}
	}
	st.held = map[string]*snapHeld{}
	for _, r := range recs {
		if name, ok := strings.CutPrefix(r.Kind, nextPrefix); ok {
			n, err := strconv.ParseInt(string(r.Record), 10, 64)
			t := st.tables[name]
			if err != nil || t == nil {
				return fmt.Errorf("saved next key %q of kind %q: %q is not a number of a known kind", r.Key, name, r.Record)
			}
			t.next[r.Key] = n
			continue
		}
		if name, ok := strings.CutPrefix(r.Kind, heldPrefix); ok {
			t := st.tables[name]
			snap, id, cut := strings.Cut(r.Key, "/")
			var rec ontap.Record
			if t == nil || !t.kind.InSnapshots || !cut {
				return fmt.Errorf("saved snapshot record %q of kind %q: this build's snapshots hold no such records", r.Key, name)
			}
			if err := rec.UnmarshalJSON(r.Record); err != nil {
				return fmt.Errorf("saved %s %q: %w", r.Kind, r.Key, err)
			}
			st.loadHeld(t, snap, id, rec.Extra)
			continue
		}
		t := st.tables[r.Kind]
		if t == nil {
			return fmt.Errorf("saved object %q of kind %q: this build has no such kind", r.Key, r.Kind)
		}
		var rec ontap.Record
		if err := rec.UnmarshalJSON(r.Record); err != nil {
			return fmt.Errorf("saved %s %q: %w", r.Kind, r.Key, err)
		}
		t.recs[r.Key] = rec.Extra
	}
	return nil
}

// restoreObjects fills the object, SVM and LIF stores at start (the
// built-ins already seeded): from the journal if it has saved anything,
// else from Control.Objects if set; then saves them if the journal had
// nothing.
func (s *Server) restoreObjects() error {
	if s.opts.ObjectJournal == nil {
		if recs := s.opts.Control.Objects; recs != nil {
			if _, err := s.loadRecords(recs); err != nil {
				return err
			}
			s.holdLoaded(context.Background())
		}
		return nil
	}
	converted, err := s.loadObjects()
	if err != nil {
		return err
	}
	pruned, err := s.pruneOrphans(context.Background())
	if err != nil || !pruned && !converted {
		return err
	}
	return s.saveAll()
}

// pruneOrphans drops the saved records of volumes the backend no longer
// has (qtrees, quota rules, LUNs and their maps, what their snapshots
// held), of snapshots that are gone and of SVMs that are gone, and renames LUN paths
// whose volume was renamed. A volume's delete
// commits in the backend before its dependents are dropped and saved, so
// a crash between the two leaves them behind; ONTAP never shows a qtree
// or LUN without its volume, so they go at start. It reports whether it
// dropped anything.
func (s *Server) pruneOrphans(ctx context.Context) (bool, error) {
	vols, err := s.b.ListVolumes(ctx)
	if err != nil {
		return false, err
	}
	live := make(map[string]bool, len(vols))
	names := make(map[string]string, len(vols))
	for _, v := range vols {
		live[v.ID.String()] = true
		names[v.ID.String()] = v.Name
	}
	pruned := false
	st := s.objects
	st.mu.Lock()
	gone := map[string]bool{}
	for _, ot := range st.order {
		for _, p := range ot.kind.Parents {
			if p.Kind != "volume" || !p.Cascade {
				continue
			}
			for _, r := range ot.recs {
				if u := ontap.LookupString(r, p.Field+".uuid"); u != "" && !live[u] {
					gone[u] = true
				}
			}
		}
	}
	for u := range gone {
		st.dropVolumeLocked(u)
		pruned = true
	}
	// The same window for an SVM's delete (its objects are dropped before
	// the SVM's removal is saved) and create (its default export policy
	// is saved before the SVM): the records of an SVM that is not there go.
	for _, ot := range st.order {
		for id, r := range ot.recs {
			if u := ontap.LookupString(r, "svm.uuid"); u != "" && !s.svmExists(u) {
				if _, still := ot.recs[id]; still {
					st.drop(ot, id, r)
					pruned = true
				}
			}
		}
	}
	// The same window after a rename: the records inside a volume (a
	// LUN's path) follow its name.
	for u, name := range names {
		before := len(st.dirty)
		st.renameVolumeLocked(u, name)
		pruned = pruned || len(st.dirty) > before
	}
	// And after a snapshot's delete (or a restore's): what a snapshot
	// that is gone held goes too.
	for _, snap := range s.prunableHeld(ctx, live) {
		st.forgetHeldLocked(snap)
		pruned = true
	}
	st.dirty = nil // saved by saveAll
	st.mu.Unlock()
	return pruned, nil
}

// loadObjects fills the stores from the journal, or (when it has never
// saved anything) from Control.Objects or the built-ins, and saves them.
// It reports whether it converted records saved under the SAN store's old
// kinds (convertOld), which are then to be saved again under the new
// ones.
func (s *Server) loadObjects() (bool, error) {
	j := s.opts.ObjectJournal
	recs, saved, err := j.LoadObjects()
	if err != nil {
		return false, err
	}
	if !saved {
		if c := s.opts.Control.Objects; c != nil {
			if _, err := s.loadRecords(c); err != nil {
				return false, err
			}
			s.holdLoaded(context.Background())
		}
		return false, s.saveAll()
	}
	converted, err := s.loadRecords(recs)
	if err != nil {
		return false, err
	}
	s.side.last = s.sideEntries()
	return converted, nil
}

// loadRecords replaces the object, SVM and LIF stores' records with
// saved ones (the journal's whole set: built-ins are among them),
// converting those saved under the SAN store's old kinds, and reports
// whether there were any. It takes no lock: the server is not serving
// yet, or is a scratch one.
func (s *Server) loadRecords(recs []ObjectRecord) (bool, error) {
	st := s.objects
	s.svms.svms, s.lifs.lifs = map[string]ontap.SVM{}, map[string]ontap.IPInterface{}
	var own []ObjectRecord
	converted := false
	for _, r := range recs {
		side, err := s.loadSide(r)
		if err != nil {
			return false, err
		}
		if side {
			continue
		}
		r, old, err := convertOld(r)
		if err != nil {
			return false, err
		}
		converted = converted || old
		own = append(own, r)
	}
	if err := st.loadLocked(own); err != nil {
		return false, err
	}
	if converted {
		s.nameOldMaps()
	}
	return converted, nil
}

// saveAll replaces everything saved by the object, SVM and LIF
// stores as they are (at start on a new journal, and after a reset), in
// one commit.
func (s *Server) saveAll() error {
	if s.opts.ObjectJournal == nil {
		return nil
	}
	sj, st := &s.side, s.objects
	sj.mu.Lock()
	st.mu.Lock()
	chs := st.allLocked()
	st.dirty = nil
	now := s.sideEntries()
	for k, e := range now {
		chs = append(chs, ObjectRecord{Kind: k.kind, Key: k.id, Record: sideRecord(e)})
	}
	w := sync.OnceValue(s.opts.ObjectJournal.QueueObjects(chs, true))
	sj.last, sj.wait = now, w
	st.mu.Unlock()
	sj.mu.Unlock()
	return savingErr(w)()
}
