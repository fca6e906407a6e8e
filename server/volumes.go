package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/ontap/schema"
)

// Sync versus job. Everything that can be decided from the request alone
// (ontap's rules), and the resolution of the objects it names (the path's
// volume, a clone's parent, a restore's snapshot), is checked before a job
// exists and fails synchronously with a 4xx. Everything that depends on
// stored state at execution time (a duplicate name, a volume with clones,
// a busy snapshot, splitting a non-clone, an object deleted in the
// meantime) is the job's failure: 202 and a job in state failure with the
// ONTAP code, or, with return_timeout > 0, that error in the response.
//
// Each handler is parse → validate (ontap.VolumeRules) → resolve → job.

// volumeRecord renders v with the fields q needs (all if q is nil).
func (s *Server) volumeRecord(v *backend.Volume, q *ontap.Query) ontap.Volume {
	return ontap.VolumeRecord(v, &s.volCtx, s.attrs.volume(v), q)
}

// volumeOutcome is a job's result for a volume it created or changed: its
// path and its record with the common fields plus the junction path (what
// a create set must be in the record it returns).
func (s *Server) volumeOutcome(v *backend.Volume) outcome {
	rec := s.volumeRecord(v, nil)
	ontap.Project(volumeOutcomeQuery, &rec)
	return outcome{location: ontap.VolumePath(v.ID.String()), record: rec}
}

var volumeOutcomeQuery = mustQuery(volumeSchema, "fields=*,nas.path")

func mustQuery(s *ontap.Schema, raw string) *ontap.Query {
	v, err := url.ParseQuery(raw)
	if err != nil {
		panic(err)
	}
	q, err := s.ParseQuery(v, ontap.QueryRecord)
	if err != nil {
		panic(err)
	}
	return q
}

func volumeID(r *http.Request, name, target string) (backend.VolumeID, error) {
	s, err := pathUUID(r, name, target)
	if err != nil {
		return backend.VolumeID{}, err
	}
	return backend.ParseVolumeID(s)
}

func (s *Server) listVolumes(r *http.Request) (result, error) {
	q, err := volumeSchema.ParseQuery(r.URL.Query(), ontap.QueryCollection)
	if err != nil {
		return result{}, err
	}
	recs, _, err := s.volumeRecords(r.Context(), q)
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, body: ontap.PageBuilt(q, recs, r.URL.Path)}, nil
}

func (s *Server) volumeRecords(ctx context.Context, q *ontap.Query) ([]ontap.Volume, []backend.Volume, error) {
	vols, err := s.b.ListVolumes(ctx)
	if err != nil {
		return nil, nil, err
	}
	recs := make([]ontap.Volume, len(vols))
	for i := range vols {
		recs[i] = s.volumeRecord(&vols[i], q)
	}
	return recs, vols, nil
}

func (s *Server) getVolume(r *http.Request) (result, error) {
	id, err := volumeID(r, "uuid", "uuid")
	if err != nil {
		return result{}, err
	}
	q, err := volumeSchema.ParseQuery(r.URL.Query(), ontap.QueryRecord)
	if err != nil {
		return result{}, err
	}
	v, err := s.b.GetVolume(r.Context(), id)
	if err != nil {
		return result{}, ontap.FromBackend(ontap.OpVolumeGet, err)
	}
	rec := s.volumeRecord(&v, q)
	ontap.ProjectBuilt(q, &rec)
	return result{status: http.StatusOK, body: rec}, nil
}

func (s *Server) createVolume(r *http.Request) (result, error) {
	q, err := volumeSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
	if err != nil {
		return result{}, err
	}
	w, paths, err := decodeBody[ontap.Volume](s, r, q, schema.Post, nil)
	if err != nil {
		return result{}, err
	}
	svm := s.bodySVM(w.SVM)
	if ontap.IsCloneRequest(w) {
		return s.createClone(r, q, w, paths, svm)
	}
	if svm != s.id.SVMUUID {
		// The volume's SVM is kept in its attributes (the contract's
		// volumes have none); the cluster's stays implicit.
		w.Extra = ontap.MergeExtra(w.Extra, ontap.VolumeSVMAttributes(svm))
	}
	c, err := s.rules.Create(w)
	if err != nil {
		return result{}, err
	}
	if err := s.checkExportPolicy(c.Spec.ExportPolicy, svm); err != nil {
		return result{}, err
	}
	if err := s.checkSnapshotPolicy(w, svm); err != nil {
		return result{}, err
	}
	if err := s.checkQoSPolicy(w.Extra, svm); err != nil {
		return result{}, err
	}
	j := s.submit(jobSpec{op: ontap.OpVolumeCreate, description: "POST " + ontap.VolumesPath,
		run: func(ctx context.Context) (outcome, error) {
			if c.ValidateOnly {
				return outcome{}, nil
			}
			if err := s.svmStillThere(svm); err != nil {
				return outcome{}, err
			}
			// One call: state and ONTAP attributes are in the spec.
			v, err := s.b.CreateVolume(ctx, c.Spec)
			if err != nil {
				return outcome{}, err
			}
			return s.volumeOutcome(&v), nil
		}})
	return s.respond(r, q, j, true, ontap.Volume{Name: w.Name}, ontap.VolumesPath+"/?name="+url.QueryEscape(c.Spec.Name))
}

