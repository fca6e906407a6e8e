package server

import (
	"net/http"
	"slices"
	"strings"

	"github.com/nessie-go/nessie/internal/text"
	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/ontap/schema"
)

// A snapshot policy's schedules, one at a time:
// /api/storage/snapshot-policies/{snapshot_policy.uuid}/schedules[/{schedule.uuid}]
// (ONTAP's snapshot_policy_schedule). They are not records of their own
// but a view of the policy's copies, so the policy and its schedules can
// never disagree: a POST appends a copy, a PATCH changes one, a DELETE
// removes one, each an update of the policy record under the store's
// lock, with the policy's rules (ontap.CheckPolicyCopies and the
// schedule's resolution) and ONTAP's codes: 1638412 for a schedule not
// in the policy, 1638411 for removing its last one. Synchronous (201 and
// 200), as the policy's own operations are.

const policySchedulesPath = "/api/storage/snapshot-policies/{snapshot_policy.uuid}/schedules"

var policyScheduleSchema = ontap.ObjectSchema(schema.SnapshotPolicySchedule, []string{"snapshot_policy.uuid", "schedule.uuid"},
	"snapshot_policy", "schedule", "_links")

func (s *Server) policyScheduleRoutes() []route {
	coll := wildcardIn(policySchedulesPath)
	item := coll + "/{schedule_uuid}"
	ok := []int{http.StatusOK}
	return []route{
		{method: "GET", path: coll, h: s.listPolicySchedules, summary: "List a snapshot policy's schedules", kind: ontap.QueryCollection, schema: policyScheduleSchema, status: ok},
		{method: "POST", path: coll, h: s.addPolicySchedule, summary: "Add a schedule to a snapshot policy", kind: ontap.QueryMutation, schema: policyScheduleSchema, body: "@create", status: []int{http.StatusCreated}},
		{method: "GET", path: item, h: s.getPolicySchedule, summary: "Get a snapshot policy's schedule", kind: ontap.QueryRecord, schema: policyScheduleSchema, status: ok},
		{method: "PATCH", path: item, h: s.patchPolicySchedule, summary: "Modify a snapshot policy's schedule", kind: ontap.QueryMutation, schema: policyScheduleSchema, body: "@modify", status: ok},
		{method: "DELETE", path: item, h: s.deletePolicySchedule, summary: "Remove a schedule from a snapshot policy", kind: ontap.QueryMutation, schema: policyScheduleSchema, status: ok},
	}
}

// policyOf reads the snapshot policy a request's path names.
func (s *Server) policyOf(r *http.Request) (*kindTable, string, ontap.Extra, error) {
	v, err := keyValue(r.PathValue("snapshot_policy_uuid"), "snapshot_policy.uuid", false)
	if err != nil {
		return nil, "", nil, err
	}
	t := s.objects.table(ontap.SnapshotPolicyKind.Name())
	id := valueText(v)
	rec, ok := s.objects.get(t, id)
	if !ok {
		return nil, "", nil, ontap.ErrNotFound("snapshot_policy.uuid")
	}
	return t, id, rec, nil
}

// policyScheduleOf reads the snapshot policy and then the schedule a
// request's path names.
func (s *Server) policyScheduleOf(r *http.Request) (t *kindTable, id string, policy ontap.Extra, sched string, err error) {
	if t, id, policy, err = s.policyOf(r); err != nil {
		return nil, "", nil, "", err
	}
	v, err := keyValue(r.PathValue("schedule_uuid"), "schedule.uuid", false)
	if err != nil {
		return nil, "", nil, "", err
	}
	return t, id, policy, valueText(v), nil
}

// policySchedules renders a policy's copies as snapshot_policy_schedule
// records.
func policySchedules(policy ontap.Extra) []ontap.Record {
	pu := ontap.LookupString(policy, "uuid")
	ref := ontap.Extra{"uuid": pu, "name": ontap.LookupString(policy, "name"),
		"_links": ontap.Extra{"self": ontap.Extra{"href": ontap.SnapshotPolicyKind.Path + "/" + pu}}}
	arr, _ := policy["copies"].([]any)
	out := make([]ontap.Record, 0, len(arr))
	for _, e := range arr {
		c, _ := e.(ontap.Extra)
		rec := ontap.With(c, "snapshot_policy", ref)
		rec = ontap.With(rec, "_links", ontap.Extra{"self": ontap.Extra{"href": policyScheduleItem(pu, ontap.LookupString(c, "schedule.uuid"))}})
		out = append(out, ontap.Record{Extra: ontap.Gettable(schema.SnapshotPolicySchedule, rec)})
	}
	return out
}

func policyScheduleItem(policy, sched string) string {
	return strings.Replace(policySchedulesPath, "{snapshot_policy.uuid}", policy, 1) + "/" + sched
}

// copyIndex is the index of the policy's copy for schedule uuid, or -1.
func copyIndex(policy ontap.Extra, sched string) int {
	arr, _ := policy["copies"].([]any)
	return slices.IndexFunc(arr, func(e any) bool {
		c, _ := e.(ontap.Extra)
		return strings.EqualFold(ontap.LookupString(c, "schedule.uuid"), sched)
	})
}

func errNotInPolicy(sched string) error {
	return ontap.Errorf(http.StatusNotFound, ontap.CodePolicyScheduleNotIn, "schedule.uuid", "Schedule %q does not exist in snapshot policy.", text.Truncate(sched, 64))
}

func (s *Server) listPolicySchedules(r *http.Request) (result, error) {
	q, err := policyScheduleSchema.ParseQuery(r.URL.Query(), ontap.QueryCollection)
	if err != nil {
		return result{}, err
	}
	_, _, policy, err := s.policyOf(r)
	if err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, body: ontap.Page(q, policySchedules(policy), r.URL.Path)}, nil
}

