package mem

import (
	"context"
	"fmt"

	"github.com/nessie-go/nessie/backend"
)

// ListSnapshots returns the volume's snapshots in the order they were
// taken, oldest first. Errors: ErrVolumeNotFound.
func (b *Backend) ListSnapshots(ctx context.Context, vol backend.VolumeID) ([]backend.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r, ok := b.root.Load().vol(vol)
	if !ok {
		return nil, backend.VolumeNotFound("ListSnapshots", vol)
	}
	out := make([]backend.Snapshot, len(r.snaps))
	for i := range r.snaps {
		out[i] = r.snaps[i].snapshot()
	}
	return out, nil
}

// CreateSnapshot records the volume's current size under a new snapshot
// named name, with the creation time in UTC. It costs O(log n) in the
// number of volumes and O(k) in the volume's k snapshots. Errors:
// ErrVolumeNotFound; ErrInvalidArgument for an invalid name;
// ErrAlreadyExists if the volume already has a snapshot of that name.
func (b *Backend) CreateSnapshot(ctx context.Context, vol backend.VolumeID, name string) (backend.Snapshot, error) {
	const op = "CreateSnapshot"
	if err := ctx.Err(); err != nil {
		return backend.Snapshot{}, err
	}
	var out backend.Snapshot
	err := b.write(ctx, func(s *state) (*state, error) {
		r, ok := s.vol(vol)
		if !ok {
			return nil, backend.VolumeNotFound(op, vol)
		}
		if err := checkName(op, backend.ResourceSnapshot, name); err != nil {
			return nil, err
		}
		if r.snapIndexByName(name) >= 0 {
			return nil, alreadyExists(op, backend.ResourceSnapshot, name)
		}
		sr := snapRec{id: backend.NewSnapshotID(), name: name, created: b.timestamp(), size: r.size}
		c := r.copyRec()
		c.snaps = cloneInsert(r.snaps, len(r.snaps), sr)
		out = sr.snapshot()
		return s.withVol(c), nil
	})
	return out, err
}

// lookupSnap finds snapshot snap of volume vol in s, with the contract's
// error for each way it can be missing.
func lookupSnap(op string, s *state, vol backend.VolumeID, snap backend.SnapshotID) (*volRec, int, error) {
	r, ok := s.vol(vol)
	if !ok {
		return nil, -1, backend.VolumeNotFound(op, vol)
	}
	i := r.snapIndex(snap)
	if i < 0 {
		return nil, -1, backend.SnapshotNotFound(op, snap)
	}
	return r, i, nil
}

// GetSnapshot returns one snapshot. Errors: ErrVolumeNotFound;
// ErrSnapshotNotFound, also for a snapshot of another volume.
func (b *Backend) GetSnapshot(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID) (backend.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return backend.Snapshot{}, err
	}
	r, i, err := lookupSnap("GetSnapshot", b.root.Load(), vol, snap)
	if err != nil {
		return backend.Snapshot{}, err
	}
	return r.snaps[i].snapshot(), nil
}

// DeleteSnapshot deletes one snapshot and frees its name. Errors:
// ErrVolumeNotFound; ErrSnapshotNotFound; ErrInUse if an unsplit clone
// depends on it.
func (b *Backend) DeleteSnapshot(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID) error {
	const op = "DeleteSnapshot"
	if err := ctx.Err(); err != nil {
		return err
	}
	return b.write(ctx, func(s *state) (*state, error) {
		r, i, err := lookupSnap(op, s, vol, snap)
		if err != nil {
			return nil, err
		}
		if r.snaps[i].clones > 0 {
			return nil, snapshotInUse(op, &r.snaps[i])
		}
		c := r.copyRec()
		c.snaps = cloneRemove(r.snaps, i)
		return s.withVol(c), nil
	})
}

// PatchSnapshot renames the snapshot or changes its comment and returns
// it. Existence is checked before the patch is validated. Errors:
// ErrVolumeNotFound; ErrSnapshotNotFound; ErrInvalidArgument;
// ErrAlreadyExists if the new name is taken on that volume.
func (b *Backend) PatchSnapshot(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID, patch backend.SnapshotPatch) (backend.Snapshot, error) {
	const op = "PatchSnapshot"
	if err := ctx.Err(); err != nil {
		return backend.Snapshot{}, err
	}
	var out backend.Snapshot
	err := b.write(ctx, func(s *state) (*state, error) {
		r, i, err := lookupSnap(op, s, vol, snap)
		if err != nil {
			return nil, err
		}
		if err := patch.Validate(); err != nil {
			return nil, relabel(op, err)
		}
		sr := r.snaps[i]
		if patch.Name != nil && *patch.Name != sr.name {
			if r.snapIndexByName(*patch.Name) >= 0 {
				return nil, alreadyExists(op, backend.ResourceSnapshot, *patch.Name)
			}
			sr.name = *patch.Name
		}
		if patch.Comment != nil {
			sr.comment = *patch.Comment
		}
		out = sr.snapshot()
		if patch.IsEmpty() {
			return nil, nil
		}
		c := r.copyRec()
		c.snaps = cloneReplace(r.snaps, i, sr)
		return s.withVol(c), nil
	})
	return out, err
}

// RestoreSnapshot reverts the volume to the snapshot: the volume's size
// becomes the snapshot's and every later snapshot is deleted. It returns
// the restored volume. Errors: ErrVolumeNotFound; ErrSnapshotNotFound;
// ErrInUse if a snapshot that would be deleted backs an unsplit clone
// (nothing changes then).
func (b *Backend) RestoreSnapshot(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID) (backend.Volume, error) {
	const op = "RestoreSnapshot"
	if err := ctx.Err(); err != nil {
		return backend.Volume{}, err
	}
	var out backend.Volume
	err := b.write(ctx, func(s *state) (*state, error) {
		r, i, err := lookupSnap(op, s, vol, snap)
		if err != nil {
			return nil, err
		}
		for j := i + 1; j < len(r.snaps); j++ {
			if r.snaps[j].clones > 0 {
				return nil, inUse(op, backend.ResourceSnapshot, r.snaps[j].id.String(), r.snaps[j].name,
					fmt.Errorf("restoring to %q would delete it, but %d unsplit clone(s) depend on it", r.snaps[i].name, r.snaps[j].clones))
			}
		}
		c := r.copyRec()
		c.size = r.snaps[i].size
		c.snaps = make([]snapRec, i+1)
		copy(c.snaps, r.snaps[:i+1])
		next := s.withVol(c)
		out = next.volume(c)
		return next, nil
	})
	return out, err
}
