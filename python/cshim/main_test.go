//go:build cgo

package main

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/nessie-go/nessie/python/internal/abi"
)

func TestHeaderSymbolsAreTheGoOnes(t *testing.T) {
	if got, want := headerSymbols(), abi.Symbols[:]; !slices.Equal(got, want) {
		t.Fatalf("NESSIE_SYMBOLS in nessie.h:\n%q\nabi.Symbols:\n%q", got, want)
	}
}

func TestHeaderShapesAreTheGoOnes(t *testing.T) {
	got := headerShapes()
	if len(got) != len(abi.Shapes) {
		t.Fatalf("%d shapes in nessie.h, %d in abi.Shapes", len(got), len(abi.Shapes))
	}
	for i, keys := range abi.Shapes {
		want := make([]int, len(keys))
		for j, k := range keys {
			want[j] = int(k)
		}
		if !slices.Equal(got[i], want) {
			t.Errorf("shape %d: nessie.h %v, abi.Shapes %v", i, got[i], want)
		}
	}
}

func ptr(s string) *string { return &s }

func TestOpenCallClose(t *testing.T) {
	before := live.Load()
	h := testOpen(false)
	if live.Load() != before+1 {
		t.Fatalf("live = %d after open, want %d", live.Load(), before+1)
	}
	st, out, _ := testCall(h, abi.OpCreateVolume, []*string{ptr("v"), nil}, 4096)
	// a volume dict of the default mode's shape, its name echoing argument 0
	if st != 0 || !bytes.HasPrefix(out, []byte{'D', 0, 'u'}) || !bytes.Contains(out, []byte{'a', 0}) {
		t.Fatalf("create_volume: status %d, reply %q", st, out)
	}
	st, out, _ = testCall(h, abi.OpGetVolume, []*string{ptr("x")}, 4096)
	if st != 1 || !bytes.Contains(out, []byte(`invalid volume uuid "x"`)) {
		t.Fatalf("get_volume(x): status %d, reply %q", st, out)
	}
	if testClose(h) != 0 || testClose(h) != -1 || testClose(0) != -1 {
		t.Fatal("close: want 0 once, then -1")
	}
	if live.Load() != before {
		t.Fatalf("live = %d after close, want %d", live.Load(), before)
	}
	st, out, _ = testCall(h, abi.OpCapabilities, nil, 4096)
	if st != 1 || !bytes.Contains(out, []byte("the backend is closed")) {
		t.Fatalf("call on a closed handle: status %d, reply %q", st, out)
	}
	st, out, _ = testCall(12345, abi.OpCapabilities, nil, 4096)
	if st != 1 || !bytes.Contains(out, []byte("the backend is closed")) {
		t.Fatalf("call on a handle never opened: status %d, reply %q", st, out)
	}
}

func TestRepliesThatDoNotFitComeBackInMallocMemory(t *testing.T) {
	h := testOpen(true)
	defer testClose(h)
	for i := range 50 {
		if st, out, _ := testCall(h, abi.OpCreateVolume, []*string{ptr(fmt.Sprintf("volume-%02d", i)), nil}, 4096); st != 0 {
			t.Fatalf("create: %q", out)
		}
	}
	_, small, moved := testCall(h, abi.OpListVolumes, nil, 64)
	_, large, stayed := testCall(h, abi.OpListVolumes, nil, 1<<20)
	if !moved || stayed {
		t.Fatalf("moved = %v (64-byte buffer), %v (1 MiB buffer)", moved, stayed)
	}
	// the same volumes (in no set order), whichever way the reply came
	if len(small) != len(large) || len(large) < 50*60 {
		t.Fatalf("replies differ or are short: %d and %d bytes", len(small), len(large))
	}
	for i := range 50 {
		name := []byte(fmt.Sprintf("volume-%02d", i))
		if !bytes.Contains(small, name) || !bytes.Contains(large, name) {
			t.Fatalf("%s missing from a reply", name)
		}
	}
}

func TestLiveHandlesOp(t *testing.T) {
	h := testOpen(false)
	defer testClose(h)
	st, out, _ := testCall(0, int(abi.OpLiveHandles), nil, 64)
	want := abi.Int(nil, uint64(live.Load()))
	if st != 0 || !bytes.Equal(out, want) {
		t.Fatalf("live handles: status %d, reply %x, want %x", st, out, want)
	}
}

// Calls from many threads at once, with the handle closed midway: each
// call either runs or reports the backend closed; nothing else.
func TestConcurrentCallsAndClose(t *testing.T) {
	h := testOpen(false)
	done := make(chan error)
	for g := range 8 {
		go func() {
			var bad error
			for i := range 200 {
				st, out, _ := testCall(h, abi.OpCreateVolume, []*string{ptr(fmt.Sprintf("g%d-%d", g, i)), nil}, 256)
				if st != 0 && !bytes.Contains(out, []byte("the backend is closed")) && bad == nil {
					bad = fmt.Errorf("goroutine %d call %d: status %d, reply %q", g, i, st, out)
				}
				if g == 0 && i == 100 {
					testClose(h)
				}
			}
			done <- bad
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
