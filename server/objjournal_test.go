package server_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/server"
)

// failingJournal is an ObjectJournal whose commits fail once armed; what
// it saved before is in recs.
type failingJournal struct {
	mu   sync.Mutex
	fail bool
	recs map[string][]byte
	load []server.ObjectRecord
}

func (f *failingJournal) LoadObjects() ([]server.ObjectRecord, bool, error) {
	return f.load, f.load != nil, nil
}

func (f *failingJournal) QueueObjects(chs []server.ObjectRecord, replace bool) func() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return func() error { return errors.New("disk full") }
	}
	if f.recs == nil || replace {
		f.recs = map[string][]byte{}
	}
	for _, c := range chs {
		if c.Record == nil {
			delete(f.recs, c.Kind+" "+c.Key)
		} else {
			f.recs[c.Kind+" "+c.Key] = c.Record
		}
	}
	return func() error { return nil }
}

// saved returns what the journal holds, as records to load.
func (f *failingJournal) saved() []server.ObjectRecord {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []server.ObjectRecord
	for k, rec := range f.recs {
		kind, key, _ := strings.Cut(k, " ")
		out = append(out, server.ObjectRecord{Kind: kind, Key: key, Record: rec})
	}
	return out
}

func send(t *testing.T, h http.Handler, method, path, body string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.SetBasicAuth("u", "p")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code, w.Body.String()
}

// TestObjectJournalFailure: a change whose commit fails is answered with
// an ONTAP error envelope (500), never acknowledged; a new journal is
// given the built-ins first.
func TestObjectJournalFailure(t *testing.T) {
	j := &failingJournal{}
	s, err := server.New(memBackend(), &server.Options{Username: "u", Password: "p", ObjectJournal: j})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	builtin := 0
	for k, v := range j.recs {
		if strings.Contains(string(v), `"name":"default"`) || strings.HasPrefix(k, "iscsi_service ") {
			builtin++ // the default export and snapshot policies, the iSCSI service
		}
	}
	if builtin < 3 {
		t.Fatalf("the built-ins were not saved at start: %d found in %v", builtin, j.recs)
	}
	n := len(j.recs)
	if code, body := send(t, s, "POST", "/api/protocols/nfs/export-policies", `{"name":"p1"}`); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	if len(j.recs) <= n {
		t.Fatalf("the created policy was not saved: %d records, %d before", len(j.recs), n)
	}
	j.mu.Lock()
	j.fail = true
	j.mu.Unlock()
	for _, c := range []struct{ path, body string }{
		{"/api/protocols/nfs/export-policies", `{"name":"p2"}`},
		{"/api/protocols/san/igroups", `{"name":"g","os_type":"linux","svm":{"name":"svm0"}}`},
	} {
		code, body := send(t, s, "POST", c.path, c.body)
		if code != http.StatusInternalServerError || !strings.Contains(body, `"code":"460770"`) || !strings.Contains(body, "disk full") {
			t.Fatalf("POST %s with a failing journal: %d %s, want 500 in the ONTAP envelope", c.path, code, body)
		}
	}
}

// TestObjectJournalBadRecord: a saved record this build cannot read stops
// the start with an error naming it, rather than starting without it.
func TestObjectJournalBadRecord(t *testing.T) {
	for _, rec := range []server.ObjectRecord{
		{Kind: "no-such-kind", Key: "x", Record: []byte(`{}`)},
		{Kind: "schedule", Key: "x", Record: []byte(`{not json`)},
		{Kind: "san:lun", Key: "x", Record: []byte(`[`)},
	} {
		_, err := server.New(memBackend(), &server.Options{ObjectJournal: &failingJournal{load: []server.ObjectRecord{rec}}})
		if err == nil || !strings.Contains(err.Error(), rec.Kind) {
			t.Fatalf("start with saved %s %q: %v, want an error naming it", rec.Kind, rec.Record, err)
		}
	}
}

