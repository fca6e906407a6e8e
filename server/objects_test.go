package server_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

const policiesPath = "/api/protocols/nfs/export-policies"

// createExportPolicy creates an export policy in the SVM and returns its
// id.
func (a *api) createExportPolicy(t *testing.T, name string) int64 {
	t.Helper()
	r := a.do("POST", policiesPath+"?return_records=true", map[string]any{"name": name, "svm": map[string]any{"name": "svm0"}}).must(t, http.StatusCreated)
	id, ok := r.get("records.0.id").(float64)
	if !ok {
		t.Fatalf("export policy %q: no id in %s", name, r.raw)
	}
	return int64(id)
}

// TestExportPolicies pins the export-policy kind: the builtin default,
// integer ids, names unique per SVM, the schema's body checks, rename,
// the default and in-use policies refused on delete (1703947, 1703945),
// and rules deleted with their policy.
func TestExportPolicies(t *testing.T) {
	a := newAPI(t)
	r := a.do("GET", policiesPath+"?fields=name,svm.name", nil).must(t, http.StatusOK)
	if r.get("num_records") != 1.0 || r.str("records.0.name") != "default" || r.str("records.0.svm.name") != "svm0" {
		t.Fatalf("fresh server: %s", r.raw)
	}
	defaultID := int64(r.get("records.0.id").(float64))
	id := a.createExportPolicy(t, "p1")
	if id <= defaultID {
		t.Fatalf("new policy id %d not after the default's %d", id, defaultID)
	}
	item := policiesPath + "/" + itoa(id)
	a.do("POST", policiesPath, map[string]any{"name": "p1", "svm": map[string]any{"name": "svm0"}}).wantError(t, http.StatusConflict, "1", "name")
	a.do("POST", policiesPath, map[string]any{"name": "p x"}).wantError(t, http.StatusBadRequest, "1703952", "name")
	a.do("POST", policiesPath, map[string]any{"name": "p2", "color": "red"}).wantError(t, http.StatusBadRequest, "262197", "body")
	a.do("POST", policiesPath, map[string]any{"name": "p2", "id": 7}).wantError(t, http.StatusBadRequest, "262196", "id")
	a.do("POST", policiesPath, map[string]any{"name": "p2", "svm": map[string]any{"name": "nosuch"}}).wantError(t, http.StatusNotFound, "2621462", "svm.name")
	a.do("GET", policiesPath+"/99", nil).wantError(t, http.StatusNotFound, "4", "id")
	a.do("GET", policiesPath+"/x", nil).wantError(t, http.StatusNotFound, "2", "id")

	a.do("PATCH", item, map[string]any{"name": "p1b"}).must(t, http.StatusOK)
	if got := a.do("GET", item, nil).must(t, http.StatusOK).str("name"); got != "p1b" {
		t.Fatalf("renamed policy reads %q", got)
	}
	a.do("PATCH", policiesPath+"/"+itoa(defaultID), map[string]any{"name": "d2"}).wantError(t, http.StatusBadRequest, "1703947", "name")
	a.do("DELETE", policiesPath+"/"+itoa(defaultID), nil).wantError(t, http.StatusBadRequest, "1703947", "id")

	// A rule; then the policy is used by a volume and cannot go.
	rules := item + "/rules"
	a.do("POST", rules, map[string]any{"clients": []any{map[string]any{"match": "10.0.0.0/8"}}}).must(t, http.StatusCreated)
	vol := a.createVolume("v_uses_p1b", map[string]any{"nas": map[string]any{"export_policy": map[string]any{"name": "p1b"}}})
	a.do("DELETE", item, nil).wantError(t, http.StatusConflict, "1703945", "id")
	a.do("DELETE", "/api/storage/volumes/"+vol+"?return_timeout=10", nil).must(t, http.StatusOK)
	a.do("DELETE", item, nil).must(t, http.StatusOK)
	a.do("GET", item, nil).wantError(t, http.StatusNotFound, "4", "id")
	a.do("GET", rules, nil).wantError(t, http.StatusNotFound, "4", "policy.id")

	// A volume cannot name a policy that does not exist.
	a.do("POST", "/api/storage/volumes", volumeBody("v_bad_pol", map[string]any{"nas.export_policy.name": "nosuch"})).
		wantError(t, http.StatusBadRequest, "918271", "nas.export_policy.name")
}

