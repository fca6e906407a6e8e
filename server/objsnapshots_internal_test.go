package server

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nessie-go/nessie/backend/mem"
)

// TestSnapshotLUNRecordsGoWithTheirSnapshots: a snapshot of a volume
// without LUNs records nothing; the LUNs recorded for a snapshot are
// dropped when the snapshot is deleted, when a restore deletes it (a newer
// one), and when its volume is deleted.
func TestSnapshotLUNRecordsGoWithTheirSnapshots(t *testing.T) {
	s, err := New(mem.New(nil), &Options{Username: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	do := func(method, target, body string) string {
		t.Helper()
		if strings.Contains(target, "?") {
			target += "&return_timeout=30&return_records=true"
		} else {
			target += "?return_timeout=30&return_records=true"
		}
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		r.SetBasicAuth("u", "p")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code >= 300 {
			t.Fatalf("%s %s: %d %s", method, target, w.Code, w.Body)
		}
		return w.Body.String()
	}
	counts := func() (int, int) {
		s.objects.mu.RLock()
		defer s.objects.mu.RUnlock()
		recs := 0
		for _, h := range s.objects.held {
			for _, rs := range h.recs {
				recs += len(rs)
			}
		}
		return len(s.objects.held), recs
	}
	var made struct{ Records []struct{ UUID string } }
	if err := json.Unmarshal([]byte(do("POST", "/api/storage/volumes", `{"name":"v","size":1073741824,"svm":{"name":"svm0"},"aggregates":[{"name":"aggr1"}]}`)), &made); err != nil || len(made.Records) != 1 {
		t.Fatalf("volume create answer: %v", err)
	}
	vol := made.Records[0].UUID
	do("POST", "/api/storage/volumes/"+vol+"/snapshots", `{"name":"nolun"}`)
	if i, l := counts(); i != 0 || l != 0 {
		t.Fatalf("a snapshot of a volume without LUNs recorded %d snapshots, %d LUNs", i, l)
	}
	if s.objects.involves(vol) {
		t.Fatal("a volume without LUNs or recorded snapshots takes its snapshots under the store's lock")
	}
	var lun struct{ Records []struct{ UUID string } }
	if err := json.Unmarshal([]byte(do("POST", "/api/storage/luns", `{"name":"/vol/v/l","os_type":"linux","space":{"size":1048576},"svm":{"name":"svm0"}}`)), &lun); err != nil || len(lun.Records) != 1 {
		t.Fatalf("LUN create answer: %v", err)
	}
	if !s.objects.involves(vol) {
		t.Fatal("a volume holding a LUN takes its snapshots without the store's lock")
	}
	for _, n := range []string{"a", "b", "c"} {
		do("POST", "/api/storage/volumes/"+vol+"/snapshots", `{"name":"`+n+`"}`)
	}
	if i, l := counts(); i != 3 || l != 3 {
		t.Fatalf("after three snapshots of a one-LUN volume: %d snapshots, %d LUNs recorded", i, l)
	}
	do("DELETE", "/api/storage/volumes/"+vol+"/snapshots?name=c", "")
	if i, l := counts(); i != 2 || l != 2 {
		t.Fatalf("after deleting one: %d snapshots, %d LUNs recorded", i, l)
	}
	do("PATCH", "/api/storage/volumes/"+vol+"?restore_to.snapshot.name=a", "")
	if i, l := counts(); i != 1 || l != 1 {
		t.Fatalf("after restoring the older: %d snapshots, %d LUNs recorded", i, l)
	}
	do("DELETE", "/api/storage/luns/"+lun.Records[0].UUID, "")
	if !s.objects.involves(vol) {
		t.Fatal("a volume whose snapshot holds a LUN is not involved once the LUN is deleted")
	}
	do("DELETE", "/api/storage/volumes/"+vol, "")
	if i, l := counts(); i != 0 || l != 0 {
		t.Fatalf("after deleting the volume: %d snapshots, %d LUNs recorded", i, l)
	}
}
