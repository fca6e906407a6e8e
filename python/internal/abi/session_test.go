package abi

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/mem"
)

const nilUUID = "00000000-0000-0000-0000-000000000000"

// fixture is one mem backend behind two sessions, one per encoding, so
// that every read can be checked in both.
type fixture struct {
	t    *testing.T
	m    *mem.Backend
	js   *Session
	mars *Session
}

func newFixture(t *testing.T) *fixture {
	m := mem.New(nil)
	t.Cleanup(func() {
		if err := m.CheckInvariants(); err != nil {
			t.Errorf("invariants: %v", err)
		}
	})
	return &fixture{t: t, m: m, js: NewSession(m, JSON), mars: NewSession(m, Marshal)}
}

func decode(t *testing.T, enc Encoding, out []byte, ok bool) any {
	t.Helper()
	if !ok || enc == JSON { // error envelopes are always JSON
		return jsonValue(t, out)
	}
	v, err := unmarshalPy(out)
	if err != nil {
		t.Fatalf("marshal reply does not decode: %v", err)
	}
	return v
}

// call runs a request on the JSON session: the result, or the envelope.
func (f *fixture) call(req string, args ...any) (any, bool) {
	f.t.Helper()
	out, ok := f.js.Call(make([]byte, 0, 64), fmt.Appendf(nil, req, args...), nil)
	return decode(f.t, JSON, out, ok), ok
}

// must runs a request that has to succeed.
func (f *fixture) must(req string, args ...any) any {
	f.t.Helper()
	v, ok := f.call(req, args...)
	if !ok {
		f.t.Fatalf("%s: %v", fmt.Sprintf(req, args...), v)
	}
	return v
}

// read runs a side-effect-free request on both sessions and checks that
// they agree.
func (f *fixture) read(req string, args ...any) (any, bool) {
	f.t.Helper()
	r := fmt.Appendf(nil, req, args...)
	jo, jok := f.js.Call(nil, r, nil)
	mo, mok := f.mars.Call(nil, r, nil)
	jv, mv := unordered(decode(f.t, JSON, jo, jok)), unordered(decode(f.t, Marshal, mo, mok))
	if jok != mok || !reflect.DeepEqual(jv, mv) {
		f.t.Fatalf("%s: JSON session gives %v %#v, marshal session %v %#v", r, jok, jv, mok, mv)
	}
	return jv, jok
}

// fails runs a request that has to fail and returns its envelope.
func (f *fixture) fails(req string, args ...any) map[string]any {
	f.t.Helper()
	v, ok := f.call(req, args...)
	if ok {
		f.t.Fatalf("%s succeeded with %v, want an error", fmt.Sprintf(req, args...), v)
	}
	return v.(map[string]any)
}

