package backendtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/backendtest"
	"github.com/nessie-go/nessie/backend/mem"
)

// variant is mem behind a tier wrapper, possibly broken on purpose.
type variant struct {
	name  string
	shape shape
	caps  *backend.Capabilities // what Capabilities claims; nil for the truth
	make  func(m *mem.Backend) impl
	fails string // a case that must fail; "" if the variant must pass
	// noAttrs runs the suite with Options.NoAttributes set.
	noAttrs bool
}

func plain(m *mem.Backend) impl { return m }

// variants lists mem intact at every tier, and then broken backends that
// each violate one rule, naming a case that must catch it.
func variants() []variant {
	return []variant{
		{name: "IntactFull", shape: fullShape, make: plain},
		{name: "IntactVolumeOnly", shape: volumeShape, make: plain},
		{name: "IntactSnapshotOnly", shape: snapshotShape, make: plain},
		{name: "IntactClones", shape: cloneShape, make: plain},
		{name: "IntactReplicationWithoutClones", shape: replicationShape, make: plain},

		{name: "DuplicateVolumeNamesAllowed", shape: fullShape,
			make: func(m *mem.Backend) impl { return dupVolumeNames{m} }, fails: "Volume/Create/DuplicateNameIsAlreadyExists"},
		{name: "DuplicateSnapshotNamesAllowed", shape: fullShape,
			make: func(m *mem.Backend) impl { return dupSnapshotNames{m} }, fails: "Snapshot/Create/DuplicateNameOnOneVolumeIsAlreadyExists"},
		{name: "NoCascadeOnVolumeDelete", shape: fullShape,
			make: func(m *mem.Backend) impl {
				return &noCascade{Backend: m, ghosts: map[backend.VolumeID][]backend.Snapshot{}}
			},
			fails: "Snapshot/Cascade/DeletingAVolumeDeletesItsSnapshots"},
		{name: "NotFoundReportedAsInternal", shape: fullShape,
			make: func(m *mem.Backend) impl { return notFoundAsInternal{m} }, fails: "Volume/Get/UnknownIDIsVolumeNotFound"},
		{name: "BareKindInsteadOfBackendError", shape: fullShape,
			make: func(m *mem.Backend) impl { return bareKind{m} }, fails: "Volume/Create/DuplicateNameIsAlreadyExists"},
		{name: "VolumeNotFoundReportedAsSnapshotNotFound", shape: fullShape,
			make: func(m *mem.Backend) impl { return volumeAsSnapshotNotFound{m} }, fails: "Snapshot/Lookup/UnknownVolumeIsVolumeNotFound"},
		{name: "ClaimsClonesWithoutImplementingThem", shape: snapshotShape, caps: &backend.Capabilities{Snapshots: true, Clones: true},
			make: plain, fails: "Capabilities/ClonesClaimedExactlyWhenImplemented"},
		{name: "ImplementsClonesWithoutClaimingThem", shape: cloneShape, caps: &backend.Capabilities{Snapshots: true},
			make: plain, fails: "Capabilities/ClonesClaimedExactlyWhenImplemented"},
		{name: "ImplementsReplicationWithoutClaimingIt", shape: replicationShape, caps: &backend.Capabilities{Snapshots: true},
			make: plain, fails: "Capabilities/ReplicationClaimedExactlyWhenImplemented"},
		{name: "ClaimsReplicationWithoutSnapshots", shape: volumeShape, caps: &backend.Capabilities{Replication: true},
			make: plain, fails: "Capabilities/AreConsistentAndStable"},
		{name: "CloneWithoutOrigin", shape: fullShape,
			make: func(m *mem.Backend) impl { return noOrigin{m} }, fails: "Clone/Lifecycle/CreateGetDelete"},
		{name: "CloneTakesTheParentsCurrentSize", shape: fullShape,
			make: func(m *mem.Backend) impl { return currentSizeClone{m} }, fails: "Clone/Create/InheritsTheSizeAtSnapshotTime"},
		{name: "OriginNamesFrozenAtCloneTime", shape: fullShape,
			make: func(m *mem.Backend) impl {
				return &frozenOrigins{Backend: m, at: map[backend.VolumeID]backend.CloneOrigin{}}
			}, fails: "Clone/Origin/FollowsRenamesOfTheParentVolumeAndSnapshot"},
		{name: "DeleteOfSnapshotInUseAllowed", shape: fullShape,
			make: func(m *mem.Backend) impl { return forceSnapshotDelete{m} }, fails: "Clone/Delete/SnapshotInUseByCloneIsInUse"},
		{name: "DeleteOfVolumeBackingACloneAllowed", shape: fullShape,
			make: func(m *mem.Backend) impl { return forceVolumeDelete{m} }, fails: "Clone/Delete/VolumeWithASnapshotBackingACloneIsInUse"},
		{name: "SplitOfNonCloneAllowed", shape: fullShape,
			make: func(m *mem.Backend) impl { return lenientSplit{m} }, fails: "Clone/Split/NonCloneIsInvalidArgument"},
		{name: "PatchedExportPolicyNotStored", shape: fullShape,
			make: func(m *mem.Backend) impl { return dropsExportPolicy{m} }, fails: "Volume/Patch/EveryFieldIsStoredAndReadBack"},
		{name: "PatchValidatedBeforeExistence", shape: fullShape,
			make: func(m *mem.Backend) impl { return validatesFirst{m} }, fails: "Volume/Patch/UnknownVolumeIsVolumeNotFoundEvenWithAnInvalidPatch"},
		{name: "MountingOfflineVolumeAllowed", shape: fullShape,
			make: func(m *mem.Backend) impl { return mountsOffline{m} }, fails: "Volume/Patch/MountingAVolumeThatIsNotOnlineIsInUse"},
		{name: "SnapshotCreateTimeMissing", shape: fullShape,
			make: func(m *mem.Backend) impl { return noCreateTime{m} }, fails: "Snapshot/Create/ReturnsTheStoredSnapshot"},
		{name: "SnapshotsListedNewestFirst", shape: fullShape,
			make: func(m *mem.Backend) impl { return newestFirst{m} }, fails: "Snapshot/List/IsOldestFirst"},
		{name: "RestoreKeepsNewerSnapshots", shape: fullShape,
			make: func(m *mem.Backend) impl { return restoreKeepsNewer{m} }, fails: "Snapshot/Restore/RevertsTheSizeAndDeletesNewerSnapshots"},
		{name: "CancelledContextStillTakesEffect", shape: fullShape,
			make: func(m *mem.Backend) impl { return lateCancel{m} }, fails: "Volume/Context/CancelledCallsHaveNoEffect"},
		{name: "ContextErrorWrapped", shape: fullShape,
			make: func(m *mem.Backend) impl { return wrapsContextError{m} }, fails: "Volume/Context/CancelledCallsHaveNoEffect"},
		{name: "ReturnedValuesAliasACache", shape: fullShape,
			make: func(m *mem.Backend) impl { return &aliasingCache{Backend: m} }, fails: "Volume/Values/ReturnedVolumesBelongToTheCaller"},
		{name: "ListRepeatsAVolume", shape: fullShape,
			make: func(m *mem.Backend) impl { return listRepeats{m} }, fails: "Concurrency/MixedOperationsKeepTheInvariants"},
		{name: "UnknownStreamSnapshotIsNotFound", shape: fullShape,
			make: func(m *mem.Backend) impl { return sendWrongKind{m} }, fails: "Replication/Stream/UnknownSnapshotOrBaseIsInvalidArgument"},
		{name: "PanicsOnUnknownVolume", shape: fullShape,
			make: func(m *mem.Backend) impl { return panicky{m} }, fails: "Volume/Get/UnknownIDIsVolumeNotFound"},
		{name: "ListingStopsAt100", shape: fullShape,
			make: func(m *mem.Backend) impl { return firstPageOnly{m} }, fails: "Volume/List/ListsEveryVolumeAtScale"},
		{name: "NamesCaseInsensitive", shape: fullShape,
			make: func(m *mem.Backend) impl { return foldsCase{m} }, fails: "Volume/ByName/NamesAreCaseSensitive"},
		{name: "MergeOutsideTheLockLosesUpdates", shape: fullShape,
			make: func(m *mem.Backend) impl { return lossyMerge{m} }, fails: "Volume/Concurrency/ConcurrentMergePatchesAreAllKept"},
		{name: "SnapshotListRewrittenOutsideTheLock", shape: fullShape,
			make: func(m *mem.Backend) impl { return &lossySnapshots{Backend: m} }, fails: "Snapshot/Concurrency/ConcurrentSnapshotsOfOneVolumeAreAllKept"},
		{name: "RefusedCloneLeavesItsSnapshot", shape: fullShape,
			make: func(m *mem.Backend) impl { return twoStepClone{m} }, fails: "Clone/Create/RefusedCloneOfANewSnapshotLeavesNoSnapshot"},
		{name: "AttributesDropped", shape: fullShape,
			make: func(m *mem.Backend) impl { return dropsAttributes{m} }, fails: "Volume/Attributes/AreStoredVerbatim"},
		{name: "AttributePatchReplacesInsteadOfMerging", shape: fullShape,
			make: func(m *mem.Backend) impl { return replacesAttributes{m} }, fails: "Volume/Attributes/PatchIsAnRFC7386MergePatch"},
		{name: "AttributesKeptThoughDeclaredUnsupported", shape: fullShape, noAttrs: true,
			make: plain, fails: "Volume/Attributes/AreStoredVerbatim"},
		{name: "SnapshotSpecCommentDropped", shape: fullShape,
			make: func(m *mem.Backend) impl { return dropsSnapshotComment{m} }, fails: "Snapshot/Create/SpecCommentIsStored"},
		{name: "CreateIgnoresTheSpecState", shape: fullShape,
			make: func(m *mem.Backend) impl { return ignoresState{m} }, fails: "Volume/Create/StateIsStoredAndEmptyMeansOnline"},
	}
}

