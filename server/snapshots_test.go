package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nessie-go/nessie/backend"
)

// TestSnapshots covers §1.2: list, find by name, get, create (plain, with
// comment and settings, with return_records), rename, comment, delete.
func TestSnapshots(t *testing.T) {
	a := newAPI(t)
	svm := a.srv.API.Identity().SVMUUID
	vol := a.createVolume("sv", nil)
	base := "/api/storage/volumes/" + vol + "/snapshots"

	// Trident: POST {name, svm.uuid}; 202 and a job; Location names it.
	r := a.do("POST", base, map[string]any{"name": "s1", "svm": map[string]any{"uuid": svm}}).must(t, http.StatusAccepted)
	if j := a.waitJob(r); j.str("state") != "success" || j.str("description") != "POST "+base {
		t.Fatalf("%s", j.raw)
	}
	if loc := r.header.Get("Location"); !strings.HasPrefix(loc, base+"/") {
		t.Fatalf("Location %q", loc)
	}
	// Ansible: dotted svm, comment, label, expiry.
	expiry := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
	r = a.do("POST", base, map[string]any{"name": "s2", "svm.name": "svm0", "comment": "c2", "snapmirror_label": "daily", "expiry_time": expiry}).must(t, http.StatusAccepted)
	a.waitJob(r)
	// Terraform: return_records=true gives records[0].uuid.
	r = a.do("POST", base+"?return_records=true", map[string]any{"name": "s3", "svm": map[string]any{"name": "svm0"}}).must(t, http.StatusAccepted)
	s3 := r.str("records.0.uuid")
	if s3 == "" || r.get("num_records") != 1.0 || r.header.Get("Location") != base+"/"+s3 {
		t.Fatalf("%s", r.raw)
	}

	// Trident list: svm.uuid filter, fields name,create_time.
	r = a.do("GET", base+"?svm.uuid="+svm+"&fields=name,create_time", nil).must(t, http.StatusOK)
	if r.get("num_records") != 3.0 || r.str("records.0.create_time") == "" {
		t.Fatalf("%s", r.raw)
	}
	// Trident find by name: exactly one record.
	r = a.do("GET", base+"?name=s2&svm.uuid="+svm+"&fields=name,create_time", nil).must(t, http.StatusOK)
	if r.get("num_records") != 1.0 || r.str("records.0.name") != "s2" {
		t.Fatalf("%s", r.raw)
	}
	// Ansible find.
	r = a.do("GET", base+"?svm.name=svm0&name=s2&fields=uuid,comment,expiry_time,volume,name,snapmirror_label", nil).must(t, http.StatusOK)
	if r.str("records.0.comment") != "c2" || r.str("records.0.snapmirror_label") != "daily" || r.str("records.0.volume.uuid") != vol ||
		r.str("records.0.expiry_time") != strings.Replace(expiry, "Z", "+00:00", 1) {
		t.Fatalf("%s", r.raw)
	}
	// Terraform fields.
	r = a.do("GET", base+"?name=s3&fields=name,create_time,expiry_time,state,size,comment,volume,volume.uuid,snapmirror_label", nil).must(t, http.StatusOK)
	if r.str("records.0.state") != "valid" || r.get("records.0.size") == nil || r.str("records.0.volume.name") != "sv" {
		t.Fatalf("%s", r.raw)
	}
	// delta only when asked for.
	if r.get("records.0.delta") != nil {
		t.Fatalf("delta returned unasked: %s", r.raw)
	}
	r = a.do("GET", base+"/"+s3+"?fields=delta", nil).must(t, http.StatusOK)
	if r.get("delta.size_consumed") == nil || !strings.HasPrefix(r.str("delta.time_elapsed"), "PT") {
		t.Fatalf("%s", r.raw)
	}
	// Single GET default: volume, svm, name, create_time, _links.
	r = a.do("GET", base+"/"+s3, nil).must(t, http.StatusOK)
	if r.str("uuid") != s3 || r.str("volume.uuid") != vol || r.str("svm.name") != "svm0" || r.str("_links.self.href") != base+"/"+s3 || r.get("delta") != nil {
		t.Fatalf("%s", r.raw)
	}

	// Rename and comment (Ansible/TF modify).
	a.waitJob(a.do("PATCH", base+"/"+s3, map[string]any{"name": "s3b", "comment": "renamed", "snapmirror_label": "weekly"}).must(t, http.StatusAccepted))
	r = a.do("GET", base+"/"+s3+"?fields=name,comment,snapmirror_label", nil).must(t, http.StatusOK)
	if r.str("name") != "s3b" || r.str("comment") != "renamed" || r.str("snapmirror_label") != "weekly" {
		t.Fatalf("%s", r.raw)
	}
	// Rename onto a taken name: job failure 525059.
	j := a.waitJob(a.do("PATCH", base+"/"+s3, map[string]any{"name": "s1"}).must(t, http.StatusAccepted))
	if j.str("state") != "failure" || j.str("error.code") != "525059" {
		t.Fatalf("%s", j.raw)
	}
	// Duplicate create: job failure 525059 (409 with return_timeout).
	j = a.waitJob(a.do("POST", base, map[string]any{"name": "s1"}).must(t, http.StatusAccepted))
	if j.str("state") != "failure" || j.get("code") != 525059.0 {
		t.Fatalf("%s", j.raw)
	}
	a.do("POST", base+"?return_timeout=3", map[string]any{"name": "s1"}).wantError(t, 409, "525059", "")

	// Validation is synchronous.
	a.do("POST", base, map[string]any{"name": "a/b"}).wantError(t, 400, "1638518", "name")
	a.do("POST", base, map[string]any{}).wantError(t, 400, "2", "name")
	a.do("POST", base, map[string]any{"name": "x", "svm.name": "vs9"}).wantError(t, 404, "2621462", "svm.name")
	a.do("POST", base, map[string]any{"name": "x", "volume.uuid": "00000000-0000-4000-8000-000000000000"}).wantError(t, 400, "2", "volume")
	a.do("POST", base, map[string]any{"name": "x", "size": 5}).wantError(t, 400, "262196", "size")
	// svm and volume (path keys) may repeat in a PATCH body, as ONTAP's
	// schema allows, but must name the path's objects.
	a.do("PATCH", base+"/"+s3, map[string]any{"svm.name": "vs9"}).wantError(t, 404, "2621462", "svm.name")
	a.do("PATCH", base+"/"+s3, map[string]any{"owners": []any{"x"}}).wantError(t, 400, "262196", "owners")
	a.do("PATCH", base+"/"+s3, map[string]any{"name": ""}).wantError(t, 400, "1638518", "name")

	// Delete.
	a.waitJob(a.do("DELETE", base+"/"+s3, nil).must(t, http.StatusAccepted))
	a.do("GET", base+"/"+s3, nil).wantError(t, 404, "4", "uuid")
	a.do("DELETE", base+"/"+s3, nil).wantError(t, 404, "4", "uuid")
	a.do("GET", base+"/not-a-uuid", nil).wantError(t, 404, "2", "uuid")
	a.do("GET", "/api/storage/volumes/00000000-0000-4000-8000-000000000000/snapshots", nil).wantError(t, 404, "4", "volume.uuid")
	a.do("GET", "/api/storage/volumes/xyz/snapshots", nil).wantError(t, 404, "2", "volume.uuid")
	// Trailing-slash collection (SDK Location of a pending create).
	r = a.do("GET", base+"/?name=s1", nil).must(t, http.StatusOK)
	if r.get("num_records") != 1.0 || r.str("records.0._links.self.href") == "" {
		t.Fatalf("%s", r.raw)
	}
	// Collection PATCH and DELETE by query.
	r = a.do("PATCH", base+"?name=s*", map[string]any{"comment": "bulk"}).must(t, http.StatusOK)
	if r.get("num_records") != 2.0 {
		t.Fatalf("%s", r.raw)
	}
	a.do("DELETE", base+"?comment=bulk", nil).must(t, http.StatusOK)
	r = a.do("GET", base, nil).must(t, http.StatusOK)
	if r.get("num_records") != 0.0 {
		t.Fatalf("%s", r.raw)
	}
}

