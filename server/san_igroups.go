package server

import (
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/ontap/schema"
)

// Initiator groups: /api/protocols/san/igroups and their initiators
// (/api/protocols/san/igroups/{uuid}/initiators). Names are unique per
// SVM; initiators are canonical (lower case), valid for the protocol and
// members once; a mapped igroup (or its initiators) is deleted only with
// allow_delete_while_mapped=true, which deletes its maps too.

const igroupsPath = "/api/protocols/san/igroups"

var (
	igroupSchema    = sanSchema(schema.Igroup, []string{"uuid"}, "uuid", "name")
	initiatorSchema = sanSchema(schema.IgroupInitiator, []string{"name"}, "name")
)

func (s *Server) igroupRoutes() []route {
	ok, made := []int{http.StatusOK}, []int{http.StatusCreated}
	item, inits := igroupsPath+"/{uuid}", igroupsPath+"/{igroup_uuid}/initiators"
	mapped := []string{"allow_delete_while_mapped"}
	return []route{
		{method: "GET", path: igroupsPath, h: s.listIgroups, summary: "List initiator groups", kind: ontap.QueryCollection, schema: igroupSchema, status: ok},
		{method: "POST", path: igroupsPath, h: s.createIgroup, summary: "Create an initiator group", kind: ontap.QueryMutation, schema: igroupSchema, body: "@create", status: made},
		{method: "GET", path: item, h: s.getIgroup, summary: "Get an initiator group", kind: ontap.QueryRecord, schema: igroupSchema, status: ok},
		{method: "PATCH", path: item, h: s.patchIgroup, summary: "Rename or modify an initiator group", kind: ontap.QueryMutation, schema: igroupSchema, body: "@modify", status: ok},
		{method: "DELETE", path: item, h: s.deleteIgroup, summary: "Delete an initiator group (a mapped one only with allow_delete_while_mapped=true)", kind: ontap.QueryMutation, schema: igroupSchema, status: ok, allow: mapped},
		{method: "GET", path: inits, h: s.listInitiators, summary: "List an initiator group's initiators", kind: ontap.QueryCollection, schema: initiatorSchema, status: ok},
		{method: "POST", path: inits, h: s.addInitiators, summary: "Add initiators to an initiator group", kind: ontap.QueryMutation, schema: initiatorSchema, body: "@create", status: made},
		{method: "GET", path: inits + "/{name}", h: s.getInitiator, summary: "Get an initiator of an initiator group", kind: ontap.QueryRecord, schema: initiatorSchema, status: ok},
		{method: "DELETE", path: inits + "/{name}", h: s.removeInitiator, summary: "Remove an initiator from an initiator group", kind: ontap.QueryMutation, schema: initiatorSchema, status: ok, allow: mapped},
	}
}

// igroupRecord renders a stored igroup with its maps; the caller holds
// the lock.
func (s *Server) igroupRecord(tree ontap.Extra) ontap.Record {
	id := ontap.LookupString(tree, "uuid")
	var maps []any
	for k, n := range s.san.maps {
		if k.igroup == id {
			l := s.san.luns[k.lun]
			maps = append(maps, ontap.Extra{"logical_unit_number": n,
				"lun": ontap.Extra{"name": ontap.LookupString(l, "name"), "uuid": k.lun, "_links": selfLink(lunsPath + "/" + k.lun)}})
		}
	}
	if len(maps) > 0 {
		tree = ontap.With(tree, "lun_maps", maps)
	}
	return render(schema.Igroup, tree)
}

func initiatorNames(tree ontap.Extra) []string {
	as, _ := tree["initiators"].([]any)
	out := make([]string, 0, len(as))
	for _, a := range as {
		m, _ := a.(ontap.Extra)
		out = append(out, ontap.LookupString(m, "name"))
	}
	return out
}

