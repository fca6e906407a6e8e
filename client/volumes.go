package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/ontap"
)

const volumesPath = "/api/storage/volumes"

func volumePath(id backend.VolumeID) string { return volumesPath + "/" + id.String() }

// nasBody is the nas object of a create or patch body.
type nasBody struct {
	Path         *string    `json:"path,omitempty"`
	ExportPolicy *policyRef `json:"export_policy,omitempty"`
}

// policyRef names an export policy; unlike wireRef it sends an empty name,
// which clears the policy in a patch.
type policyRef struct {
	Name string `json:"name"`
}

type cloneBody struct {
	IsFlexclone    bool    `json:"is_flexclone"`
	ParentVolume   wireRef `json:"parent_volume"`
	ParentSnapshot wireRef `json:"parent_snapshot"`
}

// volumeCreate is the POST /api/storage/volumes body, for plain volumes and
// FlexClones alike.
type volumeCreate struct {
	Name       string     `json:"name"`
	SVM        wireRef    `json:"svm"`
	Aggregates []wireRef  `json:"aggregates,omitempty"`
	Size       *uint64    `json:"size,omitempty"`
	State      string     `json:"state,omitempty"`
	NAS        *nasBody   `json:"nas,omitempty"`
	Comment    string     `json:"comment,omitempty"`
	Clone      *cloneBody `json:"clone,omitempty"`
}

// ListVolumes lists the volumes of the client's SVM, following every page.
func (c *Client) ListVolumes(ctx context.Context) ([]backend.Volume, error) {
	s := subject{op: "ListVolumes", ontapOp: ontap.OpVolumeGet, resource: backend.ResourceVolume}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	env, err := c.environment(ctx)
	if err != nil {
		return nil, c.fail(ctx, s, err)
	}
	q := url.Values{"svm.uuid": {env.svm.UUID}, "fields": {volumeFields}}
	recs, err := listConsistent[wireVolume](ctx, c, volumesPath, q)
	if err != nil {
		return nil, c.fail(ctx, s, err)
	}
	vols := make([]backend.Volume, 0, len(recs))
	for i := range recs {
		v, err := recs[i].toVolume()
		if err != nil {
			return nil, c.fail(ctx, s, &internalError{err})
		}
		vols = append(vols, v)
	}
	return vols, nil
}

// CreateVolume creates a volume in the client's SVM, on the first
// aggregate the SVM lists, in the spec's state, and returns it as stored.
// An unlimited size is sent as no size at all, which leaves the size to
// the server (ONTAP applies its default); the result reports what was
// stored. Attributes are refused with ErrUnsupported: the server keeps
// ONTAP's fields itself and has nowhere to keep opaque ones.
func (c *Client) CreateVolume(ctx context.Context, spec backend.VolumeSpec) (backend.Volume, error) {
	s := subject{op: "CreateVolume", ontapOp: ontap.OpVolumeCreate, resource: backend.ResourceVolume, name: spec.Name}
	if err := ctx.Err(); err != nil {
		return backend.Volume{}, err
	}
	if len(spec.Attributes) > 0 {
		return backend.Volume{}, s.refuseAttributes(backend.ResourceVolume, spec.Attributes)
	}
	if err := badText("name", spec.Name, "junction path", spec.JunctionPath,
		"export policy", spec.ExportPolicy, "comment", spec.Comment, "state", string(spec.State)); err != nil {
		return backend.Volume{}, s.errorOf(backend.KindInvalidArgument, backend.ResourceVolume, err)
	}
	env, err := c.environment(ctx)
	if err != nil {
		return backend.Volume{}, c.fail(ctx, s, err)
	}
	body := volumeCreate{
		Name:       spec.Name,
		SVM:        wireRef{Name: env.svm.Name},
		Aggregates: []wireRef{{Name: env.aggregate}},
		Comment:    spec.Comment,
		State:      string(spec.State),
		NAS:        nasOf(spec.JunctionPath, spec.ExportPolicy),
	}
	if n, ok := spec.Size.Get(); ok {
		body.Size = &n
	}
	return c.createVolume(ctx, s, env, body)
}

// nasOf renders a create's junction path and export policy; nil if both
// are empty.
func nasOf(junction, policy string) *nasBody {
	if junction == "" && policy == "" {
		return nil
	}
	nas := &nasBody{}
	if junction != "" {
		nas.Path = &junction
	}
	if policy != "" {
		nas.ExportPolicy = &policyRef{Name: policy}
	}
	return nas
}

