package server_test

import (
	"net/http"
	"testing"
)

// TestVolumesInAPICreatedSVMs: a volume may live in an SVM created
// through the API. It reports that SVM (its current name after a
// rename), listings filter on it, the export, snapshot and QoS policies
// it names are its SVM's, objects inside it take its SVM, a clone
// inherits it, a snapshot naming another SVM is refused, names stay
// unique in the cluster, and the SVM cannot be deleted while it holds a
// volume.
func TestVolumesInAPICreatedSVMs(t *testing.T) {
	a := newAPI(t)
	id := a.srv.API.Identity()
	svm := a.createSVM(t, "svm2")
	vols := "/api/storage/volumes"
	aggr := []any{map[string]any{"name": id.AggregateName}}
	create := func(name string, extra map[string]any) *resp {
		body := map[string]any{"name": name, "svm": map[string]any{"name": "svm2"}, "aggregates": aggr, "size": 1 << 30}
		for k, v := range extra {
			body[k] = v
		}
		return a.do("POST", vols+"?return_records=true&return_timeout=10", body)
	}

	r := create("v2", nil).must(t, http.StatusCreated)
	v2 := r.str("records.0.uuid")
	if r.str("records.0.svm.name") != "svm2" || r.str("records.0.svm.uuid") != svm {
		t.Fatalf("create in svm2: %s", r.raw)
	}
	a.createVolume("v0", nil)
	// By uuid too.
	a.do("POST", vols+"?return_timeout=10", map[string]any{"name": "v3", "svm": map[string]any{"uuid": svm}, "aggregates": aggr}).must(t, http.StatusCreated)

	r = a.do("GET", vols+"/"+v2+"?fields=svm", nil).must(t, http.StatusOK)
	if r.str("svm.name") != "svm2" || r.str("svm.uuid") != svm {
		t.Fatalf("GET fields=svm: %s", r.raw)
	}
	r = a.do("GET", vols+"?svm.name=svm2&fields=svm&order_by=name", nil).must(t, http.StatusOK)
	if r.get("num_records") != 2.0 || r.str("records.0.name") != "v2" || r.str("records.1.name") != "v3" {
		t.Fatalf("list svm.name=svm2: %s", r.raw)
	}
	r = a.do("GET", vols+"?svm.uuid="+svm, nil).must(t, http.StatusOK)
	if r.get("num_records") != 2.0 {
		t.Fatalf("list svm.uuid: %s", r.raw)
	}
	r = a.do("GET", vols+"?svm.name="+id.SVMName, nil).must(t, http.StatusOK)
	if r.get("num_records") != 1.0 || r.str("records.0.name") != "v0" {
		t.Fatalf("list svm.name=%s: %s", id.SVMName, r.raw)
	}

	// Names are unique in the cluster (ONTAP allows the same name in two
	// SVMs; nessie's contract does not).
	if r = create("v0", nil); r.str("error.code") != "917526" {
		t.Fatalf("duplicate name across SVMs: %s", r.raw)
	}

	// Export policies are per SVM: svm2's "pol2" for a svm2 volume; the
	// cluster SVM's "pol0" is refused there, and svm2's for a cluster-SVM
	// volume.
	eps := "/api/protocols/nfs/export-policies"
	a.do("POST", eps, map[string]any{"name": "pol2", "svm": map[string]any{"name": "svm2"}}).must(t, http.StatusCreated)
	a.do("POST", eps, map[string]any{"name": "pol0", "svm": map[string]any{"name": id.SVMName}}).must(t, http.StatusCreated)
	r = create("v4", map[string]any{"nas": map[string]any{"export_policy": map[string]any{"name": "pol2"}, "path": "/v4"}}).must(t, http.StatusCreated)
	v4 := r.str("records.0.uuid")
	create("v5", map[string]any{"nas": map[string]any{"export_policy": map[string]any{"name": "pol0"}}}).wantError(t, http.StatusBadRequest, "918271", "nas.export_policy.name")
	a.do("PATCH", vols+"/"+v4+"?return_timeout=10", map[string]any{"nas": map[string]any{"export_policy": map[string]any{"name": "pol0"}}}).
		wantError(t, http.StatusBadRequest, "918271", "nas.export_policy.name")
	a.do("PATCH", vols+"/"+v2+"?return_timeout=10", map[string]any{"nas": map[string]any{"export_policy": map[string]any{"name": "default"}}}).must(t, http.StatusOK)
	a.do("POST", vols, map[string]any{"name": "v6", "svm": map[string]any{"name": id.SVMName}, "aggregates": aggr,
		"nas": map[string]any{"export_policy": map[string]any{"name": "pol2"}}}).wantError(t, http.StatusBadRequest, "918271", "nas.export_policy.name")
	// The policy a svm2 volume uses is in use; the cluster SVM's
	// policy of the same name is not.
	r = a.do("GET", eps+"?name=pol2&fields=id", nil).must(t, http.StatusOK)
	a.do("DELETE", eps+"/"+jsonNumber(r.get("records.0.id")), nil).wantError(t, http.StatusConflict, "1703945", "id")

	// QoS policies are the volume's SVM's too.
	a.do("POST", "/api/storage/qos/policies?return_timeout=10", map[string]any{"name": "gold0", "svm": map[string]any{"name": id.SVMName}}).must(t, http.StatusCreated)
	a.do("POST", "/api/storage/qos/policies?return_timeout=10", map[string]any{"name": "gold2", "svm": map[string]any{"name": "svm2"}}).must(t, http.StatusCreated)
	create("v7", map[string]any{"qos": map[string]any{"policy": map[string]any{"name": "gold0"}}}).wantError(t, http.StatusNotFound, "8454243", "qos.policy.name")
	create("v7", map[string]any{"qos": map[string]any{"policy": map[string]any{"name": "gold2"}}}).must(t, http.StatusCreated)

	// A snapshot names its volume's SVM or none.
	a.do("POST", vols+"/"+v2+"/snapshots?return_timeout=10", map[string]any{"name": "s0", "svm": map[string]any{"name": id.SVMName}}).
		wantError(t, http.StatusNotFound, "4", "svm.name")
	r = a.do("POST", vols+"/"+v2+"/snapshots?return_timeout=10&return_records=true", map[string]any{"name": "s1", "svm": map[string]any{"name": "svm2"}}).must(t, http.StatusCreated)
	if r.str("records.0.name") != "s1" {
		t.Fatalf("snapshot create answer: %s", r.raw)
	}
	r = a.do("GET", vols+"/"+v2+"/snapshots?fields=svm", nil).must(t, http.StatusOK)
	if r.str("records.0.svm.name") != "svm2" {
		t.Fatalf("snapshot of a svm2 volume: %s", r.raw)
	}

	// A clone inherits its parent's SVM; its parent is looked for in its
	// SVM, and a clone in another SVM than its parent's is refused.
	clone := func(name string, svmRef, parentSVM map[string]any) *resp {
		c := map[string]any{"is_flexclone": true, "parent_volume": map[string]any{"name": "v2"}}
		if parentSVM != nil {
			c["parent_svm"] = parentSVM
		}
		return a.do("POST", vols+"?return_records=true&return_timeout=10", map[string]any{"name": name, "svm": svmRef, "clone": c})
	}
	r = clone("c2", map[string]any{"name": "svm2"}, nil).must(t, http.StatusCreated)
	c2 := r.str("records.0.uuid")
	r = a.do("GET", vols+"/"+c2+"?fields=svm,clone", nil).must(t, http.StatusOK)
	if r.str("svm.name") != "svm2" || r.str("clone.parent_svm.name") != "svm2" || r.str("clone.parent_volume.name") != "v2" {
		t.Fatalf("clone of a svm2 volume: %s", r.raw)
	}
	clone("c0", map[string]any{"name": id.SVMName}, nil).wantError(t, http.StatusNotFound, "524601", "clone.parent_volume.name")
	clone("c0", map[string]any{"name": id.SVMName}, map[string]any{"name": "svm2"}).wantError(t, http.StatusBadRequest, "3", "clone.parent_svm.name")

	// Objects inside a svm2 volume: a qtree takes its SVM, and cannot
	// name the cluster's; LUNs stay in the cluster's SVM.
	r = a.do("POST", "/api/storage/qtrees?return_timeout=10&return_records=true", map[string]any{"name": "q2", "volume": map[string]any{"name": "v2"}}).must(t, http.StatusCreated)
	if r.str("records.0.svm.name") != "svm2" {
		t.Fatalf("qtree in a svm2 volume: %s", r.raw)
	}
	a.do("POST", "/api/storage/qtrees", map[string]any{"name": "q3", "volume": map[string]any{"name": "v2"}, "svm": map[string]any{"name": id.SVMName}}).
		wantError(t, http.StatusNotFound, "917525", "volume")
	r = a.do("POST", "/api/storage/quota/rules?return_timeout=10&return_records=true", map[string]any{"volume": map[string]any{"name": "v2"}, "type": "tree", "qtree": map[string]any{"name": "q2"},
		"space": map[string]any{"hard_limit": 1 << 20}})
	if r.status != http.StatusCreated || r.str("records.0.svm.uuid") != svm {
		t.Fatalf("quota rule in a svm2 volume: %d %s", r.status, r.raw)
	}
	lun := map[string]any{"name": "/vol/v2/l1", "svm": map[string]any{"name": id.SVMName}, "os_type": "linux", "space": map[string]any{"size": 1 << 20}}
	a.do("POST", "/api/storage/luns", lun).wantError(t, http.StatusNotFound, "917927", "location.volume.name")
	lun["svm"] = map[string]any{"name": "svm2"}
	a.do("POST", "/api/storage/luns", lun).wantError(t, http.StatusBadRequest, "3", "svm.name")

	// A CIFS share's path is in a volume of its SVM: v4's junction path
	// in svm2, not in the cluster's SVM.
	shares := "/api/protocols/cifs/shares?return_timeout=10"
	for _, v := range []string{id.SVMName, "svm2"} {
		a.do("POST", "/api/protocols/cifs/services?return_timeout=10", map[string]any{"svm": map[string]any{"name": v}, "name": "CIFS_" + v}).must(t, http.StatusCreated)
	}
	a.do("POST", shares, map[string]any{"name": "sh2", "path": "/v4", "svm": map[string]any{"name": "svm2"}}).must(t, http.StatusCreated)
	a.do("POST", shares, map[string]any{"name": "sh0", "path": "/v4", "svm": map[string]any{"name": id.SVMName}}).wantError(t, http.StatusBadRequest, "655551", "path")

	// A rename shows in the volumes' records and filters.
	a.do("PATCH", "/api/svm/svms/"+svm+"?return_timeout=10", map[string]any{"name": "svm3"}).must(t, http.StatusOK)
	r = a.do("GET", vols+"/"+v2+"?fields=svm", nil).must(t, http.StatusOK)
	if r.str("svm.name") != "svm3" || r.str("svm.uuid") != svm {
		t.Fatalf("after rename: %s", r.raw)
	}
	if r := a.do("GET", vols+"?svm.name=svm3", nil).must(t, http.StatusOK); r.get("num_records") != 5.0 {
		t.Fatalf("list svm.name=svm3: %s", r.raw)
	}
	if r := a.do("GET", vols+"?svm.name=svm2", nil).must(t, http.StatusOK); r.get("num_records") != 0.0 {
		t.Fatalf("list by the old name: %s", r.raw)
	}

	// The SVM cannot be deleted while it holds a volume.
	a.do("DELETE", "/api/svm/svms/"+svm+"?return_timeout=10", nil).wantError(t, http.StatusConflict, "8", "uuid")
	a.do("DELETE", vols+"/"+c2+"?return_timeout=10", nil).must(t, http.StatusOK) // the clone first
	a.do("DELETE", vols+"?svm.uuid="+svm+"&return_timeout=10", nil).must(t, http.StatusOK)
	if r := a.do("GET", vols+"?svm.uuid="+svm, nil).must(t, http.StatusOK); r.get("num_records") != 0.0 {
		t.Fatalf("after deleting svm3's volumes: %s", r.raw)
	}
	a.do("DELETE", "/api/svm/svms/"+svm+"?return_timeout=10", nil).must(t, http.StatusOK)
	if r := a.do("GET", vols+"?svm.name="+id.SVMName, nil).must(t, http.StatusOK); r.get("num_records") != 1.0 {
		t.Fatalf("the cluster SVM's volume: %s", r.raw)
	}
}