// TestObjectJournalPrunesOrphans: a volume's delete commits before its
// qtrees and LUNs are dropped and saved, so a crash between the two saves
// records whose volume is gone. At start they are pruned (and the
// journal rewritten); the records of volumes that exist are kept.
func TestObjectJournalPrunesOrphans(t *testing.T) {
	b := memBackend()
	j := &failingJournal{}
	s, err := server.New(b, &server.Options{Username: "u", Password: "p", ObjectJournal: j})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, body string }{
		{"/api/storage/volumes?return_timeout=10", `{"name":"pv1","svm":{"name":"svm0"},"aggregates":[{"name":"aggr1"}],"size":104857600}`},
		{"/api/storage/qtrees?return_timeout=10", `{"name":"q1","volume":{"name":"pv1"},"svm":{"name":"svm0"}}`},
		{"/api/storage/luns?return_timeout=10", `{"name":"/vol/pv1/l1","svm":{"name":"svm0"},"os_type":"linux","space":{"size":1048576}}`},
	} {
		if code, body := send(t, s, "POST", c.path, c.body); code >= 300 {
			t.Fatalf("POST %s: %d %s", c.path, code, body)
		}
	}
	saved := j.saved()

	has := func(h http.Handler, path, name string) bool {
		t.Helper()
		code, body := send(t, h, "GET", path+"?fields=name", "")
		if code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, code, body)
		}
		return strings.Contains(body, name)
	}
	// The volume exists: everything comes back.
	// (Restarted with the same identity, as a daemon is: records of an
	// SVM that is gone would be pruned.)
	kept, err := server.New(b, &server.Options{Username: "u", Password: "p", Identity: s.Identity(), ObjectJournal: &failingJournal{load: saved}})
	if err != nil {
		t.Fatal(err)
	}
	if !has(kept, "/api/storage/qtrees", `"q1"`) || !has(kept, "/api/storage/luns", "/vol/pv1/l1") {
		t.Fatal("a live volume's qtree or LUN was pruned")
	}
	// The volume is gone (its delete committed, the crash came before
	// its dependents were saved): they are pruned and the journal forgets them.
	j2 := &failingJournal{load: saved}
	orphaned, err := server.New(memBackend(), &server.Options{Username: "u", Password: "p", Identity: s.Identity(), ObjectJournal: j2})
	if err != nil {
		t.Fatal(err)
	}
	if has(orphaned, "/api/storage/qtrees", `"q1"`) || has(orphaned, "/api/storage/luns", "/vol/pv1/l1") {
		t.Fatal("a qtree or LUN of a missing volume survived the start")
	}
	j2.mu.Lock()
	defer j2.mu.Unlock()
	for k, rec := range j2.recs {
		if strings.Contains(string(rec), "pv1") {
			t.Errorf("the journal still holds %s: %s", k, rec)
		}
	}
}

// TestObjectJournalPrunesSVMOrphans: an SVM's create saves its default
// export policy before the SVM itself, so a crash between leaves records
// of an SVM that is not there; at start they are pruned, and the cluster
// SVM's are kept.
func TestObjectJournalPrunesSVMOrphans(t *testing.T) {
	j := &failingJournal{}
	s, err := server.New(memBackend(), &server.Options{Username: "u", Password: "p", ObjectJournal: j})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, body string }{
		{"/api/svm/svms?return_timeout=10", `{"name":"gone"}`},
		{"/api/protocols/nfs/export-policies", `{"name":"p1","svm":{"name":"gone"}}`},
		{"/api/protocols/nfs/export-policies", `{"name":"kept","svm":{"name":"svm0"}}`},
	} {
		if code, body := send(t, s, "POST", c.path, c.body); code >= 300 {
			t.Fatalf("POST %s: %d %s", c.path, code, body)
		}
	}
	saved := slices.DeleteFunc(j.saved(), func(r server.ObjectRecord) bool {
		return r.Kind == "svm" // the SVM was never saved, or its removal was
	})
	restarted, err := server.New(memBackend(), &server.Options{Username: "u", Password: "p", Identity: s.Identity(), ObjectJournal: &failingJournal{load: saved}})
	if err != nil {
		t.Fatal(err)
	}
	code, body := send(t, restarted, "GET", "/api/protocols/nfs/export-policies?fields=name,svm.name", "")
	if code != http.StatusOK || strings.Contains(body, `"gone"`) || !strings.Contains(body, `"kept"`) {
		t.Fatalf("export policies after the restart: %d %s", code, body)
	}
}

