package server

import (
	"context"
	"net/http"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/ontap/schema"
)

// LUNs (ontap.LUNKind): the LUN's own POST and PATCH (its OwnHandlers)
// and the attributes sub-collection /api/storage/luns/{uuid}/attributes;
// its GETs and DELETE are the generic ones. A LUN lives in a volume of
// the SVM, named /vol/<volume>[/<qtree>]/<lun> by name or location.*
// (with their own codes), its volume found by UUID or name; its size
// counts against its volume's free space.

var lunAttrSchema = ontap.ObjectSchema(schema.LUNAttribute, []string{"name"}, "name", "value", "_links")

func (s *Server) lunRoutes() []route {
	ok, made := []int{http.StatusOK}, []int{http.StatusCreated}
	t := s.table(ontap.LUNKind)
	coll := ontap.LUNKind.Path
	item, attrs := coll+"/{uuid}", coll+"/{lun_uuid}/attributes"
	return []route{
		{method: "POST", path: coll, h: s.createLUN, summary: "Create a LUN (or a LUN clone) in a volume", kind: ontap.QueryMutation, schema: t.schema, body: "@create", status: made},
		{method: "PATCH", path: item, h: s.patchLUN, summary: "Resize, rename or modify a LUN", kind: ontap.QueryMutation, schema: t.schema, body: "@modify", status: ok},
		{method: "GET", path: attrs, h: s.listLUNAttributes, summary: "List a LUN's attributes", kind: ontap.QueryCollection, schema: lunAttrSchema, status: ok},
		{method: "POST", path: attrs, h: s.createLUNAttribute, summary: "Add an attribute to a LUN", kind: ontap.QueryMutation, schema: lunAttrSchema, body: "@create", status: made},
		{method: "GET", path: attrs + "/{name}", h: s.getLUNAttribute, summary: "Get a LUN attribute", kind: ontap.QueryRecord, schema: lunAttrSchema, status: ok},
		{method: "PATCH", path: attrs + "/{name}", h: s.patchLUNAttribute, summary: "Change a LUN attribute's value", kind: ontap.QueryMutation, schema: lunAttrSchema, body: "@modify", status: ok},
		{method: "DELETE", path: attrs + "/{name}", h: s.deleteLUNAttribute, summary: "Delete a LUN attribute", kind: ontap.QueryMutation, schema: lunAttrSchema, status: ok},
	}
}

// lunVolume is what a LUN rule needs of its volume.
type lunVolume struct {
	ref  ontap.Extra // {name, uuid}
	free int64       // available bytes (for LUNs, before its LUNs' sizes)
	cap  bool        // false: the volume has no size limit
}

// volumeForLUN finds a LUN's volume by name.
func (s *Server) volumeForLUN(ctx context.Context, name, target string) (lunVolume, error) {
	v, ok, err := s.findVolume(ctx, &ontap.Ref{Name: &name})
	if err != nil {
		return lunVolume{}, ontap.FromBackend(ontap.OpVolumeGet, err)
	}
	if !ok {
		return lunVolume{}, ontap.Errorf(http.StatusNotFound, ontap.CodeLUNVolumeNotFound, target, "The specified volume %s was not found.", quote(name))
	}
	return s.lunVolumeOf(&v), nil
}

func (s *Server) lunVolumeOf(v *backend.Volume) lunVolume {
	lv := lunVolume{ref: ontap.Extra{"name": v.Name, "uuid": v.ID.String()}}
	w := ontap.VolumeRecord(v, &s.volCtx, s.attrs.volume(v), nil)
	if w.Space != nil && w.Space.Available != nil {
		lv.free, lv.cap = *w.Space.Available, true
	}
	return lv
}

// fitsLocked checks that size more bytes of LUNs fit in the volume, with
// the space its LUNs other than skip reserve; the caller holds the
// store's lock.
func (s *Server) fitsLocked(v lunVolume, size int64, skip string) error {
	if !v.cap {
		return nil
	}
	vol := ontap.LookupString(v.ref, "uuid")
	var used int64
	for id, l := range s.table(ontap.LUNKind).recs {
		if id != skip && ontap.LookupString(l, "location.volume.uuid") == vol {
			n, _ := ontap.LookupInt(l, "space.size")
			used += n
		}
	}
	return ontap.CheckLUNFits(size, v.free-used, ontap.LookupString(v.ref, "name"))
}

