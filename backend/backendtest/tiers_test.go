package backendtest_test

import (
	"context"
	"io"

	"github.com/nessie-go/nessie/backend"
)

// impl is everything mem implements; the broken variants in teeth_test.go
// embed *mem.Backend and override a method or two.
type impl interface {
	backend.CloneBackend
	backend.ReplicationBackend
}

// shape selects which tiers a wrapper exposes. The wrappers forward exactly
// the methods of their tiers, so a shape can implement a tier without
// claiming it, or claim one it does not implement.
type shape int

const (
	volumeShape shape = iota
	snapshotShape
	cloneShape
	replicationShape // snapshots and replication, no clones
	fullShape
)

// wrap exposes in through the tiers of s. caps is what Capabilities
// reports; nil means the truth.
func wrap(in impl, s shape, caps *backend.Capabilities) backend.VolumeBackend {
	v := &volTier{in: in}
	var b backend.VolumeBackend
	switch s {
	case volumeShape:
		b = v
	case snapshotShape:
		b = &snapTier{v}
	case cloneShape:
		b = &cloneTier{&snapTier{v}}
	case replicationShape:
		b = &replTier{&snapTier{v}}
	default:
		b = &fullTier{&cloneTier{&snapTier{v}}}
	}
	if caps != nil {
		v.caps = *caps
	} else {
		v.caps = backend.Tiers(b)
	}
	return b
}

type volTier struct {
	in   impl
	caps backend.Capabilities
}

func (w *volTier) Capabilities(context.Context) backend.Capabilities { return w.caps }

func (w *volTier) ListVolumes(ctx context.Context) ([]backend.Volume, error) {
	return w.in.ListVolumes(ctx)
}

func (w *volTier) CreateVolume(ctx context.Context, spec backend.VolumeSpec) (backend.Volume, error) {
	return w.in.CreateVolume(ctx, spec)
}

func (w *volTier) GetVolume(ctx context.Context, id backend.VolumeID) (backend.Volume, error) {
	return w.in.GetVolume(ctx, id)
}

func (w *volTier) VolumeByName(ctx context.Context, name string) (backend.Volume, error) {
	return w.in.VolumeByName(ctx, name)
}

func (w *volTier) DeleteVolume(ctx context.Context, id backend.VolumeID) error {
	return w.in.DeleteVolume(ctx, id)
}

func (w *volTier) PatchVolume(ctx context.Context, id backend.VolumeID, p backend.VolumePatch) (backend.Volume, error) {
	return w.in.PatchVolume(ctx, id, p)
}

func (w *volTier) AccessHandle(ctx context.Context, id backend.VolumeID) (backend.AccessHandle, error) {
	return w.in.AccessHandle(ctx, id)
}

type snapTier struct{ *volTier }

func (w *snapTier) ListSnapshots(ctx context.Context, vol backend.VolumeID) ([]backend.Snapshot, error) {
	return w.in.ListSnapshots(ctx, vol)
}

func (w *snapTier) CreateSnapshot(ctx context.Context, vol backend.VolumeID, spec backend.SnapshotSpec) (backend.Snapshot, error) {
	return w.in.CreateSnapshot(ctx, vol, spec)
}

func (w *snapTier) GetSnapshot(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID) (backend.Snapshot, error) {
	return w.in.GetSnapshot(ctx, vol, snap)
}

func (w *snapTier) SnapshotByName(ctx context.Context, vol backend.VolumeID, name string) (backend.Snapshot, error) {
	return w.in.SnapshotByName(ctx, vol, name)
}

func (w *snapTier) DeleteSnapshot(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID) error {
	return w.in.DeleteSnapshot(ctx, vol, snap)
}

func (w *snapTier) PatchSnapshot(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID, p backend.SnapshotPatch) (backend.Snapshot, error) {
	return w.in.PatchSnapshot(ctx, vol, snap, p)
}

func (w *snapTier) RestoreSnapshot(ctx context.Context, vol backend.VolumeID, snap backend.SnapshotID) (backend.Volume, error) {
	return w.in.RestoreSnapshot(ctx, vol, snap)
}

type cloneTier struct{ *snapTier }

func (w *cloneTier) CreateClone(ctx context.Context, spec backend.CloneSpec) (backend.Volume, error) {
	return w.in.CreateClone(ctx, spec)
}

func (w *cloneTier) SplitClone(ctx context.Context, vol backend.VolumeID) (backend.Volume, error) {
	return w.in.SplitClone(ctx, vol)
}

type replTier struct{ *snapTier }

func (w *replTier) SendStream(ctx context.Context, vol backend.VolumeID, snap, base string) (io.ReadCloser, error) {
	return w.in.SendStream(ctx, vol, snap, base)
}

func (w *replTier) ReceiveStream(ctx context.Context, dest string, r io.Reader) (int64, error) {
	return w.in.ReceiveStream(ctx, dest, r)
}

type fullTier struct{ *cloneTier }

func (w *fullTier) SendStream(ctx context.Context, vol backend.VolumeID, snap, base string) (io.ReadCloser, error) {
	return w.in.SendStream(ctx, vol, snap, base)
}

func (w *fullTier) ReceiveStream(ctx context.Context, dest string, r io.Reader) (int64, error) {
	return w.in.ReceiveStream(ctx, dest, r)
}

var (
	_ backend.VolumeBackend      = (*volTier)(nil)
	_ backend.SnapshotBackend    = (*snapTier)(nil)
	_ backend.CloneBackend       = (*cloneTier)(nil)
	_ backend.ReplicationBackend = (*replTier)(nil)
	_ backend.CloneBackend       = (*fullTier)(nil)
	_ backend.ReplicationBackend = (*fullTier)(nil)
)
