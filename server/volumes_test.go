package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestVolumeCreateBodies: the create bodies Trident, Ansible and
// Terraform send (ontap-rest.md §1.1) all work, and every field they set
// reads back.
func TestVolumeCreateBodies(t *testing.T) {
	a := newAPI(t)
	svmUUID := a.srv.API.Identity().SVMUUID
	bodies := map[string]map[string]any{
		"trident": {
			"name": "trident_pvc_1", "svm": map[string]any{"uuid": svmUUID}, "aggregates": []any{map[string]any{"name": "aggr1"}},
			"size": 2 << 30, "guarantee": map[string]any{"type": "none"}, "snapshot_policy": map[string]any{"name": "none"},
			"comment": `{"provisioning":{"k":"v"}}`, "state": "online", "style": "flexvol",
			"space":      map[string]any{"snapshot": map[string]any{"reserve_percent": 0}},
			"encryption": map[string]any{"enabled": false}, "tiering": map[string]any{"policy": "none"},
			"nas": map[string]any{"security_style": "unix", "unix_permissions": 777, "export_policy": map[string]any{"name": "trident_pol"}, "path": "/trident_pvc_1"},
			"qos": map[string]any{"policy": map[string]any{"name": "gold"}},
		},
		"ansible": {
			"name": "ans_vol", "svm.name": "svm0", "aggregates": []any{map[string]any{"name": "aggr1"}}, "size": "2GB",
			"guarantee.type": "none", "snapshot_policy.name": "none", "comment": "c", "nas.path": "/ans_vol",
			"nas.export_policy.name": "trident_pol", "nas.security_style": "unix", "nas.unix_permissions": "777",
			"space.snapshot.reserve_percent": "0", "encryption.enabled": "false", "tiering.policy": "none", "qos.policy.name": "gold",
		},
		"terraform": {
			"name": "tf_vol", "svm": map[string]any{"name": "svm0"}, "aggregates": []any{map[string]any{"name": "aggr1"}},
			"size": 2 << 30, "state": "online", "type": "RW", "comment": "c", "snapshot_policy": map[string]any{"name": "none"},
			"guarantee": map[string]any{"type": "none"}, "encryption": map[string]any{"enabled": false},
			"nas":   map[string]any{"export_policy": map[string]any{"name": "trident_pol"}, "path": "/tf_vol", "security_style": "unix", "unix_permissions": 777},
			"space": map[string]any{"snapshot": map[string]any{"reserve_percent": 0}}, "tiering": map[string]any{"policy": "none"},
			"qos": map[string]any{"policy": map[string]any{"name": "gold"}},
		},
	}
	a.createExportPolicy(t, "trident_pol")
	a.do("POST", "/api/storage/qos/policies?return_timeout=10", map[string]any{"name": "gold", "svm": map[string]any{"name": "svm0"}}).must(t, http.StatusCreated)
	for client, body := range bodies {
		t.Run(client, func(t *testing.T) {
			r := a.do("POST", "/api/storage/volumes", body).must(t, http.StatusAccepted)
			if r.get("records") != nil {
				t.Fatalf("records without return_records: %s", r.raw)
			}
			loc := r.header.Get("Location")
			if !strings.HasPrefix(loc, "/api/storage/volumes/") {
				t.Fatalf("Location %q", loc)
			}
			j := a.waitJob(r)
			if j.str("state") != "success" || j.get("code") != 0.0 || j.str("message") != "success" {
				t.Fatalf("job: %s", j.raw)
			}
			v := a.do("GET", loc+"?fields=**", nil).must(t, http.StatusOK)
			name := body["name"].(string)
			want := map[string]string{
				"name": name, "size": "2147483648", "space.size": "2147483648", "state": "online", "type": "rw", "style": "flexvol",
				"nas.path": "/" + name, "nas.export_policy.name": "trident_pol", "nas.security_style": "unix", "nas.unix_permissions": "777",
				"guarantee.type": "none", "snapshot_policy.name": "none", "space.snapshot.reserve_percent": "0", "encryption.enabled": "false",
				"tiering.policy": "none", "qos.policy.name": "gold", "svm.name": "svm0", "aggregates.0.name": "aggr1", "clone.is_flexclone": "false",
			}
			for f, w := range want {
				if got := v.str(f); got != w {
					t.Errorf("%s = %q, want %q", f, got, w)
				}
			}
			if v.str("create_time") == "" || v.str("comment") == "" {
				t.Errorf("create_time/comment missing: %s", v.raw)
			}
		})
	}
}

