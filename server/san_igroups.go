package server

import (
	"net/http"
	"strings"

	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/ontap/schema"
)

// Initiator groups (ontap.IgroupKind, served by the generic handlers):
// the initiators sub-collection
// /api/protocols/san/igroups/{igroup.uuid}/initiators, held in the
// igroup's record. Initiators are canonical (lower case), valid for the
// igroup's protocol and members once; one is removed from a mapped igroup
// only with allow_delete_while_mapped=true.

var initiatorSchema = ontap.ObjectSchema(schema.IgroupInitiator, []string{"name"}, "name", "_links")

func (s *Server) igroupRoutes() []route {
	ok, made := []int{http.StatusOK}, []int{http.StatusCreated}
	inits := ontap.IgroupKind.Path + "/{igroup_uuid}/initiators"
	mapped := []string{"allow_delete_while_mapped"}
	return []route{
		{method: "GET", path: inits, h: s.listInitiators, summary: "List an initiator group's initiators", kind: ontap.QueryCollection, schema: initiatorSchema, status: ok},
		{method: "POST", path: inits, h: s.addInitiators, summary: "Add initiators to an initiator group", kind: ontap.QueryMutation, schema: initiatorSchema, body: "@create", status: made},
		{method: "GET", path: inits + "/{name}", h: s.getInitiator, summary: "Get an initiator of an initiator group", kind: ontap.QueryRecord, schema: initiatorSchema, status: ok},
		{method: "DELETE", path: inits + "/{name}", h: s.removeInitiator, summary: "Remove an initiator from an initiator group", kind: ontap.QueryMutation, schema: initiatorSchema, status: ok, allow: mapped},
	}
}

func initiatorTrees(igroup string, names []string, comments map[string]any) []any {
	out := make([]any, len(names))
	for i, n := range names {
		t := ontap.Extra{"name": n, "_links": selfLink(ontap.IgroupKind.Path + "/" + igroup + "/initiators/" + n)}
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

// ---- initiators ----

// linkedInitiator is an initiator of an igroup as a GET shows it, with
// its own link.
func linkedInitiator(igroup, init ontap.Extra) ontap.Extra {
	return ontap.With(init, "_links", selfLink(ontap.IgroupKind.Path+"/"+ontap.LookupString(igroup, "uuid")+"/initiators/"+ontap.LookupString(init, "name")))
}

func initiatorRecord(igroup ontap.Extra, init ontap.Extra) ontap.Record {
	id := ontap.LookupString(igroup, "uuid")
	rec := ontap.MergeExtra(init, ontap.Extra{"igroup": ontap.Extra{"name": ontap.LookupString(igroup, "name"), "uuid": id,
		"_links": selfLink(ontap.IgroupKind.Path + "/" + id)}})
	return ontap.Record{Extra: ontap.Gettable(schema.IgroupInitiator, rec)}
}

func (s *Server) igroupOf(r *http.Request) (string, ontap.Extra, error) {
	id, err := pathID(r, "igroup_uuid", "igroup.uuid")
	if err != nil {
		return "", nil, err
	}
	ig, ok := s.objects.get(s.table(ontap.IgroupKind), id)
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
		recs[i] = initiatorRecord(ig, linkedInitiator(ig, m))
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
			return oneRecord(q, initiatorSchema, initiatorRecord(ig, linkedInitiator(ig, m)))
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
	t := s.table(ontap.IgroupKind)
	var ig ontap.Extra
	var added []string
	err = s.objects.do(func() error {
		var ok bool
		ig, ok = t.recs[id]
		if !ok {
			return ontap.ErrIgroupNotFound("igroup.uuid")
		}
		all, err := ontap.AddInitiators(ontap.LookupString(ig, "protocol"), ontap.InitiatorNames(ig), names)
		if err != nil {
			return err
		}
		old := initiatorComments(ig)
		for k, v := range comments {
			old[k] = v
		}
		ig = ontap.With(ig, "initiators", initiatorTrees(id, all, old))
		s.objects.setLocked(t, id, ig)
		added = all[len(all)-len(names):]
		return nil
	})
	if err != nil {
		return result{}, err
	}
	res := created(q, ontap.IgroupKind.Path+"/"+id+"/initiators/"+added[0], ontap.Record{})
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
	t := s.table(ontap.IgroupKind)
	err = s.objects.do(func() error {
		ig, ok := t.recs[id]
		if !ok {
			return ontap.ErrIgroupNotFound("igroup.uuid")
		}
		rest, err := ontap.RemoveInitiator(ontap.InitiatorNames(ig), r.PathValue("name"), s.mappedLocked("igroup.uuid", id), allowedWhileMapped(q))
		if err != nil {
			return err
		}
		s.objects.setLocked(t, id, ontap.With(ig, "initiators", initiatorTrees(id, rest, initiatorComments(ig))))
		return nil
	})
	if err != nil {
		return result{}, err
	}
	return done(), nil
}