// TestSuiteHasTeeth runs Check over each variant: the intact ones must
// pass, and each broken one must fail, in (at least) the case that states
// the rule it breaks.
func TestSuiteHasTeeth(t *testing.T) {
	for _, v := range variants() {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			factory := func() (backend.VolumeBackend, error) { return wrap(v.make(mem.New(nil)), v.shape, v.caps), nil }
			err := backendtest.Check(t.Context(), factory, &backendtest.Options{StressWorkers: 4, StressOps: 40, NoAttributes: v.noAttrs})
			failed := failedCases(t, err)
			if v.fails == "" {
				if err != nil {
					t.Fatalf("an intact backend failed the suite:\n%v", err)
				}
				return
			}
			if !slices.Contains(failed, v.fails) {
				t.Fatalf("the suite did not fail case %s; failed cases: %q\n%v", v.fails, failed, err)
			}
			t.Logf("caught by %d cases: %q", len(failed), failed)
		})
	}
}

// failedCases returns the case names of the failures in an error from
// Check, checking that each is a well-formed *backendtest.Failure.
func failedCases(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("Check returned %T, want a joined error: %v", err, err)
	}
	var names []string
	for _, e := range joined.Unwrap() {
		var f *backendtest.Failure
		if !errors.As(e, &f) {
			t.Fatalf("Check's error holds a %T, want *backendtest.Failure: %v", e, e)
		}
		if f.Case == "" || f.Rule == "" || len(f.Problems) == 0 {
			t.Errorf("failure %+v lacks a case, rule or problem", f)
		}
		names = append(names, f.Case)
	}
	return names
}

