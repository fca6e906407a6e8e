package abi

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/nessie-go/nessie/backend"
)

func TestParseIDMatchesTheBackend(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	valid := []string{nilUUID, "0B6C1A2F-3D4E-4F50-8A9B-CDEF01234567", "ffffffff-ffff-ffff-ffff-ffffffffffff"}
	for range 50 {
		var u [16]byte
		for i := range u {
			u[i] = byte(rng.Uint32())
		}
		valid = append(valid, backend.VolumeID(u).String(), strings.ToUpper(backend.VolumeID(u).String()))
	}
	inputs := []string{"", "x", strings.Repeat("0", 32), strings.Repeat("0", 36), nilUUID + "0", nilUUID[:35]}
	for _, v := range valid {
		inputs = append(inputs, v)
		// Every position replaced by characters around the hex ranges.
		for i := range len(v) {
			for _, c := range []byte("-/0:9@AFG`afg\x00\xff ") {
				inputs = append(inputs, v[:i]+string([]byte{c})+v[i+1:])
			}
		}
	}
	for _, s := range inputs {
		got, ok := parseID(s)
		want, err := backend.ParseVolumeID(s)
		if ok != (err == nil) || (ok && got != [16]byte(want)) {
			t.Fatalf("parseID(%q) = %x, %v; backend: %x, %v", s, got, ok, want, err)
		}
	}
}

func TestAppendTimeMatchesAppendFormat(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	east := time.FixedZone("east", 5*3600+30*60)
	times := []time.Time{
		time.Date(2026, 5, 9, 7, 35, 25, 0, time.UTC),
		time.Date(2026, 5, 9, 7, 35, 25, 100_000_000, time.UTC),
		time.Date(2026, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 10, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 5, 9, 7, 35, 25, 5, east),
		time.Date(2026, 5, 9, 7, 35, 25, 5, time.Local),
		{},
	}
	for range 2000 {
		// Seconds across years 1 to 9999, some nanoseconds with trailing zeros.
		sec := rng.Int64N(9998*365*24*3600) - 1969*365*24*3600
		ns := rng.Int64N(int64(time.Second))
		if rng.IntN(2) == 0 {
			ns -= ns % []int64{10, 1000, 1_000_000, 1_000_000_000}[rng.IntN(4)]
		}
		times = append(times, time.Unix(sec, ns).UTC())
	}
	for _, ts := range times {
		got := string(appendTime([]byte("x"), ts))
		want := "x" + ts.Format(time.RFC3339Nano)
		if got != want {
			t.Fatalf("appendTime(%v) = %q, want %q", ts, got, want)
		}
		js, _ := json.Marshal(ts)
		if ts.Year() >= 0 && ts.Year() <= 9999 && `"`+got[1:]+`"` != string(js) {
			t.Fatalf("appendTime(%v) = %q, encoding/json: %s", ts, got[1:], js)
		}
	}
}

// argsOf converts a JSON request into CallOp's operands.
func argsOf(t *testing.T, req string) (op int, args []Arg) {
	t.Helper()
	var r request
	if err := parseRequest([]byte(req), &r); err != nil {
		t.Fatalf("%s: %v", req, err)
	}
	op = slices.Index(opNames, r.op)
	for _, a := range r.args[:r.n] {
		switch a.kind {
		case argNull:
			args = append(args, Arg{})
		case argString:
			args = append(args, Arg{Kind: ArgString, S: a.s})
		case argUint:
			args = append(args, Arg{Kind: ArgUint, U: a.u})
		default:
			t.Fatalf("%s: no Arg for %v", req, a.kind)
		}
	}
	return op, args
}

