package durable

import (
	"context"
	"fmt"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/internal/text"
)

// ListSnapshots returns the volume's snapshots, oldest first.
func (b *Backend) ListSnapshots(ctx context.Context, vol backend.VolumeID) ([]backend.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	r, ok := b.vols[vol]
	if !ok {
		return nil, backend.VolumeNotFound("ListSnapshots", vol)
	}
	out := make([]backend.Snapshot, len(r.snaps))
	for i, s := range r.snaps {
		out[i] = s.snapshot()
	}
	return out, nil
}

// CreateSnapshot takes and persists a snapshot.
func (b *Backend) CreateSnapshot(ctx context.Context, vol backend.VolumeID, spec backend.SnapshotSpec) (backend.Snapshot, error) {
	const op = "CreateSnapshot"
	invalid := spec.Validate() // reported once the volume is known to exist
	attrs, _ := backend.CompactAttributes(spec.Attributes)
	var out backend.Snapshot
	err := b.write(ctx, func() ([]change, error) {
		r, ok := b.vols[vol]
		if !ok {
			return nil, backend.VolumeNotFound(op, vol)
		}
		if invalid != nil {
			return nil, relabel(op, invalid)
		}
		if r.snapIndexByName(spec.Name) >= 0 {
			return nil, alreadyExists(op, backend.ResourceSnapshot, spec.Name)
		}
		s := b.newSnap(r, spec.Name)
		s.Comment, s.Attributes = spec.Comment, attrs
		c := r.copyRec()
		c.snaps = append(r.snaps[:len(r.snaps):len(r.snaps)], s)
		b.vols[vol] = c
		out = s.snapshot()
		return []change{putSnap(vol, s)}, nil
	})
	return out, err
}

// newSnap returns a new snapshot record of r, taken now. Callers hold mu.
func (b *Backend) newSnap(r *volRec, name string) *snapRec {
	b.seq++
	return &snapRec{ID: backend.NewSnapshotID(), Name: name, Created: b.timestamp(), VolumeSize: r.Size, Seq: b.seq}
}

// lookupSnap finds a snapshot; callers hold mu.
func (b *Backend) lookupSnap(op string, vol backend.VolumeID, snap backend.SnapshotID) (*volRec, int, error) {
	r, ok := b.vols[vol]
	if !ok {
		return nil, -1, backend.VolumeNotFound(op, vol)
	}
	i := r.snapIndex(snap)
	if i < 0 {
		return nil, -1, backend.SnapshotNotFound(op, snap)
	}
	return r, i, nil
}

// GetSnapshot returns one snapshot.
func (b *Backend) GetSnapshot(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID) (backend.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return backend.Snapshot{}, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	r, i, err := b.lookupSnap("GetSnapshot", vol, snap)
	if err != nil {
		return backend.Snapshot{}, err
	}
	return r.snaps[i].snapshot(), nil
}

