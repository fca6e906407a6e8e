//go:build cgo

package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/nessie-go/nessie/python/internal/abi"
)

// These tests drive the exports' Go bodies with Go memory; the Python
// tests (python/tests/test_abi.py) drive the real C entry points.

func mustOpen(t *testing.T, config string) uintptr {
	t.Helper()
	h, err := open([]byte(config))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeHandle(uintptr(h)) })
	return uintptr(h)
}

// do runs a request with a buffer of the given size and returns the
// reply and whether it is a result, following the overflow protocol.
func do(t *testing.T, h uintptr, req string, size int) (string, bool) {
	t.Helper()
	buf := make([]byte, size)
	r := call(h, []byte(req), unsafe.Pointer(&buf[0]), int64(size))
	switch {
	case r > 0:
		return string(buf[:r]), true
	case r < 0:
		return string(buf[:-r]), false
	}
	ptr := *(*unsafe.Pointer)(unsafe.Pointer(&buf[0])) // C memory, outside the Go heap
	n := binary.NativeEndian.Uint64(buf[8:])
	status := binary.NativeEndian.Uint64(buf[16:])
	out := string(unsafe.Slice((*byte)(ptr), n))
	nessie_free(ptr)
	return out, status == 0
}

func TestLifecycle(t *testing.T) {
	before := live.Load()
	h, err := open(nil)
	if err != nil {
		t.Fatal(err)
	}
	if live.Load() != before+1 {
		t.Errorf("live = %d after open, want %d", live.Load(), before+1)
	}
	if out, ok := do(t, uintptr(h), `["capabilities"]`, 256); !ok || !strings.Contains(out, `"clones":true`) {
		t.Errorf("capabilities: %s", out)
	}
	if closeHandle(uintptr(h)) != 0 {
		t.Error("close of an open handle failed")
	}
	if live.Load() != before {
		t.Errorf("live = %d after close, want %d", live.Load(), before)
	}
	out, ok := do(t, uintptr(h), `["capabilities"]`, 256)
	if ok || !strings.Contains(out, "closed") {
		t.Errorf("call on a closed handle: %v %s", ok, out)
	}
	if closeHandle(uintptr(h)) != -1 || closeHandle(0) != -1 || closeHandle(12345678) != -1 {
		t.Error("closing a handle that is not open did not return -1")
	}
	if live.Load() != before {
		t.Errorf("failed closes changed the count to %d", live.Load())
	}
}

func TestOpenConfig(t *testing.T) {
	for _, cfg := range []string{`{"encoding":"xml"}`, `{`, `[]`} {
		if h, err := open([]byte(cfg)); err == nil {
			closeHandle(uintptr(h))
			t.Errorf("open(%s) succeeded", cfg)
		}
	}
	h := mustOpen(t, `{"encoding":"marshal"}`)
	if out, ok := do(t, h, `["capabilities"]`, 64); !ok || out[0] != '{' || strings.Contains(out, `"`) {
		t.Errorf("a marshal handle replied %q", out)
	}
}

func TestOverflow(t *testing.T) {
	h := mustOpen(t, `{}`)
	for i := range 40 {
		if out, ok := do(t, h, fmt.Sprintf(`["create_volume","v%d"]`, i), 1024); !ok {
			t.Fatal(out)
		}
	}
	out, ok := do(t, h, `["list_volumes"]`, 64)
	var vs []map[string]any
	if !ok || json.Unmarshal([]byte(out), &vs) != nil || len(vs) != 40 {
		t.Errorf("overflowed list: ok=%v, %d bytes", ok, len(out))
	}
	// JSON escapes can outgrow the block sized for the list: the reply
	// then moves to the Go heap and C gets a copy.
	ctl := strings.Repeat("\x01", 250)
	for i := range 20 {
		name, _ := json.Marshal(fmt.Sprint(i, ctl))
		if out, ok := do(t, h, fmt.Sprintf(`["create_volume",%s]`, name), 4096); !ok {
			t.Fatal(out)
		}
	}
	out, ok = do(t, h, `["list_volumes"]`, 64)
	if !ok || json.Unmarshal([]byte(out), &vs) != nil || len(vs) != 60 {
		t.Errorf("escaped list: ok=%v, %d volumes", ok, len(vs))
	}
	// A failure that does not fit takes the same path, with status 1.
	long := strings.Repeat("x", 300)
	out, ok = do(t, h, fmt.Sprintf(`["get_volume",%q]`, long), 64)
	if ok || !strings.Contains(out, long) {
		t.Errorf("overflowed failure: ok=%v %s", ok, out)
	}
}

