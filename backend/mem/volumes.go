package mem

import (
	"context"
	"fmt"

	"github.com/nessie-go/nessie/backend"
)

// ListVolumes returns every live volume, as of one moment, in no
// guaranteed order. It holds the read lock only to copy the list of
// records (writers wait for that copy, not for the rendering).
func (b *Backend) ListVolumes(ctx context.Context) ([]backend.Volume, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	recs := b.records()
	out := make([]backend.Volume, len(recs))
	for i, r := range recs {
		r.render(&out[i])
	}
	return out, nil
}

// records returns every stored volume record, as of one moment. The
// slice is allocated before the read lock is taken, with room for volumes
// created meanwhile, so that the lock is held only for copying pointers
// (appendRecords).
func (b *Backend) records() []*volRec {
	b.mu.RLock()
	n := len(b.order)
	b.mu.RUnlock()
	return b.appendRecords(make([]*volRec, 0, n+n/8+64))
}

func (b *Backend) appendRecords(buf []*volRec) []*volRec {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return append(buf, b.order...)
}

// CreateVolume creates a style flexvol, type rw volume from spec and
// returns it. Errors: ErrInvalidArgument if spec is invalid;
// ErrAlreadyExists if any volume, clones included, has that name.
func (b *Backend) CreateVolume(ctx context.Context, spec backend.VolumeSpec) (backend.Volume, error) {
	const op = "CreateVolume"
	if err := ctx.Err(); err != nil {
		return backend.Volume{}, err
	}
	check := spec
	if b.lenient {
		check.Name = lenientName
	}
	if err := check.Validate(); err != nil {
		return backend.Volume{}, b.relabel(op, spec.Name, err)
	}
	attrs, err := backend.CompactAttributes(spec.Attributes)
	if err != nil {
		return backend.Volume{}, b.relabel(op, spec.Name, err)
	}
	r := &volRec{
		id:    backend.NewVolumeID(),
		name:  spec.Name,
		size:  spec.Size,
		state: codeOf(spec.State),
	}
	r.setRare(func(x *volRare) {
		x.junction, x.policy, x.comment, x.attrs = spec.JunctionPath, spec.ExportPolicy, spec.Comment, attrs
	})
	r.setCreated(b.timestamp())
	if err := b.lock(ctx); err != nil {
		return backend.Volume{}, err
	}
	defer b.mu.Unlock()
	if _, taken := b.names[r.name]; taken {
		return backend.Volume{}, alreadyExists(op, backend.ResourceVolume, r.name)
	}
	b.add(r)
	return r.volume(), nil
}

// GetVolume returns the volume. Errors: ErrVolumeNotFound.
func (b *Backend) GetVolume(ctx context.Context, id backend.VolumeID) (backend.Volume, error) {
	if err := ctx.Err(); err != nil {
		return backend.Volume{}, err
	}
	r, ok := b.readRec(id)
	if !ok {
		return backend.Volume{}, backend.VolumeNotFound("GetVolume", id)
	}
	return r.volume(), nil
}

// VolumeByName returns the volume with exactly that name.
// Errors: ErrVolumeNotFound.
func (b *Backend) VolumeByName(ctx context.Context, name string) (backend.Volume, error) {
	if err := ctx.Err(); err != nil {
		return backend.Volume{}, err
	}
	b.mu.RLock()
	r, ok := b.rec(b.names[name])
	b.mu.RUnlock()
	if !ok {
		return backend.Volume{}, notFoundByName("VolumeByName", backend.ResourceVolume, name)
	}
	return r.volume(), nil
}

