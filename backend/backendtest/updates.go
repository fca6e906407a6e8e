package backendtest

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/nessie-go/nessie/backend"
)

// writesPerRacer is how many writes each goroutine makes in the
// lost-update cases.
const writesPerRacer = 25

// updateCases check that concurrent read-modify-write operations on one
// object lose nothing: each call's change survives every other's, which
// fails if a backend reads, changes and stores an object without
// excluding other writers.
func updateCases() []testCase {
	return []testCase{
		{
			name: "Snapshot/Concurrency/ConcurrentSnapshotsOfOneVolumeAreAllKept",
			tier: tierSnapshot,
			rule: fmt.Sprintf("%d goroutines each taking %d differently named snapshots of one volume at once: every snapshot is kept, none lost to another's update of the volume", racers, writesPerRacer),
			run: func(e *env) {
				v := e.volume("vol")
				errs := race(racers, func(g int) error {
					for i := range writesPerRacer {
						if _, err := e.s.CreateSnapshot(e.ctx, v.ID, backend.SnapshotSpec{Name: e.name(fmt.Sprintf("g%d_%d", g, i))}); err != nil {
							return err
						}
					}
					return nil
				})
				for g, err := range errs {
					e.ok(fmt.Sprintf("goroutine %d: CreateSnapshot", g), err)
				}
				snaps := e.snaps(v.ID)
				have := make(map[string]bool, len(snaps))
				for _, s := range snaps {
					have[s.Name] = true
				}
				for g := range racers {
					for i := range writesPerRacer {
						if n := e.name(fmt.Sprintf("g%d_%d", g, i)); !have[n] {
							e.errorf("snapshot %q was lost", n)
						}
					}
				}
				if len(snaps) != racers*writesPerRacer {
					e.errorf("%d snapshots, want %d", len(snaps), racers*writesPerRacer)
				}
			},
		},
		{
			name: "Volume/Concurrency/ConcurrentMergePatchesAreAllKept",
			rule: fmt.Sprintf("%d goroutines each merging %d new attribute keys into one volume at once: every key is kept (on a backend that keeps no attributes, goroutines patching different fields each leave their last value)", racers, writesPerRacer),
			run:  concurrentMerges,
		},
	}
}

func concurrentMerges(e *env) {
	v := e.volume("vol")
	if e.o.NoAttributes {
		fields := []func(i int) backend.VolumePatch{
			func(i int) backend.VolumePatch { return backend.VolumePatch{Comment: new("c" + strconv.Itoa(i))} },
			func(i int) backend.VolumePatch { return backend.VolumePatch{ExportPolicy: new("p" + strconv.Itoa(i))} },
			func(i int) backend.VolumePatch {
				return backend.VolumePatch{Size: new(backend.Bytes(uint64(i+1) * gib))}
			},
			func(i int) backend.VolumePatch {
				return backend.VolumePatch{JunctionPath: new("/" + e.name(strconv.Itoa(i)))}
			},
		}
		errs := race(len(fields), func(g int) error {
			for i := range writesPerRacer {
				if _, err := e.b.PatchVolume(e.ctx, v.ID, fields[g](i)); err != nil {
					return err
				}
			}
			return nil
		})
		for g, err := range errs {
			e.ok(fmt.Sprintf("goroutine %d: PatchVolume", g), err)
		}
		last := writesPerRacer - 1
		got := e.get(v.ID)
		if got.Comment != "c"+strconv.Itoa(last) || got.ExportPolicy != "p"+strconv.Itoa(last) ||
			got.Size != backend.Bytes(uint64(last+1)*gib) || got.JunctionPath != "/"+e.name(strconv.Itoa(last)) {
			e.errorf("after concurrent patches of different fields: comment %q, policy %q, size %v, junction %q; want each goroutine's last value",
				got.Comment, got.ExportPolicy, got.Size, got.JunctionPath)
		}
		return
	}
	errs := race(racers, func(g int) error {
		for i := range writesPerRacer {
			patch := json.RawMessage(fmt.Sprintf(`{"g%d_%d":%d}`, g, i, i))
			if _, err := e.b.PatchVolume(e.ctx, v.ID, backend.VolumePatch{Attributes: patch}); err != nil {
				return err
			}
		}
		return nil
	})
	for g, err := range errs {
		e.ok(fmt.Sprintf("goroutine %d: PatchVolume", g), err)
	}
	var got map[string]int
	if err := json.Unmarshal(e.get(v.ID).Attributes, &got); err != nil {
		e.fatalf("the merged attributes do not decode: %v", err)
	}
	lost := 0
	for g := range racers {
		for i := range writesPerRacer {
			if _, ok := got[fmt.Sprintf("g%d_%d", g, i)]; !ok {
				lost++
			}
		}
	}
	if lost > 0 || len(got) != racers*writesPerRacer {
		e.errorf("%d of %d merged keys were lost (%d kept)", lost, racers*writesPerRacer, len(got))
	}
}
