package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/nessie-go/nessie/internal/jsonpath"
	"github.com/nessie-go/nessie/ontap/schema"
	"github.com/nessie-go/nessie/server"
)

// The schema walk: for every served object, every field ONTAP's schema
// lets a client set round-trips, every read-only one is refused, and
// fields=** returns only fields the schema lets a client read.

// modelled are the fields nessie gives behaviour, tested by their own
// tests rather than by a generic value: they are validated against the
// cluster (svm, aggregates), drive operations (clone, split, restore),
// or are derived (space.afs_total is computed from the size); a QoS
// policy's uuid must name an existing policy (TestVolumeQoSPolicy).
var modelled = []string{"name", "svm", "aggregates", "size", "space.size", "space.afs_total", "state", "style", "type",
	"clone", "nas.path", "nas.export_policy.id", "validate_only", "comment", "volume", "qos.policy.uuid"}

func isModelled(path string) bool {
	for _, m := range modelled {
		if path == m || strings.HasPrefix(path, m+".") {
			return true
		}
	}
	return false
}

// sample is a value of f's type (its first enum value for an enum).
func sample(f *schema.Field) any {
	switch f.Type {
	case schema.String:
		if len(f.Enum) > 0 {
			return f.Enum[0]
		}
		return "nessie_test"
	case schema.Integer:
		return 42
	case schema.Number:
		return 1.5
	case schema.Boolean:
		return true
	case schema.DateTime:
		return "2030-01-02T03:04:05+00:00"
	case schema.ArrayOfStrings:
		return []any{"a"}
	case schema.ArrayOfIntegers:
		return []any{7}
	case schema.ArrayOfBooleans:
		return []any{true}
	case schema.ArrayOfNumbers:
		return []any{2.5}
	case schema.ArrayOfDateTimes:
		return []any{"2030-01-02T03:04:05+00:00"}
	}
	return nil
}

// bodyFor nests value at path, wrapping the elements of arrays of objects
// in one-element arrays.
func bodyFor(obj *schema.Object, path string, value any) map[string]any {
	segs := strings.Split(path, ".")
	var v any = value
	for i := len(segs) - 1; i >= 0; i-- {
		v = map[string]any{segs[i]: v}
		if i > 0 {
			if p := obj.Field(strings.Join(segs[:i], ".")); p != nil && p.Type == schema.ArrayOfObjects {
				v = []any{v}
			}
		}
	}
	return v.(map[string]any)
}

// leaves are the object's settable leaf fields for op (skipping modelled
// ones and anything inside an array of objects, whose elements are set as
// a whole).
func leaves(obj *schema.Object, op schema.Flag) []*schema.Field {
	var out []*schema.Field
	for i := range obj.Fields {
		f := &obj.Fields[i]
		if f.Type.Container() || !f.Can(op) || isModelled(f.Path) {
			continue
		}
		out = append(out, f)
	}
	return out
}

func valueAt(body map[string]any, path string) any {
	var v any = body
	for seg := range strings.SplitSeq(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[seg]
		case []any:
			if len(x) != 1 {
				return nil
			}
			m, _ := x[0].(map[string]any)
			v = m[seg]
		default:
			return nil
		}
	}
	return v
}

func sameJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func volumeBody(name string, extra map[string]any) map[string]any {
	b := map[string]any{"name": name, "svm": map[string]any{"name": "svm0"}, "aggregates": []any{map[string]any{"name": "aggr1"}}}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

func TestSchemaWalkVolume(t *testing.T) {
	a := newAPI(t)
	// The sample string names policies that must exist.
	a.createExportPolicy(t, "nessie_test")
	a.do("POST", "/api/storage/snapshot-policies", map[string]any{"name": "nessie_test",
		"copies": []any{map[string]any{"count": 1, "schedule": map[string]any{"name": "daily"}}}}).must(t, http.StatusCreated)
	a.do("POST", "/api/storage/qos/policies?return_timeout=10", map[string]any{"name": "nessie_test", "svm": map[string]any{"name": "svm0"}}).must(t, http.StatusCreated)
	obj := schema.Volume
	posted := 0
	for i, f := range leaves(obj, schema.Post) {
		want := sample(f)
		body := volumeBody(fmt.Sprintf("w%d", i), bodyFor(obj, f.Path, want))
		r := a.do("POST", "/api/storage/volumes?return_timeout=10&return_records=true", body)
		if r.status != http.StatusCreated {
			t.Errorf("POST %s: %d %s", f.Path, r.status, r.raw)
			continue
		}
		posted++
		if !f.Can(schema.Get) {
			continue
		}
		g := a.do("GET", "/api/storage/volumes/"+r.str("records.0.uuid")+"?fields="+f.Path, nil).must(t, http.StatusOK)
		if got := valueAt(g.body, f.Path); !sameJSON(got, want) {
			t.Errorf("POST %s=%v, GET returns %v", f.Path, want, got)
		}
	}
	vol := a.createVolume("patched", nil)
	patched := 0
	for _, f := range leaves(obj, schema.Patch) {
		want := sample(f)
		r := a.do("PATCH", "/api/storage/volumes/"+vol+"?return_timeout=10", bodyFor(obj, f.Path, want))
		if r.status != http.StatusOK {
			t.Errorf("PATCH %s: %d %s", f.Path, r.status, r.raw)
			continue
		}
		patched++
		if !f.Can(schema.Get) {
			continue
		}
		g := a.do("GET", "/api/storage/volumes/"+vol+"?fields="+f.Path, nil).must(t, http.StatusOK)
		if got := valueAt(g.body, f.Path); !sameJSON(got, want) {
			t.Errorf("PATCH %s=%v, GET returns %v", f.Path, want, got)
		}
	}
	refused := 0
	for i := range obj.Fields {
		f := &obj.Fields[i]
		if f.Type.Container() || f.Can(schema.Post) || isModelled(f.Path) && f.Path != "space.afs_total" {
			continue
		}
		// A field POST may not set, under objects POST may set.
		r := a.do("POST", "/api/storage/volumes", volumeBody("ro", bodyFor(obj, f.Path, sample(f))))
		r.wantError(t, 400, "262196", "")
		refused++
	}
	if posted < 100 || patched < 100 || refused < 100 {
		t.Errorf("walked too few fields: %d posted, %d patched, %d refused", posted, patched, refused)
	}
	checkStarStar(t, a, obj, "/api/storage/volumes/"+vol, true)
}

func TestSchemaWalkSnapshot(t *testing.T) {
	a := newAPI(t)
	vol := a.createVolume("sv", nil)
	obj := schema.Snapshot
	base := "/api/storage/volumes/" + vol + "/snapshots"
	for i, f := range leaves(obj, schema.Post) {
		want := sample(f)
		body := bodyFor(obj, f.Path, want)
		body["name"] = fmt.Sprintf("s%d", i)
		r := a.do("POST", base+"?return_timeout=10&return_records=true", body)
		if r.status != http.StatusCreated {
			t.Errorf("POST %s: %d %s", f.Path, r.status, r.raw)
			continue
		}
		if !f.Can(schema.Get) {
			continue
		}
		g := a.do("GET", base+"/"+r.str("records.0.uuid")+"?fields="+f.Path, nil).must(t, http.StatusOK)
		if got := valueAt(g.body, f.Path); !sameJSON(got, want) {
			t.Errorf("POST %s=%v, GET returns %v", f.Path, want, got)
		}
	}
	snap := a.createSnapshot(vol, "patched")
	for _, f := range leaves(obj, schema.Patch) {
		want := sample(f)
		r := a.do("PATCH", base+"/"+snap+"?return_timeout=10", bodyFor(obj, f.Path, want))
		if r.status != http.StatusOK {
			t.Errorf("PATCH %s: %d %s", f.Path, r.status, r.raw)
			continue
		}
		if !f.Can(schema.Get) {
			continue
		}
		g := a.do("GET", base+"/"+snap+"?fields="+f.Path, nil).must(t, http.StatusOK)
		if got := valueAt(g.body, f.Path); !sameJSON(got, want) {
			t.Errorf("PATCH %s=%v, GET returns %v", f.Path, want, got)
		}
	}
	for i := range obj.Fields {
		f := &obj.Fields[i]
		if f.Type.Container() || f.Can(schema.Post) {
			continue
		}
		body := bodyFor(obj, f.Path, sample(f))
		body["name"] = "ro"
		a.do("POST", base, body).wantError(t, 400, "262196", "")
	}
	checkStarStar(t, a, obj, base+"/"+snap, true)
}

// The read-only objects: fields=** returns only readable fields, and
// every field the object has.
func TestSchemaWalkDiscovery(t *testing.T) {
	a := newAPI(t)
	for _, c := range []struct {
		obj  *schema.Object
		path string
	}{
		{schema.Aggregate, "/api/storage/aggregates"},
		{schema.SVM, "/api/svm/svms"},
		{schema.Node, "/api/cluster/nodes"},
		{schema.IPInterface, "/api/network/ip/interfaces"},
		{schema.LicensePackage, "/api/cluster/licensing/licenses"},
		{schema.ExportPolicy, "/api/protocols/nfs/export-policies"},
	} {
		r := a.do("GET", c.path+"?fields=**", nil).must(t, http.StatusOK)
		recs, _ := r.get("records").([]any)
		if len(recs) == 0 {
			t.Errorf("%s: no records", c.path)
			continue
		}
		checkReadable(t, c.obj, c.path, recs[0].(map[string]any))
	}
	for _, c := range []struct {
		obj  *schema.Object
		path string
	}{{schema.Cluster, "/api/cluster"}, {schema.Software, "/api/cluster/software"}} {
		checkReadable(t, c.obj, c.path, a.do("GET", c.path+"?fields=**", nil).must(t, http.StatusOK).body)
	}
}

// checkStarStar: fields=** returns only readable fields and at least
// every field the default GET and fields=* return.
func checkStarStar(t *testing.T, a *api, obj *schema.Object, href string, _ bool) {
	t.Helper()
	all := a.do("GET", href+"?fields=**", nil).must(t, http.StatusOK)
	checkReadable(t, obj, href, all.body)
	have := map[string]bool{}
	flatten("", all.body, have)
	for _, q := range []string{"", "?fields=*"} {
		part := map[string]bool{}
		flatten("", a.do("GET", href+q, nil).must(t, http.StatusOK).body, part)
		for p := range part {
			if !have[p] {
				t.Errorf("%s%s returns %s, fields=** does not", href, q, p)
			}
		}
	}
}

func flatten(prefix string, v any, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			flatten(prefix+k+".", e, out)
		}
	case []any:
		for _, e := range x {
			if _, ok := e.(map[string]any); ok {
				flatten(prefix, e, out)
			} else {
				out[strings.TrimSuffix(prefix, ".")] = true
			}
		}
	default:
		out[strings.TrimSuffix(prefix, ".")] = true
	}
}

