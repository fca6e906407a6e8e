package backend

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/nessie-go/nessie/internal/text"
)

// Size is a volume size in bytes, or unlimited. The zero value is
// unlimited. In JSON it is a number, or null for unlimited.
type Size struct {
	bytes   uint64
	limited bool
}

// Unlimited is the size of a volume with no size limit.
var Unlimited = Size{}

// Bytes returns a limited size of n bytes (zero is allowed).
func Bytes(n uint64) Size { return Size{bytes: n, limited: true} }

// Get returns the size in bytes and true, or 0 and false if unlimited.
func (s Size) Get() (uint64, bool) { return s.bytes, s.limited }

// IsUnlimited reports whether s has no limit.
func (s Size) IsUnlimited() bool { return !s.limited }

// Larger returns the larger of s and o; unlimited is larger than any size.
func (s Size) Larger(o Size) Size {
	if !s.limited || !o.limited {
		return Unlimited
	}
	return Bytes(max(s.bytes, o.bytes))
}

// String returns the byte count, or "unlimited".
func (s Size) String() string {
	if !s.limited {
		return "unlimited"
	}
	return strconv.FormatUint(s.bytes, 10)
}

// MarshalJSON renders a number or null.
func (s Size) MarshalJSON() ([]byte, error) {
	if !s.limited {
		return []byte("null"), nil
	}
	return strconv.AppendUint(nil, s.bytes, 10), nil
}

// UnmarshalJSON accepts a non-negative integer or null.
func (s *Size) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*s = Unlimited
		return nil
	}
	n, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("size_bytes must be a non-negative integer or null, got %s", text.Truncate(string(b), 32))
	}
	*s = Bytes(n)
	return nil
}

// VolumeState is a volume's administrative state.
type VolumeState string

// The volume states.
const (
	StateOnline     VolumeState = "online"
	StateOffline    VolumeState = "offline"
	StateRestricted VolumeState = "restricted"
)

// Valid reports whether s is one of the defined states.
func (s VolumeState) Valid() bool {
	return s == StateOnline || s == StateOffline || s == StateRestricted
}

// VolumeStyle is a volume's layout; only FlexVol exists today.
type VolumeStyle string

// StyleFlexVol is the only volume style.
const StyleFlexVol VolumeStyle = "flexvol"

// VolumeType distinguishes read-write volumes from data-protection
// (replication destination) volumes.
type VolumeType string

// The volume types.
const (
	TypeRW VolumeType = "rw"
	TypeDP VolumeType = "dp"
)

// CloneOrigin records what a clone was made from. Backends store the IDs
// and render the names current at read time, so renaming a parent keeps
// every origin right.
type CloneOrigin struct {
	ParentVolume     string     `json:"parent_volume"`
	ParentSnapshot   string     `json:"parent_snapshot"`
	ParentVolumeID   VolumeID   `json:"parent_volume_uuid"`
	ParentSnapshotID SnapshotID `json:"parent_snapshot_uuid"`
}

// Volume is a volume as a backend reports it. The JSON form is the domain
// shape shared with the Python binding: uuid, name, size_bytes (null when
// unlimited), state, style, vol_type, clone (only on clones), plus the
// optional nessie additions.
type Volume struct {
	ID           VolumeID     `json:"uuid"`
	Name         string       `json:"name"`
	Size         Size         `json:"size_bytes"`
	State        VolumeState  `json:"state"`
	Style        VolumeStyle  `json:"style"`
	Type         VolumeType   `json:"vol_type"`
	Clone        *CloneOrigin `json:"clone,omitempty"`
	JunctionPath string       `json:"junction_path,omitempty"`
	ExportPolicy string       `json:"export_policy,omitempty"`
	Comment      string       `json:"comment,omitempty"`
	CreateTime   time.Time    `json:"create_time,omitzero"`
	UsedBytes    uint64       `json:"used_bytes"`
	// Attributes is the JSON object the caller stored with the volume
	// (see VolumeSpec.Attributes), compacted; nil if there is none.
	Attributes json.RawMessage `json:"attributes,omitempty"`
}

// IsClone reports whether v is an unsplit clone.
func (v Volume) IsClone() bool { return v.Clone != nil }

// Snapshot is a point-in-time copy of a volume.
type Snapshot struct {
	ID           SnapshotID `json:"uuid"`
	Name         string     `json:"name"`
	CreateTime   time.Time  `json:"create_time"`
	SizeConsumed uint64     `json:"size_consumed"`
	Comment      string     `json:"comment,omitempty"`
	// Attributes is the JSON object stored with the snapshot, compacted;
	// nil if there is none.
	Attributes json.RawMessage `json:"attributes,omitempty"`
}

// VolumeSpec is the input to CreateVolume. Only Name is required.
type VolumeSpec struct {
	Name string `json:"name"`
	Size Size   `json:"size_bytes"`
	// State is the state the volume starts in; "" means online. An
	// offline or restricted volume cannot have a junction path.
	State        VolumeState `json:"state,omitempty"`
	JunctionPath string      `json:"junction_path,omitempty"`
	ExportPolicy string      `json:"export_policy,omitempty"`
	Comment      string      `json:"comment,omitempty"`
	// Attributes is an optional JSON object that the backend stores with
	// the volume and returns verbatim (compacted; an empty object is
	// stored as none). It lets a layer above the contract keep fields of
	// its own in the same atomic write as the volume, so no reader ever
	// sees one without the other. At most MaxAttributesLen bytes.
	// Backends that cannot keep attributes refuse non-empty ones with
	// ErrUnsupported.
	Attributes json.RawMessage `json:"attributes,omitempty"`
}

