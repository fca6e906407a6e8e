package durable_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/durable"
)

// TestDamagedFileNeverOpensWrong damages a store file in many ways
// (truncation, a page zeroed, bytes flipped) and requires each Open to
// either refuse with ErrCorrupt or give back exactly the state that was
// stored: never a panic, never a silently smaller or changed state.
//
// The two meta pages (0 and 1) are left alone by the zeroing and flipping:
// bbolt checksums them and, if the newer one is damaged, opens the state of
// the commit before, by design (that is how it survives a torn write), so
// damage there loses the last commit rather than being refused.
func TestDamagedFileNeverOpensWrong(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	orig := filepath.Join(dir, "orig.db")
	b := open(t, orig)
	for i := range 300 {
		v, err := b.CreateVolume(ctx, backend.VolumeSpec{Name: fmt.Sprintf("vol%03d", i), Comment: "some text to fill pages", Attributes: []byte(`{"a":1}`)})
		if err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			if _, err := b.CreateSnapshot(ctx, v.ID, backend.SnapshotSpec{Name: "s"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	want, err := b.Export(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	data, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const page = 4096
	damages := map[string]func([]byte) []byte{
		"truncate": func(d []byte) []byte { return d[:rng.IntN(len(d))] },
		"zero page": func(d []byte) []byte {
			p := 2 + rng.IntN(len(d)/page-2)
			clear(d[p*page : (p+1)*page])
			return d
		},
		"flip bytes": func(d []byte) []byte {
			for range 1 + rng.IntN(8) {
				d[2*page+rng.IntN(len(d)-2*page)] ^= byte(1 + rng.IntN(255))
			}
			return d
		},
	}
	var refused, intact int
	for name, damage := range damages {
		for i := range 60 {
			p := filepath.Join(dir, fmt.Sprintf("%s-%d.db", name, i))
			if err := os.WriteFile(p, damage(append([]byte(nil), data...)), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := func() (_ *durable.Backend, err error) {
				defer func() {
					if r := recover(); r != nil {
						err = fmt.Errorf("panic: %v", r)
					}
				}()
				return durable.Open(p, nil)
			}()
			if err != nil {
				if !errors.Is(err, durable.ErrCorrupt) {
					t.Errorf("%s #%d: Open: %v, want ErrCorrupt", name, i, err)
				}
				refused++
				continue
			}
			st, err := got.Export(ctx)
			got.Close()
			if err != nil {
				t.Fatal(err)
			}
			if d := diffStates(want, st); d != "" {
				t.Errorf("%s #%d: opened with a different state: %s", name, i, d)
			}
			intact++
		}
	}
	t.Logf("%d damaged files refused, %d opened intact", refused, intact)
}
