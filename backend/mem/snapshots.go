package mem

import (
	"context"
	"fmt"
	"slices"

	"github.com/nessie-go/nessie/backend"
)

// ListSnapshots returns the volume's snapshots in the order they were
// taken, oldest first. Errors: ErrVolumeNotFound.
func (b *Backend) ListSnapshots(ctx context.Context, vol backend.VolumeID) ([]backend.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.mu.RLock()
	_, ok := b.rec(vol)
	ss := b.snaps[vol]
	b.mu.RUnlock()
	if !ok {
		return nil, backend.VolumeNotFound("ListSnapshots", vol)
	}
	out := make([]backend.Snapshot, len(ss))
	for i, sr := range ss {
		out[i] = sr.snapshot()
	}
	return out, nil
}

// CreateSnapshot records the volume's current size under a new snapshot,
// with the creation time in UTC. It copies the volume's list of k
// snapshot pointers, O(k). Errors: ErrVolumeNotFound; ErrInvalidArgument if spec is
// invalid; ErrAlreadyExists if the volume already has a snapshot of that
// name.
func (b *Backend) CreateSnapshot(ctx context.Context, vol backend.VolumeID, spec backend.SnapshotSpec) (backend.Snapshot, error) {
	const op = "CreateSnapshot"
	if err := ctx.Err(); err != nil {
		return backend.Snapshot{}, err
	}
	check := spec
	if b.lenient {
		check.Name = lenientName
	}
	invalid := check.Validate() // reported once the volume is known to exist
	attrs, _ := backend.CompactAttributes(spec.Attributes)
	id := backend.NewSnapshotID()
	if err := b.lock(ctx); err != nil {
		return backend.Snapshot{}, err
	}
	defer b.mu.Unlock()
	r, ok := b.rec(vol)
	if !ok {
		return backend.Snapshot{}, backend.VolumeNotFound(op, vol)
	}
	if invalid != nil {
		return backend.Snapshot{}, b.relabel(op, spec.Name, invalid)
	}
	ss := b.snaps[vol]
	if byName(ss, spec.Name) >= 0 {
		return backend.Snapshot{}, alreadyExists(op, backend.ResourceSnapshot, spec.Name)
	}
	sr := &snapRec{id: id, name: spec.Name, comment: spec.Comment, attrs: attrs, created: b.timestamp(), size: r.size}
	b.snaps[vol] = append(ss[:len(ss):len(ss)], sr)
	return sr.snapshot(), nil
}

// lookupSnap finds snapshot snap of volume vol, with the contract's error
// for each way it can be missing: the volume's record, its snapshots, and
// the snapshot's index among them. The caller holds b.mu.
func (b *Backend) lookupSnap(op string, vol backend.VolumeID, snap backend.SnapshotID) (*volRec, []*snapRec, int, error) {
	r, ok := b.rec(vol)
	if !ok {
		return nil, nil, -1, backend.VolumeNotFound(op, vol)
	}
	ss := b.snaps[vol]
	i := byID(ss, snap)
	if i < 0 {
		return nil, nil, -1, backend.SnapshotNotFound(op, snap)
	}
	return r, ss, i, nil
}

// GetSnapshot returns one snapshot. Errors: ErrVolumeNotFound;
// ErrSnapshotNotFound, also for a snapshot of another volume.
func (b *Backend) GetSnapshot(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID) (backend.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return backend.Snapshot{}, err
	}
	b.mu.RLock()
	_, ss, i, err := b.lookupSnap("GetSnapshot", vol, snap)
	b.mu.RUnlock()
	if err != nil {
		return backend.Snapshot{}, err
	}
	return ss[i].snapshot(), nil
}

// SnapshotByName returns the volume's snapshot with exactly that name.
// Errors: ErrVolumeNotFound; ErrSnapshotNotFound.
func (b *Backend) SnapshotByName(ctx context.Context, vol backend.VolumeID, name string) (backend.Snapshot, error) {
	const op = "SnapshotByName"
	if err := ctx.Err(); err != nil {
		return backend.Snapshot{}, err
	}
	b.mu.RLock()
	_, ok := b.rec(vol)
	ss := b.snaps[vol]
	b.mu.RUnlock()
	if !ok {
		return backend.Snapshot{}, backend.VolumeNotFound(op, vol)
	}
	i := byName(ss, name)
	if i < 0 {
		return backend.Snapshot{}, notFoundByName(op, backend.ResourceSnapshot, name)
	}
	return ss[i].snapshot(), nil
}

