package ontap_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/ontap"
)

// fleet builds volume records named v0..v(n-1) with sizes 1..n GiB,
// creation times one minute apart and every third one a clone of v0.
func fleet(n int) []ontap.Volume {
	recs := make([]ontap.Volume, n)
	for i := range n {
		v := volume()
		v.ID = backend.VolumeID{byte(i >> 8), byte(i), 1}
		v.Name = fmt.Sprintf("v%d", i)
		v.Size = backend.Bytes(uint64(i+1) << 30)
		v.CreateTime = t0.Add(time.Duration(i) * time.Minute)
		v.Comment = ""
		if i%3 == 2 {
			v.Clone = &backend.CloneOrigin{ParentVolume: "v0", ParentSnapshot: "s", ParentVolumeID: volID, ParentSnapshotID: snapID}
		}
		if i == 4 {
			v.State = backend.StateOffline
			v.JunctionPath = ""
		}
		recs[i] = volumeRecord(v)
	}
	return recs
}

func names(c ontap.Collection[ontap.Volume]) []string {
	var out []string
	for _, r := range c.Records {
		out = append(out, *r.Name)
	}
	return out
}

func TestFilters(t *testing.T) {
	recs := fleet(10)
	cases := []struct {
		query string
		want  string // names, sorted, comma-separated
	}{
		{"name=v3", "v3"},
		{"name=v*", "v0,v1,v2,v3,v4,v5,v6,v7,v8,v9"},
		{"name=*", "v0,v1,v2,v3,v4,v5,v6,v7,v8,v9"},
		{"name=v1|v3|nope", "v1,v3"},
		{"name=!v1", "v0,v2,v3,v4,v5,v6,v7,v8,v9"},
		{"name=!v1|v2", "v0,v2,v3,v4,v5,v6,v7,v8,v9"},
		{"size=>5GB", "v5,v6,v7,v8,v9"},
		{"size=>=5GB", "v4,v5,v6,v7,v8,v9"},
		{"size=<2147483648", "v0"},
		{"size=<=2GB", "v0,v1"},
		{"size=2GB..4GB", "v1,v2,v3"},
		{"size=3221225472", "v2"},
		{"size=<99999999999999999999999", "v0,v1,v2,v3,v4,v5,v6,v7,v8,v9"},
		{"size=>-99999999999999999999PB", "v0,v1,v2,v3,v4,v5,v6,v7,v8,v9"},
		{"size=99999999999999999999999", ""},
		{"state=offline", "v4"},
		{"state=online&size=<3GB", "v0,v1"},
		{"clone.is_flexclone=true", "v2,v5,v8"},
		{"clone.parent_volume.name=v0&clone.parent_snapshot.name=s", "v2,v5,v8"},
		{"clone.parent_volume.name=null", "v0,v1,v3,v4,v6,v7,v9"},
		{"clone.parent_volume.name=!null", "v2,v5,v8"},
		{"nas.path=null", "v4"},
		{"nas.path=/d*", "v0,v1,v2,v3,v5,v6,v7,v8,v9"},
		{"svm.name=svm0&svm.uuid=" + id.SVMUUID, "v0,v1,v2,v3,v4,v5,v6,v7,v8,v9"},
		{"svm.name=other", ""},
		{"aggregates.name=aggr1|aggr2", "v0,v1,v2,v3,v4,v5,v6,v7,v8,v9"},
		{"aggregates.name=aggr2", ""},
		{"create_time=>=2026-03-14T15:17:26Z", "v8,v9"},
		{"create_time=2026-03-14T15:10:00Z..2026-03-14T15:12:00%2B00:00", "v1,v2"},
		{"comment=null", "v0,v1,v2,v3,v4,v5,v6,v7,v8,v9"},
		{"snapshot_directory_access_enabled=true&encryption.enabled=false", "v0,v1,v2,v3,v4,v5,v6,v7,v8,v9"},
		{"tiering.policy=*", "v0,v1,v2,v3,v4,v5,v6,v7,v8,v9"},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			got := names(page(t, recs, ontap.VolumesPath, c.query+"&order_by=name"))
			slices.Sort(got)
			if strings.Join(got, ",") != c.want {
				t.Errorf("%s: got %v, want %s", c.query, got, c.want)
			}
		})
	}
}