func TestVolumeCreateDefaults(t *testing.T) {
	a := newAPI(t)
	r := a.do("POST", "/api/storage/volumes", map[string]any{"name": "d", "svm": map[string]any{"name": "svm0"}, "style": "flexvol"}).must(t, http.StatusAccepted)
	a.waitJob(r)
	v := a.do("GET", r.header.Get("Location")+"?fields=size,state,type,nas.path,snapshot_policy", nil).must(t, http.StatusOK)
	if v.get("size") != float64(20<<20) || v.str("state") != "online" || v.str("type") != "rw" || v.get("nas.path") != nil || v.str("snapshot_policy.name") != "default" {
		t.Fatalf("%s", v.raw)
	}
	// Created offline: online state is applied after creation, unmounted.
	r = a.do("POST", "/api/storage/volumes?return_timeout=10", map[string]any{"name": "off", "svm.name": "svm0", "aggregates.name": "aggr1", "state": "offline"}).must(t, http.StatusCreated)
	if r.str("job.uuid") == "" {
		t.Fatalf("%s", r.raw)
	}
	v = a.do("GET", r.header.Get("Location")+"?fields=state", nil).must(t, http.StatusOK)
	if v.str("state") != "offline" {
		t.Fatalf("%s", v.raw)
	}
}

func TestVolumeCreateValidation(t *testing.T) {
	a := newAPI(t)
	base := func(extra map[string]any) map[string]any {
		b := map[string]any{"name": "v", "svm": map[string]any{"name": "svm0"}, "aggregates": []any{map[string]any{"name": "aggr1"}}}
		for k, v := range extra {
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
		}
		return b
	}
	cases := []struct {
		name   string
		body   any
		status int
		code   string
		target string
	}{
		{"no name", base(map[string]any{"name": nil}), 400, "2", "name"},
		{"first char", base(map[string]any{"name": "1v"}), 400, "917887", "name"},
		{"hyphen", base(map[string]any{"name": "build-cache"}), 400, "917888", "name"},
		{"too long", base(map[string]any{"name": strings.Repeat("a", 204)}), 400, "917886", "name"},
		{"no svm", base(map[string]any{"svm": nil}), 400, "2621707", ""},
		{"unknown svm name", base(map[string]any{"svm": map[string]any{"name": "vs9"}}), 404, "2621462", "svm.name"},
		{"unknown svm uuid", base(map[string]any{"svm": map[string]any{"uuid": "00000000-0000-4000-8000-000000000000"}}), 404, "2621462", "svm.uuid"},
		{"no aggregates", base(map[string]any{"aggregates": nil}), 400, "787140", ""},
		{"unknown aggregate", base(map[string]any{"aggregates": []any{map[string]any{"name": "aggr9"}}}), 404, "917508", ""},
		{"flexgroup", base(map[string]any{"style": "flexgroup"}), 400, "3", "style"},
		{"dp", base(map[string]any{"type": "DP"}), 400, "3", "type"},
		{"bad type", base(map[string]any{"type": "xx"}), 400, "2", "type"},
		{"too small", base(map[string]any{"size": "1MB"}), 400, "917534", "size"},
		{"bad size", base(map[string]any{"size": true}), 400, "2", "size"},
		{"bad state", base(map[string]any{"state": "mixed"}), 400, "918652", "state"},
		{"bad path", base(map[string]any{"nas": map[string]any{"path": "relative"}}), 400, "918252", "nas.path"},
		{"unknown field", base(map[string]any{"bogus": 1}), 400, "262197", ""},
		{"read-only field", base(map[string]any{"uuid": "x"}), 400, "262196", "uuid"},
		{"split on create", base(map[string]any{"clone.split_initiated": true}), 400, "262196", "clone.split_initiated"},
		{"bad guarantee", base(map[string]any{"guarantee.type": "file"}), 400, "2", "guarantee.type"},
		{"malformed", `{"name":`, 400, "2", "body"},
		{"not an object", `[]`, 400, "2", "body"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a.do("POST", "/api/storage/volumes", c.body).wantError(t, c.status, c.code, c.target)
		})
	}
	r := a.do("GET", "/api/storage/volumes", nil).must(t, http.StatusOK)
	if r.get("num_records") != 0.0 {
		t.Fatalf("a refused create left a volume: %s", r.raw)
	}
	// ignore_unknown_fields=true accepts the unknown field.
	a.do("POST", "/api/storage/volumes?ignore_unknown_fields=true", base(map[string]any{"bogus": 1})).must(t, http.StatusAccepted)
}

