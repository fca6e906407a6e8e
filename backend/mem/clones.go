package mem

import (
	"context"
	"errors"

	"github.com/nessie-go/nessie/backend"
)

// CreateClone creates a volume from a snapshot of the parent, taking that
// snapshot first, under spec.NewSnapshotName, if spec.ParentSnapshot is
// zero; both happen under one hold of the writer lock, so a failure leaves
// neither. The clone is rw and flexvol, has the size the parent had when
// the snapshot was taken (a lenient backend: the parent's current size),
// and records its origin; the snapshot cannot be deleted until the clone
// is split or deleted. Errors, in this order: ErrVolumeNotFound (parent),
// ErrSnapshotNotFound, ErrInvalidArgument, ErrAlreadyExists (the clone's
// name, or the new snapshot's on the parent).
func (b *Backend) CreateClone(ctx context.Context, spec backend.CloneSpec) (backend.Volume, error) {
	const op = "CreateClone"
	if err := ctx.Err(); err != nil {
		return backend.Volume{}, err
	}
	check := spec
	if b.lenient {
		check.Name = lenientName
		if check.ParentSnapshot.IsZero() {
			check.NewSnapshotName = lenientName
		}
	}
	invalid := check.Validate() // reported after the parent's existence
	attrs, _ := backend.CompactAttributes(spec.Attributes)
	c := &volRec{
		id:    backend.NewVolumeID(),
		name:  spec.Name,
		state: codeOf(spec.State),
	}
	newSnap := spec.ParentSnapshot.IsZero()
	snapID := spec.ParentSnapshot
	if newSnap {
		snapID = backend.NewSnapshotID()
	}
	if err := b.lock(ctx); err != nil {
		return backend.Volume{}, err
	}
	defer b.mu.Unlock()
	p, ok := b.rec(spec.ParentVolume)
	if !ok {
		return backend.Volume{}, backend.VolumeNotFound(op, spec.ParentVolume)
	}
	ss := b.snaps[p.id]
	i := byID(ss, snapID)
	if !newSnap && i < 0 {
		return backend.Volume{}, backend.SnapshotNotFound(op, snapID)
	}
	if invalid != nil {
		name := spec.Name
		if backend.ResourceOf(invalid) == backend.ResourceSnapshot {
			name = spec.NewSnapshotName
		}
		return backend.Volume{}, b.relabel(op, name, invalid)
	}
	if _, taken := b.names[spec.Name]; taken {
		return backend.Volume{}, alreadyExists(op, backend.ResourceVolume, spec.Name)
	}
	created := b.timestamp()
	c.setCreated(created)
	if newSnap {
		if byName(ss, spec.NewSnapshotName) >= 0 {
			return backend.Volume{}, alreadyExists(op, backend.ResourceSnapshot, spec.NewSnapshotName)
		}
		ss = append(ss[:len(ss):len(ss)], &snapRec{id: snapID, name: spec.NewSnapshotName, created: created, size: p.size})
		b.snaps[p.id] = ss
		i = len(ss) - 1
	}
	c.size = ss[i].size
	if b.lenient {
		c.size = p.size
	}
	c.setRare(func(x *volRare) {
		x.junction, x.policy, x.comment, x.attrs = spec.JunctionPath, spec.ExportPolicy, spec.Comment, attrs
		x.origin = &backend.CloneOrigin{
			ParentVolume: p.name, ParentSnapshot: ss[i].name,
			ParentVolumeID: p.id, ParentSnapshotID: snapID,
		}
	})
	b.add(c)
	b.link(snapID, c.id)
	return c.volume(), nil
}

// SplitClone makes a clone independent: its origin is cleared and its
// parent snapshot is released. It returns the volume. Errors:
// ErrVolumeNotFound; ErrInvalidArgument if the volume is not a clone.
func (b *Backend) SplitClone(ctx context.Context, vol backend.VolumeID) (backend.Volume, error) {
	const op = "SplitClone"
	if err := ctx.Err(); err != nil {
		return backend.Volume{}, err
	}
	if err := b.lock(ctx); err != nil {
		return backend.Volume{}, err
	}
	defer b.mu.Unlock()
	r, ok := b.rec(vol)
	if !ok {
		return backend.Volume{}, backend.VolumeNotFound(op, vol)
	}
	if r.origin() == nil {
		return backend.Volume{}, &backend.Error{Op: op, Kind: backend.KindInvalidArgument, Resource: backend.ResourceVolume,
			ID: r.id.String(), Name: r.name, Err: errors.New("volume is not a clone")}
	}
	b.unlink(r)
	c := r.copyRec()
	c.setRare(func(x *volRare) { x.origin = nil })
	c.detached = false
	b.put(c)
	return c.volume(), nil
}
