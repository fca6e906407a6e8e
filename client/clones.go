package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/ontap"
)

// CreateClone creates a FlexClone of the parent's snapshot, naming parent
// volume and snapshot by UUID, with the spec's state, junction path,
// export policy and comment, and returns the clone as stored. Attributes
// are refused with ErrUnsupported.
//
// ONTAP cannot name the snapshot it takes for a clone of no snapshot, so
// with a zero ParentSnapshot the client takes the snapshot
// NewSnapshotName itself, clones it, and deletes it again if the clone
// fails. The result is the contract's (a failed call leaves no snapshot
// behind) unless that delete fails too; unlike a local backend's, the two
// steps are not one atomic step to other clients of the server.
func (c *Client) CreateClone(ctx context.Context, spec backend.CloneSpec) (backend.Volume, error) {
	parentVol, parentSnap, name := spec.ParentVolume, spec.ParentSnapshot, spec.Name
	s := subject{op: "CreateClone", ontapOp: ontap.OpCloneCreate, resource: backend.ResourceVolume, volume: &parentVol, snapshot: &parentSnap, name: name}
	if err := ctx.Err(); err != nil {
		return backend.Volume{}, err
	}
	if len(spec.Attributes) > 0 {
		return backend.Volume{}, s.refuseAttributes(backend.ResourceVolume, spec.Attributes)
	}
	if parentSnap.IsZero() {
		sn, err := c.CreateSnapshot(ctx, parentVol, backend.SnapshotSpec{Name: spec.NewSnapshotName})
		if err != nil {
			var be *backend.Error
			if errors.As(err, &be) {
				relabelled := *be
				relabelled.Op = s.op
				return backend.Volume{}, &relabelled
			}
			return backend.Volume{}, err
		}
		spec.ParentSnapshot, spec.NewSnapshotName = sn.ID, ""
		v, err := c.CreateClone(ctx, spec)
		if err != nil {
			_ = c.DeleteSnapshot(context.WithoutCancel(ctx), parentVol, sn.ID)
		}
		return v, err
	}
	bad := badText("name", name, "junction path", spec.JunctionPath, "export policy", spec.ExportPolicy,
		"comment", spec.Comment, "state", string(spec.State))
	if bad == nil && spec.NewSnapshotName != "" {
		bad = errors.New("NewSnapshotName is set, but ParentSnapshot names an existing snapshot")
	}
	if bad != nil {
		// Unknown parents are reported first.
		if _, gerr := c.getSnapshot(ctx, s, parentVol, parentSnap); gerr != nil {
			return backend.Volume{}, gerr
		}
		return backend.Volume{}, s.errorOf(backend.KindInvalidArgument, backend.ResourceVolume, bad)
	}
	env, err := c.environment(ctx)
	if err != nil {
		return backend.Volume{}, c.fail(ctx, s, err)
	}
	body := volumeCreate{
		Name:    name,
		SVM:     wireRef{Name: env.svm.Name},
		State:   string(spec.State),
		Comment: spec.Comment,
		NAS:     nasOf(spec.JunctionPath, spec.ExportPolicy),
		Clone: &cloneBody{
			IsFlexclone:    true,
			ParentVolume:   wireRef{UUID: parentVol.String()},
			ParentSnapshot: wireRef{UUID: parentSnap.String()},
		},
	}
	return c.createVolume(ctx, s, env, body)
}

// splitBody starts a FlexClone split.
type splitBody struct {
	Clone struct {
		SplitInitiated bool `json:"split_initiated"`
	} `json:"clone"`
}

// SplitClone splits a clone from its parent and returns the volume once it
// is independent. ONTAP's split job may end while the split still runs in
// the background, so the client then polls the volume until its origin is
// gone, within the poll timeout.
func (c *Client) SplitClone(ctx context.Context, vol backend.VolumeID) (backend.Volume, error) {
	s := subject{op: "SplitClone", ontapOp: ontap.OpCloneSplit, resource: backend.ResourceVolume, volume: &vol}
	if err := ctx.Err(); err != nil {
		return backend.Volume{}, err
	}
	var body splitBody
	body.Clone.SplitInitiated = true
	if _, err := c.mutate(ctx, http.MethodPatch, volumePath(vol), nil, body); err != nil {
		return backend.Volume{}, c.fail(ctx, s, err)
	}
	var v backend.Volume
	err := c.poll(ctx, func() (bool, error) {
		var err error
		v, err = c.getVolume(ctx, s, vol)
		return err != nil || !v.IsClone(), err
	})
	if err == errPollTimeout {
		return backend.Volume{}, c.fail(ctx, s, &internalError{fmt.Errorf("volume %s is still a clone %v after its split job succeeded", vol, c.pollTimeout)})
	}
	if err != nil {
		return backend.Volume{}, err
	}
	return v, nil
}
