package durable

import (
	"context"
	"errors"
	"fmt"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/internal/text"
)

// ListVolumes returns every volume.
func (b *Backend) ListVolumes(ctx context.Context) ([]backend.Volume, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make([]backend.Volume, 0, len(b.vols))
	for _, r := range b.vols {
		out = append(out, b.volume(r))
	}
	return out, nil
}

// CreateVolume creates and persists a volume.
func (b *Backend) CreateVolume(ctx context.Context, spec backend.VolumeSpec) (backend.Volume, error) {
	const op = "CreateVolume"
	if err := ctx.Err(); err != nil {
		return backend.Volume{}, err
	}
	if err := spec.Validate(); err != nil {
		return backend.Volume{}, relabel(op, err)
	}
	attrs, err := backend.CompactAttributes(spec.Attributes)
	if err != nil {
		return backend.Volume{}, relabel(op, err)
	}
	r := &volRec{
		ID:         backend.NewVolumeID(),
		Name:       spec.Name,
		Size:       spec.Size,
		State:      stateOr(spec.State),
		Type:       backend.TypeRW,
		Junction:   spec.JunctionPath,
		Policy:     spec.ExportPolicy,
		Comment:    spec.Comment,
		Created:    b.timestamp(),
		Attributes: attrs,
	}
	var out backend.Volume
	err = b.write(ctx, func() ([]change, error) {
		if _, taken := b.names[r.Name]; taken {
			return nil, alreadyExists(op, backend.ResourceVolume, r.Name)
		}
		b.vols[r.ID] = r
		b.names[r.Name] = r.ID
		out = b.volume(r)
		return []change{putVol(r)}, nil
	})
	return out, err
}