// dupVolumeNames answers a duplicate create with the existing volume.
type dupVolumeNames struct{ *mem.Backend }

func (b dupVolumeNames) CreateVolume(ctx context.Context, spec backend.VolumeSpec) (backend.Volume, error) {
	v, err := b.Backend.CreateVolume(ctx, spec)
	if errors.Is(err, backend.ErrAlreadyExists) {
		vs, _ := b.Backend.ListVolumes(ctx)
		for _, x := range vs {
			if x.Name == spec.Name {
				return x, nil
			}
		}
	}
	return v, err
}

// dupSnapshotNames answers a duplicate snapshot with the existing one.
type dupSnapshotNames struct{ *mem.Backend }

func (b dupSnapshotNames) CreateSnapshot(ctx context.Context, vol backend.VolumeID, spec backend.SnapshotSpec) (backend.Snapshot, error) {
	s, err := b.Backend.CreateSnapshot(ctx, vol, spec)
	if errors.Is(err, backend.ErrAlreadyExists) {
		ss, _ := b.Backend.ListSnapshots(ctx, vol)
		for _, x := range ss {
			if x.Name == spec.Name {
				return x, nil
			}
		}
	}
	return s, err
}

// noCascade keeps serving a deleted volume's snapshots.
type noCascade struct {
	*mem.Backend
	mu     sync.Mutex
	ghosts map[backend.VolumeID][]backend.Snapshot
}

func (b *noCascade) DeleteVolume(ctx context.Context, id backend.VolumeID) error {
	ss, _ := b.Backend.ListSnapshots(ctx, id)
	err := b.Backend.DeleteVolume(ctx, id)
	if err == nil && len(ss) > 0 {
		b.mu.Lock()
		b.ghosts[id] = ss
		b.mu.Unlock()
	}
	return err
}

func (b *noCascade) ghost(id backend.VolumeID) ([]backend.Snapshot, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ss, ok := b.ghosts[id]
	return slices.Clone(ss), ok
}