func field(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func TestSeedFlow(t *testing.T) {
	f := newFixture(t)
	vol := f.must(`["create_volume","build-cache",%d]`, uint64(50<<30))
	snap := f.must(`["create_snapshot",%q,"pre-build"]`, field(vol, "uuid"))
	clone := f.must(`["create_clone",%q,%q,"build-cache-pr1234"]`, field(vol, "uuid"), field(snap, "uuid"))
	if got := field(clone, "clone", "parent_volume"); got != "build-cache" {
		t.Errorf("clone.parent_volume = %v, want build-cache", got)
	}
	if got := field(clone, "clone", "parent_snapshot"); got != "pre-build" {
		t.Errorf("clone.parent_snapshot = %v, want pre-build", got)
	}
	if got := field(clone, "size_bytes"); got != uint64(50<<30) {
		t.Errorf("clone size = %v, want the parent's", got)
	}
	got, _ := f.read(`["get_volume",%q]`, field(clone, "uuid"))
	if !reflect.DeepEqual(got, clone) {
		t.Errorf("get_volume = %v, want what create_clone returned, %v", got, clone)
	}
	list, _ := f.read(`["list_volumes"]`)
	if n := len(list.([]any)); n != 2 {
		t.Errorf("list_volumes has %d volumes, want 2", n)
	}
}

func TestResultsMatchTheBackend(t *testing.T) {
	f := newFixture(t)
	vol := f.must(`["create_volume","v",1024,"/v","default","note"]`)
	id, err := backend.ParseVolumeID(field(vol, "uuid").(string))
	if err != nil {
		t.Fatal(err)
	}
	want, err := f.m.GetVolume(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if w := contractJSON(t, want); !reflect.DeepEqual(vol, w) {
		t.Errorf("create_volume = %v\nbackend holds %v", vol, w)
	}
	for _, k := range []string{"junction_path", "export_policy", "comment"} {
		if field(vol, k) == nil {
			t.Errorf("create_volume dropped %s: %v", k, vol)
		}
	}
	h, _ := f.read(`["access_handle",%q]`, id)
	if !reflect.DeepEqual(h, map[string]any{"kind": "in_memory"}) {
		t.Errorf("access_handle = %v", h)
	}
}

func TestPatchAndExtras(t *testing.T) {
	f := newFixture(t)
	vol := f.must(`["create_volume","v",1024]`)
	id := field(vol, "uuid")
	p := f.must(`["patch_volume",%q,2048,"/mnt","pol",null,null,"hello"]`, id)
	if field(p, "size_bytes") != uint64(2048) || field(p, "junction_path") != "/mnt" ||
		field(p, "export_policy") != "pol" || field(p, "comment") != "hello" {
		t.Errorf("patch_volume result %v lacks the patched fields", p)
	}
	if got, _ := f.read(`["get_volume",%q]`, id); !reflect.DeepEqual(got, p) {
		t.Errorf("get after patch = %v, want %v", got, p)
	}
	if same := f.must(`["patch_volume",%q]`, id); !reflect.DeepEqual(same, p) {
		t.Errorf("empty patch changed the volume: %v", same)
	}
	renamed := f.must(`["patch_volume",%q,null,null,null,"w"]`, id)
	if field(renamed, "name") != "w" {
		t.Errorf("rename gave %v", renamed)
	}
	off := f.must(`["patch_volume",%q,null,null,null,null,"offline"]`, id)
	if field(off, "state") != "offline" {
		t.Errorf("state patch gave %v", off)
	}

	snap := f.must(`["create_snapshot",%q,"s1"]`, id)
	sid := field(snap, "uuid")
	ps := f.must(`["patch_snapshot",%q,%q,"s1b","why"]`, id, sid)
	if field(ps, "name") != "s1b" || field(ps, "comment") != "why" {
		t.Errorf("patch_snapshot gave %v", ps)
	}
	f.must(`["patch_volume",%q,4096]`, id)
	f.must(`["create_snapshot",%q,"s2"]`, id)
	restored := f.must(`["restore_snapshot",%q,%q]`, id, sid)
	if field(restored, "size_bytes") != uint64(2048) {
		t.Errorf("restore gave size %v, want the snapshot's 2048", field(restored, "size_bytes"))
	}
	snaps, _ := f.read(`["list_snapshots",%q]`, id)
	if len(snaps.([]any)) != 1 {
		t.Errorf("after restore to the first snapshot, %d snapshots remain, want 1", len(snaps.([]any)))
	}

	clone := f.must(`["create_clone",%q,%q,"c"]`, id, sid)
	f.fails(`["delete_snapshot",%q,%q]`, id, sid)
	split := f.must(`["split_clone",%q]`, field(clone, "uuid"))
	if field(split, "clone") != nil {
		t.Errorf("split clone still has an origin: %v", split)
	}
	f.must(`["delete_snapshot",%q,%q]`, id, sid)
	if v, _ := f.read(`["check_invariants"]`); v != nil {
		t.Errorf("check_invariants = %v, want null", v)
	}
}

func TestErrorEnvelopes(t *testing.T) {
	f := newFixture(t)
	vol := f.must(`["create_volume","u"]`)
	id := field(vol, "uuid").(string)
	snap := f.must(`["create_snapshot",%q,"pre"]`, id)
	sid := field(snap, "uuid").(string)
	f.must(`["create_clone",%q,%q,"c"]`, id, sid)

	tests := []struct {
		req      string
		kind     string
		resource any
		message  string // exact, or a prefix ending in "…"
	}{
		{`["get_volume","x"]`, "invalid_argument", "volume", `invalid volume uuid "x"`},
		{`["get_volume","` + nilUUID + `"]`, "not_found", "volume", "volume " + nilUUID + " not found"},
		{`["delete_volume","` + nilUUID + `"]`, "not_found", "volume", "volume " + nilUUID + " not found"},
		{`["list_snapshots","zz"]`, "invalid_argument", "volume", `invalid volume uuid "zz"`},
		{`["get_snapshot","` + id + `","y"]`, "invalid_argument", "snapshot", `invalid snapshot uuid "y"`},
		{`["get_snapshot","zz","y"]`, "invalid_argument", "volume", `invalid volume uuid "zz"`},
		{`["get_snapshot","` + id + `","` + nilUUID + `"]`, "not_found", "snapshot", "snapshot " + nilUUID + " not found on volume " + id},
		{`["get_snapshot","` + nilUUID + `","` + sid + `"]`, "not_found", "volume", "volume " + nilUUID + " not found"},
		{`["create_volume","u"]`, "already_exists", "volume", `volume "u" already exists`},
		{`["create_clone","` + id + `","` + sid + `","u"]`, "already_exists", "volume", `volume "u" already exists`},
		{`["create_snapshot","` + id + `","pre"]`, "already_exists", "snapshot", `snapshot "pre" already exists on volume ` + id},
		{`["patch_volume","` + id + `",null,"rel"]`, "invalid_argument", "volume", "invalid argument: …"},
		{`["patch_volume","` + nilUUID + `",null,"rel"]`, "not_found", "volume", "volume " + nilUUID + " not found"},
		{`["patch_volume","` + id + `",null,null,null,null,"sideways"]`, "invalid_argument", "volume", "invalid argument: …"},
		{`["create_volume",""]`, "invalid_argument", "volume", "invalid argument: …"},
		{`["create_volume","a/b"]`, "invalid_argument", "volume", "invalid argument: …"},
		{`["delete_volume","` + id + `"]`, "in_use", "volume", "…"},
		{`["delete_snapshot","` + id + `","` + sid + `"]`, "in_use", "snapshot", "…"},
		{`["split_clone","` + id + `"]`, "invalid_argument", "volume", "invalid argument: …"},
		{`["get_volume",5]`, "invalid_argument", nil, "invalid argument: get_volume: argument 1 (volume uuid) must be a string, not an integer"},
		{`["create_volume","x",-1]`, "invalid_argument", nil, "invalid argument: request: …"},
		{`["create_volume","x","big"]`, "invalid_argument", nil, "invalid argument: create_volume: argument 2 (size_bytes) must be a non-negative integer or null, not a string"},
		{`["get_volume"]`, "invalid_argument", nil, "invalid argument: get_volume: argument 1 (volume uuid) must be a string, not null"},
		{`["frobnicate"]`, "invalid_argument", nil, `invalid argument: unknown operation "frobnicate"`},
		{`not json`, "invalid_argument", nil, "invalid argument: request: …"},
	}
	for _, tt := range tests {
		env := f.fails("%s", tt.req)
		if env["kind"] != tt.kind || env["resource"] != tt.resource {
			t.Errorf("%s: kind %v resource %v, want %s %v (%v)", tt.req, env["kind"], env["resource"], tt.kind, tt.resource, env)
		}
		msg, _ := env["message"].(string)
		if p, ok := strings.CutSuffix(tt.message, "…"); ok {
			if !strings.HasPrefix(msg, p) || msg == p {
				t.Errorf("%s: message %q, want %q followed by a cause", tt.req, msg, p)
			}
		} else if msg != tt.message {
			t.Errorf("%s: message %q, want %q", tt.req, msg, tt.message)
		}
		if d, _ := env["detail"].(string); d == "" {
			t.Errorf("%s: no detail", tt.req)
		}
	}
}

func TestUUIDSpellingsOfTheOriginal(t *testing.T) {
	f := newFixture(t)
	vol := f.must(`["create_volume","v"]`)
	id := field(vol, "uuid").(string)
	hex := strings.ReplaceAll(id, "-", "")
	for _, s := range []string{id, strings.ToUpper(id), "{" + id + "}", "urn:uuid:" + id, hex, strings.ToUpper(hex)} {
		got, ok := f.read(`["get_volume",%q]`, s)
		if !ok || field(got, "uuid") != id {
			t.Errorf("get_volume(%q) = %v, want volume %s", s, got, id)
		}
	}
	for _, s := range []string{"x" + id + "y", "[" + id + "]", "URN:UUID:" + id, id + " ", hex[:31] + "g", ""} {
		env := f.fails(`["get_volume",%q]`, s)
		if env["message"] != fmt.Sprintf("invalid volume uuid %q", s) {
			t.Errorf("get_volume(%q): %v", s, env)
		}
	}
}

func TestCapabilitiesHideReplication(t *testing.T) {
	f := newFixture(t)
	if !f.m.Capabilities(context.Background()).Replication {
		t.Fatal("mem no longer reports replication; this test guards nothing")
	}
	got, _ := f.read(`["capabilities"]`)
	want := map[string]any{"snapshots": true, "clones": true, "replication": false}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("capabilities = %v, want %v", got, want)
	}
}

// everyOp calls each listed operation with no arguments: each must be
// known (a missing argument, not an unknown operation) or need none.
func TestEveryListedOpIsServed(t *testing.T) {
	f := newFixture(t)
	for _, sig := range Ops {
		op, _, _ := strings.Cut(sig, "(")
		v, ok := f.call(`[%q]`, op)
		if !ok && strings.Contains(fmt.Sprint(field(v, "message")), "unknown operation") {
			t.Errorf("%s is listed but not served", op)
		}
		if ok != strings.HasSuffix(sig, "()") {
			t.Errorf("%s with no arguments: ok = %v (%v)", sig, ok, v)
		}
	}
}

// panicky is a backend whose every method panics (a nil embedded
// interface), standing in for a backend bug.
type panicky struct{ Backend }

// failing returns an error that is not a *backend.Error.
type failing struct{ Backend }

func (failing) ListVolumes(context.Context) ([]backend.Volume, error) {
	return nil, errors.New("disk on fire")
}

func TestPanicsBecomeInternalErrors(t *testing.T) {
	for _, enc := range []Encoding{JSON, Marshal} {
		s := NewSession(panicky{}, enc)
		buf := make([]byte, 0, 1024)
		out, ok := s.Call(buf, []byte(`["list_volumes"]`), nil)
		if ok {
			t.Fatalf("a panicking backend succeeded: %s", out)
		}
		env := jsonValue(t, out).(map[string]any)
		if env["kind"] != "internal" || !strings.HasPrefix(env["message"].(string), "internal backend error: panic: ") {
			t.Errorf("%v: envelope %v", enc, env)
		}
		if !strings.Contains(env["detail"].(string), "goroutine") {
			t.Errorf("%v: the detail carries no stack: %v", enc, env["detail"])
		}
		// The session is still usable afterwards.
		if out, ok := s.Call(buf, []byte(`["get_volume","x"]`), nil); ok || !strings.Contains(string(out), "invalid volume uuid") {
			t.Errorf("after a panic: %s", out)
		}
	}
}

func TestForeignErrorsAreInternal(t *testing.T) {
	out, ok := NewSession(failing{}, JSON).Call(nil, []byte(`["list_volumes"]`), nil)
	env := jsonValue(t, out).(map[string]any)
	if ok || env["kind"] != "internal" || env["message"] != "internal backend error: disk on fire" {
		t.Errorf("got %v %v", ok, env)
	}
}

func TestModule(t *testing.T) {
	out, ok := Module(nil, []byte(`["version"]`), 0)
	if v := jsonValue(t, out); !ok || field(v, "abi") != uint64(Version) {
		t.Errorf("version = %s", out)
	}
	out, ok = Module(nil, []byte(`["stats",true]`), 7)
	if v := jsonValue(t, out); !ok || field(v, "handles") != uint64(7) || field(v, "heap_alloc") == uint64(0) {
		t.Errorf("stats = %s", out)
	}
	jo, jok := Module(nil, []byte(`["sample","json"]`), 0)
	mo, mok := Module(nil, []byte(`["sample","marshal"]`), 0)
	mv, err := unmarshalPy(mo)
	if !jok || !mok || err != nil || !reflect.DeepEqual(mv, jsonValue(t, jo)) {
		t.Errorf("the sample differs between encodings (%v)", err)
	}
	for _, req := range []string{`["sample","xml"]`, `["nope"]`, `[`} {
		if out, ok := Module(nil, []byte(req), 0); ok || field(jsonValue(t, out), "kind") != "invalid_argument" {
			t.Errorf("%s: %s", req, out)
		}
	}
}

// The reply lands in the caller's buffer when it fits and moves to a
// fresh one when it does not; either way the caller's bytes past the
// reply are not touched.
func TestReplyBuffer(t *testing.T) {
	f := newFixture(t)
	for i := range 50 {
		f.must(`["create_volume","v%d"]`, i)
	}
	small := make([]byte, 0, 64)
	out, ok := f.js.Call(small, []byte(`["capabilities"]`), nil)
	if !ok || &out[0] != &small[:1][0] {
		t.Errorf("a short reply did not use the caller's buffer")
	}
	out, ok = f.mars.Call(small, []byte(`["list_volumes"]`), nil)
	if !ok || len(out) <= cap(small) {
		t.Fatalf("list of 50 volumes: %d bytes", len(out))
	}
	if v, err := unmarshalPy(out); err != nil || len(v.([]any)) != 50 {
		t.Errorf("moved reply: %v", err)
	}

	// With more, the list is written once, into the buffer more returned.
	for _, s := range []*Session{f.js, f.mars} {
		var given [][]byte
		more := func(n int) []byte {
			b := make([]byte, 0, n)
			given = append(given, b)
			return b
		}
		out, ok = s.Call(small, []byte(`["list_volumes"]`), more)
		if !ok || len(given) != 1 || &out[0] != &given[0][:1][0] {
			t.Errorf("%v: more was called %d times; the reply is not in its buffer", s.enc, len(given))
		}
		if _, ok := s.Call(small, []byte(`["capabilities"]`), more); !ok || len(given) != 1 {
			t.Errorf("%v: a short reply asked for more", s.enc)
		}
	}
}

func TestConcurrentCalls(t *testing.T) {
	f := newFixture(t)
	const workers, rounds = 8, 50
	var wg sync.WaitGroup
	wins := make([]int, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := f.js
			if w%2 == 1 {
				s = f.mars
			}
			for i := range rounds {
				// Every worker races for the same shared name; its own
				// names never collide.
				if _, ok := s.Call(nil, fmt.Appendf(nil, `["create_volume","shared-%d"]`, i), nil); ok {
					wins[w]++
				}
				out, ok := s.Call(nil, fmt.Appendf(nil, `["create_volume","w%d-%d"]`, w, i), nil)
				if !ok {
					t.Errorf("worker %d: %s", w, out)
					return
				}
				s.Call(nil, []byte(`["list_volumes"]`), nil)
			}
		}()
	}
	wg.Wait()
	total := 0
	for _, n := range wins {
		total += n
	}
	if total != rounds {
		t.Errorf("%d creations of %d contended names succeeded, want exactly one per name", total, rounds)
	}
	list, _ := f.read(`["list_volumes"]`)
	if n := len(list.([]any)); n != rounds+workers*rounds {
		t.Errorf("%d volumes, want %d", n, rounds+workers*rounds)
	}
}

// unordered sorts a decoded list reply (the backend lists in no
// guaranteed order), so replies from two call paths compare equal.
func unordered(v any) any {
	l, ok := v.([]any)
	if !ok {
		return v
	}
	l = slices.Clone(l)
	slices.SortFunc(l, func(a, b any) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	return l
}
