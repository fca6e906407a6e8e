package fuzz

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/nessie-go/nessie/ontap"
)

// guard turns a panic in the code under test into a test failure with
// its stack, so that one crashing input does not abort the other seeds.
func guard(t *testing.T, what string) {
	if v := recover(); v != nil {
		t.Fatalf("%s panicked: %v\n%s", what, v, debug.Stack())
	}
}

// checkONTAPError fails unless err is a client error as the server would
// send it: an *ontap.Error with a 4xx status, a positive numeric code and
// a message.
func checkONTAPError(t *testing.T, what string, err error) {
	t.Helper()
	var e *ontap.Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: error %T %v is not an *ontap.Error", what, err, err)
	}
	if e.Status < 400 || e.Status > 499 {
		t.Fatalf("%s: status %d, want 4xx (%v)", what, e.Status, e)
	}
	if n, convErr := strconv.Atoi(e.Code); convErr != nil || n <= 0 {
		t.Fatalf("%s: code %q is not a positive number", what, e.Code)
	}
	if e.Message == "" {
		t.Fatalf("%s: empty message", what)
	}
	if _, err := json.Marshal(ontap.ErrorResponse{Error: e}); err != nil {
		t.Fatalf("%s: envelope does not encode: %v", what, err)
	}
}

var bodySeeds = []string{
	``,
	`{}`,
	`{"name":"vol1","svm":{"name":"svm0"},"aggregates":[{"name":"aggr1"}],"size":1073741824}`,
	`{"name":"v","size":"240MB","comment":"c","state":"online"}`,
	`{"nas.path":"/x","nas.export_policy.name":"default","snapshot_policy.name":"none"}`,
	`{"nas":{"path":"/x"},"nas.security_style":"unix"}`,
	`{"clone":{"is_flexclone":"true","parent_volume":{"name":"p"},"parent_snapshot":{"name":"s"}}}`,
	`{"clone.is_flexclone":true,"clone.parent_volume.name":"p","svm.name":"svm0"}`,
	`{"clone":{"split_initiated":true}}`,
	`{"restore_to.snapshot.name":"s1"}`,
	`{"aggregates.name":"aggr1"}`,
	`{"space.snapshot.reserve_percent":"5","encryption.enabled":"false"}`,
	`{"uuid":"x"}`,
	`{"name":1}`,
	`{"size":"lots"}`,
	`{"size":1e3}`,
	`{"size":"9999999PB"}`,
	`{"size":-1}`,
	`{"nas":{"path":"/a"},"nas.path":"/b"}`,
	`{"a..b":1}`,
	`{".":1}`,
	`{"name":"a"} {"name":"b"}`,
	`[1,2,3]`,
	`"just a string"`,
	`{"name":"\xff\xfe"}`,
	`{"name":"a",`,
	`{"nas":{"nas":{"nas":{"nas":{"nas":{"nas":{}}}}}}}`,
	strings.Repeat(`{"a":`, 40) + `1` + strings.Repeat(`}`, 40),
	strings.Repeat(`[`, 100) + strings.Repeat(`]`, 100),
	`{"name":"s","create_time":"2021-04-10T09:51:13.5+02:00","expiry_time":"2030-01-01T00:00:00Z"}`,
	`{"expiry_time":"yesterday"}`,
	`{"volume":{"uuid":"u","name":"v"},"snapmirror_label":"daily"}`,
}

// fuzzDecode checks Decode for wire type T: a failure is a 4xx ONTAP
// error; a success survives encode/decode unchanged (after the first
// encoding, which normalises dotted keys, string scalars and times).
func fuzzDecode[T any](f *testing.F) {
	for _, s := range bodySeeds {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, ignoreUnknown bool) {
		defer guard(t, "Decode")
		opts := ontap.DecodeOptions{IgnoreUnknownFields: ignoreUnknown}
		rec, paths, err := ontap.Decode[T](body, opts)
		if err != nil {
			checkONTAPError(t, "Decode", err)
			return
		}
		if rec == nil {
			t.Fatal("Decode returned a nil record and no error")
		}
		if !slices.IsSorted(paths) {
			t.Fatalf("paths %q are not sorted", paths)
		}
		first, err := json.Marshal(rec)
		if err != nil {
			t.Fatalf("decoded record does not encode: %v", err)
		}
		rec2, paths2, err := ontap.Decode[T](first, ontap.DecodeOptions{})
		if err != nil {
			t.Fatalf("re-decoding %s: %v", first, err)
		}
		if !slices.Equal(paths, paths2) {
			t.Fatalf("set paths changed in the round trip: %q then %q (body %s)", paths, paths2, first)
		}
		second, err := json.Marshal(rec2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, second) {
			t.Fatalf("round trip changed the record:\n%s\n%s", first, second)
		}
	})
}

