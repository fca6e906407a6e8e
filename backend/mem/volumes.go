package mem

import (
	"context"
	"fmt"

	"github.com/nessie-go/nessie/backend"
)

// ListVolumes returns every live volume, from one consistent state, in no
// guaranteed order.
func (b *Backend) ListVolumes(ctx context.Context) ([]backend.Volume, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := b.root.Load()
	out := make([]backend.Volume, 0, s.vols.len())
	s.vols.all(func(_ backend.VolumeID, r *volRec) bool {
		out = append(out, s.volume(r))
		return true
	})
	return out, nil
}

// CreateVolume creates an online, rw flexvol volume from spec and returns
// it. Errors: ErrInvalidArgument if spec is invalid; ErrAlreadyExists if
// any volume, clones included, has that name.
func (b *Backend) CreateVolume(ctx context.Context, spec backend.VolumeSpec) (backend.Volume, error) {
	const op = "CreateVolume"
	if err := ctx.Err(); err != nil {
		return backend.Volume{}, err
	}
	if err := spec.Validate(); err != nil {
		return backend.Volume{}, relabel(op, err)
	}
	r := &volRec{
		id:       backend.NewVolumeID(),
		name:     spec.Name,
		size:     spec.Size,
		state:    backend.StateOnline,
		typ:      backend.TypeRW,
		junction: spec.JunctionPath,
		policy:   spec.ExportPolicy,
		comment:  spec.Comment,
		created:  b.timestamp(),
	}
	var out backend.Volume
	err := b.write(ctx, func(s *state) (*state, error) {
		if s.nameTaken(r.name) {
			return nil, alreadyExists(op, backend.ResourceVolume, r.name)
		}
		next := s.withVol(r)
		next.withName(r.name, r.id)
		out = next.volume(r)
		return next, nil
	})
	return out, err
}

// GetVolume returns the volume. Errors: ErrVolumeNotFound.
func (b *Backend) GetVolume(ctx context.Context, id backend.VolumeID) (backend.Volume, error) {
	if err := ctx.Err(); err != nil {
		return backend.Volume{}, err
	}
	s := b.root.Load()
	r, ok := s.vol(id)
	if !ok {
		return backend.Volume{}, backend.VolumeNotFound("GetVolume", id)
	}
	return s.volume(r), nil
}

// DeleteVolume deletes the volume and its snapshots and frees its name;
// deleting a clone releases its parent snapshot. Errors:
// ErrVolumeNotFound; ErrInUse if an unsplit clone depends on one of the
// volume's snapshots (nothing is deleted then).
func (b *Backend) DeleteVolume(ctx context.Context, id backend.VolumeID) error {
	const op = "DeleteVolume"
	if err := ctx.Err(); err != nil {
		return err
	}
	return b.write(ctx, func(s *state) (*state, error) {
		r, ok := s.vol(id)
		if !ok {
			return nil, backend.VolumeNotFound(op, id)
		}
		for i := range r.snaps {
			if sr := &r.snaps[i]; sr.clones > 0 {
				return nil, inUse(op, backend.ResourceVolume, r.id.String(), r.name,
					fmt.Errorf("snapshot %q backs %d unsplit clone(s)", sr.name, sr.clones))
			}
		}
		next := s.withoutVol(id)
		next.withoutName(r.name, r.id)
		if r.origin.isClone() {
			next = releaseOrigin(next, r.origin)
		}
		return next, nil
	})
}

// releaseOrigin returns a state in which the snapshot o names has one
// dependent clone fewer. The parent always exists (a snapshot cannot be
// deleted while a clone depends on it); if it somehow did not, there would
// be nothing to release, which CheckInvariants reports.
func releaseOrigin(s *state, o origin) *state {
	p, ok := s.vol(o.vol)
	if !ok {
		return s
	}
	i := p.snapIndex(o.snap)
	if i < 0 {
		return s
	}
	return s.withVol(p.withCloneDelta(i, -1))
}

// PatchVolume applies the set fields of patch and returns the volume.
// Existence is checked before the patch is validated; the patch applies
// wholly or not at all. A resulting state other than online clears the
// junction path. Errors: ErrVolumeNotFound; ErrInvalidArgument;
// ErrAlreadyExists if a rename collides with another volume; ErrInUse if a
// non-empty junction path is set while the resulting state is not online.
func (b *Backend) PatchVolume(ctx context.Context, id backend.VolumeID, patch backend.VolumePatch) (backend.Volume, error) {
	const op = "PatchVolume"
	if err := ctx.Err(); err != nil {
		return backend.Volume{}, err
	}
	var out backend.Volume
	err := b.write(ctx, func(s *state) (*state, error) {
		r, ok := s.vol(id)
		if !ok {
			return nil, backend.VolumeNotFound(op, id)
		}
		if err := patch.Validate(); err != nil {
			return nil, relabel(op, err)
		}
		if patch.IsEmpty() {
			out = s.volume(r)
			return nil, nil
		}
		c := r.copyRec()
		if patch.Name != nil && *patch.Name != r.name {
			if s.nameTaken(*patch.Name) {
				return nil, alreadyExists(op, backend.ResourceVolume, *patch.Name)
			}
			c.name = *patch.Name
		}
		if patch.Size != nil {
			c.size = *patch.Size
		}
		if patch.State != nil {
			c.state = *patch.State
		}
		if patch.JunctionPath != nil {
			if *patch.JunctionPath != "" && c.state != backend.StateOnline {
				return nil, inUse(op, backend.ResourceVolume, r.id.String(), r.name,
					fmt.Errorf("cannot mount a volume that is %s", c.state))
			}
			c.junction = *patch.JunctionPath
		}
		if c.state != backend.StateOnline {
			c.junction = "" // offline and restricted volumes are unmounted, as in ONTAP
		}
		if patch.ExportPolicy != nil {
			c.policy = *patch.ExportPolicy
		}
		if patch.Comment != nil {
			c.comment = *patch.Comment
		}
		next := s.withVol(c)
		if c.name != r.name {
			next.withoutName(r.name, r.id)
			next.withName(c.name, c.id)
		}
		out = next.volume(c)
		return next, nil
	})
	return out, err
}

// AccessHandle returns the in_memory handle: the data lives in this
// process. Errors: ErrVolumeNotFound.
func (b *Backend) AccessHandle(ctx context.Context, id backend.VolumeID) (backend.AccessHandle, error) {
	if err := ctx.Err(); err != nil {
		return backend.AccessHandle{}, err
	}
	if _, ok := b.root.Load().vol(id); !ok {
		return backend.AccessHandle{}, backend.VolumeNotFound("AccessHandle", id)
	}
	return backend.AccessHandle{Kind: backend.AccessInMemory}, nil
}
