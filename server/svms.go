package server

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/nessie-go/nessie/internal/text"
	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/ontap/schema"
)

// SVMs: /api/svm/svms. The identity's SVM is always there (it cannot be
// changed or deleted); clients create, modify and delete other SVMs, as jobs (202 and a job link), with ONTAP's name rules.
// An SVM created so holds LIFs and every object-store kind with an svm
// parent (export policies, services, shares, policies, ...): references
// resolve by name or uuid among all SVMs (resolveSVM), a new SVM gets its
// built-in records (its "default" export policy) when it is created, a
// rename follows into the records that name it, and deleting it deletes
// its objects and LIFs, as ONTAP does, unless a domain-joined CIFS server
// holds it (2621525) or it holds volumes (code 8). Volumes may live in
// any SVM (volumes.go: bodySVM, volumeSVMUUID); SAN objects stay in the
// identity's SVM.

// svmStore holds the SVMs created through the API, by UUID.
type svmStore struct {
	mu   sync.RWMutex
	svms map[string]ontap.SVM
}

func (s *Server) svmRoutes() []route {
	mut := []int{http.StatusAccepted, http.StatusOK}
	return []route{
		{method: "POST", path: ontap.SVMsPath, h: s.createSVM, summary: "Create an SVM", kind: ontap.QueryMutation, schema: svmSchema, body: "@create", status: []int{http.StatusAccepted, http.StatusCreated}},
		{method: "PATCH", path: ontap.SVMsPath + "/{uuid}", h: s.patchSVM, summary: "Rename or modify an SVM", kind: ontap.QueryMutation, schema: svmSchema, body: "@modify", status: mut},
		{method: "DELETE", path: ontap.SVMsPath + "/{uuid}", h: s.deleteSVM, summary: "Delete an SVM", kind: ontap.QueryMutation, schema: svmSchema, status: mut},
	}
}

// allSVMs returns every SVM, the identity's first.
func (s *Server) allSVMs() []ontap.SVM {
	s.svms.mu.RLock()
	defer s.svms.mu.RUnlock()
	return appendByKey([]ontap.SVM{ontap.SVMRecord(&s.id)}, s.svms.svms)
}

// appendByKey appends m's values to out in the order of their keys.
func appendByKey[T any](out []T, m map[string]T) []T {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		out = append(out, m[k])
	}
	return out
}

func (s *Server) listSVMs(r *http.Request) (result, error) {
	return list(r, svmSchema, s.allSVMs(), ontap.SVMsPath)
}

func (s *Server) getSVM(r *http.Request) (result, error) {
	id, err := pathUUID(r, "uuid", "uuid")
	if err != nil {
		return result{}, err
	}
	for _, v := range s.allSVMs() {
		if strings.EqualFold(*v.UUID, id) {
			return one(r, svmSchema, v, *v.UUID)
		}
	}
	return result{}, ontap.ErrNotFound("uuid")
}

// findSVM returns the SVM with that name and/or uuid (both must match
// when both are given; "" matches any).
func (s *Server) findSVM(name, uuid string) (ontap.SVM, bool) {
	for _, v := range s.allSVMs() {
		if (name == "" || *v.Name == name) && (uuid == "" || strings.EqualFold(*v.UUID, uuid)) {
			return v, true
		}
	}
	return ontap.SVM{}, false
}

// otherSVMRef returns the reference of an SVM created through the API
// (its current name), or nil.
func (s *Server) otherSVMRef(uuid string) *ontap.Ref {
	s.svms.mu.RLock()
	defer s.svms.mu.RUnlock()
	v, ok := s.svms.svms[uuid]
	if !ok {
		return nil
	}
	return &ontap.Ref{Name: v.Name, UUID: v.UUID}
}

// svmExists reports whether an SVM with that uuid exists.
func (s *Server) svmExists(uuid string) bool {
	_, ok := s.findSVM("", uuid)
	return ok
}