func TestRelaxedNames(t *testing.T) {
	a := newAPI(t, withOptions(func(o *serverOptions) { o.RelaxedNames = true }))
	id := a.createVolume("build-cache", nil)
	a.do("GET", "/api/storage/volumes/"+id, nil).must(t, http.StatusOK)
	a.do("POST", "/api/storage/volumes", map[string]any{"name": "a/b", "svm.name": "svm0", "style": "flexvol"}).wantError(t, 400, "917888", "name")
}

// TestVolumeDuplicateName: a duplicate name is found when the job runs
// (sync-vs-job rule), so it is a job failure with 917526; with
// return_timeout it comes back as a 409 envelope.
func TestVolumeDuplicateName(t *testing.T) {
	a := newAPI(t)
	a.createVolume("dup", nil)
	body := map[string]any{"name": "dup", "svm.name": "svm0", "aggregates.name": "aggr1"}
	r := a.do("POST", "/api/storage/volumes", body).must(t, http.StatusAccepted)
	if r.header.Get("Location") != "/api/storage/volumes/?name=dup" {
		t.Errorf("Location of a failed create: %q", r.header.Get("Location"))
	}
	j := a.waitJob(r)
	if j.str("state") != "failure" || j.get("code") != 917526.0 || j.str("error.code") != "917526" || j.str("error.message") == "" || j.str("message") == "" {
		t.Fatalf("%s", j.raw)
	}
	a.do("POST", "/api/storage/volumes?return_timeout=5", body).wantError(t, http.StatusConflict, "917526", "")
}

func TestVolumeList(t *testing.T) {
	a := newAPI(t)
	svm := a.srv.API.Identity().SVMUUID
	for _, n := range []string{"pvc_a", "pvc_b", "other"} {
		a.createVolume(n, map[string]any{"nas.path": "/" + n})
	}
	a.do("PATCH", "/api/storage/volumes/"+lookup(t, a, "other")+"?return_timeout=5", map[string]any{"state": "offline"}).must(t, http.StatusOK)
	count := func(query string) int {
		t.Helper()
		r := a.do("GET", "/api/storage/volumes?"+query, nil).must(t, http.StatusOK)
		n := int(r.get("num_records").(float64))
		if recs, _ := r.get("records").([]any); len(recs) != n {
			t.Fatalf("%s: num_records %d, %d records", query, n, len(recs))
		}
		return n
	}
	cases := map[string]int{
		"name=pvc_a&svm.uuid=" + svm + "&style=flexvol&state=online&fields=uuid,name,size": 1,
		"name=pvc_*&svm.uuid=" + svm: 2,
		"name=*":                     3,
		"state=online":               2,
		"name=pvc_a&svm.name=svm0&fields=name,comment,": 1,
		"aggregates.name=aggr1|aggr2&tiering.policy=*&snapshot_policy.name=default|default-dr&space.snapshot.reserve_percent=5&snapshot_directory_access_enabled=true&encryption.enabled=false": 3,
		"guarantee.type=volume": 3,
		"name=nope":             0,
		"svm.name=other":        0,
	}
	for q, want := range cases {
		if got := count(q); got != want {
			t.Errorf("%s: %d records, want %d", q, got, want)
		}
	}
	// The trailing-slash form (Terraform, SDK Location) is the same
	// collection, with _links.self.href in each record.
	r := a.do("GET", "/api/storage/volumes/?name=pvc_b&svm.uuid="+svm+"&fields=name,uuid", nil).must(t, http.StatusOK)
	if r.get("num_records") != 1.0 || !strings.HasPrefix(r.str("records.0._links.self.href"), "/api/storage/volumes/") {
		t.Fatalf("%s", r.raw)
	}
	// Default fields: uuid, name, _links only.
	r = a.do("GET", "/api/storage/volumes?name=pvc_a", nil).must(t, http.StatusOK)
	if rec := r.get("records.0").(map[string]any); len(rec) != 3 {
		t.Fatalf("default fields: %s", r.raw)
	}
	// Single GET default: common fields, not the expensive nas.path.
	r = a.do("GET", "/api/storage/volumes/"+lookup(t, a, "pvc_a"), nil).must(t, http.StatusOK)
	if r.get("size") == nil || r.get("svm.name") == nil || r.get("nas.path") != nil {
		t.Fatalf("single GET default: %s", r.raw)
	}
	r = a.do("GET", "/api/storage/volumes/"+lookup(t, a, "pvc_a")+"?fields=*,nas.path", nil).must(t, http.StatusOK)
	if r.str("nas.path") != "/pvc_a" || r.get("size") == nil {
		t.Fatalf("fields=*,nas.path: %s", r.raw)
	}
	// Pagination: follow _links.next as the SDK does.
	seen := map[string]bool{}
	next := "/api/storage/volumes?max_records=1&fields=name"
	for range 5 {
		r := a.do("GET", next, nil).must(t, http.StatusOK)
		seen[r.str("records.0.name")] = true
		next = r.str("_links.next.href")
		if next == "" {
			break
		}
	}
	if len(seen) != 3 {
		t.Fatalf("pages saw %v", seen)
	}
	// return_records=false counts.
	r = a.do("GET", "/api/storage/volumes?return_records=false", nil).must(t, http.StatusOK)
	if r.get("num_records") != 3.0 || r.get("records") != nil {
		t.Fatalf("%s", r.raw)
	}
	a.do("GET", "/api/storage/volumes?fields=certificate.cacertificate.name", nil).wantError(t, 400, "262197", "fields")
	a.do("GET", "/api/storage/volumes?bogus=1", nil).wantError(t, 400, "262179", "bogus")
	a.do("GET", "/api/storage/volumes?size=huge", nil).wantError(t, 400, "2", "size")
}

