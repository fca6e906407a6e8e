package server

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/fixture"
	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/ontap/schema"
)

// Objects in fixtures. A fixture's objects section (package fixture)
// holds every object the server keeps beyond volumes, grouped by
// collection: the ONTAP API path without "/api/" ("storage/qtrees"), so
// the grouping does not depend on how the server stores a kind. Records
// are what the server stores, in ONTAP's names and shapes as GET returns
// them, without _links and without what GET derives when it serves them
// (a LUN's lun_maps, an igroup's); an export policy carries
// its rules inline (as GET with fields=rules shows them); a LUN map is
// {svm, lun: {name, uuid}, igroup: {name, uuid}, logical_unit_number}. Keys
// are the records' own fields, and the next integer key of a scope is its
// largest key plus one.
//
// Both directions go through the records the object journal saves
// (ObjectRecord, saveAll's set), and this file is the only place that
// knows how each collection maps to them: the generic object store's
// kinds map by their ontap.Kind, the other stores by the sideGroups
// table.

// ObjectGroups are a fixture's objects: records by collection name.
type ObjectGroups map[string][]ontap.Extra

// ObjectError is a problem with a fixture's objects. Path locates it from
// the document's root: "objects", the collection, the record's index and
// the field's path ("volumes", an index and a field for a volume that
// names an export policy the objects lack).
type ObjectError struct {
	Path []any
	Err  error
}

// Error renders "objects.storage/qtrees[0].volume.name: problem".
func (e *ObjectError) Error() string {
	var b strings.Builder
	for _, p := range e.Path {
		switch p := p.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", p)
		default:
			if b.Len() > 0 {
				b.WriteString(".")
			}
			fmt.Fprint(&b, p)
		}
	}
	return b.String() + ": " + e.Err.Error()
}

// Unwrap returns the problem.
func (e *ObjectError) Unwrap() error { return e.Err }

// sideGroup is a collection kept outside the generic object store: how
// its journal records read as fixture records and back.
type sideGroup struct {
	name   string         // the collection: the API path without /api/
	saved  string         // the journal kind of its records
	object *schema.Object // the fields of its records
	// clear empties the collection (of a scratch server).
	clear func(s *Server)
	// put checks a record (already checked against object) and stores
	// it in a scratch server; it fails with ontap errors whose target is
	// the field at fault.
	put func(s *Server, rec ontap.Extra) error
}

// sideGroups are the collections of the SVMs and the IP interfaces created
// through the API, in the order they load.
var sideGroups = []sideGroup{
	{name: "svm/svms", saved: savedSVM, object: schema.SVM,
		clear: func(s *Server) { s.svms.svms = map[string]ontap.SVM{} }, put: putSVM},
	{name: "network/ip/interfaces", saved: savedLIF, object: schema.IPInterface,
		clear: func(s *Server) { s.lifs.lifs = map[string]ontap.IPInterface{} }, put: putLIF},
}

// groupName is the collection of a generic kind ("" for a kind shown
// inside another's records: an export rule).
func groupName(k *ontap.Kind) string {
	if strings.Contains(k.Path, "{") {
		return ""
	}
	return strings.TrimPrefix(k.Path, "/api/")
}

// ObjectCollections lists the collections a fixture's objects section
// may hold, in the order they load.
func ObjectCollections() []string {
	var out []string
	for _, k := range objectKinds {
		if g := groupName(k); g != "" {
			out = append(out, g)
		}
	}
	for _, g := range sideGroups {
		out = append(out, g.name)
	}
	return out
}

// objectRecords returns every object as the journal saves it (saveAll's
// set), built-ins and next keys included, without touching the changes
// noted for the journal.
func (s *Server) objectRecords() []ObjectRecord {
	st := s.objects
	st.mu.RLock()
	out := st.allLocked()
	st.mu.RUnlock()
	for k, e := range s.sideEntries() {
		out = append(out, ObjectRecord{Kind: k.kind, Key: k.id, Record: sideRecord(e)})
	}
	return out
}

// ExportObjects returns the server's objects as a fixture's objects
// section: every collection, built-ins included.
func (s *Server) ExportObjects() (ObjectGroups, error) { return ObjectsOf(s.objectRecords()) }

