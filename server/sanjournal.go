package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/nessie-go/nessie/ontap"
)

// The SAN store (LUNs, igroups, LUN maps, iSCSI services and credentials),
// the SVMs and the IP interfaces created through the API are journalled
// (Options.ObjectJournal) differently from the generic object store: their
// changes are spread over many handlers and volume jobs, so instead of
// noting each change, the server compares these stores with what it last
// saved after every successful mutating request and every successful job,
// before the answer or the job's end is known, and saves the difference.
// SAN trees are never modified once stored, so an unchanged tree is found
// by identity; SVMs and LIFs (few) are compared encoded.
//
// A request that changed nothing there waits for the last commit queued
// (which may hold another request's change it has already seen), so
// whatever a client could have read before its answer is durable by then.

// The record kinds of these stores in the journal (the generic object
// store's kinds are ontap.Kind names; none of these is one).
const (
	savedLUN        = "san:lun"
	savedIgroup     = "san:igroup"
	savedLUNMap     = "san:lun-map"          // key "<lun uuid>/<igroup uuid>", record the LUN number
	savedISCSI      = "san:iscsi"            // by SVM UUID
	savedCredential = "san:iscsi-cred"       // key "<svm uuid>/<initiator>"
	savedSnapLUN    = "san:snapshot-lun"     // key "<snapshot uuid>/<lun uuid>", the LUN as the snapshot holds it
	savedSVM        = "svm"                  // API-created SVMs, by UUID
	savedLIF        = "network:ip-interface" // API-created LIFs, by UUID
)

// sideJournal keeps what was last saved of the SAN, SVM and LIF stores.
type sideJournal struct {
	mu   sync.Mutex
	last map[objKey]savedEntry
	wait func() error // the last commit queued (nil: none)
}

// savedEntry is one saved record: a SAN tree (compared by identity; held,
// so that its memory cannot be reused by a newer tree while it is the one
// saved) or the encoded record.
type savedEntry struct {
	tree ontap.Extra
	enc  []byte
}

// same reports whether e and o are the same record.
func (e savedEntry) same(o savedEntry) bool {
	return reflect.ValueOf(e.tree).Pointer() == reflect.ValueOf(o.tree).Pointer() && bytes.Equal(e.enc, o.enc)
}

// sideEntries lists the SAN, SVM and LIF records as they are now.
func (s *Server) sideEntries() map[objKey]savedEntry {
	out := map[objKey]savedEntry{}
	tree := func(kind, key string, t ontap.Extra) {
		out[objKey{kind, key}] = savedEntry{tree: t}
	}
	s.san.mu.RLock()
	for id, t := range s.san.luns {
		tree(savedLUN, id, t)
	}
	for id, t := range s.san.igroups {
		tree(savedIgroup, id, t)
	}
	for k, n := range s.san.maps {
		out[objKey{savedLUNMap, k.lun + "/" + k.igroup}] = savedEntry{enc: strconv.AppendInt(nil, n, 10)}
	}
	for id, t := range s.san.iscsi {
		tree(savedISCSI, id, t)
	}
	for k, t := range s.san.creds {
		tree(savedCredential, k.svm+"/"+k.initiator, t)
	}
	for snap, img := range s.san.snapLUNs {
		for lun, t := range img {
			tree(savedSnapLUN, snap+"/"+lun, t)
		}
	}
	s.san.mu.RUnlock()
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
func sideRecord(e savedEntry) []byte {
	if e.enc != nil {
		return e.enc
	}
	return ontap.Record{Extra: e.tree}.AppendJSON(nil)
}

// saveSide saves the difference between the SAN, SVM and LIF stores and
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

// persisting returns h made to save the SAN, SVM and LIF stores after it
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

// loadSide fills the SAN, SVM and LIF stores from saved records (the
// stores are empty of built-ins: the journal holds those too) and takes
// them as saved. It reports whether rec was one of these stores'.
func (s *Server) loadSide(r ObjectRecord) (bool, error) {
	var err error
	tree := func(into map[string]ontap.Extra, id string) {
		var rec ontap.Record
		if err = rec.UnmarshalJSON(r.Record); err == nil {
			into[id] = rec.Extra
		}
	}
	switch r.Kind {
	case savedLUN:
		tree(s.san.luns, r.Key)
	case savedIgroup:
		tree(s.san.igroups, r.Key)
	case savedISCSI:
		tree(s.san.iscsi, r.Key)
	case savedCredential:
		svm, init, _ := strings.Cut(r.Key, "/")
		var rec ontap.Record
		if err = rec.UnmarshalJSON(r.Record); err == nil {
			s.san.creds[credKey{svm, init}] = rec.Extra
		}
	case savedSnapLUN:
		snap, lun, _ := strings.Cut(r.Key, "/")
		var rec ontap.Record
		if err = rec.UnmarshalJSON(r.Record); err == nil {
			s.san.loadImageLUN(snap, lun, rec.Extra)
		}
	case savedLUNMap:
		lun, ig, _ := strings.Cut(r.Key, "/")
		var n int64
		if n, err = strconv.ParseInt(string(r.Record), 10, 64); err == nil {
			s.san.maps[lunMapKey{lun, ig}] = n
		}
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