func (s *Server) getPolicySchedule(r *http.Request) (result, error) {
	_, _, policy, sched, err := s.policyScheduleOf(r)
	if err != nil {
		return result{}, err
	}
	q, err := policyScheduleSchema.ParseQuery(r.URL.Query(), ontap.QueryRecord)
	if err != nil {
		return result{}, err
	}
	i := copyIndex(policy, sched)
	if i < 0 {
		return result{}, errNotInPolicy(sched)
	}
	rec := policySchedules(policy)[i]
	policyScheduleSchema.ProjectRecord(q, &rec)
	return result{status: http.StatusOK, body: rec}, nil
}

// changeCopies replaces the policy's copies by change(copies) under the
// store's lock, resolving and checking them as a policy PATCH does, and
// returns the stored policy.
func (s *Server) changeCopies(t *kindTable, id string, change func(copies []any) ([]any, error)) (ontap.Extra, error) {
	return s.objects.update(t, id, func(old ontap.Extra) (ontap.Extra, error) {
		arr, _ := old["copies"].([]any)
		next, err := change(slices.Clone(arr))
		if err != nil {
			return nil, err
		}
		if len(next) == 0 {
			return nil, ontap.Errorf(http.StatusBadRequest, ontap.CodePolicyLastSchedule, "schedule.uuid",
				"At least one schedule must be specified for the policy.")
		}
		if err := ontap.CheckPolicyCopies(next); err != nil {
			return nil, err
		}
		return s.resolveStored(t, ontap.With(old, "copies", next))
	})
}

func (s *Server) addPolicySchedule(r *http.Request) (result, error) {
	q, err := policyScheduleSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
	if err != nil {
		return result{}, err
	}
	t, id, _, err := s.policyOf(r)
	if err != nil {
		return result{}, err
	}
	rec, _, err := s.decodeBody(r, q, schema.SnapshotPolicySchedule, schema.Post)
	if err != nil {
		return result{}, err
	}
	if ref, ok := rec["snapshot_policy"].(ontap.Extra); ok {
		// The path names the policy; the body may repeat it.
		if u := ontap.LookupString(ref, "uuid"); u != "" && !strings.EqualFold(u, id) {
			return result{}, ontap.ErrInvalidValue("snapshot_policy.uuid", u, "<the policy of the path>")
		}
		delete(rec, "snapshot_policy")
	}
	if ontap.LookupString(rec, "schedule.name") == "" && ontap.LookupString(rec, "schedule.uuid") == "" {
		return result{}, ontap.Errorf(http.StatusBadRequest, ontap.CodePolicyScheduleRequired, "schedule.name",
			"When adding schedule to a snapshot policy, the schedule name must be specified.")
	}
	if _, ok := ontap.LookupInt(rec, "count"); !ok {
		return result{}, ontap.Errorf(http.StatusBadRequest, ontap.CodePolicyCountRequired, "count",
			"When adding schedule to a snapshot policy, the count for that schedule must be specified.")
	}
	stored, err := s.changeCopies(t, id, func(copies []any) ([]any, error) {
		return append(copies, rec), nil
	})
	if err != nil {
		return result{}, err
	}
	recs := policySchedules(stored)
	last := recs[len(recs)-1]
	added := ontap.LookupString(last.Extra, "schedule.uuid")
	res := result{status: http.StatusCreated, location: policyScheduleItem(id, added), body: struct{}{}}
	if q.ReturnRecords {
		res.body = ontap.JobResponse[any]{NumRecords: new(1), Records: []any{last}}
	}
	return res, nil
}

func (s *Server) patchPolicySchedule(r *http.Request) (result, error) {
	q, err := policyScheduleSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation)
	if err != nil {
		return result{}, err
	}
	t, id, _, sched, err := s.policyScheduleOf(r)
	if err != nil {
		return result{}, err
	}
	patch, paths, err := s.decodeBody(r, q, schema.SnapshotPolicySchedule, schema.Patch)
	if err != nil {
		return result{}, err
	}
	for _, p := range paths {
		// The entry's schedule and policy are its identity.
		if p == "schedule" || p == "snapshot_policy" || strings.HasPrefix(p, "schedule.") || strings.HasPrefix(p, "snapshot_policy.") {
			return result{}, ontap.ErrNotSettable(p)
		}
	}
	stored, err := s.changeCopies(t, id, func(copies []any) ([]any, error) {
		i := copyIndex(ontap.Extra{"copies": copies}, sched)
		if i < 0 {
			return nil, errNotInPolicy(sched)
		}
		c, _ := copies[i].(ontap.Extra)
		copies[i] = ontap.MergeExtra(c, patch)
		return copies, nil
	})
	if err != nil {
		return result{}, err
	}
	res := result{status: http.StatusOK, body: struct{}{}}
	if q.ReturnRecords {
		res.body = ontap.JobResponse[any]{NumRecords: new(1), Records: []any{policySchedules(stored)[copyIndex(stored, sched)]}}
	}
	return res, nil
}

func (s *Server) deletePolicySchedule(r *http.Request) (result, error) {
	if _, err := policyScheduleSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation); err != nil {
		return result{}, err
	}
	t, id, _, sched, err := s.policyScheduleOf(r)
	if err != nil {
		return result{}, err
	}
	if err := s.emptyBody(r); err != nil {
		return result{}, err
	}
	if _, err := s.changeCopies(t, id, func(copies []any) ([]any, error) {
		i := copyIndex(ontap.Extra{"copies": copies}, sched)
		if i < 0 {
			return nil, errNotInPolicy(sched)
		}
		return slices.Delete(copies, i, i+1), nil
	}); err != nil {
		return result{}, err
	}
	return result{status: http.StatusOK, body: struct{}{}}, nil
}