func TestQueryErrors(t *testing.T) {
	s := ontap.SchemaOf[ontap.Volume]()
	cases := []struct {
		query  string
		kind   ontap.QueryKind
		code   string
		target string
	}{
		{"fields=nope", ontap.QueryCollection, "262197", "fields"},
		{"fields=name,nas.nope", ontap.QueryRecord, "262197", "fields"},
		{"fields=name.x", ontap.QueryRecord, "262197", "fields"},
		{"fields=tiering.nope", ontap.QueryRecord, "262197", "fields"},
		{"fields=snaplock.nope.deeper.still", ontap.QueryRecord, "262197", "fields"},
		{"bogus=1", ontap.QueryCollection, "262179", "bogus"},
		{"bogus=1", ontap.QueryMutation, "262179", "bogus"},
		{"name=x", ontap.QueryRecord, "262179", "name"},
		{"size=big", ontap.QueryCollection, "2", "size"},
		{"encryption.enabled=maybe", ontap.QueryCollection, "2", "encryption.enabled"},
		{"create_time=yesterday", ontap.QueryCollection, "2", "create_time"},
		{"svm=x", ontap.QueryCollection, "2", "svm"},
		{"max_records=-1", ontap.QueryCollection, "2", "max_records"},
		{"max_records=-1", ontap.QueryRecord, "2", "max_records"},
		{"max_records=lots", ontap.QueryRecord, "2", "max_records"},
		{"return_timeout=121", ontap.QueryMutation, "2", "return_timeout"},
		{"return_timeout=x", ontap.QueryMutation, "2", "return_timeout"},
		{"return_records=perhaps", ontap.QueryMutation, "2", "return_records"},
		{"order_by=nope", ontap.QueryCollection, "262197", "order_by"},
		{"order_by=name sideways", ontap.QueryCollection, "2", "order_by"},
		{"order_by=svm", ontap.QueryCollection, "2", "order_by"},
		{"return_timeout=5", ontap.QueryMutationByQuery, "2", ""}, // no filter
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			_, err := s.ParseQuery(must(url.ParseQuery(c.query)), c.kind)
			e, ok := err.(*ontap.Error)
			if !ok || e.Code != c.code || e.Target != c.target || e.Status != 400 {
				t.Fatalf("got %#v, want code %s target %q", err, c.code, c.target)
			}
		})
	}
	// ignore_unknown_fields suppresses unknown names (Trident and Harvest
	// rely on it), not bad values.
	for _, q := range []string{"max_records=99999999999999999999999", "fields=name,san_optimized&ignore_unknown_fields=true", "bogus=1&ignore_unknown_fields=true", "order_by=nope&ignore_unknown_fields=true"} {
		if _, err := s.ParseQuery(must(url.ParseQuery(q)), ontap.QueryCollection); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
}