func FuzzDecodeVolume(f *testing.F)   { fuzzDecode[ontap.Volume](f) }
func FuzzDecodeSnapshot(f *testing.F) { fuzzDecode[ontap.Snapshot](f) }

// volumeRecords is a small, varied collection for the query engine:
// missing fields, arrays, clones, sizes and times.
func volumeRecords() []ontap.Volume {
	t0 := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	svm := &ontap.Ref{Name: new("svm0"), UUID: new("11111111-1111-4111-8111-111111111111")}
	mk := func(i int, name string) ontap.Volume {
		u := "0000000" + strconv.Itoa(i) + "-0000-4000-8000-00000000000" + strconv.Itoa(i)
		return ontap.Volume{
			UUID:       new(u),
			Name:       new(name),
			Size:       new(int64(i) << 30),
			State:      new("online"),
			Style:      new("flexvol"),
			Type:       new("rw"),
			SVM:        svm,
			CreateTime: ontap.NewTime(t0.Add(time.Duration(i) * time.Hour)),
			Aggregates: []ontap.Ref{{Name: new("aggr1")}},
			Links:      ontap.SelfLink(ontap.VolumePath(u)),
		}
	}
	recs := []ontap.Volume{
		mk(1, "alpha"), mk(2, "beta"), mk(3, "gamma_clone"), mk(4, "delta"),
		mk(5, "alpha2"), mk(6, "x*y"), mk(7, ""), mk(8, "Ünïcode"),
	}
	recs[1].Comment = new("hello|world")
	recs[2].Clone = &ontap.VolumeClone{IsFlexclone: new(true),
		ParentVolume: &ontap.Ref{Name: new("alpha")}, ParentSnapshot: &ontap.Ref{Name: new("s1")}}
	recs[3].State = new("offline")
	recs[3].Size = nil
	recs[4].NAS = &ontap.VolumeNAS{Path: new("/alpha2"), ExportPolicy: &ontap.ExportPolicyRef{Name: new("default")}}
	recs[5].Aggregates = []ontap.Ref{{Name: new("aggr1")}, {Name: new("aggr2")}}
	recs[6].Extra = ontap.Extra{"snapshot_directory_access_enabled": false, "guarantee": ontap.Extra{"type": "none"}}
	recs[7].Aggregates = nil
	recs[7].CreateTime = nil
	return recs
}

var querySeeds = []string{
	``,
	`fields=*`,
	`fields=**`,
	`fields=name,size,clone.parent_volume.name,nas`,
	`fields=`,
	`fields=name,`,
	`fields=nope`,
	`fields=nope&ignore_unknown_fields=true`,
	`name=alpha*`,
	`name=*`,
	`name=!alpha`,
	`name=alpha|beta|nothing`,
	`name=null`,
	`name=!null`,
	`size=>1GB`,
	`size=>=2147483648&size=<5GB`,
	`size=1GB..4GB`,
	`size=..`,
	`size=abc`,
	`size=*`,
	`state=!online`,
	`create_time=2024-03-01T13:00:00Z..2024-03-01T16:00:00Z`,
	`create_time=>yesterday`,
	`aggregates.name=aggr2`,
	`aggregates=aggr1`,
	`clone.is_flexclone=true`,
	`clone.is_flexclone=maybe`,
	`snapshot_directory_access_enabled=false`,
	`guarantee.type=none&fields=guarantee,efficiency.compression`,
	`guarantee.type=!none`,
	`space.logical_space.enforcement=null`,
	`order_by=size desc,name`,
	`order_by=name sideways`,
	`order_by=clone`,
	`max_records=2`,
	`max_records=-1`,
	`max_records=1000000000000`,
	`max_records=99999999999999999999`,
	`max_records=9223372036854775807&start.uuid=00000002-0000-4000-8000-000000000002`,
	`max_records=3&start.uuid=zzzz`,
	`max_records=2&order_by=name&start.uuid=00000005-0000-4000-8000-000000000005`,
	`return_records=false`,
	`return_records=perhaps`,
	`return_timeout=121`,
	`return_timeout=-5`,
	`return_timeout=15`,
	`unknown=1`,
	`name=%ff%fe`,
	`name=a&name=b`,
	`comment=hello|world`,
	`restore_to.snapshot.name=s1`,
	`force=true`,
	`continue_on_failure=true&name=alpha`,
	`serial_records=nah&name=alpha`,
}