func (b *noCascade) ListSnapshots(ctx context.Context, vol backend.VolumeID) ([]backend.Snapshot, error) {
	if ss, ok := b.ghost(vol); ok {
		return ss, nil
	}
	return b.Backend.ListSnapshots(ctx, vol)
}

func (b *noCascade) GetSnapshot(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID) (backend.Snapshot, error) {
	if ss, ok := b.ghost(vol); ok {
		for _, s := range ss {
			if s.ID == snap {
				return s, nil
			}
		}
	}
	return b.Backend.GetSnapshot(ctx, vol, snap)
}

// notFoundAsInternal reports a missing volume as an internal error.
type notFoundAsInternal struct{ *mem.Backend }

func (b notFoundAsInternal) GetVolume(ctx context.Context, id backend.VolumeID) (backend.Volume, error) {
	v, err := b.Backend.GetVolume(ctx, id)
	if errors.Is(err, backend.ErrNotFound) {
		err = &backend.Error{Op: "GetVolume", Kind: backend.KindInternal, Resource: backend.ResourceVolume, Err: err}
	}
	return v, err
}

// bareKind returns the kind sentinel instead of a *backend.Error.
type bareKind struct{ *mem.Backend }

func (b bareKind) CreateVolume(ctx context.Context, spec backend.VolumeSpec) (backend.Volume, error) {
	v, err := b.Backend.CreateVolume(ctx, spec)
	if k := backend.KindOf(err); k != 0 {
		return v, k
	}
	return v, err
}

// volumeAsSnapshotNotFound looks the snapshot up without telling a missing
// volume apart.
type volumeAsSnapshotNotFound struct{ *mem.Backend }

func (b volumeAsSnapshotNotFound) GetSnapshot(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID) (backend.Snapshot, error) {
	s, err := b.Backend.GetSnapshot(ctx, vol, snap)
	if errors.Is(err, backend.ErrVolumeNotFound) {
		err = backend.SnapshotNotFound("GetSnapshot", snap)
	}
	return s, err
}

// noOrigin drops the clone origin from every volume it returns.
type noOrigin struct{ *mem.Backend }

func (b noOrigin) CreateClone(ctx context.Context, spec backend.CloneSpec) (backend.Volume, error) {
	v, err := b.Backend.CreateClone(ctx, spec)
	v.Clone = nil
	return v, err
}

func (b noOrigin) GetVolume(ctx context.Context, id backend.VolumeID) (backend.Volume, error) {
	v, err := b.Backend.GetVolume(ctx, id)
	v.Clone = nil
	return v, err
}

func (b noOrigin) ListVolumes(ctx context.Context) ([]backend.Volume, error) {
	vs, err := b.Backend.ListVolumes(ctx)
	for i := range vs {
		vs[i].Clone = nil
	}
	return vs, err
}

// currentSizeClone sizes a clone like its parent now, as upstream mem did.
type currentSizeClone struct{ *mem.Backend }

func (b currentSizeClone) CreateClone(ctx context.Context, spec backend.CloneSpec) (backend.Volume, error) {
	c, err := b.Backend.CreateClone(ctx, spec)
	if err != nil {
		return c, err
	}
	p, err := b.Backend.GetVolume(ctx, spec.ParentVolume)
	if err != nil {
		return c, err
	}
	return b.Backend.PatchVolume(ctx, c.ID, backend.VolumePatch{Size: &p.Size})
}

// frozenOrigins renders origins with the names they had at clone time.
type frozenOrigins struct {
	*mem.Backend
	mu sync.Mutex
	at map[backend.VolumeID]backend.CloneOrigin
}

func (b *frozenOrigins) freeze(v *backend.Volume) {
	if v.Clone == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.at[v.ID]
	if !ok {
		b.at[v.ID] = *v.Clone
		return
	}
	c := *v.Clone
	c.ParentVolume, c.ParentSnapshot = o.ParentVolume, o.ParentSnapshot
	v.Clone = &c
}

func (b *frozenOrigins) CreateClone(ctx context.Context, spec backend.CloneSpec) (backend.Volume, error) {
	v, err := b.Backend.CreateClone(ctx, spec)
	b.freeze(&v)
	return v, err
}

func (b *frozenOrigins) GetVolume(ctx context.Context, id backend.VolumeID) (backend.Volume, error) {
	v, err := b.Backend.GetVolume(ctx, id)
	b.freeze(&v)
	return v, err
}

func (b *frozenOrigins) ListVolumes(ctx context.Context) ([]backend.Volume, error) {
	vs, err := b.Backend.ListVolumes(ctx)
	for i := range vs {
		b.freeze(&vs[i])
	}
	return vs, err
}