// resolveSVM resolves an SVM reference (by name and/or uuid) among the
// identity's SVM and those created through the API, with ONTAP's codes:
// 2621462 (404) when no such SVM exists, 2621706 when name and uuid name
// different SVMs. An absent reference is the cluster's only SVM, or
// 2621707 when there are several.
func (s *Server) resolveSVM(ref ontap.Extra, field string) (ontap.Extra, error) {
	name, _ := ref["name"].(string)
	uuid, _ := ref["uuid"].(string)
	if name == "" && uuid == "" {
		all := s.allSVMs()
		if len(all) > 1 {
			return nil, ontap.Errorf(http.StatusBadRequest, ontap.CodeSVMRequired, field+".name",
				"No SVM was specified. Either %q or %q must be supplied.", field+".name", field+".uuid")
		}
		return ontap.Extra{"name": *all[0].Name, "uuid": *all[0].UUID}, nil
	}
	if uuid != "" {
		v, ok := s.findSVM("", uuid)
		if !ok {
			return nil, ontap.Errorf(http.StatusNotFound, ontap.CodeSVMNotFound, field+".uuid", "The specified SVM %q does not exist.", text.Truncate(uuid, 64))
		}
		if name != "" && *v.Name != name {
			return nil, ontap.ErrSVMMismatch(field)
		}
		return ontap.Extra{"name": *v.Name, "uuid": *v.UUID}, nil
	}
	v, ok := s.findSVM(name, "")
	if !ok {
		return nil, ontap.Errorf(http.StatusNotFound, ontap.CodeSVMNotFound, field+".name", "The specified SVM %q does not exist.", text.Truncate(name, 64))
	}
	return ontap.Extra{"name": *v.Name, "uuid": *v.UUID}, nil
}

// svmNameFree reports a name already used by an SVM other than skip, the
// cluster or the Default IPspace; the caller holds the lock.
func (s *Server) svmNameFree(name, skip string) error {
	if strings.EqualFold(name, s.id.SVMName) || strings.EqualFold(name, s.id.ClusterName) || strings.EqualFold(name, "Default") {
		return ontap.ErrSVMNameInUse(name)
	}
	for id, v := range s.svms.svms {
		if id != skip && strings.EqualFold(*v.Name, name) {
			return ontap.ErrSVMNameInUse(name)
		}
	}
	return nil
}

// svmAggregates checks a body's aggregates (the cluster's one).
func (s *Server) svmAggregates(aggrs []ontap.Ref) ([]ontap.Ref, error) {
	for _, a := range aggrs {
		if a.Name != nil && *a.Name != s.id.AggregateName || a.UUID != nil && !strings.EqualFold(*a.UUID, s.id.AggregateUUID) {
			return nil, ontap.Errorf(http.StatusNotFound, ontap.CodeAggregateNotFound, "aggregates", "The target aggregate %s does not exist.", quote(deref2(a.Name, a.UUID)))
		}
	}
	// The cluster's one aggregate, also when none is named: records
	// always list aggregates (netapp.ontap's na_ontap_svm reads the key).
	return []ontap.Ref{s.id.AggregateRef()}, nil
}