// ObjectsOf renders saved object records (an ObjectJournal's whole set)
// as a fixture's objects section: every collection, records in key order
// (by name first where the key is a minted UUID).
func ObjectsOf(recs []ObjectRecord) (ObjectGroups, error) {
	byKind := map[string][]ObjectRecord{}
	for _, r := range recs {
		if strings.HasPrefix(r.Kind, nextPrefix) {
			continue // derived from the keys on load
		}
		if strings.HasPrefix(r.Kind, heldPrefix) {
			continue // not ONTAP-shaped: a load takes snapshots to hold the loaded LUNs
		}
		byKind[r.Kind] = append(byKind[r.Kind], r)
	}
	for _, rs := range byKind {
		// By key: whatever the identity, the same state lists in the
		// same order (records keyed by a minted UUID sort by name first).
		slices.SortFunc(rs, func(a, b ObjectRecord) int { return compareKeys(a.Key, b.Key) })
	}
	decode := func(r ObjectRecord) (ontap.Extra, error) {
		var rec ontap.Record
		if err := rec.UnmarshalJSON(r.Record); err != nil {
			return nil, fmt.Errorf("saved %s %q: %w", r.Kind, r.Key, err)
		}
		return withoutLinks(rec.Extra).(ontap.Extra), nil
	}
	out := ObjectGroups{}
	known := map[string]bool{}
	for _, k := range objectKinds {
		known[k.Name()] = true
		g := groupName(k)
		if g == "" {
			continue
		}
		list := []ontap.Extra{}
		for _, r := range byKind[k.Name()] {
			rec, err := decode(r)
			if err != nil {
				return nil, err
			}
			for _, e := range k.Embeds {
				var kids []any
				ek := kindByName(e.Kind)
				for _, kr := range byKind[e.Kind] {
					if scope, _, _ := strings.Cut(kr.Key, "/"); scope != r.Key {
						continue
					}
					kid, err := decode(kr)
					if err != nil {
						return nil, err
					}
					for _, p := range ek.Parents {
						delete(kid, p.Field) // the record it sits in
					}
					kids = append(kids, kid)
				}
				if len(kids) > 0 {
					rec[e.Field] = kids
				}
			}
			list = append(list, rec)
		}
		if !k.IntKey() {
			sortByName(list, "name", "lun.name", "igroup.name")
		}
		out[g] = list
	}
	for _, g := range sideGroups {
		known[g.saved] = true
		list := []ontap.Extra{}
		for _, r := range byKind[g.saved] {
			rec, err := decode(r)
			if err != nil {
				return nil, err
			}
			list = append(list, rec)
		}
		sortByName(list, "name")
		out[g.name] = list
	}
	for kind := range byKind {
		if !known[kind] {
			return nil, fmt.Errorf("saved objects of kind %q: this build has no such kind", kind)
		}
	}
	return out, nil
}

// sortByName orders records by the first of fields each has (stable:
// records without one keep their key order).
func sortByName(list []ontap.Extra, fields ...string) {
	name := func(r ontap.Extra) string {
		var parts []string
		for _, f := range fields {
			if v := ontap.LookupString(r, f); v != "" {
				parts = append(parts, v)
			}
		}
		return strings.Join(parts, "\x00")
	}
	slices.SortStableFunc(list, func(a, b ontap.Extra) int { return strings.Compare(name(a), name(b)) })
}

// compareKeys orders record keys part by part ("/"-separated), numbers
// numerically.
func compareKeys(a, b string) int {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, ex := strconv.ParseInt(as[i], 10, 64)
		y, ey := strconv.ParseInt(bs[i], 10, 64)
		c := strings.Compare(as[i], bs[i])
		if ex == nil && ey == nil {
			c = cmp.Compare(x, y)
		}
		if c != 0 {
			return c
		}
	}
	return cmp.Compare(len(as), len(bs))
}

