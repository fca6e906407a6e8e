package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/internal/text"
	"github.com/nessie-go/nessie/ontap"
)

// Sync versus job. Everything that can be decided from the request alone,
// and the resolution of the objects it names (the path's volume, a clone's
// parent, a restore's snapshot, the SVM, the aggregate), is checked before
// a job exists and fails synchronously with a 4xx. Everything that depends
// on stored state at execution time (a duplicate name, a volume with
// clones, a busy snapshot, splitting a non-clone, an object deleted in the
// meantime) is the job's failure: 202 and a job in state failure with the
// ONTAP code, or, with return_timeout > 0, that error in the response.

// Fields a volume create may set; the other body fields are read-only or
// belong to other operations.
var (
	volumeCommonSettable = []string{"comment", "language", "snapshot_policy", "guarantee", "encryption", "qos", "tiering",
		"snapshot_directory_access_enabled", "space.snapshot.reserve_percent", "nas.path", "nas.export_policy.name",
		"nas.security_style", "nas.unix_permissions", "nas.uid", "nas.gid"}
	volumeCreateSettable = append([]string{"name", "svm", "aggregates", "size", "state", "style", "type"}, volumeCommonSettable...)
	cloneCreateSettable  = []string{"name", "svm", "type", "state", "comment", "clone.is_flexclone", "clone.parent_volume",
		"clone.parent_snapshot", "clone.parent_svm", "nas", "qos", "snapshot_policy", "language", "snapshot_directory_access_enabled"}
	volumePatchSettable = append([]string{"name", "size", "state"}, volumeCommonSettable...)
)

// volumeRecord renders v with the fields q needs (all if q is nil).
func (s *Server) volumeRecord(v *backend.Volume, q *ontap.Query) ontap.Volume {
	return ontap.VolumeRecord(v, &s.volCtx, s.attrs.volume(v.ID), q)
}

// volumeOutcome is a job's result for a volume it created or changed: its
// path and its record with the common fields.
func (s *Server) volumeOutcome(v *backend.Volume) outcome {
	rec := s.volumeRecord(v, nil)
	ontap.Project(nil, &rec)
	return outcome{location: ontap.VolumePath(v.ID.String()), record: rec}
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
	return result{status: http.StatusOK, body: ontap.Page(q, recs, r.URL.Path)}, nil
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
	ontap.Project(q, &rec)
	return result{status: http.StatusOK, body: rec}, nil
}

// checkSVM verifies that a body's svm names this cluster's SVM. required
// makes an absent svm an error (2621707), as on volume create.
func (s *Server) checkSVM(ref *ontap.Ref, prefix string, required bool) error {
	if ref == nil || ref.Name == nil && ref.UUID == nil {
		if required {
			return ontap.Errorf(http.StatusBadRequest, ontap.CodeSVMRequired, prefix+".name",
				`No SVM was specified. Either %q or %q must be supplied.`, prefix+".name", prefix+".uuid")
		}
		return nil
	}
	if ref.Name != nil && *ref.Name != s.id.SVMName {
		return ontap.Errorf(http.StatusNotFound, ontap.CodeSVMNotFound, prefix+".name", "The target SVM %q does not exist.", text.Truncate(*ref.Name, 64))
	}
	if ref.UUID != nil && !strings.EqualFold(*ref.UUID, s.id.SVMUUID) {
		return ontap.Errorf(http.StatusNotFound, ontap.CodeSVMNotFound, prefix+".uuid", "The target SVM %q does not exist.", text.Truncate(*ref.UUID, 64))
	}
	return nil
}

func (s *Server) checkVolumeName(target, name string) error {
	if s.opts.RelaxedNames {
		if err := backend.ValidateName(name); err != nil {
			return ontap.Errorf(http.StatusBadRequest, ontap.CodeVolumeNameChar, target, "Invalid volume name: %v.", cause(err))
		}
		return nil
	}
	if e := ontap.CheckVolumeName(target, name); e != nil {
		return e
	}
	return nil
}