// lookup finds a volume's uuid by name, as Ansible and Terraform do.
func lookup(t *testing.T, a *api, name string) string {
	t.Helper()
	r := a.do("GET", "/api/storage/volumes?name="+url.QueryEscape(name)+"&svm.name=svm0&fields=uuid", nil).must(t, http.StatusOK)
	if r.get("num_records") != 1.0 {
		t.Fatalf("lookup %s: %s", name, r.raw)
	}
	return r.str("records.0.uuid")
}

// TestVolumePatch covers resize, rename, state, mount/unmount, export
// policy, comment and the server-kept settings, in the nested (Trident)
// and dotted (Ansible) forms.
func TestVolumePatch(t *testing.T) {
	a := newAPI(t)
	id := a.createVolume("p", nil)
	path := "/api/storage/volumes/" + id
	a.createExportPolicy(t, "pol1")
	a.createExportPolicy(t, "pol2")
	// Each step patches a volume of its own, made as the step needs it
	// (create fields, then prep patched in), so any one runs alone.
	steps := []struct {
		name  string
		setup map[string]any
		prep  map[string]any
		query string
		body  any
		check map[string]string
	}{
		{"resize", nil, nil, "", map[string]any{"size": 5 << 30}, map[string]string{"size": "5368709120", "space.size": "5368709120"}},
		{"resize ansible", nil, nil, "?sizing_method=use_existing_resources", map[string]any{"size": "6GB"}, map[string]string{"size": "6442450944"}},
		{"rename", nil, nil, "", map[string]any{"name": "p2"}, map[string]string{"name": "p2"}},
		{"mount nested", nil, nil, "", map[string]any{"nas": map[string]any{"path": "/p2"}}, map[string]string{"nas.path": "/p2"}},
		{"export policy nested", map[string]any{"nas": map[string]any{"path": "/pe"}}, nil, "", map[string]any{"nas": map[string]any{"export_policy": map[string]any{"name": "pol1"}}}, map[string]string{"nas.export_policy.name": "pol1", "nas.path": "/pe"}},
		{"export policy dotted", nil, nil, "", map[string]any{"nas.export_policy.name": "pol2"}, map[string]string{"nas.export_policy.name": "pol2"}},
		{"comment", nil, nil, "", map[string]any{"comment": "hello"}, map[string]string{"comment": "hello"}},
		{"offline unmounts", map[string]any{"nas": map[string]any{"path": "/po"}}, nil, "", map[string]any{"state": "offline"}, map[string]string{"state": "offline", "nas.path": ""}},
		{"online", nil, map[string]any{"state": "offline"}, "", map[string]any{"state": "online"}, map[string]string{"state": "online"}},
		{"mount dotted", nil, nil, "", map[string]any{"nas.path": "/q"}, map[string]string{"nas.path": "/q"}},
		{"unmount", map[string]any{"nas": map[string]any{"path": "/pu"}}, nil, "", map[string]any{"nas": map[string]any{"path": ""}}, map[string]string{"nas.path": ""}},
		{"settings", map[string]any{"comment": "hello"}, nil, "", map[string]any{"snapshot_policy.name": "none", "nas.unix_permissions": 750, "snapshot_directory_access_enabled": false, "guarantee": map[string]any{"type": "none"}},
			map[string]string{"snapshot_policy.name": "none", "nas.unix_permissions": "750", "snapshot_directory_access_enabled": "false", "guarantee.type": "none", "comment": "hello"}},
		{"empty body", map[string]any{"comment": "kept"}, nil, "", nil, map[string]string{"name": "step_empty_body", "comment": "kept"}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			path := "/api/storage/volumes/" + a.createVolume("step_"+strings.ReplaceAll(s.name, " ", "_"), s.setup)
			if s.prep != nil {
				a.do("PATCH", path+"?return_timeout=5", s.prep).must(t, http.StatusOK)
			}
			r := a.do("PATCH", path+s.query, s.body).must(t, http.StatusAccepted)
			if r.get("records") != nil || r.header.Get("Location") != "" {
				t.Fatalf("PATCH answer: %s", r.raw)
			}
			if j := a.waitJob(r); j.str("state") != "success" || !strings.HasPrefix(j.str("description"), "PATCH /api/storage/volumes/") {
				t.Fatalf("job: %s", j.raw)
			}
			v := a.do("GET", path+"?fields=**", nil).must(t, http.StatusOK)
			for f, w := range s.check {
				if got := v.str(f); got != w {
					t.Errorf("%s = %q, want %q", f, got, w)
				}
			}
		})
	}
	cases := []struct {
		name   string
		body   any
		code   string
		target string
	}{
		{"bad name", map[string]any{"name": "a-b"}, "917888", "name"},
		{"bad state", map[string]any{"state": "error"}, "918652", "state"},
		{"too small", map[string]any{"size": 1024}, "917534", "size"},
		{"bad path", map[string]any{"nas.path": "x"}, "918252", "nas.path"},
		{"svm", map[string]any{"svm.name": "svm0"}, "262196", "svm.name"},
		{"type (create only)", map[string]any{"type": "rw"}, "262196", "type"},
		{"read-only space.used", map[string]any{"space": map[string]any{"used": 1}}, "262196", "space.used"},
		{"read-only extra", map[string]any{"efficiency": map[string]any{"has_savings": true}}, "262196", "efficiency.has_savings"},
		{"bad enum", map[string]any{"guarantee": map[string]any{"type": "thin"}}, "2", "guarantee.type"},
		{"bad type", map[string]any{"quota": map[string]any{"enabled": "maybe"}}, "2", "quota.enabled"},
		{"unknown nested", map[string]any{"space": map[string]any{"nope": 1}}, "262197", ""},
		{"unknown", map[string]any{"nope": 1}, "262197", ""},
		{"split with more", map[string]any{"clone.split_initiated": true, "comment": "x"}, "918248", "comment"},
		{"restore with more", map[string]any{"restore_to.snapshot.name": "s", "comment": "x"}, "918251", "comment"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a.do("PATCH", path, c.body).wantError(t, 400, c.code, c.target)
		})
	}
	// A rename onto a taken name fails in the job (917526).
	a.createVolume("taken", nil)
	j := a.waitJob(a.do("PATCH", path, map[string]any{"name": "taken"}).must(t, http.StatusAccepted))
	if j.str("state") != "failure" || j.str("error.code") != "917526" {
		t.Fatalf("%s", j.raw)
	}
	// Mounting an offline volume fails in the job (917775).
	a.do("PATCH", path+"?return_timeout=5", map[string]any{"state": "offline"}).must(t, http.StatusOK)
	a.do("PATCH", path+"?return_timeout=5", map[string]any{"nas.path": "/x"}).wantError(t, http.StatusConflict, "917775", "")
	// 404 comes before body validation.
	a.do("PATCH", "/api/storage/volumes/00000000-0000-4000-8000-000000000000", `{"bogus`).wantError(t, 404, "4", "uuid")
	// return_records returns the changed record.
	r := a.do("PATCH", path+"?return_timeout=5&return_records=true", map[string]any{"state": "online"}).must(t, http.StatusOK)
	if r.str("records.0.state") != "online" || r.str("records.0.uuid") != id {
		t.Fatalf("%s", r.raw)
	}
}