// TestCloneFlows covers §1.3: FlexClone create in the Trident, Ansible and
// SDK forms (with and without a parent snapshot), split, restore in query
// and body form, and the busy/has-clones failures.
func TestCloneFlows(t *testing.T) {
	a := newAPI(t)
	svm := a.srv.API.Identity().SVMUUID
	parent := a.createVolume("parent", map[string]any{"comment": "p", "snapshot_policy.name": "none"})
	snap := a.createSnapshot(parent, "base")

	// Trident: nested, return_records=true.
	r := a.do("POST", "/api/storage/volumes?return_records=true", map[string]any{
		"name":  "c_trident",
		"clone": map[string]any{"is_flexclone": true, "parent_volume": map[string]any{"name": "parent"}, "parent_snapshot": map[string]any{"name": "base"}},
		"svm":   map[string]any{"uuid": svm},
	}).must(t, http.StatusAccepted)
	cTrident := r.str("records.0.uuid")
	if cTrident == "" || a.waitJob(r).str("state") != "success" {
		t.Fatalf("%s", r.raw)
	}
	c := a.do("GET", "/api/storage/volumes/"+cTrident+"?fields=clone,size,snapshot_policy", nil).must(t, http.StatusOK)
	if c.get("clone.is_flexclone") != true || c.str("clone.parent_volume.name") != "parent" || c.str("clone.parent_volume.uuid") != parent ||
		c.str("clone.parent_snapshot.name") != "base" || c.str("clone.parent_snapshot.uuid") != snap || c.str("size") != "1073741824" ||
		c.str("snapshot_policy.name") != "none" {
		t.Fatalf("clone record: %s", c.raw)
	}
	// Trident's "clones of a snapshot" query.
	q := "/api/storage/volumes?svm.uuid=" + svm + "&clone.parent_volume.name=parent&clone.parent_snapshot.name=base&fields=name"
	if r := a.do("GET", q, nil).must(t, http.StatusOK); r.get("num_records") != 1.0 || r.str("records.0.name") != "c_trident" {
		t.Fatalf("%s", r.raw)
	}

	// Ansible: dotted, return_timeout=0, reads records[0].uuid.
	r = a.do("POST", "/api/storage/volumes?return_records=true&return_timeout=0", map[string]any{
		"name": "c_ansible", "clone.parent_volume.name": "parent", "clone.is_flexclone": true, "svm.name": "svm0",
		"clone.parent_snapshot.name": "base", "clone.parent_svm.name": "svm0", "type": "RW", "nas.path": "/c_ansible", "nas.uid": 0, "nas.gid": 0,
	}).must(t, http.StatusAccepted)
	cAnsible := r.str("records.0.uuid")
	a.waitJob(r)
	c = a.do("GET", "/api/storage/volumes/"+cAnsible+"?fields=clone.is_flexclone,uuid,nas.path", nil).must(t, http.StatusOK)
	if c.get("clone.is_flexclone") != true || c.str("nas.path") != "/c_ansible" {
		t.Fatalf("%s", c.raw)
	}

	// SDK: no parent snapshot: one is taken implicitly.
	r = a.do("POST", "/api/storage/volumes", map[string]any{
		"name": "c_sdk", "clone.parent_volume.name": "parent", "clone.is_flexclone": true, "svm": map[string]any{"name": "svm0"},
	}).must(t, http.StatusAccepted)
	a.waitJob(r)
	c = a.do("GET", r.header.Get("Location")+"?fields=clone.parent_snapshot.name", nil).must(t, http.StatusOK)
	implicit := c.str("clone.parent_snapshot.name")
	if !strings.HasPrefix(implicit, "clone_c_sdk.") {
		t.Fatalf("implicit snapshot %q", implicit)
	}
	if r := a.do("GET", "/api/storage/volumes/"+parent+"/snapshots?name="+implicit, nil).must(t, http.StatusOK); r.get("num_records") != 1.0 {
		t.Fatalf("implicit snapshot not on the parent: %s", r.raw)
	}

	// Clone validation (sync).
	a.do("POST", "/api/storage/volumes", map[string]any{"name": "x", "svm.name": "svm0", "clone.is_flexclone": true, "clone.parent_volume.name": "nope"}).
		wantError(t, 404, "524601", "clone.parent_volume.name")
	a.do("POST", "/api/storage/volumes", map[string]any{"name": "x", "svm.name": "svm0", "clone.is_flexclone": true, "clone.parent_volume.name": "parent", "clone.parent_snapshot.name": "nope"}).
		wantError(t, 404, "4", "clone.parent_snapshot.name")
	a.do("POST", "/api/storage/volumes", map[string]any{"name": "x", "svm.name": "svm0", "clone.is_flexclone": true}).
		wantError(t, 400, "2", "clone.parent_volume.name")
	a.do("POST", "/api/storage/volumes", map[string]any{"name": "x", "svm.name": "svm0", "clone.is_flexclone": true, "clone.parent_volume.name": "parent", "size": 1 << 30}).
		wantError(t, 400, "918247", "size")
	a.do("POST", "/api/storage/volumes", map[string]any{"name": "x", "svm.name": "svm0", "clone.is_flexclone": true, "clone.parent_volume.name": "parent", "type": "dp"}).
		wantError(t, 400, "918244", "type")
	a.do("POST", "/api/storage/volumes", map[string]any{"name": "x", "svm.name": "svm0", "clone.parent_volume.name": "parent"}).
		wantError(t, 400, "2", "clone.is_flexclone")
	a.do("POST", "/api/storage/volumes", map[string]any{"name": "x", "svm.name": "svm0", "clone.is_flexclone": true, "clone.parent_volume": map[string]any{"name": "parent", "uuid": cTrident}}).
		wantError(t, 400, "918236", "clone.parent_volume")
	// Duplicate clone name: job failure 917526.
	j := a.waitJob(a.do("POST", "/api/storage/volumes", map[string]any{"name": "c_sdk", "svm.name": "svm0", "clone.is_flexclone": true, "clone.parent_volume.name": "parent", "clone.parent_snapshot.name": "base"}).must(t, http.StatusAccepted))
	if j.str("error.code") != "917526" {
		t.Fatalf("%s", j.raw)
	}

	// The parent snapshot is busy while clones depend on it: 1638555 as a
	// job failure (Trident then splits the clone).
	j = a.waitJob(a.do("DELETE", "/api/storage/volumes/"+parent+"/snapshots/"+snap, nil).must(t, http.StatusAccepted))
	if j.str("state") != "failure" || j.get("code") != 1638555.0 || j.str("error.code") != "1638555" {
		t.Fatalf("busy snapshot: %s", j.raw)
	}
	// The parent has clones: 524615 as a job failure.
	j = a.waitJob(a.do("DELETE", "/api/storage/volumes/"+parent, nil).must(t, http.StatusAccepted))
	if j.str("state") != "failure" || j.get("code") != 524615.0 {
		t.Fatalf("has clones: %s", j.raw)
	}

	// Split (Trident: 200 or 202, not polled).
	for _, cl := range []string{cTrident, cAnsible} {
		r := a.do("PATCH", "/api/storage/volumes/"+cl, map[string]any{"clone": map[string]any{"split_initiated": true}})
		if r.status != http.StatusAccepted && r.status != http.StatusOK {
			t.Fatalf("split: %d %s", r.status, r.raw)
		}
		a.waitJob(r)
		c := a.do("GET", "/api/storage/volumes/"+cl+"?fields=clone.is_flexclone,clone.parent_volume", nil).must(t, http.StatusOK)
		if c.get("clone.is_flexclone") != false || c.get("clone.parent_volume") != nil {
			t.Fatalf("after split: %s", c.raw)
		}
	}
	// Splitting a volume that is not a clone fails in the job; stopping a
	// split is a no-op.
	j = a.waitJob(a.do("PATCH", "/api/storage/volumes/"+cTrident, map[string]any{"clone.split_initiated": "true"}).must(t, http.StatusAccepted))
	if j.str("state") != "failure" || j.str("error.code") != "2" {
		t.Fatalf("%s", j.raw)
	}
	a.do("PATCH", "/api/storage/volumes/"+cTrident+"?return_timeout=5", map[string]any{"clone": map[string]any{"split_initiated": false}}).must(t, http.StatusOK)
	// Now base is free (c_sdk depends on its implicit snapshot only).
	a.do("DELETE", "/api/storage/volumes/"+parent+"/snapshots/"+snap+"?return_timeout=5", nil).must(t, http.StatusOK)

	// Restore, query form (Trident: empty body, 202, polls).
	r1 := a.createSnapshot(cTrident, "r1")
	a.waitJob(a.do("PATCH", "/api/storage/volumes/"+cTrident, map[string]any{"size": 3 << 30}).must(t, http.StatusAccepted))
	a.createSnapshot(cTrident, "r2")
	r = a.do("PATCH", "/api/storage/volumes/"+cTrident+"?restore_to.snapshot.name=r1", nil).must(t, http.StatusAccepted)
	if j := a.waitJob(r); j.str("state") != "success" {
		t.Fatalf("%s", j.raw)
	}
	c = a.do("GET", "/api/storage/volumes/"+cTrident+"?fields=size", nil).must(t, http.StatusOK)
	if c.str("size") != "3221225472" {
		t.Fatalf("a restore to a snapshot taken at 1 GiB must keep the 3 GiB (ONTAP never shrinks the FlexVol): %s", c.raw)
	}
	if r := a.do("GET", "/api/storage/volumes/"+cTrident+"/snapshots?name=r2", nil).must(t, http.StatusOK); r.get("num_records") != 0.0 {
		t.Fatalf("restore kept a newer snapshot: %s", r.raw)
	}
	// Restore, body form (Ansible), by uuid in the query too.
	a.waitJob(a.do("PATCH", "/api/storage/volumes/"+cTrident, map[string]any{"restore_to.snapshot.name": "r1"}).must(t, http.StatusAccepted))
	a.do("PATCH", "/api/storage/volumes/"+cTrident+"?restore_to.snapshot.uuid="+r1+"&return_timeout=5", nil).must(t, http.StatusOK)
	a.do("PATCH", "/api/storage/volumes/"+cTrident+"?restore_to.snapshot.name=nope", nil).wantError(t, 404, "4", "restore_to.snapshot.name")
	// Restoring past a snapshot that backs a clone fails in the job (524511).
	a.createSnapshot(cTrident, "r3")
	a.waitJob(a.do("POST", "/api/storage/volumes", map[string]any{"name": "c_r3", "svm.name": "svm0", "clone.is_flexclone": true, "clone.parent_volume.uuid": cTrident, "clone.parent_snapshot.name": "r3"}).must(t, http.StatusAccepted))
	a.do("PATCH", "/api/storage/volumes/"+cTrident+"?restore_to.snapshot.name=r1&return_timeout=5", nil).wantError(t, 409, "524511", "")
}

