package server

import (
	"net/http"

	"github.com/nessie-go/nessie/ontap"
)

// LUN maps (ontap.LUNMapKind, served by the generic handlers): a map's
// reporting nodes (the cluster's node),
// /api/protocols/san/lun-maps/{lun.uuid}/{igroup.uuid}/reporting-nodes.

// reportingNode is a map's reporting node (the cluster's node).
type reportingNode struct {
	UUID  *string      `json:"uuid,omitempty" ontap:"key"`
	Name  *string      `json:"name,omitempty" ontap:"key"`
	Links *ontap.Links `json:"_links,omitempty"`
}

var reportingNodeSchema = ontap.SchemaOf[reportingNode]()

func (s *Server) lunMapRoutes() []route {
	ok := []int{http.StatusOK}
	item := ontap.LUNMapKind.Path + "/{lun_uuid}/{igroup_uuid}"
	return []route{
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