func TestVolumeDelete(t *testing.T) {
	a := newAPI(t)
	id := a.createVolume("d1", map[string]any{"nas.path": "/d1"})
	// Ansible: unmount, then delete without a body.
	a.waitJob(a.do("PATCH", "/api/storage/volumes/"+id, map[string]any{"nas.path": ""}).must(t, http.StatusAccepted))
	r := a.do("DELETE", "/api/storage/volumes/"+id, nil).must(t, http.StatusAccepted)
	if j := a.waitJob(r); j.str("state") != "success" || j.str("description") != "DELETE /api/storage/volumes/"+id {
		t.Fatalf("%s", j.raw)
	}
	a.do("GET", "/api/storage/volumes/"+id, nil).wantError(t, 404, "4", "uuid")
	a.do("DELETE", "/api/storage/volumes/"+id, nil).wantError(t, 404, "4", "uuid")
	// Trident: force=true; the SDK sends {}.
	id = a.createVolume("d2", nil)
	a.do("DELETE", "/api/storage/volumes/"+id+"?force=true&return_timeout=10", "{}").must(t, http.StatusOK)
	id = a.createVolume("d3", nil)
	a.do("DELETE", "/api/storage/volumes/"+id, map[string]any{"name": "x"}).wantError(t, 400, "262197", "")
	a.do("DELETE", "/api/storage/volumes/"+id+"?bogus=1", nil).wantError(t, 400, "262179", "bogus")
}