// TestSnapshotOrderAndOfflineVolume: snapshots list oldest first (the
// backend's order) unless order_by says otherwise, also across pages; an
// offline volume takes no snapshot (524479, in the job).
func TestSnapshotOrderAndOfflineVolume(t *testing.T) {
	a := newAPI(t)
	vol := a.createVolume("ord", nil)
	base := "/api/storage/volumes/" + vol + "/snapshots"
	names := []string{"m", "c", "x", "a", "q"}
	for _, n := range names {
		a.createSnapshot(vol, n)
	}
	var got []string
	next := base + "?max_records=2"
	for range 5 {
		r := a.do("GET", next, nil).must(t, http.StatusOK)
		for _, rec := range r.get("records").([]any) {
			got = append(got, walk(rec, "name").(string))
		}
		if next = r.str("_links.next.href"); next == "" {
			break
		}
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Fatalf("pages in order %v, want creation order %v", got, names)
	}
	r := a.do("GET", base+"?order_by=name%20desc&fields=name", nil).must(t, http.StatusOK)
	if r.str("records.0.name") != "x" || r.str("records.4.name") != "a" {
		t.Fatalf("%s", r.raw)
	}
	a.do("PATCH", "/api/storage/volumes/"+vol+"?return_timeout=5", map[string]any{"state": "offline"}).must(t, http.StatusOK)
	j := a.waitJob(a.do("POST", base, map[string]any{"name": "late"}).must(t, http.StatusAccepted))
	if j.str("state") != "failure" || j.str("error.code") != "524479" {
		t.Fatalf("%s", j.raw)
	}
}

