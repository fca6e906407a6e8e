package abi

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/nessie-go/nessie/backend"
)

// unmarshalPy decodes the subset of CPython marshal data that
// marshalWriter produces, following Python/marshal.c: it is the test's
// stand-in for marshal.loads (the Python tests run the real one).
// Integers come back as uint64, like jsonValue's.
func unmarshalPy(b []byte) (any, error) {
	d := &pyDecoder{b: b}
	v, err := d.value()
	if err == nil && d.i != len(d.b) {
		err = fmt.Errorf("%d trailing bytes", len(d.b)-d.i)
	}
	return v, err
}

type pyDecoder struct {
	b    []byte
	i    int
	refs []any
}

var errShort = errors.New("marshal data too short")

func (d *pyDecoder) take(n int) ([]byte, error) {
	if n < 0 || d.i+n > len(d.b) {
		return nil, errShort
	}
	p := d.b[d.i : d.i+n]
	d.i += n
	return p, nil
}

func (d *pyDecoder) u32() (uint32, error) {
	p, err := d.take(4)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(p), nil
}

func (d *pyDecoder) value() (any, error) {
	p, err := d.take(1)
	if err != nil {
		return nil, err
	}
	code, flag := p[0]&^mFlagRef, p[0]&mFlagRef != 0
	var v any
	switch code {
	case mNone:
		v = nil
	case mTrue, mFalse:
		v = code == mTrue
	case mInt:
		n, err := d.u32()
		if err != nil {
			return nil, err
		}
		v = uint64(int32(n)) // the writer never sends a negative
	case mLong:
		n, err := d.u32()
		if err != nil {
			return nil, err
		}
		if int32(n) <= 0 || n > 5 {
			return nil, fmt.Errorf("long with %d digits", int32(n))
		}
		x := new(big.Int)
		for k := range int(n) {
			q, err := d.take(2)
			if err != nil {
				return nil, err
			}
			dg := binary.LittleEndian.Uint16(q)
			if dg >= 1<<15 || k == int(n)-1 && dg == 0 {
				return nil, fmt.Errorf("bad long digit %d", dg)
			}
			x.Or(x, new(big.Int).Lsh(big.NewInt(int64(dg)), uint(15*k)))
		}
		if !x.IsUint64() {
			return nil, fmt.Errorf("long %v beyond uint64", x)
		}
		v = x.Uint64()
	case mShortASCII, mShortASCIIi:
		n, err := d.take(1)
		if err != nil {
			return nil, err
		}
		s, err := d.take(int(n[0]))
		if err != nil {
			return nil, err
		}
		for _, c := range s {
			if c >= 0x80 {
				return nil, fmt.Errorf("non-ASCII byte in a short ASCII string")
			}
		}
		v = string(s)
	case mUnicode:
		n, err := d.u32()
		if err != nil {
			return nil, err
		}
		s, err := d.take(int(n))
		if err != nil {
			return nil, err
		}
		if !utf8.Valid(s) {
			return nil, fmt.Errorf("invalid UTF-8 in a unicode string")
		}
		v = string(s)
	case mRef:
		n, err := d.u32()
		if err != nil {
			return nil, err
		}
		if int(n) >= len(d.refs) {
			return nil, fmt.Errorf("reference %d of %d", n, len(d.refs))
		}
		return d.refs[n], nil
	case mList:
		n, err := d.u32()
		if err != nil {
			return nil, err
		}
		l := make([]any, 0, min(int(n), 1024))
		for range n {
			e, err := d.value()
			if err != nil {
				return nil, err
			}
			l = append(l, e)
		}
		v = l
	case mDict:
		m := map[string]any{}
		for {
			if d.i < len(d.b) && d.b[d.i] == mNull {
				d.i++
				break
			}
			k, err := d.value()
			if err != nil {
				return nil, err
			}
			ks, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("dict key %v is not a string", k)
			}
			e, err := d.value()
			if err != nil {
				return nil, err
			}
			m[ks] = e
		}
		v = m
	default:
		return nil, fmt.Errorf("unknown marshal code %q at %d", code, d.i-1)
	}
	if flag {
		if code == mList || code == mDict {
			return nil, fmt.Errorf("the writer never flags containers")
		}
		d.refs = append(d.refs, v)
	}
	return v, nil
}