// withoutLinks returns v with every _links removed, copying what it
// changes.
func withoutLinks(v any) any {
	switch x := v.(type) {
	case ontap.Extra:
		out := make(ontap.Extra, len(x))
		for k, e := range x {
			if k != "_links" {
				out[k] = withoutLinks(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = withoutLinks(e)
		}
		return out
	}
	return v
}

// ImportObjects checks a fixture's objects section and returns the
// records the object journal saves for it (Control.Objects, a durable
// store's object records): what a server holds once it has loaded them.
// vols are the fixture's volumes, which the objects may refer to (by name
// or UUID); id is the loading server's identity. With origin (the
// exporting daemon's identity, names and UUIDs), its built-in UUIDs and
// names are first rewritten to id's (see fixture.Origin).
//
// A collection the section does not list holds its built-ins; nil groups
// is no section: the built-ins only. Every problem is an *ObjectError:
// an unknown collection or field, a value of the wrong type, a missing
// key, a duplicate, a reference to an object the fixture lacks (a qtree
// of a missing volume, a map of a missing LUN), a volume whose export
// policy the objects lack.
func ImportObjects(groups ObjectGroups, origin *Identity, id Identity, vols []backend.Volume) ([]ObjectRecord, error) {
	if err := validateIdentity(&id); err != nil {
		return nil, err
	}
	sc := scratchServer(id, vols)
	if groups == nil {
		return sc.objectRecords(), nil
	}
	known := ObjectCollections()
	for name := range groups {
		if !slices.Contains(known, name) {
			return nil, &ObjectError{Path: []any{"objects", name}, Err: fmt.Errorf("unknown collection; the collections are %s", strings.Join(known, ", "))}
		}
	}
	rw := originRewriter(origin, id)
	st := sc.objects
	loadSide := func(g sideGroup) error {
		recs, ok := groups[g.name]
		if !ok {
			return nil
		}
		g.clear(sc)
		for i, raw := range recs {
			at := []any{"objects", g.name, i}
			if raw == nil {
				return &ObjectError{Path: at, Err: errors.New("a record is a mapping of fields")}
			}
			rec, err := checkRecord(g.object, rw(raw).(ontap.Extra), at)
			if err != nil {
				return err
			}
			if err := g.put(sc, rec); err != nil {
				return objectErr(at, err)
			}
		}
		return nil
	}
	// The SVMs first: objects and LIFs may belong to them.
	for _, g := range sideGroups {
		if g.saved == savedSVM {
			if err := loadSide(g); err != nil {
				return nil, err
			}
		}
	}
	for _, k := range objectKinds {
		g := groupName(k)
		recs, ok := groups[g]
		if g == "" || !ok {
			continue
		}
		t := st.table(k.Name())
		clearTable(t)
		for _, e := range k.Embeds {
			clearTable(st.table(e.Kind))
		}
		for i, raw := range recs {
			if raw == nil {
				return nil, &ObjectError{Path: []any{"objects", g, i}, Err: errors.New("a record is a mapping of fields")}
			}
			if err := sc.putObject(t, rw(raw).(ontap.Extra), []any{"objects", g, i}, nil); err != nil {
				return nil, err
			}
		}
	}
	for _, g := range sideGroups {
		if g.saved == savedSVM {
			continue // loaded first
		}
		if err := loadSide(g); err != nil {
			return nil, err
		}
	}
	// Next integer keys: past the largest of each scope.
	for _, t := range st.order {
		if !t.kind.IntKey() {
			continue
		}
		for _, rec := range t.recs {
			n, _ := ontap.LookupInt(rec, t.kind.Key)
			if scope := t.scopeOf(rec); n >= t.next[scope] {
				t.next[scope] = n + 1
			}
		}
	}
	// An SVM the objects give no built-in records (its "default" export
	// policy) gets them, as one created through the API does.
	for _, v := range sc.allSVMs()[1:] {
		if err := sc.seedMissing(ontap.Extra{"name": *v.Name, "uuid": *v.UUID}); err != nil {
			return nil, err
		}
	}
	for i, v := range vols {
		if v.ExportPolicy == "" {
			continue
		}
		if err := sc.checkExportPolicy(v.ExportPolicy, sc.volumeSVMUUID(&v)); err != nil {
			return nil, &ObjectError{Path: []any{"volumes", i, "nas", "export_policy", "name"},
				Err: fmt.Errorf("export policy %q is not in the objects (protocols/nfs/export-policies)", v.ExportPolicy)}
		}
	}
	return sc.objectRecords(), nil
}

func clearTable(t *kindTable) {
	t.recs = map[string]ontap.Extra{}
	t.next = map[string]int64{}
}

// scratchServer is a server reduced to its object stores, seeded with the
// built-ins of id, over a backend that holds only vols: the checks and
// completions of the object handlers run on it unchanged.
func scratchServer(id Identity, vols []backend.Volume) *Server {
	fv := &fixtureVolumes{byID: map[backend.VolumeID]backend.Volume{}, byName: map[string]backend.Volume{}}
	for _, v := range vols {
		fv.byID[v.ID] = v
		fv.byName[v.Name] = v
	}
	s := &Server{b: fv, id: id, ctx: context.Background(), objects: newObjectStore(objectKinds...)}
	s.objects.view = s.view()
	s.lifs.lifs = map[string]ontap.IPInterface{}
	s.svms.svms = map[string]ontap.SVM{}
	s.seedObjects()
	return s
}

// fixtureVolumes answers a scratch server's volume lookups from a
// fixture's volumes; it serves nothing else.
type fixtureVolumes struct {
	backend.VolumeBackend
	byID   map[backend.VolumeID]backend.Volume
	byName map[string]backend.Volume
}

func (f *fixtureVolumes) GetVolume(_ context.Context, id backend.VolumeID) (backend.Volume, error) {
	if v, ok := f.byID[id]; ok {
		return v, nil
	}
	return backend.Volume{}, &backend.Error{Op: "GetVolume", Kind: backend.KindNotFound, Resource: backend.ResourceVolume}
}

func (f *fixtureVolumes) VolumeByName(_ context.Context, name string) (backend.Volume, error) {
	if v, ok := f.byName[name]; ok {
		return v, nil
	}
	return backend.Volume{}, &backend.Error{Op: "VolumeByName", Kind: backend.KindNotFound, Resource: backend.ResourceVolume}
}

// putObject checks one record of a generic kind and stores it in a
// scratch server, then the records it shows inline (an export policy's
// rules) with it as their scope (set: the scope's key path and value).
func (s *Server) putObject(t *kindTable, raw ontap.Extra, at []any, set []any) error {
	k := t.kind
	inline := map[string][]any{}
	for _, e := range k.Embeds {
		if v, ok := raw[e.Field]; ok {
			kids, isList := v.([]any)
			if !isList && v != nil {
				return &ObjectError{Path: append(at, e.Field), Err: errors.New("a list of records")}
			}
			inline[e.Field] = kids
			raw = without(raw, e.Field)
		}
	}
	rec, err := checkRecord(k.Object, raw, at)
	if err != nil {
		return err
	}
	if len(set) == 2 {
		rec = ontap.With(rec, set[0].(string), set[1])
	}
	// A key that is a reference's (an SVM's service: svm.uuid, a map's
	// igroup.uuid) comes from resolving it.
	byRef := strings.Contains(k.Key, ".")
	missingKey := &ObjectError{Path: fieldAt(at, k.Key), Err: fmt.Errorf("missing: every %s needs its key (%s), which references to it use", k.Label, k.Key)}
	if ontap.Lookup(rec, k.Key) == nil && !byRef {
		return missingKey
	}
	if k.Defaults != nil {
		rec = k.Defaults(rec)
	}
	if rec, err = s.resolveOutside(s.ctx, t, rec, true); err != nil {
		return objectErr(at, err)
	}
	for _, p := range k.Parents {
		if p.ByPrepare && p.Kind == "volume" {
			// The kind's Prepare resolves it from a request; a stored
			// record names it.
			ref, _ := ontap.Lookup(rec, p.Field).(ontap.Extra)
			vol, svm, err := s.resolveVolume(s.ctx, ref, p.Field)
			if err == nil && svm != s.id.SVMUUID {
				// LUNs are in the cluster's SVM only.
				err = ontap.Errorf(http.StatusNotFound, ontap.CodeVolumeNotInSVM, p.Field,
					"The specified volume does not exist in Vserver %q.", s.id.SVMName)
			}
			if err != nil {
				return objectErr(at, err)
			}
			rec = ontap.With(rec, p.Field, vol)
		}
	}
	if rec, err = s.resolveStoredRefs(t, rec, false); err != nil {
		return objectErr(at, err)
	}
	if byRef && ontap.Lookup(rec, k.Key) == nil {
		return missingKey
	}
	if err := s.objects.conflict(t, rec, ""); err != nil {
		return objectErr(at, err)
	}
	id := ontap.RecordKey(rec, t.keys)
	if _, dup := t.recs[id]; dup {
		return &ObjectError{Path: fieldAt(at, k.Key), Err: fmt.Errorf("a second %s with %s %v", k.Label, k.Key, ontap.Lookup(rec, k.Key))}
	}
	if k.Place != nil {
		if rec, err = k.Place(s.objects.view, rec, nil); err != nil {
			return objectErr(at, err)
		}
	}
	rec = ontap.With(rec, "_links", ontap.Extra{"self": ontap.Extra{"href": t.itemPath(rec)}})
	t.recs[id] = rec
	for _, e := range k.Embeds {
		ct := s.objects.table(e.Kind)
		for j, kid := range inline[e.Field] {
			kr, ok := kid.(ontap.Extra)
			if !ok {
				return &ObjectError{Path: append(at, e.Field, j), Err: errors.New("a record is a mapping of fields")}
			}
			if err := s.putObject(ct, kr, append(append([]any{}, at...), e.Field, j), []any{ct.keys[0], ontap.Lookup(rec, k.Key)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// fieldAt is the path of a record's field (dotted) under at.
func fieldAt(at []any, field string) []any {
	out := append([]any{}, at...)
	for _, p := range strings.Split(field, ".") {
		out = append(out, p)
	}
	return out
}

// without returns m without key.
func without(m ontap.Extra, key string) ontap.Extra {
	out := make(ontap.Extra, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

// checkRecord checks a fixture record against its object's fields (no
// unknown field, every value of its field's type) and returns it as the
// store holds values (integers as int64, sizes such as "1GB" as bytes).
// _links, anywhere, is dropped: the server makes its own.
func checkRecord(obj *schema.Object, raw ontap.Extra, at []any) (ontap.Extra, error) {
	raw = withoutLinks(raw).(ontap.Extra)
	if err := knownFields(obj, "", raw, at); err != nil {
		return nil, err
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return nil, &ObjectError{Path: at, Err: fmt.Errorf("not representable as JSON: %v", err)}
	}
	rec, _, err := ontap.DecodeObject(obj, b, ontap.DecodeOptions{})
	if err != nil {
		return nil, objectErr(at, err)
	}
	return rec, nil
}

// knownFields fails on the first field obj does not have, naming it by
// its place in the document.
func knownFields(obj *schema.Object, prefix string, v any, at []any) error {
	switch x := v.(type) {
	case ontap.Extra:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			full := k
			if prefix != "" {
				full = prefix + "." + k
			}
			here := append(append([]any{}, at...), k)
			if obj.Field(full) == nil {
				return &ObjectError{Path: here, Err: fmt.Errorf("unknown field: ONTAP's %s has no %q", obj.Name, full)}
			}
			if err := knownFields(obj, full, x[k], here); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range x {
			if err := knownFields(obj, prefix, e, append(append([]any{}, at...), i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// objectErr places an ontap error (whose target names the field at
// fault) under the record at.
func objectErr(at []any, err error) error {
	var oe *ObjectError
	if errors.As(err, &oe) {
		return err
	}
	path := append([]any{}, at...)
	var e *ontap.Error
	if errors.As(err, &e) {
		if e.Target != "" && e.Target != "body" {
			path = fieldAt(at, e.Target)
		}
		return &ObjectError{Path: path, Err: errors.New(e.Message)}
	}
	return &ObjectError{Path: path, Err: err}
}

// originRewriter returns a function that rewrites a record's references
// to the origin's built-in objects into id's: every string holding one of
// the origin's UUIDs (as is, or without dashes, as in an iSCSI target
// name) gets id's, and a reference ({name, uuid}) to one of them gets
// id's name for it. Without an origin it copies.
func originRewriter(origin *Identity, id Identity) func(any) any {
	type pair struct{ oldUUID, newUUID, oldName, newName string }
	var pairs []pair
	if origin != nil {
		o := *origin
		for _, p := range []pair{
			{o.ClusterUUID, id.ClusterUUID, o.ClusterName, id.ClusterName},
			{o.NodeUUID, id.NodeUUID, o.NodeName, id.NodeName},
			{o.SVMUUID, id.SVMUUID, o.SVMName, id.SVMName},
			{o.AggregateUUID, id.AggregateUUID, o.AggregateName, id.AggregateName},
			{o.LIFUUID, id.LIFUUID, o.LIFName, id.LIFName},
		} {
			p.oldUUID, p.newUUID = strings.ToLower(p.oldUUID), strings.ToLower(p.newUUID)
			if p.oldUUID != "" && p.oldUUID != p.newUUID {
				pairs = append(pairs, p)
			}
		}
	}
	var args []string
	for _, p := range pairs {
		args = append(args, p.oldUUID, p.newUUID, strings.ReplaceAll(p.oldUUID, "-", ""), strings.ReplaceAll(p.newUUID, "-", ""))
	}
	rep := strings.NewReplacer(args...)
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case string:
			if len(args) == 0 {
				return x
			}
			return rep.Replace(x)
		case ontap.Extra:
			out := make(ontap.Extra, len(x))
			for k, e := range x {
				out[k] = walk(e)
			}
			if u, ok := x["uuid"].(string); ok {
				for _, p := range pairs {
					if _, named := out["name"]; named && strings.EqualFold(u, p.oldUUID) {
						// A reference to the built-in object: its name is
						// the loading daemon's (whatever the exporter
						// called it).
						out["name"] = p.newName
					}
				}
			}
			return out
		case []any:
			out := make([]any, len(x))
			for i, e := range x {
				out[i] = walk(e)
			}
			return out
		}
		return v
	}
	return walk
}

// The side collections' checks: each stores a checked record in a
// scratch server as the handlers that create it would.

// requireKey fails when a record lacks its key field.
func requireKey(rec ontap.Extra, field, label string) (string, error) {
	v := ontap.LookupString(rec, field)
	if v == "" {
		return "", ontap.Errorf(400, ontap.CodeInvalidValue, field, "missing: every %s needs its key (%s), which references to it use", label, field)
	}
	return v, nil
}

func putSVM(s *Server, rec ontap.Extra) error {
	id, err := requireKey(rec, "uuid", "SVM")
	if err != nil {
		return err
	}
	name, err := requireKey(rec, "name", "SVM")
	if err != nil {
		return err
	}
	if strings.EqualFold(id, s.id.SVMUUID) {
		return ontap.Errorf(400, ontap.CodeInvalidValue, "uuid", "the cluster's own SVM is built in; list only SVMs created through the API")
	}
	if _, dup := s.svms.svms[id]; dup {
		return ontap.Errorf(400, ontap.CodeInvalidValue, "uuid", "a second SVM with uuid %s", id)
	}
	if err := s.svmNameFree(name, ""); err != nil {
		return err
	}
	var v ontap.SVM
	if err := remarshal(rec, &v); err != nil {
		return err
	}
	v.Links = ontap.SelfLink(ontap.SVMsPath + "/" + id)
	s.svms.svms[id] = v
	return nil
}

func putLIF(s *Server, rec ontap.Extra) error {
	id, err := requireKey(rec, "uuid", "IP interface")
	if err != nil {
		return err
	}
	if strings.EqualFold(id, s.id.LIFUUID) {
		return ontap.Errorf(400, ontap.CodeInvalidValue, "uuid", "the cluster's data interface is built in; list only interfaces created through the API")
	}
	if _, dup := s.lifs.lifs[id]; dup {
		return ontap.Errorf(400, ontap.CodeInvalidValue, "uuid", "a second IP interface with uuid %s", id)
	}
	if ref, ok := rec["svm"].(ontap.Extra); ok {
		if _, err := s.resolveSVM(ref, "svm"); err != nil {
			return err
		}
	}
	var v ontap.IPInterface
	if err := remarshal(rec, &v); err != nil {
		return err
	}
	v.Links = ontap.SelfLink(ontap.InterfacesPath + "/" + id)
	s.lifs.lifs[id] = v
	return nil
}

// remarshal converts a checked record into a wire struct.
func remarshal(rec ontap.Extra, into any) error {
	b := ontap.Record{Extra: rec}.AppendJSON(nil)
	return json.Unmarshal(b, into)
}

// replaceObjects makes recs (ImportObjects' records; nil: the built-ins
// as the server seeded them, UUIDs included) the server's whole object
// state and saves it: a reset.
func (s *Server) replaceObjects(recs []ObjectRecord) error {
	if recs == nil {
		recs = s.builtins
	}
	sc := &Server{id: s.id, objects: newObjectStore(objectKinds...)}
	sc.lifs.lifs = map[string]ontap.IPInterface{}
	sc.svms.svms = map[string]ontap.SVM{}
	if _, err := sc.loadRecords(recs); err != nil {
		return err
	}
	st := s.objects
	st.mu.Lock()
	for i, t := range st.order {
		// In place: the routes hold the tables.
		t.recs, t.next = sc.objects.order[i].recs, sc.objects.order[i].next
	}
	st.held = sc.objects.held
	st.dirty = nil
	st.mu.Unlock()
	s.holdLoaded(context.Background())
	s.lifs.mu.Lock()
	s.lifs.lifs = sc.lifs.lifs
	s.lifs.mu.Unlock()
	s.svms.mu.Lock()
	s.svms.svms = sc.svms.svms
	s.svms.mu.Unlock()
	return s.saveAll()
}

// Origin is id as a fixture records it: the built-in objects whose UUIDs
// a daemon loading the fixture rewrites to its own.
func Origin(id Identity) *fixture.Origin {
	return &fixture.Origin{
		Cluster:     fixture.DocRef{Name: id.ClusterName, UUID: id.ClusterUUID},
		Node:        fixture.DocRef{Name: id.NodeName, UUID: id.NodeUUID},
		SVM:         fixture.DocRef{Name: id.SVMName, UUID: id.SVMUUID},
		Aggregate:   fixture.DocRef{Name: id.AggregateName, UUID: id.AggregateUUID},
		IPInterface: fixture.DocRef{Name: id.LIFName, UUID: id.LIFUUID},
	}
}

// OriginIdentity is Origin's inverse (nil for nil): the identity
// ImportObjects rewrites from.
func OriginIdentity(o *fixture.Origin) *Identity {
	if o == nil {
		return nil
	}
	return &Identity{ClusterName: o.Cluster.Name, ClusterUUID: o.Cluster.UUID, NodeName: o.Node.Name, NodeUUID: o.Node.UUID,
		SVMName: o.SVM.Name, SVMUUID: o.SVM.UUID, AggregateName: o.Aggregate.Name, AggregateUUID: o.Aggregate.UUID,
		LIFName: o.IPInterface.Name, LIFUUID: o.IPInterface.UUID}
}

// LoadFixture checks a parsed fixture's objects against its volumes for
// a server with identity id, and returns ImportObjects' records (nil
// groups give the built-ins'). Errors are the fixture's, naming the file,
// line and field.
func LoadFixture(f *fixture.Fixture, id Identity) ([]ObjectRecord, error) {
	var vols []backend.Volume
	for _, vr := range f.State.Volumes {
		vols = append(vols, vr.Volume)
	}
	var groups ObjectGroups
	if f.Objects != nil {
		groups = ObjectGroups(f.Objects)
	}
	recs, err := ImportObjects(groups, OriginIdentity(f.Origin), id, vols)
	var oe *ObjectError
	if errors.As(err, &oe) {
		return nil, f.Fail(oe.Path, oe.Err)
	}
	return recs, err
}