// TestCallOpMatchesCall runs requests both ways on the same session:
// reads and refused writes must give the same bytes, in both encodings.
func TestCallOpMatchesCall(t *testing.T) {
	ctx := context.Background()
	for _, enc := range []Encoding{JSON, Marshal} {
		f := newFixture(t)
		s := NewSession(f.m, enc)
		v, err := f.m.CreateVolume(ctx, backend.VolumeSpec{Name: "v", Size: backend.Bytes(1 << 30), JunctionPath: "/v"})
		if err != nil {
			t.Fatal(err)
		}
		snap, err := f.m.CreateSnapshot(ctx, v.ID, backend.SnapshotSpec{Name: "s"})
		if err != nil {
			t.Fatal(err)
		}
		c, err := f.m.CreateClone(ctx, backend.CloneSpec{ParentVolume: v.ID, ParentSnapshot: snap.ID, Name: "c"})
		if err != nil {
			t.Fatal(err)
		}
		vid, sid, cid := v.ID.String(), snap.ID.String(), c.ID.String()
		reqs := []string{
			`["capabilities"]`,
			`["list_volumes"]`,
			`["get_volume",%q]`, `["get_volume",%q]`,
			`["get_volume",%q]`,
			`["get_volume","nope"]`, `["get_volume",null]`, `["get_volume",7]`, `["get_volume"]`,
			`["get_volume",%q,"extra"]`,
			`["access_handle",%q]`,
			`["list_snapshots",%q]`,
			`["get_snapshot",%q,%q]`,
			`["get_snapshot",%q,"{` + nilUUID + `}"]`,
			`["create_volume","v",null]`, `["create_volume","a/b"]`, `["create_volume",7]`, `["create_volume","n","big"]`,
			`["create_volume","n",1,"not-absolute"]`,
			`["delete_volume",%q]`, `["delete_snapshot",%q,%q]`, `["delete_volume","` + nilUUID + `"]`,
			`["create_snapshot",%q,"s"]`, `["create_clone",%q,%q,"c"]`, `["create_clone",%q,%q,"v"]`,
			`["patch_volume",%q,null,null,null,"c"]`, `["patch_volume",%q,null,null,null,null,"melted"]`,
			`["patch_snapshot",%q,%q,"",null]`, `["restore_snapshot","` + nilUUID + `",%q]`,
			`["split_clone",%q]`, `["check_invariants"]`,
		}
		ids := map[int][]any{
			2: {vid}, 3: {strings.ToUpper(strings.ReplaceAll(vid, "-", ""))}, 4: {"urn:uuid:" + cid},
			9: {vid}, 10: {vid}, 11: {vid}, 12: {vid, sid}, 13: {vid},
			19: {vid}, 20: {vid, sid}, 22: {vid}, 23: {vid, sid}, 24: {vid, sid},
			25: {vid}, 26: {vid}, 27: {vid, sid}, 28: {sid}, 29: {vid},
		}
		for i, tmpl := range reqs {
			req := tmpl
			if a := ids[i]; a != nil {
				req = fmt.Sprintf(tmpl, a...)
			}
			want, wantOK := s.Call(nil, []byte(req), nil)
			op, args := argsOf(t, req)
			got, gotOK := s.CallOp(nil, op, args, nil)
			if gotOK != wantOK || !reflect.DeepEqual(unordered(decode(t, enc, got, gotOK)), unordered(decode(t, enc, want, wantOK))) {
				t.Errorf("%v %s:\nCallOp %v %q\nCall   %v %q", enc, req, gotOK, got, wantOK, want)
			}
		}
	}
}

func TestCallOpRefusesBadOperands(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		op   int
		args []Arg
		want string
	}{
		{-1, nil, "unknown operation number -1"},
		{len(opNames), nil, fmt.Sprintf("unknown operation number %d", len(opNames))},
		{slices.Index(opNames, "get_volume"), make([]Arg, maxArgs+1), "too many arguments"},
		{slices.Index(opNames, "get_volume"), []Arg{{Kind: 9}}, "unknown kind 9"},
	} {
		out, ok := f.mars.CallOp(nil, c.op, c.args, nil)
		var env map[string]any
		if err := json.Unmarshal(out, &env); err != nil || ok {
			t.Fatalf("op %d: ok %v, reply %q", c.op, ok, out)
		}
		if env["kind"] != "invalid_argument" || !strings.Contains(env["message"].(string), c.want) {
			t.Errorf("op %d: %v, want invalid_argument with %q", c.op, env, c.want)
		}
	}
}