// jsonValue decodes JSON with numbers as uint64 (every number the ABI
// produces is one).
func jsonValue(t testing.TB, b []byte) any {
	t.Helper()
	var v any
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatalf("invalid JSON %q: %v", b, err)
	}
	return numbersToUint(t, v)
}

func numbersToUint(t testing.TB, v any) any {
	switch v := v.(type) {
	case json.Number:
		var u uint64
		if _, err := fmt.Sscan(string(v), &u); err != nil {
			t.Fatalf("number %s is not a uint64", v)
		}
		return u
	case []any:
		for i := range v {
			v[i] = numbersToUint(t, v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = numbersToUint(t, v[k])
		}
	}
	return v
}

// render writes one value with both writers and checks that they agree:
// the marshal bytes decode to exactly the JSON value. It returns the
// JSON value.
func render(t *testing.T, write func(writer)) any {
	t.Helper()
	var jw jsonWriter
	var mw marshalWriter
	jw.reset(nil, nil)
	mw.reset(nil, nil)
	write(&jw)
	write(&mw)
	want := jsonValue(t, jw.bytes())
	got, err := unmarshalPy(mw.bytes())
	if err != nil {
		t.Fatalf("marshal output does not decode: %v\n% x", err, mw.bytes())
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("marshal decodes to\n%#v\nJSON to\n%#v", got, want)
	}
	return want
}

// contractJSON is the backend package's own rendering of v.
func contractJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return jsonValue(t, b)
}

var created = time.Date(2026, 5, 9, 7, 35, 25, 120000000, time.UTC)

func sampleVolumes() []backend.Volume {
	return []backend.Volume{
		{ID: backend.VolumeID{1}, Name: "plain", Size: backend.Unlimited, State: backend.StateOnline,
			Style: backend.StyleFlexVol, Type: backend.TypeRW},
		{ID: backend.VolumeID{2, 15: 0xff}, Name: "build-cache", Size: backend.Bytes(50 << 30),
			State: backend.StateOffline, Style: backend.StyleFlexVol, Type: backend.TypeDP,
			Clone: &backend.CloneOrigin{ParentVolume: "pâ\"rent", ParentSnapshot: "s\\nap",
				ParentVolumeID: backend.VolumeID{9}, ParentSnapshotID: backend.SnapshotID{8}},
			JunctionPath: "/a <b> & c", ExportPolicy: "default", Comment: strings.Repeat("é", 300),
			CreateTime: created, UsedBytes: 1<<64 - 1},
		{ID: backend.VolumeID{3}, Name: "zero", Size: backend.Bytes(0), State: "weird-state",
			Style: backend.StyleFlexVol, Type: backend.TypeRW, CreateTime: created.Add(time.Nanosecond),
			UsedBytes: 1 << 31},
		{ID: backend.VolumeID{4}, Name: "\x00\x1f\x7f", Size: backend.Bytes(1<<31 - 1), State: backend.StateRestricted,
			Style: backend.StyleFlexVol, Type: backend.TypeRW, CreateTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))},
	}
}

func TestVolumeShapeMatchesContractJSON(t *testing.T) {
	vs := sampleVolumes()
	for i := range vs {
		got := render(t, func(w writer) { writeVolume(w, &vs[i]) })
		if want := contractJSON(t, vs[i]); !reflect.DeepEqual(got, want) {
			t.Errorf("volume %d:\n got %#v\nwant %#v", i, got, want)
		}
	}
	got := render(t, func(w writer) { writeVolumes(w, vs) })
	if want := contractJSON(t, vs); !reflect.DeepEqual(got, want) {
		t.Errorf("volume list:\n got %#v\nwant %#v", got, want)
	}
	if got := render(t, func(w writer) { writeVolumes(w, nil) }); !reflect.DeepEqual(got, []any{}) {
		t.Errorf("empty list renders as %#v, want []", got)
	}
}

func TestSnapshotShapeMatchesContractJSON(t *testing.T) {
	ss := []backend.Snapshot{
		{ID: backend.SnapshotID{1}, Name: "pre-build", CreateTime: created, SizeConsumed: 0},
		{ID: backend.SnapshotID{2}, Name: "ünïcode", CreateTime: created, SizeConsumed: 1 << 40, Comment: "why"},
		{ID: backend.SnapshotID{3}, Name: "zero-time"},
	}
	got := render(t, func(w writer) { writeSnapshots(w, ss) })
	if want := contractJSON(t, ss); !reflect.DeepEqual(got, want) {
		t.Errorf("snapshots:\n got %#v\nwant %#v", got, want)
	}
}