// forceSnapshotDelete splits the clones that pin a snapshot, then deletes it.
type forceSnapshotDelete struct{ *mem.Backend }

func (b forceSnapshotDelete) DeleteSnapshot(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID) error {
	err := b.Backend.DeleteSnapshot(ctx, vol, snap)
	if !errors.Is(err, backend.ErrInUse) {
		return err
	}
	vs, _ := b.Backend.ListVolumes(ctx)
	for _, v := range vs {
		if v.Clone != nil && v.Clone.ParentSnapshotID == snap {
			b.Backend.SplitClone(ctx, v.ID)
		}
	}
	return b.Backend.DeleteSnapshot(ctx, vol, snap)
}

// forceVolumeDelete splits the clones that pin a volume, then deletes it.
type forceVolumeDelete struct{ *mem.Backend }

func (b forceVolumeDelete) DeleteVolume(ctx context.Context, id backend.VolumeID) error {
	err := b.Backend.DeleteVolume(ctx, id)
	if !errors.Is(err, backend.ErrInUse) {
		return err
	}
	vs, _ := b.Backend.ListVolumes(ctx)
	for _, v := range vs {
		if v.Clone != nil && v.Clone.ParentVolumeID == id {
			b.Backend.SplitClone(ctx, v.ID)
		}
	}
	return b.Backend.DeleteVolume(ctx, id)
}

// lenientSplit treats splitting a non-clone as a no-op success.
type lenientSplit struct{ *mem.Backend }

func (b lenientSplit) SplitClone(ctx context.Context, id backend.VolumeID) (backend.Volume, error) {
	v, err := b.Backend.SplitClone(ctx, id)
	if errors.Is(err, backend.ErrInvalidArgument) {
		return b.Backend.GetVolume(ctx, id)
	}
	return v, err
}

// dropsExportPolicy accepts an export policy and discards it, as upstream
// mem did.
type dropsExportPolicy struct{ *mem.Backend }

func (b dropsExportPolicy) PatchVolume(ctx context.Context, id backend.VolumeID, p backend.VolumePatch) (backend.Volume, error) {
	p.ExportPolicy = nil
	return b.Backend.PatchVolume(ctx, id, p)
}

// validatesFirst validates the patch before looking the volume up.
type validatesFirst struct{ *mem.Backend }

func (b validatesFirst) PatchVolume(ctx context.Context, id backend.VolumeID, p backend.VolumePatch) (backend.Volume, error) {
	if err := p.Validate(); err != nil {
		return backend.Volume{}, err
	}
	return b.Backend.PatchVolume(ctx, id, p)
}

// mountsOffline claims success for a mount mem refused as in use.
type mountsOffline struct{ *mem.Backend }

func (b mountsOffline) PatchVolume(ctx context.Context, id backend.VolumeID, p backend.VolumePatch) (backend.Volume, error) {
	v, err := b.Backend.PatchVolume(ctx, id, p)
	if errors.Is(err, backend.ErrInUse) && p.JunctionPath != nil {
		v, err = b.Backend.GetVolume(ctx, id)
		v.JunctionPath = *p.JunctionPath
	}
	return v, err
}

// noCreateTime loses snapshot creation times.
type noCreateTime struct{ *mem.Backend }

func (b noCreateTime) CreateSnapshot(ctx context.Context, vol backend.VolumeID, spec backend.SnapshotSpec) (backend.Snapshot, error) {
	s, err := b.Backend.CreateSnapshot(ctx, vol, spec)
	s.CreateTime = time.Time{}
	return s, err
}

func (b noCreateTime) GetSnapshot(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID) (backend.Snapshot, error) {
	s, err := b.Backend.GetSnapshot(ctx, vol, snap)
	s.CreateTime = time.Time{}
	return s, err
}

func (b noCreateTime) ListSnapshots(ctx context.Context, vol backend.VolumeID) ([]backend.Snapshot, error) {
	ss, err := b.Backend.ListSnapshots(ctx, vol)
	for i := range ss {
		ss[i].CreateTime = time.Time{}
	}
	return ss, err
}

// newestFirst lists snapshots in reverse.
type newestFirst struct{ *mem.Backend }

func (b newestFirst) ListSnapshots(ctx context.Context, vol backend.VolumeID) ([]backend.Snapshot, error) {
	ss, err := b.Backend.ListSnapshots(ctx, vol)
	slices.Reverse(ss)
	return ss, err
}