// TestOpNumbersOfThePythonPackage holds the op table of _lib.py, which
// numbers operations by their place in Ops, to Ops.
func TestOpNumbersOfThePythonPackage(t *testing.T) {
	src, err := os.ReadFile("../../nessie_backend_mem/_lib.py")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range regexp.MustCompile(`\("(\w+)", "[sSn]*"\),`).FindAllStringSubmatch(string(src), -1) {
		names = append(names, m[1])
	}
	if !slices.Equal(names, opNames) {
		t.Errorf("_lib.py OPS = %v,\nabi.Ops = %v", names, opNames)
	}
}

func TestUUIDParamsAreTheUUIDArguments(t *testing.T) {
	want := map[string][]bool{
		"get_volume":    {true},
		"create_volume": {false, false, false, false, false},
		"get_snapshot":  {true, true},
		"create_clone":  {true, true, false},
		"patch_volume":  {true, false, false, false, false, false, false},
		"capabilities":  nil,
	}
	for name, w := range want {
		if got := uuidParams[slices.Index(opNames, name)]; !slices.Equal(got, w) {
			t.Errorf("uuidParams[%s] = %v, want %v", name, got, w)
		}
	}
}

// TestCallOpKeepsNoAliasedString calls with argument strings in a buffer
// that is overwritten afterwards, as the C caller's memory may be: what
// the backend stored must not change.
func TestCallOpKeepsNoAliasedString(t *testing.T) {
	f := newFixture(t)
	buf := []byte("vol-alias/jp-exp-comment")
	view := func(i, j int) Arg { return Arg{Kind: ArgString, S: unsafe.String(&buf[i], j-i)} }
	out, ok := f.js.CallOp(nil, slices.Index(opNames, "create_volume"),
		[]Arg{view(0, 9), {Kind: ArgUint, U: 1 << 20}, {Kind: ArgString, S: "/jp"}, view(13, 16), view(17, 24)}, nil)
	if !ok {
		t.Fatalf("create_volume: %s", out)
	}
	var v struct{ UUID string }
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatal(err)
	}
	id := []byte(v.UUID)
	snapOut, ok := f.js.CallOp(nil, slices.Index(opNames, "create_snapshot"),
		[]Arg{{Kind: ArgString, S: unsafe.String(&id[0], len(id))}, view(0, 3)}, nil)
	if !ok {
		t.Fatalf("create_snapshot: %s", snapOut)
	}
	for i := range buf {
		buf[i] = 'X'
	}
	for i := range id {
		id[i] = 'X'
	}
	vols, err := f.m.ListVolumes(context.Background())
	if err != nil || len(vols) != 1 {
		t.Fatal(vols, err)
	}
	if got := vols[0]; got.Name != "vol-alias" || got.ExportPolicy != "exp" || got.Comment != "comment" {
		t.Errorf("stored volume changed with the caller's memory: %+v", got)
	}
	snaps, err := f.m.ListSnapshots(context.Background(), vols[0].ID)
	if err != nil || len(snaps) != 1 || snaps[0].Name != "vol" {
		t.Errorf("snapshots %+v, %v", snaps, err)
	}
}

func TestValueSymCoversEveryValue(t *testing.T) {
	for s := range numSyms {
		got, ok := valueSym(symText[s])
		if isValue := s >= vOnline; ok != isValue || (ok && got != s) {
			t.Errorf("valueSym(%q) = %v, %v; want %v, %v", symText[s], got, ok, s, isValue)
		}
	}
	for _, s := range []string{"", "Online", "online ", "vol", "rw2"} {
		if _, ok := valueSym(s); ok {
			t.Errorf("valueSym(%q) found a sym", s)
		}
	}
}