// cause returns the detail of a backend validation error (its Err), for
// messages; the backend's *Error unwraps to several errors, so
// errors.Unwrap cannot get it.
func cause(err error) string {
	var be *backend.Error
	if errors.As(err, &be) && be.Err != nil {
		return be.Err.Error()
	}
	return err.Error()
}

func checkState(state *string) error {
	if state == nil {
		return nil
	}
	if !backend.VolumeState(*state).Valid() {
		return ontap.Errorf(http.StatusBadRequest, ontap.CodeVolumeStateInvalid, "state",
			"%q is an invalid value for field \"state\" (valid: online, offline, restricted).", text.Truncate(*state, 32))
	}
	return nil
}

func checkNAS(nas *ontap.VolumeNAS) error {
	if nas == nil || nas.Path == nil {
		return nil
	}
	if err := backend.ValidateJunctionPath(*nas.Path); err != nil {
		return ontap.Errorf(http.StatusBadRequest, ontap.CodeNASPathInvalid, "nas.path", "\"nas.path\" is invalid: %v.", cause(err))
	}
	return nil
}

func (s *Server) checkSize(size *int64) error {
	if size == nil {
		return nil
	}
	if *size < 0 {
		return ontap.ErrInvalidValue("size", strconv.FormatInt(*size, 10), "<non-negative integer>")
	}
	if *size < ontap.MinVolumeSize && !s.opts.ContractMode {
		return ontap.Errorf(http.StatusBadRequest, ontap.CodeVolumeSizeTooSmall, "size",
			"Size %d bytes is too small. Minimum size is \"20MB\" (%d bytes).", *size, ontap.MinVolumeSize)
	}
	return nil
}

func required(field string) error {
	return ontap.Errorf(http.StatusBadRequest, ontap.CodeInvalidValue, field, "%q is a required field", field)
}

func (s *Server) createVolume(r *http.Request) (result, error) {
	q, err := volumeSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
	if err != nil {
		return result{}, err
	}
	w, paths, err := decodeBody[ontap.Volume](s, r, q, nil)
	if err != nil {
		return result{}, err
	}
	if err := s.checkSVM(w.SVM, "svm", true); err != nil {
		return result{}, err
	}
	if w.Clone != nil && (w.Clone.IsFlexclone != nil || w.Clone.ParentVolume != nil || w.Clone.ParentSnapshot != nil) {
		return s.createClone(r, q, w, paths)
	}
	if w.Name == nil {
		return result{}, required("name")
	}
	if err := s.checkVolumeName("name", *w.Name); err != nil {
		return result{}, err
	}
	if err := ontap.CheckSettable(paths, volumeCreateSettable...); err != nil {
		return result{}, err
	}
	if len(w.Aggregates) == 0 && w.Style == nil {
		return result{}, ontap.Errorf(http.StatusBadRequest, ontap.CodeAggregateRequired, "aggregates",
			`One of "aggregates.uuid", "aggregates.name", or "style" must be provided.`)
	}
	for i, a := range w.Aggregates {
		if a.Name == nil && a.UUID == nil {
			return result{}, required("aggregates.name")
		}
		if a.Name != nil && *a.Name != s.id.AggregateName || a.UUID != nil && !strings.EqualFold(*a.UUID, s.id.AggregateUUID) {
			return result{}, ontap.Errorf(http.StatusNotFound, ontap.CodeAggregateNotFound, "aggregates.name",
				"The target aggregate (aggregates[%d]) could not be found.", i)
		}
	}
	if w.Style != nil && *w.Style != string(backend.StyleFlexVol) {
		return result{}, ontap.Errorf(http.StatusBadRequest, ontap.CodeNotSupported, "style", "Volume style %q is not supported; only flexvol.", text.Truncate(*w.Style, 32))
	}
	if err := checkType(w.Type, "type"); err != nil {
		return result{}, err
	}
	if err := checkState(w.State); err != nil {
		return result{}, err
	}
	if w.Size == nil && !s.opts.ContractMode {
		w.Size = new(int64(ontap.DefaultVolumeSize))
	}
	if err := s.checkSize(w.Size); err != nil {
		return result{}, err
	}
	if err := checkNAS(w.NAS); err != nil {
		return result{}, err
	}
	spec := ontap.VolumeSpec(w)
	if w.State != nil {
		spec.State = backend.VolumeState(*w.State)
	}
	if err := spec.Validate(); err != nil {
		return result{}, ontap.FromBackend(ontap.OpVolumeCreate, err)
	}
	attrs := defaultVolumeAttrs
	if err := attrs.Apply(w); err != nil {
		return result{}, err
	}
	j := s.submit(jobSpec{op: ontap.OpVolumeCreate, description: "POST " + ontap.VolumesPath,
		run: func(ctx context.Context) (outcome, error) {
			v, err := s.b.CreateVolume(ctx, spec)
			if err != nil {
				return outcome{}, err
			}
			s.attrs.setVolume(v.ID, attrs)
			return s.volumeOutcome(&v), nil
		}})
	return s.respond(r, q, j, true, ontap.Volume{Name: w.Name}, ontap.VolumesPath+"/?name="+url.QueryEscape(*w.Name))
}

