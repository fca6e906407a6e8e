package server

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/internal/text"
	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/ontap/schema"
)

// objectKinds are the ONTAP object kinds served from the object store, in
// route order. Adding a kind is adding its ontap.Kind here (see the
// package documentation).
var objectKinds = []*ontap.Kind{
	ontap.ExportPolicyKind,
	ontap.ExportRuleKind,
	ontap.QtreeKind,
	ontap.QuotaRuleKind,
	ontap.NFSServiceKind,
	ontap.FCPServiceKind,
	ontap.NVMeServiceKind,
	ontap.CIFSServiceKind,
	ontap.CIFSShareKind,
	ontap.ScheduleKind, // before the snapshot policies that name schedules
	ontap.SnapshotPolicyKind,
	ontap.QoSPolicyKind,
	ontap.VolumeEfficiencyPolicyKind,
	ontap.LUNKind,
	ontap.IgroupKind,
	ontap.LUNMapKind,
	ontap.ISCSIServiceKind,
	ontap.ISCSICredentialKind,
}

// kindByName returns the registered kind with that schema name, or nil.
func kindByName(name string) *ontap.Kind {
	for _, k := range objectKinds {
		if k.Name() == name {
			return k
		}
	}
	return nil
}

// muxPath turns a kind's path ({policy.id}) into a ServeMux pattern
// ({policy_id}).
func muxPath(p string) string {
	return wildcardDots.Replace(p)
}

var wildcardDots = strings.NewReplacer(".", "_")

// itemPattern is the path of one record of the kind: the collection path,
// the scope's key when the path does not name it (a qtree's volume), and
// the key.
func (t *kindTable) itemPattern() string {
	k := t.kind
	p := k.Path
	if k.Scope != "" && !strings.Contains(p, "{"+k.Scope+".") {
		p += "/{" + t.keys[0] + "}"
	}
	return p + "/{" + k.Key + "}"
}

// objectRoutes are the generic routes of every kind in the store.
func (s *Server) objectRoutes() []route {
	ok := []int{http.StatusOK}
	var out []route
	for _, t := range s.objects.order {
		k := t.kind
		coll := wildcardIn(k.Path)
		item := wildcardIn(t.itemPattern())
		create, mut := []int{http.StatusCreated}, ok
		if k.Async {
			create, mut = []int{http.StatusAccepted, http.StatusCreated}, []int{http.StatusAccepted, http.StatusOK}
		}
		out = append(out,
			route{method: "GET", path: coll, h: s.listObjects(t), summary: "List " + plural(k.Label), kind: ontap.QueryCollection, schema: t.schema, status: ok},
			route{method: "GET", path: item, h: s.getObject(t), summary: "Get " + article(k.Label), kind: ontap.QueryRecord, schema: t.schema, status: ok})
		out = append(out, route{method: "POST", path: coll, h: s.createObject(t), summary: "Create " + article(k.Label), kind: ontap.QueryMutation, schema: t.schema, body: "@create", status: create})
		if !k.NoPatch {
			out = append(out, route{method: "PATCH", path: item, h: s.patchObject(t), summary: "Modify " + article(k.Label), kind: ontap.QueryMutation, schema: t.schema, body: "@modify", status: mut})
		}
		if !k.NoDelete {
			out = append(out, route{method: "DELETE", path: item, h: s.deleteObject(t), summary: "Delete " + article(k.Label), kind: ontap.QueryMutation, schema: t.schema, status: mut, allow: k.DeleteParams})
		}
		if k.DeleteInScope && !k.NoDelete {
			scoped := strings.TrimSuffix(item, "/{"+muxPath(k.Key)+"}")
			out = append(out, route{method: "DELETE", path: scoped, h: s.deleteInScope(t), summary: "Delete " + article(k.Label) + " named in the query",
				kind: ontap.QueryMutation, schema: t.schema, status: mut})
		}
	}
	return out
}

// wildcardIn is a kind's path as a ServeMux pattern.
func wildcardIn(p string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(p, '{')
		if i < 0 {
			b.WriteString(p)
			return b.String()
		}
		j := strings.IndexByte(p[i:], '}')
		b.WriteString(p[:i+1])
		b.WriteString(muxPath(p[i+1 : i+j]))
		b.WriteByte('}')
		p = p[i+j+1:]
	}
}

func plural(label string) string {
	if strings.HasSuffix(label, "y") {
		return label[:len(label)-1] + "ies"
	}
	return label + "s"
}

func article(label string) string {
	if strings.ContainsRune("aeiou", rune(label[0])) {
		return "an " + label
	}
	return "a " + label
}