// VolumeByName finds the volume of the client's SVM with exactly that
// name. It asks the server with a name= query, then compares names itself:
// ONTAP matches query values case-insensitively and treats * | ! < > as
// operators, so when the query finds no exact match for a name holding
// anything but letters, digits, '_', '-' and '.', or the server refuses
// the query as malformed, the whole SVM is listed instead.
func (c *Client) VolumeByName(ctx context.Context, name string) (backend.Volume, error) {
	s := subject{op: "VolumeByName", ontapOp: ontap.OpVolumeGet, resource: backend.ResourceVolume, name: name}
	if err := ctx.Err(); err != nil {
		return backend.Volume{}, err
	}
	if !utf8.ValidString(name) || name == "" {
		// No name JSON can carry, nor the empty name, is held by a volume.
		return backend.Volume{}, s.errorOf(backend.KindNotFound, backend.ResourceVolume, nil)
	}
	env, err := c.environment(ctx)
	if err != nil {
		return backend.Volume{}, c.fail(ctx, s, err)
	}
	for _, byName := range []bool{true, false} {
		q := url.Values{"svm.uuid": {env.svm.UUID}, "fields": {volumeFields}}
		if byName {
			q.Set("name", name)
		}
		recs, err := list[wireVolume](ctx, c, volumesPath, q)
		if byName && badQuery(err) {
			continue // a server that cannot parse the name as a query value
		}
		if err != nil {
			return backend.Volume{}, c.fail(ctx, s, err)
		}
		for i := range recs {
			if recs[i].Name == name {
				v, err := recs[i].toVolume()
				if err != nil {
					return backend.Volume{}, c.fail(ctx, s, &internalError{err})
				}
				return v, nil
			}
		}
		if plainName(name) {
			break // the query was exact
		}
	}
	return backend.Volume{}, s.errorOf(backend.KindNotFound, backend.ResourceVolume, nil)
}

// badQuery reports whether err is the server refusing a request as
// malformed (HTTP 400), as a server may for a name that is not a valid
// query pattern.
func badQuery(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.StatusCode == http.StatusBadRequest
}

// plainName reports whether a name has only characters that an ONTAP
// query value matches literally.
func plainName(name string) bool {
	for _, r := range name {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', r == '_', r == '-', r == '.':
		default:
			return false
		}
	}
	return true
}

// createVolume POSTs a volume (or clone) body, waits for the job and reads
// the new volume back.
func (c *Client) createVolume(ctx context.Context, s subject, env *environment, body volumeCreate) (backend.Volume, error) {
	m, err := c.create(ctx, volumesPath, body)
	if err != nil {
		return backend.Volume{}, c.fail(ctx, s, err)
	}
	id, err := c.createdVolumeID(ctx, env, m, body.Name)
	if err != nil {
		return backend.Volume{}, c.fail(ctx, s, err)
	}
	s.volume = &id
	return c.getVolume(ctx, s, id)
}

// createdVolumeID learns the UUID of a volume just created: from the
// returned record, else from a Location naming it, else by looking the
// name up (ONTAP 9.6 answered with neither).
func (c *Client) createdVolumeID(ctx context.Context, env *environment, m *mutation, name string) (backend.VolumeID, error) {
	var rec wireRef
	if m.record(&rec) && rec.UUID != "" {
		return parseCreated(name, rec.UUID, backend.ParseVolumeID)
	}
	if id, err := backend.ParseVolumeID(locationKey(m.location)); err == nil {
		return id, nil
	}
	uuid, err := c.findByName(ctx, volumesPath, url.Values{"svm.uuid": {env.svm.UUID}}, name)
	if err != nil {
		return backend.VolumeID{}, err
	}
	return parseCreated(name, uuid, backend.ParseVolumeID)
}

// locationKey returns the last path segment of a Location header, which is
// the new object's key when the server names it.
func locationKey(loc string) string {
	u, err := url.Parse(loc)
	if err != nil || u.RawQuery != "" {
		return ""
	}
	return path.Base(strings.TrimSuffix(u.Path, "/"))
}