// checkType accepts rw (any case); dp volumes (SnapMirror targets) need the
// replication tier the server does not expose yet.
func checkType(t *string, field string) error {
	if t == nil {
		return nil
	}
	switch strings.ToLower(*t) {
	case "rw":
		return nil
	case "dp", "ls":
		return ontap.Errorf(http.StatusBadRequest, ontap.CodeNotSupported, field, "Volumes of type %q are not supported; only rw.", text.Truncate(*t, 16))
	}
	return ontap.ErrInvalidValue(field, *t, "rw|dp|ls")
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
	vols, err := s.b.ListVolumes(ctx)
	if err != nil {
		return backend.Volume{}, false, err
	}
	for _, v := range vols {
		if v.Name == *ref.Name {
			return v, true, nil
		}
	}
	return backend.Volume{}, false, nil
}

// findSnapshot resolves a snapshot reference on a volume.
func (s *Server) findSnapshot(ctx context.Context, vol backend.VolumeID, ref *ontap.Ref) (backend.Snapshot, bool, error) {
	snaps, err := s.snaps.ListSnapshots(ctx, vol)
	if err != nil {
		return backend.Snapshot{}, false, err
	}
	for _, sn := range snaps {
		if ref.UUID != nil && strings.EqualFold(sn.ID.String(), *ref.UUID) || ref.UUID == nil && ref.Name != nil && sn.Name == *ref.Name {
			return sn, true, nil
		}
	}
	return backend.Snapshot{}, false, nil
}

