package ontap_test

import (
	"encoding/json"
	"net/url"
	"reflect"
	"testing"

	"github.com/nessie-go/nessie/ontap"
)

// FuzzDecode: any body either decodes or fails with a 400 ONTAP error;
// a decoded record re-encodes to a body that decodes to the same record.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		``, `{}`, `{"name":"v","size":"240MB","svm.name":"s"}`,
		`{"clone":{"is_flexclone":"true","parent_volume":{"name":"p"}},"nas.path":"/x"}`,
		`{"aggregates":[{"name":"a"}],"aggregates.uuid":"u"}`, `{"nas.path":"/a","nas":{"path":"/b"}}`,
		`{"restore_to.snapshot.name":"s"}`, `{"size":1e3}`, `{"a":{"b":{"c":[1,{"d":null}]}}}`, `[`, `{"uuid":1}`,
		`{"space":{"snapshot":{"reserve_percent":"5"}}}`, `{"nas":{"unix_permissions":"0755"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, ignore := range []bool{false, true} {
			v, paths, err := ontap.Decode[ontap.Volume](body, ontap.DecodeOptions{IgnoreUnknownFields: ignore})
			if err != nil {
				e, ok := err.(*ontap.Error)
				if !ok || e.Status != 400 || e.Code == "" || e.Message == "" {
					t.Fatalf("error %#v is not a 400 ONTAP error", err)
				}
				continue
			}
			again, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			v2, paths2, err := ontap.Decode[ontap.Volume](again, ontap.DecodeOptions{})
			if err != nil {
				t.Fatalf("re-encoded body %s fails: %v", again, err)
			}
			if !reflect.DeepEqual(v, v2) || len(paths) != len(paths2) {
				t.Fatalf("round trip changed the record: %s", again)
			}
		}
	})
}

// FuzzQuery: any query string parses or fails with a 400 ONTAP error; a
// parsed one pages the fleet without panicking, and its pages are
// consistent.
func FuzzQuery(f *testing.F) {
	for _, s := range []string{
		"", "fields=*", "fields=**", "fields=name,nas.path,svm", "name=v*|x&size=>1GB", "size=1GB..2GB",
		"order_by=size desc,name", "max_records=2&start.uuid=x", "clone.parent_volume.name=!null",
		"create_time=>2026-01-01T00:00:00Z", "return_records=false", "bogus=1&ignore_unknown_fields=true",
		"fields=nope", "name=!", "name=..", "size=<", "order_by=", "aggregates.name=a|b", "fields=,,*,",
	} {
		f.Add(s)
	}
	recs := fleet(12)
	s := ontap.SchemaOf[ontap.Volume]()
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		for _, k := range []ontap.QueryKind{ontap.QueryCollection, ontap.QueryRecord, ontap.QueryMutation, ontap.QueryMutationByQuery} {
			q, err := s.ParseQuery(v, k, "force")
			if err != nil {
				if e, ok := err.(*ontap.Error); !ok || e.Status != 400 || e.Code == "" {
					t.Fatalf("error %#v is not a 400 ONTAP error", err)
				}
				continue
			}
			c := ontap.Page(q, recs, ontap.VolumesPath)
			if c.NumRecords > len(recs) || q.ReturnRecords && len(c.Records) != c.NumRecords {
				t.Fatalf("page: %d records, num_records %d", len(c.Records), c.NumRecords)
			}
			rec := recs[0]
			ontap.Project(q, &rec)
			if _, err := json.Marshal(c); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// FuzzGlob compares the matcher with a simple recursive definition.
func FuzzGlob(f *testing.F) {
	f.Add("a*b", "axxb")
	f.Add("**a", "ba")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, p, s string) {
		if len(p) > 12 || len(s) > 24 {
			return
		}
		if got, want := ontap.Glob(p, s), globSlow(p, s); got != want {
			t.Fatalf("Glob(%q, %q) = %v, want %v", p, s, got, want)
		}
	})
}

func globSlow(p, s string) bool {
	if p == "" {
		return s == ""
	}
	if p[0] == '*' {
		for i := 0; i <= len(s); i++ {
			if globSlow(p[1:], s[i:]) {
				return true
			}
		}
		return false
	}
	return s != "" && s[0] == p[0] && globSlow(p[1:], s[1:])
}
