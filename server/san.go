package server

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/nessie-go/nessie/internal/text"
	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/ontap/schema"
)

// The SAN kinds (LUNs, igroups, LUN maps, iSCSI services and credentials)
// are ontap.Kind values (ontap/lun.go, igroup.go, lunmap.go, iscsi.go)
// stored in the object store like every other kind and served by its
// generic handlers. What is left here are the sub-collections held in a
// record: a LUN's attributes (san_luns.go), an igroup's initiators
// (san_igroups.go), a map's reporting nodes (san_lunmaps.go). They change
// their parent record under the store's lock through objectStore.do.

// ownRoutes are the SAN kinds' sub-collections.
func (s *Server) ownRoutes() []route {
	return slices.Concat(s.lunRoutes(), s.igroupRoutes(), s.lunMapRoutes())
}

// table is the store's table of kind k.
func (s *Server) table(k *ontap.Kind) *kindTable { return s.objects.table(k.Name()) }

// ---- helpers shared by the SAN handlers ----

// listRecords answers a GET on a sub-collection.
func listRecords(r *http.Request, sch *ontap.Schema, recs []ontap.Record) (result, error) {
	q, err := sch.ParseQuery(r.URL.Query(), ontap.QueryCollection)
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, body: ontap.Page(q, recs, r.URL.Path)}, nil
}

// oneRecord answers a single-record GET (q already parsed).
func oneRecord(q *ontap.Query, sch *ontap.Schema, rec ontap.Record) (result, error) {
	sch.ProjectRecord(q, &rec)
	return result{status: http.StatusOK, body: rec}, nil
}

// created answers a synchronous POST: 201, Location, and the record when
// return_records=true.
func created(q *ontap.Query, location string, rec ontap.Record) result {
	res := result{status: http.StatusCreated, location: location, body: struct{}{}}
	if q.ReturnRecords {
		res.body = ontap.JobResponse[any]{NumRecords: new(1), Records: []any{rec}}
	}
	return res
}

// done answers a synchronous PATCH or DELETE: 200 with an empty object.
func done() result { return result{status: http.StatusOK, body: struct{}{}} }

// pathID reads a UUID path wildcard (ONTAP's 404 code 2 when malformed).
func pathID(r *http.Request, wildcard, target string) (string, error) {
	raw := r.PathValue(wildcard)
	if _, err := keyValue(raw, target, false); err != nil {
		return "", err
	}
	return strings.ToLower(raw), nil
}

// decodeBody reads and decodes a request body for obj and op.
func (s *Server) decodeBody(r *http.Request, q *ontap.Query, obj *schema.Object, op schema.Flag) (ontap.Extra, []string, error) {
	body, err := s.readBody(r)
	if err != nil {
		return nil, nil, err
	}
	return ontap.DecodeObject(obj, body, ontap.DecodeOptions{IgnoreUnknownFields: q.IgnoreUnknownFields, Op: op})
}

// allowedWhileMapped reads allow_delete_while_mapped.
func allowedWhileMapped(q *ontap.Query) bool {
	return strings.EqualFold(q.Extra["allow_delete_while_mapped"], "true")
}

// mappedLocked reports whether a LUN map has field (lun.uuid or
// igroup.uuid) id; the caller holds the store's lock.
func (s *Server) mappedLocked(field, id string) bool {
	for _, m := range s.table(ontap.LUNMapKind).recs {
		if ontap.LookupString(m, field) == id {
			return true
		}
	}
	return false
}

func strPtr(tree ontap.Extra, path string) *string {
	if v, ok := ontap.Lookup(tree, path).(string); ok {
		return &v
	}
	return nil
}

func quote(s string) string { return `"` + text.Truncate(s, 96) + `"` }

func selfLink(href string) ontap.Extra { return ontap.Extra{"self": ontap.Extra{"href": href}} }

// splitRecords reads a body of the form {"records": [...]} (several
// objects in one POST) into its records' raw JSON.
func splitRecords(body []byte) ([]json.RawMessage, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil || len(m) != 1 || m["records"] == nil {
		return nil, false
	}
	var recs []json.RawMessage
	if json.Unmarshal(m["records"], &recs) != nil {
		return nil, false
	}
	return recs, true
}
