package server_test

import (
	"net/http"
	"testing"
)

// TestSVMs: SVMs are created, renamed and deleted as jobs with ONTAP's
// name rules; the identity's SVM stays.
func TestSVMs(t *testing.T) {
	a := newAPI(t)
	id := a.srv.API.Identity()
	svms := "/api/svm/svms"
	r := a.do("POST", svms+"?return_records=true", map[string]any{"name": "svm1", "comment": "second", "aggregates": []any{map[string]any{"name": "aggr1"}},
		"nfs": map[string]any{"enabled": true}, "iscsi": map[string]any{"enabled": false}}).must(t, http.StatusAccepted)
	if j := a.waitJob(r); j.str("state") != "success" {
		t.Fatalf("%s", j.raw)
	}
	svm := r.str("records.0.uuid")
	if svm == "" || r.header.Get("Location") != svms+"/"+svm {
		t.Fatalf("%s", r.raw)
	}
	r = a.do("GET", svms+"?name=svm1&fields=subtype,aggregates,language,snapshot_policy,ipspace,comment,nfs,cifs,fcp,iscsi,nvme,state,max_volumes", nil).must(t, http.StatusOK)
	if r.get("num_records") != 1.0 || r.str("records.0.state") != "running" || r.str("records.0.comment") != "second" ||
		r.get("records.0.nfs.allowed") != true || r.get("records.0.iscsi.enabled") != false || r.str("records.0.aggregates.0.name") != "aggr1" {
		t.Fatalf("%s", r.raw)
	}
	if r := a.do("GET", svms, nil).must(t, http.StatusOK); r.get("num_records") != 2.0 {
		t.Fatalf("%s", r.raw)
	}
	// A taken name fails in the job, as on ONTAP.
	r = a.do("POST", svms, map[string]any{"name": "SVM1"}).must(t, http.StatusAccepted)
	if j := a.waitJob(r); j.str("state") != "failure" || j.str("error.code") != "13434908" {
		t.Fatalf("%s", j.raw)
	}
	a.do("POST", svms+"?return_timeout=5", map[string]any{"name": id.SVMName}).wantError(t, http.StatusConflict, "13434908", "name")
	a.do("POST", svms, map[string]any{"name": "1svm"}).wantError(t, http.StatusBadRequest, "2621519", "name")
	a.do("POST", svms, map[string]any{"name": "s", "aggregates": []any{map[string]any{"name": "aggr9"}}}).wantError(t, http.StatusNotFound, "917508", "aggregates")
	a.do("POST", svms, map[string]any{"comment": "c"}).wantError(t, http.StatusBadRequest, "2", "name")

	a.do("PATCH", svms+"/"+svm+"?return_timeout=5", map[string]any{"name": "svm2", "comment": "renamed", "cifs": map[string]any{"allowed": true}}).must(t, http.StatusOK)
	r = a.do("GET", svms+"/"+svm+"?fields=name,comment,cifs", nil).must(t, http.StatusOK)
	if r.str("name") != "svm2" || r.str("comment") != "renamed" || r.get("cifs.allowed") != true {
		t.Fatalf("%s", r.raw)
	}
	a.do("PATCH", svms+"/"+id.SVMUUID, map[string]any{"comment": "x"}).wantError(t, http.StatusConflict, "8", "uuid")
	a.do("DELETE", svms+"/"+id.SVMUUID, nil).wantError(t, http.StatusConflict, "8", "uuid")
	r = a.do("DELETE", svms+"/"+svm, nil).must(t, http.StatusAccepted)
	if j := a.waitJob(r); j.str("state") != "success" {
		t.Fatalf("%s", j.raw)
	}
	a.do("GET", svms+"/"+svm, nil).wantError(t, http.StatusNotFound, "4", "uuid")
	a.do("DELETE", svms+"/"+svm, nil).wantError(t, http.StatusNotFound, "4", "uuid")
}