// bodySVM returns the UUID of the SVM a body's reference names: the
// cluster's when it names none, or one that does not exist (the volume
// rules report those: 2621707, 2621462).
func (s *Server) bodySVM(ref *ontap.Ref) string {
	if ref == nil || ref.Name == nil && ref.UUID == nil {
		return s.id.SVMUUID
	}
	v, ok := s.findSVM(deref(ref.Name), deref(ref.UUID))
	if !ok {
		return s.id.SVMUUID
	}
	return strings.ToLower(*v.UUID)
}

// svmStillThere fails a volume create's job whose SVM was deleted since
// the request was checked (2621462), so that no volume names a deleted
// SVM. The delete refuses an SVM holding volumes; a create and a delete
// at the same instant are not ordered beyond that.
func (s *Server) svmStillThere(uuid string) error {
	if uuid == s.id.SVMUUID || s.svmExists(uuid) {
		return nil
	}
	return ontap.Errorf(http.StatusNotFound, ontap.CodeSVMNotFound, "svm.uuid", "The target SVM %q does not exist.", uuid)
}

// volumeSVMUUID returns the UUID of the SVM that holds v: the one its
// attributes store, else the cluster's.
func (s *Server) volumeSVMUUID(v *backend.Volume) string {
	if id := s.attrs.volume(v).SVM; id != "" {
		return id
	}
	return s.id.SVMUUID
}

// svmName returns the current name of the SVM with that UUID (the UUID
// itself if there is none).
func (s *Server) svmName(uuid string) string {
	if strings.EqualFold(uuid, s.id.SVMUUID) {
		return s.id.SVMName
	}
	if r := s.otherSVMRef(uuid); r != nil {
		return *r.Name
	}
	return uuid
}

// findVolume resolves a reference by UUID and/or name; both must agree.
func (s *Server) findVolume(ctx context.Context, ref *ontap.Ref) (backend.Volume, bool, error) {
	if ref.UUID != nil {
		id, err := backend.ParseVolumeID(*ref.UUID)
		if err != nil {
			return backend.Volume{}, false, nil
		}
		v, err := s.b.GetVolume(ctx, id)
		if errors.Is(err, backend.ErrNotFound) {
			return backend.Volume{}, false, nil
		}
		return v, err == nil, err
	}
	v, err := s.b.VolumeByName(ctx, *ref.Name)
	if errors.Is(err, backend.ErrNotFound) {
		return backend.Volume{}, false, nil
	}
	return v, err == nil, err
}

// findSnapshot resolves a snapshot reference on a volume.
func (s *Server) findSnapshot(ctx context.Context, vol backend.VolumeID, ref *ontap.Ref) (backend.Snapshot, bool, error) {
	var sn backend.Snapshot
	var err error
	if ref.UUID != nil {
		id, perr := backend.ParseSnapshotID(strings.ToLower(*ref.UUID))
		if perr != nil {
			return backend.Snapshot{}, false, nil
		}
		sn, err = s.snaps.GetSnapshot(ctx, vol, id)
	} else {
		sn, err = s.snaps.SnapshotByName(ctx, vol, *ref.Name)
	}
	if errors.Is(err, backend.ErrNotFound) {
		return backend.Snapshot{}, false, nil
	}
	return sn, err == nil, err
}

