package ontap

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/nessie-go/nessie/backend"
)

// randomFill sets every field of the struct v points into at random
// (pointers nil or not, slices empty or not), so a field added to a wire
// struct is exercised without changing the test.
func randomFill(r *rand.Rand, v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if r.IntN(4) == 0 {
			return
		}
		p := reflect.New(v.Type().Elem())
		randomFill(r, p.Elem())
		v.Set(p)
	case reflect.Struct:
		if v.Type() == timeType {
			sec := r.Int64N(4e9) - 1e9
			zone := time.FixedZone("z", (r.IntN(48)-24)*1800)
			v.Set(reflect.ValueOf(Time{time.Unix(sec, 0).In(zone)}))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && v.Field(i).Type() != extraType {
				randomFill(r, v.Field(i))
			}
		}
	case reflect.Slice:
		n := r.IntN(4)
		if n == 0 {
			if r.IntN(2) == 0 {
				v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			}
			return
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			randomFill(r, s.Index(i))
		}
		v.Set(s)
	case reflect.String:
		v.SetString(randomText(r))
	case reflect.Int64:
		v.SetInt(r.Int64() - r.Int64())
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	default:
		panic("randomFill: unhandled kind " + v.Kind().String())
	}
}

func randomText(r *rand.Rand) string {
	pieces := []string{"", "vol_1", "a\"b", `back\slash`, "tab\tnl\n", "\x01\x1f", "é✓", "\u2028\u2029", "\xff\xfe", "<&>", "/api/storage/volumes/x"}
	var b []byte
	for range r.IntN(4) {
		b = append(b, pieces[r.IntN(len(pieces))]...)
	}
	return string(b)
}

// randomExtra returns an attribute tree: none, the default views, or a
// random one with members that merge into object fields (nas, space,
// svm, ...) or that the struct does not model.
func randomExtra(r *rand.Rand) Extra {
	switch r.IntN(5) {
	case 0:
		return nil
	case 1:
		return volumeDefaults.common
	case 2:
		return volumeDefaults.View
	}
	keys := []string{"nas", "space", "svm", "clone", "quota", "encryption", "_links", "aggregates", "name", "language", "tiering", "snapshot_policy", "zz"}
	tree := Extra{}
	for range r.IntN(5) {
		k := keys[r.IntN(len(keys))]
		switch r.IntN(4) {
		case 0:
			tree[k] = randomText(r)
		case 1:
			tree[k] = r.Int64N(1000)
		case 2:
			tree[k] = Extra{"security_style": "unix", "snapshot": Extra{"reserve_percent": int64(5)}}
		default:
			tree[k] = Extra{}
		}
	}
	return tree
}

// TestAppendVolumeMatches: the volume encoder writes the same bytes as the
// general reflection-driven appendRecord, for single records (no memo)
// and listings (a memo, and the memory of SVM and aggregate references,
// shared by the records).
func TestAppendVolumeMatches(t *testing.T) {
	s := SchemaOf[Volume]()
	r := rand.New(rand.NewPCG(1, 2))
	memo := extraMemo{}
	extras := []Extra{nil, volumeDefaults.common, volumeDefaults.View}
	refs := new(volumeRefs)
	var svms []*Ref
	var aggrs []Ref
	fast := 0
	for i := range 20000 {
		var w Volume
		randomFill(r, reflect.ValueOf(&w).Elem())
		// Listings share trees: draw from a few, sometimes a new one.
		if r.IntN(3) == 0 {
			extras = append(extras, randomExtra(r))
		}
		w.Extra = extras[r.IntN(len(extras))]
		// Listings share SVM and aggregate references: reuse earlier ones.
		if w.SVM != nil {
			svms = append(svms, w.SVM)
			w.SVM = svms[r.IntN(len(svms))]
		}
		for j := range w.Aggregates {
			aggrs = append(aggrs, w.Aggregates[j])
			w.Aggregates[j] = aggrs[r.IntN(len(aggrs))]
		}
		want := appendRecord([]byte("x"), reflect.ValueOf(&w).Elem(), s, w.Extra, nil)
		if !mergesIntoFields(s, w.Extra) {
			fast++
		}
		for _, m := range []extraMemo{nil, memo} {
			for _, rf := range []*volumeRefs{nil, refs} {
				got := appendVolume([]byte("x"), s, &w, m, rf)
				if !bytes.Equal(got, want) {
					t.Fatalf("record %d (memo %v, refs %v):\n got %s\nwant %s", i, m != nil, rf != nil, got, want)
				}
			}
		}
	}
	if fast < 5000 {
		t.Fatalf("only %d of 20000 records took the volume encoder", fast)
	}
}