// findLUNLocked returns the LUN with the path (or uuid) in an SVM ("":
// any); the caller holds the store's lock.
func (s *Server) findLUNLocked(svm string, ref *ontap.Ref) (string, ontap.Extra, bool) {
	if ref == nil {
		return "", nil, false
	}
	luns := s.table(ontap.LUNKind).recs
	if ref.UUID != nil {
		l, ok := luns[*ref.UUID]
		if ok && (ref.Name == nil || ontap.LookupString(l, "name") == *ref.Name) && (svm == "" || ontap.LookupString(l, "svm.uuid") == svm) {
			return *ref.UUID, l, true
		}
		return "", nil, false
	}
	for id, l := range luns {
		if ontap.LookupString(l, "name") == *ref.Name && (svm == "" || ontap.LookupString(l, "svm.uuid") == svm) {
			return id, l, true
		}
	}
	return "", nil, false
}

func (s *Server) createLUN(r *http.Request) (result, error) {
	t := s.table(ontap.LUNKind)
	q, err := t.schema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
	if err != nil {
		return result{}, err
	}
	body, _, err := s.decodeBody(r, q, schema.LUN, schema.Post)
	if err != nil {
		return result{}, err
	}
	svm, err := s.sanSVM(body)
	if err != nil {
		return result{}, err
	}
	in := ontap.LUNCreate{Name: strPtr(body, "name"), Volume: strPtr(body, "location.volume.name"), VolumeUUID: strPtr(body, "location.volume.uuid"),
		Qtree: strPtr(body, "location.qtree.name"), LogicalUnit: strPtr(body, "location.logical_unit"), OSType: strPtr(body, "os_type"),
		Size: intPtr(body, "space.size"), Clone: ontap.Lookup(body, "clone.source") != nil}
	if as, _ := body["attributes"].([]any); len(as) > 0 {
		in.Attributes = lunAttributes(as)
	}
	byUUID := ""
	if in.VolumeUUID != nil {
		v, ok, err := s.findVolume(r.Context(), &ontap.Ref{UUID: in.VolumeUUID})
		if err != nil {
			return result{}, ontap.FromBackend(ontap.OpVolumeGet, err)
		}
		if !ok {
			return result{}, ontap.Errorf(http.StatusNotFound, 918235, "location.volume.uuid", "A volume with the specified UUID was not found.")
		}
		if in.Volume != nil && *in.Volume != v.Name {
			return result{}, ontap.Errorf(http.StatusBadRequest, 918236, "location.volume",
				`The specified "location.volume.uuid" and "location.volume.name" do not refer to the same volume.`)
		}
		byUUID = v.Name
	}
	loc, err := ontap.LUNCreateLocation(&in, byUUID)
	if err != nil {
		return result{}, err
	}
	vol, err := s.volumeForLUN(r.Context(), loc.Volume, "location.volume.name")
	if err != nil {
		return result{}, err
	}
	tree := ontap.MergeExtra(body, ontap.Extra{
		"name": loc.Path(), "svm": svm, "class": "regular", "enabled": true, "auto_delete": false,
		"serial_number": ontap.NewLUNSerial(), "create_time": time.Now().UTC().Format(ontap.TimeLayout),
		"location": ontap.Extra{"logical_unit": loc.LogicalUnit, "volume": vol.ref,
			"node": ontap.Extra{"name": s.id.NodeName, "uuid": s.id.NodeUUID}},
		"status": ontap.Extra{"state": "online", "container_state": "online", "read_only": false},
	})
	for _, f := range []string{"clone", "convert", "copy", "provisioning_options", "lun_maps"} {
		delete(tree, f)
	}
	if loc.Qtree != "" {
		qt, err := s.lunQtree(vol, loc.Qtree)
		if err != nil {
			return result{}, err
		}
		tree = ontap.With(tree, "location.qtree", qt)
	}
	var stored ontap.Extra
	err = s.objects.do(func() error {
		if in.Clone {
			_, src, ok := s.findLUNLocked(ontap.LookupString(svm, "uuid"), refOf(body, "clone.source"))
			if !ok {
				return ontap.ErrLUNNotFound("clone.source")
			}
			if ontap.LookupString(src, "location.volume.uuid") != ontap.LookupString(vol.ref, "uuid") {
				return ontap.Errorf(http.StatusBadRequest, 1260121, "clone.source", "Cloning a LUN to a volume different than the source volume is not supported.")
			}
			tree = ontap.With(tree, "os_type", ontap.Lookup(src, "os_type"))
			if in.Size == nil {
				tree = ontap.With(tree, "space.size", ontap.Lookup(src, "space.size"))
			}
			if a := ontap.Lookup(src, "attributes"); a != nil {
				tree = ontap.With(tree, "attributes", a)
			}
		}
		if _, _, taken := s.findLUNLocked("", &ontap.Ref{Name: new(loc.Path())}); taken {
			return ontap.Errorf(http.StatusConflict, ontap.CodeLUNExists, "name", "A LUN or NVMe namespace already exists at the specified path %s.", quote(loc.Path()))
		}
		size, _ := ontap.LookupInt(tree, "space.size")
		if err := s.fitsLocked(vol, size, ""); err != nil {
			return err
		}
		tree = ontap.MergeExtra(ontap.Extra{"space": ontap.Extra{"used": int64(0), "guarantee": ontap.Extra{"requested": false, "reserved": false},
			"scsi_thin_provisioning_support_enabled": false}}, tree)
		if req, ok := ontap.Lookup(tree, "space.guarantee.requested").(bool); ok {
			tree = ontap.With(tree, "space.guarantee.reserved", req)
		}
		var err error
		stored, err = s.objects.insertLocked(t, tree, keep)
		return err
	})
	if err != nil {
		return result{}, err
	}
	return created(q, t.itemPath(stored), s.render(t, stored)), nil
}