// DeleteVolume deletes the volume and its snapshots and frees its name;
// deleting a clone releases its parent snapshot. Errors:
// ErrVolumeNotFound; ErrInUse if an unsplit clone depends on one of the
// volume's snapshots (nothing is deleted then). A lenient backend deletes
// the volume anyway, and the clones keep their origin names.
func (b *Backend) DeleteVolume(ctx context.Context, id backend.VolumeID) error {
	const op = "DeleteVolume"
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := b.lock(ctx); err != nil {
		return err
	}
	defer b.mu.Unlock()
	r, ok := b.rec(id)
	if !ok {
		return backend.VolumeNotFound(op, id)
	}
	for _, sr := range b.snaps[id] {
		if n := len(b.deps[sr.id]); n > 0 {
			if !b.lenient {
				return inUse(op, backend.ResourceVolume, r.id.String(), r.name,
					fmt.Errorf("snapshot %q backs %d unsplit clone(s)", sr.name, n))
			}
			b.detach(sr.id)
		}
	}
	b.remove(r)
	delete(b.snaps, id)
	b.unlink(r)
	return nil
}

// PatchVolume applies the set fields of patch, all or none, and returns
// the volume. Existence is checked before the patch is validated. A
// resulting state other than online clears the junction path. Errors:
// ErrVolumeNotFound; ErrInvalidArgument; ErrAlreadyExists if a rename
// collides with another volume; ErrInUse if a non-empty junction path is
// set while the resulting state is not online.
func (b *Backend) PatchVolume(ctx context.Context, id backend.VolumeID, patch backend.VolumePatch) (backend.Volume, error) {
	const op = "PatchVolume"
	if err := ctx.Err(); err != nil {
		return backend.Volume{}, err
	}
	check := patch
	if b.lenient && check.Name != nil {
		check.Name = new(lenientName)
	}
	invalid := check.Validate() // reported once the volume is known to exist
	if err := b.lock(ctx); err != nil {
		return backend.Volume{}, err
	}
	defer b.mu.Unlock()
	r, ok := b.rec(id)
	if !ok {
		return backend.Volume{}, backend.VolumeNotFound(op, id)
	}
	if invalid != nil {
		name := ""
		if patch.Name != nil {
			name = *patch.Name
		}
		return backend.Volume{}, b.relabel(op, name, invalid)
	}
	if patch.IsEmpty() {
		return r.volume(), nil
	}
	c := r.copyRec()
	if patch.Name != nil && *patch.Name != r.name {
		if _, taken := b.names[*patch.Name]; taken {
			return backend.Volume{}, alreadyExists(op, backend.ResourceVolume, *patch.Name)
		}
		c.name = *patch.Name
	}
	if patch.Size != nil {
		c.size = *patch.Size
	}
	if patch.State != nil {
		c.state = codeOf(*patch.State)
	}
	online := c.state.state() == backend.StateOnline
	if patch.JunctionPath != nil && *patch.JunctionPath != "" && !online {
		return backend.Volume{}, inUse(op, backend.ResourceVolume, r.id.String(), r.name,
			fmt.Errorf("cannot mount a volume that is %s", c.state.state()))
	}
	attrs := r.attrs()
	if patch.Attributes != nil {
		var err error
		if attrs, err = backend.MergeAttributes(attrs, patch.Attributes); err != nil {
			return backend.Volume{}, b.relabel(op, r.name, err)
		}
	}
	c.setRare(func(x *volRare) {
		if patch.JunctionPath != nil {
			x.junction = *patch.JunctionPath
		}
		if !online {
			x.junction = "" // offline and restricted volumes are unmounted, as in ONTAP
		}
		if patch.ExportPolicy != nil {
			x.policy = *patch.ExportPolicy
		}
		if patch.Comment != nil {
			x.comment = *patch.Comment
		}
		x.attrs = attrs
	})
	b.put(c)
	if c.name != r.name {
		delete(b.names, r.name)
		b.names[c.name] = c.id
		b.refresh(c)
	}
	return c.volume(), nil
}

// AccessHandle returns the in_memory handle: the data lives in this
// process. Errors: ErrVolumeNotFound.
func (b *Backend) AccessHandle(ctx context.Context, id backend.VolumeID) (backend.AccessHandle, error) {
	if err := ctx.Err(); err != nil {
		return backend.AccessHandle{}, err
	}
	if _, ok := b.readRec(id); !ok {
		return backend.AccessHandle{}, backend.VolumeNotFound("AccessHandle", id)
	}
	return backend.AccessHandle{Kind: backend.AccessInMemory}, nil
}
