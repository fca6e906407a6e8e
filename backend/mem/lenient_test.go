package mem_test

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/backendtest"
	"github.com/nessie-go/nessie/backend/mem"
)

func lenient(t *testing.T) *mem.Backend { return newBackend(t, &mem.Options{Lenient: true}) }

// Lenient names: anything goes, once per volume (or per volume's
// snapshots), for volumes, snapshots, clones and renames alike.
func TestLenientAcceptsAnyNameOnce(t *testing.T) {
	b := lenient(t)
	names := []string{"", "a/b", "nul\x00byte", strings.Repeat("x", 300), "\xff"}
	var vols []backend.Volume
	for _, name := range names {
		v := mustVolume(t, b, name, backend.Bytes(1))
		if v.Name != name {
			t.Fatalf("stored name %q, want %q", v.Name, name)
		}
		if got, err := b.VolumeByName(ctx, name); err != nil || got.ID != v.ID {
			t.Fatalf("VolumeByName(%q) = %v, %v", name, got.ID, err)
		}
		_, err := b.CreateVolume(ctx, backend.VolumeSpec{Name: name})
		wantErr(t, err, backend.KindAlreadyExists, backend.ResourceVolume)
		vols = append(vols, v)
	}
	for _, name := range names {
		s := mustSnapshot(t, b, vols[0].ID, name)
		_, err := b.CreateSnapshot(ctx, vols[0].ID, backend.SnapshotSpec{Name: name})
		wantErr(t, err, backend.KindAlreadyExists, backend.ResourceSnapshot)
		if got, err := b.SnapshotByName(ctx, vols[0].ID, name); err != nil || got.ID != s.ID {
			t.Fatalf("SnapshotByName(%q) = %v, %v", name, got.ID, err)
		}
	}
	snaps, _ := b.ListSnapshots(ctx, vols[0].ID)
	c, err := b.CreateClone(ctx, backend.CloneSpec{Name: "clone/1", ParentVolume: vols[0].ID, ParentSnapshot: snaps[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.CreateClone(ctx, backend.CloneSpec{Name: "", ParentVolume: vols[0].ID, ParentSnapshot: snaps[0].ID}); !errors.Is(err, backend.ErrAlreadyExists) {
		t.Fatalf("clone onto the taken empty name: %v", err)
	}
	if _, err := b.CreateClone(ctx, backend.CloneSpec{Name: "fresh/", ParentVolume: c.ID, NewSnapshotName: ""}); err != nil {
		t.Fatalf("clone of a new snapshot with an empty name: %v", err)
	}
	if _, err := b.PatchVolume(ctx, c.ID, backend.VolumePatch{Name: new("renamed\x00")}); err != nil {
		t.Fatalf("rename to a name with NUL: %v", err)
	}
	if _, err := b.PatchSnapshot(ctx, vols[0].ID, snaps[1].ID, backend.SnapshotPatch{Name: new("")}); !errors.Is(err, backend.ErrAlreadyExists) {
		t.Fatalf("snapshot rename onto the taken empty name: %v", err)
	}
}

// Only name rules are relaxed: other fields are still validated, and the
// error names the request's own name, not a placeholder.
func TestLenientStillValidatesOtherFields(t *testing.T) {
	b := lenient(t)
	_, err := b.CreateVolume(ctx, backend.VolumeSpec{Name: "a/b", JunctionPath: "relative"})
	wantErr(t, err, backend.KindInvalidArgument, backend.ResourceVolume)
	var be *backend.Error
	if errors.As(err, &be) && be.Name != "a/b" {
		t.Errorf("error names %q, want the request's name %q", be.Name, "a/b")
	}
	v := mustVolume(t, b, "v", backend.Bytes(1))
	_, err = b.PatchVolume(ctx, v.ID, backend.VolumePatch{Name: new("x/y"), Comment: new("bad\xff")})
	wantErr(t, err, backend.KindInvalidArgument, backend.ResourceVolume)
	_, err = b.CreateSnapshot(ctx, v.ID, backend.SnapshotSpec{Name: "", Comment: strings.Repeat("c", backend.MaxCommentLen+1)})
	wantErr(t, err, backend.KindInvalidArgument, backend.ResourceSnapshot)
}

// Deleting what clones depend on succeeds; each clone keeps the origin
// names it had and pins nothing, and CheckInvariants (run at cleanup)
// holds throughout.
func TestLenientDeletesParentsAndClonesKeepTheirOrigin(t *testing.T) {
	b := lenient(t)
	p := mustVolume(t, b, "parent", backend.Bytes(1))
	s1 := mustSnapshot(t, b, p.ID, "s1")
	s2 := mustSnapshot(t, b, p.ID, "s2")
	c1 := mustClone(t, b, p.ID, s1.ID, "c1")
	c2 := mustClone(t, b, p.ID, s2.ID, "c2")

	// A deleted snapshot: its clone keeps the names, even when the parent
	// is renamed afterwards.
	if err := b.DeleteSnapshot(ctx, p.ID, s1.ID); err != nil {
		t.Fatalf("DeleteSnapshot with a dependent clone: %v", err)
	}
	check(t, b)
	if _, err := b.PatchVolume(ctx, p.ID, backend.VolumePatch{Name: new("parent2")}); err != nil {
		t.Fatal(err)
	}
	want1 := backend.CloneOrigin{ParentVolume: "parent", ParentSnapshot: "s1", ParentVolumeID: p.ID, ParentSnapshotID: s1.ID}
	if got := mustGet(t, b, c1.ID).Clone; got == nil || *got != want1 {
		t.Errorf("clone of a deleted snapshot reports origin %+v, want %+v", got, want1)
	}
	// c2 still follows renames: its snapshot is alive.
	want2 := backend.CloneOrigin{ParentVolume: "parent2", ParentSnapshot: "s2", ParentVolumeID: p.ID, ParentSnapshotID: s2.ID}
	if got := mustGet(t, b, c2.ID).Clone; got == nil || *got != want2 {
		t.Errorf("clone of a live snapshot reports origin %+v, want %+v", got, want2)
	}
	// A deleted parent volume.
	if err := b.DeleteVolume(ctx, p.ID); err != nil {
		t.Fatalf("DeleteVolume with a dependent clone: %v", err)
	}
	check(t, b)
	if got := mustGet(t, b, c2.ID).Clone; got == nil || *got != want2 {
		t.Errorf("clone of a deleted parent reports origin %+v, want %+v", got, want2)
	}
	// The orphans are full volumes: snapshot, clone, split and delete.
	s := mustSnapshot(t, b, c2.ID, "own")
	cc := mustClone(t, b, c2.ID, s.ID, "grandchild")
	if err := b.DeleteVolume(ctx, c2.ID); err != nil {
		t.Fatalf("deleting an orphan clone whose snapshot backs a clone: %v", err)
	}
	if v, err := b.SplitClone(ctx, c1.ID); err != nil || v.Clone != nil {
		t.Fatalf("SplitClone of an orphan: %+v, %v", v.Clone, err)
	}
	for _, id := range []backend.VolumeID{c1.ID, cc.ID} {
		if err := b.DeleteVolume(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if vols, _ := b.ListVolumes(ctx); len(vols) != 0 {
		t.Errorf("%d volumes left", len(vols))
	}
}

func check(t *testing.T, b *mem.Backend) {
	t.Helper()
	if err := b.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
}

// A lenient clone takes the parent's current size; restore still refuses
// to delete a snapshot a clone depends on.
func TestLenientCloneSizeAndRestore(t *testing.T) {
	b := lenient(t)
	p := mustVolume(t, b, "p", backend.Bytes(1))
	s1 := mustSnapshot(t, b, p.ID, "s1")
	s2 := mustSnapshot(t, b, p.ID, "s2")
	if _, err := b.PatchVolume(ctx, p.ID, backend.VolumePatch{Size: new(backend.Bytes(5))}); err != nil {
		t.Fatal(err)
	}
	c := mustClone(t, b, p.ID, s2.ID, "c")
	if c.Size != backend.Bytes(5) {
		t.Errorf("lenient clone has size %v, want the parent's current 5", c.Size)
	}
	strict := newBackend(t, nil)
	q := mustVolume(t, strict, "p", backend.Bytes(1))
	qs := mustSnapshot(t, strict, q.ID, "s")
	strict.PatchVolume(ctx, q.ID, backend.VolumePatch{Size: new(backend.Bytes(5))})
	if sc := mustClone(t, strict, q.ID, qs.ID, "c"); sc.Size != backend.Bytes(1) {
		t.Errorf("strict clone has size %v, want the size at snapshot time 1", sc.Size)
	}
	before := observe(t, b)
	_, err := b.RestoreSnapshot(ctx, p.ID, s1.ID)
	wantErr(t, err, backend.KindInUse, backend.ResourceSnapshot)
	wantUnchanged(t, b, before)
}

// The doc says a lenient backend fails the conformance suite by design;
// this pins where, so that the claim stays true and the relaxations stay
// exactly the three documented.
func TestLenientFailsTheSuiteWhereDocumented(t *testing.T) {
	var (
		mu   sync.Mutex
		made []*mem.Backend
	)
	err := backendtest.Check(t.Context(), func() (backend.VolumeBackend, error) {
		b := mem.New(&mem.Options{Lenient: true})
		mu.Lock()
		made = append(made, b)
		mu.Unlock()
		return b, nil
	}, &backendtest.Options{StressWorkers: 2, StressOps: 20})
	// Whatever the suite did, pass or fail, left consistent state.
	for _, b := range made {
		if err := b.CheckInvariants(); err != nil {
			t.Errorf("invariants after a suite case: %v", err)
		}
	}
	var failed []string
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			var f *backendtest.Failure
			if errors.As(e, &f) {
				failed = append(failed, f.Case)
			}
		}
	}
	// Each case a lenient backend may fail, with the relaxation that
	// explains it; the first four must fail.
	explained := map[string]string{
		"Volume/Create/InvalidNameIsInvalidArgument":                    "names",
		"Clone/Create/InheritsTheSizeAtSnapshotTime":                    "size",
		"Clone/Delete/SnapshotInUseByCloneIsInUse":                      "deletes",
		"Clone/Delete/VolumeWithASnapshotBackingACloneIsInUse":          "deletes",
		"Volume/Patch/InvalidPatchIsInvalidArgumentAndChangesNothing":   "names",
		"Snapshot/Create/InvalidNameIsInvalidArgument":                  "names",
		"Snapshot/Patch/InvalidPatchIsInvalidArgumentAndChangesNothing": "names",
		"Clone/Create/InvalidNameIsInvalidArgument":                     "names",
		"Clone/Create/RefusedCloneOfANewSnapshotLeavesNoSnapshot":       "names",
		"Replication/Stream/InvalidDestinationNameIsInvalidArgument":    "names",
		"Clone/Create/WithoutAParentSnapshotSnapshotsTheParentNow":      "deletes",
		"Clone/Delete/ChainsAreReleasedLeafFirst":                       "deletes",
		"Concurrency/MixedOperationsKeepTheInvariants":                  "deletes",
		"Clone/Concurrency/CloneRacingSnapshotDeleteNeverBothSucceed":   "deletes",
		"Restore/Export/RoundTripIsIdentical":                           "size",
		"Restore/Then/ContractHolds":                                    "size",
	}
	for _, want := range []string{
		"Volume/Create/InvalidNameIsInvalidArgument",
		"Clone/Create/InheritsTheSizeAtSnapshotTime",
		"Clone/Delete/SnapshotInUseByCloneIsInUse",
		"Clone/Delete/VolumeWithASnapshotBackingACloneIsInUse",
	} {
		if !slices.Contains(failed, want) {
			t.Errorf("lenient mem passed %s", want)
		}
	}
	for _, f := range failed {
		if explained[f] == "" {
			t.Errorf("lenient mem fails %s, which none of the three relaxations explains", f)
		}
	}
	t.Logf("lenient mem fails %d cases: %q", len(failed), failed)
}