func TestFieldSelection(t *testing.T) {
	full := volumeRecord(volume())
	has := func(v ontap.Volume, field string) bool {
		switch field {
		case "size":
			return v.Size != nil
		case "nas.path":
			return v.NAS != nil && v.NAS.Path != nil
		case "nas.export_policy":
			return v.NAS != nil && v.NAS.ExportPolicy != nil
		case "nas.unix_permissions":
			nas, _ := v.Extra["nas"].(ontap.Extra)
			return nas["unix_permissions"] != nil
		case "svm.name":
			return v.SVM != nil && v.SVM.Name != nil
		case "svm.uuid":
			return v.SVM != nil && v.SVM.UUID != nil
		case "guarantee":
			return v.Extra["guarantee"] != nil
		case "uuid":
			return v.UUID != nil
		case "name":
			return v.Name != nil
		case "_links":
			return v.Links != nil
		case "comment":
			return v.Comment != nil
		}
		panic(field)
	}
	all := []string{"uuid", "name", "_links", "size", "comment", "svm.name", "svm.uuid", "nas.export_policy", "nas.path", "nas.unix_permissions", "guarantee"}
	cases := []struct{ fields, want string }{
		{"", "uuid,name,_links,size,comment,svm.name,svm.uuid,nas.export_policy"},
		{"fields=*", "uuid,name,_links,size,comment,svm.name,svm.uuid,nas.export_policy"},
		{"fields=**", strings.Join(all, ",")},
		{"fields=size", "uuid,name,_links,size"},
		{"fields=", "uuid,name,_links,size,comment,svm.name,svm.uuid,nas.export_policy"}, // Trident's empty fields
		{"fields=size,", "uuid,name,_links,size"},                                        // Ansible's trailing comma
		{"fields=svm.name", "uuid,name,_links,svm.name"},
		{"fields=nas", "uuid,name,_links,nas.export_policy,nas.path,nas.unix_permissions"},
		{"fields=nas.path", "uuid,name,_links,nas.path"},
		{"fields=*,nas.path", "uuid,name,_links,size,comment,svm.name,svm.uuid,nas.export_policy,nas.path"},
		{"fields=guarantee,size", "uuid,name,_links,size,guarantee"},
		// Every ONTAP field is accepted (Ansible's na_ontap_volume lookup
		// asks for these); those the volume has a value for are returned.
		{"fields=size,tiering.object_tags,space.logical_space.enforcement,snaplock,files.maximum,efficiency.compression", "uuid,name,_links,size"},
		{"fields=nas.unix_permissions", "uuid,name,_links,nas.unix_permissions"},
		{"fields=analytics.scan_progress,size", "uuid,name,_links,size"},
	}
	for _, c := range cases {
		t.Run(c.fields, func(t *testing.T) {
			got := projected(t, full, c.fields)
			want := strings.Split(c.want, ",")
			for _, f := range all {
				if has(got, f) != slices.Contains(want, f) {
					t.Errorf("%s: field %s present=%v", c.fields, f, has(got, f))
				}
			}
		})
	}
	// Projection must not touch the shared objects it copied from.
	v := volumeRecord(volume())
	svm := v.SVM
	projected(t, v, "fields=svm.name")
	if svm.UUID == nil {
		t.Error("projection cleared a field of a shared sub-object")
	}
}

func TestOrderAndPagination(t *testing.T) {
	recs := fleet(25)
	// Default order is by key (uuid); pages chained by next cover every
	// record exactly once.
	for _, order := range []string{"", "&order_by=size desc", "&order_by=state,name"} {
		t.Run(order, func(t *testing.T) {
			query := "max_records=7&fields=size" + order
			var seen []string
			for range 10 {
				c := page(t, recs, ontap.VolumesPath, query)
				seen = append(seen, names(c)...)
				if c.NumRecords != len(c.Records) {
					t.Fatalf("num_records %d but %d records", c.NumRecords, len(c.Records))
				}
				if c.Links.Next == nil {
					break
				}
				u := must(url.Parse(c.Links.Next.Href))
				if u.Path != ontap.VolumesPath || u.Query().Get("start.uuid") == "" || u.Query().Get("max_records") != "7" {
					t.Fatalf("next link %s", c.Links.Next.Href)
				}
				query = u.RawQuery
			}
			if len(seen) != 25 {
				t.Fatalf("pages yielded %d records: %v", len(seen), seen)
			}
			if order == "&order_by=size desc" && (seen[0] != "v24" || seen[24] != "v0") {
				t.Errorf("size desc: %v", seen)
			}
			if order == "&order_by=state,name" && (seen[0] != "v4" || seen[1] != "v0" || seen[2] != "v1" || seen[3] != "v10") {
				t.Errorf("state,name: offline v4 first, then by name: %v", seen)
			}
			slices.Sort(seen)
			if len(slices.Compact(seen)) != 25 {
				t.Errorf("duplicates across pages")
			}
		})
	}
	// A start record that has gone: resume at the next key.
	c := page(t, recs, ontap.VolumesPath, "max_records=3&start.uuid=00000000-0000-0000-0000-000000000000")
	if c.NumRecords != 3 || *c.Records[0].Name != "v0" {
		t.Errorf("resume after a vanished key: %v", names(c))
	}
	// return_records=false counts only (the SDK's count_collection).
	c = page(t, recs, ontap.VolumesPath, "return_records=false&state=online")
	if c.Records != nil || c.NumRecords != 24 {
		t.Errorf("count: %d records, num_records %d", len(c.Records), c.NumRecords)
	}
}