// lunQtree resolves a qtree of the LUN's volume from the object store.
func (s *Server) lunQtree(vol lunVolume, name string) (ontap.Extra, error) {
	volUUID := ontap.LookupString(vol.ref, "uuid")
	if qt, ok := s.objects.find(ontap.QtreeKind.Name(), func(r ontap.Extra) bool {
		return ontap.LookupString(r, "name") == name && ontap.LookupString(r, "volume.uuid") == volUUID
	}); ok {
		return ontap.Extra{"name": name, "id": ontap.Lookup(qt, "id")}, nil
	}
	return nil, ontap.Errorf(http.StatusNotFound, 5242927, "location.qtree.name", "The specified qtree %s was not found.", quote(name))
}

func lunAttributes(as []any) []ontap.LUNAttribute {
	out := make([]ontap.LUNAttribute, 0, len(as))
	for _, a := range as {
		m, _ := a.(ontap.Extra)
		out = append(out, ontap.LUNAttribute{Name: ontap.LookupString(m, "name"), Value: ontap.LookupString(m, "value")})
	}
	return out
}

func lunAttributeTrees(attrs []ontap.LUNAttribute) []any {
	out := make([]any, len(attrs))
	for i, a := range attrs {
		out[i] = ontap.Extra{"name": a.Name, "value": a.Value}
	}
	return out
}