// createClone creates a FlexClone in SVM svm (the body's). Its parent is
// looked for in clone.parent_svm, else in svm, as ONTAP does (a parent in
// another SVM is not found: 524601); a clone in another SVM than its
// parent's (cross-SVM FlexClone, which ONTAP keeps for SVM-DR and
// SnapMirror destinations) is refused with code 3. The clone inherits its
// parent's attributes, so its SVM too.
func (s *Server) createClone(r *http.Request, q *ontap.Query, w *ontap.Volume, paths []string, svm string) (result, error) {
	if s.clones == nil {
		return result{}, ontap.FromBackend(ontap.OpCloneCreate, backend.Unsupported("CreateClone", "clones"))
	}
	c, err := s.rules.Clone(w, paths)
	if err != nil {
		return result{}, err
	}
	parentSVM := svm
	if w.Clone != nil && w.Clone.ParentSVM != nil && (w.Clone.ParentSVM.Name != nil || w.Clone.ParentSVM.UUID != nil) {
		parentSVM = s.bodySVM(w.Clone.ParentSVM)
	}
	if parentSVM != svm {
		return result{}, ontap.Errorf(http.StatusBadRequest, ontap.CodeNotSupported, "clone.parent_svm.name",
			"A FlexClone volume must be created in the SVM of its parent volume (%q).", s.svmName(parentSVM))
	}
	if err := s.checkQoSPolicy(w.Extra, svm); err != nil {
		return result{}, err
	}
	if err := s.checkExportPolicy(c.Spec.ExportPolicy, svm); err != nil {
		return result{}, err
	}
	ctx := r.Context()
	parent, ok, err := s.findVolume(ctx, c.ParentVolume)
	if err != nil {
		return result{}, ontap.FromBackend(ontap.OpCloneCreate, err)
	}
	if !ok || s.volumeSVMUUID(&parent) != parentSVM {
		return result{}, ontap.ErrCloneParentNotFound(c.ParentVolume)
	}
	if err := ontap.CheckCloneParent(c.ParentVolume, parent.Name); err != nil {
		return result{}, err
	}
	var snapID *backend.SnapshotID
	if ps := c.ParentSnapshot; ps != nil {
		sn, ok, err := s.findSnapshot(ctx, parent.ID, ps)
		if err != nil {
			return result{}, ontap.FromBackend(ontap.OpCloneCreate, err)
		}
		if !ok {
			return result{}, ontap.ErrNotFound("clone.parent_snapshot.name")
		}
		if err := ontap.CheckCloneSnapshot(ps, sn.Name); err != nil {
			return result{}, err
		}
		snapID = &sn.ID
	}
	if err := s.rules.CheckCloneName(w); err != nil {
		return result{}, err
	}
	var sid backend.SnapshotID
	newSnap := ""
	if snapID != nil {
		sid = *snapID
	} else {
		for n := range 100 {
			newSnap = ontap.ImplicitCloneSnapshotName(*w.Name, n)
			if _, err := s.snaps.SnapshotByName(ctx, parent.ID, newSnap); errors.Is(err, backend.ErrNotFound) {
				break
			}
		}
	}
	spec, err := c.CloneSpec(&parent, sid, newSnap)
	if err != nil {
		return result{}, ontap.FromBackend(ontap.OpCloneCreate, err)
	}
	if err := spec.Validate(); err != nil {
		return result{}, ontap.FromBackend(ontap.OpCloneCreate, err)
	}
	j := s.submit(jobSpec{op: ontap.OpCloneCreate, description: "POST " + ontap.VolumesPath,
		run: func(ctx context.Context) (outcome, error) {
			if err := s.svmStillThere(svm); err != nil {
				return outcome{}, err
			}
			// One call: the implicit snapshot (when none is named), the
			// clone, its state, mount and attributes, atomically.
			// The copies of what the snapshot holds (LUNs), with it.
			v, err := s.cloneHolding(ctx, spec)
			if err != nil {
				return outcome{}, err
			}
			return s.volumeOutcome(&v), nil
		}})
	return s.respond(r, q, j, true, ontap.Volume{Name: w.Name}, ontap.VolumesPath+"/?name="+url.QueryEscape(spec.Name))
}

// volumePatch decodes and checks a volume PATCH body, for one volume or
// for the volumes a query matches.
func (s *Server) volumePatch(r *http.Request, q *ontap.Query) (*ontap.Volume, *ontap.VolumeChange, error) {
	var nulls []string
	w, paths, err := decodeBody[ontap.Volume](s, r, q, schema.Patch, &nulls)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.rules.Patch(w, paths, nulls, q.Extra)
	if err != nil {
		return nil, nil, err
	}
	return w, c, nil
}

// checkPatchPolicies verifies the policies a PATCH names for volume v:
// export, snapshot and QoS policies of v's SVM.
func (s *Server) checkPatchPolicies(v *backend.Volume, w *ontap.Volume, c *ontap.VolumeChange) error {
	svm := s.volumeSVMUUID(v)
	if err := s.checkExportPolicy(deref(c.Patch.ExportPolicy), svm); err != nil {
		return err
	}
	if err := s.checkSnapshotPolicy(w, svm); err != nil {
		return err
	}
	return s.checkQoSPolicy(w.Extra, svm)
}

