package durable

import (
	"context"
	"errors"

	"github.com/nessie-go/nessie/backend"
)

// CreateClone creates and persists a clone of a snapshot.
func (b *Backend) CreateClone(ctx context.Context, parentVol backend.VolumeID, parentSnap backend.SnapshotID, name string) (backend.Volume, error) {
	const op = "CreateClone"
	var out backend.Volume
	err := b.write(ctx, func() ([]change, error) {
		p, i, err := b.lookupSnap(op, parentVol, parentSnap)
		if err != nil {
			return nil, err
		}
		if err := checkName(op, backend.ResourceVolume, name); err != nil {
			return nil, err
		}
		if _, taken := b.names[name]; taken {
			return nil, alreadyExists(op, backend.ResourceVolume, name)
		}
		c := &volRec{
			ID:         backend.NewVolumeID(),
			Name:       name,
			Size:       p.snaps[i].VolumeSize,
			State:      backend.StateOnline,
			Type:       backend.TypeRW,
			Created:    b.timestamp(),
			OriginVol:  p.ID,
			OriginSnap: p.snaps[i].ID,
		}
		b.vols[p.ID] = p.withSnap(i, func(s *snapRec) { s.clones++ })
		b.vols[c.ID] = c
		b.names[name] = c.ID
		out = b.volume(c)
		return []change{putVol(c)}, nil
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
