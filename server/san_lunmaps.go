package server

import (
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/ontap/schema"
)

// LUN maps: /api/protocols/san/lun-maps[/{lun.uuid}/{igroup.uuid}]. A map
// joins a LUN and an igroup of the same SVM, once, under a logical unit
// number unique in the igroup (the lowest free one when the body names
// none). Its reporting nodes are the cluster's node.

const lunMapsPath = "/api/protocols/san/lun-maps"

var lunMapSchema = sanSchema(schema.LUNMap, []string{"lun.uuid", "igroup.uuid"}, "svm", "lun", "igroup", "logical_unit_number")

// reportingNode is a map's reporting node (the cluster's node).
type reportingNode struct {
	UUID  *string      `json:"uuid,omitempty" ontap:"key"`
	Name  *string      `json:"name,omitempty" ontap:"key"`
	Links *ontap.Links `json:"_links,omitempty"`
}

var reportingNodeSchema = ontap.SchemaOf[reportingNode]()

func (s *Server) lunMapRoutes() []route {
	ok, made := []int{http.StatusOK}, []int{http.StatusCreated}
	item := lunMapsPath + "/{lun_uuid}/{igroup_uuid}"
	return []route{
		{method: "GET", path: lunMapsPath, h: s.listLUNMaps, summary: "List LUN maps", kind: ontap.QueryCollection, schema: lunMapSchema, status: ok},
		{method: "POST", path: lunMapsPath, h: s.createLUNMap, summary: "Map a LUN to an initiator group", kind: ontap.QueryMutation, schema: lunMapSchema, body: "@create", status: made},
		{method: "GET", path: item, h: s.getLUNMap, summary: "Get a LUN map", kind: ontap.QueryRecord, schema: lunMapSchema, status: ok},
		{method: "DELETE", path: item, h: s.deleteLUNMap, summary: "Unmap a LUN from an initiator group", kind: ontap.QueryMutation, schema: lunMapSchema, status: ok},
		{method: "GET", path: item + "/reporting-nodes", h: s.listReportingNodes, summary: "List a LUN map's reporting nodes", kind: ontap.QueryCollection, schema: reportingNodeSchema, status: ok},
	}
}

// lunMapRecord renders one map; the caller holds the lock.
func (s *Server) lunMapRecord(k lunMapKey, n int64) ontap.Record {
	l, ig := s.san.luns[k.lun], s.san.igroups[k.igroup]
	node := ontap.Extra{"name": s.id.NodeName, "uuid": s.id.NodeUUID, "_links": selfLink(ontap.NodesPath + "/" + s.id.NodeUUID)}
	self := lunMapsPath + "/" + k.lun + "/" + k.igroup
	return render(schema.LUNMap, ontap.Extra{
		"svm":                 ontap.Lookup(l, "svm"),
		"logical_unit_number": n,
		"lun":                 ontap.Extra{"name": ontap.LookupString(l, "name"), "uuid": k.lun, "node": node, "_links": selfLink(lunsPath + "/" + k.lun)},
		"igroup": ontap.Extra{"name": ontap.LookupString(ig, "name"), "uuid": k.igroup, "protocol": ontap.Lookup(ig, "protocol"),
			"os_type": ontap.Lookup(ig, "os_type"), "initiators": stringsAny(initiatorNames(ig)), "_links": selfLink(igroupsPath + "/" + k.igroup)},
		"reporting_nodes": []any{ontap.Extra{"name": s.id.NodeName, "uuid": s.id.NodeUUID, "_links": ontap.Extra{
			"self": ontap.Extra{"href": self + "/reporting-nodes/" + s.id.NodeUUID}, "node": ontap.Extra{"href": ontap.NodesPath + "/" + s.id.NodeUUID}}}},
		"_links": selfLink(self),
	})
}

func stringsAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// lunMapFields drops "logical-unit-number" from fields=: Trident asks for
// that hyphenated name (not ONTAP's logical_unit_number) and falls back to
// reading the LUN's lun_maps when it is not answered, so ONTAP must
// ignore it rather than refuse the query.
func lunMapFields(v url.Values) url.Values {
	fs, ok := v["fields"]
	if !ok {
		return v
	}
	out := url.Values{}
	for k, x := range v {
		out[k] = x
	}
	var keep []string
	for _, f := range fs {
		var parts []string
		for p := range strings.SplitSeq(f, ",") {
			if p != "logical-unit-number" {
				parts = append(parts, p)
			}
		}
		keep = append(keep, strings.Join(parts, ","))
	}
	out["fields"] = keep
	return out
}

func (s *Server) listLUNMaps(r *http.Request) (result, error) {
	q, err := lunMapSchema.ParseQuery(lunMapFields(r.URL.Query()), ontap.QueryCollection)
	if err != nil {
		return result{}, err
	}
	s.san.mu.RLock()
	keys := make([]lunMapKey, 0, len(s.san.maps))
	for k := range s.san.maps {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].lun < keys[j].lun || keys[i].lun == keys[j].lun && keys[i].igroup < keys[j].igroup
	})
	recs := make([]ontap.Record, len(keys))
	for i, k := range keys {
		recs[i] = s.lunMapRecord(k, s.san.maps[k])
	}
	s.san.mu.RUnlock()
	return result{status: http.StatusOK, body: ontap.Page(q, recs, r.URL.Path)}, nil
}