func (s *Server) patchLUN(r *http.Request) (result, error) {
	t := s.table(ontap.LUNKind)
	id, err := pathID(r, "uuid", "uuid")
	if err != nil {
		return result{}, err
	}
	q, err := t.schema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
	if err != nil {
		return result{}, err
	}
	patch, _, err := s.decodeBody(r, q, schema.LUN, schema.Patch)
	if err != nil {
		return result{}, err
	}
	old, ok := s.objects.get(t, id)
	if !ok {
		return result{}, ontap.ErrLUNNotFound("uuid")
	}
	if patch["clone"] != nil || patch["copy"] != nil || patch["movement"] != nil {
		return result{}, ontap.Errorf(http.StatusBadRequest, ontap.CodeNotSupported, "", "LUN clone overwrite, copy and move are not supported.")
	}
	// The new path: from name, or from location (same volume only).
	loc, err := ontap.ParseLUNPath("name", ontap.LookupString(old, "name"))
	if err != nil {
		return result{}, err
	}
	newLoc := loc
	if n := strPtr(patch, "name"); n != nil {
		if newLoc, err = ontap.ParseLUNPath("name", *n); err != nil {
			return result{}, err
		}
	}
	if lu := strPtr(patch, "location.logical_unit"); lu != nil {
		if err := ontap.CheckLUNBaseName("location.logical_unit", *lu); err != nil {
			return result{}, err
		}
		newLoc.LogicalUnit = *lu
	}
	if v := strPtr(patch, "location.volume.name"); v != nil {
		newLoc.Volume = *v
	}
	if newLoc.Volume != loc.Volume {
		return result{}, ontap.Errorf(http.StatusBadRequest, ontap.CodeNotSupported, "location.volume", "Moving a LUN to another volume is not supported.")
	}
	if newLoc.Qtree != loc.Qtree {
		return result{}, ontap.Errorf(http.StatusBadRequest, ontap.CodeNotSupported, "location.qtree", "Moving a LUN to another qtree is not supported.")
	}
	vol, err := s.volumeForLUN(r.Context(), loc.Volume, "location.volume.name")
	if err != nil {
		return result{}, err
	}
	var tree ontap.Extra
	err = s.objects.do(func() error {
		old, ok := t.recs[id]
		if !ok {
			return ontap.ErrLUNNotFound("uuid")
		}
		if size := intPtr(patch, "space.size"); size != nil {
			cur, _ := ontap.LookupInt(old, "space.size")
			if err := ontap.CheckLUNResize(cur, *size); err != nil {
				return err
			}
			if err := s.fitsLocked(vol, *size, id); err != nil {
				return err
			}
		}
		if newLoc != loc {
			if _, _, taken := s.findLUNLocked("", &ontap.Ref{Name: new(newLoc.Path())}); taken {
				return ontap.Errorf(http.StatusConflict, ontap.CodeLUNPathExists, "name", "A LUN already exists at the specified path %s.", quote(newLoc.Path()))
			}
		}
		for _, f := range []string{"name", "location"} {
			delete(patch, f)
		}
		tree = ontap.MergeExtra(old, patch)
		tree = ontap.With(tree, "location.logical_unit", newLoc.LogicalUnit)
		tree = ontap.LUNKind.Complete(tree)
		if req, ok := ontap.Lookup(tree, "space.guarantee.requested").(bool); ok {
			tree = ontap.With(tree, "space.guarantee.reserved", req)
		}
		s.objects.setLocked(t, id, tree)
		return nil
	})
	if err != nil {
		return result{}, err
	}
	res := done()
	if q.ReturnRecords {
		res.body = ontap.JobResponse[any]{NumRecords: new(1), Records: []any{s.render(t, tree)}}
	}
	return res, nil
}

// ---- attributes ----

// lunAttrs returns a LUN's attributes (404 5374875 for a missing LUN).
func (s *Server) lunAttrs(r *http.Request) (string, []ontap.LUNAttribute, error) {
	id, err := pathID(r, "lun_uuid", "lun.uuid")
	if err != nil {
		return "", nil, err
	}
	tree, ok := s.objects.get(s.table(ontap.LUNKind), id)
	if !ok {
		return "", nil, ontap.ErrLUNNotFound("lun.uuid")
	}
	as, _ := tree["attributes"].([]any)
	return id, lunAttributes(as), nil
}

func lunAttrRecord(lun string, a ontap.LUNAttribute) ontap.Record {
	self := ontap.LUNKind.Path + "/" + lun
	return ontap.Record{Extra: ontap.Extra{"name": a.Name, "value": a.Value,
		"lun":    ontap.Extra{"uuid": lun, "_links": selfLink(self)},
		"_links": selfLink(self + "/attributes/" + a.Name)}}
}

