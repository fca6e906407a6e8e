package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/internal/text"
	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/ontap/schema"
)

func (s *Server) snapshotRecord(vol *backend.Volume, sn *backend.Snapshot, now time.Time) ontap.Snapshot {
	svm := s.svmRef
	if id := s.volumeSVMUUID(vol); id != s.id.SVMUUID {
		svm = s.volCtx.SVMs(id)
		if svm == nil {
			svm = &ontap.Ref{UUID: &id}
		}
	}
	return ontap.SnapshotRecord(vol.ID.String(), vol.Name, sn, svm, s.attrs.snapshot(sn), now)
}

// snapshotVolume resolves the {vol} of a snapshot path: the tier must
// exist and the volume too (404 naming volume.uuid).
func (s *Server) snapshotVolume(r *http.Request, op ontap.Op) (backend.Volume, error) {
	id, err := volumeID(r, "vol", "volume.uuid")
	if err != nil {
		return backend.Volume{}, err
	}
	if s.snaps == nil {
		return backend.Volume{}, ontap.FromBackend(op, backend.Unsupported(string(op), "snapshots"))
	}
	v, err := s.b.GetVolume(r.Context(), id)
	if err != nil {
		return backend.Volume{}, ontap.FromBackend(op, err)
	}
	return v, nil
}

// snapshotTarget resolves what a single-snapshot mutation names, in ONTAP's
// order: the volume, the snapshot UUID's form, the query, then the
// snapshot's existence.
func (s *Server) snapshotTarget(r *http.Request, op ontap.Op) (backend.Volume, backend.SnapshotID, *ontap.Query, error) {
	vol, err := s.snapshotVolume(r, op)
	if err != nil {
		return vol, backend.SnapshotID{}, nil, err
	}
	sid, err := snapshotID(r)
	if err != nil {
		return vol, sid, nil, err
	}
	q, err := snapshotSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
	if err != nil {
		return vol, sid, nil, err
	}
	if _, err := s.snaps.GetSnapshot(r.Context(), vol.ID, sid); err != nil {
		return vol, sid, nil, ontap.FromBackend(op, err)
	}
	return vol, sid, q, nil
}

func snapshotID(r *http.Request) (backend.SnapshotID, error) {
	v, err := pathUUID(r, "uuid", "uuid")
	if err != nil {
		return backend.SnapshotID{}, err
	}
	return backend.ParseSnapshotID(v)
}

func (s *Server) snapshotRecords(ctx context.Context, vol *backend.Volume) ([]ontap.Snapshot, []backend.Snapshot, error) {
	snaps, err := s.snaps.ListSnapshots(ctx, vol.ID)
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	recs := make([]ontap.Snapshot, len(snaps))
	for i := range snaps {
		recs[i] = s.snapshotRecord(vol, &snaps[i], now)
	}
	return recs, snaps, nil
}

func (s *Server) listSnapshots(r *http.Request) (result, error) {
	vol, err := s.snapshotVolume(r, ontap.OpSnapshotGet)
	if err != nil {
		return result{}, err
	}
	q, err := snapshotSchema.ParseQuery(r.URL.Query(), ontap.QueryCollection)
	if err != nil {
		return result{}, err
	}
	recs, _, err := s.snapshotRecords(r.Context(), &vol)
	if err != nil {
		return result{}, ontap.FromBackend(ontap.OpSnapshotGet, err)
	}
	q.NaturalOrder = true // the backend lists snapshots oldest first
	return result{status: http.StatusOK, body: ontap.Page(q, recs, r.URL.Path)}, nil
}

func (s *Server) getSnapshot(r *http.Request) (result, error) {
	vol, err := s.snapshotVolume(r, ontap.OpSnapshotGet)
	if err != nil {
		return result{}, err
	}
	sid, err := snapshotID(r)
	if err != nil {
		return result{}, err
	}
	q, err := snapshotSchema.ParseQuery(r.URL.Query(), ontap.QueryRecord)
	if err != nil {
		return result{}, err
	}
	sn, err := s.snaps.GetSnapshot(r.Context(), vol.ID, sid)
	if err != nil {
		return result{}, ontap.FromBackend(ontap.OpSnapshotGet, err)
	}
	rec := s.snapshotRecord(&vol, &sn, time.Now())
	ontap.Project(q, &rec)
	return result{status: http.StatusOK, body: rec}, nil
}

// snapshotOutcome is a snapshot job's outcome: sn as its volume, read
// now, shows it.
func (s *Server) snapshotOutcome(ctx context.Context, volID backend.VolumeID, sn *backend.Snapshot) (outcome, error) {
	vol, err := s.b.GetVolume(ctx, volID)
	if err != nil {
		return outcome{}, err
	}
	rec := s.snapshotRecord(&vol, sn, time.Now())
	ontap.Project(nil, &rec)
	return outcome{location: ontap.SnapshotPath(vol.ID.String(), sn.ID.String()), record: rec}, nil
}

