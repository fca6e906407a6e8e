package abi

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// decode reads one value of the reply encoding (nessie.h) into Go values:
// nil, bool, uint64, string, map[string]any, []any.
func decode(t testing.TB, b []byte, args ...Arg) any {
	t.Helper()
	v, rest := decodeOne(t, b, args)
	if len(rest) != 0 {
		t.Fatalf("%d trailing bytes in reply", len(rest))
	}
	return v
}

func decodeOne(t testing.TB, b []byte, args []Arg) (any, []byte) {
	t.Helper()
	if len(b) == 0 {
		t.Fatal("truncated reply")
	}
	tag, b := b[0], b[1:]
	switch tag {
	case 'N':
		return nil, b
	case 'T':
		return true, b
	case 'F':
		return false, b
	case 'i':
		return binary.LittleEndian.Uint64(b), b[8:]
	case 'k':
		return Symbols[b[0]], b[1:]
	case 's':
		n := binary.LittleEndian.Uint32(b)
		return string(b[4 : 4+n]), b[4+n:]
	case 'a':
		return args[b[0]].S, b[1:]
	case 'u':
		var id [16]byte
		copy(id[:], b)
		return fmt.Sprintf("%x-%x-%x-%x-%x", id[0:4], id[4:6], id[6:8], id[8:10], id[10:16]), b[16:]
	case '{':
		n := int(b[0])
		b = b[1:]
		m := make(map[string]any, n)
		for range n {
			var k, v any
			k, b = decodeOne(t, b, args)
			v, b = decodeOne(t, b, args)
			m[k.(string)] = v
		}
		return m, b
	case 'D':
		keys := Shapes[b[0]]
		b = b[1:]
		m := make(map[string]any, len(keys))
		for _, k := range keys {
			var v any
			v, b = decodeOne(t, b, args)
			m[Symbols[k]] = v
		}
		return m, b
	case '[':
		n := int(binary.LittleEndian.Uint32(b))
		b = b[4:]
		l := make([]any, 0, n)
		for range n {
			var v any
			v, b = decodeOne(t, b, args)
			l = append(l, v)
		}
		return l, b
	}
	t.Fatalf("unknown tag %q", tag)
	return nil, nil
}

func str(s string) Arg { return Arg{Kind: ArgStr, S: s} }
func num(u uint64) Arg { return Arg{Kind: ArgInt, U: u} }

var none = Arg{}

// call runs op and returns the decoded result, or the error record's
// message prefixed with its kind.
func call(t testing.TB, s *Session, op int, args ...Arg) (any, string) {
	t.Helper()
	out, ok := s.Call(op, args, make([]byte, 0, 64))
	v := decode(t, out, args...)
	if ok {
		return v, ""
	}
	rec := v.(map[string]any)
	return nil, rec["kind"].(string) + ": " + rec["message"].(string)
}

func mustCall(t testing.TB, s *Session, op int, args ...Arg) map[string]any {
	t.Helper()
	v, err := call(t, s, op, args...)
	if err != "" {
		t.Fatalf("op %d: %s", op, err)
	}
	m, _ := v.(map[string]any)
	return m
}

func keys(m map[string]any) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return fmt.Sprint(sorted(ks))
}

