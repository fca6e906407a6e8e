package server

import (
	"context"
	"net/http"
	"strings"

	"github.com/nessie-go/nessie/internal/text"
	"github.com/nessie-go/nessie/ontap"
)

// The object kinds' rules that reach outside the store or across kinds
// in ways a Kind's pure rules cannot: a CIFS share's SVM must have a CIFS
// server and its path must exist there; a snapshot policy's schedules are
// job schedules that exist; a schedule, QoS, efficiency or snapshot
// policy something uses stays (see outsideUsers).

// checkOutside applies the rules of a record about to be created (patch
// nil) or of a patch of the stored record old, that depend on objects
// outside the kind: run before the job, after the references resolved.
func (s *Server) checkOutside(ctx context.Context, t *kindTable, rec, patch ontap.Extra) error {
	if t.kind != ontap.CIFSShareKind {
		return nil
	}
	if patch == nil {
		svm := ontap.LookupString(rec, "svm.uuid")
		if _, ok := s.objects.find(ontap.CIFSServiceKind.Name(), func(r ontap.Extra) bool { return ontap.LookupString(r, "svm.uuid") == svm }); !ok {
			return ontap.Errorf(http.StatusBadRequest, ontap.CodeCIFSServerMissing, "svm.name",
				"Failed to create CIFS share. The CIFS server does not exist for SVM %q.", text.Truncate(ontap.LookupString(rec, "svm.name"), 64))
		}
	}
	p, ok := rec["path"].(string)
	if patch != nil {
		p, ok = patch["path"].(string)
	}
	if !ok {
		return nil
	}
	return s.checkSharePath(ctx, ontap.LookupString(rec, "svm.uuid"), p)
}

// checkSharePath requires a share's path to exist in its SVM: "/" (the
// SVM's root), a volume's junction path, or a path below one (a qtree, a
// directory) of a volume of that SVM. 655551 otherwise.
func (s *Server) checkSharePath(ctx context.Context, svm, p string) error {
	p = strings.TrimSuffix(p, "/")
	if p == "" {
		return nil // "/"
	}
	vols, err := s.b.ListVolumes(ctx)
	if err != nil {
		return err
	}
	for i := range vols {
		v := &vols[i]
		j := strings.TrimSuffix(v.JunctionPath, "/")
		if j != "" && (p == j || strings.HasPrefix(p, j+"/")) && s.volumeSVMUUID(v) == svm {
			return nil
		}
	}
	return ontap.Errorf(http.StatusBadRequest, ontap.CodeSharePathMissing, "path",
		"CIFS share creation failed because the specified path %q does not exist.", text.Truncate(p, 64))
}

// resolveCopies resolves the job schedule each of a snapshot policy's
// copies names (by name or uuid: a cluster schedule, or one of the
// policy's SVM) into {name, uuid}; 1638413 when there is none. The
// caller holds the store's lock.
func (s *Server) resolveCopies(rec ontap.Extra) (ontap.Extra, error) {
	arr, ok := rec["copies"].([]any)
	if !ok {
		return rec, nil
	}
	svm := ontap.LookupString(rec, "svm.uuid")
	out := make([]any, len(arr))
	for i, e := range arr {
		c, _ := e.(ontap.Extra)
		got, err := s.findSchedule(ontap.LookupString(c, "schedule.name"), ontap.LookupString(c, "schedule.uuid"), svm)
		if err != nil {
			return nil, err
		}
		out[i] = ontap.With(c, "schedule", got)
	}
	if err := ontap.CheckPolicyCopies(out); err != nil {
		return nil, err // the same schedule named once by name, once by uuid
	}
	return ontap.With(rec, "copies", out), nil
}

