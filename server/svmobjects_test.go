package server_test

import (
	"net/http"
	"strconv"
	"sync"
	"testing"
)

// createSVM creates an SVM through the API and returns its uuid.
func (a *api) createSVM(t *testing.T, name string) string {
	t.Helper()
	r := a.do("POST", "/api/svm/svms?return_records=true&return_timeout=10", map[string]any{"name": name}).must(t, http.StatusCreated)
	id := r.str("records.0.uuid")
	if id == "" {
		t.Fatalf("%s", r.raw)
	}
	return id
}

// TestObjectsInAPICreatedSVMs: an SVM created through the API holds
// objects: it starts with its own "default" export policy, names are
// unique per SVM, references resolve by name or uuid among all SVMs with
// ONTAP's codes, a rename follows into its records, and deleting it
// deletes its objects and LIFs.
func TestObjectsInAPICreatedSVMs(t *testing.T) {
	a := newAPI(t)
	id := a.srv.API.Identity()
	svm := a.createSVM(t, "svm1")
	eps := "/api/protocols/nfs/export-policies"

	// Its built-in default policy, besides the cluster SVM's.
	r := a.do("GET", eps+"?name=default&fields=svm", nil).must(t, http.StatusOK)
	if r.get("num_records") != 2.0 {
		t.Fatalf("%s", r.raw)
	}
	r = a.do("GET", eps+"?svm.name=svm1&fields=name,svm.uuid", nil).must(t, http.StatusOK)
	if r.get("num_records") != 1.0 || r.str("records.0.name") != "default" || r.str("records.0.svm.uuid") != svm {
		t.Fatalf("%s", r.raw)
	}

	// The same name in two SVMs; twice in one SVM is refused.
	a.do("POST", eps, map[string]any{"name": "web", "svm": map[string]any{"name": id.SVMName}}).must(t, http.StatusCreated)
	r = a.do("POST", eps+"?return_records=true", map[string]any{"name": "web", "svm": map[string]any{"uuid": svm}}).must(t, http.StatusCreated)
	web := r.get("records.0.id")
	if r.str("records.0.svm.name") != "svm1" {
		t.Fatalf("%s", r.raw)
	}
	a.do("POST", eps, map[string]any{"name": "web", "svm": map[string]any{"name": "svm1"}}).wantError(t, http.StatusConflict, "1", "name")

	// A rule finds its policy by id; a qtree... lives in a volume, which is
	// in the cluster's SVM only.
	a.do("POST", eps+"/"+jsonNumber(web)+"/rules", map[string]any{"clients": []any{map[string]any{"match": "0.0.0.0/0"}}}).must(t, http.StatusCreated)
	r = a.do("GET", eps+"/"+jsonNumber(web)+"/rules?fields=svm", nil).must(t, http.StatusOK)
	if r.str("records.0.svm.uuid") != svm {
		t.Fatalf("%s", r.raw)
	}

	// References: unknown, mismatched, or absent with two SVMs.
	a.do("POST", eps, map[string]any{"name": "x", "svm": map[string]any{"name": "nope"}}).wantError(t, http.StatusNotFound, "2621462", "svm.name")
	a.do("POST", eps, map[string]any{"name": "x", "svm": map[string]any{"uuid": "7d0e3b4c-1111-4222-8333-944455556666"}}).wantError(t, http.StatusNotFound, "2621462", "svm.uuid")
	a.do("POST", eps, map[string]any{"name": "x", "svm": map[string]any{"name": id.SVMName, "uuid": svm}}).wantError(t, http.StatusBadRequest, "2621706", "svm.name")
	a.do("POST", eps, map[string]any{"name": "x"}).wantError(t, http.StatusBadRequest, "2621707", "svm.name")

	// QoS policy group names are unique in the cluster, not per SVM.
	a.do("POST", "/api/storage/qos/policies?return_timeout=10", map[string]any{"name": "gold", "svm": map[string]any{"name": id.SVMName}}).must(t, http.StatusCreated)
	a.do("POST", "/api/storage/qos/policies?return_timeout=10", map[string]any{"name": "gold", "svm": map[string]any{"name": "svm1"}}).
		wantError(t, http.StatusConflict, "8454154", "name")

	// Services and shares per SVM.
	a.do("POST", "/api/protocols/nfs/services", map[string]any{"svm": map[string]any{"name": "svm1"}}).must(t, http.StatusCreated)
	a.do("GET", "/api/protocols/nfs/services/"+svm, nil).must(t, http.StatusOK)
	a.do("POST", "/api/protocols/nfs/services", map[string]any{"svm": map[string]any{"name": "svm1"}}).wantError(t, http.StatusConflict, "1", "svm.uuid")

	// A qtree of a volume of the cluster's SVM cannot name the second
	// SVM (volumes in the second SVM: volsvm_test.go).
	vol1 := a.createVolume("vol1", nil)
	a.do("POST", "/api/storage/volumes/"+vol1+"/snapshots", map[string]any{"name": "s1", "svm": map[string]any{"name": "svm1"}}).
		wantError(t, http.StatusNotFound, "4", "svm.name")
	a.do("POST", "/api/storage/qtrees", map[string]any{"name": "q1", "volume": map[string]any{"name": "vol1"}, "svm": map[string]any{"name": "svm1"}}).
		wantError(t, http.StatusNotFound, "917525", "volume")
	// Without an svm, a qtree is in its volume's SVM.
	r = a.do("POST", "/api/storage/qtrees?return_timeout=10&return_records=true", map[string]any{"name": "q1", "volume": map[string]any{"name": "vol1"}}).must(t, http.StatusCreated)
	if got := r.str("records.0.svm.name"); got != id.SVMName {
		t.Fatalf("qtree without svm: svm.name %q, want its volume's %q", got, id.SVMName)
	}

	// A LIF in the second SVM.
	r = a.do("POST", "/api/network/ip/interfaces?return_records=true", map[string]any{"name": "lif2", "svm": map[string]any{"name": "svm1"},
		"ip": map[string]any{"address": "10.9.9.9", "netmask": "24"}, "location": map[string]any{"home_node": map[string]any{"name": id.NodeName}}}).must(t, http.StatusCreated)
	lif := r.str("records.0.uuid")
	if r.str("records.0.svm.uuid") != svm {
		t.Fatalf("%s", r.raw)
	}

	// A rename follows into its records.
	a.do("PATCH", "/api/svm/svms/"+svm+"?return_timeout=10", map[string]any{"name": "svm2"}).must(t, http.StatusOK)
	r = a.do("GET", eps+"?svm.name=svm2&fields=name", nil).must(t, http.StatusOK)
	if r.get("num_records") != 2.0 {
		t.Fatalf("%s", r.raw)
	}
	if r := a.do("GET", "/api/network/ip/interfaces/"+lif+"?fields=svm", nil).must(t, http.StatusOK); r.str("svm.name") != "svm2" {
		t.Fatalf("%s", r.raw)
	}

	// A domain-joined CIFS server keeps it (2621525); once gone, deleting
	// the SVM deletes its policies, rules, services and LIFs.
	a.do("POST", "/api/protocols/cifs/services?return_timeout=10", map[string]any{"name": "CIFS2", "svm": map[string]any{"uuid": svm},
		"ad_domain": map[string]any{"fqdn": "example.com", "user": "admin", "password": "secret"}}).must(t, http.StatusCreated)
	r = a.do("DELETE", "/api/svm/svms/"+svm+"?return_timeout=10", nil)
	r.wantError(t, http.StatusConflict, "2621525", "uuid")
	a.do("DELETE", "/api/protocols/cifs/services/"+svm+"?return_timeout=10", map[string]any{"ad_domain": map[string]any{"user": "admin", "password": "secret"}}).must(t, http.StatusOK)
	a.do("DELETE", "/api/svm/svms/"+svm+"?return_timeout=10", nil).must(t, http.StatusOK)
	for _, p := range []string{eps + "?svm.uuid=" + svm, "/api/protocols/nfs/services?svm.uuid=" + svm, "/api/network/ip/interfaces?svm.uuid=" + svm} {
		if r := a.do("GET", p, nil).must(t, http.StatusOK); r.get("num_records") != 0.0 {
			t.Fatalf("%s: %s", p, r.raw)
		}
	}
	if r := a.do("GET", eps+"/"+jsonNumber(web)+"/rules", nil); r.status != http.StatusNotFound {
		t.Fatalf("rules of a deleted SVM's policy: %d %s", r.status, r.raw)
	}
	// The cluster's SVM kept its own "web"; with one SVM again, svm may
	// be left out.
	if r := a.do("GET", eps+"?name=web", nil).must(t, http.StatusOK); r.get("num_records") != 1.0 {
		t.Fatalf("%s", r.raw)
	}
	a.do("POST", eps, map[string]any{"name": "x"}).must(t, http.StatusCreated)
}