// mapKey reads a map's identity from its path.
func mapKey(r *http.Request) (lunMapKey, error) {
	lun, err := pathID(r, "lun_uuid", "lun.uuid")
	if err != nil {
		return lunMapKey{}, err
	}
	ig, err := pathID(r, "igroup_uuid", "igroup.uuid")
	if err != nil {
		return lunMapKey{}, err
	}
	return lunMapKey{lun, ig}, nil
}

// checkMapKey reports a missing LUN, igroup or map; the caller holds the
// lock.
func (st *sanStore) checkMapKey(k lunMapKey) (int64, error) {
	if _, ok := st.luns[k.lun]; !ok {
		return 0, ontap.ErrLUNNotFound("lun.uuid")
	}
	if _, ok := st.igroups[k.igroup]; !ok {
		return 0, ontap.ErrLUNMapIgroupNotFound("igroup.uuid")
	}
	n, ok := st.maps[k]
	if !ok {
		return 0, ontap.ErrLUNMapNotFound()
	}
	return n, nil
}

func (s *Server) getLUNMap(r *http.Request) (result, error) {
	k, err := mapKey(r)
	if err != nil {
		return result{}, err
	}
	q, err := lunMapSchema.ParseQuery(lunMapFields(r.URL.Query()), ontap.QueryRecord)
	if err != nil {
		return result{}, err
	}
	s.san.mu.RLock()
	n, err := s.san.checkMapKey(k)
	var rec ontap.Record
	if err == nil {
		rec = s.lunMapRecord(k, n)
	}
	s.san.mu.RUnlock()
	if err != nil {
		return result{}, err
	}
	return oneRecord(q, lunMapSchema, rec)
}

func (s *Server) createLUNMap(r *http.Request) (result, error) {
	q, err := lunMapSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
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
	s.san.mu.Lock()
	defer s.san.mu.Unlock()
	lun, _, ok := s.san.findLUNLocked(svmUUID, lunRef)
	if !ok {
		return result{}, ontap.ErrLUNMapLUNNotFound("lun")
	}
	ig, igTree, ok := "", ontap.Extra(nil), false
	if igRef.UUID != nil {
		igTree, ok = s.san.igroups[strings.ToLower(*igRef.UUID)]
		ig = strings.ToLower(*igRef.UUID)
		ok = ok && ontap.LookupString(igTree, "svm.uuid") == svmUUID && (igRef.Name == nil || ontap.LookupString(igTree, "name") == *igRef.Name)
	} else {
		ig, igTree, ok = s.san.igroupByNameLocked(svmUUID, *igRef.Name)
	}
	if !ok {
		return result{}, ontap.ErrLUNMapIgroupNotFound("igroup")
	}
	k := lunMapKey{lun, ig}
	if _, exists := s.san.maps[k]; exists {
		return result{}, ontap.ErrLUNMapExists(ontap.LookupString(s.san.luns[lun], "name"), ontap.LookupString(igTree, "name"))
	}
	used := map[int64]bool{}
	for mk, n := range s.san.maps {
		if mk.igroup == ig {
			used[n] = true
		}
	}
	n, err := ontap.AssignLogicalUnitNumber(intPtr(body, "logical_unit_number"), used, ontap.LookupString(igTree, "name"))
	if err != nil {
		return result{}, err
	}
	s.san.maps[k] = n
	return created(q, lunMapsPath+"/"+lun+"/"+ig, s.lunMapRecord(k, n)), nil
}

func (s *Server) deleteLUNMap(r *http.Request) (result, error) {
	k, err := mapKey(r)
	if err != nil {
		return result{}, err
	}
	if _, err := lunMapSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation); err != nil {
		return result{}, err
	}
	if err := s.emptyBody(r); err != nil {
		return result{}, err
	}
	s.san.mu.Lock()
	defer s.san.mu.Unlock()
	if _, err := s.san.checkMapKey(k); err != nil {
		return result{}, err
	}
	delete(s.san.maps, k)
	if del, _ := ontap.Lookup(s.san.igroups[k.igroup], "delete_on_unmap").(bool); del && !s.san.mapped("", k.igroup) {
		delete(s.san.igroups, k.igroup)
	}
	return done(), nil
}

func (s *Server) listReportingNodes(r *http.Request) (result, error) {
	k, err := mapKey(r)
	if err != nil {
		return result{}, err
	}
	s.san.mu.RLock()
	_, err = s.san.checkMapKey(k)
	s.san.mu.RUnlock()
	if err != nil {
		return result{}, err
	}
	self := lunMapsPath + "/" + k.lun + "/" + k.igroup + "/reporting-nodes/" + s.id.NodeUUID
	return list(r, reportingNodeSchema, []reportingNode{{UUID: new(s.id.NodeUUID), Name: new(s.id.NodeName), Links: ontap.SelfLink(self)}}, r.URL.Path)
}