// TestExportRules pins rule indexes (numbered from 1 per policy), the
// defaults, the duplicate rule code Trident reads (1704070), client-match
// checks, PATCH of one rule and the collection query engine.
func TestExportRules(t *testing.T) {
	a := newAPI(t)
	p1 := policiesPath + "/" + itoa(a.createExportPolicy(t, "p1")) + "/rules"
	p2 := policiesPath + "/" + itoa(a.createExportPolicy(t, "p2")) + "/rules"
	rule := func(match string) map[string]any {
		return map[string]any{"clients": []any{map[string]any{"match": match}}, "protocols": []any{"nfs"}, "ro_rule": []any{"sys"}, "rw_rule": []any{"sys"}}
	}
	for i, m := range []string{"10.0.0.1", "10.0.0.2", "host.example.com"} {
		r := a.do("POST", p1+"?return_records=true", rule(m)).must(t, http.StatusCreated)
		if got := r.get("records.0.index"); got != float64(i+1) {
			t.Fatalf("rule %d index %v: %s", i, got, r.raw)
		}
		if loc := r.header.Get("Location"); loc != p1+"/"+itoa(int64(i+1)) {
			t.Fatalf("Location %q", loc)
		}
	}
	if got := a.do("POST", p2+"?return_records=true", rule("10.0.0.1")).must(t, http.StatusCreated).get("records.0.index"); got != 1.0 {
		t.Fatalf("first rule of another policy has index %v", got)
	}
	a.do("POST", p1, rule("10.0.0.1")).wantError(t, http.StatusConflict, "1704070", "clients")
	a.do("POST", p1, map[string]any{"ro_rule": []any{"sys"}}).wantError(t, http.StatusBadRequest, "2", "clients.match")
	a.do("POST", p1, rule("bad host")).wantError(t, http.StatusBadRequest, "1704039", "clients.match")
	a.do("POST", p1, map[string]any{"clients": []any{map[string]any{"match": "x"}}, "ro_rule": []any{"bogus"}}).wantError(t, http.StatusBadRequest, "2", "ro_rule")

	r := a.do("GET", p1+"/3", nil).must(t, http.StatusOK)
	if r.str("superuser.0") != "none" || r.str("policy.name") != "p1" || r.str("svm.name") != "svm0" || r.str("anonymous_user") != "65534" {
		t.Fatalf("rule defaults and parents: %s", r.raw)
	}
	a.do("PATCH", p1+"/3", map[string]any{"rw_rule": []any{"never"}, "clients": []any{map[string]any{"match": "10.1.0.0/16"}}}).must(t, http.StatusOK)
	a.do("PATCH", p1+"/3", map[string]any{"svm": map[string]any{"name": "svm0"}}).wantError(t, http.StatusBadRequest, "262196", "svm.name")
	r = a.do("GET", p1+"?clients.match=10.1.*&fields=rw_rule", nil).must(t, http.StatusOK)
	if r.get("num_records") != 1.0 || r.str("records.0.rw_rule.0") != "never" || r.get("records.0.index") != 3.0 {
		t.Fatalf("filter on the patched rule: %s", r.raw)
	}
	r = a.do("GET", p1+"/?order_by=index%20desc&max_records=2", nil).must(t, http.StatusOK)
	if r.get("num_records") != 2.0 || r.get("records.0.index") != 3.0 || r.str("_links.next.href") == "" {
		t.Fatalf("ordered page: %s", r.raw)
	}
	pol := strings.TrimSuffix(p1, "/rules")
	r = a.do("GET", pol+"?fields=rules", nil).must(t, http.StatusOK)
	if got := r.get("rules.2.index"); got != 3.0 || r.str("rules.0.clients.0.match") != "10.0.0.1" || r.get("rules.0.policy") != nil {
		t.Fatalf("the policy's rules inline, by index, in the policy's shape: %s", r.raw)
	}
	a.do("DELETE", p1+"/2", nil).must(t, http.StatusOK)
	a.do("GET", p1+"/2", nil).wantError(t, http.StatusNotFound, "4", "index")
	if got := a.do("POST", p1+"?return_records=true", rule("10.0.0.9")).must(t, http.StatusCreated).get("records.0.index"); got != 4.0 {
		t.Fatalf("index after a delete: %v, want 4 (indexes are not reused)", got)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestQtrees pins the qtree kind: jobs, ids per volume, the default
// qtree 0 every volume lists, the path, the export policy a qtree keeps in
// use (1703953), names unique per volume (5242972, as a job failure),
// ONTAP's volume-reference codes, PATCH and DELETE at
// /storage/qtrees/{volume.uuid}/{id}, and qtrees going with their volume.
func TestQtrees(t *testing.T) {
	a := newAPI(t)
	v1 := a.createVolume("qv1", nil)
	v2 := a.createVolume("qv2", nil)
	pol := a.createExportPolicy(t, "qpol")
	create := func(body map[string]any) *resp {
		return a.do("POST", "/api/storage/qtrees?return_timeout=10&return_records=true", body)
	}
	r := create(map[string]any{"name": "q1", "volume": map[string]any{"name": "qv1"}, "svm": map[string]any{"name": "svm0"},
		"export_policy": map[string]any{"name": "qpol"}, "security_style": "mixed"}).must(t, http.StatusCreated)
	if r.get("records.0.id") != 1.0 || r.str("records.0.path") != "/vol/qv1/q1" || r.get("records.0.export_policy.id") != float64(pol) {
		t.Fatalf("created qtree: %s", r.raw)
	}
	if loc := r.header.Get("Location"); loc != "/api/storage/qtrees/"+v1+"/1" {
		t.Fatalf("Location %q", loc)
	}
	if got := create(map[string]any{"name": "q1", "volume": map[string]any{"uuid": v2}}).must(t, http.StatusCreated).get("records.0.id"); got != 1.0 {
		t.Fatalf("first qtree of another volume has id %v", got)
	}
	create(map[string]any{"name": "q1", "volume": map[string]any{"name": "qv1"}}).wantError(t, http.StatusConflict, "5242972", "name")
	create(map[string]any{"name": "", "volume": map[string]any{"name": "qv1"}}).wantError(t, http.StatusBadRequest, "5242894", "name")
	create(map[string]any{"volume": map[string]any{"name": "qv1"}}).wantError(t, http.StatusBadRequest, "5242953", "name")
	create(map[string]any{"name": "q9"}).wantError(t, http.StatusBadRequest, "918232", "volume.name")
	create(map[string]any{"name": "q9", "volume": map[string]any{"name": "nosuch"}}).wantError(t, http.StatusNotFound, "917927", "volume.name")
	create(map[string]any{"name": "q9", "volume": map[string]any{"name": "qv2", "uuid": v1}}).wantError(t, http.StatusBadRequest, "918236", "volume.name")
	create(map[string]any{"name": "q9", "volume": map[string]any{"name": "qv1"}, "export_policy": map[string]any{"name": "nosuch"}}).
		wantError(t, http.StatusNotFound, "1703954", "export_policy.name")

	// The default qtree of each volume is listed (Trident counts on it).
	r = a.do("GET", "/api/storage/qtrees?volume.name=qv1", nil).must(t, http.StatusOK)
	if r.get("num_records") != 2.0 || r.get("records.0.id") != 0.0 || r.str("records.0.name") != "" || r.str("records.1.name") != "q1" {
		t.Fatalf("qtrees of qv1: %s", r.raw)
	}
	a.do("DELETE", "/api/storage/qtrees/"+v1+"/0", nil).wantError(t, http.StatusBadRequest, "5242894", "id")

	a.do("DELETE", policiesPath+"/"+itoa(pol), nil).wantError(t, http.StatusConflict, "1703953", "id")
	item := "/api/storage/qtrees/" + v1 + "/1"
	a.do("PATCH", item+"?return_timeout=10", map[string]any{"name": "q1b", "export_policy": map[string]any{"name": "default"}}).must(t, http.StatusOK)
	r = a.do("GET", item+"?fields=path,export_policy.name", nil).must(t, http.StatusOK)
	if r.str("path") != "/vol/qv1/q1b" || r.str("export_policy.name") != "default" {
		t.Fatalf("patched qtree: %s", r.raw)
	}
	a.do("PATCH", item, map[string]any{"volume": map[string]any{"name": "qv2"}}).wantError(t, http.StatusBadRequest, "262196", "volume.name")
	a.do("DELETE", policiesPath+"/"+itoa(pol), nil).must(t, http.StatusOK)
	a.do("DELETE", item+"?return_timeout=10", nil).must(t, http.StatusOK)
	a.do("GET", item, nil).wantError(t, http.StatusNotFound, "4", "id")
	a.do("GET", "/api/storage/qtrees/"+v1+"/x", nil).wantError(t, http.StatusNotFound, "2", "id")

	// Deleting a volume deletes its qtrees.
	a.do("DELETE", "/api/storage/volumes/"+v2+"?return_timeout=10", nil).must(t, http.StatusOK)
	if r := a.do("GET", "/api/storage/qtrees?volume.uuid="+v2, nil).must(t, http.StatusOK); r.get("num_records") != 0.0 {
		t.Fatalf("qtrees of a deleted volume: %s", r.raw)
	}
}

// TestQuotaRules pins quota rules: the Trident shapes (a default rule with
// qtree "" and hard_limit -1, a tree rule per qtree), the type checks and
// codes, duplicates, PATCH of the limits, and rules going with their
// qtree and volume.
func TestQuotaRules(t *testing.T) {
	a := newAPI(t)
	vol := a.createVolume("quv", nil)
	a.do("POST", "/api/storage/qtrees?return_timeout=10", map[string]any{"name": "qq", "volume": map[string]any{"name": "quv"}}).must(t, http.StatusCreated)
	const rules = "/api/storage/quota/rules"
	create := func(body map[string]any) *resp {
		return a.do("POST", rules+"?return_timeout=10&return_records=true", body)
	}
	create(map[string]any{"type": "tree", "qtree": map[string]any{"name": ""}, "volume": map[string]any{"name": "quv"},
		"svm": map[string]any{"name": "svm0"}, "space": map[string]any{"hard_limit": -1}}).must(t, http.StatusCreated)
	r := create(map[string]any{"type": "tree", "qtree": map[string]any{"name": "qq"}, "volume": map[string]any{"name": "quv"}, "space": map[string]any{"hard_limit": 1 << 30}}).
		must(t, http.StatusCreated)
	uuid := r.str("records.0.uuid")
	if uuid == "" || r.get("records.0.qtree.id") != 1.0 {
		t.Fatalf("tree rule: %s", r.raw)
	}
	create(map[string]any{"type": "tree", "qtree": map[string]any{"name": "qq"}, "volume": map[string]any{"name": "quv"}}).wantError(t, http.StatusConflict, "1", "type")
	create(map[string]any{"type": "tree", "qtree": map[string]any{"name": "nosuch"}, "volume": map[string]any{"name": "quv"}}).wantError(t, http.StatusNotFound, "4", "qtree.name")
	create(map[string]any{"volume": map[string]any{"name": "quv"}}).wantError(t, http.StatusBadRequest, "2", "type")
	create(map[string]any{"type": "user", "volume": map[string]any{"name": "quv"}}).wantError(t, http.StatusBadRequest, "5308562", "users")
	create(map[string]any{"type": "group", "volume": map[string]any{"name": "quv"}}).wantError(t, http.StatusBadRequest, "5308563", "group")
	create(map[string]any{"type": "tree", "users": []any{map[string]any{"name": "u"}}, "volume": map[string]any{"name": "quv"}}).wantError(t, http.StatusBadRequest, "5308564", "qtree.name")
	create(map[string]any{"type": "tree", "volume": map[string]any{"name": "quv"}, "space": map[string]any{"hard_limit": 10, "soft_limit": 20}}).
		wantError(t, http.StatusBadRequest, "5308575", "space.soft_limit")
	create(map[string]any{"type": "dir", "volume": map[string]any{"name": "quv"}}).wantError(t, http.StatusBadRequest, "2", "type")

	r = a.do("GET", rules+"?type=tree&volume.name=quv&qtree.name=qq&fields=uuid,space.hard_limit", nil).must(t, http.StatusOK)
	if r.get("num_records") != 1.0 || r.str("records.0.uuid") != uuid || r.get("records.0.space.hard_limit") != float64(1<<30) {
		t.Fatalf("Trident's lookup: %s", r.raw)
	}
	a.do("PATCH", rules+"/"+uuid+"?return_timeout=10", map[string]any{"space": map[string]any{"hard_limit": 2 << 30}}).must(t, http.StatusOK)
	if got := a.do("GET", rules+"/"+uuid, nil).must(t, http.StatusOK).get("space.hard_limit"); got != float64(2<<30) {
		t.Fatalf("patched hard limit %v", got)
	}
	a.do("PATCH", rules+"/"+uuid, map[string]any{"type": "user"}).wantError(t, http.StatusBadRequest, "262196", "type")

	// The qtree's rule goes with the qtree; the default rule with the volume.
	a.do("DELETE", "/api/storage/qtrees/"+vol+"/1?return_timeout=10", nil).must(t, http.StatusOK)
	a.do("GET", rules+"/"+uuid, nil).wantError(t, http.StatusNotFound, "4", "uuid")
	if r := a.do("GET", rules, nil).must(t, http.StatusOK); r.get("num_records") != 1.0 {
		t.Fatalf("after the qtree went: %s", r.raw)
	}
	a.do("DELETE", "/api/storage/volumes/"+vol+"?return_timeout=10", nil).must(t, http.StatusOK)
	if r := a.do("GET", rules, nil).must(t, http.StatusOK); r.get("num_records") != 0.0 {
		t.Fatalf("after the volume went: %s", r.raw)
	}
}

// TestServicesSharesPoliciesSchedules pins the per-SVM services (one
// each, at /{svm.uuid}, state from enabled), CIFS shares named per SVM,
// the built-in snapshot policies and schedules, a volume's snapshot policy
// existing (917551) and in use (1638415), and schedule checks.
func TestServicesSharesPoliciesSchedules(t *testing.T) {
	a := newAPI(t)
	svm := a.srv.API.Identity().SVMUUID
	const nfs = "/api/protocols/nfs/services"
	r := a.do("POST", nfs+"?return_records=true", map[string]any{"svm": map[string]any{"name": "svm0"}}).must(t, http.StatusCreated)
	if r.header.Get("Location") != nfs+"/"+svm || r.get("records.0.protocol.v3_enabled") != true || r.str("records.0.state") != "online" {
		t.Fatalf("NFS service: %s %v", r.raw, r.header)
	}
	a.do("POST", nfs, map[string]any{"svm": map[string]any{"uuid": svm}}).wantError(t, http.StatusConflict, "1", "svm.uuid")
	a.do("PATCH", nfs+"/"+svm, map[string]any{"enabled": false, "protocol": map[string]any{"v41_enabled": true}}).must(t, http.StatusOK)
	r = a.do("GET", nfs+"/"+svm+"?fields=state,protocol", nil).must(t, http.StatusOK)
	if r.str("state") != "offline" || r.get("protocol.v41_enabled") != true || r.get("protocol.v3_enabled") != true {
		t.Fatalf("patched NFS service: %s", r.raw)
	}
	a.do("GET", nfs+"/not-a-uuid", nil).wantError(t, http.StatusNotFound, "2", "svm.uuid")

	const cifs = "/api/protocols/cifs/services"
	a.do("POST", cifs, map[string]any{"svm": map[string]any{"name": "svm0"}, "name": "WAY_TOO_LONG_NETBIOS"}).wantError(t, http.StatusBadRequest, "655562", "name")
	a.do("POST", cifs, map[string]any{"svm": map[string]any{"name": "svm0"}, "name": "NES=SIE"}).wantError(t, http.StatusBadRequest, "655563", "name")
	// A share needs the SVM's CIFS server.
	a.do("POST", "/api/protocols/cifs/shares", map[string]any{"svm": map[string]any{"name": "svm0"}, "name": "early", "path": "/"}).wantError(t, http.StatusBadRequest, "655399", "svm.name")
	a.do("POST", cifs+"?return_timeout=10", map[string]any{"svm": map[string]any{"name": "svm0"}, "name": "NESSIE",
		"ad_domain": map[string]any{"fqdn": "example.com", "user": "admin", "password": "secret"}}).must(t, http.StatusCreated)
	a.do("POST", cifs+"?return_timeout=10", map[string]any{"svm": map[string]any{"name": "svm0"}, "name": "NESSIE3"}).wantError(t, http.StatusConflict, "655477", "svm.uuid")
	r = a.do("GET", cifs+"/"+svm+"?fields=**", nil).must(t, http.StatusOK)
	if r.str("name") != "NESSIE" || r.get("ad_domain.password") != nil || r.str("auth-style") != "domain" {
		t.Fatalf("CIFS server (the password must not be readable): %s", r.raw)
	}

	a.do("DELETE", cifs+"/"+svm, map[string]any{"name": "X"}).wantError(t, http.StatusBadRequest, "262196", "name")
	// ONTAP 9.11+ takes force on a PATCH (netapp.ontap's rename sends it);
	// other parameters stay refused.
	a.do("PATCH", cifs+"/"+svm+"?force=true&return_timeout=10", map[string]any{"name": "NESSIE2", "enabled": false}).must(t, http.StatusOK)
	a.do("PATCH", cifs+"/"+svm+"?allow_delete_while_mapped=true", map[string]any{"comment": "x"}).wantError(t, http.StatusBadRequest, "262179", "allow_delete_while_mapped")
	if r := a.do("GET", cifs+"/"+svm+"?fields=name,enabled", nil).must(t, http.StatusOK); r.str("name") != "NESSIE2" || r.get("enabled") != false {
		t.Fatalf("renamed CIFS server: %s", r.raw)
	}

	const shares = "/api/protocols/cifs/shares"
	// A share's path is "/", a volume's junction path or below it.
	a.createVolume("v1", map[string]any{"nas": map[string]any{"path": "/v1"}})
	a.do("POST", shares, map[string]any{"svm": map[string]any{"name": "svm0"}, "name": "s1", "path": "/v1"}).must(t, http.StatusCreated)
	a.do("POST", shares, map[string]any{"svm": map[string]any{"name": "svm0"}, "name": "s1", "path": "/v1/d"}).wantError(t, http.StatusConflict, "1", "name")
	a.do("POST", shares, map[string]any{"name": "s2", "path": "v2"}).wantError(t, http.StatusBadRequest, "656423", "path")
	a.do("POST", shares, map[string]any{"name": "s2", "path": "/v2"}).wantError(t, http.StatusBadRequest, "655551", "path")
	a.do("POST", shares, map[string]any{"name": "s2", "path": "/v10"}).wantError(t, http.StatusBadRequest, "655551", "path")
	a.do("POST", shares, map[string]any{"name": strings.Repeat("s", 81), "path": "/"}).wantError(t, http.StatusBadRequest, "655577", "name")
	a.do("POST", shares, map[string]any{"name": "s:2", "path": "/"}).wantError(t, http.StatusBadRequest, "656426", "name")
	a.do("POST", shares, map[string]any{"name": "root", "path": "/"}).must(t, http.StatusCreated)
	a.do("POST", shares, map[string]any{"name": "deep", "path": "/v1/a/b"}).must(t, http.StatusCreated)
	a.do("PATCH", shares+"/"+svm+"/deep", map[string]any{"path": "/elsewhere"}).wantError(t, http.StatusBadRequest, "655551", "path")
	a.do("PATCH", shares+"/"+svm+"/deep", map[string]any{"path": "/v1/c"}).must(t, http.StatusOK)
	if got := a.do("GET", shares+"/"+svm+"/s1", nil).must(t, http.StatusOK).str("acls.0.user_or_group"); got != "Everyone" {
		t.Fatalf("default share ACL %q", got)
	}
	a.do("DELETE", shares+"/"+svm+"/s1", nil).must(t, http.StatusOK)
	a.do("GET", shares+"/"+svm+"/s1", nil).wantError(t, http.StatusNotFound, "4", "name")
	// netapp.ontap's na_ontap_cifs deletes on the SVM's path, naming the
	// share in the query; patterns are not taken as a bulk delete.
	a.do("POST", shares, map[string]any{"svm": map[string]any{"name": "svm0"}, "name": "s3", "path": "/v1"}).must(t, http.StatusCreated)
	a.do("DELETE", shares+"/"+svm, nil).wantError(t, http.StatusBadRequest, "2", "name")
	a.do("DELETE", shares+"/"+svm+"?name=s*", nil).wantError(t, http.StatusBadRequest, "2", "name")
	a.do("DELETE", shares+"/"+svm+"?name=nosuch", nil).wantError(t, http.StatusNotFound, "4", "name")
	a.do("DELETE", shares+"/"+svm+"?name=s3&color=red", nil).wantError(t, http.StatusBadRequest, "262179", "color")
	a.do("DELETE", shares+"/"+svm+"?name=s3", nil).must(t, http.StatusOK)
	a.do("GET", shares+"/"+svm+"/s3", nil).wantError(t, http.StatusNotFound, "4", "name")
	// Leaving the domain carries the credentials (the Terraform provider's DELETE).
	a.do("DELETE", cifs+"/"+svm+"?force=true&return_timeout=10", map[string]any{"ad_domain": map[string]any{"user": "admin", "password": "secret"}}).must(t, http.StatusOK)
	a.do("GET", cifs+"/"+svm, nil).wantError(t, http.StatusNotFound, "4", "svm.uuid")

	const policies = "/api/storage/snapshot-policies"
	r = a.do("GET", policies+"?fields=name,scope&order_by=name", nil).must(t, http.StatusOK)
	if r.get("num_records") != 3.0 || r.str("records.0.name") != "default" || r.str("records.2.name") != "none" || r.str("records.0.scope") != "cluster" {
		t.Fatalf("built-in snapshot policies: %s", r.raw)
	}
	sp := a.do("POST", policies+"?return_records=true", map[string]any{"name": "sp1", "svm": map[string]any{"name": "svm0"},
		"copies": []any{map[string]any{"count": 4, "schedule": map[string]any{"name": "hourly"}}}}).must(t, http.StatusCreated).str("records.0.uuid")
	a.do("POST", policies, map[string]any{"name": "sp2"}).wantError(t, http.StatusBadRequest, "1638408", "copies.schedule.name")
	a.do("POST", policies, map[string]any{"name": "sp1", "svm": map[string]any{"name": "svm0"},
		"copies": []any{map[string]any{"count": 1, "schedule": map[string]any{"name": "daily"}}}}).wantError(t, http.StatusConflict, "1638527", "name")
	a.do("POST", policies, map[string]any{"name": "sp2", "copies": []any{map[string]any{"count": 1, "schedule": map[string]any{"name": "nosuch"}}}}).
		wantError(t, http.StatusNotFound, "1638413", "copies.schedule.name")
	if r := a.do("GET", policies+"/"+sp+"?fields=copies", nil).must(t, http.StatusOK); r.str("copies.0.schedule.uuid") == "" || r.str("copies.0.prefix") != "hourly" {
		t.Fatalf("a policy's schedule resolves to its uuid: %s", r.raw)
	}
	a.do("POST", "/api/storage/volumes", volumeBody("v_bad_sp", map[string]any{"snapshot_policy": map[string]any{"name": "nosuch"}})).
		wantError(t, http.StatusNotFound, "917551", "snapshot_policy.name")
	vol := a.createVolume("v_sp1", map[string]any{"snapshot_policy": map[string]any{"name": "sp1"}})
	a.do("DELETE", policies+"/"+sp, nil).wantError(t, http.StatusConflict, "1638415", "uuid")
	hourly := a.do("GET", "/api/cluster/schedules?name=hourly", nil).must(t, http.StatusOK).str("records.0.uuid")
	a.do("DELETE", "/api/cluster/schedules/"+hourly, nil).wantError(t, http.StatusConflict, "459758", "uuid")
	a.do("DELETE", "/api/storage/volumes/"+vol+"?return_timeout=10", nil).must(t, http.StatusOK)
	a.do("DELETE", policies+"/"+sp, nil).must(t, http.StatusOK)

	const schedules = "/api/cluster/schedules"
	r = a.do("GET", schedules+"?name=hourly&fields=cron,type", nil).must(t, http.StatusOK)
	if r.get("num_records") != 1.0 || r.str("records.0.type") != "cron" || r.get("records.0.cron.minutes.0") != 5.0 {
		t.Fatalf("hourly: %s", r.raw)
	}
	a.do("POST", schedules, map[string]any{"name": "hourly", "interval": "PT1H"}).wantError(t, http.StatusConflict, "1", "name")
	a.do("POST", schedules, map[string]any{"name": "s1"}).wantError(t, http.StatusBadRequest, "2", "cron")
	a.do("POST", schedules, map[string]any{"name": "s1", "cron": map[string]any{"hours": []any{24}}}).wantError(t, http.StatusBadRequest, "2", "cron.hours")
	if got := a.do("POST", schedules+"?return_records=true", map[string]any{"name": "s1", "interval": "PT30M"}).must(t, http.StatusCreated).str("records.0.type"); got != "interval" {
		t.Fatalf("interval schedule type %q", got)
	}
}

// TestObjectStoreConcurrent races creates of one name, and qtree creates
// against the deletion of their volume: one create wins, and no qtree
// outlives its volume.
func TestObjectStoreConcurrent(t *testing.T) {
	a := newAPI(t)
	var wg sync.WaitGroup
	var created atomic.Int32
	for range 16 {
		wg.Go(func() {
			r := a.do("POST", policiesPath, map[string]any{"name": "race"})
			if r.status == http.StatusCreated {
				created.Add(1)
			} else if r.status != http.StatusConflict {
				t.Errorf("status %d: %s", r.status, r.raw)
			}
		})
	}
	wg.Wait()
	if created.Load() != 1 {
		t.Fatalf("%d creates of one name succeeded", created.Load())
	}
	for round := range 5 {
		vol := a.createVolume("race_"+itoa(int64(round)), nil)
		for i := range 8 {
			wg.Go(func() {
				a.do("POST", "/api/storage/qtrees?return_timeout=10", map[string]any{"name": "q" + itoa(int64(i)), "volume": map[string]any{"uuid": vol}})
			})
		}
		wg.Go(func() { a.do("DELETE", "/api/storage/volumes/"+vol+"?return_timeout=10", nil) })
		wg.Wait()
		if r := a.do("GET", "/api/storage/qtrees?volume.uuid="+vol, nil).must(t, http.StatusOK); r.get("num_records") != 0.0 {
			t.Fatalf("qtrees outlived their volume: %s", r.raw)
		}
	}
}

// TestRenamesFollow pins that references follow renames both ways: a
// volume keeps its export policy when the policy is renamed, and a
// qtree's volume name and path follow a volume rename.
func TestRenamesFollow(t *testing.T) {
	a := newAPI(t)
	id := a.createExportPolicy(t, "before")
	vol := a.createVolume("rvol", map[string]any{"nas": map[string]any{"export_policy": map[string]any{"name": "before"}}})
	a.do("POST", "/api/storage/qtrees?return_timeout=10", map[string]any{"name": "rq", "volume": map[string]any{"uuid": vol}}).must(t, http.StatusCreated)

	a.do("PATCH", policiesPath+"/"+itoa(id), map[string]any{"name": "after"}).must(t, http.StatusOK)
	if got := a.do("GET", "/api/storage/volumes/"+vol+"?fields=nas.export_policy.name", nil).must(t, http.StatusOK).str("nas.export_policy.name"); got != "after" {
		t.Fatalf("volume's export policy after the rename: %q", got)
	}
	a.do("DELETE", policiesPath+"/"+itoa(id), nil).wantError(t, http.StatusConflict, "1703945", "id")

	a.do("PATCH", "/api/storage/volumes/"+vol+"?return_timeout=10", map[string]any{"name": "rvol2"}).must(t, http.StatusOK)
	r := a.do("GET", "/api/storage/qtrees?volume.name=rvol2&fields=path", nil).must(t, http.StatusOK)
	if r.get("num_records") != 2.0 || r.str("records.1.path") != "/vol/rvol2/rq" {
		t.Fatalf("qtrees after the volume's rename: %s", r.raw)
	}
	if got := a.do("GET", "/api/storage/qtrees/"+vol+"/1", nil).must(t, http.StatusOK).str("volume.name"); got != "rvol2" {
		t.Fatalf("qtree's volume name %q", got)
	}
}

// TestResetClearsObjects: a Control reset also returns the object store
// to its start: created objects gone, the built-in ones back.
func TestResetClearsObjects(t *testing.T) {
	a := newAPI(t, withOptions(func(o *serverOptions) {
		o.Control.Reset = func(context.Context) error { return nil }
	}))
	id := a.createExportPolicy(t, "gone_after_reset")
	a.do("POST", "/api/cluster/schedules", map[string]any{"name": "s1", "interval": "PT1H"}).must(t, http.StatusCreated)
	a.do("POST", "/nessie/v1/reset", nil).must(t, http.StatusOK)
	a.do("GET", policiesPath+"/"+itoa(id), nil).wantError(t, http.StatusNotFound, "4", "id")
	if r := a.do("GET", policiesPath, nil).must(t, http.StatusOK); r.get("num_records") != 1.0 || r.str("records.0.name") != "default" {
		t.Fatalf("export policies after reset: %s", r.raw)
	}
	if r := a.do("GET", "/api/cluster/schedules?name=s1", nil).must(t, http.StatusOK); r.get("num_records") != 0.0 {
		t.Fatalf("schedules after reset: %s", r.raw)
	}
	if got := a.createExportPolicy(t, "again"); got != id {
		t.Fatalf("ids start again after reset: %d, want %d", got, id)
	}
}

// TestQoSAndEfficiencyPolicies pins the two policy kinds: QoS policies as
// jobs, names per SVM, limits checked; efficiency policies with their
// defaults and threshold range.
func TestQoSAndEfficiencyPolicies(t *testing.T) {
	a := newAPI(t)
	const qos = "/api/storage/qos/policies"
	r := a.do("POST", qos+"?return_timeout=10&return_records=true", map[string]any{"name": "gold", "svm": map[string]any{"name": "svm0"},
		"fixed": map[string]any{"max_throughput_iops": 5000, "min_throughput_iops": 100}}).must(t, http.StatusCreated)
	if r.str("records.0.policy_class") != "user_defined" || r.get("records.0.fixed.max_throughput_iops") != 5000.0 {
		t.Fatalf("QoS policy: %s", r.raw)
	}
	a.do("POST", qos+"?return_timeout=10", map[string]any{"name": "gold"}).wantError(t, http.StatusConflict, "8454154", "name")
	a.do("POST", qos+"?return_timeout=10", map[string]any{"name": "bad", "fixed": map[string]any{"max_throughput_iops": 10, "min_throughput_iops": 100}}).
		wantError(t, http.StatusBadRequest, "8454194", "fixed.min_throughput_iops")
	a.do("POST", qos, map[string]any{"name": "both", "fixed": map[string]any{"max_throughput_iops": 10}, "adaptive": map[string]any{"peak_iops": 10}}).
		wantError(t, http.StatusBadRequest, "8454389", "adaptive")
	gold := r.str("records.0.uuid")

	// A volume names an existing QoS policy (by name or uuid), which then
	// stays while the volume uses it.
	a.do("POST", "/api/storage/volumes", volumeBody("v_qos_bad", map[string]any{"qos": map[string]any{"policy": map[string]any{"name": "silver"}}})).
		wantError(t, http.StatusNotFound, "8454243", "qos.policy.name")
	a.do("POST", "/api/storage/volumes", volumeBody("v_qos_bad", map[string]any{"qos": map[string]any{"policy": map[string]any{"uuid": "7d0e3b4c-1111-4222-8333-944455556666"}}})).
		wantError(t, http.StatusNotFound, "8454243", "qos.policy.uuid")
	vol := a.createVolume("v_qos", map[string]any{"qos": map[string]any{"policy": map[string]any{"name": "gold"}}})
	a.do("PATCH", "/api/storage/volumes/"+vol, map[string]any{"qos.policy.name": "silver"}).wantError(t, http.StatusNotFound, "8454243", "qos.policy.name")
	a.do("DELETE", qos+"/"+gold+"?return_timeout=10", nil).wantError(t, http.StatusConflict, "8", "uuid")
	a.do("PATCH", "/api/storage/volumes/"+vol+"?return_timeout=10", map[string]any{"qos.policy.name": "none"}).must(t, http.StatusOK)
	a.do("DELETE", qos+"/"+gold+"?return_timeout=10", nil).must(t, http.StatusOK)

	const eff = "/api/storage/volume-efficiency-policies"
	r = a.do("POST", eff+"?return_records=true", map[string]any{"name": "e1", "svm": map[string]any{"name": "svm0"}, "schedule": map[string]any{"name": "daily"}}).
		must(t, http.StatusCreated)
	if r.str("records.0.type") != "scheduled" || r.get("records.0.enabled") != true || r.str("records.0.qos_policy") != "best_effort" {
		t.Fatalf("efficiency policy defaults: %s", r.raw)
	}
	a.do("POST", eff, map[string]any{"name": "e2", "type": "threshold", "start_threshold_percent": 150}).wantError(t, http.StatusBadRequest, "2", "start_threshold_percent")
	a.do("POST", eff, map[string]any{"name": "e2", "type": "threshold", "start_threshold_percent": 0}).wantError(t, http.StatusBadRequest, "6881362", "start_threshold_percent")
	a.do("POST", eff, map[string]any{"name": "e2", "type": "threshold", "schedule": map[string]any{"name": "daily"}}).wantError(t, http.StatusBadRequest, "6881433", "schedule.name")
	// A schedule an efficiency policy names stays.
	daily := a.do("GET", "/api/cluster/schedules?name=daily", nil).must(t, http.StatusOK).str("records.0.uuid")
	a.do("DELETE", "/api/cluster/schedules/"+daily, nil).wantError(t, http.StatusConflict, "459758", "uuid")
	uuid := r.str("records.0.uuid")
	a.do("PATCH", eff+"/"+uuid, map[string]any{"enabled": false}).must(t, http.StatusOK)
	if got := a.do("GET", eff+"/"+uuid, nil).must(t, http.StatusOK).get("enabled"); got != false {
		t.Fatalf("patched enabled %v", got)
	}
	// A policy a volume uses stays (6881346).
	vol = a.createVolume("v_eff", map[string]any{"efficiency": map[string]any{"policy": map[string]any{"name": "e1"}}})
	a.do("DELETE", eff+"/"+uuid, nil).wantError(t, http.StatusConflict, "6881346", "uuid")
	a.do("DELETE", "/api/storage/volumes/"+vol+"?return_timeout=10", nil).must(t, http.StatusOK)
	a.do("DELETE", eff+"/"+uuid, nil).must(t, http.StatusOK)
}