// pathScope reads the record scope a request's path names (a policy's id
// for its rules): the values of the path's wildcards, in order, checked
// against the parent kinds' key types. It returns the scope's identity
// text ("" when the path names none) and the parent references to store.
func (s *Server) pathScope(r *http.Request, t *kindTable) (string, ontap.Extra, error) {
	var parts []string
	refs := ontap.Extra{}
	p := t.kind.Path
	for {
		i := strings.IndexByte(p, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(p[i:], '}')
		field := p[i+1 : i+j]
		p = p[i+j+1:]
		raw := r.PathValue(muxPath(field))
		parent, key, _ := strings.Cut(field, ".")
		v, err := keyValue(raw, field, t.parentKind(parent) != nil && refKeyField(t.parentKind(parent).Kind) != "uuid")
		if err != nil {
			return "", nil, err
		}
		parts = append(parts, valueText(v))
		refs[parent] = ontap.Extra{key: v}
	}
	return strings.Join(parts, "/"), refs, nil
}

func (t *kindTable) parentKind(field string) *ontap.Parent {
	for i := range t.kind.Parents {
		if t.kind.Parents[i].Field == field {
			return &t.kind.Parents[i]
		}
	}
	return nil
}

// keyValue parses a key from a path: an integer key, a UUID (a field
// named uuid), or a name; a value of the wrong form gets ONTAP's 404 with
// code 2.
func keyValue(raw, field string, integer bool) (any, error) {
	if integer {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return nil, ontap.Errorf(http.StatusNotFound, ontap.CodeInvalidValue, field, "%q is an invalid value for field %q (<integer>)", text.Truncate(raw, 64), field)
		}
		return n, nil
	}
	if field != "uuid" && !strings.HasSuffix(field, ".uuid") {
		return raw, nil
	}
	if _, err := backend.ParseVolumeID(raw); err != nil {
		return nil, ontap.ErrInvalidUUID(field, raw)
	}
	return strings.ToLower(raw), nil
}

// itemID reads the identity of the record a request's path names.
func (s *Server) itemID(r *http.Request, t *kindTable) (string, error) {
	scope, _, err := s.pathScope(r, t)
	if err != nil {
		return "", err
	}
	k := t.kind
	var parts []string
	if scope != "" {
		parts = append(parts, scope)
	} else if k.Scope != "" {
		v, err := keyValue(r.PathValue(muxPath(t.keys[0])), t.keys[0], refKeyField(t.parentKind(k.Scope).Kind) != "uuid")
		if err != nil {
			return "", err
		}
		parts = append(parts, valueText(v))
	}
	v, err := keyValue(r.PathValue(muxPath(k.Key)), k.Key, k.IntKey())
	if err != nil {
		return "", err
	}
	if k.FoldKey {
		v = strings.ToLower(valueText(v))
	}
	return strings.Join(append(parts, valueText(v)), "/"), nil
}

// render renders a stored record for a client: only readable fields,
// with the records the kind embeds (a policy's rules) filled in.
func (s *Server) render(t *kindTable, rec ontap.Extra) ontap.Record {
	for _, e := range t.kind.Embeds {
		ct := s.objects.table(e.Kind)
		if ct == nil {
			continue
		}
		kids := s.objects.list(ct, valueText(ontap.Lookup(rec, t.kind.Key)))
		slices.SortFunc(kids, func(a, b ontap.Record) int {
			x, _ := ontap.LookupInt(a.Extra, ct.kind.Key)
			y, _ := ontap.LookupInt(b.Extra, ct.kind.Key)
			return cmp.Compare(x, y)
		})
		if len(kids) == 0 {
			continue
		}
		arr := make([]any, len(kids))
		for i, k := range kids {
			arr[i] = k.Extra
		}
		rec = ontap.With(rec, e.Field, arr)
	}
	if t.kind.Render != nil {
		s.objects.mu.RLock()
		rec = t.kind.Render(s.view(), rec)
		s.objects.mu.RUnlock()
	}
	return ontap.Record{Extra: ontap.Gettable(t.kind.Object, rec)}
}

func (s *Server) listObjects(t *kindTable) handlerFunc {
	return func(r *http.Request) (result, error) {
		q, err := t.schema.ParseQuery(t.query(r), ontap.QueryCollection)
		if err != nil {
			return result{}, err
		}
		scope, _, err := s.pathScope(r, t)
		if err != nil {
			return result{}, err
		}
		if scope != "" && !s.scopeExists(t, scope) {
			return result{}, ontap.ErrNotFound(t.keys[0])
		}
		recs := s.objects.list(t, scope)
		if err := s.withVolumeNames(r.Context(), t, recs); err != nil {
			return result{}, err
		}
		for i := range recs {
			recs[i] = s.render(t, recs[i].Extra)
		}
		if t.kind.PerVolume != nil {
			vols, err := s.b.ListVolumes(r.Context())
			if err != nil {
				return result{}, err
			}
			for i := range vols {
				recs = append(recs, s.render(t, s.implicitRecord(t, &vols[i])))
			}
		}
		return result{status: http.StatusOK, body: ontap.Page(q, recs, r.URL.Path)}, nil
	}
}

// scopeExists reports whether the parent a path names exists.
func (s *Server) scopeExists(t *kindTable, scope string) bool {
	p := t.parentKind(t.kind.Scope)
	pt := s.objects.table(p.Kind)
	if pt == nil {
		return true
	}
	_, ok := s.objects.get(pt, scope)
	return ok
}