// TestContractMode: the backend contract's full range round-trips:
// unlimited and zero sizes, empty export policy, snapshots of offline
// volumes.
func TestContractMode(t *testing.T) {
	a := newAPI(t, withOptions(func(o *serverOptions) { o.ContractMode = true }))
	r := a.do("POST", "/api/storage/volumes?return_timeout=5&return_records=true", map[string]any{"name": "u", "svm.name": "svm0", "style": "flexvol"}).must(t, http.StatusCreated)
	id := r.str("records.0.uuid")
	v := a.do("GET", "/api/storage/volumes/"+id+"?fields=size,nas", nil).must(t, http.StatusOK)
	if v.get("size") != nil || v.get("nas.export_policy") != nil {
		t.Fatalf("unlimited, no policy: %s", v.raw)
	}
	a.do("PATCH", "/api/storage/volumes/"+id+"?return_timeout=5", map[string]any{"size": 0}).must(t, http.StatusOK)
	if v := a.do("GET", "/api/storage/volumes/"+id+"?fields=size", nil); v.get("size") != 0.0 {
		t.Fatalf("zero size: %s", v.raw)
	}
	a.do("PATCH", "/api/storage/volumes/"+id+"?return_timeout=5", `{"size":null}`).must(t, http.StatusOK)
	if v := a.do("GET", "/api/storage/volumes/"+id+"?fields=size", nil); v.get("size") != nil {
		t.Fatalf("null size: %s", v.raw)
	}
	a.do("PATCH", "/api/storage/volumes/"+id+"?return_timeout=5", map[string]any{"size": -1}).wantError(t, 400, "2", "size")
	a.do("PATCH", "/api/storage/volumes/"+id+"?return_timeout=5", map[string]any{"state": "offline"}).must(t, http.StatusOK)
	a.do("POST", "/api/storage/volumes/"+id+"/snapshots?return_timeout=5", map[string]any{"name": "s"}).must(t, http.StatusCreated)

	// Without ContractMode, ONTAP's rules: no null size.
	b := newAPI(t)
	id = b.createVolume("n", nil)
	b.do("PATCH", "/api/storage/volumes/"+id, `{"size":null}`).wantError(t, 400, "2", "size")
}

