package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"unicode/utf8"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/ontap"
)

func snapshotsPath(vol backend.VolumeID) string { return volumePath(vol) + "/snapshots" }

func snapshotPath(vol backend.VolumeID, snap backend.SnapshotID) string {
	return snapshotsPath(vol) + "/" + snap.String()
}

// snapshotBody is the snapshot POST and PATCH body.
type snapshotBody struct {
	Name    *string `json:"name,omitempty"`
	Comment *string `json:"comment,omitempty"`
}

// ListSnapshots lists the volume's snapshots, oldest first. ONTAP lists
// them in creation order; the client sorts stably by creation time as
// well, so a server that orders otherwise is corrected where times differ.
func (c *Client) ListSnapshots(ctx context.Context, vol backend.VolumeID) ([]backend.Snapshot, error) {
	s := subject{op: "ListSnapshots", ontapOp: ontap.OpVolumeGet, resource: backend.ResourceSnapshot, volume: &vol}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	recs, err := listConsistent[wireSnapshot](ctx, c, snapshotsPath(vol), url.Values{"fields": {snapshotFields}})
	if err != nil {
		return nil, c.fail(ctx, s, err)
	}
	snaps := make([]backend.Snapshot, 0, len(recs))
	for i := range recs {
		sn, err := recs[i].toSnapshot()
		if err != nil {
			return nil, c.fail(ctx, s, &internalError{err})
		}
		snaps = append(snaps, sn)
	}
	slices.SortStableFunc(snaps, func(a, b backend.Snapshot) int { return a.CreateTime.Compare(b.CreateTime) })
	return snaps, nil
}

// CreateSnapshot takes a snapshot of the volume, with the spec's name and
// comment, and returns it as stored. Attributes are refused with
// ErrUnsupported.
func (c *Client) CreateSnapshot(ctx context.Context, vol backend.VolumeID, spec backend.SnapshotSpec) (backend.Snapshot, error) {
	name := spec.Name
	s := subject{op: "CreateSnapshot", ontapOp: ontap.OpSnapshotCreate, resource: backend.ResourceSnapshot, volume: &vol, name: name}
	if err := ctx.Err(); err != nil {
		return backend.Snapshot{}, err
	}
	if len(spec.Attributes) > 0 {
		if _, err := c.getVolume(ctx, s, vol); err != nil {
			return backend.Snapshot{}, err
		}
		return backend.Snapshot{}, s.refuseAttributes(backend.ResourceSnapshot, spec.Attributes)
	}
	if err := badText("name", name, "comment", spec.Comment); err != nil {
		// An unknown volume is reported first.
		if _, gerr := c.getVolume(ctx, s, vol); gerr != nil {
			return backend.Snapshot{}, gerr
		}
		return backend.Snapshot{}, s.errorOf(backend.KindInvalidArgument, backend.ResourceSnapshot, err)
	}
	body := snapshotBody{Name: &name}
	if spec.Comment != "" {
		body.Comment = &spec.Comment
	}
	m, err := c.create(ctx, snapshotsPath(vol), body)
	if err != nil {
		return backend.Snapshot{}, c.fail(ctx, s, err)
	}
	// A complete record in the answer is the snapshot as stored; reading
	// it back instead could race with a restore that deletes it.
	var rec wireSnapshot
	if m.record(&rec) && rec.UUID != "" && rec.CreateTime != "" && rec.Name == name {
		if sn, err := rec.toSnapshot(); err == nil {
			return sn, nil
		}
	}
	id, err := c.createdSnapshotID(ctx, vol, m, name)
	if err != nil {
		return backend.Snapshot{}, c.fail(ctx, s, err)
	}
	s.snapshot = &id
	return c.getSnapshot(ctx, s, vol, id)
}

// SnapshotByName finds the volume's snapshot with exactly that name, as
// VolumeByName finds a volume.
func (c *Client) SnapshotByName(ctx context.Context, vol backend.VolumeID, name string) (backend.Snapshot, error) {
	s := subject{op: "SnapshotByName", ontapOp: ontap.OpSnapshotGet, resource: backend.ResourceSnapshot, volume: &vol, name: name}
	if err := ctx.Err(); err != nil {
		return backend.Snapshot{}, err
	}
	for _, byName := range []bool{true, false} {
		q := url.Values{"fields": {snapshotFields}}
		if byName && utf8.ValidString(name) {
			q.Set("name", name)
		}
		recs, err := list[wireSnapshot](ctx, c, snapshotsPath(vol), q)
		if byName && badQuery(err) {
			continue
		}
		if err != nil {
			return backend.Snapshot{}, c.fail(ctx, s, err)
		}
		for i := range recs {
			if recs[i].Name == name {
				sn, err := recs[i].toSnapshot()
				if err != nil {
					return backend.Snapshot{}, c.fail(ctx, s, &internalError{err})
				}
				return sn, nil
			}
		}
		if plainName(name) || !utf8.ValidString(name) {
			break
		}
	}
	return backend.Snapshot{}, s.errorOf(backend.KindNotFound, backend.ResourceSnapshot, nil)
}

