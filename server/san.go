package server

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/nessie-go/nessie/internal/text"
	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/ontap/schema"
)

// The SAN objects (LUNs, igroups, LUN maps, iSCSI services and
// credentials) live in one store under one lock, because their rules
// cross kinds: a LUN map joins a LUN and an igroup and numbers the LUN in
// the igroup, a LUN cannot outgrow its volume's free space (shared with
// its siblings), a mapped LUN or igroup is deleted only on request. Each
// kind is one file (san_luns.go, san_igroups.go, san_lunmaps.go,
// san_iscsi.go): its records as ontap.Extra trees of the generated ONTAP
// object, its rules from package ontap (lun.go, igroup.go, lunmap.go,
// iscsi.go) and its handlers. Records are served through the same query
// engine (ontap.ObjectSchema) as every other object.

// sanStore holds the SAN records. Trees are never modified once stored.
type sanStore struct {
	mu      sync.RWMutex
	luns    map[string]ontap.Extra // by LUN UUID
	igroups map[string]ontap.Extra // by igroup UUID
	maps    map[lunMapKey]int64    // logical unit number by LUN and igroup
	iscsi   map[string]ontap.Extra // iSCSI service by SVM UUID
	creds   map[credKey]ontap.Extra
}

type lunMapKey struct{ lun, igroup string }

type credKey struct{ svm, initiator string }

func newSANStore() *sanStore {
	return &sanStore{luns: map[string]ontap.Extra{}, igroups: map[string]ontap.Extra{}, maps: map[lunMapKey]int64{},
		iscsi: map[string]ontap.Extra{}, creds: map[credKey]ontap.Extra{}}
}

// seedSAN gives the cluster's SVM what an iSCSI-enabled SVM has: an
// enabled iSCSI service and its default security credential.
func (s *Server) seedSAN(st *sanStore) {
	svm := ontap.Extra{"name": s.id.SVMName, "uuid": s.id.SVMUUID}
	st.iscsi[s.id.SVMUUID] = iscsiServiceTree(svm, true, "")
	st.creds[credKey{s.id.SVMUUID, ontap.DefaultISCSIInitiator}] = credentialTree(svm, ontap.Extra{
		"initiator": ontap.DefaultISCSIInitiator, "authentication_type": ontap.ISCSIAuthNone,
	})
}

// dropVolumeLUNs deletes the LUNs of a deleted volume and their maps.
func (st *sanStore) dropVolumeLUNs(volumeUUID string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for id, l := range st.luns {
		if ontap.LookupString(l, "location.volume.uuid") == volumeUUID {
			st.dropLUN(id)
		}
	}
}

// cloneVolumeLUNs gives a FlexClone copies of its parent's LUNs, as
// ONTAP's clone holds the parent's files: same paths under the clone's
// name, sizes, os_type and attributes; new UUIDs and serial numbers; no
// maps. (nessie keeps no LUN contents per snapshot: the copies are of the
// LUNs as they are when the clone is made.)
func (st *sanStore) cloneVolumeLUNs(parentUUID, cloneUUID, cloneName string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	var parents []ontap.Extra
	for _, l := range st.luns {
		if ontap.LookupString(l, "location.volume.uuid") == parentUUID {
			parents = append(parents, l)
		}
	}
	for _, l := range parents {
		loc, err := ontap.ParseLUNPath("name", ontap.LookupString(l, "name"))
		if err != nil {
			continue
		}
		loc.Volume = cloneName
		id := uuid.NewString()
		c := ontap.With(l, "uuid", id)
		c = ontap.With(c, "name", loc.Path())
		c = ontap.With(c, "location.volume", ontap.Extra{"name": cloneName, "uuid": cloneUUID})
		c = ontap.With(c, "serial_number", ontap.NewLUNSerial())
		c = ontap.With(c, "create_time", time.Now().UTC().Format(ontap.TimeLayout))
		c = ontap.With(c, "_links", selfLink(lunsPath+"/"+id))
		st.luns[id] = c
	}
}