func sorted(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

func TestDefaultModeShapesAreThePublishedOnes(t *testing.T) {
	s := NewSession(false)
	v := mustCall(t, s, OpCreateVolume, str("build-cache"), num(50<<30))
	if got := keys(v); got != "[name size_bytes state style uuid vol_type]" {
		t.Errorf("volume keys %s", got)
	}
	if v["size_bytes"] != uint64(50<<30) || v["state"] != "online" || v["style"] != "flexvol" || v["vol_type"] != "rw" {
		t.Errorf("volume %v", v)
	}
	id := v["uuid"].(string)
	sn := mustCall(t, s, OpCreateSnapshot, str(id), str("pre"))
	if got := keys(sn); got != "[name size_consumed uuid]" {
		t.Errorf("snapshot keys %s", got)
	}
	c := mustCall(t, s, OpCreateClone, str(id), str(sn["uuid"].(string)), str("pr"))
	if got := keys(c); got != "[clone name size_bytes state style uuid vol_type]" {
		t.Errorf("clone keys %s", got)
	}
	if want := map[string]any{"parent_volume": "build-cache", "parent_snapshot": "pre"}; !reflect.DeepEqual(c["clone"], want) {
		t.Errorf("clone origin %v, want %v", c["clone"], want)
	}
	// junction paths and export policies are accepted and discarded
	p := mustCall(t, s, OpPatchVolume, str(id), none, str("/x"), str("pol"))
	if !reflect.DeepEqual(p, v) {
		t.Errorf("patch with junction path: %v, want %v", p, v)
	}
}

func TestStrictModeShapesCarryTheContractFields(t *testing.T) {
	s := NewSession(true)
	v := mustCall(t, s, OpCreateVolume, str("v"), num(10), str("/v"), str("pol"), str("note"))
	if got := keys(v); got != "[comment create_time export_policy junction_path name size_bytes state style used_bytes uuid vol_type]" {
		t.Errorf("volume keys %s", got)
	}
	sn := mustCall(t, s, OpCreateSnapshot, str(v["uuid"].(string)), str("s"))
	if got := keys(sn); got != "[create_time name size_consumed uuid]" {
		t.Errorf("snapshot keys %s", got)
	}
	c := mustCall(t, s, OpCreateClone, str(v["uuid"].(string)), str(sn["uuid"].(string)), str("c"))
	origin := c["clone"].(map[string]any)
	if origin["parent_volume_uuid"] != v["uuid"] || origin["parent_snapshot_uuid"] != sn["uuid"] {
		t.Errorf("clone origin %v", origin)
	}
	if _, err := call(t, s, OpDeleteVolume, str(v["uuid"].(string))); !strings.HasPrefix(err, "in_use: ") {
		t.Errorf("deleting a parent in strict mode: %q, want in_use", err)
	}
	if _, err := call(t, s, OpCreateVolume, str("a/b"), none); !strings.HasPrefix(err, "invalid_argument: ") {
		t.Errorf("a name with '/' in strict mode: %q", err)
	}
}

func TestMessagesAreThePublishedOnes(t *testing.T) {
	s := NewSession(false)
	v := mustCall(t, s, OpCreateVolume, str("a\"b"), none)
	id := v["uuid"].(string)
	nil36 := "00000000-0000-0000-0000-000000000000"
	for _, c := range []struct {
		op   int
		args []Arg
		want string
	}{
		{OpCreateVolume, []Arg{str("a\"b"), none}, `already_exists: volume "a\"b" already exists`},
		{OpGetVolume, []Arg{str("x")}, `invalid_argument: invalid volume uuid "x"`},
		{OpGetVolume, []Arg{str("e\u0301\n")}, `invalid_argument: invalid volume uuid "e\u{301}\n"`},
		{OpGetVolume, []Arg{str(nil36)}, "not_found: volume " + nil36 + " not found"},
		{OpGetSnapshot, []Arg{str(id), str("y")}, `invalid_argument: invalid snapshot uuid "y"`},
		{OpGetSnapshot, []Arg{str(id), str(nil36)}, "not_found: snapshot " + nil36 + " not found on volume " + id},
		{OpPatchVolume, []Arg{str(id), none, str("rel")}, `invalid_argument: invalid argument: nas.path must start with '/' (got "rel")`},
		{OpPatchVolume, []Arg{str(id), none, str("")}, `invalid_argument: invalid argument: nas.path must start with '/' (got "")`},
		{OpPatchVolume, []Arg{str(nil36), none, str("rel")}, "not_found: volume " + nil36 + " not found"},
		{OpCreateClone, []Arg{str(nil36), str(nil36), str("c")}, "not_found: volume " + nil36 + " not found"},
	} {
		if _, err := call(t, s, c.op, c.args...); err != c.want {
			t.Errorf("op %d %v:\n got %s\nwant %s", c.op, c.args, err, c.want)
		}
	}
}

func TestDebugQuoteFollowsRust(t *testing.T) {
	// Expected texts observed from the published wheel's messages.
	for in, want := range map[string]string{
		"e\u0301":             `"e\u{301}"`,
		"a\"b'c\\d":           `"a\"b'c\\d"`,
		"t\tn\nr\r0\x00":      `"t\tn\nr\r0\0"`,
		"\x7f\x01\x1b":        `"\u{7f}\u{1}\u{1b}"`,
		"\u00a0 \u200b\u00ad": `"\u{a0} \u{200b}\u{ad}"`,
		"é😀\u4e00":            `"é😀一"`,
		"\u2028\u2029":        `"\u{2028}\u{2029}"`,
		"\ue000":              `"\u{e000}"`,
		"\U000e0001":          `"\u{e0001}"`,
		"\u0378":              `"\u{378}"`,
		"\u093f":              "\"\u093f\"",
		"\u200d\ufeff":        `"\u{200d}\u{feff}"`,
	} {
		if got := debugQuote(in); got != want {
			t.Errorf("debugQuote(%+q) = %s, want %s", in, got, want)
		}
	}
}

func TestUUIDSpellings(t *testing.T) {
	const u = "e1c70016-caa5-4766-bd09-cd9577e56430"
	up := strings.ToUpper(u)
	for _, ok := range []string{u, up, "{" + up + "}", "urn:uuid:" + up, strings.ReplaceAll(u, "-", ""), "E1C70016-caa5-4766-bd09-cd9577e56430"} {
		if id, parsed := parseID(ok); !parsed || fmt.Sprintf("%x", id) != strings.ReplaceAll(u, "-", "") {
			t.Errorf("parseID(%q) = %x, %v", ok, id, parsed)
		}
	}
	for _, bad := range []string{"URN:UUID:" + u, u[:35] + "G", " " + u, u + " ", strings.ReplaceAll(u, "-", "")[:31],
		"{" + strings.ReplaceAll(u, "-", "") + "}", "urn:uuid:" + strings.ReplaceAll(u, "-", ""), u[:8] + u[9:], "", "{" + u + ")"} {
		if _, parsed := parseID(bad); parsed {
			t.Errorf("parseID(%q) accepted", bad)
		}
	}
}

func TestBadCallsAreInternalErrorsNotPanics(t *testing.T) {
	s := NewSession(false)
	for _, c := range []struct {
		op   int
		args []Arg
	}{
		{OpGetVolume, nil},
		{OpGetVolume, []Arg{num(1)}},
		{OpCreateVolume, []Arg{str("x"), str("big")}},
		{NumOps, nil},
		{OpLiveHandles, nil},
		{-1, nil},
	} {
		if _, err := call(t, s, c.op, c.args...); !strings.HasPrefix(err, "internal: ") {
			t.Errorf("op %d %v: %q, want an internal error", c.op, c.args, err)
		}
	}
}

func TestRepliesGrowPastTheBuffer(t *testing.T) {
	s := NewSession(false)
	for i := range 300 {
		mustCall(t, s, OpCreateVolume, str(fmt.Sprintf("volume-%03d", i)), num(uint64(i)))
	}
	v, err := call(t, s, OpListVolumes)
	if err != "" || len(v.([]any)) != 300 {
		t.Fatalf("list: %v %s", v, err)
	}
}

func BenchmarkCall(b *testing.B) {
	for _, strict := range []bool{false, true} {
		s := NewSession(strict)
		var id string
		for i := range 1000 {
			args := []Arg{str(fmt.Sprintf("v%d", i)), num(1)}
			out, _ := s.Call(OpCreateVolume, args, nil)
			id = decode(b, out, args...).(map[string]any)["uuid"].(string)
		}
		buf := make([]byte, 0, 4096)
		b.Run(fmt.Sprintf("get_volume/strict=%v", strict), func(b *testing.B) {
			args := []Arg{str(id)}
			for b.Loop() {
				s.Call(OpGetVolume, args, buf)
			}
		})
		b.Run(fmt.Sprintf("capabilities/strict=%v", strict), func(b *testing.B) {
			for b.Loop() {
				s.Call(OpCapabilities, nil, buf)
			}
		})
	}
}

func TestDefaultModeIsLenientAsThePublishedPackage(t *testing.T) {
	s := NewSession(false)
	for _, name := range []string{"", "a/b", "nul\x00", strings.Repeat("x", 300)} {
		mustCall(t, s, OpCreateVolume, str(name), none)
		if _, err := call(t, s, OpCreateVolume, str(name), none); !strings.HasPrefix(err, "already_exists: ") {
			t.Errorf("second volume named %q: %q, want already_exists", name, err)
		}
	}
	v := mustCall(t, s, OpCreateVolume, str("parent"), num(100))
	id := v["uuid"].(string)
	sn := mustCall(t, s, OpCreateSnapshot, str(id), str("snap"))
	mustCall(t, s, OpPatchVolume, str(id), num(500))
	c := mustCall(t, s, OpCreateClone, str(id), str(sn["uuid"].(string)), str("child"))
	if c["size_bytes"] != uint64(500) {
		t.Errorf("clone size %v, want the parent's current 500", c["size_bytes"])
	}
	if _, err := call(t, s, OpDeleteSnapshot, str(id), str(sn["uuid"].(string))); err != "" {
		t.Errorf("deleting a snapshot a clone depends on: %s", err)
	}
	if _, err := call(t, s, OpDeleteVolume, str(id)); err != "" {
		t.Errorf("deleting a clone's parent: %s", err)
	}
	got := mustCall(t, s, OpGetVolume, str(c["uuid"].(string)))
	if want := map[string]any{"parent_volume": "parent", "parent_snapshot": "snap"}; !reflect.DeepEqual(got["clone"], want) {
		t.Errorf("orphaned clone's origin %v, want %v", got["clone"], want)
	}
	if _, err := call(t, s, OpCheckInvariants); err != "" {
		t.Errorf("invariants: %s", err)
	}
	// A nil snapshot ID names no snapshot (it is not the contract's
	// "snapshot the parent now"), after the parent's existence.
	p := mustCall(t, s, OpCreateVolume, str("p2"), none)
	nil36 := "00000000-0000-0000-0000-000000000000"
	if _, err := call(t, s, OpCreateClone, str(p["uuid"].(string)), str(nil36), str("p2")); err != "not_found: snapshot "+nil36+" not found on volume "+p["uuid"].(string) {
		t.Errorf("clone of the nil snapshot: %q", err)
	}
}

// BenchmarkDeleteClone deletes clones of 10,000 parents, as python/bench
// does.
func BenchmarkDeleteClone(b *testing.B) {
	s := NewSession(false)
	var clones []string
	setup := func() {
		clones = clones[:0]
		for i := range 10000 {
			v := mustCall(b, s, OpCreateVolume, str(fmt.Sprintf("p%d-%d", b.N, i)), num(1))
			sn := mustCall(b, s, OpCreateSnapshot, str(v["uuid"].(string)), str("s"))
			c := mustCall(b, s, OpCreateClone, str(v["uuid"].(string)), str(sn["uuid"].(string)), str(fmt.Sprintf("c%d-%d", b.N, i)))
			clones = append(clones, c["uuid"].(string))
		}
	}
	buf := make([]byte, 0, 4096)
	setup()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%len(clones) == 0 && i > 0 {
			b.StopTimer()
			setup()
			b.StartTimer()
		}
		if _, ok := s.Call(OpDeleteVolume, []Arg{str(clones[i%len(clones)])}, buf); !ok {
			b.Fatal("delete failed")
		}
	}
}