// GetVolume returns one volume.
func (b *Backend) GetVolume(ctx context.Context, id backend.VolumeID) (backend.Volume, error) {
	if err := ctx.Err(); err != nil {
		return backend.Volume{}, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	r, ok := b.vols[id]
	if !ok {
		return backend.Volume{}, backend.VolumeNotFound("GetVolume", id)
	}
	return b.volume(r), nil
}

// VolumeByName returns the volume with exactly that name.
func (b *Backend) VolumeByName(ctx context.Context, name string) (backend.Volume, error) {
	if err := ctx.Err(); err != nil {
		return backend.Volume{}, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	id, ok := b.names[name]
	if !ok {
		return backend.Volume{}, &backend.Error{Op: "VolumeByName", Kind: backend.KindNotFound, Resource: backend.ResourceVolume, Name: text.Truncate(name, 64)}
	}
	return b.volume(b.vols[id]), nil
}

// stateOr is s, or online if s is empty.
func stateOr(s backend.VolumeState) backend.VolumeState {
	if s == "" {
		return backend.StateOnline
	}
	return s
}

// DeleteVolume deletes a volume and its snapshots.
func (b *Backend) DeleteVolume(ctx context.Context, id backend.VolumeID) error {
	const op = "DeleteVolume"
	return b.write(ctx, func() ([]change, error) {
		r, ok := b.vols[id]
		if !ok {
			return nil, backend.VolumeNotFound(op, id)
		}
		for _, s := range r.snaps {
			if s.clones > 0 {
				return nil, inUse(op, backend.ResourceVolume, r.ID.String(), r.Name,
					fmt.Errorf("snapshot %q backs %d unsplit clone(s)", s.Name, s.clones))
			}
		}
		ops := make([]change, 0, len(r.snaps)+2)
		for _, s := range r.snaps {
			ops = append(ops, delSnap(r.ID, s.ID))
		}
		ops = append(ops, delVol(r.ID))
		delete(b.vols, id)
		delete(b.names, r.Name)
		if r.isClone() {
			b.releaseOrigin(r)
		}
		return ops, nil
	})
}

// releaseOrigin drops clone r's dependency on its parent snapshot. The
// count is derived state, so nothing is persisted for it.
func (b *Backend) releaseOrigin(r *volRec) {
	p, ok := b.vols[r.OriginVol]
	if !ok {
		return
	}
	if i := p.snapIndex(r.OriginSnap); i >= 0 {
		b.vols[p.ID] = p.withSnap(i, func(s *snapRec) { s.clones-- })
	}
}

// withSnap returns a copy of r whose snapshot i is a changed copy.
func (r *volRec) withSnap(i int, change func(*snapRec)) *volRec {
	c := r.copyRec()
	c.snaps = append([]*snapRec(nil), r.snaps...)
	s := *r.snaps[i]
	change(&s)
	c.snaps[i] = &s
	return c
}

// PatchVolume applies a sparse update.
func (b *Backend) PatchVolume(ctx context.Context, id backend.VolumeID, patch backend.VolumePatch) (backend.Volume, error) {
	const op = "PatchVolume"
	var out backend.Volume
	err := b.write(ctx, func() ([]change, error) {
		r, ok := b.vols[id]
		if !ok {
			return nil, backend.VolumeNotFound(op, id)
		}
		if err := patch.Validate(); err != nil {
			return nil, relabel(op, err)
		}
		if patch.IsEmpty() {
			out = b.volume(r)
			return nil, nil
		}
		c := r.copyRec()
		if patch.Name != nil && *patch.Name != r.Name {
			if _, taken := b.names[*patch.Name]; taken {
				return nil, alreadyExists(op, backend.ResourceVolume, *patch.Name)
			}
			c.Name = *patch.Name
		}
		if patch.Size != nil {
			c.Size = *patch.Size
		}
		if patch.State != nil {
			c.State = *patch.State
		}
		if patch.JunctionPath != nil {
			if *patch.JunctionPath != "" && c.State != backend.StateOnline {
				return nil, inUse(op, backend.ResourceVolume, r.ID.String(), r.Name,
					fmt.Errorf("cannot mount a volume that is %s", c.State))
			}
			c.Junction = *patch.JunctionPath
		}
		if c.State != backend.StateOnline {
			c.Junction = "" // offline and restricted volumes are unmounted, as in ONTAP
		}
		if patch.ExportPolicy != nil {
			c.Policy = *patch.ExportPolicy
		}
		if patch.Comment != nil {
			c.Comment = *patch.Comment
		}
		if patch.Attributes != nil {
			attrs, err := backend.MergeAttributes(r.Attributes, patch.Attributes)
			if err != nil {
				return nil, relabel(op, err)
			}
			c.Attributes = attrs
		}
		b.vols[id] = c
		if c.Name != r.Name {
			delete(b.names, r.Name)
			b.names[c.Name] = id
		}
		out = b.volume(c)
		return []change{putVol(c)}, nil
	})
	return out, err
}

// AccessHandle reports an in-memory handle: volumes hold no data.
func (b *Backend) AccessHandle(ctx context.Context, id backend.VolumeID) (backend.AccessHandle, error) {
	if err := ctx.Err(); err != nil {
		return backend.AccessHandle{}, err
	}
	b.mu.RLock()
	_, ok := b.vols[id]
	b.mu.RUnlock()
	if !ok {
		return backend.AccessHandle{}, backend.VolumeNotFound("AccessHandle", id)
	}
	return backend.AccessHandle{Kind: backend.AccessInMemory}, nil
}

// Error constructors: every failure is a *backend.Error with the
// contract's kinds.

func alreadyExists(op string, r backend.Resource, name string) error {
	return &backend.Error{Op: op, Kind: backend.KindAlreadyExists, Resource: r, Name: text.Truncate(name, 64)}
}

func inUse(op string, r backend.Resource, id, name string, cause error) error {
	return &backend.Error{Op: op, Kind: backend.KindInUse, Resource: r, ID: id, Name: name, Err: cause}
}

// relabel gives a validator's error the operation it failed in.
func relabel(op string, err error) error {
	var be *backend.Error
	if errors.As(err, &be) {
		c := *be
		c.Op = op
		return &c
	}
	return &backend.Error{Op: op, Kind: backend.KindInvalidArgument, Err: err}
}