func (s *Server) listLUNAttributes(r *http.Request) (result, error) {
	id, attrs, err := s.lunAttrs(r)
	if err != nil {
		return result{}, err
	}
	recs := make([]ontap.Record, len(attrs))
	for i, a := range attrs {
		recs[i] = lunAttrRecord(id, a)
	}
	return listRecords(r, lunAttrSchema, recs)
}

func (s *Server) getLUNAttribute(r *http.Request) (result, error) {
	q, err := lunAttrSchema.ParseQuery(r.URL.Query(), ontap.QueryRecord)
	if err != nil {
		return result{}, err
	}
	id, attrs, err := s.lunAttrs(r)
	if err != nil {
		return result{}, err
	}
	name := r.PathValue("name")
	for _, a := range attrs {
		if a.Name == name {
			return oneRecord(q, lunAttrSchema, lunAttrRecord(id, a))
		}
	}
	return result{}, ontap.ErrLUNAttributeNotFound(name)
}

// changeLUNAttrs applies change to a LUN's attributes under the store's
// lock.
func (s *Server) changeLUNAttrs(r *http.Request, change func([]ontap.LUNAttribute) ([]ontap.LUNAttribute, error)) (string, error) {
	id, err := pathID(r, "lun_uuid", "lun.uuid")
	if err != nil {
		return "", err
	}
	t := s.table(ontap.LUNKind)
	return id, s.objects.do(func() error {
		tree, ok := t.recs[id]
		if !ok {
			return ontap.ErrLUNNotFound("lun.uuid")
		}
		as, _ := tree["attributes"].([]any)
		out, err := change(lunAttributes(as))
		if err != nil {
			return err
		}
		s.objects.setLocked(t, id, ontap.With(tree, "attributes", lunAttributeTrees(out)))
		return nil
	})
}

func (s *Server) createLUNAttribute(r *http.Request) (result, error) {
	q, err := lunAttrSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
	if err != nil {
		return result{}, err
	}
	body, _, err := s.decodeBody(r, q, schema.LUNAttribute, schema.Post)
	if err != nil {
		return result{}, err
	}
	a := ontap.LUNAttribute{Name: ontap.LookupString(body, "name"), Value: ontap.LookupString(body, "value")}
	id, err := s.changeLUNAttrs(r, func(attrs []ontap.LUNAttribute) ([]ontap.LUNAttribute, error) { return ontap.AddLUNAttribute(attrs, a) })
	if err != nil {
		return result{}, err
	}
	return created(q, ontap.LUNKind.Path+"/"+id+"/attributes/"+a.Name, lunAttrRecord(id, a)), nil
}

func (s *Server) patchLUNAttribute(r *http.Request) (result, error) {
	q, err := lunAttrSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
	if err != nil {
		return result{}, err
	}
	body, _, err := s.decodeBody(r, q, schema.LUNAttribute, schema.Patch)
	if err != nil {
		return result{}, err
	}
	name := r.PathValue("name")
	value := ontap.LookupString(body, "value")
	if _, err := s.changeLUNAttrs(r, func(attrs []ontap.LUNAttribute) ([]ontap.LUNAttribute, error) {
		return ontap.SetLUNAttribute(attrs, name, value)
	}); err != nil {
		return result{}, err
	}
	return done(), nil
}

func (s *Server) deleteLUNAttribute(r *http.Request) (result, error) {
	if _, err := lunAttrSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation); err != nil {
		return result{}, err
	}
	if err := s.emptyBody(r); err != nil {
		return result{}, err
	}
	name := r.PathValue("name")
	if _, err := s.changeLUNAttrs(r, func(attrs []ontap.LUNAttribute) ([]ontap.LUNAttribute, error) {
		return ontap.RemoveLUNAttribute(attrs, name)
	}); err != nil {
		return result{}, err
	}
	return done(), nil
}