func (s *Server) getObject(t *kindTable) handlerFunc {
	return func(r *http.Request) (result, error) {
		id, err := s.itemID(r, t)
		if err != nil {
			return result{}, err
		}
		q, err := t.schema.ParseQuery(t.query(r), ontap.QueryRecord)
		if err != nil {
			return result{}, err
		}
		rec, ok := s.objects.get(t, id)
		if !ok {
			if rec, ok = s.implicit(r.Context(), t, id); !ok {
				return result{}, s.notFound(t, id)
			}
		}
		one := []ontap.Record{{Extra: rec}}
		if err := s.withVolumeNames(r.Context(), t, one); err != nil {
			return result{}, err
		}
		out := s.render(t, one[0].Extra)
		t.schema.ProjectRecord(q, &out)
		return result{status: http.StatusOK, body: out}, nil
	}
}

func (s *Server) createObject(t *kindTable) handlerFunc {
	return func(r *http.Request) (result, error) {
		k := t.kind
		q, err := t.schema.ParseQuery(r.URL.Query(), ontap.QueryMutation, k.CreateParams...)
		if err != nil {
			return result{}, err
		}
		if v, ok := q.Extra["synchronous"]; ok {
			sync, err := strconv.ParseBool(v)
			if err != nil {
				return result{}, ontap.ErrInvalidValue("synchronous", v, "<boolean>")
			}
			if sync && q.ReturnTimeout == 0 {
				q.ReturnTimeout = ontap.MaxReturnTimeout // answer once the job is done
			}
		}
		scope, pathRefs, err := s.pathScope(r, t)
		if err != nil {
			return result{}, err
		}
		if scope != "" && !s.scopeExists(t, scope) {
			return result{}, ontap.ErrNotFound(t.keys[0])
		}
		rec, _, err := s.decodeBody(r, q, k.Object, schema.Post)
		if err != nil {
			return result{}, err
		}
		for field, ref := range pathRefs {
			rec = ontap.With(rec, field, ref) // the path names the parent
		}
		if k.Defaults != nil {
			rec = k.Defaults(rec)
		}
		for _, p := range k.Parents {
			if ref, _ := ontap.Lookup(rec, p.Field).(ontap.Extra); p.NoDefault && ref["name"] == nil && ref["uuid"] == nil {
				return result{}, ontap.Errorf(http.StatusBadRequest, ontap.CodeSVMRequired, p.Field+".name",
					`No SVM was specified. Either "svm.name" or "svm.uuid" must be supplied.`)
			}
		}
		rec, err = s.resolveOutside(r.Context(), t, rec, true)
		if err != nil {
			return result{}, err
		}
		if k.Prepare != nil {
			if rec, err = k.Prepare(s.lookupView(), rec, nil); err != nil {
				return result{}, err
			}
		}
		if k.Create != nil {
			if err := k.Create(rec); err != nil {
				return result{}, err
			}
		}
		if err := s.checkOutside(r.Context(), t, rec, nil); err != nil {
			return result{}, err
		}
		run := func(context.Context) (outcome, error) {
			var stored ontap.Extra
			err := s.objects.do(func() (err error) {
				stored, err = s.insertLocked(t, rec)
				return err
			})
			if err != nil {
				return outcome{}, err
			}
			return outcome{location: t.itemPath(stored), record: s.render(t, stored)}, nil
		}
		if k.Async {
			j := s.submit(jobSpec{op: ontap.Op(k.Name() + ".create"), description: "POST " + r.URL.Path, run: run})
			return s.respond(r, q, j, true, ontap.Record{Extra: rec}, r.URL.Path)
		}
		out, err := run(r.Context())
		if err != nil {
			return result{}, err
		}
		res := result{status: http.StatusCreated, location: out.location, body: struct{}{}}
		if q.ReturnRecords {
			res.body = ontap.JobResponse[any]{NumRecords: new(1), Records: []any{out.record}}
		}
		return res, nil
	}
}

func (s *Server) patchObject(t *kindTable) handlerFunc {
	return func(r *http.Request) (result, error) {
		k := t.kind
		id, err := s.itemID(r, t)
		if err != nil {
			return result{}, err
		}
		q, err := t.schema.ParseQuery(r.URL.Query(), ontap.QueryMutation, k.PatchParams...)
		if err != nil {
			return result{}, err
		}
		cur, ok := s.objects.get(t, id)
		if !ok {
			if rec, ok := s.implicit(r.Context(), t, id); ok && k.Patch != nil {
				if err := k.Patch(rec, nil, nil); err != nil {
					return result{}, err
				}
			}
			return result{}, s.notFound(t, id)
		}
		patch, paths, err := s.decodeBody(r, q, k.Object, schema.Patch)
		if err != nil {
			return result{}, err
		}
		if slices.ContainsFunc(paths, func(p string) bool { return p == k.Key }) {
			return result{}, ontap.ErrNotSettable(k.Key)
		}
		patch, err = s.resolveOutside(r.Context(), t, patch, false)
		if err != nil {
			return result{}, err
		}
		if err := s.checkOutside(r.Context(), t, cur, patch); err != nil {
			return result{}, err
		}
		if k.Prepare != nil {
			if patch, err = k.Prepare(s.lookupView(), patch, cur); err != nil {
				return result{}, err
			}
		}
		run := func(ctx context.Context) (outcome, error) {
			var oldName string
			stored, err := s.objects.update(t, id, func(old ontap.Extra) (ontap.Extra, error) {
				oldName = ontap.LookupString(old, "name")
				if k.Patch != nil {
					if err := k.Patch(old, patch, paths); err != nil {
						return nil, err
					}
				}
				base := old
				for _, f := range t.refFields() {
					if _, ok := patch[f]; ok {
						base = ontap.With(base, f, nil) // a new reference replaces the old one
					}
				}
				rec, err := s.resolveStored(t, ontap.MergeExtra(base, patch))
				if err != nil || k.Place == nil {
					return rec, err
				}
				return k.Place(s.objects.view, rec, old)
			})
			if err != nil {
				return outcome{}, err
			}
			if name := ontap.LookupString(stored, "name"); t.kind == ontap.ExportPolicyKind && name != oldName &&
				ontap.LookupString(stored, "svm.uuid") == s.id.SVMUUID { // the volumes' SVM
				if err := s.renameVolumePolicies(ctx, oldName, name); err != nil {
					return outcome{}, err
				}
			}
			return outcome{record: s.render(t, stored)}, nil
		}
		return s.finish(r, q, t, "PATCH", run)
	}
}