// TestVolumesByQuery: PATCH and DELETE on the collection select records
// with a query and answer with a jobs array.
func TestVolumesByQuery(t *testing.T) {
	a := newAPI(t)
	for _, n := range []string{"q1", "q2", "keep"} {
		a.createVolume(n, nil)
	}
	r := a.do("PATCH", "/api/storage/volumes?name=q*", map[string]any{"comment": "bulk"}).must(t, http.StatusOK)
	if r.get("num_records") != 2.0 || r.str("jobs.0._links.self.href") == "" || r.get("job") != nil {
		t.Fatalf("%s", r.raw)
	}
	for _, j := range r.get("jobs").([]any) {
		jr := a.do("GET", walk(j, "_links.self.href").(string), nil).must(t, http.StatusOK)
		if jr.str("state") != "success" {
			t.Fatalf("%s", jr.raw)
		}
	}
	r = a.do("GET", "/api/storage/volumes?comment=bulk", nil).must(t, http.StatusOK)
	if r.get("num_records") != 2.0 {
		t.Fatalf("%s", r.raw)
	}
	r = a.do("PATCH", "/api/storage/volumes?name=q*&return_timeout=0", map[string]any{"comment": "again"}).must(t, http.StatusAccepted)
	if r.get("num_records") != 2.0 {
		t.Fatalf("%s", r.raw)
	}
	a.do("PATCH", "/api/storage/volumes", map[string]any{"comment": "all"}).wantError(t, 400, "2", "")
	a.do("DELETE", "/api/storage/volumes?name=q*", nil).must(t, http.StatusOK)
	r = a.do("GET", "/api/storage/volumes", nil).must(t, http.StatusOK)
	if r.get("num_records") != 1.0 || r.str("records.0.name") != "keep" {
		t.Fatalf("%s", r.raw)
	}
	r = a.do("DELETE", "/api/storage/volumes?name=nothing", nil).must(t, http.StatusOK)
	if r.get("num_records") != 0.0 {
		t.Fatalf("%s", r.raw)
	}
}