func (s *Server) createClone(r *http.Request, q *ontap.Query, w *ontap.Volume, paths []string) (result, error) {
	if s.clones == nil {
		return result{}, ontap.FromBackend(ontap.OpCloneCreate, backend.Unsupported("CreateClone", "clones"))
	}
	for _, p := range paths {
		if ontap.CheckSettable([]string{p}, cloneCreateSettable...) != nil {
			return result{}, ontap.Errorf(http.StatusBadRequest, ontap.CodeCloneFieldInvalid, p,
				"Specifying a value for %q is not valid for a volume FlexClone creation.", p)
		}
	}
	c := w.Clone
	if c.IsFlexclone == nil || !*c.IsFlexclone {
		return result{}, ontap.Errorf(http.StatusBadRequest, ontap.CodeInvalidValue, "clone.is_flexclone",
			"\"clone.is_flexclone\" must be true to create a FlexClone volume.")
	}
	if c.ParentVolume == nil || c.ParentVolume.Name == nil && c.ParentVolume.UUID == nil {
		return result{}, required("clone.parent_volume.name")
	}
	if err := s.checkSVM(c.ParentSVM, "clone.parent_svm", false); err != nil {
		return result{}, err
	}
	if w.Type != nil && !strings.EqualFold(*w.Type, "rw") {
		return result{}, ontap.Errorf(http.StatusBadRequest, ontap.CodeCloneVolumeType, "type", "Invalid \"volume.type\" %q for a clone volume.", text.Truncate(*w.Type, 16))
	}
	if err := checkState(w.State); err != nil {
		return result{}, err
	}
	if err := checkNAS(w.NAS); err != nil {
		return result{}, err
	}
	ctx := r.Context()
	parent, ok, err := s.findVolume(ctx, c.ParentVolume)
	if err != nil {
		return result{}, ontap.FromBackend(ontap.OpCloneCreate, err)
	}
	if !ok {
		name := ""
		if c.ParentVolume.Name != nil {
			name = *c.ParentVolume.Name
		} else {
			name = *c.ParentVolume.UUID
		}
		return result{}, ontap.Errorf(http.StatusNotFound, ontap.CodeCloneParentNotFound, "clone.parent_volume.name", "Parent volume %q not found.", text.Truncate(name, 64))
	}
	if c.ParentVolume.Name != nil && c.ParentVolume.UUID != nil && parent.Name != *c.ParentVolume.Name {
		return result{}, ontap.Errorf(http.StatusBadRequest, ontap.CodeCloneParentMismatch, "clone.parent_volume",
			"\"clone.parent_volume.uuid\" and \"clone.parent_volume.name\" do not refer to the same volume.")
	}
	var snapID *backend.SnapshotID
	if ps := c.ParentSnapshot; ps != nil && (ps.Name != nil || ps.UUID != nil) {
		sn, ok, err := s.findSnapshot(ctx, parent.ID, ps)
		if err != nil {
			return result{}, ontap.FromBackend(ontap.OpCloneCreate, err)
		}
		if !ok {
			return result{}, ontap.ErrNotFound("clone.parent_snapshot.name")
		}
		if ps.Name != nil && ps.UUID != nil && sn.Name != *ps.Name {
			return result{}, ontap.Errorf(http.StatusBadRequest, ontap.CodeCloneSnapshotMismatch, "clone.parent_snapshot",
				"The specified snapshot UUID is not correct for the specified snapshot name.")
		}
		snapID = &sn.ID
	}
	// The name is checked after the parent and snapshot, the order the
	// backend contract gives CreateClone's errors.
	if w.Name == nil {
		return result{}, required("name")
	}
	if err := s.checkVolumeName("name", *w.Name); err != nil {
		return result{}, err
	}
	attrs := *s.attrs.volume(parent.ID)
	if err := attrs.Apply(w); err != nil {
		return result{}, err
	}
	name := *w.Name
	patch := backend.VolumePatch{Comment: w.Comment}
	if w.NAS != nil {
		patch.JunctionPath = w.NAS.Path
		if w.NAS.ExportPolicy != nil {
			patch.ExportPolicy = w.NAS.ExportPolicy.Name
		}
	}
	if w.State != nil && *w.State != string(backend.StateOnline) {
		patch.State = new(backend.VolumeState(*w.State))
	}
	if err := patch.Validate(); err != nil {
		return result{}, ontap.FromBackend(ontap.OpCloneCreate, err)
	}
	parentID := parent.ID
	j := s.submit(jobSpec{op: ontap.OpCloneCreate, description: "POST " + ontap.VolumesPath,
		run: func(ctx context.Context) (outcome, error) {
			sid, implicit := snapshotIDOrZero(snapID), snapID == nil
			if implicit {
				// ONTAP takes a snapshot of the parent when none is named.
				sn, err := s.implicitCloneSnapshot(ctx, parentID, name)
				if err != nil {
					return outcome{}, err
				}
				sid = sn.ID
			}
			v, err := s.clones.CreateClone(ctx, backend.CloneSpec{ParentVolume: parentID, ParentSnapshot: sid, Name: name})
			if err != nil {
				if implicit {
					_ = s.snaps.DeleteSnapshot(context.WithoutCancel(ctx), parentID, sid)
				}
				return outcome{}, err
			}
			s.attrs.setVolume(v.ID, attrs)
			if !patch.IsEmpty() {
				if v, err = s.b.PatchVolume(ctx, v.ID, patch); err != nil {
					return outcome{}, err
				}
			}
			return s.volumeOutcome(&v), nil
		}})
	return s.respond(r, q, j, true, ontap.Volume{Name: w.Name}, ontap.VolumesPath+"/?name="+url.QueryEscape(name))
}