func (s *Server) createSVM(r *http.Request) (result, error) {
	q, err := svmSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
	if err != nil {
		return result{}, err
	}
	w, _, err := decodeBody[ontap.SVM](s, r, q, schema.Post, nil)
	if err != nil {
		return result{}, err
	}
	if w.Name == nil {
		return result{}, ontap.ErrRequired("name")
	}
	if err := ontap.CheckSVMName("name", *w.Name); err != nil {
		return result{}, err
	}
	if w.IPSpace != nil && w.IPSpace.Name != nil && *w.IPSpace.Name != "Default" {
		return result{}, ontap.Errorf(http.StatusNotFound, 13434912, "ipspace.name", "Failed to find IPspace %s.", quote(*w.IPSpace.Name))
	}
	aggrs, err := s.svmAggregates(w.Aggregates)
	if err != nil {
		return result{}, err
	}
	if err := s.svmSnapshotPolicy(w.SnapshotPolicy, ""); err != nil {
		return result{}, err
	}
	id := uuid.NewString()
	v := *w
	v.UUID, v.Aggregates, v.Links = &id, aggrs, ontap.SelfLink(ontap.SVMsPath+"/"+id)
	v.IPSpace = &ontap.Ref{Name: new("Default")}
	def := ontap.SVMRecord(&s.id)
	v.State, v.Subtype, v.MaxVolumes = new("running"), new("default"), new("unlimited")
	if v.Language == nil {
		v.Language = def.Language
	}
	if v.Comment == nil {
		v.Comment = new("")
	}
	if v.SnapshotPolicy == nil {
		v.SnapshotPolicy = def.SnapshotPolicy
	}
	for _, p := range []**ontap.SVMProtocol{&v.NFS, &v.CIFS, &v.ISCSI, &v.FCP, &v.NVMe} {
		*p = svmProtocol(*p)
	}
	name := *w.Name
	j := s.submit(jobSpec{op: ontap.Op("svm.create"), description: "POST " + ontap.SVMsPath,
		run: func(context.Context) (outcome, error) {
			s.svms.mu.Lock()
			if err := s.svmNameFree(name, ""); err != nil {
				s.svms.mu.Unlock()
				return outcome{}, err
			}
			s.svms.svms[id] = v
			s.svms.mu.Unlock()
			if err := s.seedSVM(ontap.Extra{"name": name, "uuid": id}); err != nil {
				return outcome{}, err
			}
			return outcome{location: ontap.SVMsPath + "/" + id, record: v}, nil
		}})
	return s.respond(r, q, j, true, ontap.SVM{UUID: &id, Name: &name}, ontap.SVMsPath+"/"+id)
}

// svmProtocol completes a protocol's settings: enabled implies allowed.
func svmProtocol(p *ontap.SVMProtocol) *ontap.SVMProtocol {
	out := &ontap.SVMProtocol{Enabled: new(false), Allowed: new(false)}
	if p != nil && p.Enabled != nil {
		out.Enabled = p.Enabled
	}
	if p != nil && p.Allowed != nil {
		out.Allowed = p.Allowed
	}
	if *out.Enabled {
		out.Allowed = new(true)
	}
	return out
}

// svmTarget reads the SVM a PATCH or DELETE names, refusing the
// identity's.
func (s *Server) svmTarget(r *http.Request) (string, error) {
	id, err := pathUUID(r, "uuid", "uuid")
	if err != nil {
		return "", err
	}
	id = strings.ToLower(id)
	if strings.EqualFold(id, s.id.SVMUUID) {
		return "", ontap.ErrDefaultSVM(s.id.SVMName)
	}
	s.svms.mu.RLock()
	_, ok := s.svms.svms[id]
	s.svms.mu.RUnlock()
	if !ok {
		return "", ontap.ErrNotFound("uuid")
	}
	return id, nil
}