func (s *Server) deleteObject(t *kindTable) handlerFunc {
	return func(r *http.Request) (result, error) {
		k := t.kind
		id, err := s.itemID(r, t)
		if err != nil {
			return result{}, err
		}
		q, err := t.schema.ParseQuery(r.URL.Query(), ontap.QueryMutation, k.DeleteParams...)
		if err != nil {
			return result{}, err
		}
		if _, ok := s.objects.get(t, id); !ok {
			if rec, ok := s.implicit(r.Context(), t, id); ok && k.Delete != nil {
				if err := k.Delete(rec); err != nil {
					return result{}, err
				}
			}
			return result{}, s.notFound(t, id)
		}
		if err := s.deleteBody(r, q, k); err != nil {
			return result{}, err
		}
		run := func(context.Context) (outcome, error) {
			_, err := s.objects.remove(t, id, func(rec ontap.Extra) error {
				if k.Delete != nil {
					if err := k.Delete(rec); err != nil {
						return err
					}
				}
				return s.outsideUsers(t, rec)
			}, q.Extra)
			return outcome{}, err
		}
		return s.finish(r, q, t, "DELETE", run)
	}
}

// deleteInScope serves DELETE on a kind's scope path with the record's
// key as a query (…/shares/{svm.uuid}?name=s1), ONTAP's collection
// delete narrowed to one record: patterns (*, |, !) are refused rather
// than taken as a bulk delete. It then deletes as DELETE on the record's
// own path does.
func (s *Server) deleteInScope(t *kindTable) handlerFunc {
	return func(r *http.Request) (result, error) {
		k := t.kind
		q := r.URL.Query()
		keys := q[k.Key]
		switch {
		case len(keys) == 0 || keys[0] == "":
			return result{}, ontap.ErrRequired(k.Key)
		case len(keys) > 1 || strings.ContainsAny(keys[0], "*|!<>"):
			return result{}, ontap.ErrInvalidValue(k.Key, strings.Join(keys, ","), "<one record's "+k.Key+", no pattern>")
		}
		q.Del(k.Key)
		r2 := r.Clone(r.Context())
		r2.URL.RawQuery = q.Encode()
		r2.SetPathValue(muxPath(k.Key), keys[0])
		return s.deleteObject(t)(r2)
	}
}

// finish runs a PATCH or DELETE: as a job for an asynchronous kind, else
// at once, answering 200 with an empty body (records with
// return_records=true).
func (s *Server) finish(r *http.Request, q *ontap.Query, t *kindTable, method string, run func(context.Context) (outcome, error)) (result, error) {
	if t.kind.Async {
		j := s.submit(jobSpec{op: ontap.Op(t.kind.Name() + "." + strings.ToLower(method)), description: method + " " + r.URL.Path, run: run})
		return s.respond(r, q, j, false, nil, "")
	}
	out, err := run(r.Context())
	if err != nil {
		return result{}, err
	}
	res := result{status: http.StatusOK, body: struct{}{}}
	if q.ReturnRecords && out.record != nil {
		res.body = ontap.JobResponse[any]{NumRecords: new(1), Records: []any{out.record}}
	}
	return res, nil
}