func initiatorTrees(igroup string, names []string, comments map[string]any) []any {
	out := make([]any, len(names))
	for i, n := range names {
		t := ontap.Extra{"name": n, "_links": selfLink(igroupsPath + "/" + igroup + "/initiators/" + n)}
		if c := comments[n]; c != nil {
			t["comment"] = c
		}
		out[i] = t
	}
	return out
}

func initiatorComments(tree ontap.Extra) map[string]any {
	as, _ := tree["initiators"].([]any)
	out := map[string]any{}
	for _, a := range as {
		m, _ := a.(ontap.Extra)
		if c, ok := m["comment"]; ok {
			out[strings.ToLower(ontap.LookupString(m, "name"))] = c
		}
	}
	return out
}

func (s *Server) listIgroups(r *http.Request) (result, error) {
	return s.listSAN(r, igroupSchema, func(st *sanStore) map[string]ontap.Extra { return st.igroups }, s.igroupRecord)
}

func (s *Server) getIgroup(r *http.Request) (result, error) {
	id, err := pathID(r, "uuid", "uuid")
	if err != nil {
		return result{}, err
	}
	q, err := igroupSchema.ParseQuery(r.URL.Query(), ontap.QueryRecord)
	if err != nil {
		return result{}, err
	}
	s.san.mu.RLock()
	tree, ok := s.san.igroups[id]
	var rec ontap.Record
	if ok {
		rec = s.igroupRecord(tree)
	}
	s.san.mu.RUnlock()
	if !ok {
		return result{}, ontap.ErrIgroupNotFound("uuid")
	}
	return oneRecord(q, igroupSchema, rec)
}

// igroupByNameLocked finds an igroup by name in an SVM; the caller holds
// the lock.
func (st *sanStore) igroupByNameLocked(svm, name string) (string, ontap.Extra, bool) {
	for id, ig := range st.igroups {
		if ontap.LookupString(ig, "name") == name && ontap.LookupString(ig, "svm.uuid") == svm {
			return id, ig, true
		}
	}
	return "", nil, false
}

func (s *Server) createIgroup(r *http.Request) (result, error) {
	q, err := igroupSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
	if err != nil {
		return result{}, err
	}
	body, _, err := s.decodeBody(r, q, schema.Igroup, schema.Post)
	if err != nil {
		return result{}, err
	}
	svm, err := s.sanSVM(body)
	if err != nil {
		return result{}, err
	}
	if body["igroups"] != nil || body["portset"] != nil || body["replication"] != nil {
		return result{}, ontap.Errorf(http.StatusBadRequest, ontap.CodeNotSupported, "igroups", "Nested initiator groups, portsets and replication are not supported.")
	}
	in := ontap.IgroupCreate{Name: strPtr(body, "name"), OSType: strPtr(body, "os_type"), Protocol: strPtr(body, "protocol"), Initiators: initiatorNames(body)}
	protocol, inits, err := ontap.CheckIgroupCreate(&in)
	if err != nil {
		return result{}, err
	}
	id := uuid.NewString()
	tree := ontap.MergeExtra(body, ontap.Extra{"uuid": id, "svm": svm, "protocol": protocol, "delete_on_unmap": false,
		"_links": selfLink(igroupsPath + "/" + id)})
	if v, ok := body["delete_on_unmap"]; ok {
		tree["delete_on_unmap"] = v
	}
	tree["initiators"] = initiatorTrees(id, inits, initiatorComments(body))
	delete(tree, "lun_maps")

	s.san.mu.Lock()
	defer s.san.mu.Unlock()
	if _, _, taken := s.san.igroupByNameLocked(ontap.LookupString(svm, "uuid"), *in.Name); taken {
		return result{}, ontap.ErrIgroupDuplicate(*in.Name)
	}
	s.san.igroups[id] = tree
	return created(q, igroupsPath+"/"+id, s.igroupRecord(tree)), nil
}