var kinds = []ontap.QueryKind{ontap.QueryCollection, ontap.QueryRecord, ontap.QueryMutation, ontap.QueryMutationByQuery}

var volumeExtras = []string{"restore_to.snapshot.name", "restore_to.snapshot.uuid", "force"}

// FuzzQuery parses arbitrary query strings for volumes, for every request
// kind, and runs whatever parses through the engine: Page must return only
// records Match accepts, respect max_records, leave its input untouched,
// and emit a next link the parser accepts.
func FuzzQuery(f *testing.F) {
	for _, s := range querySeeds {
		for k := range kinds {
			f.Add(s, uint8(k))
		}
	}
	schema := ontap.SchemaOf[ontap.Volume]()
	f.Fuzz(func(t *testing.T, raw string, k uint8) {
		vals, err := url.ParseQuery(raw)
		if err != nil {
			return // net/http hands the server only what url.ParseQuery can parse
		}
		defer guard(t, "query engine")
		kind := kinds[int(k)%len(kinds)]
		q, err := schema.ParseQuery(vals, kind, volumeExtras...)
		if err != nil {
			checkONTAPError(t, "ParseQuery", err)
			return
		}
		recs := volumeRecords()
		before, _ := json.Marshal(recs)
		switch kind {
		case ontap.QueryRecord:
			rec := recs[0]
			ontap.Project(q, &rec)
			if _, err := json.Marshal(rec); err != nil {
				t.Fatal(err)
			}
		case ontap.QueryCollection:
			checkPage(t, q, recs, vals)
		case ontap.QueryMutationByQuery:
			for _, i := range ontap.Match(q, recs) {
				if i < 0 || i >= len(recs) {
					t.Fatalf("Match returned index %d of %d records", i, len(recs))
				}
			}
		}
		after, _ := json.Marshal(recs)
		if !bytes.Equal(before, after) {
			t.Fatalf("the query engine modified its input records")
		}
	})
}

func checkPage(t *testing.T, q *ontap.Query, recs []ontap.Volume, vals url.Values) {
	t.Helper()
	matched := map[string]bool{}
	for _, i := range ontap.Match(q, recs) {
		matched[*recs[i].UUID] = true
	}
	c := ontap.Page(q, recs, ontap.VolumesPath)
	if c.NumRecords < 0 || c.NumRecords > len(matched) {
		t.Fatalf("num_records %d with %d matching records", c.NumRecords, len(matched))
	}
	if q.MaxRecords > 0 && c.NumRecords > q.MaxRecords {
		t.Fatalf("num_records %d exceeds max_records %d", c.NumRecords, q.MaxRecords)
	}
	if q.ReturnRecords && len(c.Records) != c.NumRecords {
		t.Fatalf("%d records but num_records %d", len(c.Records), c.NumRecords)
	}
	if !q.ReturnRecords && len(c.Records) != 0 {
		t.Fatalf("return_records=false but %d records returned", len(c.Records))
	}
	if q.Start == "" && q.MaxRecords == 0 && c.NumRecords != len(matched) {
		t.Fatalf("unpaged num_records %d, want %d", c.NumRecords, len(matched))
	}
	for _, r := range c.Records {
		if r.UUID == nil || !matched[*r.UUID] {
			t.Fatalf("page holds %v, which the filters reject", r.UUID)
		}
	}
	if _, err := json.Marshal(c); err != nil {
		t.Fatal(err)
	}
	if c.Links.Next != nil {
		u, err := url.Parse(c.Links.Next.Href)
		if err != nil {
			t.Fatalf("next link %q: %v", c.Links.Next.Href, err)
		}
		if u.Path != ontap.VolumesPath {
			t.Fatalf("next link path %q", u.Path)
		}
		nv := u.Query()
		if _, err := ontap.SchemaOf[ontap.Volume]().ParseQuery(nv, ontap.QueryCollection, volumeExtras...); err != nil {
			t.Fatalf("the server's own next link %q does not parse: %v", c.Links.Next.Href, err)
		}
		for k := range vals {
			if !strings.HasPrefix(k, "start.") && !nv.Has(k) {
				t.Fatalf("next link %q drops parameter %q", c.Links.Next.Href, k)
			}
		}
	}
}