// resolveOutside completes a record's references to objects outside the
// store (its SVM, its volume) into {name, uuid}, failing when they do not
// exist; on create, a required SVM left out is the volume's (for a kind
// inside a volume) or the cluster's only SVM. An object inside a volume
// must name the volume's SVM (917525). It runs before the store's lock is
// taken (the backend is not called under it).
func (s *Server) resolveOutside(ctx context.Context, t *kindTable, rec ontap.Extra, create bool) (ontap.Extra, error) {
	inVolume := slices.ContainsFunc(t.kind.Parents, func(p ontap.Parent) bool { return p.Kind == "volume" && !p.Derived })
	// An object inside a volume is in the volume's SVM: the SVM it names
	// (named) must be that one, and one it leaves out is that one.
	var svmField, volSVM string
	var named ontap.Extra
	for _, p := range t.kind.Parents {
		if p.Derived || p.ByPrepare {
			continue
		}
		ref, _ := ontap.Lookup(rec, p.Field).(ontap.Extra)
		if ref == nil && !create {
			continue // a PATCH that does not name it
		}
		switch p.Kind {
		case "svm":
			if ref == nil && p.Optional {
				continue
			}
			if ref == nil && inVolume {
				svmField = p.Field // the volume's, once it is resolved
				continue
			}
			got, err := s.resolveSVM(ref, p.Field)
			if err != nil {
				return nil, err
			}
			if p.ClusterSVM && ontap.LookupString(got, "uuid") != s.id.SVMUUID {
				return nil, ontap.Errorf(http.StatusBadRequest, ontap.CodeNotSupported, p.Field+".name",
					"%s are served in SVM %q only.", plural(t.kind.Label), s.id.SVMName)
			}
			if inVolume {
				svmField, named = p.Field, got
			}
			rec = ontap.With(rec, p.Field, got)
		case "volume":
			if ref == nil && p.Optional {
				continue
			}
			got, svm, err := s.resolveVolume(ctx, ref, p.Field)
			if err != nil {
				return nil, err
			}
			rec, volSVM = ontap.With(rec, p.Field, got), svm
		}
	}
	if svmField != "" && named == nil && volSVM == "" {
		volSVM = s.id.SVMUUID // no volume named: the cluster's SVM
	}
	if svmField != "" {
		if named != nil && volSVM != "" && ontap.LookupString(named, "uuid") != volSVM {
			return nil, ontap.Errorf(http.StatusNotFound, ontap.CodeVolumeNotInSVM, "volume",
				"The specified volume does not exist in Vserver %q.", text.Truncate(ontap.LookupString(named, "name"), 64))
		}
		if named == nil {
			rec = ontap.With(rec, svmField, ontap.Extra{"name": s.svmName(volSVM), "uuid": volSVM})
		}
	}
	return rec, nil
}

// resolveVolume resolves a volume reference (by name and/or uuid) with
// ONTAP's codes for objects inside volumes (qtrees, quota rules, LUNs):
// 918232 when neither is given, 917927 when no such volume exists, 918236
// when the two name different volumes. It returns the reference and the
// UUID of the volume's SVM.
func (s *Server) resolveVolume(ctx context.Context, ref ontap.Extra, field string) (ontap.Extra, string, error) {
	name, hasName := ref["name"].(string)
	id, hasID := ref["uuid"].(string)
	if !hasName && !hasID {
		return nil, "", ontap.Errorf(http.StatusBadRequest, ontap.CodeVolumeRefRequired, field+".name",
			"Either %q or %q must be provided.", field+".name", field+".uuid")
	}
	r := &ontap.Ref{}
	if hasID {
		r.UUID = &id
	} else {
		r.Name = &name
	}
	v, ok, err := s.findVolume(ctx, r)
	if err != nil {
		return nil, "", err
	}
	if !ok {
		target := field + ".uuid"
		if !hasID {
			target = field + ".name"
		}
		return nil, "", ontap.Errorf(http.StatusNotFound, ontap.CodeVolumeRefNotFound, target, "The specified volume %s was not found.", describeRef(ref))
	}
	if hasID && hasName && name != v.Name {
		return nil, "", ontap.Errorf(http.StatusBadRequest, ontap.CodeCloneParentMismatch, field+".name",
			"The specified %q and %q refer to different volumes.", field+".uuid", field+".name")
	}
	return ontap.Extra{"name": v.Name, "uuid": v.ID.String()}, s.volumeSVMUUID(&v), nil
}

func describeRef(ref ontap.Extra) string {
	if n, ok := ref["name"].(string); ok {
		return strconv.Quote(text.Truncate(n, 64))
	}
	if u, ok := ref["uuid"].(string); ok {
		return strconv.Quote(text.Truncate(u, 64))
	}
	return ""
}

// resolveStored completes a record's parents and references that are
// stored objects (a rule's policy, a qtree's export policy) into their
// reference form, and copies derived parents; the caller holds the
// store's lock.
func (s *Server) resolveStored(t *kindTable, rec ontap.Extra) (ontap.Extra, error) {
	return s.resolveStoredRefs(t, rec, true)
}

