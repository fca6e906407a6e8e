package backend

import (
	"context"
	"io"
)

// VolumeBackend is the base tier: volumes only.
//
// Every method returns the context's error, unwrapped and with no effect,
// if ctx is already done when it is called. IDs that name no live object
// fail with [ErrVolumeNotFound].
type VolumeBackend interface {
	// Capabilities reports the tiers this backend implements. It must
	// agree with the interfaces the backend satisfies and pass
	// Capabilities.Validate.
	Capabilities(ctx context.Context) Capabilities

	// ListVolumes returns every live volume, in no guaranteed order.
	ListVolumes(ctx context.Context) ([]Volume, error)

	// CreateVolume creates a volume: style flexvol, type rw, no clone
	// origin, in the spec's state (online if ""), with the spec's size,
	// junction path, export policy, comment and attributes (compacted, as
	// CompactAttributes gives them), and a creation time. It returns the
	// stored volume. Errors: ErrInvalidArgument if spec fails
	// VolumeSpec.Validate; ErrUnsupported if spec has attributes and the
	// backend keeps none; ErrAlreadyExists if a volume (clones included)
	// has that name.
	CreateVolume(ctx context.Context, spec VolumeSpec) (Volume, error)

	// GetVolume returns the volume. Errors: ErrVolumeNotFound.
	GetVolume(ctx context.Context, id VolumeID) (Volume, error)

	// VolumeByName returns the volume with exactly that name (names are
	// case-sensitive byte strings). Errors: ErrVolumeNotFound if no
	// volume has it, whatever the name is (an invalid name names none).
	VolumeByName(ctx context.Context, name string) (Volume, error)

	// DeleteVolume deletes the volume and all its snapshots, freeing its
	// name. Errors: ErrVolumeNotFound; ErrInUse if an unsplit clone
	// depends on one of its snapshots (nothing is deleted then).
	DeleteVolume(ctx context.Context, id VolumeID) error

	// PatchVolume applies the set fields of patch, all or none of them,
	// and returns the updated volume. Attributes is merged into the stored
	// attributes with MergeAttributes. Existence is checked before the
	// patch is validated. An empty patch returns the volume unchanged.
	// Errors: ErrVolumeNotFound; ErrInvalidArgument if patch fails
	// VolumePatch.Validate or the merged attributes are too large;
	// ErrUnsupported if the patch has attributes and the backend keeps
	// none; ErrAlreadyExists if a rename collides with another volume;
	// ErrInUse if a non-empty junction path is set while the resulting
	// state is not online.
	PatchVolume(ctx context.Context, id VolumeID, patch VolumePatch) (Volume, error)

	// AccessHandle tells how to reach the volume's data.
	// Errors: ErrVolumeNotFound.
	AccessHandle(ctx context.Context, id VolumeID) (AccessHandle, error)
}

// SnapshotBackend adds snapshots. Snapshot IDs that name no snapshot of the
// given volume (including snapshots of other volumes) fail with
// [ErrSnapshotNotFound]; an unknown volume fails with [ErrVolumeNotFound]
// first.
type SnapshotBackend interface {
	VolumeBackend

	// ListSnapshots returns the volume's snapshots, oldest first.
	ListSnapshots(ctx context.Context, vol VolumeID) ([]Snapshot, error)

	// CreateSnapshot captures the volume now, recording the creation time
	// (UTC), the volume's current size, and the spec's name, comment and
	// attributes. Errors: ErrVolumeNotFound; ErrInvalidArgument if spec
	// fails SnapshotSpec.Validate; ErrUnsupported if spec has attributes
	// and the backend keeps none; ErrAlreadyExists if the volume already
	// has a snapshot of that name.
	CreateSnapshot(ctx context.Context, vol VolumeID, spec SnapshotSpec) (Snapshot, error)

	// GetSnapshot returns one snapshot.
	GetSnapshot(ctx context.Context, vol VolumeID, snap SnapshotID) (Snapshot, error)

	// SnapshotByName returns the volume's snapshot with exactly that name
	// (case-sensitive). Errors: ErrVolumeNotFound; ErrSnapshotNotFound if
	// the volume has no snapshot of that name.
	SnapshotByName(ctx context.Context, vol VolumeID, name string) (Snapshot, error)

	// DeleteSnapshot deletes one snapshot, freeing its name.
	// Errors: ErrInUse if an unsplit clone depends on it.
	DeleteSnapshot(ctx context.Context, vol VolumeID, snap SnapshotID) error

	// PatchSnapshot renames a snapshot, changes its comment or merges a
	// patch into its attributes (all or none of these) and returns it.
	// Errors: ErrInvalidArgument if patch fails SnapshotPatch.Validate;
	// ErrUnsupported for attributes the backend cannot keep;
	// ErrAlreadyExists if the new name is taken on that volume.
	PatchSnapshot(ctx context.Context, vol VolumeID, snap SnapshotID, patch SnapshotPatch) (Snapshot, error)

	// RestoreSnapshot reverts the volume to the snapshot: the volume's
	// size becomes the snapshot's, and every snapshot taken after it is
	// deleted. It returns the restored volume. Errors: ErrInUse if a
	// snapshot that would be deleted backs an unsplit clone (nothing
	// changes then).
	RestoreSnapshot(ctx context.Context, vol VolumeID, snap SnapshotID) (Volume, error)
}