// onlySnapshots hides the backend's optional SizeKeepingRestorer, so the
// server restores in two steps.
type onlySnapshots struct{ backend.SnapshotBackend }

// TestRestoreKeepsTheLargerSize: ONTAP's SnapRestore never shrinks a
// FlexVol; the volume gets the larger of its size and the snapshot's,
// whether the backend restores so in one step or not. ContractMode keeps
// the contract's restore (the snapshot's size).
func TestRestoreKeepsTheLargerSize(t *testing.T) {
	m := memBackend()
	two := onlySnapshots{m}
	for name, a := range map[string]*api{"one step": newAPI(t), "two steps": newAPI(t, withBackend(two)),
		"contract": newAPI(t, withOptions(func(o *serverOptions) { o.ContractMode = true }))} {
		vol := a.createVolume("r", map[string]any{"size": 2 << 30})
		a.createSnapshot(vol, "at2")
		size := func() string {
			return a.do("GET", "/api/storage/volumes/"+vol+"?fields=size", nil).must(t, http.StatusOK).str("size")
		}
		resizeThenRestore := func(to int) string {
			a.waitJob(a.do("PATCH", "/api/storage/volumes/"+vol, map[string]any{"size": to}).must(t, http.StatusAccepted))
			if j := a.waitJob(a.do("PATCH", "/api/storage/volumes/"+vol+"?restore_to.snapshot.name=at2", nil).must(t, http.StatusAccepted)); j.str("state") != "success" {
				t.Fatalf("%s: restore: %s", name, j.raw)
			}
			return size()
		}
		grown, shrunk := resizeThenRestore(3<<30), resizeThenRestore(1<<30)
		want := "3221225472"
		if name == "contract" {
			want = "2147483648"
		}
		if grown != want || shrunk != "2147483648" {
			t.Errorf("%s: restoring a 2 GiB snapshot gave %s from 3 GiB (want %s) and %s from 1 GiB (want 2147483648)", name, grown, want, shrunk)
		}
	}
}
