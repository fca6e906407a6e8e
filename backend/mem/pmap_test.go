package mem

import (
	"context"
	"flag"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/nessie-go/nessie/backend"
)

var seedFlag = flag.Uint64("mem.seed", 0, "seed for the randomised tests (0: pick one and log it)")

// testSeed returns the seed for a randomised test and logs it, so a
// failure can be replayed with -mem.seed.
func testSeed(t *testing.T) uint64 {
	t.Helper()
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (replay with -mem.seed=%d)", seed, seed)
	return seed
}

// Hash functions that make the trie work hard: lowBits collides in the
// first levels, constant sends everything to one collision node.
func lowBits(k uint64) uint64  { return k & 0x3ff }
func constant(uint64) uint64   { return 0xdeadbeef }
func identity(k uint64) uint64 { return k }

func TestPmapMatchesAMapUnderRandomOperations(t *testing.T) {
	for name, hash := range map[string]func(uint64) uint64{
		"identity": identity, "low bits": lowBits, "constant": constant,
		"shared prefix": func(k uint64) uint64 { return k<<60 | 0x0fff_ffff_ffff_ffff },
	} {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(testSeed(t), 1))
			var m pmap[uint64, int]
			model := map[uint64]int{}
			var versions []pmap[uint64, int]
			var models []map[uint64]int
			for i := range 4000 {
				k := rng.Uint64N(600)
				if rng.IntN(3) == 0 {
					m = m.del(hash(k), k)
					delete(model, k)
				} else {
					m = m.set(hash(k), k, i)
					model[k] = i
				}
				if i%500 == 0 {
					versions = append(versions, m)
					models = append(models, clone(model))
				}
			}
			checkPmap(t, m, model, hash)
			// Every earlier version is untouched by later updates.
			for i := range versions {
				checkPmap(t, versions[i], models[i], hash)
			}
			// Deleting everything restores the empty trie.
			for k := range model {
				m = m.del(hash(k), k)
			}
			if m.root != nil || m.len() != 0 {
				t.Errorf("emptied trie: root %v, len %d", m.root, m.len())
			}
		})
	}
}

