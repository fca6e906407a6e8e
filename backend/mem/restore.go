package mem

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/nessie-go/nessie/backend"
)

// Restore replaces everything the backend holds with st, in one step that
// readers see whole, keeping every ID, time, size, attribute, snapshot's
// volume size and clone origin: what fixture loads and test resets run.
// st may list volumes in any order. An invalid st fails with
// ErrInvalidArgument and changes nothing, as does one whose volume UUIDs
// share mem's 64-bit index key (see key; random UUIDs never do in
// practice). A lenient backend restores as a strict one does: names must
// be valid. Volume.Style and UsedBytes are ignored (mem volumes are
// flexvols holding no data); a dp volume stays dp.
func (b *Backend) Restore(ctx context.Context, st *backend.State) error {
	const op = "Restore"
	if err := ctx.Err(); err != nil {
		return err
	}
	st, err := backend.CheckedState(op, st)
	if err != nil {
		return err
	}
	// Build the whole new state outside the lock; swap it in under it.
	n := len(st.Volumes)
	vols := make(map[uint64]*volRec, n)
	order := make([]*volRec, 0, n)
	names := make(map[string]backend.VolumeID, n)
	snaps := make(map[backend.VolumeID][]*snapRec)
	deps := make(map[backend.SnapshotID][]backend.VolumeID)
	for i := range st.Volumes {
		vr := &st.Volumes[i]
		v := &vr.Volume
		r := &volRec{
			id: v.ID, name: v.Name, size: v.Size, state: codeOf(v.State),
			dp: v.Type == backend.TypeDP, pos: int32(len(order)),
		}
		r.setCreated(v.CreateTime.UTC())
		attrs, _ := backend.CompactAttributes(v.Attributes) // Check passed them
		var origin *backend.CloneOrigin
		if other := vols[key(r.id)]; other != nil {
			return &backend.Error{Op: op, Kind: backend.KindInvalidArgument, Resource: backend.ResourceBackend,
				Err: fmt.Errorf("volumes %q and %q: their UUIDs %s and %s share mem's 64-bit index key; change either", other.name, r.name, other.id, r.id)}
		}
		if c := v.Clone; c != nil {
			// Check ordered the parent first and proved the snapshot is its.
			p := vols[key(c.ParentVolumeID)]
			ps := snaps[p.id]
			origin = &backend.CloneOrigin{ParentVolume: p.name, ParentSnapshot: ps[byID(ps, c.ParentSnapshotID)].name,
				ParentVolumeID: p.id, ParentSnapshotID: c.ParentSnapshotID}
			deps[c.ParentSnapshotID] = append(deps[c.ParentSnapshotID], r.id)
		}
		r.setRare(func(x *volRare) {
			x.junction, x.policy, x.comment, x.attrs, x.origin = v.JunctionPath, v.ExportPolicy, v.Comment, attrs, origin
		})
		if len(vr.Snapshots) > 0 {
			ss := make([]*snapRec, len(vr.Snapshots))
			for j := range vr.Snapshots {
				s := &vr.Snapshots[j]
				sr := &snapRec{id: s.Snapshot.ID, name: s.Snapshot.Name, comment: s.Snapshot.Comment,
					created: s.Snapshot.CreateTime.UTC(), size: s.VolumeSize}
				sr.attrs, _ = backend.CompactAttributes(s.Snapshot.Attributes)
				ss[j] = sr
			}
			snaps[r.id] = ss
		}
		vols[key(r.id)] = r
		order = append(order, r)
		names[r.name] = r.id
	}
	if err := b.lock(ctx); err != nil {
		return err
	}
	b.vols, b.order, b.names, b.snaps, b.deps = vols, order, names, snaps, deps
	b.mu.Unlock()
	return nil
}

// Export returns everything the backend holds, volumes by name with every
// clone after its parent, snapshots oldest first; each snapshot record
// carries the size its volume had when it was taken. A detached clone (a
// lenient backend's clone whose parent snapshot was deleted) is exported
// as an independent volume, since its origin names nothing the state
// holds. Volume names a lenient backend accepted but the contract does
// not are exported as they are, and such a state fails Check.
func (b *Backend) Export(ctx context.Context) (*backend.State, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.mu.RLock()
	recs := slices.Clone(b.order)
	lists := make([][]*snapRec, len(recs))
	for i, r := range recs {
		lists[i] = b.snaps[r.id]
	}
	b.mu.RUnlock()
	// Records and snapshot lists are never changed in place: render them
	// outside the lock.
	vs := make([]backend.VolumeRecord, len(recs))
	for i, r := range recs {
		vr := &vs[i]
		r.render(&vr.Volume)
		if r.detached {
			vr.Volume.Clone = nil
		}
		if len(lists[i]) > 0 {
			vr.Snapshots = make([]backend.SnapshotRecord, len(lists[i]))
			for j, sr := range lists[i] {
				vr.Snapshots[j] = backend.SnapshotRecord{Snapshot: sr.snapshot(), VolumeSize: sr.size}
			}
		}
	}
	slices.SortFunc(vs, func(x, y backend.VolumeRecord) int { return cmp.Compare(x.Volume.Name, y.Volume.Name) })
	ordered, err := backend.ParentsFirst(vs)
	if err != nil {
		return nil, &backend.Error{Op: "Export", Kind: backend.KindInternal, Resource: backend.ResourceBackend, Err: err}
	}
	return &backend.State{Volumes: ordered}, nil
}
