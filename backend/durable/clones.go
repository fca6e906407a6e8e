package durable

import (
	"context"
	"errors"

	"github.com/nessie-go/nessie/backend"
)

// CreateClone creates and persists a clone of a snapshot.
// If spec.ParentSnapshot is zero, the parent is snapshotted under
// spec.NewSnapshotName in the same step (and the same commit).
func (b *Backend) CreateClone(ctx context.Context, spec backend.CloneSpec) (backend.Volume, error) {
	const op = "CreateClone"
	invalid := spec.Validate() // reported after the parent's existence
	attrs, _ := backend.CompactAttributes(spec.Attributes)
	newSnap := spec.ParentSnapshot.IsZero()
	var out backend.Volume
	err := b.write(ctx, func() ([]change, error) {
		p, ok := b.vols[spec.ParentVolume]
		if !ok {
			return nil, backend.VolumeNotFound(op, spec.ParentVolume)
		}
		i := -1
		if !newSnap {
			if i = p.snapIndex(spec.ParentSnapshot); i < 0 {
				return nil, backend.SnapshotNotFound(op, spec.ParentSnapshot)
			}
		}
		if invalid != nil {
			return nil, relabel(op, invalid)
		}
		if _, taken := b.names[spec.Name]; taken {
			return nil, alreadyExists(op, backend.ResourceVolume, spec.Name)
		}
		var chs []change
		if newSnap {
			if p.snapIndexByName(spec.NewSnapshotName) >= 0 {
				return nil, alreadyExists(op, backend.ResourceSnapshot, spec.NewSnapshotName)
			}
			s := b.newSnap(p, spec.NewSnapshotName)
			np := p.copyRec()
			np.snaps = append(p.snaps[:len(p.snaps):len(p.snaps)], s)
			p, i = np, len(p.snaps)
			chs = append(chs, putSnap(p.ID, s))
		}
		c := &volRec{
			ID:         backend.NewVolumeID(),
			Name:       spec.Name,
			Size:       p.snaps[i].VolumeSize,
			State:      stateOr(spec.State),
			Type:       backend.TypeRW,
			Junction:   spec.JunctionPath,
			Policy:     spec.ExportPolicy,
			Comment:    spec.Comment,
			Created:    b.timestamp(),
			OriginVol:  p.ID,
			OriginSnap: p.snaps[i].ID,
			Attributes: attrs,
		}
		b.vols[p.ID] = p.withSnap(i, func(s *snapRec) { s.clones++ })
		b.vols[c.ID] = c
		b.names[c.Name] = c.ID
		out = b.volume(c)
		return append(chs, putVol(c)), nil
	})
	return out, err
}

// SplitClone makes a clone independent of its parent snapshot.
func (b *Backend) SplitClone(ctx context.Context, vol backend.VolumeID) (backend.Volume, error) {
	const op = "SplitClone"
	var out backend.Volume
	err := b.write(ctx, func() ([]change, error) {
		r, ok := b.vols[vol]
		if !ok {
			return nil, backend.VolumeNotFound(op, vol)
		}
		if !r.isClone() {
			return nil, &backend.Error{Op: op, Kind: backend.KindInvalidArgument, Resource: backend.ResourceVolume,
				ID: r.ID.String(), Name: r.Name, Err: errors.New("volume is not a clone")}
		}
		b.releaseOrigin(r)
		c := r.copyRec()
		c.OriginVol, c.OriginSnap = backend.VolumeID{}, backend.SnapshotID{}
		b.vols[vol] = c
		out = b.volume(c)
		return []change{putVol(c)}, nil
	})
	return out, err
}