func clone(m map[uint64]int) map[uint64]int {
	c := make(map[uint64]int, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func checkPmap(t *testing.T, m pmap[uint64, int], model map[uint64]int, hash func(uint64) uint64) {
	t.Helper()
	if err := m.check(hash); err != nil {
		t.Fatal(err)
	}
	if m.len() != len(model) {
		t.Fatalf("len %d, want %d", m.len(), len(model))
	}
	seen := map[uint64]int{}
	m.all(func(k uint64, v int) bool { seen[k] = v; return true })
	if !reflect.DeepEqual(seen, model) {
		t.Fatalf("contents differ from the model")
	}
	for k := range uint64(600) {
		v, ok := m.get(hash(k), k)
		if want, wantOK := model[k]; ok != wantOK || v != want {
			t.Fatalf("get(%d) = %d, %v; want %d, %v", k, v, ok, want, wantOK)
		}
	}
}

func TestPmapCheckCatchesCorruption(t *testing.T) {
	var m pmap[uint64, int]
	for k := range uint64(100) {
		m = m.set(k, k, 0)
	}
	if err := m.check(identity); err != nil {
		t.Fatal(err)
	}
	if err := m.check(func(k uint64) uint64 { return k + 1 }); err == nil {
		t.Error("check accepted entries stored under the wrong hash")
	}
	bad := m
	bad.n++
	if err := bad.check(identity); err == nil {
		t.Error("check accepted a wrong count")
	}
}

func TestPmapAllStopsEarly(t *testing.T) {
	var m pmap[uint64, int]
	for k := range uint64(100) {
		m = m.set(k, k, 0)
	}
	calls := 0
	m.all(func(uint64, int) bool { calls++; return calls < 10 })
	if calls != 10 {
		t.Errorf("all made %d calls after being told to stop at 10", calls)
	}
}

// A version of the state held by a reader is unaffected by every kind of
// later write.
func TestPublishedStateIsImmutable(t *testing.T) {
	b := New(nil)
	t.Cleanup(func() {
		if err := b.CheckInvariants(); err != nil {
			t.Error(err)
		}
	})
	ctx := context.Background()
	v, _ := b.CreateVolume(ctx, backend.VolumeSpec{Name: "v", Size: backend.Bytes(1), JunctionPath: "/v"})
	s1, _ := b.CreateSnapshot(ctx, v.ID, "s1")
	s2, _ := b.CreateSnapshot(ctx, v.ID, "s2")
	other, _ := b.CreateVolume(ctx, backend.VolumeSpec{Name: "other"})

	old := b.root.Load()
	render := func(s *state) []any {
		var out []any
		s.vols.all(func(_ backend.VolumeID, r *volRec) bool {
			snaps := make([]snapRec, len(r.snaps))
			copy(snaps, r.snaps)
			out = append(out, s.volume(r), snaps)
			return true
		})
		return out
	}
	want := render(old)

	c, err := b.CreateClone(ctx, v.ID, s1.ID, "clone")
	if err != nil {
		t.Fatal(err)
	}
	steps := []func() error{
		func() error { _, err := b.CreateSnapshot(ctx, v.ID, "s3"); return err },
		func() error {
			_, err := b.PatchVolume(ctx, v.ID, backend.VolumePatch{Name: new("v2"), State: new(backend.StateOffline)})
			return err
		},
		func() error {
			_, err := b.PatchSnapshot(ctx, v.ID, s1.ID, backend.SnapshotPatch{Name: new("s1b"), Comment: new("c")})
			return err
		},
		func() error { _, err := b.RestoreSnapshot(ctx, v.ID, s2.ID); return err },
		func() error { _, err := b.SplitClone(ctx, c.ID); return err },
		func() error { return b.DeleteSnapshot(ctx, v.ID, s1.ID) },
		func() error { return b.DeleteVolume(ctx, other.ID) },
		func() error { _, err := b.CreateVolume(ctx, backend.VolumeSpec{Name: "other"}); return err },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got := render(old); !reflect.DeepEqual(got, want) {
			t.Fatalf("step %d changed a published state", i)
		}
	}
	if err := old.check(); err != nil {
		t.Errorf("old state no longer consistent: %v", err)
	}
}

// CheckInvariants must notice each kind of damage it claims to detect.
func TestCheckInvariantsDetectsDamage(t *testing.T) {
	ctx := context.Background()
	setup := func() (*Backend, *state, backend.Volume, backend.Volume) {
		b := New(nil)
		p, _ := b.CreateVolume(ctx, backend.VolumeSpec{Name: "p"})
		s, _ := b.CreateSnapshot(ctx, p.ID, "s")
		c, _ := b.CreateClone(ctx, p.ID, s.ID, "c")
		if err := b.CheckInvariants(); err != nil {
			t.Fatal(err)
		}
		return b, b.root.Load(), p, c
	}
	for name, damage := range map[string]func(s *state, p, c backend.Volume) *state{
		"name index points elsewhere": func(s *state, p, c backend.Volume) *state {
			n := *s
			n.withName("p", c.ID)
			return &n
		},
		"name missing from index": func(s *state, p, c backend.Volume) *state {
			n := *s
			n.withoutName("c", c.ID)
			return &n
		},
		"duplicate snapshot names": func(s *state, p, c backend.Volume) *state {
			r, _ := s.vol(p.ID)
			twin := r.snaps[0]
			twin.id, twin.clones = backend.NewSnapshotID(), 0
			d := r.copyRec()
			d.snaps = []snapRec{r.snaps[0], twin}
			return s.withVol(d)
		},
		"clone count too high": func(s *state, p, c backend.Volume) *state {
			r, _ := s.vol(p.ID)
			return s.withVol(r.withCloneDelta(0, +1))
		},
		"clone of a missing snapshot": func(s *state, p, c backend.Volume) *state {
			r, _ := s.vol(c.ID)
			d := r.copyRec()
			d.origin.snap = backend.NewSnapshotID()
			return s.withVol(d)
		},
		"offline but mounted": func(s *state, p, c backend.Volume) *state {
			r, _ := s.vol(p.ID)
			d := r.copyRec()
			d.state, d.junction = backend.StateOffline, "/p"
			return s.withVol(d)
		},
		"parent deleted under a clone": func(s *state, p, c backend.Volume) *state {
			n := s.withoutVol(p.ID)
			n.withoutName("p", p.ID)
			return n
		},
	} {
		t.Run(name, func(t *testing.T) {
			b, s, p, c := setup()
			b.root.Store(damage(s, p, c))
			if err := b.CheckInvariants(); err == nil {
				t.Error("CheckInvariants found nothing wrong")
			} else {
				t.Log(err)
			}
		})
	}
}

// A writer whose context is cancelled while it waits for the writer lock
// gives up without effect.
func TestContextCancelledWhileWaitingForTheLock(t *testing.T) {
	b := New(nil)
	ctx, cancel := context.WithCancel(context.Background())
	b.mu.Lock()
	result := make(chan error)
	go func() {
		_, err := b.CreateVolume(ctx, backend.VolumeSpec{Name: "late"})
		result <- err
	}()
	cancel()
	b.mu.Unlock()
	if err := <-result; err != context.Canceled {
		t.Errorf("error = %v, want context.Canceled", err)
	}
	if n := b.root.Load().vols.len(); n != 0 {
		t.Errorf("%d volumes exist after a cancelled create", n)
	}
}