func snapshotIDOrZero(p *backend.SnapshotID) backend.SnapshotID {
	if p == nil {
		return backend.SnapshotID{}
	}
	return *p
}

// implicitCloneSnapshot takes the snapshot a FlexClone create without a
// parent snapshot uses, named like ONTAP's: clone_<clone>.<n>.
func (s *Server) implicitCloneSnapshot(ctx context.Context, parent backend.VolumeID, clone string) (backend.Snapshot, error) {
	var err error
	for n := range 100 {
		var sn backend.Snapshot
		sn, err = s.snaps.CreateSnapshot(ctx, parent, backend.SnapshotSpec{Name: "clone_" + clone + "." + strconv.Itoa(n)})
		if !errors.Is(err, backend.ErrAlreadyExists) {
			return sn, err
		}
	}
	return backend.Snapshot{}, err
}

func (s *Server) patchVolume(r *http.Request) (result, error) {
	id, err := volumeID(r, "uuid", "uuid")
	if err != nil {
		return result{}, err
	}
	q, err := volumeSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation, volumePatchParams...)
	if err != nil {
		return result{}, err
	}
	if err := checkExtra(q); err != nil {
		return result{}, err
	}
	v, err := s.b.GetVolume(r.Context(), id)
	if err != nil {
		return result{}, ontap.FromBackend(ontap.OpVolumePatch, err)
	}
	var nulls []string
	w, paths, err := decodeBody[ontap.Volume](s, r, q, &nulls)
	if err != nil {
		return result{}, err
	}
	spec, err := s.prepareVolumePatch(r.Context(), &v, q, w, paths, nulls)
	if err != nil {
		return result{}, err
	}
	return s.respond(r, q, s.submit(spec), false, nil, "")
}