// resolveStoredRefs is resolveStored; a missing parent is reported with
// its Parent.Missing code if codes is set, else by the generic 404 that
// names the reference (a fixture's objects).
func (s *Server) resolveStoredRefs(t *kindTable, rec ontap.Extra, codes bool) (ontap.Extra, error) {
	var first ontap.Extra
	for i, p := range t.kind.Parents {
		pt := s.objects.table(p.Kind)
		if pt == nil {
			if i == 0 {
				first, _ = rec[p.Field].(ontap.Extra)
			}
			if p.Kind == "svm" {
				// Checked again under the store's lock: a deleted SVM's
				// records are gone, so nothing may be added to it now.
				if id := ontap.LookupString(rec, p.Field+".uuid"); id != "" && !s.svmExists(id) {
					return nil, ontap.Errorf(http.StatusNotFound, ontap.CodeSVMNotFound, p.Field+".uuid", "The specified SVM %q does not exist.", id)
				}
			}
			if p.Kind == "volume" {
				// Checked again under the store's lock: a volume deleted
				// since the request resolved it has already dropped its
				// records, so nothing may be added to it now.
				if id := ontap.LookupString(rec, p.Field+".uuid"); id != "" && !s.volumeExists(id) {
					return nil, ontap.Errorf(http.StatusNotFound, ontap.CodeVolumeRefNotFound, p.Field+".uuid", "The specified volume %q was not found.", id)
				}
			}
			continue
		}
		ref, _ := rec[p.Field].(ontap.Extra)
		if n, named := ref["name"].(string); ref == nil || len(ref) == 1 && named && n == "" {
			// Absent, or named "" (a quota rule's default qtree).
			if p.Optional {
				continue
			}
			return nil, ontap.ErrRequired(p.Field + "." + pt.kind.Key)
		}
		got, err := s.storedRef(pt, ref, p.Field, rec)
		if err != nil {
			if p.Missing != nil && codes {
				return nil, p.Missing()
			}
			return nil, err
		}
		rec = ontap.With(rec, p.Field, got.ref)
		if i == 0 {
			first = got.rec
		}
	}
	for _, p := range t.kind.Parents {
		if p.Derived && first != nil {
			if v, ok := first[p.Field]; ok {
				rec = ontap.With(rec, p.Field, v)
			}
		}
	}
	for _, ref := range t.kind.Refs {
		r, _ := rec[ref.Field].(ontap.Extra)
		if len(r) == 0 {
			continue
		}
		got, err := s.storedRef(s.objects.table(ref.Kind), r, ref.Field, rec)
		if err != nil {
			return nil, err
		}
		rec = ontap.With(rec, ref.Field, got.ref)
	}
	if t.kind == ontap.SnapshotPolicyKind {
		var err error
		if rec, err = s.resolveCopies(rec); err != nil {
			return nil, err
		}
	}
	if t.kind.Complete != nil {
		rec = t.kind.Complete(rec)
	}
	return rec, nil
}

type storedRef struct {
	ref, rec ontap.Extra
}

// storedRef finds the object a reference names, by key and/or name (a
// name within the referring record's SVM); both must agree. The caller
// holds the store's lock.
func (s *Server) storedRef(pt *kindTable, ref ontap.Extra, field string, from ontap.Extra) (storedRef, error) {
	kf := pt.kind.Key
	byRef := strings.HasPrefix(kf, field+".") // keyed by this very reference (an SVM's iSCSI service)
	key, hasKey := ref[kf[strings.LastIndexByte(kf, '.')+1:]]
	name, hasName := ref["name"].(string)
	hasName = hasName && !byRef
	svm := ontap.LookupString(from, "svm.uuid")
	rec, ok := s.objects.findLocked(pt.kind.Name(), func(r ontap.Extra) bool {
		if hasKey && ontap.Lookup(r, kf) != key {
			return false
		}
		if hasName && ontap.LookupString(r, "name") != name {
			return false
		}
		if !hasKey && svm != "" && ontap.LookupString(r, "svm.uuid") != "" && ontap.LookupString(r, "svm.uuid") != svm {
			return false
		}
		for _, p := range pt.keys[:len(pt.keys)-1] {
			// A scoped kind (qtrees in a volume) is found in the
			// referring record's scope.
			if ontap.Lookup(r, p) != ontap.Lookup(from, p) {
				return false
			}
		}
		return hasKey || hasName
	})
	if !ok {
		target := field + "." + kf
		if !hasKey {
			target = field + ".name"
		}
		if pt.kind.Name() == ontap.ExportPolicyKind.Name() {
			return storedRef{}, ontap.Errorf(http.StatusNotFound, ontap.CodePolicyNotFound, target, "Export policy %s does not exist.", describeRef(ref))
		}
		return storedRef{}, ontap.Errorf(http.StatusNotFound, ontap.CodeNotFound, target, "%s %s does not exist.", pt.kind.Label, describeRef(ref))
	}
	if byRef {
		return storedRef{ref: ref, rec: rec}, nil
	}
	out := ontap.Extra{kf: ontap.Lookup(rec, kf)}
	if n := ontap.LookupString(rec, "name"); n != "" {
		out["name"] = n
	}
	return storedRef{ref: out, rec: rec}, nil
}