func (s *Server) createSnapshot(r *http.Request) (result, error) {
	vol, err := s.snapshotVolume(r, ontap.OpSnapshotCreate)
	if err != nil {
		return result{}, err
	}
	q, err := snapshotSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
	if err != nil {
		return result{}, err
	}
	w, _, err := decodeBody[ontap.Snapshot](s, r, q, schema.Post, nil)
	if err != nil {
		return result{}, err
	}
	if w.SVM != nil {
		if v, ok := s.findSVM(deref(w.SVM.Name), deref(w.SVM.UUID)); ok && !strings.EqualFold(*v.UUID, s.volumeSVMUUID(&vol)) {
			// An SVM that exists but does not hold the volume.
			return result{}, ontap.Errorf(http.StatusNotFound, ontap.CodeNotFound, "svm.name",
				"Volume %q does not exist in SVM %q.", vol.Name, text.Truncate(*v.Name, 64))
		}
	}
	c, err := s.rules.SnapshotCreate(w, &vol)
	if err != nil {
		return result{}, err
	}
	name, volID := c.Spec.Name, vol.ID
	j := s.submit(jobSpec{op: ontap.OpSnapshotCreate, description: "POST " + ontap.SnapshotsPath(volID.String()),
		run: func(ctx context.Context) (outcome, error) {
			// ONTAP snapshots only online volumes; the backend contract
			// does not require it, so the REST edge does.
			if cur, err := s.b.GetVolume(ctx, volID); err != nil {
				return outcome{}, err
			} else if err := s.rules.CheckSnapshotVolume(&cur); err != nil {
				return outcome{}, err
			}
			// One call: name, comment and ONTAP attributes together.
			sn, err := s.createSnapshotHolding(ctx, volID, c.Spec)
			if err != nil {
				return outcome{}, err
			}
			return s.snapshotOutcome(ctx, volID, &sn)
		}})
	return s.respond(r, q, j, true, ontap.Snapshot{Name: w.Name}, ontap.SnapshotsPath(volID.String())+"/?name="+url.QueryEscape(name))
}

// prepareSnapshotPatch validates a snapshot PATCH (rename, comment, expiry
// time, SnapMirror label) and returns its job.
func (s *Server) prepareSnapshotPatch(vol *backend.Volume, sid backend.SnapshotID, w *ontap.Snapshot) (jobSpec, error) {
	c, err := s.rules.SnapshotPatch(w, vol)
	if err != nil {
		return jobSpec{}, err
	}
	patch := c.Patch
	volID := vol.ID
	return jobSpec{op: ontap.OpSnapshotPatch, description: "PATCH " + ontap.SnapshotPath(volID.String(), sid.String()),
		run: func(ctx context.Context) (outcome, error) {
			var sn backend.Snapshot
			var err error
			if patch.IsEmpty() {
				sn, err = s.snaps.GetSnapshot(ctx, volID, sid)
			} else {
				sn, err = s.snaps.PatchSnapshot(ctx, volID, sid, patch)
			}
			if err != nil {
				return outcome{}, err
			}
			return s.snapshotOutcome(ctx, volID, &sn)
		}}, nil
}

func (s *Server) patchSnapshot(r *http.Request) (result, error) {
	vol, sid, q, err := s.snapshotTarget(r, ontap.OpSnapshotPatch)
	if err != nil {
		return result{}, err
	}
	w, _, err := decodeBody[ontap.Snapshot](s, r, q, schema.Patch, nil)
	if err != nil {
		return result{}, err
	}
	spec, err := s.prepareSnapshotPatch(&vol, sid, w)
	if err != nil {
		return result{}, err
	}
	return s.respond(r, q, s.submit(spec), false, nil, "")
}

func (s *Server) patchSnapshots(r *http.Request) (result, error) {
	vol, err := s.snapshotVolume(r, ontap.OpSnapshotPatch)
	if err != nil {
		return result{}, err
	}
	q, err := snapshotSchema.ParseQuery(r.URL.Query(), ontap.QueryMutationByQuery)
	if err != nil {
		return result{}, err
	}
	w, _, err := decodeBody[ontap.Snapshot](s, r, q, schema.Patch, nil)
	if err != nil {
		return result{}, err
	}
	recs, snaps, err := s.snapshotRecords(r.Context(), &vol)
	if err != nil {
		return result{}, ontap.FromBackend(ontap.OpSnapshotPatch, err)
	}
	var specs []jobSpec
	for _, i := range ontap.Match(q, recs) {
		spec, err := s.prepareSnapshotPatch(&vol, snaps[i].ID, w)
		if err != nil {
			return result{}, err
		}
		specs = append(specs, spec)
	}
	return s.respondMany(r, q, s.submitAll(specs))
}

func (s *Server) snapshotDeleteJob(volID backend.VolumeID, sid backend.SnapshotID) jobSpec {
	return jobSpec{op: ontap.OpSnapshotDelete, description: "DELETE " + ontap.SnapshotPath(volID.String(), sid.String()),
		run: func(ctx context.Context) (outcome, error) {
			if err := s.snaps.DeleteSnapshot(ctx, volID, sid); err != nil {
				return outcome{}, err
			}
			s.attrs.forget(sid)
			return outcome{}, s.objects.forgetSnapshot(sid.String())
		}}
}

func (s *Server) deleteSnapshot(r *http.Request) (result, error) {
	vol, sid, q, err := s.snapshotTarget(r, ontap.OpSnapshotDelete)
	if err != nil {
		return result{}, err
	}
	if err := s.emptyBody(r); err != nil {
		return result{}, err
	}
	return s.respond(r, q, s.submit(s.snapshotDeleteJob(vol.ID, sid)), false, nil, "")
}

func (s *Server) deleteSnapshots(r *http.Request) (result, error) {
	vol, err := s.snapshotVolume(r, ontap.OpSnapshotDelete)
	if err != nil {
		return result{}, err
	}
	q, err := snapshotSchema.ParseQuery(r.URL.Query(), ontap.QueryMutationByQuery)
	if err != nil {
		return result{}, err
	}
	if err := s.emptyBody(r); err != nil {
		return result{}, err
	}
	recs, snaps, err := s.snapshotRecords(r.Context(), &vol)
	if err != nil {
		return result{}, ontap.FromBackend(ontap.OpSnapshotDelete, err)
	}
	var specs []jobSpec
	for _, i := range ontap.Match(q, recs) {
		specs = append(specs, s.snapshotDeleteJob(vol.ID, snaps[i].ID))
	}
	return s.respondMany(r, q, s.submitAll(specs))
}