// TestVolumeAppendJSONUsesVolumeEncoder: a Volume, alone or in a
// collection, encodes through appendVolume with the same bytes.
func TestVolumeAppendJSONUsesVolumeEncoder(t *testing.T) {
	id, name := "0b6f4e2a-1c1d-4f57-9a43-2f3f1e0e9d11", `v"1`
	w := Volume{UUID: &id, Name: &name, Extra: volumeDefaults.common}
	want := appendRecord(nil, reflect.ValueOf(&w).Elem(), SchemaOf[Volume](), w.Extra, nil)
	if got := w.AppendJSON(nil); !bytes.Equal(got, want) {
		t.Fatalf("AppendJSON:\n got %s\nwant %s", got, want)
	}
	c := Collection[Volume]{Records: []Volume{w, w}, NumRecords: 2}
	wantC := `{"records":[` + string(want) + `,` + string(want) + `],"num_records":2,"_links":{}}`
	if got := c.AppendJSON(nil); string(got) != wantC {
		t.Fatalf("collection:\n got %s\nwant %s", got, wantC)
	}
}

// TestAppendStringMatchesBytewise: appendString with its eight-byte skip
// writes what the byte-at-a-time loop it replaced wrote, for every byte
// value at every position of a word, and for random strings; and that is
// what encoding/json writes without HTML escaping, but for \b and \f,
// which it spells \u0008 and \u000c.
func TestAppendStringMatchesBytewise(t *testing.T) {
	check := func(s string) {
		t.Helper()
		want := appendStringBytewise(nil, s)
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("appendString(%q) = %s, want %s", s, got, want)
		}
		if strings.ContainsAny(s, "\b\f") {
			return
		}
		var std bytes.Buffer
		enc := json.NewEncoder(&std)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if string(want)+"\n" != std.String() {
			t.Fatalf("appendString(%q) = %s, encoding/json %s", s, want, std.String())
		}
	}
	for c := range 256 {
		for pos := range 17 {
			b := []byte("abcdefghijklmnopqrstuvwx")
			b[pos] = byte(c)
			check(string(b))
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			if r.IntN(4) == 0 {
				b[i] = byte(r.IntN(256))
			} else {
				b[i] = byte(0x20 + r.IntN(0x60))
			}
		}
		check(string(b))
	}
	check(randomText(r) + "\u2028" + "é✓0123456789")
}