func (s *Server) patchIgroup(r *http.Request) (result, error) {
	id, err := pathID(r, "uuid", "uuid")
	if err != nil {
		return result{}, err
	}
	q, err := igroupSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
	if err != nil {
		return result{}, err
	}
	patch, _, err := s.decodeBody(r, q, schema.Igroup, schema.Patch)
	if err != nil {
		return result{}, err
	}
	if patch["igroups"] != nil || patch["portset"] != nil || patch["replication"] != nil {
		return result{}, ontap.Errorf(http.StatusBadRequest, ontap.CodeNotSupported, "igroups", "Nested initiator groups, portsets and replication are not supported.")
	}
	name := strPtr(patch, "name")
	if name != nil {
		if err := ontap.CheckIgroupName("name", *name); err != nil {
			return result{}, err
		}
	}
	s.san.mu.Lock()
	defer s.san.mu.Unlock()
	old, ok := s.san.igroups[id]
	if !ok {
		return result{}, ontap.ErrIgroupNotFound("uuid")
	}
	if name != nil {
		if other, _, taken := s.san.igroupByNameLocked(ontap.LookupString(old, "svm.uuid"), *name); taken && other != id {
			return result{}, ontap.ErrIgroupDuplicate(*name)
		}
	}
	s.san.igroups[id] = ontap.MergeExtra(old, patch)
	return done(), nil
}

func (s *Server) deleteIgroup(r *http.Request) (result, error) {
	id, err := pathID(r, "uuid", "uuid")
	if err != nil {
		return result{}, err
	}
	q, err := igroupSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation, "allow_delete_while_mapped")
	if err != nil {
		return result{}, err
	}
	if err := s.emptyBody(r); err != nil {
		return result{}, err
	}
	s.san.mu.Lock()
	defer s.san.mu.Unlock()
	if _, ok := s.san.igroups[id]; !ok {
		return result{}, ontap.ErrIgroupNotFound("uuid")
	}
	if err := ontap.CheckIgroupDelete(s.san.mapped("", id), allowedWhileMapped(q)); err != nil {
		return result{}, err
	}
	delete(s.san.igroups, id)
	for k := range s.san.maps {
		if k.igroup == id {
			delete(s.san.maps, k)
		}
	}
	return done(), nil
}

// ---- initiators ----

func initiatorRecord(igroup ontap.Extra, init ontap.Extra) ontap.Record {
	id := ontap.LookupString(igroup, "uuid")
	rec := ontap.MergeExtra(init, ontap.Extra{"igroup": ontap.Extra{"name": ontap.LookupString(igroup, "name"), "uuid": id,
		"_links": selfLink(igroupsPath + "/" + id)}})
	return render(schema.IgroupInitiator, rec)
}

func (s *Server) igroupOf(r *http.Request) (string, ontap.Extra, error) {
	id, err := pathID(r, "igroup_uuid", "igroup.uuid")
	if err != nil {
		return "", nil, err
	}
	s.san.mu.RLock()
	defer s.san.mu.RUnlock()
	ig, ok := s.san.igroups[id]
	if !ok {
		return "", nil, ontap.ErrIgroupNotFound("igroup.uuid")
	}
	return id, ig, nil
}

func (s *Server) listInitiators(r *http.Request) (result, error) {
	_, ig, err := s.igroupOf(r)
	if err != nil {
		return result{}, err
	}
	as, _ := ig["initiators"].([]any)
	recs := make([]ontap.Record, len(as))
	for i, a := range as {
		m, _ := a.(ontap.Extra)
		recs[i] = initiatorRecord(ig, m)
	}
	return listRecords(r, initiatorSchema, recs)
}

func (s *Server) getInitiator(r *http.Request) (result, error) {
	q, err := initiatorSchema.ParseQuery(r.URL.Query(), ontap.QueryRecord)
	if err != nil {
		return result{}, err
	}
	_, ig, err := s.igroupOf(r)
	if err != nil {
		return result{}, err
	}
	name := strings.ToLower(r.PathValue("name"))
	as, _ := ig["initiators"].([]any)
	for _, a := range as {
		if m, _ := a.(ontap.Extra); ontap.LookupString(m, "name") == name {
			return oneRecord(q, initiatorSchema, initiatorRecord(ig, m))
		}
	}
	return result{}, ontap.Errorf(http.StatusNotFound, ontap.CodeInitiatorNotMember, "name", "The initiator %s is not a member of the initiator group.", quote(name))
}