// FuzzPagination follows _links.next from the first page with a small
// max_records: the pages together must hold every matching record exactly
// once.
func FuzzPagination(f *testing.F) {
	for _, s := range []string{``, `name=alpha*`, `order_by=size desc`, `order_by=name`, `state=online&order_by=create_time`,
		`size=!null`, `aggregates.name=aggr1`, `fields=name`, `order_by=comment`} {
		f.Add(s, uint8(1))
		f.Add(s, uint8(3))
	}
	schema := ontap.SchemaOf[ontap.Volume]()
	f.Fuzz(func(t *testing.T, raw string, size uint8) {
		vals, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		defer guard(t, "paging")
		for k := range vals {
			if strings.HasPrefix(k, "start.") || k == "max_records" || k == "return_records" {
				delete(vals, k)
			}
		}
		vals.Set("max_records", strconv.Itoa(int(size%5)+1))
		q, err := schema.ParseQuery(vals, ontap.QueryCollection)
		if err != nil {
			checkONTAPError(t, "ParseQuery", err)
			return
		}
		recs := volumeRecords()
		want := map[string]bool{}
		for _, i := range ontap.Match(q, recs) {
			want[*recs[i].UUID] = true
		}
		seen := map[string]bool{}
		for range len(recs) + 1 {
			c := ontap.Page(q, recs, ontap.VolumesPath)
			for _, r := range c.Records {
				if seen[*r.UUID] {
					t.Fatalf("record %s returned twice while paging %q", *r.UUID, raw)
				}
				seen[*r.UUID] = true
			}
			if c.Links.Next == nil {
				break
			}
			u, err := url.Parse(c.Links.Next.Href)
			if err != nil {
				t.Fatal(err)
			}
			if q, err = schema.ParseQuery(u.Query(), ontap.QueryCollection); err != nil {
				t.Fatalf("next link %q: %v", c.Links.Next.Href, err)
			}
		}
		if !reflect.DeepEqual(seen, want) && !(len(seen) == 0 && len(want) == 0) {
			t.Fatalf("paging %q visited %d records, want the %d matching ones", raw, len(seen), len(want))
		}
	})
}

// globRegexp is an independent model of ontap.Glob.
func globRegexp(pattern string) *regexp.Regexp {
	parts := strings.Split(pattern, "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile(`^(?s:` + strings.Join(parts, ".*") + `)$`)
}

func FuzzGlob(f *testing.F) {
	for _, s := range [][2]string{{"*", ""}, {"a*", "abc"}, {"*c", "abc"}, {"a*b*c", "aXbYc"}, {"a*b", "ab*b"},
		{"**", "x"}, {"*a*a*a*a*b", strings.Repeat("a", 60)}, {"é*", "été"}, {"", ""}, {"?", "a"}, {"[a]", "a"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if !utf8.ValidString(pattern) || !utf8.ValidString(s) || len(pattern) > 256 || len(s) > 256 {
			return // regexp needs UTF-8; byte and rune matching agree on valid UTF-8
		}
		defer guard(t, "Glob")
		if got, want := ontap.Glob(pattern, s), globRegexp(pattern).MatchString(s); got != want {
			t.Fatalf("Glob(%q, %q) = %v, want %v", pattern, s, got, want)
		}
	})
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"0", "1", "240MB", "1gb", " 5 KB ", "-3", "8EB", "9223372036854775807", "9223372036854775807B",
		"8191PB", "8192PB", "1.5GB", "", "MB", "+7", "0x10", "1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		defer guard(t, "ParseSize")
		n, err := ontap.ParseSize(s)
		if err != nil {
			return
		}
		// A plain decimal integer parses to itself.
		if plain, perr := strconv.ParseInt(strings.TrimSpace(s), 10, 64); perr == nil && plain != n {
			t.Fatalf("ParseSize(%q) = %d, want %d", s, n, plain)
		}
		// The result's own decimal form parses back to it.
		if again, err := ontap.ParseSize(strconv.FormatInt(n, 10)); err != nil || again != n {
			t.Fatalf("ParseSize(%d) = %d, %v", n, again, err)
		}
	})
}