// DeleteSnapshot deletes one snapshot and frees its name. Errors:
// ErrVolumeNotFound; ErrSnapshotNotFound; ErrInUse if an unsplit clone
// depends on it. A lenient backend deletes it anyway, and its clones keep
// their origin names.
func (b *Backend) DeleteSnapshot(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID) error {
	const op = "DeleteSnapshot"
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := b.lock(ctx); err != nil {
		return err
	}
	defer b.mu.Unlock()
	_, ss, i, err := b.lookupSnap(op, vol, snap)
	if err != nil {
		return err
	}
	if n := len(b.deps[snap]); n > 0 {
		if !b.lenient {
			return snapshotInUse(op, ss[i], n)
		}
		b.detach(snap)
	}
	b.setSnaps(vol, slices.Delete(slices.Clone(ss), i, i+1))
	return nil
}

// PatchSnapshot renames the snapshot, changes its comment or merges into
// its attributes, all or none, and returns it. Existence is checked before
// the patch is validated. Errors: ErrVolumeNotFound; ErrSnapshotNotFound;
// ErrInvalidArgument; ErrAlreadyExists if the new name is taken on that
// volume.
func (b *Backend) PatchSnapshot(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID, patch backend.SnapshotPatch) (backend.Snapshot, error) {
	const op = "PatchSnapshot"
	if err := ctx.Err(); err != nil {
		return backend.Snapshot{}, err
	}
	check := patch
	if b.lenient && check.Name != nil {
		check.Name = new(lenientName)
	}
	invalid := check.Validate()
	if err := b.lock(ctx); err != nil {
		return backend.Snapshot{}, err
	}
	defer b.mu.Unlock()
	r, ss, i, err := b.lookupSnap(op, vol, snap)
	if err != nil {
		return backend.Snapshot{}, err
	}
	if invalid != nil {
		name := ""
		if patch.Name != nil {
			name = *patch.Name
		}
		return backend.Snapshot{}, b.relabel(op, name, invalid)
	}
	sr := *ss[i]
	if patch.Name != nil && *patch.Name != sr.name {
		if byName(ss, *patch.Name) >= 0 {
			return backend.Snapshot{}, alreadyExists(op, backend.ResourceSnapshot, *patch.Name)
		}
		sr.name = *patch.Name
	}
	if patch.Comment != nil {
		sr.comment = *patch.Comment
	}
	if patch.Attributes != nil {
		if sr.attrs, err = backend.MergeAttributes(sr.attrs, patch.Attributes); err != nil {
			return backend.Snapshot{}, b.relabel(op, sr.name, err)
		}
	}
	if patch.IsEmpty() {
		return sr.snapshot(), nil
	}
	ns := slices.Clone(ss)
	ns[i] = &sr
	b.snaps[vol] = ns
	if sr.name != ss[i].name {
		b.refresh(r)
	}
	return sr.snapshot(), nil
}

// RestoreSnapshot reverts the volume to the snapshot: the volume's size
// becomes the snapshot's and every later snapshot is deleted. It returns
// the restored volume. Errors: ErrVolumeNotFound; ErrSnapshotNotFound;
// ErrInUse if a snapshot that would be deleted backs an unsplit clone
// (nothing changes then; lenient mode too).
func (b *Backend) RestoreSnapshot(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID) (backend.Volume, error) {
	return b.restoreSnapshot(ctx, "RestoreSnapshot", vol, snap, false)
}

// RestoreSnapshotKeepingSize is RestoreSnapshot keeping the volume's size
// when it is larger than the snapshot's (backend.SizeKeepingRestorer).
func (b *Backend) RestoreSnapshotKeepingSize(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID) (backend.Volume, error) {
	return b.restoreSnapshot(ctx, "RestoreSnapshotKeepingSize", vol, snap, true)
}

func (b *Backend) restoreSnapshot(ctx context.Context, op string, vol backend.VolumeID, snap backend.SnapshotID, keepLarger bool) (backend.Volume, error) {
	if err := ctx.Err(); err != nil {
		return backend.Volume{}, err
	}
	if err := b.lock(ctx); err != nil {
		return backend.Volume{}, err
	}
	defer b.mu.Unlock()
	r, ss, i, err := b.lookupSnap(op, vol, snap)
	if err != nil {
		return backend.Volume{}, err
	}
	for _, later := range ss[i+1:] {
		if n := len(b.deps[later.id]); n > 0 {
			return backend.Volume{}, inUse(op, backend.ResourceSnapshot, later.id.String(), later.name,
				fmt.Errorf("restoring to %q would delete it, but %d unsplit clone(s) depend on it", ss[i].name, n))
		}
	}
	c := r.copyRec()
	c.size = ss[i].size
	if keepLarger {
		c.size = r.size.Larger(ss[i].size)
	}
	b.put(c)
	b.snaps[vol] = ss[: i+1 : i+1]
	return c.volume(), nil
}
