package server

import (
	"net/http"
	"strings"

	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/ontap/schema"
)

// LUN maps (ontap.LUNMapKind): POST and DELETE
// /api/protocols/san/lun-maps[/{lun.uuid}/{igroup.uuid}] and the map's
// reporting nodes. A map joins a LUN and an igroup of the same SVM, once,
// under a logical unit number unique in the igroup (the lowest free one
// when the body names none).

// reportingNode is a map's reporting node (the cluster's node).
type reportingNode struct {
	UUID  *string      `json:"uuid,omitempty" ontap:"key"`
	Name  *string      `json:"name,omitempty" ontap:"key"`
	Links *ontap.Links `json:"_links,omitempty"`
}

var reportingNodeSchema = ontap.SchemaOf[reportingNode]()

func (s *Server) lunMapRoutes() []route {
	ok, made := []int{http.StatusOK}, []int{http.StatusCreated}
	t := s.table(ontap.LUNMapKind)
	coll := ontap.LUNMapKind.Path
	item := coll + "/{lun_uuid}/{igroup_uuid}"
	return []route{
		{method: "POST", path: coll, h: s.createLUNMap, summary: "Map a LUN to an initiator group", kind: ontap.QueryMutation, schema: t.schema, body: "@create", status: made},
		{method: "DELETE", path: item, h: s.deleteLUNMap, summary: "Unmap a LUN from an initiator group", kind: ontap.QueryMutation, schema: t.schema, status: ok},
		{method: "GET", path: item + "/reporting-nodes", h: s.listReportingNodes, summary: "List a LUN map's reporting nodes", kind: ontap.QueryCollection, schema: reportingNodeSchema, status: ok},
	}
}

// mapKey reads a map's identity from its path.
func (s *Server) mapKey(r *http.Request) (string, error) {
	lun, err := pathID(r, "lun_uuid", "lun.uuid")
	if err != nil {
		return "", err
	}
	ig, err := pathID(r, "igroup_uuid", "igroup.uuid")
	if err != nil {
		return "", err
	}
	return lun + "/" + ig, nil
}

func (s *Server) createLUNMap(r *http.Request) (result, error) {
	t := s.table(ontap.LUNMapKind)
	q, err := t.schema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
	if err != nil {
		return result{}, err
	}
	body, _, err := s.decodeBody(r, q, schema.LUNMap, schema.Post)
	if err != nil {
		return result{}, err
	}
	svm, err := s.sanSVM(body)
	if err != nil {
		return result{}, err
	}
	lunRef, igRef := refOf(body, "lun"), refOf(body, "igroup")
	if err := ontap.CheckLUNMapRefs(lunRef, igRef); err != nil {
		return result{}, err
	}
	svmUUID := ontap.LookupString(svm, "uuid")
	var stored ontap.Extra
	err = s.objects.do(func() error {
		lun, lunTree, ok := s.findLUNLocked(svmUUID, lunRef)
		if !ok {
			return ontap.ErrLUNMapLUNNotFound("lun")
		}
		ig, igTree, ok := "", ontap.Extra(nil), false
		if igRef.UUID != nil {
			ig = strings.ToLower(*igRef.UUID)
			igTree, ok = s.table(ontap.IgroupKind).recs[ig]
			ok = ok && ontap.LookupString(igTree, "svm.uuid") == svmUUID && (igRef.Name == nil || ontap.LookupString(igTree, "name") == *igRef.Name)
		} else {
			ig, igTree, ok = s.igroupByNameLocked(svmUUID, *igRef.Name)
		}
		if !ok {
			return ontap.ErrLUNMapIgroupNotFound("igroup")
		}
		if _, exists := t.recs[lun+"/"+ig]; exists {
			return ontap.ErrLUNMapExists(ontap.LookupString(lunTree, "name"), ontap.LookupString(igTree, "name"))
		}
		used := map[int64]bool{}
		for _, m := range t.recs {
			if ontap.LookupString(m, "igroup.uuid") == ig {
				n, _ := ontap.LookupInt(m, "logical_unit_number")
				used[n] = true
			}
		}
		n, err := ontap.AssignLogicalUnitNumber(intPtr(body, "logical_unit_number"), used, ontap.LookupString(igTree, "name"))
		if err != nil {
			return err
		}
		stored, err = s.objects.insertLocked(t, ontap.Extra{"svm": svm, "lun": ontap.Extra{"uuid": lun}, "igroup": ontap.Extra{"uuid": ig},
			"logical_unit_number": n}, keep)
		return err
	})
	if err != nil {
		return result{}, err
	}
	return created(q, t.itemPath(stored), s.render(t, stored)), nil
}

func (s *Server) deleteLUNMap(r *http.Request) (result, error) {
	t := s.table(ontap.LUNMapKind)
	id, err := s.mapKey(r)
	if err != nil {
		return result{}, err
	}
	if _, err := t.schema.ParseQuery(r.URL.Query(), ontap.QueryMutation); err != nil {
		return result{}, err
	}
	if err := s.emptyBody(r); err != nil {
		return result{}, err
	}
	err = s.objects.do(func() error {
		m, ok := t.recs[id]
		if !ok {
			return t.kind.NotFound(s.view(), m0(id))
		}
		s.objects.deleteLocked(t, id)
		ig := ontap.LookupString(m, "igroup.uuid")
		igt := s.table(ontap.IgroupKind)
		if tree, ok := igt.recs[ig]; ok {
			if del, _ := ontap.Lookup(tree, "delete_on_unmap").(bool); del && !s.mappedLocked("igroup.uuid", ig) {
				s.objects.drop(igt, ig, tree)
			}
		}
		return nil
	})
	if err != nil {
		return result{}, err
	}
	return done(), nil
}

// m0 is the identity of a map as a tree, for the kind's NotFound.
func m0(id string) ontap.Extra {
	lun, ig, _ := strings.Cut(id, "/")
	return ontap.Extra{"lun": ontap.Extra{"uuid": lun}, "igroup": ontap.Extra{"uuid": ig}}
}

func (s *Server) listReportingNodes(r *http.Request) (result, error) {
	t := s.table(ontap.LUNMapKind)
	id, err := s.mapKey(r)
	if err != nil {
		return result{}, err
	}
	if _, ok := s.objects.get(t, id); !ok {
		return result{}, s.notFound(t, id)
	}
	self := ontap.LUNMapKind.Path + "/" + id + "/reporting-nodes/" + s.id.NodeUUID
	return list(r, reportingNodeSchema, []reportingNode{{UUID: new(s.id.NodeUUID), Name: new(s.id.NodeName), Links: ontap.SelfLink(self)}}, r.URL.Path)
}