// TestObjectJournalConvertsSAN: a journal written before the SAN objects
// moved into the object store holds them under the kinds san:lun,
// san:igroup, san:lun-map (the record a bare logical unit number),
// san:iscsi and san:iscsi-cred. Such a journal starts, serves the same
// objects, and is rewritten under the object store's kinds.
func TestObjectJournalConvertsSAN(t *testing.T) {
	b := memBackend()
	j := &failingJournal{}
	id := server.NewIdentity()
	s, err := server.New(b, &server.Options{Username: "u", Password: "p", ObjectJournal: j, Identity: id})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, body string }{
		{"/api/storage/volumes?return_timeout=10", `{"name":"cv1","svm":{"name":"svm0"},"aggregates":[{"name":"aggr1"}],"size":104857600}`},
		{"/api/storage/luns", `{"name":"/vol/cv1/l1","svm":{"name":"svm0"},"os_type":"linux","space":{"size":1048576}}`},
		{"/api/protocols/san/igroups", `{"name":"g1","svm":{"name":"svm0"},"os_type":"linux","initiators":[{"name":"iqn.1993-08.org.debian:01:abc"}]}`},
		{"/api/protocols/san/lun-maps", `{"svm":{"name":"svm0"},"lun":{"name":"/vol/cv1/l1"},"igroup":{"name":"g1"},"logical_unit_number":7}`},
		{"/api/protocols/san/iscsi/credentials", `{"svm":{"name":"svm0"},"initiator":"iqn.1993-08.org.debian:01:abc","authentication_type":"none"}`},
	} {
		if code, body := send(t, s, "POST", c.path, c.body); code >= 300 {
			t.Fatalf("POST %s: %d %s", c.path, code, body)
		}
	}
	paths := []string{"/api/storage/luns", "/api/protocols/san/igroups", "/api/protocols/san/lun-maps",
		"/api/protocols/san/iscsi/services", "/api/protocols/san/iscsi/credentials"}
	read := func(h http.Handler) map[string]string {
		out := map[string]string{}
		for _, p := range paths {
			code, body := send(t, h, "GET", p+"?fields=**", "")
			if code != http.StatusOK {
				t.Fatalf("GET %s: %d %s", p, code, body)
			}
			out[p] = body
		}
		return out
	}
	want := read(s)
	old := map[string]string{"lun": "san:lun", "igroup": "san:igroup", "lun_map": "san:lun-map", "iscsi_service": "san:iscsi", "iscsi_credentials": "san:iscsi-cred"}
	saved := j.saved()
	for i, r := range saved {
		if o, ok := old[r.Kind]; ok {
			saved[i].Kind = o
			if o == "san:lun-map" {
				saved[i].Record = []byte("7") // the old record: the number alone
			}
		}
	}

	j2 := &failingJournal{load: saved}
	conv, err := server.New(b, &server.Options{Username: "u", Password: "p", ObjectJournal: j2, Identity: id})
	if err != nil {
		t.Fatal(err)
	}
	got := read(conv)
	for _, p := range paths {
		if got[p] != want[p] {
			t.Errorf("GET %s after the conversion:\n%s\nwant\n%s", p, got[p], want[p])
		}
	}
	j2.mu.Lock()
	defer j2.mu.Unlock()
	kinds := map[string]int{}
	for k := range j2.recs {
		kind, _, _ := strings.Cut(k, " ")
		kinds[kind]++
	}
	for o, n := range old {
		if kinds[n] != 0 || kinds[o] == 0 {
			t.Errorf("the journal holds %d %s and %d %s records after the conversion", kinds[n], n, kinds[o], o)
		}
	}
}

// countingJournal is a failingJournal that also counts the records of
// the last commit queued.
type countingJournal struct {
	failingJournal
	last int
}

func (c *countingJournal) QueueObjects(chs []server.ObjectRecord, replace bool) func() error {
	c.mu.Lock()
	c.last = len(chs)
	c.mu.Unlock()
	return c.failingJournal.QueueObjects(chs, replace)
}

// TestSANChangeSavesItsRecords: a SAN change is journalled as the records
// it changed, whatever else is stored (20 LUNs): an igroup's comment, the
// igroup; its rename, the igroup and the map holding its name; a mapped
// LUN's delete with allow_delete_while_mapped, the LUN and its map.
func TestSANChangeSavesItsRecords(t *testing.T) {
	j := &countingJournal{}
	s, err := server.New(memBackend(), &server.Options{Username: "u", Password: "p", ObjectJournal: j})
	if err != nil {
		t.Fatal(err)
	}
	post := func(path, body string) string {
		t.Helper()
		req := httptest.NewRequest("POST", path, strings.NewReader(body))
		req.SetBasicAuth("u", "p")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code >= 300 {
			t.Fatalf("POST %s: %d %s", path, w.Code, w.Body)
		}
		return w.Header().Get("Location")
	}
	post("/api/storage/volumes?return_timeout=10", `{"name":"jv","svm":{"name":"svm0"},"aggregates":[{"name":"aggr1"}],"size":1073741824}`)
	var lun string
	for i := range 20 {
		lun = post("/api/storage/luns", `{"name":"/vol/jv/l`+strconv.Itoa(i)+`","svm":{"name":"svm0"},"os_type":"linux","space":{"size":1048576}}`)
	}
	g := post("/api/protocols/san/igroups", `{"name":"g","svm":{"name":"svm0"},"os_type":"linux"}`)
	post("/api/protocols/san/lun-maps", `{"svm":{"name":"svm0"},"lun":{"name":"/vol/jv/l19"},"igroup":{"name":"g"}}`)
	for _, c := range []struct {
		body string
		want int
	}{
		{`{"comment":"c"}`, 1}, // the igroup
		{`{"name":"g2"}`, 2},   // the igroup and its map (which shows its name)
	} {
		if code, body := send(t, s, "PATCH", g, c.body); code != http.StatusOK {
			t.Fatalf("PATCH: %d %s", code, body)
		}
		if j.last != c.want {
			t.Errorf("an igroup's PATCH %s saved %d records, want %d", c.body, j.last, c.want)
		}
	}
	if code, body := send(t, s, "DELETE", lun+"?allow_delete_while_mapped=true", ""); code != http.StatusOK {
		t.Fatalf("DELETE: %d %s", code, body)
	}
	if j.last != 2 {
		t.Errorf("a mapped LUN's delete saved %d records, want 2 (the LUN, its map)", j.last)
	}
}