// outsideUsers reports what keeps rec in use beyond the store's parents
// and references: a volume whose export, snapshot, QoS or efficiency
// policy it is, an SVM whose snapshot policy it is, a policy whose job
// schedule it is. The caller holds the store's lock.
func (s *Server) outsideUsers(t *kindTable, rec ontap.Extra) error {
	name := ontap.LookupString(rec, "name")
	switch t.kind {
	case ontap.ScheduleKind:
		return s.scheduleUsers(rec)
	case ontap.SnapshotPolicyKind:
		for _, v := range s.allSVMs() {
			if v.SnapshotPolicy != nil && v.SnapshotPolicy.Name != nil && *v.SnapshotPolicy.Name == name && *v.UUID != s.id.SVMUUID {
				return ontap.Errorf(http.StatusConflict, ontap.CodeSnapshotPolicyInUseSVM, "uuid",
					"Cannot delete policy %q. Reason: Policy is in use by SVM %q.", text.Truncate(name, 64), *v.Name)
			}
		}
	case ontap.ExportPolicyKind, ontap.QoSPolicyKind, ontap.VolumeEfficiencyPolicyKind:
	default:
		return nil
	}
	svm := ontap.LookupString(rec, "svm.uuid")
	vols, err := s.b.ListVolumes(s.ctx)
	if err != nil {
		return err
	}
	for i := range vols {
		v := &vols[i]
		if svm != "" && s.volumeSVMUUID(v) != svm {
			continue // a policy of another SVM than the volume's
		}
		switch t.kind {
		case ontap.ExportPolicyKind:
			if v.ExportPolicy == name {
				return ontap.Errorf(http.StatusConflict, ontap.CodePolicyInUseByVolume, "id",
					"Ruleset %q is in use by volume %q. It cannot be deleted until all volumes that refer to it are first deleted.", text.Truncate(name, 64), v.Name)
			}
		case ontap.SnapshotPolicyKind:
			if s.volumeSnapshotPolicy(v) == name {
				return ontap.Errorf(http.StatusConflict, ontap.CodeSnapshotPolicyInUse, "uuid",
					"Cannot delete policy %q. Reason: Policy is in use by at least one volume (%q).", text.Truncate(name, 64), v.Name)
			}
		case ontap.QoSPolicyKind:
			if usesPolicy(s.volumeRecord(v, nil).Extra, "qos.policy", rec) {
				return ontap.Errorf(http.StatusConflict, ontap.CodeInUse, "uuid",
					"QoS policy %q is in use by volume %q.", text.Truncate(name, 64), v.Name)
			}
		case ontap.VolumeEfficiencyPolicyKind:
			if usesPolicy(s.volumeRecord(v, nil).Extra, "efficiency.policy", rec) {
				return ontap.Errorf(http.StatusConflict, ontap.CodeEfficiencyPolicyInUse, "uuid",
					"The policy %q was not deleted because it is in use by volume %q.", text.Truncate(name, 64), v.Name)
			}
		}
	}
	return nil
}

// volumeSnapshotPolicy is the name of the snapshot policy a volume reports.
func (s *Server) volumeSnapshotPolicy(v *backend.Volume) string {
	rec := s.volumeRecord(v, nil)
	return ontap.LookupString(rec.Extra, "snapshot_policy.name")
}

// checkSnapshotPolicy verifies that a volume body's snapshot_policy.name
// names an existing policy (917551). In ContractMode any name is accepted.
func (s *Server) checkSnapshotPolicy(w *ontap.Volume, svmUUID string) error {
	name := ontap.LookupString(w.Extra, "snapshot_policy.name")
	if name == "" || s.opts.ContractMode {
		return nil
	}
	if _, ok := s.objects.find(ontap.SnapshotPolicyKind.Name(), func(r ontap.Extra) bool {
		svm := ontap.LookupString(r, "svm.uuid")
		return ontap.LookupString(r, "name") == name && (svm == "" || svm == svmUUID)
	}); !ok {
		return ontap.Errorf(http.StatusNotFound, ontap.CodeSnapshotPolicyNotFound, "snapshot_policy.name",
			"Specified snapshot policy %q not found.", text.Truncate(name, 64))
	}
	return nil
}

// seedObjects stores the records every SVM has from the start.
func (s *Server) seedObjects() {
	st := s.objects
	st.mu.Lock()
	s.seedLocked(st)
	st.dirty = nil // saved by saveAll
	st.mu.Unlock()
}

// seedLocked inserts the built-in objects; the caller holds st.mu.
func (s *Server) seedLocked(st *objectStore) {
	svm := ontap.Extra{"name": s.id.SVMName, "uuid": s.id.SVMUUID}
	for _, t := range st.order {
		var recs []ontap.Extra
		if t.kind.Builtin != nil {
			recs = t.kind.Builtin(svm)
		}
		if t.kind.ClusterBuiltin != nil {
			recs = append(recs, t.kind.ClusterBuiltin(svm)...)
		}
		for _, rec := range recs {
			if _, err := s.insertLocked(t, rec); err != nil {
				panic("server: seeding " + t.kind.Label + ": " + err.Error())
			}
		}
	}
}