func (s *Server) patchVolume(r *http.Request) (result, error) {
	id, err := volumeID(r, "uuid", "uuid")
	if err != nil {
		return result{}, err
	}
	q, err := volumeSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation, ontap.VolumePatchParams...)
	if err != nil {
		return result{}, err
	}
	if err := ontap.CheckParams(q.Extra); err != nil {
		return result{}, err
	}
	v, err := s.b.GetVolume(r.Context(), id)
	if err != nil {
		return result{}, ontap.FromBackend(ontap.OpVolumePatch, err)
	}
	w, c, err := s.volumePatch(r, q)
	if err != nil {
		return result{}, err
	}
	if err := s.checkPatchPolicies(&v, w, c); err != nil {
		return result{}, err
	}
	spec, err := s.volumeChangeJob(r.Context(), &v, c)
	if err != nil {
		return result{}, err
	}
	return s.respond(r, q, s.submit(spec), false, nil, "")
}

func (s *Server) patchVolumes(r *http.Request) (result, error) {
	q, err := volumeSchema.ParseQuery(r.URL.Query(), ontap.QueryMutationByQuery, ontap.VolumePatchParams...)
	if err != nil {
		return result{}, err
	}
	w, c, err := s.volumePatch(r, q)
	if err != nil {
		return result{}, err
	}
	recs, vols, err := s.volumeRecords(r.Context(), q)
	if err != nil {
		return result{}, err
	}
	var specs []jobSpec
	for _, i := range ontap.Match(q, recs) {
		if err := s.checkPatchPolicies(&vols[i], w, c); err != nil {
			return result{}, err
		}
		spec, err := s.volumeChangeJob(r.Context(), &vols[i], c)
		if err != nil {
			return result{}, err
		}
		specs = append(specs, spec)
	}
	return s.respondMany(r, q, s.submitAll(specs))
}

func (s *Server) submitAll(specs []jobSpec) []*job {
	jobs := make([]*job, len(specs))
	for i, sp := range specs {
		jobs[i] = s.submit(sp)
	}
	return jobs
}

// volumeChangeJob resolves what a validated PATCH of volume v names and
// returns its job: a restore, a clone split, or a modification.
func (s *Server) volumeChangeJob(ctx context.Context, v *backend.Volume, c *ontap.VolumeChange) (jobSpec, error) {
	id := v.ID
	desc := "PATCH " + ontap.VolumePath(id.String())
	if c.ValidateOnly {
		return jobSpec{op: ontap.OpVolumePatch, description: desc, run: func(ctx context.Context) (outcome, error) {
			nv, err := s.b.GetVolume(ctx, id)
			if err != nil {
				return outcome{}, err
			}
			return s.volumeOutcome(&nv), nil
		}}, nil
	}
	switch c.Kind {
	case ontap.ChangeRestore:
		if s.snaps == nil {
			return jobSpec{}, ontap.FromBackend(ontap.OpVolumeRestore, backend.Unsupported("RestoreSnapshot", "snapshots"))
		}
		sn, ok, err := s.findSnapshot(ctx, id, c.Restore)
		if err != nil {
			return jobSpec{}, ontap.FromBackend(ontap.OpVolumeRestore, err)
		}
		if !ok {
			return jobSpec{}, ontap.ErrNotFound("restore_to.snapshot.name")
		}
		if err := ontap.CheckRestoreSnapshot(c.Restore, sn.Name); err != nil {
			return jobSpec{}, err
		}
		return jobSpec{op: ontap.OpVolumeRestore, description: desc, run: func(ctx context.Context) (outcome, error) {
			nv, err := s.restoreHolding(ctx, id, sn.ID)
			if err != nil {
				return outcome{}, err
			}
			return s.volumeOutcome(&nv), nil
		}}, nil
	case ontap.ChangeSplit:
		if s.clones == nil {
			return jobSpec{}, ontap.FromBackend(ontap.OpCloneSplit, backend.Unsupported("SplitClone", "clones"))
		}
		return jobSpec{op: ontap.OpCloneSplit, description: desc, run: func(ctx context.Context) (outcome, error) {
			if !c.Split {
				// Splits finish at once, so there is never one to stop.
				nv, err := s.b.GetVolume(ctx, id)
				if err != nil {
					return outcome{}, err
				}
				return s.volumeOutcome(&nv), nil
			}
			nv, err := s.clones.SplitClone(ctx, id)
			if err != nil {
				return outcome{}, err
			}
			return s.volumeOutcome(&nv), nil
		}}, nil
	}
	return jobSpec{op: ontap.OpVolumePatch, description: desc, run: func(ctx context.Context) (outcome, error) {
		nv, err := s.b.PatchVolume(ctx, id, c.Patch)
		if err != nil {
			return outcome{}, err
		}
		if err := s.objects.renameVolume(nv.ID.String(), nv.Name); err != nil {
			return outcome{}, err
		}
		return s.volumeOutcome(&nv), nil
	}}, nil
}

