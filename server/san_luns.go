package server

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/ontap/schema"
)

// LUNs: /api/storage/luns and /api/storage/luns/{uuid}/attributes. A LUN
// lives in a volume of the SVM, named /vol/<volume>[/<qtree>]/<lun>; its
// size counts against its volume's free space; its maps are shown on it
// (lun_maps, status.mapped) and go with it when it is deleted with
// allow_delete_while_mapped=true. Deleting the volume deletes its LUNs.

const lunsPath = "/api/storage/luns"

var (
	lunSchema     = sanSchema(schema.LUN, []string{"uuid"}, "uuid", "name")
	lunAttrSchema = sanSchema(schema.LUNAttribute, []string{"name"}, "name", "value")
)

func (s *Server) lunRoutes() []route {
	ok, made := []int{http.StatusOK}, []int{http.StatusCreated}
	item, attrs := lunsPath+"/{uuid}", lunsPath+"/{lun_uuid}/attributes"
	return []route{
		{method: "GET", path: lunsPath, h: s.listLUNs, summary: "List LUNs", kind: ontap.QueryCollection, schema: lunSchema, status: ok},
		{method: "POST", path: lunsPath, h: s.createLUN, summary: "Create a LUN (or a LUN clone) in a volume", kind: ontap.QueryMutation, schema: lunSchema, body: "@create", status: made},
		{method: "GET", path: item, h: s.getLUN, summary: "Get a LUN", kind: ontap.QueryRecord, schema: lunSchema, status: ok},
		{method: "PATCH", path: item, h: s.patchLUN, summary: "Resize, rename or modify a LUN", kind: ontap.QueryMutation, schema: lunSchema, body: "@modify", status: ok},
		{method: "DELETE", path: item, h: s.deleteLUN, summary: "Delete a LUN (a mapped one only with allow_delete_while_mapped=true)", kind: ontap.QueryMutation, schema: lunSchema, status: ok, allow: []string{"allow_delete_while_mapped"}},
		{method: "GET", path: attrs, h: s.listLUNAttributes, summary: "List a LUN's attributes", kind: ontap.QueryCollection, schema: lunAttrSchema, status: ok},
		{method: "POST", path: attrs, h: s.createLUNAttribute, summary: "Add an attribute to a LUN", kind: ontap.QueryMutation, schema: lunAttrSchema, body: "@create", status: made},
		{method: "GET", path: attrs + "/{name}", h: s.getLUNAttribute, summary: "Get a LUN attribute", kind: ontap.QueryRecord, schema: lunAttrSchema, status: ok},
		{method: "PATCH", path: attrs + "/{name}", h: s.patchLUNAttribute, summary: "Change a LUN attribute's value", kind: ontap.QueryMutation, schema: lunAttrSchema, body: "@modify", status: ok},
		{method: "DELETE", path: attrs + "/{name}", h: s.deleteLUNAttribute, summary: "Delete a LUN attribute", kind: ontap.QueryMutation, schema: lunAttrSchema, status: ok},
	}
}

// lunRecord renders a stored LUN with its maps; the caller holds the
// store's lock (read or write).
func (s *Server) lunRecord(tree ontap.Extra) ontap.Record {
	id := ontap.LookupString(tree, "uuid")
	var maps []any
	for k, n := range s.san.maps {
		if k.lun != id {
			continue
		}
		ig := s.san.igroups[k.igroup]
		maps = append(maps, ontap.Extra{"logical_unit_number": n,
			"igroup": ontap.Extra{"name": ontap.LookupString(ig, "name"), "uuid": k.igroup, "_links": selfLink(igroupsPath + "/" + k.igroup)}})
	}
	tree = ontap.With(tree, "status.mapped", len(maps) > 0)
	if len(maps) > 0 {
		tree = ontap.With(tree, "lun_maps", maps)
	}
	return render(schema.LUN, tree)
}

func selfLink(href string) ontap.Extra { return ontap.Extra{"self": ontap.Extra{"href": href}} }

func (s *Server) listLUNs(r *http.Request) (result, error) {
	return s.listSAN(r, lunSchema, func(st *sanStore) map[string]ontap.Extra { return st.luns }, s.lunRecord)
}

