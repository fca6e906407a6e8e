package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/nessie-go/nessie/ontap/schema"
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