func (s *Server) patchSVM(r *http.Request) (result, error) {
	id, err := s.svmTarget(r)
	if err != nil {
		return result{}, err
	}
	q, err := svmSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
	if err != nil {
		return result{}, err
	}
	w, _, err := decodeBody[ontap.SVM](s, r, q, schema.Patch, nil)
	if err != nil {
		return result{}, err
	}
	if w.Name != nil {
		if err := ontap.CheckSVMName("name", *w.Name); err != nil {
			return result{}, err
		}
	}
	aggrs, err := s.svmAggregates(w.Aggregates)
	if err != nil {
		return result{}, err
	}
	if w.State != nil && *w.State != "running" && *w.State != "stopped" {
		return result{}, ontap.ErrInvalidValue("state", *w.State, "running, stopped")
	}
	if err := s.svmSnapshotPolicy(w.SnapshotPolicy, id); err != nil {
		return result{}, err
	}
	j := s.submit(jobSpec{op: ontap.Op("svm.patch"), description: "PATCH " + ontap.SVMsPath + "/" + id,
		run: func(context.Context) (outcome, error) {
			s.svms.mu.Lock()
			v, ok := s.svms.svms[id]
			if !ok {
				s.svms.mu.Unlock()
				return outcome{}, ontap.ErrNotFound("uuid")
			}
			if w.Name != nil {
				if err := s.svmNameFree(*w.Name, id); err != nil {
					s.svms.mu.Unlock()
					return outcome{}, err
				}
				v.Name = w.Name
			}
			for _, f := range []struct {
				dst **string
				src *string
			}{{&v.Comment, w.Comment}, {&v.Language, w.Language}, {&v.State, w.State}} {
				if f.src != nil {
					*f.dst = f.src
				}
			}
			if w.SnapshotPolicy != nil {
				v.SnapshotPolicy = w.SnapshotPolicy
			}
			if w.Aggregates != nil {
				v.Aggregates = aggrs
			}
			for _, p := range []struct {
				dst **ontap.SVMProtocol
				src *ontap.SVMProtocol
			}{{&v.NFS, w.NFS}, {&v.CIFS, w.CIFS}, {&v.ISCSI, w.ISCSI}, {&v.FCP, w.FCP}, {&v.NVMe, w.NVMe}} {
				if p.src != nil {
					merged := *(*p.dst)
					if p.src.Enabled != nil {
						merged.Enabled = p.src.Enabled
					}
					if p.src.Allowed != nil {
						merged.Allowed = p.src.Allowed
					}
					*p.dst = svmProtocol(&merged)
				}
			}
			v.Extra = ontap.MergeExtra(v.Extra, w.Extra)
			s.svms.svms[id] = v
			s.svms.mu.Unlock()
			if w.Name != nil {
				// Records hold the SVM's name for display.
				s.renameSVMRefs(id, *w.Name)
				if err := s.objects.renameSVM(id, *w.Name); err != nil {
					return outcome{}, err
				}
			}
			return outcome{record: v}, nil
		}})
	return s.respond(r, q, j, false, nil, "")
}

func (s *Server) deleteSVM(r *http.Request) (result, error) {
	id, err := s.svmTarget(r)
	if err != nil {
		return result{}, err
	}
	q, err := svmSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
	if err != nil {
		return result{}, err
	}
	if err := s.emptyBody(r); err != nil {
		return result{}, err
	}
	j := s.submit(jobSpec{op: ontap.Op("svm.delete"), description: "DELETE " + ontap.SVMsPath + "/" + id,
		run: func(ctx context.Context) (outcome, error) {
			if err := s.svmDeletable(ctx, id); err != nil {
				return outcome{}, err
			}
			s.svms.mu.Lock()
			if _, ok := s.svms.svms[id]; !ok {
				s.svms.mu.Unlock()
				return outcome{}, ontap.ErrNotFound("uuid")
			}
			delete(s.svms.svms, id)
			s.svms.mu.Unlock()
			// Its objects and LIFs go with it. Removed first, the SVM can
			// no longer be named by a record stored after this.
			s.dropSVMLIFs(id)
			return outcome{}, s.objects.dropSVM(id)
		}})
	return s.respond(r, q, j, false, nil, "")
}

// svmDeletable refuses to delete an SVM that holds volumes (409, the
// generic in-use code 8: ONTAP requires its data volumes deleted first)
// or whose CIFS server is joined to an Active
// Directory domain (ONTAP's 2621525: the server must be deleted, with the
// domain credentials, first).
func (s *Server) svmDeletable(ctx context.Context, id string) error {
	vols, err := s.b.ListVolumes(ctx)
	if err != nil {
		return err
	}
	for i := range vols {
		if s.volumeSVMUUID(&vols[i]) == id {
			return ontap.Errorf(http.StatusConflict, ontap.CodeInUse, "uuid",
				"Cannot delete SVM %q because it contains volumes (%q). Delete its volumes first.", s.svmName(id), text.Truncate(vols[i].Name, 64))
		}
	}
	if _, ok := s.objects.find(ontap.CIFSServiceKind.Name(), func(r ontap.Extra) bool {
		return ontap.LookupString(r, "svm.uuid") == id && ontap.LookupString(r, "ad_domain.fqdn") != ""
	}); ok {
		return ontap.Errorf(http.StatusConflict, ontap.CodeSVMHasADServer, "uuid",
			"SVM cannot be deleted as it is associated with an Active Directory configured CIFS server. Delete the CIFS server and retry the operation.")
	}
	return nil
}

