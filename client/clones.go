package client

import (
	"context"
	"fmt"
	"net/http"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/ontap"
)

// CreateClone creates a FlexClone of the parent's snapshot, naming parent
// volume and snapshot by UUID, and returns the clone as stored.
func (c *Client) CreateClone(ctx context.Context, parentVol backend.VolumeID, parentSnap backend.SnapshotID, name string) (backend.Volume, error) {
	s := subject{op: "CreateClone", ontapOp: ontap.OpCloneCreate, resource: backend.ResourceVolume, volume: &parentVol, snapshot: &parentSnap, name: name}
	if err := ctx.Err(); err != nil {
		return backend.Volume{}, err
	}
	if err := badText("name", name); err != nil {
		// Unknown parents are reported first.
		if _, gerr := c.getSnapshot(ctx, s, parentVol, parentSnap); gerr != nil {
			return backend.Volume{}, gerr
		}
		return backend.Volume{}, s.errorOf(backend.KindInvalidArgument, backend.ResourceVolume, err)
	}
	env, err := c.environment(ctx)
	if err != nil {
		return backend.Volume{}, c.fail(ctx, s, err)
	}
	body := volumeCreate{
		Name: name,
		SVM:  wireRef{Name: env.svm.Name},
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