// restoreVolume reverts a volume to a snapshot as ONTAP's SnapRestore
// does: the FlexVol keeps the larger of its size and the snapshot's (ONTAP
// never shrinks it in a restore). In ContractMode it is the contract's
// RestoreSnapshot (the snapshot's size). A backend that cannot restore so
// in one step (not a backend.SizeKeepingRestorer) is restored, then grown
// back: a reader may see the snapshot's size in between.
func (s *Server) restoreVolume(ctx context.Context, id backend.VolumeID, snap backend.SnapshotID) (backend.Volume, error) {
	if s.opts.ContractMode {
		return s.snaps.RestoreSnapshot(ctx, id, snap)
	}
	if kr, ok := s.snaps.(backend.SizeKeepingRestorer); ok {
		return kr.RestoreSnapshotKeepingSize(ctx, id, snap)
	}
	before, err := s.b.GetVolume(ctx, id)
	if err != nil {
		return backend.Volume{}, err
	}
	nv, err := s.snaps.RestoreSnapshot(ctx, id, snap)
	if err != nil {
		return nv, err
	}
	if size := before.Size.Larger(nv.Size); size != nv.Size {
		return s.b.PatchVolume(ctx, id, backend.VolumePatch{Size: &size})
	}
	return nv, nil
}

func (s *Server) deleteVolume(r *http.Request) (result, error) {
	id, err := volumeID(r, "uuid", "uuid")
	if err != nil {
		return result{}, err
	}
	q, err := volumeSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation, ontap.VolumeDeleteParams...)
	if err != nil {
		return result{}, err
	}
	if err := ontap.CheckParams(q.Extra); err != nil {
		return result{}, err
	}
	if _, err := s.b.GetVolume(r.Context(), id); err != nil {
		return result{}, ontap.FromBackend(ontap.OpVolumeDelete, err)
	}
	if err := s.emptyBody(r); err != nil {
		return result{}, err
	}
	return s.respond(r, q, s.submit(s.volumeDeleteJob(id)), false, nil, "")
}

func (s *Server) deleteVolumes(r *http.Request) (result, error) {
	q, err := volumeSchema.ParseQuery(r.URL.Query(), ontap.QueryMutationByQuery, ontap.VolumeDeleteParams...)
	if err != nil {
		return result{}, err
	}
	if err := ontap.CheckParams(q.Extra); err != nil {
		return result{}, err
	}
	if err := s.emptyBody(r); err != nil {
		return result{}, err
	}
	recs, vols, err := s.volumeRecords(r.Context(), q)
	if err != nil {
		return result{}, err
	}
	var specs []jobSpec
	for _, i := range ontap.Match(q, recs) {
		specs = append(specs, s.volumeDeleteJob(vols[i].ID))
	}
	return s.respondMany(r, q, s.submitAll(specs))
}

func (s *Server) volumeDeleteJob(id backend.VolumeID) jobSpec {
	return jobSpec{op: ontap.OpVolumeDelete, description: "DELETE " + ontap.VolumePath(id.String()),
		run: func(ctx context.Context) (outcome, error) {
			var snaps []backend.Snapshot
			if s.snaps != nil {
				snaps, _ = s.snaps.ListSnapshots(ctx, id)
			}
			if err := s.b.DeleteVolume(ctx, id); err != nil {
				return outcome{}, err
			}
			err := s.objects.dropVolume(id.String())
			s.attrs.forget(id)
			for _, sn := range snaps {
				s.attrs.forget(sn.ID)
			}
			return outcome{}, err
		}}
}

// emptyBody accepts a DELETE body that sets nothing ({} as the Python SDK
// sends, or none).
func (s *Server) emptyBody(r *http.Request) error {
	body, err := s.readBody(r)
	if err != nil {
		return err
	}
	_, paths, err := ontap.Decode[struct{}](body, ontap.DecodeOptions{})
	if err != nil {
		return err
	}
	if len(paths) > 0 {
		return ontap.ErrNotSettable(paths[0])
	}
	return nil
}