func TestGlob(t *testing.T) {
	for _, c := range []struct {
		p, s string
		want bool
	}{
		{"*", "", true}, {"*", "abc", true}, {"a*", "abc", true}, {"*c", "abc", true}, {"a*c", "abc", true},
		{"a*b*c", "aXbYc", true}, {"a*b*c", "aXcYb", false}, {"abc", "abc", true}, {"abc", "abd", false},
		{"a**", "a", true}, {"", "", true}, {"", "a", false}, {"*x*", "aaaxaaa", true}, {"*x*", "aaaa", false},
	} {
		if got := ontap.Glob(c.p, c.s); got != c.want {
			t.Errorf("Glob(%q, %q) = %v", c.p, c.s, got)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "240MB": 240 << 20, "1gb": 1 << 30, "2G": 2 << 30, "5TB": 5 << 40, "1PB": 1 << 50, "100B": 100, "7KB": 7 << 10, " 3 MB ": 3 << 20} {
		if got, err := ontap.ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MB", "1XB", "1.5GB", "99999999999PB", "-", "1e3"} {
		if _, err := ontap.ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) succeeded", in)
		}
	}
}

// Ansible's na_ontap_rest_info sends max_records with every subset, also to
// single-record endpoints such as /api/cluster; ONTAP accepts it there.
func TestMaxRecordsIsAcceptedOnARecord(t *testing.T) {
	s := ontap.SchemaOf[ontap.Volume]()
	for _, q := range []string{"max_records=1024&fields=name", "max_records=99999999999999999999"} {
		if _, err := s.ParseQuery(must(url.ParseQuery(q)), ontap.QueryRecord); err != nil {
			t.Errorf("%s on a record: %v", q, err)
		}
	}
}

// TestFiltersInnerStar: a star anywhere in a filter value, not only at the
// end, matches through the query engine (name=*3 is a suffix match).
func TestFiltersInnerStar(t *testing.T) {
	recs := fleet(14)
	for _, c := range []struct{ query, want string }{
		{"name=*3", "v13,v3"},
		{"name=v*3", "v13,v3"},
		{"name=*1*", "v1,v10,v11,v12,v13"},
		{"name=v1*2", "v12"},
		{"name=*v", ""},
		{"name=**3", "v13,v3"},
		{"name=*3|*7", "v13,v3,v7"},
		{"name=!*3", "v0,v1,v10,v11,v12,v2,v4,v5,v6,v7,v8,v9"},
		{"nas.path=/*b", "v0,v1,v10,v11,v12,v13,v2,v3,v5,v6,v7,v8,v9"},
		{"nas.path=*d", ""},
		{"clone.parent_volume.name=*0", "v11,v2,v5,v8"},
	} {
		got := names(page(t, recs, ontap.VolumesPath, c.query+"&order_by=name"))
		slices.Sort(got)
		if strings.Join(got, ",") != c.want {
			t.Errorf("%s: got %v, want %s", c.query, got, c.want)
		}
	}
}

// Fields the wire struct does not model filter, order and select like
// the others.
func TestExtraFieldsInQueries(t *testing.T) {
	recs := []ontap.Volume{volumeRecord(volume()), volumeRecord(clone())}
	recs[0].Extra = ontap.Extra{"guarantee": ontap.Extra{"type": "none"}, "files": ontap.Extra{"maximum": int64(9)}}
	recs[1].Extra = ontap.Extra{"guarantee": ontap.Extra{"type": "volume"}, "files": ontap.Extra{"maximum": int64(3)}}
	c := page(t, recs, ontap.VolumesPath, "guarantee.type=none")
	if c.NumRecords != 1 || *c.Records[0].Name != "db" || c.Records[0].Extra["guarantee"] == nil {
		t.Fatalf("filter: %+v", c)
	}
	c = page(t, recs, ontap.VolumesPath, "files.maximum=>5")
	if c.NumRecords != 1 || *c.Records[0].Name != "db" {
		t.Fatalf("integer filter: %+v", c)
	}
	c = page(t, recs, ontap.VolumesPath, "order_by=files.maximum&fields=files")
	if c.NumRecords != 2 || *c.Records[0].Name != "db_clone" || c.Records[1].Extra["files"] == nil {
		t.Fatalf("order_by: %+v", c)
	}
	c = page(t, recs, ontap.VolumesPath, "order_by=files.maximum desc")
	if *c.Records[0].Name != "db" || c.Records[0].Extra != nil {
		t.Fatalf("order_by desc (and keys only): %+v", c)
	}
	if _, err := ontap.SchemaOf[ontap.Volume]().ParseQuery(must(url.ParseQuery("order_by=files")), ontap.QueryCollection); err == nil {
		t.Fatal("order_by an object accepted")
	}
}
