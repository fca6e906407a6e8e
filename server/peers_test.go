package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/nessie-go/nessie/server"
)

// TestEmptyCollections: the read-only collections every real cluster has
// answer 200 with no records, with their query parameters checked.
func TestEmptyCollections(t *testing.T) {
	a := newAPI(t)
	for _, path := range []string{
		// Trident's ontap-nas, before deleting each volume.
		"/api/snapmirror/relationships?fields=source.path,destination.path&list_destinations_only=true",
		"/api/snapmirror/relationships?destination.path=svm0:vol1&fields=uuid,state,healthy,policy.type,transfer.state",
		"/api/snapmirror/relationships?return_unhealthy_relationships_only=false&max_records=10&order_by=uuid",
		"/api/snapmirror/relationships",
		// Fields nessie does not model come from ONTAP's schema.
		"/api/snapmirror/relationships?fields=unhealthy_reason,backoff_level,consistency_group_failover.state,destination.svm.name&state=snapmirrored",
		"/api/snapmirror/relationships?fields=**",
		"/api/svm/peers?fields=peer.svm.name,peer.cluster.name,state,applications&svm.name=svm0",
		"/api/svm/peers",
		"/api/svm/peers?fields=**&peer.svm.name=svm1",
		"/api/cluster/peers?fields=name,remote.name,status.state,peer_applications",
		"/api/cluster/peers",
	} {
		r := a.do("GET", path, nil).must(t, http.StatusOK)
		recs, ok := r.get("records").([]any)
		if !ok || len(recs) != 0 || r.get("num_records") != 0.0 {
			t.Errorf("%s: %s", path, r.raw)
		}
		base, _, _ := strings.Cut(path, "?")
		if r.str("_links.self.href") == "" || !strings.HasPrefix(r.str("_links.self.href"), base) {
			t.Errorf("%s: self link %q", path, r.str("_links.self.href"))
		}
	}
	a.do("GET", "/api/snapmirror/relationships?fields=nope", nil).wantError(t, 400, "262197", "fields")
	a.do("GET", "/api/snapmirror/relationships?list_destinations_only=maybe", nil).wantError(t, 400, "2", "list_destinations_only")
	a.do("GET", "/api/svm/peers?list_destinations_only=true", nil).wantError(t, 400, "262179", "list_destinations_only")
	a.do("GET", "/api/cluster/peers?nope=1", nil).wantError(t, 400, "262179", "nope")
	a.do("POST", "/api/snapmirror/relationships", map[string]any{}).wantError(t, 405, "3", "")
}

// TestTrailingSlashForms: every collection answers at path/ exactly as at
// path (Ansible lists /api/protocols/nfs/export-policies/).
func TestTrailingSlashForms(t *testing.T) {
	a := newAPI(t)
	vol := a.createVolume("slashvol", nil)
	a.createSnapshot(vol, "slashsnap")
	n := 0
	for _, rt := range server.Routes(a.srv.API) {
		if rt[0] != "GET" || strings.HasSuffix(rt[1], "{$}") || strings.HasSuffix(rt[1], "}") {
			continue
		}
		path := strings.ReplaceAll(rt[1], "{vol}", vol)
		plain := a.do("GET", path, nil)
		if plain.status != http.StatusOK || plain.get("records") == nil {
			continue // a single record such as /api/cluster
		}
		n++
		slash := a.do("GET", path+"/", nil).must(t, http.StatusOK)
		if slash.get("num_records") != plain.get("num_records") || slash.str("records.0.name") != plain.str("records.0.name") {
			t.Errorf("GET %s/ = %s, GET %s = %s", path, slash.raw, path, plain.raw)
		}
	}
	if n < 12 {
		t.Fatalf("only %d collections found", n)
	}
	r := a.do("GET", "/api/protocols/nfs/export-policies/?fields=name", nil).must(t, http.StatusOK)
	if r.str("records.0.name") != "default" {
		t.Fatalf("%s", r.raw)
	}
	// The slash form of a mutation works too.
	a.do("DELETE", "/api/storage/volumes/"+vol+"/snapshots/?name=slashsnap", nil).must(t, http.StatusOK)
	if r := a.do("GET", "/api/storage/volumes/"+vol+"/snapshots", nil).must(t, http.StatusOK); r.get("num_records") != 0.0 {
		t.Fatalf("%s", r.raw)
	}
}