func (c *Client) createdSnapshotID(ctx context.Context, vol backend.VolumeID, m *mutation, name string) (backend.SnapshotID, error) {
	var rec wireRef
	if m.record(&rec) && rec.UUID != "" {
		return parseCreated(name, rec.UUID, backend.ParseSnapshotID)
	}
	if id, err := backend.ParseSnapshotID(locationKey(m.location)); err == nil {
		return id, nil
	}
	uuid, err := c.findByName(ctx, snapshotsPath(vol), nil, name)
	if err != nil {
		return backend.SnapshotID{}, err
	}
	return parseCreated(name, uuid, backend.ParseSnapshotID)
}

// GetSnapshot returns one snapshot of the volume.
func (c *Client) GetSnapshot(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID) (backend.Snapshot, error) {
	s := subject{op: "GetSnapshot", ontapOp: ontap.OpSnapshotGet, resource: backend.ResourceSnapshot, volume: &vol, snapshot: &snap}
	if err := ctx.Err(); err != nil {
		return backend.Snapshot{}, err
	}
	return c.getSnapshot(ctx, s, vol, snap)
}

func (c *Client) getSnapshot(ctx context.Context, s subject, vol backend.VolumeID, snap backend.SnapshotID) (backend.Snapshot, error) {
	var w wireSnapshot
	if err := c.get(ctx, snapshotPath(vol, snap), url.Values{"fields": {snapshotFields}}, &w); err != nil {
		return backend.Snapshot{}, c.fail(ctx, s, err)
	}
	sn, err := w.toSnapshot()
	if err != nil {
		return backend.Snapshot{}, c.fail(ctx, s, &internalError{err})
	}
	if sn.ID != snap {
		return backend.Snapshot{}, c.fail(ctx, s, &internalError{fmt.Errorf("asked for snapshot %s, got %s", snap, sn.ID)})
	}
	return sn, nil
}

// DeleteSnapshot deletes one snapshot.
func (c *Client) DeleteSnapshot(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID) error {
	s := subject{op: "DeleteSnapshot", ontapOp: ontap.OpSnapshotDelete, resource: backend.ResourceSnapshot, volume: &vol, snapshot: &snap}
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err := c.mutate(ctx, http.MethodDelete, snapshotPath(vol, snap), nil, nil)
	return c.fail(ctx, s, err)
}

// PatchSnapshot renames a snapshot or sets its comment and returns it as
// stored. An empty patch only reads the snapshot.
func (c *Client) PatchSnapshot(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID, p backend.SnapshotPatch) (backend.Snapshot, error) {
	s := subject{op: "PatchSnapshot", ontapOp: ontap.OpSnapshotPatch, resource: backend.ResourceSnapshot, volume: &vol, snapshot: &snap}
	if p.Name != nil {
		s.name = *p.Name
	}
	if err := ctx.Err(); err != nil {
		return backend.Snapshot{}, err
	}
	if p.Attributes != nil {
		if _, err := c.getSnapshot(ctx, s, vol, snap); err != nil {
			return backend.Snapshot{}, err
		}
		return backend.Snapshot{}, s.refuseAttributes(backend.ResourceSnapshot, p.Attributes)
	}
	var pairs []string
	if p.Name != nil {
		pairs = append(pairs, "name", *p.Name)
	}
	if p.Comment != nil {
		pairs = append(pairs, "comment", *p.Comment)
	}
	if err := badText(pairs...); err != nil {
		// Unknown volumes and snapshots are reported first.
		if _, gerr := c.getSnapshot(ctx, s, vol, snap); gerr != nil {
			return backend.Snapshot{}, gerr
		}
		return backend.Snapshot{}, s.errorOf(backend.KindInvalidArgument, backend.ResourceSnapshot, err)
	}
	if !p.IsEmpty() {
		body := snapshotBody{Name: p.Name, Comment: p.Comment}
		if _, err := c.mutate(ctx, http.MethodPatch, snapshotPath(vol, snap), nil, body); err != nil {
			return backend.Snapshot{}, c.fail(ctx, s, err)
		}
	}
	return c.getSnapshot(ctx, s, vol, snap)
}

// RestoreSnapshot reverts the volume to the snapshot with ONTAP's
// PATCH /api/storage/volumes/{uuid}?restore_to.snapshot.uuid=... and
// returns the restored volume.
func (c *Client) RestoreSnapshot(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID) (backend.Volume, error) {
	s := subject{op: "RestoreSnapshot", ontapOp: ontap.OpVolumeRestore, resource: backend.ResourceVolume, volume: &vol, snapshot: &snap}
	if err := ctx.Err(); err != nil {
		return backend.Volume{}, err
	}
	q := url.Values{"restore_to.snapshot.uuid": {snap.String()}}
	if _, err := c.mutate(ctx, http.MethodPatch, volumePath(vol), q, struct{}{}); err != nil {
		return backend.Volume{}, c.fail(ctx, s, err)
	}
	return c.getVolume(ctx, s, vol)
}