// checkExportPolicy verifies that a volume's nas.export_policy.name names
// an export policy of the SVM ("" is none: the default policy). In
// ContractMode any name is accepted (the contract's export policy is a
// free string).
func (s *Server) checkExportPolicy(name, svmUUID string) error {
	if name == "" || s.opts.ContractMode {
		return nil
	}
	if _, ok := s.objects.find(ontap.ExportPolicyKind.Name(), func(r ontap.Extra) bool {
		return ontap.LookupString(r, "name") == name && ontap.LookupString(r, "svm.uuid") == svmUUID
	}); !ok {
		return ontap.Errorf(http.StatusBadRequest, ontap.CodeExportPolicyNotValid, "nas.export_policy.name",
			"Failed to get valid export policy %q: it does not exist in SVM %q.", text.Truncate(name, 64), s.svmName(svmUUID))
	}
	return nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// implicit returns the record every volume implicitly has (its qtree 0)
// when id names it.
func (s *Server) implicit(ctx context.Context, t *kindTable, id string) (ontap.Extra, bool) {
	vol, key, ok := strings.Cut(id, "/")
	if t.kind.PerVolume == nil || !ok || key != "0" {
		return nil, false
	}
	vid, err := backend.ParseVolumeID(vol)
	if err != nil {
		return nil, false
	}
	v, err := s.b.GetVolume(ctx, vid)
	if err != nil {
		return nil, false
	}
	return s.implicitRecord(t, &v), true
}

func (s *Server) implicitRecord(t *kindTable, v *backend.Volume) ontap.Extra {
	return t.kind.PerVolume(ontap.Extra{"name": v.Name, "uuid": v.ID.String()}, ontap.Extra{"name": s.id.SVMName, "uuid": s.id.SVMUUID})
}

// refFields are the fields of the kind holding references to other
// objects.
func (t *kindTable) refFields() []string {
	var out []string
	for _, p := range t.kind.Parents {
		out = append(out, p.Field)
	}
	for _, r := range t.kind.Refs {
		out = append(out, r.Field)
	}
	return out
}

// Kinds returns the object kinds the server serves from its object store
// (for test batteries that cover every kind).
func Kinds() []*ontap.Kind { return slices.Clone(objectKinds) }

func (s *Server) volumeExists(id string) bool {
	vid, err := backend.ParseVolumeID(id)
	if err != nil {
		return false
	}
	_, err = s.b.GetVolume(s.ctx, vid)
	return err == nil
}

// deleteBody accepts a DELETE body that sets nothing, or only the kind's
// DeleteFields (type-checked against its schema, then dropped).
func (s *Server) deleteBody(r *http.Request, q *ontap.Query, k *ontap.Kind) error {
	if len(k.DeleteFields) == 0 {
		return s.emptyBody(r)
	}
	body, err := s.readBody(r)
	if err != nil {
		return err
	}
	_, paths, err := ontap.DecodeObject(k.Object, body, ontap.DecodeOptions{IgnoreUnknownFields: q.IgnoreUnknownFields})
	if err != nil {
		return err
	}
	for _, p := range paths {
		if !slices.Contains(k.DeleteFields, p) {
			return ontap.ErrNotSettable(p)
		}
	}
	return nil
}

// renameVolumePolicies follows an export policy's rename in the volumes
// that use it (a volume stores its policy by name; ONTAP's refer to the
// policy itself, so a rename keeps them on it).
func (s *Server) renameVolumePolicies(ctx context.Context, old, name string) error {
	vols, err := s.b.ListVolumes(ctx)
	if err != nil {
		return err
	}
	for _, v := range vols {
		if v.ExportPolicy != old {
			continue
		}
		if _, err := s.b.PatchVolume(ctx, v.ID, backend.VolumePatch{ExportPolicy: &name}); err != nil {
			return err
		}
	}
	return nil
}

// withVolumeNames brings the volume names records hold up to date (a
// renamed volume), recomputing derived fields (a qtree's path).
func (s *Server) withVolumeNames(ctx context.Context, t *kindTable, recs []ontap.Record) error {
	field := ""
	for _, p := range t.kind.Parents {
		if p.Kind == "volume" {
			field = p.Field
		}
	}
	if field == "" || len(recs) == 0 {
		return nil
	}
	vols, err := s.b.ListVolumes(ctx)
	if err != nil {
		return err
	}
	names := make(map[string]string, len(vols))
	for _, v := range vols {
		names[v.ID.String()] = v.Name
	}
	for i, r := range recs {
		name, ok := names[ontap.LookupString(r.Extra, field+".uuid")]
		if !ok || name == ontap.LookupString(r.Extra, field+".name") {
			continue
		}
		rec := ontap.With(r.Extra, field+".name", name)
		if t.kind.Complete != nil {
			rec = t.kind.Complete(rec)
		}
		recs[i] = ontap.Record{Extra: rec}
	}
	return nil
}

// query is a GET's query, as the kind's Query hook rewrites it.
func (t *kindTable) query(r *http.Request) url.Values {
	if t.kind.Query != nil {
		return t.kind.Query(r.URL.Query())
	}
	return r.URL.Query()
}

// notFound is the kind's 404 for the record with identity id.
func (s *Server) notFound(t *kindTable, id string) error {
	if t.kind.NotFound == nil {
		return ontap.ErrNotFound(t.kind.Key)
	}
	key := ontap.Extra{}
	parts := strings.SplitN(id, "/", len(t.keys))
	for i, p := range t.keys {
		if i < len(parts) {
			key = ontap.With(key, p, parts[i])
		}
	}
	s.objects.mu.RLock()
	defer s.objects.mu.RUnlock()
	return t.kind.NotFound(s.view(), key)
}

// insertLocked stores a new record of t (objectStore.insertLocked with
// its stored references resolved) and the records its kind creates with
// it (Kind.Also) unless they exist; the caller holds the store's lock.
func (s *Server) insertLocked(t *kindTable, rec ontap.Extra) (ontap.Extra, error) {
	st := s.objects
	stored, err := st.insertLocked(t, rec, func(rec ontap.Extra) (ontap.Extra, error) { return s.resolveStored(t, rec) })
	if err != nil || t.kind.Also == nil {
		return stored, err
	}
	for name, recs := range t.kind.Also(stored) {
		ot := st.table(name)
		for _, r := range recs {
			if _, taken := ot.recs[ontap.RecordKey(r, ot.keys)]; taken {
				continue
			}
			if _, err := st.insertLocked(ot, r, func(rec ontap.Extra) (ontap.Extra, error) { return s.resolveStored(ot, rec) }); err != nil {
				return nil, err
			}
		}
	}
	return stored, nil
}
