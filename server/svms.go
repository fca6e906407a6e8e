package server

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/ontap/schema"
)

// SVMs: /api/svm/svms. The identity's SVM is always there and holds every
// volume, LIF and object (it cannot be changed or deleted); clients create,
// modify and delete other SVMs, as jobs (202 and a job link), with
// ONTAP's name rules. Such an SVM holds nothing yet: objects are resolved
// in the identity's SVM only, so deleting one never strands a volume.

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
	out := []ontap.SVM{ontap.SVMRecord(&s.id)}
	ids := make([]string, 0, len(s.svms.svms))
	for id := range s.svms.svms {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		out = append(out, s.svms.svms[id])
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
	body, err := s.readBody(r)
	if err != nil {
		return result{}, err
	}
	w, _, err := ontap.Decode[ontap.SVM](body, ontap.DecodeOptions{IgnoreUnknownFields: q.IgnoreUnknownFields, Op: schema.Post})
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
			defer s.svms.mu.Unlock()
			if err := s.svmNameFree(name, ""); err != nil {
				return outcome{}, err
			}
			s.svms.svms[id] = v
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
	body, err := s.readBody(r)
	if err != nil {
		return result{}, err
	}
	w, _, err := ontap.Decode[ontap.SVM](body, ontap.DecodeOptions{IgnoreUnknownFields: q.IgnoreUnknownFields, Op: schema.Patch})
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
	j := s.submit(jobSpec{op: ontap.Op("svm.patch"), description: "PATCH " + ontap.SVMsPath + "/" + id,
		run: func(context.Context) (outcome, error) {
			s.svms.mu.Lock()
			defer s.svms.mu.Unlock()
			v, ok := s.svms.svms[id]
			if !ok {
				return outcome{}, ontap.ErrNotFound("uuid")
			}
			if w.Name != nil {
				if err := s.svmNameFree(*w.Name, id); err != nil {
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
		run: func(context.Context) (outcome, error) {
			s.svms.mu.Lock()
			defer s.svms.mu.Unlock()
			if _, ok := s.svms.svms[id]; !ok {
				return outcome{}, ontap.ErrNotFound("uuid")
			}
			delete(s.svms.svms, id)
			return outcome{}, nil
		}})
	return s.respond(r, q, j, false, nil, "")
}