func (s *Server) getLUN(r *http.Request) (result, error) {
	id, err := pathID(r, "uuid", "uuid")
	if err != nil {
		return result{}, err
	}
	q, err := lunSchema.ParseQuery(r.URL.Query(), ontap.QueryRecord)
	if err != nil {
		return result{}, err
	}
	s.san.mu.RLock()
	tree, ok := s.san.luns[id]
	var rec ontap.Record
	if ok {
		rec = s.lunRecord(tree)
	}
	s.san.mu.RUnlock()
	if !ok {
		return result{}, ontap.ErrLUNNotFound("uuid")
	}
	return oneRecord(q, lunSchema, rec)
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

// lunSpace is the space a volume's LUNs other than skip reserve; the
// caller holds the lock.
func (st *sanStore) lunSpace(volumeUUID, skip string) int64 {
	var n int64
	for id, l := range st.luns {
		if id != skip && ontap.LookupString(l, "location.volume.uuid") == volumeUUID {
			size, _ := ontap.LookupInt(l, "space.size")
			n += size
		}
	}
	return n
}

// fits checks that size more bytes of LUNs fit in the volume; the caller
// holds the lock.
func (st *sanStore) fits(v lunVolume, size int64, skip string) error {
	if !v.cap {
		return nil
	}
	return ontap.CheckLUNFits(size, v.free-st.lunSpace(ontap.LookupString(v.ref, "uuid"), skip), ontap.LookupString(v.ref, "name"))
}

// findLUNLocked returns the LUN with the path (or uuid) in an SVM; the
// caller holds the lock.
func (st *sanStore) findLUNLocked(svm string, ref *ontap.Ref) (string, ontap.Extra, bool) {
	if ref == nil {
		return "", nil, false
	}
	if ref.UUID != nil {
		l, ok := st.luns[*ref.UUID]
		if ok && (ref.Name == nil || ontap.LookupString(l, "name") == *ref.Name) && (svm == "" || ontap.LookupString(l, "svm.uuid") == svm) {
			return *ref.UUID, l, true
		}
		return "", nil, false
	}
	for id, l := range st.luns {
		if ontap.LookupString(l, "name") == *ref.Name && (svm == "" || ontap.LookupString(l, "svm.uuid") == svm) {
			return id, l, true
		}
	}
	return "", nil, false
}

func (s *Server) createLUN(r *http.Request) (result, error) {
	q, err := lunSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
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
	id := uuid.NewString()
	tree["uuid"] = id
	tree["_links"] = selfLink(lunsPath + "/" + id)

	s.san.mu.Lock()
	defer s.san.mu.Unlock()
	if in.Clone {
		src := refOf(body, "clone.source")
		_, st, ok := s.san.findLUNLocked(ontap.LookupString(svm, "uuid"), src)
		if !ok {
			return result{}, ontap.ErrLUNNotFound("clone.source")
		}
		if ontap.LookupString(st, "location.volume.uuid") != ontap.LookupString(vol.ref, "uuid") {
			return result{}, ontap.Errorf(http.StatusBadRequest, 1260121, "clone.source", "Cloning a LUN to a volume different than the source volume is not supported.")
		}
		tree = ontap.With(tree, "os_type", ontap.Lookup(st, "os_type"))
		if in.Size == nil {
			tree = ontap.With(tree, "space.size", ontap.Lookup(st, "space.size"))
		}
		if a := ontap.Lookup(st, "attributes"); a != nil {
			tree = ontap.With(tree, "attributes", a)
		}
	}
	if _, _, taken := s.san.findLUNLocked("", &ontap.Ref{Name: new(loc.Path())}); taken {
		return result{}, ontap.Errorf(http.StatusConflict, ontap.CodeLUNExists, "name", "A LUN or NVMe namespace already exists at the specified path %s.", quote(loc.Path()))
	}
	size, _ := ontap.LookupInt(tree, "space.size")
	if err := s.san.fits(vol, size, ""); err != nil {
		return result{}, err
	}
	tree = ontap.MergeExtra(ontap.Extra{"space": ontap.Extra{"used": int64(0), "guarantee": ontap.Extra{"requested": false, "reserved": false},
		"scsi_thin_provisioning_support_enabled": false}}, tree)
	if req, ok := ontap.Lookup(tree, "space.guarantee.requested").(bool); ok {
		tree = ontap.With(tree, "space.guarantee.reserved", req)
	}
	s.san.luns[id] = tree
	return created(q, lunsPath+"/"+id, s.lunRecord(tree)), nil
}

// lunQtree resolves a qtree of the LUN's volume from the object store.
func (s *Server) lunQtree(vol lunVolume, name string) (ontap.Extra, error) {
	volUUID := ontap.LookupString(vol.ref, "uuid")
	if s.objects != nil && s.objects.table("qtree") != nil {
		if qt, ok := s.objects.find("qtree", func(r ontap.Extra) bool {
			return ontap.LookupString(r, "name") == name && ontap.LookupString(r, "volume.uuid") == volUUID
		}); ok {
			return ontap.Extra{"name": name, "id": ontap.Lookup(qt, "id")}, nil
		}
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
	id, err := pathID(r, "uuid", "uuid")
	if err != nil {
		return result{}, err
	}
	q, err := lunSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
	if err != nil {
		return result{}, err
	}
	patch, _, err := s.decodeBody(r, q, schema.LUN, schema.Patch)
	if err != nil {
		return result{}, err
	}
	s.san.mu.RLock()
	old, ok := s.san.luns[id]
	s.san.mu.RUnlock()
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
	s.san.mu.Lock()
	defer s.san.mu.Unlock()
	old, ok = s.san.luns[id]
	if !ok {
		return result{}, ontap.ErrLUNNotFound("uuid")
	}
	if size := intPtr(patch, "space.size"); size != nil {
		cur, _ := ontap.LookupInt(old, "space.size")
		if err := ontap.CheckLUNResize(cur, *size); err != nil {
			return result{}, err
		}
		if err := s.san.fits(vol, *size, id); err != nil {
			return result{}, err
		}
	}
	if newLoc != loc {
		if _, _, taken := s.san.findLUNLocked("", &ontap.Ref{Name: new(newLoc.Path())}); taken {
			return result{}, ontap.Errorf(http.StatusConflict, ontap.CodeLUNPathExists, "name", "A LUN already exists at the specified path %s.", quote(newLoc.Path()))
		}
	}
	for _, f := range []string{"name", "location"} {
		delete(patch, f)
	}
	tree := ontap.MergeExtra(old, patch)
	tree = ontap.With(tree, "name", newLoc.Path())
	tree = ontap.With(tree, "location.logical_unit", newLoc.LogicalUnit)
	if req, ok := ontap.Lookup(tree, "space.guarantee.requested").(bool); ok {
		tree = ontap.With(tree, "space.guarantee.reserved", req)
	}
	s.san.luns[id] = tree
	res := done()
	if q.ReturnRecords {
		res.body = ontap.JobResponse[any]{NumRecords: new(1), Records: []any{s.lunRecord(tree)}}
	}
	return res, nil
}

func (s *Server) deleteLUN(r *http.Request) (result, error) {
	id, err := pathID(r, "uuid", "uuid")
	if err != nil {
		return result{}, err
	}
	q, err := lunSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation, "allow_delete_while_mapped")
	if err != nil {
		return result{}, err
	}
	if err := s.emptyBody(r); err != nil {
		return result{}, err
	}
	s.san.mu.Lock()
	defer s.san.mu.Unlock()
	tree, ok := s.san.luns[id]
	if !ok {
		return result{}, ontap.ErrLUNNotFound("uuid")
	}
	if err := ontap.CheckLUNDelete(ontap.LookupString(tree, "name"), s.san.mapped(id, ""), allowedWhileMapped(q)); err != nil {
		return result{}, err
	}
	s.san.dropLUN(id)
	return done(), nil
}

// ---- attributes ----

// lunAttrs returns a LUN's attributes (404 5374875 for a missing LUN).
func (s *Server) lunAttrs(r *http.Request) (string, []ontap.LUNAttribute, error) {
	id, err := pathID(r, "lun_uuid", "lun.uuid")
	if err != nil {
		return "", nil, err
	}
	s.san.mu.RLock()
	defer s.san.mu.RUnlock()
	tree, ok := s.san.luns[id]
	if !ok {
		return "", nil, ontap.ErrLUNNotFound("lun.uuid")
	}
	as, _ := tree["attributes"].([]any)
	return id, lunAttributes(as), nil
}

func lunAttrRecord(lun string, a ontap.LUNAttribute) ontap.Record {
	return ontap.Record{Extra: ontap.Extra{"name": a.Name, "value": a.Value,
		"lun":    ontap.Extra{"uuid": lun, "_links": selfLink(lunsPath + "/" + lun)},
		"_links": selfLink(lunsPath + "/" + lun + "/attributes/" + a.Name)}}
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

// changeLUNAttrs applies change to a LUN's attributes under the lock.
func (s *Server) changeLUNAttrs(r *http.Request, change func([]ontap.LUNAttribute) ([]ontap.LUNAttribute, error)) (string, error) {
	id, err := pathID(r, "lun_uuid", "lun.uuid")
	if err != nil {
		return "", err
	}
	s.san.mu.Lock()
	defer s.san.mu.Unlock()
	tree, ok := s.san.luns[id]
	if !ok {
		return "", ontap.ErrLUNNotFound("lun.uuid")
	}
	as, _ := tree["attributes"].([]any)
	out, err := change(lunAttributes(as))
	if err != nil {
		return "", err
	}
	s.san.luns[id] = ontap.With(tree, "attributes", lunAttributeTrees(out))
	return id, nil
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
	return created(q, lunsPath+"/"+id+"/attributes/"+a.Name, lunAttrRecord(id, a)), nil
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