// findSchedule finds a job schedule by name and/or uuid, among the
// cluster's and svm's. The caller holds the store's lock.
func (s *Server) findSchedule(name, uuid, svm string) (ontap.Extra, error) {
	r, ok := s.objects.findLocked(ontap.ScheduleKind.Name(), func(r ontap.Extra) bool {
		if uuid != "" && !strings.EqualFold(ontap.LookupString(r, "uuid"), uuid) || name != "" && ontap.LookupString(r, "name") != name {
			return false
		}
		sv := ontap.LookupString(r, "svm.uuid")
		return uuid != "" || sv == "" || sv == svm
	})
	if !ok {
		target, what := "copies.schedule.name", name
		if name == "" {
			target, what = "copies.schedule.uuid", uuid
		}
		return nil, ontap.Errorf(http.StatusNotFound, ontap.CodeScheduleNotFound, target, "Schedule %q not found.", text.Truncate(what, 64))
	}
	return ontap.Extra{"name": ontap.LookupString(r, "name"), "uuid": ontap.LookupString(r, "uuid")}, nil
}

// scheduleUsers reports a snapshot or efficiency policy that uses the
// schedule rec (459758). The caller holds the store's lock.
func (s *Server) scheduleUsers(rec ontap.Extra) error {
	id, name := ontap.LookupString(rec, "uuid"), ontap.LookupString(rec, "name")
	svm := ontap.LookupString(rec, "svm.uuid")
	inUse := func(label, user string) error {
		return ontap.Errorf(http.StatusConflict, ontap.CodeScheduleInUse, "uuid",
			"Cannot delete job schedule %q: it is in use by %s %q. Remove all references to the schedule, and then try to delete again.",
			text.Truncate(name, 64), label, text.Truncate(user, 64))
	}
	if p, ok := s.objects.findLocked(ontap.SnapshotPolicyKind.Name(), func(p ontap.Extra) bool {
		arr, _ := p["copies"].([]any)
		for _, e := range arr {
			c, _ := e.(ontap.Extra)
			if ontap.LookupString(c, "schedule.uuid") == id {
				return true
			}
		}
		return false
	}); ok {
		return inUse("snapshot policy", ontap.LookupString(p, "name"))
	}
	if p, ok := s.objects.findLocked(ontap.VolumeEfficiencyPolicyKind.Name(), func(p ontap.Extra) bool {
		ps := ontap.LookupString(p, "svm.uuid")
		return ontap.LookupString(p, "schedule.name") == name && (svm == "" || ps == svm)
	}); ok {
		return inUse("volume efficiency policy", ontap.LookupString(p, "name"))
	}
	return nil
}

// checkQoSPolicy verifies that a volume body's qos.policy names an
// existing QoS policy of the cluster's SVM, by name and/or uuid ("none"
// and "" name no policy). In ContractMode any name is accepted.
func (s *Server) checkQoSPolicy(extra ontap.Extra, svmUUID string) error {
	name := ontap.LookupString(extra, "qos.policy.name")
	id := ontap.LookupString(extra, "qos.policy.uuid")
	if s.opts.ContractMode || id == "" && (name == "" || name == "none") {
		return nil
	}
	if _, ok := s.objects.find(ontap.QoSPolicyKind.Name(), func(r ontap.Extra) bool {
		return (id == "" || strings.EqualFold(ontap.LookupString(r, "uuid"), id)) && (name == "" || ontap.LookupString(r, "name") == name) &&
			ontap.LookupString(r, "svm.uuid") == svmUUID
	}); !ok {
		target, what := "qos.policy.name", name
		if id != "" {
			target, what = "qos.policy.uuid", id
		}
		return ontap.Errorf(http.StatusNotFound, ontap.CodeQoSPolicyNotFound, target,
			"Invalid QoS policy group specified %q. The specified QoS policy group does not exist in SVM %q.", text.Truncate(what, 64), s.svmName(svmUUID))
	}
	return nil
}

// usesPolicy reports whether a volume's record names the QoS or
// efficiency policy rec (by uuid, or by name).
func usesPolicy(vol ontap.Extra, field string, rec ontap.Extra) bool {
	if u := ontap.LookupString(vol, field+".uuid"); u != "" {
		return strings.EqualFold(u, ontap.LookupString(rec, "uuid"))
	}
	n := ontap.LookupString(vol, field+".name")
	return n != "" && n == ontap.LookupString(rec, "name")
}
