package ontap

import (
	"net/http"
	"strings"

	"github.com/nessie-go/nessie/backend"
)

// CheckSnapshotName applies the backend's snapshot-name rules with
// ONTAP's error code.
func CheckSnapshotName(name string) error {
	if err := backend.ValidateName(name); err != nil {
		return Errorf(http.StatusBadRequest, CodeSnapshotNameInvalid, "name", "The specified snapshot name is invalid: %v.", cause(err))
	}
	return nil
}

// SnapshotCreate is a validated snapshot create: the backend spec, with
// the body's ONTAP fields (expiry_time, snapmirror_label, ...) as its
// attributes.
type SnapshotCreate struct {
	Spec backend.SnapshotSpec
}

// SnapshotCreate validates a snapshot create body (decoded with Op
// schema.Post) for volume vol.
func (r *VolumeRules) SnapshotCreate(w *Snapshot, vol *backend.Volume) (*SnapshotCreate, error) {
	if err := r.checkSnapshotKeys(w, vol); err != nil {
		return nil, err
	}
	if w.Name == nil {
		return nil, required("name")
	}
	if err := CheckSnapshotName(*w.Name); err != nil {
		return nil, err
	}
	c := &SnapshotCreate{Spec: backend.SnapshotSpec{Name: *w.Name, Attributes: EncodeAttributes(w.Extra)}}
	if w.Comment != nil {
		c.Spec.Comment = *w.Comment
	}
	if err := c.Spec.Validate(); err != nil {
		return nil, FromBackend(OpSnapshotCreate, err)
	}
	return c, nil
}

// SnapshotChange is a validated snapshot PATCH: the backend patch, its
// Attributes the merge patch of the body's ONTAP fields.
type SnapshotChange struct {
	Patch backend.SnapshotPatch
}

// checkSnapshotKeys verifies that a body's svm and volume (path keys
// that clients may repeat in the body) name the cluster's SVM and the
// path's volume.
func (r *VolumeRules) checkSnapshotKeys(w *Snapshot, vol *backend.Volume) error {
	if err := r.CheckSVM(w.SVM, "svm", false); err != nil {
		return err
	}
	if ref := w.Volume; ref != nil && (ref.UUID != nil && !strings.EqualFold(*ref.UUID, vol.ID.String()) || ref.Name != nil && *ref.Name != vol.Name) {
		return Errorf(http.StatusBadRequest, CodeInvalidValue, "volume", "The body's volume does not match the volume in the path.")
	}
	return nil
}

// SnapshotPatch validates a snapshot PATCH body (decoded with Op
// schema.Patch) for a snapshot of volume vol.
func (r *VolumeRules) SnapshotPatch(w *Snapshot, vol *backend.Volume) (*SnapshotChange, error) {
	if err := r.checkSnapshotKeys(w, vol); err != nil {
		return nil, err
	}
	if w.Name != nil {
		if err := CheckSnapshotName(*w.Name); err != nil {
			return nil, err
		}
	}
	c := &SnapshotChange{Patch: backend.SnapshotPatch{Name: w.Name, Comment: w.Comment, Attributes: EncodeAttributes(w.Extra)}}
	if err := c.Patch.Validate(); err != nil {
		return nil, FromBackend(OpSnapshotPatch, err)
	}
	return c, nil
}