// jsonNumber formats a decoded JSON number (an integer key) for a path.
func jsonNumber(v any) string {
	f, _ := v.(float64)
	return strconv.FormatInt(int64(f), 10)
}

// TestSVMPolicyRenameLeavesVolumes: renaming another SVM's export policy
// does not touch the volumes of the cluster's SVM that use a policy of
// the same name.
func TestSVMPolicyRenameLeavesVolumes(t *testing.T) {
	a := newAPI(t)
	id := a.srv.API.Identity()
	a.createSVM(t, "svm1")
	eps := "/api/protocols/nfs/export-policies"
	a.do("POST", eps, map[string]any{"name": "web", "svm": map[string]any{"name": id.SVMName}}).must(t, http.StatusCreated)
	theirs := a.do("POST", eps+"?return_records=true", map[string]any{"name": "web", "svm": map[string]any{"name": "svm1"}}).must(t, http.StatusCreated).get("records.0.id")
	vol := a.createVolume("vweb", map[string]any{"nas": map[string]any{"export_policy": map[string]any{"name": "web"}}})
	a.do("PATCH", eps+"/"+jsonNumber(theirs), map[string]any{"name": "web2"}).must(t, http.StatusOK)
	if r := a.do("GET", "/api/storage/volumes/"+vol+"?fields=nas.export_policy.name", nil).must(t, http.StatusOK); r.str("nas.export_policy.name") != "web" {
		t.Fatalf("%s", r.raw)
	}
	// And it can be deleted while the cluster SVM's "web" is in use.
	a.do("DELETE", eps+"/"+jsonNumber(theirs), nil).must(t, http.StatusOK)
}