func checkReadable(t *testing.T, obj *schema.Object, where string, rec map[string]any) {
	t.Helper()
	paths := map[string]bool{}
	flatten("", rec, paths)
	var bad []string
	for p := range paths {
		if f := obj.Field(p); f == nil || !f.Can(schema.Get) {
			bad = append(bad, p)
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		t.Errorf("%s: fields=** returns fields ONTAP's %s does not let a client read: %v", where, obj.Name, bad)
	}
	if len(paths) < 3 {
		t.Errorf("%s: fields=** returned almost nothing: %v", where, rec)
	}
}

// walkBodies are create bodies for every object kind (by schema name),
// made in this order after a volume "wv" mounted at /wv: the walk below
// fails for a kind that has none, so a new kind is walked from the start.
var walkBodies = []struct {
	kind string
	body map[string]any
}{
	{"export_policy", map[string]any{"name": "walk_ep", "svm": map[string]any{"name": "svm0"}}},
	{"export_rule", map[string]any{"clients": []any{map[string]any{"match": "10.0.0.0/8"}}, "ro_rule": []any{"sys"}, "rw_rule": []any{"sys"}}},
	{"qtree", map[string]any{"name": "wq", "volume": map[string]any{"name": "wv"}}},
	{"quota_rule", map[string]any{"type": "tree", "qtree": map[string]any{"name": "wq"}, "volume": map[string]any{"name": "wv"}, "svm": map[string]any{"name": "svm0"}}},
	{"nfs_service", map[string]any{"svm": map[string]any{"name": "svm0"}}},
	{"fcp_service", map[string]any{"svm": map[string]any{"name": "svm0"}}},
	{"nvme_service", map[string]any{"svm": map[string]any{"name": "svm0"}}},
	{"cifs_service", map[string]any{"name": "WALK", "svm": map[string]any{"name": "svm0"}}},
	{"cifs_share", map[string]any{"name": "walk_sh", "path": "/wv", "svm": map[string]any{"name": "svm0"}}},
	{"schedule", map[string]any{"name": "walk_sched", "cron": map[string]any{"minutes": []any{5}}}},
	{"snapshot_policy", map[string]any{"name": "walk_sp", "svm": map[string]any{"name": "svm0"},
		"copies": []any{map[string]any{"count": 1, "schedule": map[string]any{"name": "walk_sched"}}}}},
	{"qos_policy", map[string]any{"name": "walk_qos", "svm": map[string]any{"name": "svm0"}, "fixed": map[string]any{"max_throughput_iops": 100}}},
	{"volume_efficiency_policy", map[string]any{"name": "walk_eff", "svm": map[string]any{"name": "svm0"}}},
	{"lun", map[string]any{"name": "/vol/wv/l1", "os_type": "linux", "space": map[string]any{"size": 1 << 20}, "svm": map[string]any{"name": "svm0"}}},
	{"igroup", map[string]any{"name": "walk_g", "os_type": "linux", "protocol": "iscsi", "svm": map[string]any{"name": "svm0"},
		"initiators": []any{map[string]any{"name": "iqn.2026-12.dev.nessie:walk"}}}},
	{"lun_map", map[string]any{"lun": map[string]any{"name": "/vol/wv/l1"}, "igroup": map[string]any{"name": "walk_g"}, "svm": map[string]any{"name": "svm0"}}},
	{"iscsi_service", nil},     // the cluster SVM's, built in
	{"iscsi_credentials", nil}, // its default credential, built in
}

// TestSchemaWalkObjects walks every object kind (server.Kinds) and a
// snapshot policy's schedules: a record of each is made, fields=** on
// its collection returns only fields ONTAP's schema lets a client read
// (and some), and a POST of each field the schema does not let a create
// set is refused with 262196 naming it.
func TestSchemaWalkObjects(t *testing.T) {
	a := newAPI(t)
	a.createVolume("wv", map[string]any{"nas": map[string]any{"path": "/wv"}})
	bodies := map[string]map[string]any{}
	for _, b := range walkBodies {
		bodies[b.kind] = b.body
	}
	var ep string
	for _, k := range server.Kinds() {
		body, ok := bodies[k.Object.Name]
		if !ok {
			t.Errorf("kind %s (%s) has no walk body", k.Object.Name, k.Path)
			continue
		}
		path := strings.Replace(k.Path, "{policy.id}", ep, 1)
		if body != nil {
			r := a.do("POST", path+"?return_timeout=10&return_records=true", body)
			if r.status != http.StatusCreated {
				t.Errorf("POST %s: %d %s", path, r.status, r.raw)
				continue
			}
			if k.Object.Name == "export_policy" {
				id, _ := jsonpath.Int(r.body, "records.0.id")
				ep = strconv.FormatInt(id, 10)
			}
		}
		r := a.do("GET", path+"?fields=**", nil).must(t, http.StatusOK)
		recs, _ := r.get("records").([]any)
		if len(recs) == 0 {
			t.Errorf("%s: no records", path)
			continue
		}
		for _, rec := range recs {
			checkReadable(t, k.Object, path, rec.(map[string]any))
		}
		refused := 0
		for i := range k.Object.Fields {
			f := &k.Object.Fields[i]
			if f.Type.Container() || f.Can(schema.Post) || strings.HasPrefix(f.Path, "_links") {
				continue
			}
			under := strings.Split(f.Path, ".")[0]
			if p := k.Object.Field(under); under != f.Path && p != nil && !p.Can(schema.Post) {
				continue // inside an object POST may not set at all: refused for that object
			}
			a.do("POST", path, bodyFor(k.Object, f.Path, sample(f))).wantError(t, http.StatusBadRequest, "262196", "")
			refused++
		}
		t.Logf("%s: %d records read, %d read-only fields refused", path, len(recs), refused)
	}
	// A snapshot policy's schedules.
	sp := a.do("GET", "/api/storage/snapshot-policies?name=walk_sp", nil).must(t, http.StatusOK).str("records.0.uuid")
	scheds := "/api/storage/snapshot-policies/" + sp + "/schedules"
	r := a.do("GET", scheds+"?fields=**", nil).must(t, http.StatusOK)
	recs, _ := r.get("records").([]any)
	if len(recs) != 1 {
		t.Fatalf("%s: %d records, want 1", scheds, len(recs))
	}
	checkReadable(t, schema.SnapshotPolicySchedule, scheds, recs[0].(map[string]any))
	obj := schema.SnapshotPolicySchedule
	for i := range obj.Fields {
		f := &obj.Fields[i]
		if f.Type.Container() || f.Can(schema.Post) || strings.HasPrefix(f.Path, "_links") {
			continue
		}
		a.do("POST", scheds, bodyFor(obj, f.Path, sample(f))).wantError(t, http.StatusBadRequest, "262196", "")
	}
}