// findByName finds the UUID of an object just created, in the collection
// at path narrowed by scope. A name filter is tried first; query values
// treat some characters (* | ! < >) as operators, so if it finds no exact
// match the whole collection is searched.
func (c *Client) findByName(ctx context.Context, path string, scope url.Values, name string) (string, error) {
	for _, byName := range []bool{true, false} {
		q := url.Values{"fields": {"uuid,name"}}
		for k, v := range scope {
			q[k] = v
		}
		if byName {
			q.Set("name", name)
		}
		recs, err := list[wireRef](ctx, c, path, q)
		if err != nil {
			var ae *APIError
			if ctx.Err() != nil || errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound {
				// The collection's owner (a snapshot's volume) is gone:
				// report that, as if it had gone first.
				return "", err
			}
			// The creation succeeded: whatever else the lookup met is
			// the server's fault.
			return "", &internalError{fmt.Errorf("created %q, but looking it up failed: %w", name, err)}
		}
		recs = filter(recs, func(r wireRef) bool { return r.Name == name })
		switch len(recs) {
		case 0:
			continue
		case 1:
			return recs[0].UUID, nil
		}
		return "", &internalError{fmt.Errorf("created %q, but %d objects have that name", name, len(recs))}
	}
	return "", &internalError{fmt.Errorf("created %q, but no object has that name", name)}
}

// parseCreated parses the UUID the server gave an object just created.
func parseCreated[ID any](name, uuid string, parse func(string) (ID, error)) (ID, error) {
	id, err := parse(uuid)
	if err != nil {
		var zero ID
		return zero, &internalError{fmt.Errorf("created %q: %w", name, err)}
	}
	return id, nil
}

// badText returns an error for the first of the (field, value) pairs whose
// value is not valid UTF-8. JSON cannot carry such text: encoding/json
// would replace the bad bytes with U+FFFD and the server would store a
// different name than the one asked for.
func badText(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if !utf8.ValidString(pairs[i+1]) {
			return fmt.Errorf("%s is not valid UTF-8", pairs[i])
		}
	}
	return nil
}

// GetVolume returns one volume.
func (c *Client) GetVolume(ctx context.Context, id backend.VolumeID) (backend.Volume, error) {
	s := subject{op: "GetVolume", ontapOp: ontap.OpVolumeGet, resource: backend.ResourceVolume, volume: &id}
	if err := ctx.Err(); err != nil {
		return backend.Volume{}, err
	}
	return c.getVolume(ctx, s, id)
}

func (c *Client) getVolume(ctx context.Context, s subject, id backend.VolumeID) (backend.Volume, error) {
	var w wireVolume
	if err := c.get(ctx, volumePath(id), url.Values{"fields": {volumeFields}}, &w); err != nil {
		return backend.Volume{}, c.fail(ctx, s, err)
	}
	v, err := w.toVolume()
	if err != nil {
		return backend.Volume{}, c.fail(ctx, s, &internalError{err})
	}
	if v.ID != id {
		return backend.Volume{}, c.fail(ctx, s, &internalError{fmt.Errorf("asked for volume %s, got %s", id, v.ID)})
	}
	return v, nil
}

// DeleteVolume deletes a volume and its snapshots.
func (c *Client) DeleteVolume(ctx context.Context, id backend.VolumeID) error {
	s := subject{op: "DeleteVolume", ontapOp: ontap.OpVolumeDelete, resource: backend.ResourceVolume, volume: &id}
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err := c.mutate(ctx, http.MethodDelete, volumePath(id), nil, nil)
	return c.fail(ctx, s, err)
}

// PatchVolume PATCHes the set fields (name, size, state, nas.path,
// nas.export_policy.name, comment) and returns the volume as stored. An
// unlimited size is sent as null (real ONTAP refuses it). An empty patch
// only reads the volume. Attributes are refused with ErrUnsupported, as
// in CreateVolume.
func (c *Client) PatchVolume(ctx context.Context, id backend.VolumeID, p backend.VolumePatch) (backend.Volume, error) {
	s := subject{op: "PatchVolume", ontapOp: ontap.OpVolumePatch, resource: backend.ResourceVolume, volume: &id}
	if p.Name != nil {
		s.name = *p.Name
	}
	if err := ctx.Err(); err != nil {
		return backend.Volume{}, err
	}
	if p.Attributes != nil {
		// The contract checks existence first.
		if _, err := c.getVolume(ctx, s, id); err != nil {
			return backend.Volume{}, err
		}
		return backend.Volume{}, s.refuseAttributes(backend.ResourceVolume, p.Attributes)
	}
	if p.IsEmpty() {
		return c.getVolume(ctx, s, id)
	}
	if err := badText(patchText(p)...); err != nil {
		// The contract checks existence before validity.
		if _, gerr := c.getVolume(ctx, s, id); gerr != nil {
			return backend.Volume{}, gerr
		}
		return backend.Volume{}, s.errorOf(backend.KindInvalidArgument, backend.ResourceVolume, err)
	}
	if _, err := c.mutate(ctx, http.MethodPatch, volumePath(id), nil, patchBody(p)); err != nil {
		return backend.Volume{}, c.fail(ctx, s, err)
	}
	return c.getVolume(ctx, s, id)
}