// SizeKeepingRestorer is a SnapshotBackend that can also restore the way
// ONTAP's SnapRestore does, which never shrinks a FlexVol: the ONTAP REST
// edge uses it (outside its contract mode) so that the restore is one
// step. It is optional; the contract's RestoreSnapshot is unchanged.
type SizeKeepingRestorer interface {
	// RestoreSnapshotKeepingSize is RestoreSnapshot, except that the
	// volume's size becomes the larger of its size now and the snapshot's
	// (see Size.Larger). Same errors.
	RestoreSnapshotKeepingSize(ctx context.Context, vol VolumeID, snap SnapshotID) (Volume, error)
}

// CloneBackend adds writable clones of snapshots.
type CloneBackend interface {
	SnapshotBackend

	// CreateClone creates a new volume from a snapshot of the parent, as
	// one atomic step. If spec.ParentSnapshot is zero, the backend first
	// snapshots the parent under spec.NewSnapshotName, in the same step:
	// when the call fails, that snapshot does not exist either. The clone
	// has the size the parent had when the snapshot was taken, is rw and
	// flexvol, records its origin, and takes the spec's state, junction
	// path, export policy, comment and attributes. It returns the stored
	// clone. Errors, checked in this order: ErrVolumeNotFound (parent),
	// ErrSnapshotNotFound (a non-zero ParentSnapshot the parent lacks),
	// ErrInvalidArgument (spec fails CloneSpec.Validate), ErrUnsupported
	// (attributes the backend cannot keep), ErrAlreadyExists (the clone's
	// name is taken, or, with resource snapshot, the parent already has a
	// snapshot called NewSnapshotName).
	CreateClone(ctx context.Context, spec CloneSpec) (Volume, error)

	// SplitClone makes a clone independent: its origin is cleared and
	// the parent snapshot no longer depends on it. It returns the
	// volume. Errors: ErrVolumeNotFound; ErrInvalidArgument if the volume
	// is not a clone.
	SplitClone(ctx context.Context, vol VolumeID) (Volume, error)
}

// ReplicationBackend adds snapshot streams, the basis of SnapMirror-style
// replication between backends. Snapshot names, not IDs, are the contract
// between the two ends.
type ReplicationBackend interface {
	SnapshotBackend

	// SendStream returns a stream that recreates snapshot snap of the
	// volume elsewhere: a full stream if base is "", else an incremental
	// one from snapshot base. The caller must close it.
	// Errors: ErrVolumeNotFound; ErrInvalidArgument if snap or base names
	// no snapshot of the volume.
	SendStream(ctx context.Context, vol VolumeID, snap, base string) (io.ReadCloser, error)

	// ReceiveStream applies a stream to the volume named dest, creating it
	// from a full stream if it does not exist, and returns the number of
	// bytes applied. Receiving a snapshot the destination already has is a
	// no-op. Errors: ErrInvalidArgument for a malformed stream, or an
	// incremental stream whose base the destination lacks.
	ReceiveStream(ctx context.Context, dest string, r io.Reader) (int64, error)
}

// Tiers reports which tiers b implements, as found by type assertion. A
// truthful backend returns the same value from Capabilities.
func Tiers(b VolumeBackend) Capabilities {
	_, snaps := b.(SnapshotBackend)
	_, clones := b.(CloneBackend)
	_, repl := b.(ReplicationBackend)
	return Capabilities{Snapshots: snaps, Clones: clones, Replication: repl}
}