// restoreKeepsNewer recreates the snapshots a restore deleted.
type restoreKeepsNewer struct{ *mem.Backend }

func (b restoreKeepsNewer) RestoreSnapshot(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID) (backend.Volume, error) {
	before, _ := b.Backend.ListSnapshots(ctx, vol)
	v, err := b.Backend.RestoreSnapshot(ctx, vol, snap)
	if err != nil {
		return v, err
	}
	after, _ := b.Backend.ListSnapshots(ctx, vol)
	for _, s := range before {
		if !slices.ContainsFunc(after, func(a backend.Snapshot) bool { return a.ID == s.ID }) {
			b.Backend.CreateSnapshot(ctx, vol, backend.SnapshotSpec{Name: s.Name})
		}
	}
	return v, nil
}

// lateCancel does the work, then reports the cancellation.
type lateCancel struct{ *mem.Backend }

func (b lateCancel) CreateVolume(ctx context.Context, spec backend.VolumeSpec) (backend.Volume, error) {
	v, err := b.Backend.CreateVolume(context.WithoutCancel(ctx), spec)
	if ctx.Err() != nil {
		return backend.Volume{}, ctx.Err()
	}
	return v, err
}

func (b lateCancel) PatchVolume(ctx context.Context, id backend.VolumeID, p backend.VolumePatch) (backend.Volume, error) {
	v, err := b.Backend.PatchVolume(context.WithoutCancel(ctx), id, p)
	if ctx.Err() != nil {
		return backend.Volume{}, ctx.Err()
	}
	return v, err
}

func (b lateCancel) DeleteVolume(ctx context.Context, id backend.VolumeID) error {
	err := b.Backend.DeleteVolume(context.WithoutCancel(ctx), id)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// wrapsContextError adds context to a context error.
type wrapsContextError struct{ *mem.Backend }

func (b wrapsContextError) GetVolume(ctx context.Context, id backend.VolumeID) (backend.Volume, error) {
	if err := ctx.Err(); err != nil {
		return backend.Volume{}, fmt.Errorf("GetVolume %s: %w", id, err)
	}
	return b.Backend.GetVolume(ctx, id)
}

// aliasingCache serves reads from a cache and hands out its own storage:
// the list slice and the clone origins are shared with every caller. Any
// write clears the cache, so reads are never stale.
type aliasingCache struct {
	*mem.Backend
	mu   sync.Mutex
	gen  uint64
	list []backend.Volume
	vols map[backend.VolumeID]backend.Volume
}

func (b *aliasingCache) invalidate() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.gen++
	b.list, b.vols = nil, nil
}

func (b *aliasingCache) ListVolumes(ctx context.Context) ([]backend.Volume, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.mu.Lock()
	list, gen := b.list, b.gen
	b.mu.Unlock()
	if list != nil {
		return list, nil
	}
	list, err := b.Backend.ListVolumes(ctx)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	if b.gen == gen {
		b.list = list
	}
	b.mu.Unlock()
	return list, nil
}

func (b *aliasingCache) GetVolume(ctx context.Context, id backend.VolumeID) (backend.Volume, error) {
	if err := ctx.Err(); err != nil {
		return backend.Volume{}, err
	}
	b.mu.Lock()
	v, ok := b.vols[id]
	gen := b.gen
	b.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := b.Backend.GetVolume(ctx, id)
	if err != nil {
		return v, err
	}
	b.mu.Lock()
	if b.gen == gen {
		if b.vols == nil {
			b.vols = map[backend.VolumeID]backend.Volume{}
		}
		b.vols[id] = v
	}
	b.mu.Unlock()
	return v, nil
}

// writes clears the cache around a write, so no read that overlaps it is
// cached.
func (b *aliasingCache) writes() func() {
	b.invalidate()
	return b.invalidate
}

func (b *aliasingCache) CreateVolume(ctx context.Context, spec backend.VolumeSpec) (backend.Volume, error) {
	defer b.writes()()
	return b.Backend.CreateVolume(ctx, spec)
}

func (b *aliasingCache) DeleteVolume(ctx context.Context, id backend.VolumeID) error {
	defer b.writes()()
	return b.Backend.DeleteVolume(ctx, id)
}

func (b *aliasingCache) PatchVolume(ctx context.Context, id backend.VolumeID, p backend.VolumePatch) (backend.Volume, error) {
	defer b.writes()()
	return b.Backend.PatchVolume(ctx, id, p)
}

func (b *aliasingCache) PatchSnapshot(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID, p backend.SnapshotPatch) (backend.Snapshot, error) {
	defer b.writes()()
	return b.Backend.PatchSnapshot(ctx, vol, snap, p)
}

