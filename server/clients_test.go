package server_test

import (
	"net/http"
	"net/url"
	"testing"
)

// The exact requests real clients send, and what they read back (issue 9).

// Terraform's netapp-ontap provider sends every sub-object of its model on
// create, empty or not, with return_records=true, and builds its state
// from records[0].
func TestTerraformVolumeCreate(t *testing.T) {
	a := newAPI(t)
	body := `{"aggregates":[{"name":"aggr1"}],"analytics":{},"comment":"tf volume","efficiency":{"policy":{}},"encryption":{},"guarantee":{},"name":"tfvol1","nas":{"export_policy":{"name":"default"},"gid":0,"path":"/tfvol1","uid":0},"qos":{"policy":{}},"snaplock":{},"snapshot_policy":{},"space":{"logical_space":{},"size":1073741824,"snapshot":{}},"svm":{"name":"svm0"},"tiering":{}}`
	r := a.do("POST", "/api/storage/volumes?return_records=true&return_timeout=60", body).must(t, http.StatusCreated)
	uuid := r.str("records.0.uuid")
	if uuid == "" || r.str("records.0.nas.path") != "/tfvol1" || r.str("records.0.space.size") != "1073741824" ||
		r.str("records.0.nas.export_policy.name") != "default" || r.str("records.0.comment") != "tf volume" {
		t.Fatalf("records[0] lacks what was set: %s", r.raw)
	}
	if j := a.waitJob(r); j.str("state") != "success" {
		t.Fatalf("job: %s", j.raw)
	}
	// The provider's read after apply.
	v := a.do("GET", "/api/storage/volumes?name=tfvol1&svm.name=svm0&return_records=true&fields=name,svm.name,aggregates,space.size,state,type,nas.path,nas.export_policy.name,nas.uid,nas.gid,comment,snapshot_policy.name,guarantee.type,encryption.enabled,tiering.policy,qos.policy.name,efficiency.policy.name,analytics.state,space.logical_space.enforcement,space.logical_space.reporting,space.snapshot.reserve_percent,snaplock.type", nil).must(t, http.StatusOK)
	for path, want := range map[string]string{
		"records.0.space.size": "1073741824", "records.0.nas.path": "/tfvol1", "records.0.nas.uid": "0",
		"records.0.guarantee.type": "volume", "records.0.encryption.enabled": "false", "records.0.snapshot_policy.name": "default",
		"records.0.analytics.state": "off", "records.0.space.snapshot.reserve_percent": "5", "records.0.snaplock.type": "non_snaplock",
		"records.0.space.logical_space.enforcement": "false", "records.0.tiering.policy": "none",
	} {
		if got := v.str(path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	// Resize: the same body shapes on PATCH (svm, not patchable, comes
	// empty), the size in space.size.
	patch := `{"svm":{},"analytics":{},"comment":"tf volume","efficiency":{"policy":{}},"encryption":{},"guarantee":{"type":"none"},"nas":{"export_policy":{"name":"default"},"gid":0,"path":"/tfvol1","uid":0},"qos":{"policy":{}},"snaplock":{},"snapshot_policy":{},"space":{"logical_space":{"enforcement":true},"size":2147483648,"snapshot":{"reserve_percent":10}},"tiering":{}}`
	if j := a.waitJob(a.do("PATCH", "/api/storage/volumes/"+uuid+"?return_timeout=60", patch).must(t, http.StatusOK)); j.str("state") != "success" {
		t.Fatalf("resize job: %s", j.raw)
	}
	v = a.do("GET", "/api/storage/volumes/"+uuid+"?fields=size,space,guarantee", nil).must(t, http.StatusOK)
	if v.str("size") != "2147483648" || v.str("space.size") != "2147483648" || v.str("guarantee.type") != "none" ||
		v.str("space.snapshot.reserve_percent") != "10" || v.str("space.logical_space.enforcement") != "true" ||
		v.str("space.afs_total") != "1932735284" {
		t.Fatalf("after resize: %s", v.raw)
	}
}

// Terraform's aggregates data source.
func TestTerraformAggregatesDataSource(t *testing.T) {
	a := newAPI(t)
	r := a.do("GET", "/api/storage/aggregates?fields=name,node.name,uuid,state,block_storage.primary.disk_class,block_storage.primary.disk_count,block_storage.primary.raid_size,block_storage.primary.raid_type,block_storage.mirror.enabled,snaplock_type,data_encryption.software_encryption_enabled&name=aggr*", nil).must(t, http.StatusOK)
	for path, want := range map[string]string{
		"records.0.name": "aggr1", "records.0.state": "online", "records.0.block_storage.primary.disk_class": "solid_state",
		"records.0.block_storage.primary.disk_count": "24", "records.0.block_storage.primary.raid_size": "24",
		"records.0.block_storage.primary.raid_type": "raid_dp", "records.0.block_storage.mirror.enabled": "false",
		"records.0.snaplock_type": "non_snaplock", "records.0.data_encryption.software_encryption_enabled": "false",
	} {
		if got := r.str(path); got != want {
			t.Errorf("%s = %q, want %q (%s)", path, got, want, r.raw)
		}
	}
	if r.str("records.0.node.name") == "" || r.get("records.0.space") != nil {
		t.Errorf("record: %s", r.raw)
	}
}

// Trident ontap-nas reads space.logical_space.used before every snapshot
// operation.
func TestTridentLogicalSpace(t *testing.T) {
	a := newAPI(t)
	a.createVolume("trident_pvc_1", nil)
	svm := a.do("GET", "/api/svm/svms?name=svm0", nil).must(t, http.StatusOK).str("records.0.uuid")
	r := a.do("GET", "/api/storage/volumes?fields=space.logical_space.used&name=trident_pvc_1&style=flexvol&svm.uuid="+svm, nil).must(t, http.StatusOK)
	if r.get("num_records") != 1.0 || r.get("records.0.space.logical_space.used") == nil {
		t.Fatalf("no space.logical_space.used: %s", r.raw)
	}
	// The record also answers the fields the query filtered on.
	if r.str("records.0.style") != "flexvol" || r.str("records.0.svm.uuid") != svm || r.str("records.0.name") != "trident_pvc_1" {
		t.Fatalf("filtered fields missing: %s", r.raw)
	}
}

// Trident, deleting a snapshot a clone depends on, keeps only records
// that carry the clone.parent_* fields it filtered on.
func TestTridentCloneParentQuery(t *testing.T) {
	a := newAPI(t)
	vol := a.createVolume("src", nil)
	a.createSnapshot(vol, "snap1")
	a.createVolume("other", nil)
	j := a.waitJob(a.do("POST", "/api/storage/volumes", map[string]any{"name": "cl1", "svm": map[string]any{"name": "svm0"},
		"clone": map[string]any{"is_flexclone": true, "parent_volume": map[string]any{"name": "src"}, "parent_snapshot": map[string]any{"name": "snap1"}}}).must(t, http.StatusAccepted))
	if j.str("state") != "success" {
		t.Fatalf("clone: %s", j.raw)
	}
	svm := a.do("GET", "/api/svm/svms?name=svm0", nil).must(t, http.StatusOK).str("records.0.uuid")
	r := a.do("GET", "/api/storage/volumes?clone.parent_snapshot.name=snap1&clone.parent_volume.name=src&fields=name&svm.uuid="+svm, nil).must(t, http.StatusOK)
	if r.get("num_records") != 1.0 || r.str("records.0.name") != "cl1" ||
		r.str("records.0.clone.parent_snapshot.name") != "snap1" || r.str("records.0.clone.parent_volume.name") != "src" {
		t.Fatalf("clone query: %s", r.raw)
	}
}

// Trident ontap-nas-economy enables quotas and reads them back.
func TestTridentQuota(t *testing.T) {
	a := newAPI(t)
	vol := a.createVolume("trident_qtree_pool", nil)
	r := a.do("GET", "/api/storage/volumes/"+vol+"?fields=quota", nil).must(t, http.StatusOK)
	if r.str("quota.state") != "off" || r.get("quota.enabled") != nil {
		t.Fatalf("quota before: %s", r.raw)
	}
	if j := a.waitJob(a.do("PATCH", "/api/storage/volumes/"+vol, `{"quota":{"enabled":true}}`).must(t, http.StatusAccepted)); j.str("state") != "success" {
		t.Fatalf("quota job: %s", j.raw)
	}
	r = a.do("GET", "/api/storage/volumes?name=trident_qtree_pool&fields=quota", nil).must(t, http.StatusOK)
	if r.str("records.0.quota.state") != "on" {
		t.Fatalf("quota after: %s", r.raw)
	}
	// quota.enabled is valid only in PATCH.
	a.do("POST", "/api/storage/volumes", map[string]any{"name": "q2", "svm.name": "svm0", "aggregates": []any{map[string]any{"name": "aggr1"}},
		"quota": map[string]any{"enabled": true}}).wantError(t, 400, "262196", "quota.enabled")
}

// Unknown names still fail; ignore_unknown_fields still ignores them.
func TestUnknownFieldsStillRefused(t *testing.T) {
	a := newAPI(t)
	a.do("GET", "/api/storage/volumes?fields=space.no_such", nil).wantError(t, 400, "262197", "fields")
	a.do("GET", "/api/storage/aggregates?fields=block_storage.primary.nope", nil).wantError(t, 400, "262197", "fields")
	a.do("POST", "/api/storage/volumes", map[string]any{"name": "u", "svm.name": "svm0", "aggregates": []any{map[string]any{"name": "aggr1"}},
		"analytics": map[string]any{"bogus": 1}}).wantError(t, 400, "262197", "")
	q := url.Values{"ignore_unknown_fields": {"true"}, "return_timeout": {"10"}}
	a.do("POST", "/api/storage/volumes?"+q.Encode(), map[string]any{"name": "u", "svm.name": "svm0", "aggregates": []any{map[string]any{"name": "aggr1"}},
		"analytics": map[string]any{"bogus": 1}}).must(t, http.StatusCreated)
}

// A job is one backend call: a clone whose name is taken fails and leaves
// no implicit snapshot behind on its parent; one that works names its
// snapshot as ONTAP does and inherits the parent's attributes.
func TestFailedCloneLeavesNothing(t *testing.T) {
	a := newAPI(t)
	parent := a.createVolume("parent", map[string]any{"guarantee": map[string]any{"type": "none"}})
	a.createVolume("taken", nil)
	j := a.waitJob(a.do("POST", "/api/storage/volumes", map[string]any{"name": "taken", "svm": map[string]any{"name": "svm0"},
		"clone": map[string]any{"is_flexclone": true, "parent_volume": map[string]any{"name": "parent"}}}).must(t, http.StatusAccepted))
	if j.str("state") != "failure" || j.str("error.code") != "917526" {
		t.Fatalf("job: %s", j.raw)
	}
	if r := a.do("GET", "/api/storage/volumes/"+parent+"/snapshots", nil).must(t, http.StatusOK); r.get("num_records") != 0.0 {
		t.Fatalf("the failed clone left a snapshot: %s", r.raw)
	}
	// The implicit snapshot of a clone that works is named as ONTAP names it.
	j = a.waitJob(a.do("POST", "/api/storage/volumes", map[string]any{"name": "cl", "svm": map[string]any{"name": "svm0"},
		"snapshot_policy": map[string]any{"name": "none"},
		"clone":           map[string]any{"is_flexclone": true, "parent_volume": map[string]any{"name": "parent"}}}).must(t, http.StatusAccepted))
	if j.str("state") != "success" {
		t.Fatalf("clone: %s", j.raw)
	}
	// It inherits the parent's attributes, patched with its own.
	r := a.do("GET", "/api/storage/volumes?name=cl&fields=clone.parent_snapshot.name,snapshot_policy.name,guarantee.type", nil).must(t, http.StatusOK)
	if r.str("records.0.clone.parent_snapshot.name") != "clone_cl.0" || r.str("records.0.snapshot_policy.name") != "none" ||
		r.str("records.0.guarantee.type") != "none" {
		t.Fatalf("clone: %s", r.raw)
	}
}

// A volume's ONTAP attributes are stored with it in the backend: a second
// server over the same backend reads them back.
func TestAttributesLiveInTheBackend(t *testing.T) {
	b := memBackend()
	a := newAPI(t, withBackend(b))
	vol := a.createVolume("v", map[string]any{"guarantee": map[string]any{"type": "none"}, "efficiency": map[string]any{"compression": "inline"}})
	other := newAPI(t, withBackend(b))
	r := other.do("GET", "/api/storage/volumes/"+vol+"?fields=guarantee,efficiency.compression", nil).must(t, http.StatusOK)
	if r.str("guarantee.type") != "none" || r.str("efficiency.compression") != "inline" {
		t.Fatalf("attributes not in the backend: %s", r.raw)
	}
}

// validate_only checks a request and does nothing.
func TestValidateOnly(t *testing.T) {
	a := newAPI(t)
	body := volumeBody("vo", map[string]any{"validate_only": true, "guarantee": map[string]any{"type": "none"}})
	if j := a.waitJob(a.do("POST", "/api/storage/volumes", body).must(t, http.StatusAccepted)); j.str("state") != "success" {
		t.Fatalf("job: %s", j.raw)
	}
	if r := a.do("GET", "/api/storage/volumes?name=vo", nil).must(t, http.StatusOK); r.get("num_records") != 0.0 {
		t.Fatalf("validate_only created the volume: %s", r.raw)
	}
	a.do("POST", "/api/storage/volumes", volumeBody("1bad", map[string]any{"validate_only": true})).wantError(t, 400, "917887", "name")
	vol := a.createVolume("v", nil)
	if j := a.waitJob(a.do("PATCH", "/api/storage/volumes/"+vol, map[string]any{"validate_only": true, "size": 4 << 30, "comment": "x"}).must(t, http.StatusAccepted)); j.str("state") != "success" {
		t.Fatalf("job: %s", j.raw)
	}
	r := a.do("GET", "/api/storage/volumes/"+vol+"?fields=size,comment,validate_only", nil).must(t, http.StatusOK)
	if r.str("size") != "1073741824" || r.get("comment") != nil || r.get("validate_only") != nil {
		t.Fatalf("validate_only changed the volume: %s", r.raw)
	}
}