// seedSVM stores the built-in records of a new SVM: those of each kind's
// Builtin that belong to an SVM (its "default" export policy), not the
// cluster-scoped ones (snapshot policies, schedules).
func (s *Server) seedSVM(svm ontap.Extra) error {
	st := s.objects
	st.mu.Lock()
	err := s.seedSVMLocked(svm, false)
	wait := st.flushLocked()
	st.mu.Unlock()
	return firstErr(err, wait)
}

// seedMissing stores those of an SVM's built-in records it lacks (an SVM
// a fixture lists without them).
func (s *Server) seedMissing(svm ontap.Extra) error {
	s.objects.mu.Lock()
	defer s.objects.mu.Unlock()
	return s.seedSVMLocked(svm, true)
}

// seedSVMLocked inserts the SVM's built-in records, skipping those whose
// name it already has when missingOnly; the caller holds the store's lock.
func (s *Server) seedSVMLocked(svm ontap.Extra, missingOnly bool) error {
	st := s.objects
	for _, t := range st.order {
		if t.kind.Builtin == nil {
			continue
		}
		for _, rec := range t.kind.Builtin(svm) {
			if ontap.LookupString(rec, "svm.uuid") == "" {
				continue
			}
			if _, has := st.findLocked(t.kind.Name(), func(r ontap.Extra) bool {
				return ontap.LookupString(r, "svm.uuid") == ontap.LookupString(rec, "svm.uuid") && ontap.LookupString(r, "name") == ontap.LookupString(rec, "name")
			}); has && missingOnly {
				continue
			}
			if _, err := st.insertLocked(t, rec, func(rec ontap.Extra) (ontap.Extra, error) { return s.resolveStored(t, rec) }); err != nil {
				return err
			}
		}
	}
	return nil
}

// renameSVMRefs follows an SVM's rename in the LIFs that name it.
func (s *Server) renameSVMRefs(id, name string) {
	s.lifs.mu.Lock()
	defer s.lifs.mu.Unlock()
	for lid, l := range s.lifs.lifs {
		if l.SVM != nil && l.SVM.UUID != nil && *l.SVM.UUID == id {
			ref := *l.SVM
			ref.Name = new(name)
			l.SVM = &ref
			s.lifs.lifs[lid] = l
		}
	}
}

// dropSVMLIFs deletes the LIFs of a deleted SVM.
func (s *Server) dropSVMLIFs(id string) {
	s.lifs.mu.Lock()
	defer s.lifs.mu.Unlock()
	for lid, l := range s.lifs.lifs {
		if l.SVM != nil && l.SVM.UUID != nil && *l.SVM.UUID == id {
			delete(s.lifs.lifs, lid)
		}
	}
}

// svmSnapshotPolicy verifies that an SVM body's snapshot_policy names a
// snapshot policy of the cluster or of the SVM svm (13434886, ONTAP's
// "Invalid snapshot policy.").
func (s *Server) svmSnapshotPolicy(ref *ontap.Ref, svm string) error {
	if ref == nil || ref.Name == nil && ref.UUID == nil || s.opts.ContractMode {
		return nil
	}
	if _, ok := s.objects.find(ontap.SnapshotPolicyKind.Name(), func(r ontap.Extra) bool {
		sv := ontap.LookupString(r, "svm.uuid")
		return (ref.Name == nil || ontap.LookupString(r, "name") == *ref.Name) &&
			(ref.UUID == nil || strings.EqualFold(ontap.LookupString(r, "uuid"), *ref.UUID)) && (sv == "" || sv == svm)
	}); !ok {
		return ontap.Errorf(http.StatusBadRequest, ontap.CodeSVMSnapshotPolicy, "snapshot_policy.name", "Invalid snapshot policy %s.", quote(deref2(ref.Name, ref.UUID)))
	}
	return nil
}