func (b *aliasingCache) RestoreSnapshot(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID) (backend.Volume, error) {
	defer b.writes()()
	return b.Backend.RestoreSnapshot(ctx, vol, snap)
}

func (b *aliasingCache) CreateClone(ctx context.Context, spec backend.CloneSpec) (backend.Volume, error) {
	defer b.writes()()
	return b.Backend.CreateClone(ctx, spec)
}

func (b *aliasingCache) SplitClone(ctx context.Context, vol backend.VolumeID) (backend.Volume, error) {
	defer b.writes()()
	return b.Backend.SplitClone(ctx, vol)
}

func (b *aliasingCache) ReceiveStream(ctx context.Context, dest string, r io.Reader) (int64, error) {
	defer b.writes()()
	return b.Backend.ReceiveStream(ctx, dest, r)
}

// listRepeats lists the first volume twice.
type listRepeats struct{ *mem.Backend }

func (b listRepeats) ListVolumes(ctx context.Context) ([]backend.Volume, error) {
	vs, err := b.Backend.ListVolumes(ctx)
	if len(vs) > 0 {
		vs = append(vs, vs[0])
	}
	return vs, err
}

// sendWrongKind reports an unknown stream snapshot as not found.
type sendWrongKind struct{ *mem.Backend }

func (b sendWrongKind) SendStream(ctx context.Context, vol backend.VolumeID, snap, base string) (io.ReadCloser, error) {
	rc, err := b.Backend.SendStream(ctx, vol, snap, base)
	if errors.Is(err, backend.ErrInvalidArgument) {
		err = &backend.Error{Op: "SendStream", Kind: backend.KindNotFound, Resource: backend.ResourceSnapshot, Name: snap}
	}
	return rc, err
}

// panicky panics instead of reporting a missing volume.
type panicky struct{ *mem.Backend }

func (b panicky) GetVolume(ctx context.Context, id backend.VolumeID) (backend.Volume, error) {
	v, err := b.Backend.GetVolume(ctx, id)
	if errors.Is(err, backend.ErrNotFound) {
		panic("no such volume")
	}
	return v, err
}

// firstPageOnly lists at most 100 volumes, as a backend that forgets to
// follow its pages would.
type firstPageOnly struct{ *mem.Backend }

func (b firstPageOnly) ListVolumes(ctx context.Context) ([]backend.Volume, error) {
	vs, err := b.Backend.ListVolumes(ctx)
	return vs[:min(len(vs), 100)], err
}

// foldsCase treats names that differ only in case as one name.
type foldsCase struct{ *mem.Backend }

func (b foldsCase) CreateVolume(ctx context.Context, spec backend.VolumeSpec) (backend.Volume, error) {
	vs, _ := b.Backend.ListVolumes(ctx)
	for _, v := range vs {
		if strings.EqualFold(v.Name, spec.Name) {
			return backend.Volume{}, &backend.Error{Op: "CreateVolume", Kind: backend.KindAlreadyExists, Resource: backend.ResourceVolume, Name: spec.Name}
		}
	}
	return b.Backend.CreateVolume(ctx, spec)
}

func (b foldsCase) VolumeByName(ctx context.Context, name string) (backend.Volume, error) {
	vs, _ := b.Backend.ListVolumes(ctx)
	for _, v := range vs {
		if strings.EqualFold(v.Name, name) {
			return v, nil
		}
	}
	return b.Backend.VolumeByName(ctx, name)
}

// lossyMerge merges attribute patches itself, outside any lock: it reads
// the volume, merges, and stores its result as the whole object, deleting
// keys it did not see; keys other writers added meanwhile are lost.
type lossyMerge struct{ *mem.Backend }

func (b lossyMerge) PatchVolume(ctx context.Context, id backend.VolumeID, p backend.VolumePatch) (backend.Volume, error) {
	if p.Attributes == nil {
		return b.Backend.PatchVolume(ctx, id, p)
	}
	v, err := b.Backend.GetVolume(ctx, id)
	if err != nil {
		return v, err
	}
	merged, err := backend.MergeAttributes(v.Attributes, p.Attributes)
	if err != nil {
		return v, err
	}
	time.Sleep(time.Millisecond) // the window another writer falls into
	cur, _ := b.Backend.GetVolume(ctx, id)
	var now, want map[string]json.RawMessage
	_ = json.Unmarshal(orEmpty(cur.Attributes), &now)
	_ = json.Unmarshal(orEmpty(merged), &want)
	replace := map[string]any{}
	for k := range now {
		replace[k] = nil
	}
	for k, val := range want {
		replace[k] = val
	}
	p.Attributes, _ = json.Marshal(replace)
	return b.Backend.PatchVolume(ctx, id, p)
}