func (s *Server) patchVolumes(r *http.Request) (result, error) {
	q, err := volumeSchema.ParseQuery(r.URL.Query(), ontap.QueryMutationByQuery, volumePatchParams...)
	if err != nil {
		return result{}, err
	}
	if err := checkExtra(q); err != nil {
		return result{}, err
	}
	var nulls []string
	w, paths, err := decodeBody[ontap.Volume](s, r, q, &nulls)
	if err != nil {
		return result{}, err
	}
	recs, vols, err := s.volumeRecords(r.Context(), q)
	if err != nil {
		return result{}, err
	}
	var specs []jobSpec
	for _, i := range ontap.Match(q, recs) {
		spec, err := s.prepareVolumePatch(r.Context(), &vols[i], q, w, paths, nulls)
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

// prepareVolumePatch validates a PATCH of volume v and returns its job: a
// restore (restore_to, in the query or the body), a clone split
// (clone.split_initiated), or a modification.
//
// nulls are the fields the body set to null: "size": null means unlimited
// in ContractMode and is refused otherwise, as ONTAP has no unlimited
// volumes.
func (s *Server) prepareVolumePatch(ctx context.Context, v *backend.Volume, q *ontap.Query, w *ontap.Volume, paths, nulls []string) (jobSpec, error) {
	id := v.ID
	desc := "PATCH " + ontap.VolumePath(id.String())
	restore := &ontap.Ref{}
	if n, ok := q.Extra["restore_to.snapshot.name"]; ok {
		restore.Name = &n
	}
	if u, ok := q.Extra["restore_to.snapshot.uuid"]; ok {
		restore.UUID = &u
	}
	if w.RestoreTo != nil && w.RestoreTo.Snapshot != nil {
		if w.RestoreTo.Snapshot.Name != nil {
			restore.Name = w.RestoreTo.Snapshot.Name
		}
		if w.RestoreTo.Snapshot.UUID != nil {
			restore.UUID = w.RestoreTo.Snapshot.UUID
		}
	}
	if restore.Name != nil || restore.UUID != nil {
		for _, p := range paths {
			if !strings.HasPrefix(p, "restore_to.") {
				return jobSpec{}, ontap.Errorf(http.StatusBadRequest, ontap.CodeRestoreFieldInvalid, p,
					"Specifying a value for %q is not valid for a snapshot restore operation.", p)
			}
		}
		if s.snaps == nil {
			return jobSpec{}, ontap.FromBackend(ontap.OpVolumeRestore, backend.Unsupported("RestoreSnapshot", "snapshots"))
		}
		sn, ok, err := s.findSnapshot(ctx, id, restore)
		if err != nil {
			return jobSpec{}, ontap.FromBackend(ontap.OpVolumeRestore, err)
		}
		if !ok {
			return jobSpec{}, ontap.ErrNotFound("restore_to.snapshot.name")
		}
		if restore.Name != nil && restore.UUID != nil && sn.Name != *restore.Name {
			return jobSpec{}, ontap.Errorf(http.StatusBadRequest, ontap.CodeInvalidValue, "restore_to.snapshot",
				"The specified snapshot UUID is not correct for the specified snapshot name.")
		}
		return jobSpec{op: ontap.OpVolumeRestore, description: desc, run: func(ctx context.Context) (outcome, error) {
			nv, err := s.snaps.RestoreSnapshot(ctx, id, sn.ID)
			if err != nil {
				return outcome{}, err
			}
			return s.volumeOutcome(&nv), nil
		}}, nil
	}
	if w.Clone != nil && w.Clone.SplitInitiated != nil {
		for _, p := range paths {
			if p != "clone.split_initiated" {
				return jobSpec{}, ontap.Errorf(http.StatusBadRequest, ontap.CodeSplitFieldInvalid, p,
					"Specifying a value for %q is not valid for initiating a volume FlexClone split operation.", p)
			}
		}
		if s.clones == nil {
			return jobSpec{}, ontap.FromBackend(ontap.OpCloneSplit, backend.Unsupported("SplitClone", "clones"))
		}
		start := *w.Clone.SplitInitiated
		return jobSpec{op: ontap.OpCloneSplit, description: desc, run: func(ctx context.Context) (outcome, error) {
			if !start {
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
	if err := ontap.CheckSettable(paths, volumePatchSettable...); err != nil {
		return jobSpec{}, err
	}
	if w.Name != nil {
		if err := s.checkVolumeName("name", *w.Name); err != nil {
			return jobSpec{}, err
		}
	}
	if err := checkState(w.State); err != nil {
		return jobSpec{}, err
	}
	if err := s.checkSize(w.Size); err != nil {
		return jobSpec{}, err
	}
	if err := checkNAS(w.NAS); err != nil {
		return jobSpec{}, err
	}
	patch := ontap.VolumePatch(w)
	if slices.Contains(nulls, "size") {
		if !s.opts.ContractMode {
			return jobSpec{}, ontap.ErrInvalidValue("size", "null", "<integer>")
		}
		patch.Size = new(backend.Unlimited)
	}
	if err := patch.Validate(); err != nil {
		return jobSpec{}, ontap.FromBackend(ontap.OpVolumePatch, err)
	}
	probe := defaultVolumeAttrs
	if err := probe.Apply(w); err != nil {
		return jobSpec{}, err
	}
	return jobSpec{op: ontap.OpVolumePatch, description: desc, run: func(ctx context.Context) (outcome, error) {
		nv, err := s.b.PatchVolume(ctx, id, patch)
		if err != nil {
			return outcome{}, err
		}
		s.attrs.updateVolume(id, func(a *ontap.VolumeAttrs) { _ = a.Apply(w) })
		return s.volumeOutcome(&nv), nil
	}}, nil
}

func (s *Server) deleteVolume(r *http.Request) (result, error) {
	id, err := volumeID(r, "uuid", "uuid")
	if err != nil {
		return result{}, err
	}
	q, err := volumeSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation, volumeDeleteParams...)
	if err != nil {
		return result{}, err
	}
	if err := checkExtra(q); err != nil {
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
	q, err := volumeSchema.ParseQuery(r.URL.Query(), ontap.QueryMutationByQuery, volumeDeleteParams...)
	if err != nil {
		return result{}, err
	}
	if err := checkExtra(q); err != nil {
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
			s.attrs.deleteVolume(id)
			for _, sn := range snaps {
				s.attrs.deleteSnapshot(sn.ID)
			}
			return outcome{}, nil
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
