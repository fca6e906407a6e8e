package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/nessie-go/nessie/ontap"
)

// The SVMs and the IP interfaces created through the API are journalled
// (Options.ObjectJournal) differently from the object store: their
// changes are spread over several handlers, so instead of noting each
// change, the server compares these two small stores with what it last
// saved after every successful mutating request and every successful job,
// before the answer or the job's end is known, and saves the difference
// (records compared encoded).
//
// A request that changed nothing there waits for the last commit queued
// (which may hold another request's change it has already seen), so
// whatever a client could have read before its answer is durable by then.

// The record kinds of these stores in the journal (the object store's
// kinds are ontap.Kind names; none of these is one).
const (
	savedSVM = "svm"                  // API-created SVMs, by UUID
	savedLIF = "network:ip-interface" // API-created LIFs, by UUID
)

// The record kinds the SAN objects were saved under before they moved
// into the object store; loadObjects converts them.
const (
	oldLUN        = "san:lun"
	oldIgroup     = "san:igroup"
	oldLUNMap     = "san:lun-map"    // key "<lun uuid>/<igroup uuid>", record the LUN number
	oldISCSI      = "san:iscsi"      // by SVM UUID
	oldCredential = "san:iscsi-cred" // key "<svm uuid>/<initiator>"
)

// convertOld returns a record saved under an old SAN kind as the object
// store's record, and whether it was one.
func convertOld(r ObjectRecord) (ObjectRecord, bool, error) {
	kind := map[string]*ontap.Kind{oldLUN: ontap.LUNKind, oldIgroup: ontap.IgroupKind, oldLUNMap: ontap.LUNMapKind,
		oldISCSI: ontap.ISCSIServiceKind, oldCredential: ontap.ISCSICredentialKind}[r.Kind]
	if kind == nil {
		return r, false, nil
	}
	out := ObjectRecord{Kind: kind.Name(), Key: r.Key, Record: r.Record}
	if r.Kind != oldLUNMap {
		var rec ontap.Record
		if err := rec.UnmarshalJSON(r.Record); err != nil {
			return r, true, fmt.Errorf("saved %s %q: %w", r.Kind, r.Key, err)
		}
	} else {
		lun, ig, _ := strings.Cut(r.Key, "/")
		n, err := strconv.ParseInt(string(r.Record), 10, 64)
		if err != nil {
			return r, true, fmt.Errorf("saved %s %q: %w", r.Kind, r.Key, err)
		}
		rec := ontap.Extra{"lun": ontap.Extra{"uuid": lun}, "igroup": ontap.Extra{"uuid": ig}, "logical_unit_number": n,
			"_links": ontap.Extra{"self": ontap.Extra{"href": kind.Path + "/" + r.Key}}}
		out.Record = ontap.Record{Extra: rec}.AppendJSON(nil)
	}
	return out, true, nil
}

// sideJournal keeps what was last saved of the SVM and LIF stores.
type sideJournal struct {
	mu   sync.Mutex
	last map[objKey]savedEntry
	wait func() error // the last commit queued (nil: none)
}

// savedEntry is one saved record, encoded.
type savedEntry struct {
	enc []byte
}

// same reports whether e and o are the same record.
func (e savedEntry) same(o savedEntry) bool { return bytes.Equal(e.enc, o.enc) }

// sideEntries lists the SVM and LIF records as they are now.
func (s *Server) sideEntries() map[objKey]savedEntry {
	out := map[objKey]savedEntry{}
	s.svms.mu.RLock()
	for id, v := range s.svms.svms {
		enc, _ := json.Marshal(v) // a wire struct always encodes
		out[objKey{savedSVM, id}] = savedEntry{enc: enc}
	}
	s.svms.mu.RUnlock()
	s.lifs.mu.RLock()
	for id, v := range s.lifs.lifs {
		enc, _ := json.Marshal(v)
		out[objKey{savedLIF, id}] = savedEntry{enc: enc}
	}
	s.lifs.mu.RUnlock()
	return out
}

// sideRecord encodes an entry's record.
func sideRecord(e savedEntry) []byte { return e.enc }

// saveSide saves the difference between the SVM and LIF stores and
// what was last saved, and returns once it (and every commit queued
// before) is durable.
func (s *Server) saveSide() error {
	if s.opts.ObjectJournal == nil {
		return nil
	}
	sj := &s.side
	sj.mu.Lock()
	now := s.sideEntries()
	var chs []ObjectRecord
	for k, e := range now {
		old, ok := sj.last[k]
		if ok && old.same(e) {
			continue
		}
		chs = append(chs, ObjectRecord{Kind: k.kind, Key: k.id, Record: sideRecord(e)})
	}
	for k := range sj.last {
		if _, ok := now[k]; !ok {
			chs = append(chs, ObjectRecord{Kind: k.kind, Key: k.id})
		}
	}
	if len(chs) > 0 {
		sj.wait = sync.OnceValue(s.opts.ObjectJournal.QueueObjects(chs, false))
		sj.last = now
	}
	wait := sj.wait
	sj.mu.Unlock()
	if wait == nil {
		return nil
	}
	if err := wait(); err != nil {
		return ontap.Errorf(http.StatusInternalServerError, ontap.CodeJobFailed, "",
			"Saving the change failed; it may be lost at the next restart: %v", err)
	}
	return nil
}

// persisting returns h made to save the SVM and LIF stores after it
// succeeds, when they are journalled and the method changes anything.
func (s *Server) persisting(method string, h handlerFunc) handlerFunc {
	if s.opts.ObjectJournal == nil || method == http.MethodGet || method == http.MethodHead {
		return h
	}
	return func(r *http.Request) (result, error) {
		res, err := h(r)
		if err != nil {
			return res, err
		}
		if err := s.saveSide(); err != nil {
			return result{}, err
		}
		return res, nil
	}
}

// loadSide fills the SVM and LIF stores from saved records and reports
// whether rec was one of theirs.
func (s *Server) loadSide(r ObjectRecord) (bool, error) {
	var err error
	switch r.Kind {
	case savedSVM:
		var v ontap.SVM
		if err = json.Unmarshal(r.Record, &v); err == nil {
			s.svms.svms[r.Key] = v
		}
	case savedLIF:
		var v ontap.IPInterface
		if err = json.Unmarshal(r.Record, &v); err == nil {
			s.lifs.lifs[r.Key] = v
		}
	default:
		return false, nil
	}
	if err != nil {
		return true, fmt.Errorf("saved %s %q: %w", r.Kind, r.Key, err)
	}
	return true, nil
}

// nameOldMaps gives the LUN maps converted from the old records (which
// held their number alone) their LUN's SVM and the names of their LUN
// and igroup, as a map made now holds them.
func (s *Server) nameOldMaps() {
	t := s.table(ontap.LUNMapKind)
	luns, igroups := s.table(ontap.LUNKind), s.table(ontap.IgroupKind)
	for id, m := range t.recs {
		if ontap.Lookup(m, "svm") != nil {
			continue
		}
		l, g := luns.recs[ontap.LookupString(m, "lun.uuid")], igroups.recs[ontap.LookupString(m, "igroup.uuid")]
		m = ontap.With(m, "svm", ontap.Lookup(l, "svm"))
		m = ontap.With(m, "lun.name", ontap.LookupString(l, "name"))
		t.recs[id] = ontap.With(m, "igroup.name", ontap.LookupString(g, "name"))
	}
}
