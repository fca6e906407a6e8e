package mem

import (
	"context"
	"errors"

	"github.com/nessie-go/nessie/backend"
)

// CreateClone creates a volume named name from the parent's snapshot. The
// clone is online, rw and flexvol, has the size the parent had when the
// snapshot was taken, and records its origin by ID; the snapshot cannot be
// deleted until the clone is split or deleted. It costs O(log n) in the
// number of volumes. Errors, in this order: ErrVolumeNotFound (parent),
// ErrSnapshotNotFound, ErrInvalidArgument (name), ErrAlreadyExists.
func (b *Backend) CreateClone(ctx context.Context, parentVol backend.VolumeID, parentSnap backend.SnapshotID, name string) (backend.Volume, error) {
	const op = "CreateClone"
	if err := ctx.Err(); err != nil {
		return backend.Volume{}, err
	}
	id := backend.NewVolumeID()
	var out backend.Volume
	err := b.write(ctx, func(s *state) (*state, error) {
		p, i, err := lookupSnap(op, s, parentVol, parentSnap)
		if err != nil {
			return nil, err
		}
		if err := checkName(op, backend.ResourceVolume, name); err != nil {
			return nil, err
		}
		if s.nameTaken(name) {
			return nil, alreadyExists(op, backend.ResourceVolume, name)
		}
		c := &volRec{
			id:      id,
			name:    name,
			size:    p.snaps[i].size,
			state:   backend.StateOnline,
			typ:     backend.TypeRW,
			origin:  origin{vol: p.id, snap: p.snaps[i].id},
			created: b.timestamp(),
		}
		next := s.withVol(p.withCloneDelta(i, +1), c)
		next.withName(name, id)
		out = next.volume(c)
		return next, nil
	})
	return out, err
}

// SplitClone makes a clone independent: its origin is cleared and its
// parent snapshot is released. It returns the volume. Errors:
// ErrVolumeNotFound; ErrInvalidArgument if the volume is not a clone.
func (b *Backend) SplitClone(ctx context.Context, vol backend.VolumeID) (backend.Volume, error) {
	const op = "SplitClone"
	if err := ctx.Err(); err != nil {
		return backend.Volume{}, err
	}
	var out backend.Volume
	err := b.write(ctx, func(s *state) (*state, error) {
		r, ok := s.vol(vol)
		if !ok {
			return nil, backend.VolumeNotFound(op, vol)
		}
		if !r.origin.isClone() {
			return nil, &backend.Error{Op: op, Kind: backend.KindInvalidArgument, Resource: backend.ResourceVolume,
				ID: r.id.String(), Name: r.name, Err: errors.New("volume is not a clone")}
		}
		c := r.copyRec()
		c.origin = origin{}
		next := releaseOrigin(s, r.origin).withVol(c)
		out = next.volume(c)
		return next, nil
	})
	return out, err
}
