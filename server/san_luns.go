package server

import (
	"net/http"

	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/ontap/schema"
)

// LUNs (ontap.LUNKind, served by the generic handlers): the attributes
// sub-collection /api/storage/luns/{uuid}/attributes, held in the LUN's
// record.

var lunAttrSchema = ontap.ObjectSchema(schema.LUNAttribute, []string{"name"}, "name", "value", "_links")

func (s *Server) lunRoutes() []route {
	ok, made := []int{http.StatusOK}, []int{http.StatusCreated}
	attrs := ontap.LUNKind.Path + "/{lun_uuid}/attributes"
	return []route{
		{method: "GET", path: attrs, h: s.listLUNAttributes, summary: "List a LUN's attributes", kind: ontap.QueryCollection, schema: lunAttrSchema, status: ok},
		{method: "POST", path: attrs, h: s.createLUNAttribute, summary: "Add an attribute to a LUN", kind: ontap.QueryMutation, schema: lunAttrSchema, body: "@create", status: made},
		{method: "GET", path: attrs + "/{name}", h: s.getLUNAttribute, summary: "Get a LUN attribute", kind: ontap.QueryRecord, schema: lunAttrSchema, status: ok},
		{method: "PATCH", path: attrs + "/{name}", h: s.patchLUNAttribute, summary: "Change a LUN attribute's value", kind: ontap.QueryMutation, schema: lunAttrSchema, body: "@modify", status: ok},
		{method: "DELETE", path: attrs + "/{name}", h: s.deleteLUNAttribute, summary: "Delete a LUN attribute", kind: ontap.QueryMutation, schema: lunAttrSchema, status: ok},
	}
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
