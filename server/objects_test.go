package server_test

import (
	"net/http"
	"strconv"
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
	a.do("DELETE", p1+"/2", nil).must(t, http.StatusOK)
	a.do("GET", p1+"/2", nil).wantError(t, http.StatusNotFound, "4", "index")
	if got := a.do("POST", p1+"?return_records=true", rule("10.0.0.9")).must(t, http.StatusCreated).get("records.0.index"); got != 4.0 {
		t.Fatalf("index after a delete: %v, want 4 (indexes are not reused)", got)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