func TestBadBuffers(t *testing.T) {
	h := mustOpen(t, `{}`)
	var small [23]byte
	if r := call(h, []byte(`["capabilities"]`), unsafe.Pointer(&small[0]), int64(len(small))); r != math.MinInt64 {
		t.Errorf("a 23-byte buffer gave %d", r)
	}
	if r := call(h, []byte(`["capabilities"]`), nil, 1024); r != math.MinInt64 {
		t.Errorf("a nil buffer gave %d", r)
	}
}

func TestModuleRequests(t *testing.T) {
	mustOpen(t, `{}`)
	out, ok := do(t, 0, `["stats"]`, 256)
	var st map[string]int64
	if !ok || json.Unmarshal([]byte(out), &st) != nil || st["handles"] != live.Load() || st["handles"] < 1 {
		t.Errorf("stats: %s (live %d)", out, live.Load())
	}
}

// doOp is do for a decoded request (nessie_call_op's Go body).
func doOp(t *testing.T, h uintptr, op int, args []abi.Arg, size int) (string, bool) {
	t.Helper()
	buf := make([]byte, size)
	r := callOp(h, op, args, unsafe.Pointer(&buf[0]), int64(size))
	switch {
	case r > 0:
		return string(buf[:r]), true
	case r < 0:
		return string(buf[:-r]), false
	}
	ptr := *(*unsafe.Pointer)(unsafe.Pointer(&buf[0]))
	n := binary.NativeEndian.Uint64(buf[8:])
	status := binary.NativeEndian.Uint64(buf[16:])
	out := string(unsafe.Slice((*byte)(ptr), n))
	nessie_free(ptr)
	return out, status == 0
}

func TestCallOpMatchesCall(t *testing.T) {
	h := mustOpen(t, `{"encoding":"json"}`)
	op := func(name string) int { return slices.Index(opNames(), name) }
	var last struct{ UUID string }
	for i := range 40 { // enough volumes for the list to overflow 1 KiB
		name := abi.Arg{Kind: abi.ArgString, S: fmt.Sprintf("v%02d", i)}
		got, ok := doOp(t, h, op("create_volume"), []abi.Arg{name, {Kind: abi.ArgUint, U: 1 << 30}}, 4096)
		if !ok || !strings.Contains(got, `"size_bytes":1073741824`) {
			t.Fatalf("create_volume: %v %s", ok, got)
		}
		if err := json.Unmarshal([]byte(got), &last); err != nil {
			t.Fatal(err)
		}
	}
	uuid := abi.Arg{Kind: abi.ArgString, S: last.UUID}
	for _, c := range []struct {
		name string
		args []abi.Arg
		req  string
		size int
	}{
		{"list_volumes", nil, `["list_volumes"]`, 1024},
		{"capabilities", nil, `["capabilities"]`, 64},
		{"get_volume", []abi.Arg{uuid}, `["get_volume","` + last.UUID + `"]`, 4096},
		{"get_volume", []abi.Arg{uuid}, `["get_volume","` + last.UUID + `"]`, 32}, // overflows
		{"list_snapshots", []abi.Arg{uuid}, `["list_snapshots","` + last.UUID + `"]`, 32},
		{"get_volume", []abi.Arg{{Kind: abi.ArgString, S: "nope"}}, `["get_volume","nope"]`, 4096},
		{"create_volume", []abi.Arg{{Kind: abi.ArgString, S: "v00"}}, `["create_volume","v00"]`, 4096},
	} {
		got, gotOK := doOp(t, h, op(c.name), c.args, c.size)
		want, wantOK := do(t, h, c.req, c.size)
		if !sameReply(got, want) || gotOK != wantOK {
			t.Errorf("%s: callOp %v %s\ncall %v %s", c.name, gotOK, got, wantOK, want)
		}
	}
	if out, ok := doOp(t, 0, op("capabilities"), nil, 256); ok || !strings.Contains(out, "closed") {
		t.Errorf("handle 0 serves no decoded requests: %v %s", ok, out)
	}
	if r := callOp(h, op("capabilities"), nil, nil, 0); r != math.MinInt64 {
		t.Errorf("no buffer: %d", r)
	}
}

// opNames lists the operation names of abi.Ops in order.
func opNames() []string {
	var names []string
	for _, o := range abi.Ops {
		names = append(names, o[:strings.IndexByte(o, '(')])
	}
	return names
}

// sameReply compares two JSON replies, ignoring the order of a list
// (the backend lists in no guaranteed order).
func sameReply(a, b string) bool {
	var av, bv any
	if json.Unmarshal([]byte(a), &av) != nil || json.Unmarshal([]byte(b), &bv) != nil {
		return a == b
	}
	sortList := func(v any) any {
		if l, ok := v.([]any); ok {
			slices.SortFunc(l, func(x, y any) int { return strings.Compare(fmt.Sprint(x), fmt.Sprint(y)) })
		}
		return v
	}
	return reflect.DeepEqual(sortList(av), sortList(bv))
}
