package daemon

import (
	"strings"
	"sync"

	"github.com/nessie-go/nessie/backend/durable"
	"github.com/nessie-go/nessie/server"
)

// objectJournal keeps the server's generic objects (server.ObjectJournal)
// in the durable store, as records of kind "objects" keyed by the
// object's kind, a NUL and its identity, plus a marker record saying the
// set was saved (so an empty set is not mistaken for a new store). Every
// change is one QueueRecords call: one commit, all or none.
type objectJournal struct {
	b *durable.Backend

	mu   sync.Mutex
	keys map[string]struct{} // the object keys saved (for a replace)
}

const (
	// ObjectRecordKind is the durable record kind of the saved objects;
	// dropping it (durable.Backend.DropRecords) makes the next start
	// begin from the built-ins, as after loading a fixture.
	ObjectRecordKind = "objects"
	objectMarker     = "\x00saved" // no kind name starts with NUL
)

func newObjectJournal(b *durable.Backend) *objectJournal {
	return &objectJournal{b: b, keys: map[string]struct{}{}}
}

// LoadObjects implements server.ObjectJournal.
func (oj *objectJournal) LoadObjects() ([]server.ObjectRecord, bool, error) {
	recs, err := oj.b.Records(ObjectRecordKind)
	if err != nil {
		return nil, false, err
	}
	_, saved := recs[objectMarker]
	out := make([]server.ObjectRecord, 0, len(recs))
	oj.mu.Lock()
	defer oj.mu.Unlock()
	for k, v := range recs {
		if k == objectMarker {
			continue
		}
		kind, id, ok := strings.Cut(k, "\x00")
		if !ok {
			continue // not written by this journal
		}
		oj.keys[k] = struct{}{}
		out = append(out, server.ObjectRecord{Kind: kind, Key: id, Record: v})
	}
	return out, saved, nil
}

// QueueObjects implements server.ObjectJournal.
func (oj *objectJournal) QueueObjects(changes []server.ObjectRecord, replace bool) (wait func() error) {
	recs := make(map[string][]byte, len(changes)+1)
	oj.mu.Lock()
	defer oj.mu.Unlock()
	if replace {
		for k := range oj.keys {
			recs[k] = nil
		}
		clear(oj.keys)
		recs[objectMarker] = []byte("1")
	}
	for _, c := range changes {
		k := c.Kind + "\x00" + c.Key
		recs[k] = c.Record
		if c.Record == nil {
			delete(oj.keys, k)
		} else {
			oj.keys[k] = struct{}{}
		}
	}
	return oj.b.QueueRecords(ObjectRecordKind, recs)
}

// journalRecords is the durable record set of a whole object state, as
// a replace of the journal writes it (the marker included); nil recs is
// none (no marker): the next start seeds the built-ins.
func journalRecords(recs []server.ObjectRecord) map[string][]byte {
	out := make(map[string][]byte, len(recs)+1)
	if recs == nil {
		return out
	}
	out[objectMarker] = []byte("1")
	for _, r := range recs {
		if r.Record != nil {
			out[r.Kind+"\x00"+r.Key] = r.Record
		}
	}
	return out
}