// SnapshotByName returns the volume's snapshot with exactly that name.
func (b *Backend) SnapshotByName(ctx context.Context, vol backend.VolumeID, name string) (backend.Snapshot, error) {
	const op = "SnapshotByName"
	if err := ctx.Err(); err != nil {
		return backend.Snapshot{}, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	r, ok := b.vols[vol]
	if !ok {
		return backend.Snapshot{}, backend.VolumeNotFound(op, vol)
	}
	i := r.snapIndexByName(name)
	if i < 0 {
		return backend.Snapshot{}, &backend.Error{Op: op, Kind: backend.KindNotFound, Resource: backend.ResourceSnapshot, Name: text.Truncate(name, 64)}
	}
	return r.snaps[i].snapshot(), nil
}

// DeleteSnapshot deletes one snapshot.
func (b *Backend) DeleteSnapshot(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID) error {
	const op = "DeleteSnapshot"
	return b.write(ctx, func() ([]change, error) {
		r, i, err := b.lookupSnap(op, vol, snap)
		if err != nil {
			return nil, err
		}
		if s := r.snaps[i]; s.clones > 0 {
			return nil, inUse(op, backend.ResourceSnapshot, s.ID.String(), s.Name,
				fmt.Errorf("%d unsplit clone(s) depend on it", s.clones))
		}
		c := r.copyRec()
		c.snaps = append(append([]*snapRec(nil), r.snaps[:i]...), r.snaps[i+1:]...)
		b.vols[vol] = c
		return []change{delSnap(vol, snap)}, nil
	})
}

// PatchSnapshot renames a snapshot or changes its comment.
func (b *Backend) PatchSnapshot(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID, patch backend.SnapshotPatch) (backend.Snapshot, error) {
	const op = "PatchSnapshot"
	var out backend.Snapshot
	err := b.write(ctx, func() ([]change, error) {
		r, i, err := b.lookupSnap(op, vol, snap)
		if err != nil {
			return nil, err
		}
		if err := patch.Validate(); err != nil {
			return nil, relabel(op, err)
		}
		if patch.IsEmpty() {
			out = r.snaps[i].snapshot()
			return nil, nil
		}
		if patch.Name != nil && *patch.Name != r.snaps[i].Name && r.snapIndexByName(*patch.Name) >= 0 {
			return nil, alreadyExists(op, backend.ResourceSnapshot, *patch.Name)
		}
		attrs := r.snaps[i].Attributes
		if patch.Attributes != nil {
			var err error
			if attrs, err = backend.MergeAttributes(attrs, patch.Attributes); err != nil {
				return nil, relabel(op, err)
			}
		}
		c := r.withSnap(i, func(s *snapRec) {
			s.Attributes = attrs
			if patch.Name != nil {
				s.Name = *patch.Name
			}
			if patch.Comment != nil {
				s.Comment = *patch.Comment
			}
		})
		b.vols[vol] = c
		out = c.snaps[i].snapshot()
		return []change{putSnap(vol, c.snaps[i])}, nil
	})
	return out, err
}

// RestoreSnapshot reverts a volume to a snapshot, deleting newer ones.
func (b *Backend) RestoreSnapshot(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID) (backend.Volume, error) {
	return b.restoreSnapshot(ctx, "RestoreSnapshot", vol, snap, false)
}

// RestoreSnapshotKeepingSize is RestoreSnapshot keeping the volume's size
// when it is larger than the snapshot's (backend.SizeKeepingRestorer).
func (b *Backend) RestoreSnapshotKeepingSize(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID) (backend.Volume, error) {
	return b.restoreSnapshot(ctx, "RestoreSnapshotKeepingSize", vol, snap, true)
}

func (b *Backend) restoreSnapshot(ctx context.Context, op string, vol backend.VolumeID, snap backend.SnapshotID, keepLarger bool) (backend.Volume, error) {
	var out backend.Volume
	err := b.write(ctx, func() ([]change, error) {
		r, i, err := b.lookupSnap(op, vol, snap)
		if err != nil {
			return nil, err
		}
		for _, s := range r.snaps[i+1:] {
			if s.clones > 0 {
				return nil, inUse(op, backend.ResourceSnapshot, s.ID.String(), s.Name,
					fmt.Errorf("restoring to %q would delete it, but %d unsplit clone(s) depend on it", r.snaps[i].Name, s.clones))
			}
		}
		c := r.copyRec()
		c.Size = r.snaps[i].VolumeSize
		if keepLarger {
			c.Size = r.Size.Larger(r.snaps[i].VolumeSize)
		}
		c.snaps = r.snaps[: i+1 : i+1]
		ops := []change{putVol(c)}
		for _, s := range r.snaps[i+1:] {
			ops = append(ops, delSnap(vol, s.ID))
		}
		b.vols[vol] = c
		out = b.volume(c)
		return ops, nil
	})
	return out, err
}