// renameVolume follows a volume's rename in its LUNs' paths.
func (st *sanStore) renameVolume(volumeUUID, name string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for id, l := range st.luns {
		if ontap.LookupString(l, "location.volume.uuid") != volumeUUID || ontap.LookupString(l, "location.volume.name") == name {
			continue
		}
		loc, err := ontap.ParseLUNPath("name", ontap.LookupString(l, "name"))
		if err != nil {
			continue
		}
		loc.Volume = name
		st.luns[id] = ontap.With(ontap.With(l, "location.volume.name", name), "name", loc.Path())
	}
}

// dropLUN deletes a LUN and its maps; the caller holds the lock.
func (st *sanStore) dropLUN(id string) {
	delete(st.luns, id)
	for k := range st.maps {
		if k.lun == id {
			delete(st.maps, k)
		}
	}
}

// mapped reports whether a LUN (or, with igroup set, an igroup) has maps;
// the caller holds the lock.
func (st *sanStore) mapped(lun, igroup string) bool {
	for k := range st.maps {
		if lun != "" && k.lun == lun || igroup != "" && k.igroup == igroup {
			return true
		}
	}
	return false
}

// sanRoutes are the SAN kinds' routes.
func (s *Server) sanRoutes() []route {
	return slices.Concat(s.lunRoutes(), s.igroupRoutes(), s.lunMapRoutes(), s.iscsiRoutes())
}

// ---- helpers shared by the SAN handlers ----

// sanSVM resolves a body's required svm reference.
func (s *Server) sanSVM(rec ontap.Extra) (ontap.Extra, error) {
	ref, _ := rec["svm"].(ontap.Extra)
	if ref == nil || ref["name"] == nil && ref["uuid"] == nil {
		return nil, ontap.Errorf(http.StatusBadRequest, ontap.CodeSVMRequired, "svm.name",
			`No SVM was specified. Either "svm.name" or "svm.uuid" must be supplied.`)
	}
	return s.resolveSVM(ref, "svm")
}

// sanSchema is the query schema of a SAN kind's records.
func sanSchema(obj *schema.Object, keys []string, always ...string) *ontap.Schema {
	return ontap.ObjectSchema(obj, keys, append(append([]string{}, always...), "_links")...)
}

// render returns the readable part of a tree as a record.
func render(obj *schema.Object, tree ontap.Extra) ontap.Record {
	return ontap.Record{Extra: ontap.Gettable(obj, tree)}
}

// listRecords answers a collection GET.
// listSAN answers a GET on a SAN collection: every record of the map pick
// selects, rendered in key order under the read lock, through the query
// engine.
func (s *Server) listSAN(r *http.Request, sch *ontap.Schema, pick func(*sanStore) map[string]ontap.Extra, rec func(ontap.Extra) ontap.Record) (result, error) {
	s.san.mu.RLock()
	m := pick(s.san)
	recs := make([]ontap.Record, 0, len(m))
	for _, id := range sortedKeys(m) {
		recs = append(recs, rec(m[id]))
	}
	s.san.mu.RUnlock()
	return listRecords(r, sch, recs)
}

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

// refOf reads a {name, uuid} reference from a tree.
func refOf(tree ontap.Extra, field string) *ontap.Ref {
	m, _ := ontap.Lookup(tree, field).(ontap.Extra)
	if m == nil {
		return nil
	}
	ref := &ontap.Ref{}
	if n, ok := m["name"].(string); ok {
		ref.Name = &n
	}
	if u, ok := m["uuid"].(string); ok {
		ref.UUID = &u
	}
	return ref
}

func strPtr(tree ontap.Extra, path string) *string {
	if v, ok := ontap.Lookup(tree, path).(string); ok {
		return &v
	}
	return nil
}

func intPtr(tree ontap.Extra, path string) *int64 {
	if v, ok := ontap.LookupInt(tree, path); ok {
		return &v
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func quote(s string) string { return `"` + text.Truncate(s, 96) + `"` }

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
