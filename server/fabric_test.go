package server_test

import (
	"net/http"
	"regexp"
	"testing"
)

// TestFCPAndNVMeServices pins the FC Protocol and NVMe services: one per
// SVM (5374082, 72089650), enabled by default, addressed by the SVM's
// uuid, disabled before they are deleted (5373960, 72090028), in any SVM.
func TestFCPAndNVMeServices(t *testing.T) {
	a := newAPI(t)
	svm := a.srv.API.Identity().SVMUUID
	other := a.createSVM(t, "svm_fc")
	for _, c := range []struct{ path, dup, enabled string }{
		{"/api/protocols/san/fcp/services", "5374082", "5373960"},
		{"/api/protocols/nvme/services", "72089650", "72090028"},
	} {
		r := a.do("POST", c.path+"?return_records=true", map[string]any{"svm": map[string]any{"name": "svm0"}}).must(t, http.StatusCreated)
		if r.header.Get("Location") != c.path+"/"+svm || r.get("records.0.enabled") != true {
			t.Fatalf("%s: %s %v", c.path, r.raw, r.header)
		}
		a.do("POST", c.path, map[string]any{"svm": map[string]any{"uuid": svm}}).wantError(t, http.StatusConflict, c.dup, "svm.uuid")
		a.do("POST", c.path, map[string]any{"svm": map[string]any{"name": "svm_fc"}, "enabled": false}).must(t, http.StatusCreated)
		if r := a.do("GET", c.path, nil).must(t, http.StatusOK); r.get("num_records") != 2.0 || r.get("records.0.enabled") == nil {
			t.Fatalf("%s: %s", c.path, r.raw)
		}
		if r := a.do("GET", c.path+"?enabled=false&fields=svm.name", nil).must(t, http.StatusOK); r.get("num_records") != 1.0 || r.str("records.0.svm.name") != "svm_fc" {
			t.Fatalf("%s: %s", c.path, r.raw)
		}
		a.do("PATCH", c.path+"/"+svm, map[string]any{"svm": map[string]any{"name": "svm_fc"}}).wantError(t, http.StatusBadRequest, "262196", "svm.name")
		a.do("DELETE", c.path+"/"+svm, nil).wantError(t, http.StatusConflict, c.enabled, "svm.uuid")
		a.do("PATCH", c.path+"/"+svm, map[string]any{"enabled": false}).must(t, http.StatusOK)
		a.do("DELETE", c.path+"/"+svm, nil).must(t, http.StatusOK)
		a.do("GET", c.path+"/"+svm, nil).wantError(t, http.StatusNotFound, "4", "svm.uuid")
		a.do("POST", c.path, map[string]any{"svm": map[string]any{"name": "nosuch"}}).wantError(t, http.StatusNotFound, "2621462", "svm.name")
	}
	// The FC target's node name is a WWNN derived from the SVM.
	r := a.do("GET", "/api/protocols/san/fcp/services/"+other+"?fields=target", nil).must(t, http.StatusOK)
	if !regexp.MustCompile(`^20:00(:[0-9a-f]{2}){6}$`).MatchString(r.str("target.name")) {
		t.Fatalf("FC target name: %s", r.raw)
	}
	// An SVM's services go with it.
	a.do("DELETE", "/api/svm/svms/"+other+"?return_timeout=10", nil).must(t, http.StatusOK)
	if r := a.do("GET", "/api/protocols/nvme/services", nil).must(t, http.StatusOK); r.get("num_records") != 0.0 {
		t.Fatalf("%s", r.raw)
	}
}