// patchText lists the text fields a patch sets, as (field, value) pairs.
func patchText(p backend.VolumePatch) []string {
	var pairs []string
	add := func(field string, v *string) {
		if v != nil {
			pairs = append(pairs, field, *v)
		}
	}
	add("name", p.Name)
	add("junction path", p.JunctionPath)
	add("export policy", p.ExportPolicy)
	add("comment", p.Comment)
	if p.State != nil {
		pairs = append(pairs, "state", string(*p.State))
	}
	return pairs
}

// patchBody renders a volume patch. A map, because a struct cannot tell an
// unlimited size (null) from an unset one (absent).
func patchBody(p backend.VolumePatch) map[string]any {
	body := map[string]any{}
	if p.Name != nil {
		body["name"] = *p.Name
	}
	if p.Size != nil {
		if n, ok := p.Size.Get(); ok {
			body["size"] = n
		} else {
			body["size"] = nil
		}
	}
	if p.State != nil {
		body["state"] = string(*p.State)
	}
	if p.Comment != nil {
		body["comment"] = *p.Comment
	}
	if p.JunctionPath != nil || p.ExportPolicy != nil {
		nas := nasBody{Path: p.JunctionPath}
		if p.ExportPolicy != nil {
			nas.ExportPolicy = &policyRef{Name: *p.ExportPolicy}
		}
		body["nas"] = nas
	}
	return body
}

// AccessHandle tells how to reach the volume's data. A mounted volume (one
// with a junction path) of an SVM with an NFS data interface that is up
// gets an nfs_export handle: that interface's address and the junction
// path. A volume that cannot be reached over NFS (unmounted, as after
// unmounting or taking it offline, or on an SVM without a working NFS
// interface) still exists and is reachable through the ONTAP API that
// this client speaks: it gets an ontap_passthrough handle whose Server is
// the API's host[:port] and whose Path is the volume's API path
// (/api/storage/volumes/{uuid}).
func (c *Client) AccessHandle(ctx context.Context, id backend.VolumeID) (backend.AccessHandle, error) {
	s := subject{op: "AccessHandle", ontapOp: ontap.OpVolumeGet, resource: backend.ResourceVolume, volume: &id}
	if err := ctx.Err(); err != nil {
		return backend.AccessHandle{}, err
	}
	v, err := c.getVolume(ctx, s, id)
	if err != nil {
		return backend.AccessHandle{}, err
	}
	passthrough := backend.AccessHandle{Kind: backend.AccessONTAPPassthrough, Server: c.base.Host, Path: volumePath(id)}
	if v.JunctionPath == "" {
		return passthrough, nil
	}
	env, err := c.environment(ctx)
	if err != nil {
		return backend.AccessHandle{}, c.fail(ctx, s, err)
	}
	q := url.Values{"svm.uuid": {env.svm.UUID}, "services": {"data_nfs"}, "fields": {"ip.address,state"}}
	lifs, err := list[wireInterface](ctx, c, "/api/network/ip/interfaces", q)
	if err != nil {
		if ctx.Err() != nil {
			return backend.AccessHandle{}, ctx.Err()
		}
		return backend.AccessHandle{}, c.fail(ctx, s, &internalError{fmt.Errorf("listing data interfaces: %w", err)})
	}
	for _, l := range lifs {
		if l.State == "up" && l.IP != nil && l.IP.Address != "" {
			return backend.AccessHandle{Kind: backend.AccessNFSExport, Server: l.IP.Address, Path: v.JunctionPath}, nil
		}
	}
	return passthrough, nil
}