// appendStringBytewise is appendString as it was before the eight-byte
// skip (the reference for the test above).
func appendStringBytewise(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if plainASCII[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// TestProjectSkipsOnlyUnchangedObjects: projecting a record, which skips
// copying an object field that the selection leaves as it is, gives what
// projecting with a copy of every object field gives (projectRef, the
// code before the skip), for random volumes and selections.
func TestProjectSkipsOnlyUnchangedObjects(t *testing.T) {
	s := SchemaOf[Volume]()
	specs := []string{"", "*", "**", "nas", "nas.path", "*,nas.path", "clone", "clone.parent_volume.name", "*,clone.parent_volume",
		"space", "space.logical_space.used", "svm.name", "aggregates.name", "*,aggregates.uuid", "name,nas.export_policy",
		"*,nas.export_policy.id", "uuid", "quota,encryption.state", "restore_to.snapshot", "nas.export_policy.name,space.snapshot"}
	r := rand.New(rand.NewPCG(5, 6))
	skipped := 0
	for i := range 20000 {
		var w Volume
		randomFill(r, reflect.ValueOf(&w).Elem())
		w.Extra = randomExtra(r)
		spec := specs[r.IntN(len(specs))]
		sel := selCommonAll
		if spec != "" {
			var err error
			if sel, err = s.parseFields(spec, false); err != nil {
				t.Fatal(err)
			}
		}
		got, want := w, w
		project(reflect.ValueOf(&got).Elem(), s, sel, true)
		projectRef(reflect.ValueOf(&want).Elem(), s, sel, true)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("record %d, fields=%s:\n got %s\nwant %s", i, spec, appendRecord(nil, reflect.ValueOf(&got).Elem(), s, got.Extra, nil),
				appendRecord(nil, reflect.ValueOf(&want).Elem(), s, want.Extra, nil))
		}
		if got.NAS != nil && got.NAS == w.NAS {
			skipped++
		}
	}
	if skipped == 0 {
		t.Fatal("no projection kept an object field without copying it")
	}
}

// projectRef and projectChildRef are project and projectChild as they
// were before projectChild skipped unchanged objects.
func projectRef(v reflect.Value, s *Schema, sel *selection, root bool) {
	if sel.mode == selAll {
		return
	}
	if s.extra >= 0 {
		ev := v.Field(s.extra)
		if tree, _ := ev.Interface().(Extra); len(tree) > 0 {
			p := projectExtra(tree, sel, s.commonExtra)
			if root {
				p = keepAlways(p, tree, s.always)
			}
			if len(p) == 0 {
				ev.SetZero()
			} else {
				ev.Set(reflect.ValueOf(p))
			}
		}
	}
	for _, f := range s.fields {
		fv := v.Field(f.index)
		if fv.IsZero() {
			continue
		}
		if root && f.level == levelKey {
			continue
		}
		if c := sel.children[f.name]; c != nil {
			if c.mode != selAll && f.sub != nil {
				if sel.mode == selCommon && c.mode == selNone {
					c = &selection{mode: selCommon, children: c.children}
				}
				projectChildRef(fv, f, c)
			}
			continue
		}
		if sel.mode == selCommon && f.level != levelExpensive {
			if f.sub != nil && !f.sub.cheap {
				projectChildRef(fv, f, selCommonAll)
			}
			continue
		}
		fv.SetZero()
	}
}
func projectChildRef(fv reflect.Value, f *field, sel *selection) {
	switch f.kind {
	case kObject:
		cp := reflect.New(f.elem)
		cp.Elem().Set(fv.Elem())
		projectRef(cp.Elem(), f.sub, sel, false)
		if cp.Elem().IsZero() {
			fv.SetZero()
		} else {
			fv.Set(cp)
		}
	case kObjects:
		cp := reflect.MakeSlice(fv.Type(), fv.Len(), fv.Len())
		reflect.Copy(cp, fv)
		for i := range cp.Len() {
			projectRef(cp.Index(i), f.sub, sel, false)
		}
		fv.Set(cp)
	}
}

// TestAppendTimeMatchesAppendFormat: appendTime writes what AppendFormat
// with TimeLayout writes, for random times and zones, sub-minute and
// very large offsets and years beyond four digits included.
func TestAppendTimeMatchesAppendFormat(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	offsets := []int{0, -1, -30, 59, -59, 60, -3600, 5 * 3600, -(12*3600 + 45*60), 14 * 3600, 99*3600 + 59*60, 100 * 3600, -200 * 3600}
	for i := range 50000 {
		sec := r.Int64N(1<<40) - 1<<39
		if i%2 == 0 {
			sec = r.Int64N(4e9) - 1e9
		}
		off := offsets[r.IntN(len(offsets))]
		if i%3 == 0 {
			off = r.IntN(48*3600) - 24*3600
		}
		tm := time.Unix(sec, r.Int64N(1e9)).In(time.FixedZone("z", off))
		if i%5 == 0 {
			tm = tm.UTC()
		}
		if got, want := appendTime([]byte("x"), tm), tm.AppendFormat([]byte("x"), TimeLayout); !bytes.Equal(got, want) {
			t.Fatalf("%v (offset %d): got %s, want %s", tm, off, got, want)
		}
	}
}

// TestPermute: permute reorders in place as copying recs[keys[j].idx]
// into a new slice does, for random permutations.
func TestPermute(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for n := range 60 {
		for range 20 {
			recs := make([]int, n)
			keys := make([]sortKey, n)
			for i, p := range r.Perm(n) {
				recs[i] = 1000 + i
				keys[i] = sortKey{idx: p}
			}
			want := make([]int, n)
			for j, k := range keys {
				want[j] = recs[k.idx]
			}
			permute(recs, keys)
			if !slices.Equal(recs, want) {
				t.Fatalf("n=%d: got %v, want %v", n, recs, want)
			}
		}
	}
}

// TestAppendVolumeMatchesWithStoredSVM: records of volumes whose
// attributes store an SVM (a volume of an SVM created through the API)
// render that SVM's current {name, uuid}, keep it out of the merged
// attributes, and the volume encoder writes them as appendRecord does,
// alone and in a listing mixed with volumes of the cluster's SVM (whose
// shared reference the listing's memory holds).
func TestAppendVolumeMatchesWithStoredSVM(t *testing.T) {
	s := SchemaOf[Volume]()
	svm2, svm3 := "7f1191a1-9ceb-4ee8-a994-137d1880ec39", "0c4b2f5e-3a1d-4e6f-9b7a-1d2e3f405162"
	names := map[string]*string{svm2: new("svm2"), svm3: new("svm3")}
	ctx := &VolumeContext{SVM: &Ref{Name: new("svm0"), UUID: new("4f1c4cf4-5a4c-4b55-9c37-8f2f2b0c3b50")},
		Aggregate: Ref{Name: new("aggr1")}, EmptyExportPolicy: DefaultExportPolicy,
		SVMs: func(uuid string) *Ref {
			if n := names[uuid]; n != nil {
				return &Ref{Name: n, UUID: new(uuid)}
			}
			return nil
		}}
	var attrs []*Attributes
	for _, raw := range []string{"", `{"ontap":{"svm":{"uuid":"` + svm2 + `"}}}`, `{"ontap":{"svm":{"uuid":"` + svm3 + `"},"comment":"x","language":"en_us"}}`,
		`{"ontap":{"svm":{"uuid":"deadbeef-0000-4000-8000-000000000000"}}}`, `{"ontap":{"quota":{"enabled":true}}}`} {
		a, err := VolumeAttributes(json.RawMessage(raw))
		if err != nil {
			t.Fatal(err)
		}
		if _, has := a.View["svm"]; has {
			t.Fatalf("%s: svm in the merged view: %v", raw, a.View)
		}
		attrs = append(attrs, a)
	}
	if attrs[1].SVM != svm2 || attrs[0].SVM != "" {
		t.Fatalf("SVM: %q, %q", attrs[1].SVM, attrs[0].SVM)
	}
	r := rand.New(rand.NewPCG(3, 4))
	memo, refs := extraMemo{}, new(volumeRefs)
	fast := 0
	for i := range 3000 {
		v := backend.Volume{ID: backend.NewVolumeID(), Name: "v" + strconv.Itoa(i), Size: backend.Bytes(uint64(r.IntN(1<<20)) << 12),
			State: backend.StateOnline, Style: backend.StyleFlexVol, Type: backend.TypeRW}
		if r.IntN(3) == 0 {
			v.Clone = &backend.CloneOrigin{ParentVolume: "p", ParentSnapshot: "s", ParentVolumeID: backend.NewVolumeID(), ParentSnapshotID: backend.NewSnapshotID()}
		}
		k := r.IntN(len(attrs))
		var q *Query
		if r.IntN(2) == 0 {
			var err error
			q, err = s.ParseQuery(url.Values{"fields": {[]string{"*", "svm", "svm.name,clone", "**"}[r.IntN(4)]}}, QueryCollection)
			if err != nil {
				t.Fatal(err)
			}
		}
		w := VolumeRecord(&v, ctx, attrs[k], q)
		if q != nil {
			ProjectBuilt(q, &w)
		}
		switch {
		case q != nil: // the query may leave svm out
		case k == 1 || k == 2:
			want := map[int]string{1: "svm2", 2: "svm3"}[k]
			if w.SVM == nil || *w.SVM.Name != want {
				t.Fatalf("record %d: svm %+v, want %s", i, w.SVM, want)
			}
			if w.Clone != nil && w.Clone.ParentSVM != nil && *w.Clone.ParentSVM.Name != want {
				t.Fatalf("record %d: clone.parent_svm %+v, want %s", i, w.Clone.ParentSVM, want)
			}
		case k == 3:
			if w.SVM == nil || w.SVM.Name != nil || *w.SVM.UUID != "deadbeef-0000-4000-8000-000000000000" {
				t.Fatalf("record %d: svm of an unknown SVM: %+v", i, w.SVM)
			}
		}
		want := appendRecord([]byte("x"), reflect.ValueOf(&w).Elem(), s, w.Extra, nil)
		if !mergesIntoFields(s, w.Extra) {
			fast++
		}
		for _, m := range []extraMemo{nil, memo} {
			for _, rf := range []*volumeRefs{nil, refs} {
				if got := appendVolume([]byte("x"), s, &w, m, rf); !bytes.Equal(got, want) {
					t.Fatalf("record %d (attrs %d, memo %v, refs %v):\n got %s\nwant %s", i, k, m != nil, rf != nil, got, want)
				}
			}
		}
	}
	if fast < 1000 {
		t.Fatalf("only %d of 3000 records took the volume encoder", fast)
	}
}
