package server_test

import (
	"net/http"
	"testing"
)

// TestSnapshotPolicySchedules pins /snapshot-policies/{uuid}/schedules:
// a view of the policy's copies (what one changes, the other shows),
// keyed by the schedule's uuid, with ONTAP's codes for a missing count or
// schedule, a schedule already there or not there, and the last one.
func TestSnapshotPolicySchedules(t *testing.T) {
	a := newAPI(t)
	const policies = "/api/storage/snapshot-policies"
	sp := a.do("POST", policies+"?return_records=true", map[string]any{"name": "sp1", "svm": map[string]any{"name": "svm0"},
		"copies": []any{map[string]any{"count": 4, "schedule": map[string]any{"name": "hourly"}}}}).must(t, http.StatusCreated).str("records.0.uuid")
	scheds := policies + "/" + sp + "/schedules"
	uuidOf := func(name string) string {
		return a.do("GET", "/api/cluster/schedules?name="+name, nil).must(t, http.StatusOK).str("records.0.uuid")
	}
	hourly, daily, weekly := uuidOf("hourly"), uuidOf("daily"), uuidOf("weekly")

	r := a.do("GET", scheds, nil).must(t, http.StatusOK)
	if r.get("num_records") != 1.0 || r.str("records.0.schedule.uuid") != hourly || r.str("records.0.schedule.name") != "hourly" ||
		r.str("records.0.snapshot_policy.uuid") != sp || r.str("records.0._links.self.href") != scheds+"/"+hourly {
		t.Fatalf("%s", r.raw)
	}
	r = a.do("POST", scheds+"?return_records=true", map[string]any{"schedule": map[string]any{"name": "daily"}, "count": 2, "prefix": "nightly",
		"snapmirror_label": "daily"}).must(t, http.StatusCreated)
	if r.header.Get("Location") != scheds+"/"+daily || r.get("records.0.count") != 2.0 {
		t.Fatalf("%s %v", r.raw, r.header)
	}
	a.do("POST", scheds, map[string]any{"schedule": map[string]any{"uuid": weekly}}).wantError(t, http.StatusBadRequest, "1638407", "count")
	a.do("POST", scheds, map[string]any{"count": 1}).wantError(t, http.StatusBadRequest, "1638408", "schedule.name")
	a.do("POST", scheds, map[string]any{"schedule": map[string]any{"uuid": hourly}, "count": 1, "prefix": "h2"}).wantError(t, http.StatusConflict, "1638410", "copies.schedule.name")
	a.do("POST", scheds, map[string]any{"schedule": map[string]any{"name": "nosuch"}, "count": 1}).wantError(t, http.StatusNotFound, "1638413", "copies.schedule.name")
	a.do("POST", scheds, map[string]any{"schedule": map[string]any{"name": "weekly"}, "count": 1, "prefix": "nightly"}).wantError(t, http.StatusBadRequest, "1638508", "copies.prefix")
	a.do("POST", scheds, map[string]any{"schedule": map[string]any{"name": "weekly"}, "count": 1020}).wantError(t, http.StatusBadRequest, "1638451", "copies.count")

	// The policy shows what the sub-resource changed, and the other way round.
	a.do("PATCH", scheds+"/"+daily, map[string]any{"count": 7}).must(t, http.StatusOK)
	a.do("PATCH", scheds+"/"+daily, map[string]any{"schedule": map[string]any{"name": "weekly"}}).wantError(t, http.StatusBadRequest, "262196", "schedule.name")
	r = a.do("GET", policies+"/"+sp+"?fields=copies", nil).must(t, http.StatusOK)
	if r.get("copies.1.count") != 7.0 || r.str("copies.1.prefix") != "nightly" || r.str("copies.1.schedule.uuid") != daily {
		t.Fatalf("policy after PATCH of its schedule: %s", r.raw)
	}
	// Copies change only here: ONTAP's policy PATCH does not take them.
	a.do("PATCH", policies+"/"+sp, map[string]any{"copies": []any{}}).wantError(t, http.StatusBadRequest, "262196", "copies")
	a.do("POST", scheds, map[string]any{"schedule": map[string]any{"name": "weekly"}, "count": 3}).must(t, http.StatusCreated)
	a.do("DELETE", scheds+"/"+hourly, nil).must(t, http.StatusOK)
	a.do("DELETE", scheds+"/"+daily, nil).must(t, http.StatusOK)
	r = a.do("GET", scheds+"?fields=count", nil).must(t, http.StatusOK)
	if r.get("num_records") != 1.0 || r.str("records.0.schedule.uuid") != weekly || r.get("records.0.count") != 3.0 {
		t.Fatalf("schedules: %s", r.raw)
	}
	if r := a.do("GET", scheds+"/"+weekly, nil).must(t, http.StatusOK); r.str("prefix") != "weekly" {
		t.Fatalf("%s", r.raw)
	}
	a.do("GET", scheds+"/"+daily, nil).wantError(t, http.StatusNotFound, "1638412", "schedule.uuid")
	a.do("DELETE", scheds+"/"+daily, nil).wantError(t, http.StatusNotFound, "1638412", "schedule.uuid")
	a.do("DELETE", scheds+"/"+weekly, nil).wantError(t, http.StatusBadRequest, "1638411", "schedule.uuid")
	a.do("POST", scheds, map[string]any{"schedule": map[string]any{"name": "daily"}, "count": 1}).must(t, http.StatusCreated)
	a.do("DELETE", scheds+"/"+weekly, nil).must(t, http.StatusOK)
	if r := a.do("GET", scheds, nil).must(t, http.StatusOK); r.get("num_records") != 1.0 || r.str("records.0.schedule.uuid") != daily {
		t.Fatalf("%s", r.raw)
	}
	// The collection's trailing-slash form (the SDK's Location follow-up).
	if r := a.do("GET", scheds+"/?schedule.name=daily", nil).must(t, http.StatusOK); r.get("num_records") != 1.0 {
		t.Fatalf("%s", r.raw)
	}
	// Unknown policy; malformed keys.
	a.do("GET", policies+"/11111111-2222-4333-8444-555555555555/schedules", nil).wantError(t, http.StatusNotFound, "4", "snapshot_policy.uuid")
	a.do("GET", policies+"/x/schedules", nil).wantError(t, http.StatusNotFound, "2", "snapshot_policy.uuid")
	a.do("GET", scheds+"/x", nil).wantError(t, http.StatusNotFound, "2", "schedule.uuid")
}
