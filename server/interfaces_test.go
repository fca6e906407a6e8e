package server_test

import (
	"net/http"
	"testing"
)

// TestInterfaces: LIFs are created on the cluster's node with services
// from their service policy, found by the filters Trident uses, renamed,
// disabled and deleted; names and addresses are unique; the identity's LIF
// stays.
func TestInterfaces(t *testing.T) {
	a := newAPI(t)
	id := a.srv.API.Identity()
	lifs := "/api/network/ip/interfaces"
	body := func(name, addr string) map[string]any {
		return map[string]any{"name": name, "ip": map[string]any{"address": addr, "netmask": "24"}, "svm": map[string]any{"name": "svm0"},
			"location":       map[string]any{"home_node": map[string]any{"name": id.NodeName}, "home_port": map[string]any{"name": "e0a"}},
			"service_policy": map[string]any{"name": "default-data-blocks"}}
	}
	r := a.do("POST", lifs+"?return_records=true", body("iscsi1", "10.1.0.5")).must(t, http.StatusCreated)
	lif := r.str("records.0.uuid")
	if lif == "" || r.header.Get("Location") != lifs+"/"+lif {
		t.Fatalf("%s", r.raw)
	}
	r = a.do("GET", lifs+"?services=data_iscsi&svm.uuid="+id.SVMUUID+"&fields=ip.address,state", nil).must(t, http.StatusOK)
	if r.get("num_records") != 2.0 {
		t.Fatalf("iSCSI LIFs: %s", r.raw)
	}
	r = a.do("GET", lifs+"/"+lif+"?fields=**", nil).must(t, http.StatusOK)
	if r.str("state") != "up" || r.str("ip.family") != "ipv4" || r.str("service_policy.name") != "default-data-blocks" ||
		r.str("location.home_port.name") != "e0a" || r.str("svm.name") != "svm0" || r.str("location.node.name") != id.NodeName {
		t.Fatalf("%s", r.raw)
	}
	a.do("POST", lifs, body("iscsi1", "10.1.0.6")).wantError(t, http.StatusConflict, "1966140", "name")
	a.do("POST", lifs, body("iscsi2", "10.1.0.5")).wantError(t, http.StatusConflict, "1376963", "ip.address")
	a.do("POST", lifs, body("x", "10.1.0.0")).wantError(t, http.StatusBadRequest, "53281073", "ip.address")
	bad := body("x", "10.1.0.7")
	delete(bad, "svm")
	a.do("POST", lifs, bad).wantError(t, http.StatusBadRequest, "1967127", "svm.name")
	bad = body("x", "10.1.0.7")
	bad["location"] = map[string]any{"home_node": map[string]any{"name": "node9"}}
	a.do("POST", lifs, bad).wantError(t, http.StatusNotFound, "4", "location.home_node.name")
	bad = body("x", "10.1.0.7")
	bad["services"] = []any{"data_nfs"}
	a.do("POST", lifs, bad).wantError(t, http.StatusBadRequest, "262196", "services")

	// netapp.ontap names the service policy by a bare string.
	r = a.do("POST", lifs+"?return_records=true", map[string]any{"name": "byname", "ip": map[string]any{"address": "10.1.0.8", "netmask": "255.255.255.0"},
		"svm": map[string]any{"name": "svm0"}, "location": map[string]any{"home_port": map[string]any{"name": "e0a", "node": map[string]any{"name": id.NodeName}}},
		"service_policy": "default-data-iscsi"}).must(t, http.StatusCreated)
	byName := r.str("records.0.uuid")
	if r.str("records.0.service_policy.name") != "default-data-iscsi" || r.str("records.0.ip.netmask") != "24" {
		t.Fatalf("%s", r.raw)
	}
	a.do("DELETE", lifs+"/"+byName, nil).must(t, http.StatusOK)
	a.do("PATCH", lifs+"/"+lif, map[string]any{"name": "iscsi9", "enabled": false, "service_policy": map[string]any{"name": "default-data-files"}}).must(t, http.StatusOK)
	r = a.do("GET", lifs+"/"+lif+"?fields=name,state,services", nil).must(t, http.StatusOK)
	if r.str("name") != "iscsi9" || r.str("state") != "down" || r.str("services.1") != "data_nfs" {
		t.Fatalf("%s", r.raw)
	}
	a.do("PATCH", lifs+"/"+lif, map[string]any{"ip": map[string]any{"address": "127.0.0.1"}}).wantError(t, http.StatusConflict, "1376963", "ip.address")
	a.do("PATCH", lifs+"/"+id.LIFUUID, map[string]any{"enabled": false}).wantError(t, http.StatusConflict, "8", "uuid")
	a.do("DELETE", lifs+"/"+id.LIFUUID, nil).wantError(t, http.StatusConflict, "8", "uuid")
	a.do("DELETE", lifs+"/"+lif, nil).must(t, http.StatusOK)
	a.do("GET", lifs+"/"+lif, nil).wantError(t, http.StatusNotFound, "4", "uuid")
	if r := a.do("GET", lifs, nil).must(t, http.StatusOK); r.get("num_records") != 1.0 {
		t.Fatalf("%s", r.raw)
	}
}