// TestSVMDeleteRacesObjects races creates of objects and LIFs in an SVM
// against the SVM's delete: whatever wins, nothing outlives the SVM.
func TestSVMDeleteRacesObjects(t *testing.T) {
	a := newAPI(t)
	id := a.srv.API.Identity()
	for round := range 5 {
		name := "race_svm" + strconv.Itoa(round)
		svm := a.createSVM(t, name)
		var wg sync.WaitGroup
		for i := range 6 {
			wg.Go(func() {
				a.do("POST", "/api/protocols/nfs/export-policies", map[string]any{"name": "p" + strconv.Itoa(i), "svm": map[string]any{"uuid": svm}})
			})
		}
		wg.Go(func() {
			a.do("POST", "/api/network/ip/interfaces", map[string]any{"name": "l" + strconv.Itoa(round), "svm": map[string]any{"uuid": svm},
				"ip": map[string]any{"address": "10.8.8." + strconv.Itoa(round+1), "netmask": "24"}, "location": map[string]any{"home_node": map[string]any{"name": id.NodeName}}})
		})
		wg.Go(func() {
			a.do("POST", "/api/protocols/nfs/services", map[string]any{"svm": map[string]any{"uuid": svm}})
		})
		wg.Go(func() { a.do("DELETE", "/api/svm/svms/"+svm+"?return_timeout=10", nil).must(t, http.StatusOK) })
		wg.Wait()
		for _, p := range []string{"/api/protocols/nfs/export-policies", "/api/protocols/nfs/services", "/api/network/ip/interfaces"} {
			if r := a.do("GET", p+"?svm.uuid="+svm, nil).must(t, http.StatusOK); r.get("num_records") != 0.0 {
				t.Fatalf("%s outlived SVM %s: %s", p, name, r.raw)
			}
		}
	}
}

// TestSnapshotPolicyInUseBySVM: an SVM names an existing snapshot policy
// (13434886), which cannot be deleted (1638430) until the SVM names
// another.
func TestSnapshotPolicyInUseBySVM(t *testing.T) {
	a := newAPI(t)
	sp := a.do("POST", "/api/storage/snapshot-policies?return_records=true", map[string]any{"name": "svm_sp",
		"copies": []any{map[string]any{"count": 1, "schedule": map[string]any{"name": "daily"}}}}).must(t, http.StatusCreated).str("records.0.uuid")
	r := a.do("POST", "/api/svm/svms?return_records=true&return_timeout=10", map[string]any{"name": "svm_sp_user", "snapshot_policy": map[string]any{"name": "svm_sp"}}).
		must(t, http.StatusCreated)
	svm := r.str("records.0.uuid")
	a.do("DELETE", "/api/storage/snapshot-policies/"+sp, nil).wantError(t, http.StatusConflict, "1638430", "uuid")
	a.do("PATCH", "/api/svm/svms/"+svm, map[string]any{"snapshot_policy": map[string]any{"name": "nosuch"}}).wantError(t, http.StatusBadRequest, "13434886", "snapshot_policy.name")
	a.do("POST", "/api/svm/svms", map[string]any{"name": "svm_bad_sp", "snapshot_policy": map[string]any{"name": "nosuch"}}).wantError(t, http.StatusBadRequest, "13434886", "snapshot_policy.name")
	a.do("PATCH", "/api/svm/svms/"+svm+"?return_timeout=10", map[string]any{"snapshot_policy": map[string]any{"name": "default"}}).must(t, http.StatusOK)
	a.do("DELETE", "/api/storage/snapshot-policies/"+sp, nil).must(t, http.StatusOK)
}