func TestCanonicalIDsAreEchoed(t *testing.T) {
	const u = "e1c70016-caa5-4766-bd09-cd9577e56430"
	for in, want := range map[string]bool{
		u: true, strings.ToUpper(u): false, "E1c70016-caa5-4766-bd09-cd9577e56430": false,
		"{" + u + "}": false, "urn:uuid:" + u: false, strings.ReplaceAll(u, "-", ""): false,
	} {
		if _, ok, canonical := parseIDCanon(in); !ok || canonical != want {
			t.Errorf("parseIDCanon(%q): ok %v, canonical %v, want %v", in, ok, canonical, want)
		}
	}
	// A reply echoes the caller's canonical ID and created name ('a'), and
	// renders other spellings.
	s := NewSession(false)
	args := []Arg{str("echo"), none}
	out, _ := s.Call(OpCreateVolume, args, nil)
	if !bytes.Contains(out, []byte{'a', 0}) {
		t.Errorf("create_volume does not echo its name: %q", out)
	}
	id := decode(t, out, args...).(map[string]any)["uuid"].(string)
	for spelling, echo := range map[string]bool{id: true, strings.ToUpper(id): false} {
		out, _ := s.Call(OpGetVolume, []Arg{str(spelling)}, nil)
		if got := out[2] == 'a'; got != echo {
			t.Errorf("get_volume(%q): uuid tag %q, want echo %v", spelling, out[2], echo)
		}
		if v := decode(t, out, str(spelling)).(map[string]any); v["uuid"] != id {
			t.Errorf("get_volume(%q) uuid %v, want %s", spelling, v["uuid"], id)
		}
	}
}