// SnapshotSpec is the input to CreateSnapshot. Only Name is required.
type SnapshotSpec struct {
	Name    string `json:"name"`
	Comment string `json:"comment,omitempty"`
	// Attributes is as in VolumeSpec, for the snapshot.
	Attributes json.RawMessage `json:"attributes,omitempty"`
}

// CloneSpec is the input to CreateClone: the clone's name, its origin, and
// the fields a VolumeSpec would give it (its size comes from the snapshot).
//
// If ParentSnapshot is the zero ID, the backend snapshots the parent now,
// names that snapshot NewSnapshotName, and clones it, in one atomic step:
// if any part fails, neither the snapshot nor the clone exists afterwards.
// NewSnapshotName is required then, and must be empty otherwise.
type CloneSpec struct {
	Name            string      `json:"name"`
	ParentVolume    VolumeID    `json:"parent_volume_uuid"`
	ParentSnapshot  SnapshotID  `json:"parent_snapshot_uuid"`
	NewSnapshotName string      `json:"new_snapshot_name,omitempty"`
	State           VolumeState `json:"state,omitempty"` // "" means online
	JunctionPath    string      `json:"junction_path,omitempty"`
	ExportPolicy    string      `json:"export_policy,omitempty"`
	Comment         string      `json:"comment,omitempty"`
	// Attributes is the clone's own attributes object; the parent's are
	// not copied.
	Attributes json.RawMessage `json:"attributes,omitempty"`
}

// VolumePatch is a sparse update: a nil field leaves the value unchanged.
//
// Setting JunctionPath to "" unmounts the volume. Setting State to offline
// or restricted also unmounts it, as ONTAP does; mounting (a non-empty
// JunctionPath) requires the resulting state to be online.
type VolumePatch struct {
	Name         *string      `json:"name,omitempty"`
	Size         *Size        `json:"size_bytes,omitempty"`
	State        *VolumeState `json:"state,omitempty"`
	JunctionPath *string      `json:"junction_path,omitempty"`
	ExportPolicy *string      `json:"export_policy,omitempty"`
	Comment      *string      `json:"comment,omitempty"`
	// Attributes, if not nil, is an RFC 7386 JSON merge patch applied to
	// the stored attributes object, atomically with the rest of the
	// patch: members set to null delete keys, object members merge
	// recursively, anything else replaces. See MergeAttributes.
	Attributes json.RawMessage `json:"attributes,omitempty"`
}

// IsEmpty reports whether p changes nothing.
func (p VolumePatch) IsEmpty() bool {
	return p.Name == nil && p.Size == nil && p.State == nil &&
		p.JunctionPath == nil && p.ExportPolicy == nil && p.Comment == nil &&
		p.Attributes == nil
}

// SnapshotPatch is a sparse snapshot update (rename, comment, attributes
// merge patch as in VolumePatch).
type SnapshotPatch struct {
	Name       *string         `json:"name,omitempty"`
	Comment    *string         `json:"comment,omitempty"`
	Attributes json.RawMessage `json:"attributes,omitempty"`
}

// IsEmpty reports whether p changes nothing.
func (p SnapshotPatch) IsEmpty() bool {
	return p.Name == nil && p.Comment == nil && p.Attributes == nil
}

// Capabilities declares which tiers a backend implements. It must agree
// exactly with the interfaces the backend's type satisfies.
type Capabilities struct {
	Snapshots   bool `json:"snapshots"`
	Clones      bool `json:"clones"`
	Replication bool `json:"replication"`
}

// Validate checks the consistency rule: clones and replication both
// require snapshots. It returns an [ErrInvalidArgument] error otherwise.
func (c Capabilities) Validate() error {
	if (c.Clones || c.Replication) && !c.Snapshots {
		return &Error{Op: "Capabilities", Kind: KindInvalidArgument, Resource: ResourceBackend,
			Err: fmt.Errorf("clones and replication require snapshots (got %+v)", c)}
	}
	return nil
}

// AccessKind tags an [AccessHandle].
type AccessKind string

// The access handle kinds. backend/mem produces in_memory; the REST client
// produces nfs_export for a mounted volume and ontap_passthrough (Server is
// the management host, Path the volume's REST path) otherwise. The others
// are reserved for future substrates.
const (
	AccessInMemory         AccessKind = "in_memory"
	AccessNFSExport        AccessKind = "nfs_export"
	AccessS3Presigned      AccessKind = "s3_presigned"
	AccessGitRef           AccessKind = "git_ref"
	AccessONTAPPassthrough AccessKind = "ontap_passthrough"
)

// AccessHandle tells a client how to reach a volume's data. It is a tagged
// union: Kind selects which other fields are meaningful. In JSON an
// in-memory handle is exactly {"kind":"in_memory"}.
type AccessHandle struct {
	Kind   AccessKind `json:"kind"`
	Server string     `json:"server,omitempty"` // nfs_export, ontap_passthrough
	Path   string     `json:"path,omitempty"`   // nfs_export, ontap_passthrough
}

var (
	_ json.Marshaler   = Size{}
	_ json.Unmarshaler = (*Size)(nil)
)