func TestSmallShapesMatchContractJSON(t *testing.T) {
	for _, c := range []backend.Capabilities{{}, {Snapshots: true, Clones: true}, {Snapshots: true, Replication: true}} {
		if got, want := render(t, func(w writer) { writeCapabilities(w, c) }), contractJSON(t, c); !reflect.DeepEqual(got, want) {
			t.Errorf("capabilities %+v: got %#v, want %#v", c, got, want)
		}
	}
	for _, h := range []backend.AccessHandle{{Kind: backend.AccessInMemory}, {Kind: backend.AccessNFSExport, Server: "srv", Path: "/p"}} {
		if got, want := render(t, func(w writer) { writeAccessHandle(w, h) }), contractJSON(t, h); !reflect.DeepEqual(got, want) {
			t.Errorf("access handle %+v: got %#v, want %#v", h, got, want)
		}
	}
	if got := render(t, func(w writer) { writeAccessHandle(w, backend.AccessHandle{Kind: backend.AccessInMemory}) }); !reflect.DeepEqual(got, map[string]any{"kind": "in_memory"}) {
		t.Errorf("in-memory handle renders as %#v, want exactly {kind: in_memory}", got)
	}
}

func TestMarshalIntegers(t *testing.T) {
	for _, u := range []uint64{0, 1, 1<<15 - 1, 1 << 15, 1<<31 - 1, 1 << 31, 1 << 45, 50 << 30, 1<<63 + 12345, 1<<64 - 1} {
		var mw marshalWriter
		mw.uint(u)
		got, err := unmarshalPy(mw.bytes())
		if err != nil || got != u {
			t.Errorf("uint(%d) decodes to %v, %v", u, got, err)
		}
	}
}

func TestMarshalSharesRecurringStrings(t *testing.T) {
	vs := sampleVolumes()
	vs = append(vs, vs...)
	var mw marshalWriter
	mw.reset(nil, nil)
	writeVolumes(&mw, vs)
	once := strings.Count(string(mw.bytes()), "vol_type")
	if once != 1 {
		t.Errorf(`"vol_type" appears %d times in a list of %d volumes, want once`, once, len(vs))
	}
	// A writer is reused from a pool: reset must forget the references,
	// and a single object uses none.
	mw.reset(nil, nil)
	writeVolume(&mw, &vs[1])
	d := &pyDecoder{b: mw.bytes()}
	if _, err := d.value(); err != nil {
		t.Errorf("after reset: %v", err)
	}
	if len(d.refs) != 0 {
		t.Errorf("a single volume uses the reference table (%d entries)", len(d.refs))
	}
}

func TestInvalidUTF8BecomesReplacementInBoth(t *testing.T) {
	f := &failure{kind: "invalid_argument", message: "name \"ab\xe2\x82\" …", detail: "x\xff"}
	got := render(t, func(w writer) { writeFailure(w, f) }).(map[string]any)
	if got["message"] != "name \"ab\uFFFD\uFFFD\" …" || got["detail"] != "x\uFFFD" {
		t.Errorf("got %q / %q", got["message"], got["detail"])
	}
}

func TestSampleRendersAlike(t *testing.T) {
	render(t, writeSample)
}

func FuzzVolumeShape(f *testing.F) {
	f.Add("build-cache", uint64(50<<30), true, "/x", "c", int64(0))
	f.Add("\xff\x00é", uint64(1<<64-1), false, "", strings.Repeat("é", 200), int64(-1))
	f.Fuzz(func(t *testing.T, name string, size uint64, limited bool, junction, comment string, nanos int64) {
		v := backend.Volume{ID: backend.VolumeID{7}, Name: name, State: backend.VolumeState(comment),
			Style: backend.StyleFlexVol, Type: backend.TypeRW, JunctionPath: junction, Comment: comment,
			CreateTime: time.Unix(0, nanos).UTC(), UsedBytes: size,
			Clone: &backend.CloneOrigin{ParentVolume: junction, ParentSnapshot: name}}
		if limited {
			v.Size = backend.Bytes(size)
		}
		got := render(t, func(w writer) { writeVolume(w, &v) })
		if want := contractJSON(t, v); !reflect.DeepEqual(got, want) {
			t.Fatalf("got %#v\nwant %#v", got, want)
		}
	})
}