// TestSnapshotHeldRecordsJournal: what a snapshot holds (its volume's
// LUNs) is journalled record by record as "held:lun" records: saved with
// the snapshot, dropped with it; the state export leaves them out; and
// those of a snapshot that is gone at start (a crash after its delete,
// before the records were dropped) are pruned.
func TestSnapshotHeldRecordsJournal(t *testing.T) {
	b := memBackend()
	j := &failingJournal{}
	s, err := server.New(b, &server.Options{Username: "u", Password: "p", ObjectJournal: j})
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, path, body string) string {
		t.Helper()
		if code, out := send(t, s, method, path, body); code >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, code, out)
		} else {
			return out
		}
		return ""
	}
	do("POST", "/api/storage/volumes?return_timeout=10", `{"name":"hv","svm":{"name":"svm0"},"aggregates":[{"name":"aggr1"}],"size":1073741824}`)
	for i := range 3 {
		do("POST", "/api/storage/luns", `{"name":"/vol/hv/l`+strconv.Itoa(i)+`","svm":{"name":"svm0"},"os_type":"linux","space":{"size":1048576}}`)
	}
	vol := jsonField(t, []byte(do("GET", "/api/storage/volumes?name=hv", "")), "records", "0", "uuid")
	held := func(j *failingJournal) (n int, saved []server.ObjectRecord) {
		saved = j.saved()
		for _, r := range saved {
			if r.Kind == "held:lun" {
				n++
			}
		}
		return n, saved
	}
	for _, name := range []string{"s1", "s2"} {
		do("POST", "/api/storage/volumes/"+vol+"/snapshots?return_timeout=10", `{"name":"`+name+`"}`)
	}
	n, saved := held(j)
	if n != 6 {
		t.Fatalf("two snapshots of a volume with 3 LUNs saved %d held records, want 6", n)
	}
	if groups, err := server.ObjectsOf(saved); err != nil {
		t.Fatalf("the state export of a journal with held records: %v", err)
	} else if luns := groups["storage/luns"]; len(luns) != 3 {
		t.Fatalf("the state export lists %d LUNs, want the volume's 3: %v", len(luns), luns)
	}
	s2 := jsonField(t, []byte(do("GET", "/api/storage/volumes/"+vol+"/snapshots?name=s2", "")), "records", "0", "uuid")
	do("DELETE", "/api/storage/volumes/"+vol+"/snapshots/"+s2+"?return_timeout=10", "")
	if n, _ := held(j); n != 3 {
		t.Fatalf("after deleting one snapshot %d held records are saved, want 3", n)
	}

	// A crash after s1's delete in the backend, before its records were
	// dropped: at start they go.
	_, saved = held(j)
	vid, err := backend.ParseVolumeID(vol)
	if err != nil {
		t.Fatal(err)
	}
	s1, err := b.SnapshotByName(context.Background(), vid, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteSnapshot(context.Background(), vid, s1.ID); err != nil {
		t.Fatal(err)
	}
	j2 := &failingJournal{load: saved}
	if _, err := server.New(b, &server.Options{Username: "u", Password: "p", Identity: s.Identity(), ObjectJournal: j2}); err != nil {
		t.Fatal(err)
	}
	if n, saved := held(j2); n != 0 || len(saved) == 0 {
		t.Fatalf("after a start without the snapshot the journal holds %d held records (of %d)", n, len(saved))
	}
}