func orEmpty(b []byte) []byte {
	if len(b) == 0 {
		return []byte("{}")
	}
	return b
}

// lossySnapshots keeps each volume's snapshot list itself and rewrites it
// from a stale copy: read, take the snapshot, then store the old list plus
// the new snapshot, dropping any taken meanwhile.
type lossySnapshots struct {
	*mem.Backend
	mu    sync.Mutex
	lists map[backend.VolumeID][]backend.Snapshot
}

func (b *lossySnapshots) CreateSnapshot(ctx context.Context, vol backend.VolumeID, spec backend.SnapshotSpec) (backend.Snapshot, error) {
	b.mu.Lock()
	list := slices.Clone(b.lists[vol])
	b.mu.Unlock()
	s, err := b.Backend.CreateSnapshot(ctx, vol, spec)
	if err != nil {
		return s, err
	}
	time.Sleep(100 * time.Microsecond)
	b.mu.Lock()
	if b.lists == nil {
		b.lists = map[backend.VolumeID][]backend.Snapshot{}
	}
	b.lists[vol] = append(list, s)
	b.mu.Unlock()
	return s, nil
}

func (b *lossySnapshots) ListSnapshots(ctx context.Context, vol backend.VolumeID) ([]backend.Snapshot, error) {
	all, err := b.Backend.ListSnapshots(ctx, vol)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	known, tracked := b.lists[vol]
	if !tracked {
		return all, nil
	}
	return slices.DeleteFunc(all, func(s backend.Snapshot) bool {
		return !slices.ContainsFunc(known, func(k backend.Snapshot) bool { return k.ID == s.ID })
	}), nil
}

// twoStepClone clones a snapshot it takes first, and does not delete that
// snapshot when the clone is refused.
type twoStepClone struct{ *mem.Backend }

func (b twoStepClone) CreateClone(ctx context.Context, spec backend.CloneSpec) (backend.Volume, error) {
	if spec.ParentSnapshot.IsZero() {
		s, err := b.Backend.CreateSnapshot(ctx, spec.ParentVolume, backend.SnapshotSpec{Name: spec.NewSnapshotName})
		if err != nil {
			return backend.Volume{}, err
		}
		spec.ParentSnapshot, spec.NewSnapshotName = s.ID, ""
	}
	return b.Backend.CreateClone(ctx, spec)
}

// dropsAttributes accepts attributes and keeps none.
type dropsAttributes struct{ *mem.Backend }

func (b dropsAttributes) CreateVolume(ctx context.Context, spec backend.VolumeSpec) (backend.Volume, error) {
	spec.Attributes = nil
	return b.Backend.CreateVolume(ctx, spec)
}

// replacesAttributes stores a patch's attributes as the new object.
type replacesAttributes struct{ *mem.Backend }

func (b replacesAttributes) PatchVolume(ctx context.Context, id backend.VolumeID, p backend.VolumePatch) (backend.Volume, error) {
	if p.Attributes != nil {
		if v, err := b.Backend.GetVolume(ctx, id); err == nil && len(v.Attributes) > 0 {
			// Delete every stored key, then merge the patch: a replace.
			var old map[string]json.RawMessage
			_ = json.Unmarshal(v.Attributes, &old)
			clear := map[string]any{}
			for k := range old {
				clear[k] = nil
			}
			raw, _ := json.Marshal(clear)
			if _, err := b.Backend.PatchVolume(ctx, id, backend.VolumePatch{Attributes: raw}); err != nil {
				return backend.Volume{}, err
			}
		}
	}
	return b.Backend.PatchVolume(ctx, id, p)
}

// dropsSnapshotComment ignores the comment of a snapshot spec.
type dropsSnapshotComment struct{ *mem.Backend }

func (b dropsSnapshotComment) CreateSnapshot(ctx context.Context, vol backend.VolumeID, spec backend.SnapshotSpec) (backend.Snapshot, error) {
	spec.Comment = ""
	return b.Backend.CreateSnapshot(ctx, vol, spec)
}

// ignoresState creates every volume online.
type ignoresState struct{ *mem.Backend }

func (b ignoresState) CreateVolume(ctx context.Context, spec backend.VolumeSpec) (backend.Volume, error) {
	spec.State = ""
	if spec.JunctionPath != "" {
		spec.JunctionPath = ""
	}
	return b.Backend.CreateVolume(ctx, spec)
}