func TestConcurrentCallsKeepTheInvariants(t *testing.T) {
	for _, strict := range []bool{false, true} {
		s := NewSession(strict)
		done := make(chan struct{})
		for g := range 6 {
			go func() {
				defer func() { done <- struct{}{} }()
				for i := range 100 {
					args := []Arg{str(fmt.Sprintf("g%d-%d", g, i%10)), num(uint64(i))}
					out, ok := s.Call(OpCreateVolume, args, nil)
					if !ok {
						continue // the name is taken: the goroutine made it earlier and, in strict mode, could not delete it
					}
					id := decode(t, out, args...).(map[string]any)["uuid"].(string)
					snapArgs := []Arg{str(id), str("s")}
					sn, ok := s.Call(OpCreateSnapshot, snapArgs, nil)
					if ok && i%3 == 0 {
						sid := decode(t, sn, snapArgs...).(map[string]any)["uuid"].(string)
						s.Call(OpCreateClone, []Arg{str(id), str(sid), str(fmt.Sprintf("c%d-%d", g, i))}, nil)
					}
					s.Call(OpListVolumes, nil, nil)
					s.Call(OpDeleteVolume, []Arg{str(id)}, nil)
				}
			}()
		}
		for range 6 {
			<-done
		}
		if _, err := call(t, s, OpCheckInvariants); err != "" {
			t.Errorf("strict=%v: %s", strict, err)
		}
	}
}