func (s *Server) addInitiators(r *http.Request) (result, error) {
	q, err := initiatorSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
	if err != nil {
		return result{}, err
	}
	body, err := s.readBody(r)
	if err != nil {
		return result{}, err
	}
	// One initiator ({"name": ...}) or several ({"records": [...]}).
	var names []string
	comments := map[string]any{}
	if recs, ok := splitRecords(body); ok {
		for _, raw := range recs {
			one, _, err := ontap.DecodeObject(schema.IgroupInitiator, raw, ontap.DecodeOptions{IgnoreUnknownFields: q.IgnoreUnknownFields, Op: schema.Post})
			if err != nil {
				return result{}, err
			}
			names = append(names, ontap.LookupString(one, "name"))
			if c, ok := one["comment"]; ok {
				comments[strings.ToLower(ontap.LookupString(one, "name"))] = c
			}
		}
	} else {
		one, _, err := ontap.DecodeObject(schema.IgroupInitiator, body, ontap.DecodeOptions{IgnoreUnknownFields: q.IgnoreUnknownFields, Op: schema.Post})
		if err != nil {
			return result{}, err
		}
		if n := ontap.LookupString(one, "name"); n != "" {
			names = append(names, n)
			if c, ok := one["comment"]; ok {
				comments[strings.ToLower(n)] = c
			}
		}
	}
	if len(names) == 0 {
		return result{}, ontap.Errorf(http.StatusBadRequest, ontap.CodeInitiatorsRequired, "name", "Initiators must be supplied.")
	}
	id, err := pathID(r, "igroup_uuid", "igroup.uuid")
	if err != nil {
		return result{}, err
	}
	s.san.mu.Lock()
	defer s.san.mu.Unlock()
	ig, ok := s.san.igroups[id]
	if !ok {
		return result{}, ontap.ErrIgroupNotFound("igroup.uuid")
	}
	all, err := ontap.AddInitiators(ontap.LookupString(ig, "protocol"), initiatorNames(ig), names)
	if err != nil {
		return result{}, err
	}
	old := initiatorComments(ig)
	for k, v := range comments {
		old[k] = v
	}
	ig = ontap.With(ig, "initiators", initiatorTrees(id, all, old))
	s.san.igroups[id] = ig
	added := all[len(all)-len(names):]
	res := created(q, igroupsPath+"/"+id+"/initiators/"+added[0], ontap.Record{})
	if q.ReturnRecords {
		recs := make([]any, len(added))
		for i, n := range added {
			recs[i] = initiatorRecord(ig, ontap.Extra{"name": n})
		}
		res.body = ontap.JobResponse[any]{NumRecords: new(len(recs)), Records: recs}
	}
	return res, nil
}

func (s *Server) removeInitiator(r *http.Request) (result, error) {
	q, err := initiatorSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation, "allow_delete_while_mapped")
	if err != nil {
		return result{}, err
	}
	if err := s.emptyBody(r); err != nil {
		return result{}, err
	}
	id, err := pathID(r, "igroup_uuid", "igroup.uuid")
	if err != nil {
		return result{}, err
	}
	s.san.mu.Lock()
	defer s.san.mu.Unlock()
	ig, ok := s.san.igroups[id]
	if !ok {
		return result{}, ontap.ErrIgroupNotFound("igroup.uuid")
	}
	rest, err := ontap.RemoveInitiator(initiatorNames(ig), r.PathValue("name"), s.san.mapped("", id), allowedWhileMapped(q))
	if err != nil {
		return result{}, err
	}
	s.san.igroups[id] = ontap.With(ig, "initiators", initiatorTrees(id, rest, initiatorComments(ig)))
	return done(), nil
}
