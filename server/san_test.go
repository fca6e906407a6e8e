package server_test

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"testing"
)

const (
	iqn1 = "iqn.1993-08.org.debian:01:9031309bbebd"
	iqn2 = "iqn.1993-08.org.debian:01:aaaa0000bbbb"
)

// TestSANTridentFlow drives the requests Trident's ontap-san driver sends,
// in its order: the SVM's iSCSI service and default credential, a LUN in
// a volume, an igroup with an initiator, a map, the reporting nodes, then
// unmap, destroy and cleanup.
func TestSANTridentFlow(t *testing.T) {
	a := newAPI(t)
	svm := a.srv.API.Identity().SVMUUID

	// Initialize.
	r := a.do("GET", "/api/protocols/san/iscsi/credentials?fields=svm.name,chap.inbound.user,chap.outbound.user,initiator,authentication_type&initiator=default&return_records=true&svm.uuid="+svm, nil).must(t, http.StatusOK)
	if r.get("num_records") != 1.0 || r.str("records.0.authentication_type") != "none" || r.str("records.0.svm.name") != "svm0" {
		t.Fatalf("default credential: %s", r.raw)
	}
	r = a.do("GET", "/api/protocols/san/iscsi/services/"+svm+"?fields=target.name", nil).must(t, http.StatusOK)
	if r.str("target.name") == "" {
		t.Fatalf("iSCSI target name: %s", r.raw)
	}
	r = a.do("GET", "/api/protocols/san/iscsi/services?fields=target.name,enabled&return_records=true&svm.uuid="+svm, nil).must(t, http.StatusOK)
	if r.get("num_records") != 1.0 || r.get("records.0.enabled") != true {
		t.Fatalf("iSCSI services: %s", r.raw)
	}
	r = a.do("GET", "/api/protocols/san/igroups?fields=&name=*&svm.uuid="+svm, nil).must(t, http.StatusOK)
	if r.get("num_records") != 0.0 {
		t.Fatalf("igroups: %s", r.raw)
	}

	// netapp.ontap's SAN modules first ask whether this is an ASA r2.
	r = a.do("GET", "/api/private/cli/debug/smdb/table/OntapMode", nil).must(t, http.StatusOK)
	if r.get("num_records") != 1.0 || r.get("records.0.ASA_R2") != false || r.get("records.0.ASA_NEXT") != false {
		t.Fatalf("OntapMode: %s", r.raw)
	}

	// Create: a volume, then the LUN in it.
	a.createVolume("trident_pvc_1", map[string]any{"size": 2 << 30})
	path := "/vol/trident_pvc_1/lun0"
	r = a.do("POST", "/api/storage/luns?return_records=true", map[string]any{"name": path, "os_type": "linux",
		"space": map[string]any{"size": 1 << 30}, "svm": map[string]any{"uuid": svm}}).must(t, http.StatusCreated)
	lun := r.str("records.0.uuid")
	if lun == "" || r.header.Get("Location") != "/api/storage/luns/"+lun {
		t.Fatalf("LUN create: %s (Location %q)", r.raw, r.header.Get("Location"))
	}
	r = a.do("GET", "/api/storage/luns?fields=lun_maps.igroup.name,lun_maps.logical_unit_number,space.size,comment,qos_policy.name,status.mapped,location.volume.name,create_time,enabled,serial_number,status.state,os_type&name="+url.QueryEscape(path)+"&svm.uuid="+svm, nil).must(t, http.StatusOK)
	if r.get("num_records") != 1.0 || r.get("records.0.space.size") != float64(1<<30) || len(r.str("records.0.serial_number")) != 12 ||
		r.get("records.0.status.mapped") != false || r.str("records.0.location.volume.name") != "trident_pvc_1" || r.str("records.0.os_type") != "linux" {
		t.Fatalf("LUN list: %s", r.raw)
	}
	// Attributes (Trident stores the filesystem type and its context).
	a.do("POST", "/api/storage/luns/"+lun+"/attributes", map[string]any{"name": "com.netapp.ndvp.fstype", "value": "ext4"}).must(t, http.StatusCreated)
	a.do("POST", "/api/storage/luns/"+lun+"/attributes", map[string]any{"name": "com.netapp.ndvp.fstype", "value": "xfs"}).wantError(t, http.StatusConflict, "5374930", "name")
	a.do("PATCH", "/api/storage/luns/"+lun+"/attributes/com.netapp.ndvp.fstype", map[string]any{"value": "xfs"}).must(t, http.StatusOK)
	r = a.do("GET", "/api/storage/luns?fields=attributes.name,attributes.value&name="+url.QueryEscape(path), nil).must(t, http.StatusOK)
	if r.str("records.0.attributes.0.value") != "xfs" {
		t.Fatalf("attributes: %s", r.raw)
	}

	// Publish: igroup, initiator, map.
	r = a.do("POST", "/api/protocols/san/igroups?return_records=true", map[string]any{"name": "node1-trident", "protocol": "iscsi", "os_type": "linux",
		"svm": map[string]any{"uuid": svm}}).must(t, http.StatusCreated)
	ig := r.str("records.0.uuid")
	if r.get("num_records") != 1.0 || ig == "" {
		t.Fatalf("igroup create: %s", r.raw)
	}
	a.do("POST", "/api/protocols/san/igroups?return_records=true", map[string]any{"name": "node1-trident", "protocol": "iscsi", "os_type": "linux",
		"svm": map[string]any{"uuid": svm}}).wantError(t, http.StatusConflict, "5374023", "name")
	a.do("POST", "/api/protocols/san/igroups/"+ig+"/initiators", map[string]any{"name": iqn1}).must(t, http.StatusCreated)
	a.do("POST", "/api/protocols/san/igroups/"+ig+"/initiators", map[string]any{"name": iqn1}).wantError(t, http.StatusConflict, "5374035", "name")
	r = a.do("GET", "/api/protocols/san/igroups?fields=initiators.name&name=node1-trident&svm.uuid="+svm, nil).must(t, http.StatusOK)
	if r.str("records.0.initiators.0.name") != iqn1 {
		t.Fatalf("igroup initiators: %s", r.raw)
	}
	r = a.do("GET", "/api/protocols/san/lun-maps?fields=svm,lun,igroup,logical-unit-number&lun.name="+url.QueryEscape(path)+"&igroup.name=node1-trident", nil).must(t, http.StatusOK)
	if r.get("num_records") != 0.0 {
		t.Fatalf("no maps yet: %s", r.raw)
	}
	r = a.do("POST", "/api/protocols/san/lun-maps?return_records=true", map[string]any{"igroup": map[string]any{"name": "node1-trident"},
		"lun": map[string]any{"name": path, "uuid": lun}, "svm": map[string]any{"uuid": svm}}).must(t, http.StatusCreated)
	if r.get("num_records") != 1.0 || r.get("records.0.logical_unit_number") != 0.0 {
		t.Fatalf("map: %s", r.raw)
	}
	r = a.do("GET", "/api/protocols/san/lun-maps?fields=svm,lun,igroup,logical-unit-number&lun.name="+url.QueryEscape(path), nil).must(t, http.StatusOK)
	if r.get("num_records") != 1.0 || r.str("records.0.igroup.name") != "node1-trident" {
		t.Fatalf("maps: %s", r.raw)
	}
	r = a.do("GET", "/api/storage/luns?fields=lun_maps.logical_unit_number,status.mapped&name="+url.QueryEscape(path), nil).must(t, http.StatusOK)
	if r.get("records.0.lun_maps.0.logical_unit_number") != 0.0 || r.get("records.0.status.mapped") != true {
		t.Fatalf("LUN maps on the LUN: %s", r.raw)
	}
	r = a.do("GET", "/api/protocols/san/lun-maps/"+lun+"/"+ig+"/reporting-nodes", nil).must(t, http.StatusOK)
	if r.get("num_records") != 1.0 || r.str("records.0.name") == "" {
		t.Fatalf("reporting nodes: %s", r.raw)
	}

	// A mapped LUN and a mapped igroup stay unless asked.
	a.do("DELETE", "/api/storage/luns/"+lun, nil).wantError(t, http.StatusConflict, "1254197", "")
	a.do("DELETE", "/api/protocols/san/igroups/"+ig, nil).wantError(t, http.StatusConflict, "1254213", "")
	a.do("DELETE", "/api/protocols/san/igroups/"+ig+"/initiators/"+iqn1, nil).wantError(t, http.StatusConflict, "1254213", "")

	// Unpublish and destroy.
	a.do("DELETE", "/api/protocols/san/lun-maps/"+lun+"/"+ig, nil).must(t, http.StatusOK)
	a.do("DELETE", "/api/protocols/san/lun-maps/"+lun+"/"+ig, nil).wantError(t, http.StatusNotFound, "5374922", "")
	a.do("GET", "/api/protocols/san/lun-maps/"+lun+"/"+ig+"/reporting-nodes", nil).wantError(t, http.StatusNotFound, "5374922", "")
	a.do("DELETE", "/api/protocols/san/igroups/"+ig+"/initiators/"+iqn1, nil).must(t, http.StatusOK)
	a.do("DELETE", "/api/storage/luns/"+lun, nil).must(t, http.StatusOK)
	a.do("GET", "/api/storage/luns/"+lun, nil).wantError(t, http.StatusNotFound, "5374875", "uuid")
	a.do("DELETE", "/api/protocols/san/igroups/"+ig, nil).must(t, http.StatusOK)
}

// TestLUNRules pins the LUN rules that need the server: the volume must
// exist and hold the LUN, paths are unique, resizes grow within the
// volume, allow_delete_while_mapped deletes the maps, a volume's deletion
// takes its LUNs.
func TestLUNRules(t *testing.T) {
	a := newAPI(t)
	vol := a.createVolume("lv", map[string]any{"size": 1 << 30})
	post := func(body map[string]any) *resp {
		body["svm"] = map[string]any{"name": "svm0"}
		return a.do("POST", "/api/storage/luns?return_records=true", body)
	}
	post(map[string]any{"name": "/vol/nope/l", "os_type": "linux", "space.size": 1 << 20}).wantError(t, http.StatusNotFound, "917927", "location.volume.name")
	post(map[string]any{"name": "lv/l", "os_type": "linux", "space.size": 1 << 20}).wantError(t, http.StatusBadRequest, "5374127", "name")
	post(map[string]any{"name": "/vol/lv/l", "space.size": 1 << 20}).wantError(t, http.StatusBadRequest, "5374884", "os_type")
	post(map[string]any{"name": "/vol/lv/l", "os_type": "plan9", "space.size": 1 << 20}).wantError(t, http.StatusBadRequest, "2", "os_type")
	a.do("POST", "/api/storage/luns", map[string]any{"name": "/vol/lv/l", "os_type": "linux", "space.size": 1 << 20}).wantError(t, http.StatusBadRequest, "2621707", "")
	// Larger than the volume's free space (1 GiB less the 5% snapshot reserve).
	post(map[string]any{"name": "/vol/lv/big", "os_type": "linux", "space.size": 1 << 30}).wantError(t, http.StatusBadRequest, "5374125", "space.size")
	// By location, with the volume's uuid.
	r := post(map[string]any{"location": map[string]any{"volume": map[string]any{"uuid": vol}, "logical_unit": "a"}, "os_type": "linux", "space.size": 512 << 20}).must(t, http.StatusCreated)
	a1 := r.str("records.0.uuid")
	if r.str("records.0.name") != "/vol/lv/a" {
		t.Fatalf("%s", r.raw)
	}
	post(map[string]any{"name": "/vol/lv/a", "os_type": "linux", "space.size": 1 << 20}).wantError(t, http.StatusConflict, "5374242", "name")
	// The second LUN does not fit beside the first.
	post(map[string]any{"name": "/vol/lv/b", "os_type": "linux", "space.size": 512 << 20}).wantError(t, http.StatusBadRequest, "5374125", "space.size")
	r = post(map[string]any{"name": "/vol/lv/b", "os_type": "windows", "space.size": 256 << 20}).must(t, http.StatusCreated)
	b := r.str("records.0.uuid")
	// Resizes: only up, never to the same size, within the free space.
	a.do("PATCH", "/api/storage/luns/"+b, map[string]any{"space": map[string]any{"size": 256 << 20}}).wantError(t, http.StatusBadRequest, "1254226", "space.size")
	a.do("PATCH", "/api/storage/luns/"+b, map[string]any{"space": map[string]any{"size": 128 << 20}}).wantError(t, http.StatusBadRequest, "5374892", "space.size")
	a.do("PATCH", "/api/storage/luns/"+b, map[string]any{"space": map[string]any{"size": 600 << 20}}).wantError(t, http.StatusBadRequest, "5374125", "space.size")
	a.do("PATCH", "/api/storage/luns/"+b, map[string]any{"space": map[string]any{"size": 300 << 20}, "comment": "grown"}).must(t, http.StatusOK)
	// Rename within the volume; onto an existing path is refused.
	a.do("PATCH", "/api/storage/luns/"+b, map[string]any{"name": "/vol/lv/a"}).wantError(t, http.StatusConflict, "1254196", "name")
	a.do("PATCH", "/api/storage/luns/"+b, map[string]any{"name": "/vol/lv/c"}).must(t, http.StatusOK)
	r = a.do("GET", "/api/storage/luns/"+b+"?fields=name,space.size,comment,location.logical_unit", nil).must(t, http.StatusOK)
	if r.str("name") != "/vol/lv/c" || r.get("space.size") != float64(300<<20) || r.str("comment") != "grown" || r.str("location.logical_unit") != "c" {
		t.Fatalf("%s", r.raw)
	}
	// A clone takes the source's os_type and size; os_type is refused.
	post(map[string]any{"name": "/vol/lv/d", "clone": map[string]any{"source": map[string]any{"name": "/vol/lv/c"}}, "os_type": "linux"}).wantError(t, http.StatusBadRequest, "5374883", "os_type")
	post(map[string]any{"name": "/vol/lv/d", "clone": map[string]any{"source": map[string]any{"name": "/vol/lv/none"}}}).wantError(t, http.StatusNotFound, "5374875", "clone.source")

	// allow_delete_while_mapped deletes the map with the LUN.
	ig := a.do("POST", "/api/protocols/san/igroups?return_records=true", map[string]any{"name": "g", "os_type": "linux", "svm.name": "svm0",
		"initiators": []any{map[string]any{"name": iqn1}}}).must(t, http.StatusCreated).str("records.0.uuid")
	a.do("POST", "/api/protocols/san/lun-maps", map[string]any{"svm.name": "svm0", "lun.uuid": a1, "igroup.uuid": ig}).must(t, http.StatusCreated)
	a.do("DELETE", "/api/storage/luns/"+a1+"?allow_delete_while_mapped=true", nil).must(t, http.StatusOK)
	if r := a.do("GET", "/api/protocols/san/lun-maps", nil).must(t, http.StatusOK); r.get("num_records") != 0.0 {
		t.Fatalf("the map outlived its LUN: %s", r.raw)
	}
	// A volume's rename moves its LUNs' paths.
	r = a.do("PATCH", "/api/storage/volumes/"+vol, map[string]any{"name": "lv2"}).must(t, http.StatusAccepted)
	if j := a.waitJob(r); j.str("state") != "success" {
		t.Fatalf("%s", j.raw)
	}
	r = a.do("GET", "/api/storage/luns/"+b+"?fields=name,location.volume.name", nil).must(t, http.StatusOK)
	if r.str("name") != "/vol/lv2/c" || r.str("location.volume.name") != "lv2" {
		t.Fatalf("after the volume's rename: %s", r.raw)
	}
	// Deleting the volume deletes its LUNs.
	r = a.do("DELETE", "/api/storage/volumes/"+vol, nil).must(t, http.StatusAccepted)
	if j := a.waitJob(r); j.str("state") != "success" {
		t.Fatalf("%s", j.raw)
	}
	if r := a.do("GET", "/api/storage/luns", nil).must(t, http.StatusOK); r.get("num_records") != 0.0 {
		t.Fatalf("LUNs outlived their volume: %s", r.raw)
	}
}

// TestLUNMapRules: numbers are the lowest free per igroup, unique in it,
// 0..4095; one map per LUN and igroup; both must exist in the SVM.
func TestLUNMapRules(t *testing.T) {
	a := newAPI(t)
	a.createVolume("mv", map[string]any{"size": 1 << 30})
	var luns []string
	for _, n := range []string{"l0", "l1", "l2", "l3"} {
		luns = append(luns, a.do("POST", "/api/storage/luns?return_records=true", map[string]any{"name": "/vol/mv/" + n, "os_type": "linux",
			"space.size": 1 << 20, "svm.name": "svm0"}).must(t, http.StatusCreated).str("records.0.uuid"))
	}
	g1 := a.do("POST", "/api/protocols/san/igroups?return_records=true", map[string]any{"name": "g1", "os_type": "linux", "svm.name": "svm0"}).must(t, http.StatusCreated).str("records.0.uuid")
	a.do("POST", "/api/protocols/san/igroups", map[string]any{"name": "g2", "os_type": "linux", "svm.name": "svm0"}).must(t, http.StatusCreated)
	mapLUN := func(lun, igroup string, n any) *resp {
		body := map[string]any{"svm.name": "svm0", "lun.uuid": lun, "igroup.name": igroup}
		if n != nil {
			body["logical_unit_number"] = n
		}
		return a.do("POST", "/api/protocols/san/lun-maps?return_records=true", body)
	}
	num := func(r *resp) any { return r.must(t, http.StatusCreated).get("records.0.logical_unit_number") }
	if n := num(mapLUN(luns[0], "g1", 1)); n != 1.0 {
		t.Fatalf("requested number: %v", n)
	}
	if n := num(mapLUN(luns[1], "g1", nil)); n != 0.0 {
		t.Fatalf("lowest free: %v", n)
	}
	if n := num(mapLUN(luns[2], "g1", nil)); n != 2.0 {
		t.Fatalf("next free: %v", n)
	}
	if n := num(mapLUN(luns[0], "g2", nil)); n != 0.0 {
		t.Fatalf("numbers are per igroup: %v", n)
	}
	mapLUN(luns[3], "g1", 2).wantError(t, http.StatusConflict, "1", "logical_unit_number")
	mapLUN(luns[3], "g1", 4096).wantError(t, http.StatusBadRequest, "2", "logical_unit_number")
	mapLUN(luns[0], "g1", nil).wantError(t, http.StatusConflict, "1254207", "igroup")
	mapLUN(luns[3], "nope", nil).wantError(t, http.StatusNotFound, "5374878", "igroup")
	mapLUN("11111111-2222-4333-8444-555555555555", "g1", nil).wantError(t, http.StatusNotFound, "1254201", "lun")
	a.do("POST", "/api/protocols/san/lun-maps", map[string]any{"svm.name": "svm0", "igroup.name": "g1"}).wantError(t, http.StatusBadRequest, "5374901", "lun")
	a.do("POST", "/api/protocols/san/lun-maps", map[string]any{"svm.name": "svm0", "lun.uuid": luns[3]}).wantError(t, http.StatusBadRequest, "5374902", "igroup")
	r := a.do("GET", "/api/protocols/san/lun-maps?igroup.name=g1&fields=logical_unit_number&order_by=logical_unit_number", nil).must(t, http.StatusOK)
	if r.get("num_records") != 3.0 || r.get("records.2.logical_unit_number") != 2.0 {
		t.Fatalf("%s", r.raw)
	}
	r = a.do("GET", "/api/protocols/san/lun-maps/"+luns[0]+"/"+g1, nil).must(t, http.StatusOK)
	if r.get("logical_unit_number") != 1.0 || r.str("lun.name") != "/vol/mv/l0" || r.str("igroup.name") != "g1" {
		t.Fatalf("%s", r.raw)
	}
	r = a.do("GET", "/api/protocols/san/igroups/"+g1+"?fields=lun_maps", nil).must(t, http.StatusOK)
	if n, _ := r.get("lun_maps").([]any); len(n) != 3 {
		t.Fatalf("igroup lun_maps: %s", r.raw)
	}
	// allow_delete_while_mapped deletes an igroup with its maps.
	a.do("DELETE", "/api/protocols/san/igroups/"+g1+"?allow_delete_while_mapped=true", nil).must(t, http.StatusOK)
	if r := a.do("GET", "/api/protocols/san/lun-maps", nil).must(t, http.StatusOK); r.get("num_records") != 1.0 {
		t.Fatalf("%s", r.raw)
	}
}

// TestIgroupRules: initiator names and protocols, records in one POST,
// canonical names, renames.
func TestIgroupRules(t *testing.T) {
	a := newAPI(t)
	a.do("POST", "/api/protocols/san/igroups", map[string]any{"name": "g", "svm.name": "svm0"}).wantError(t, http.StatusBadRequest, "2", "os_type")
	a.do("POST", "/api/protocols/san/igroups", map[string]any{"name": "g", "os_type": "linux", "svm.name": "svm0", "protocol": "iscsi",
		"initiators": []any{map[string]any{"name": "20:00:00:25:b5:00:00:0a"}}}).wantError(t, http.StatusBadRequest, "5374039", "name")
	a.do("POST", "/api/protocols/san/igroups", map[string]any{"name": "g", "os_type": "linux", "svm.name": "svm0",
		"initiators": []any{map[string]any{"name": "iqn.2020-13.x"}}}).wantError(t, http.StatusBadRequest, "5373971", "name")
	r := a.do("POST", "/api/protocols/san/igroups?return_records=true", map[string]any{"name": "g", "os_type": "linux", "svm.name": "svm0"}).must(t, http.StatusCreated)
	g := r.str("records.0.uuid")
	if r.str("records.0.protocol") != "mixed" {
		t.Fatalf("default protocol: %s", r.raw)
	}
	a.do("POST", "/api/protocols/san/igroups/"+g+"/initiators", map[string]any{"records": []any{map[string]any{"name": "IQN.1993-08.ORG.DEBIAN:01:9031309BBEBD"}, map[string]any{"name": iqn2}}}).must(t, http.StatusCreated)
	r = a.do("GET", "/api/protocols/san/igroups/"+g+"/initiators", nil).must(t, http.StatusOK)
	if r.get("num_records") != 2.0 || r.str("records.0.name") != iqn1 {
		t.Fatalf("initiators: %s", r.raw)
	}
	a.do("POST", "/api/protocols/san/igroups/"+g+"/initiators", map[string]any{}).wantError(t, http.StatusBadRequest, "5374033", "")
	a.do("DELETE", "/api/protocols/san/igroups/"+g+"/initiators/iqn.1993-08.org.x:none", nil).wantError(t, http.StatusNotFound, "5374034", "name")
	a.do("POST", "/api/protocols/san/igroups", map[string]any{"name": "h", "os_type": "linux", "svm.name": "svm0"}).must(t, http.StatusCreated)
	a.do("PATCH", "/api/protocols/san/igroups/"+g, map[string]any{"name": "h"}).wantError(t, http.StatusConflict, "5374023", "name")
	a.do("PATCH", "/api/protocols/san/igroups/"+g, map[string]any{"protocol": "fcp"}).wantError(t, http.StatusBadRequest, "262196", "protocol")
	a.do("PATCH", "/api/protocols/san/igroups/"+g, map[string]any{"name": "g2", "comment": "c"}).must(t, http.StatusOK)
	if r := a.do("GET", "/api/protocols/san/igroups/"+g+"?fields=name,comment", nil).must(t, http.StatusOK); r.str("name") != "g2" || r.str("comment") != "c" {
		t.Fatalf("%s", r.raw)
	}
	a.do("GET", "/api/protocols/san/igroups/11111111-2222-4333-8444-555555555555", nil).wantError(t, http.StatusNotFound, "5374852", "uuid")
}

// TestISCSIServiceAndCredentials: one service per SVM, deleted only when
// disabled; credentials per initiator with CHAP rules; the default one
// stays.
func TestISCSIServiceAndCredentials(t *testing.T) {
	a := newAPI(t)
	svm := a.srv.API.Identity().SVMUUID
	a.do("POST", "/api/protocols/san/iscsi/services", map[string]any{"svm.uuid": svm}).wantError(t, http.StatusConflict, "5374077", "")
	a.do("DELETE", "/api/protocols/san/iscsi/services/"+svm, nil).wantError(t, http.StatusConflict, "5373960", "")
	creds := "/api/protocols/san/iscsi/credentials"
	a.do("POST", creds, map[string]any{"svm.uuid": svm, "initiator": iqn1, "authentication_type": "chap"}).wantError(t, http.StatusBadRequest, "5374149", "")
	a.do("POST", creds, map[string]any{"svm.uuid": svm, "initiator": iqn1, "authentication_type": "none", "chap": map[string]any{"inbound": map[string]any{"user": "u"}}}).wantError(t, http.StatusBadRequest, "5374900", "")
	a.do("POST", creds, map[string]any{"svm.uuid": svm, "initiator": iqn1, "authentication_type": "chap",
		"chap": map[string]any{"inbound": map[string]any{"user": "u", "password": "secretsecret"}, "outbound": map[string]any{"user": "o", "password": "secretsecret"}}}).wantError(t, http.StatusBadRequest, "5374147", "")
	a.do("POST", creds, map[string]any{"svm.uuid": svm, "initiator": iqn1, "authentication_type": "chap",
		"chap": map[string]any{"inbound": map[string]any{"user": "u", "password": "secretsecret"}}}).must(t, http.StatusCreated)
	a.do("POST", creds, map[string]any{"svm.uuid": svm, "initiator": iqn1, "authentication_type": "deny"}).wantError(t, http.StatusConflict, "5374142", "initiator")
	r := a.do("GET", creds+"/"+svm+"/"+iqn1+"?fields=**", nil).must(t, http.StatusOK)
	if r.str("chap.inbound.user") != "u" || r.get("chap.inbound.password") != nil {
		t.Fatalf("a credential's password is never returned: %s", r.raw)
	}
	// Trident's IscsiInitiatorSetDefaultAuth: PATCH the default to CHAP.
	a.do("PATCH", creds+"/"+svm+"/default", map[string]any{"authentication_type": "chap",
		"chap": map[string]any{"inbound": map[string]any{"user": "in", "password": "inpassword12"}, "outbound": map[string]any{"user": "out", "password": "outpassword1"}}}).must(t, http.StatusOK)
	r = a.do("GET", creds+"?initiator=default&fields=authentication_type,chap.outbound.user", nil).must(t, http.StatusOK)
	if r.str("records.0.authentication_type") != "chap" || r.str("records.0.chap.outbound.user") != "out" {
		t.Fatalf("%s", r.raw)
	}
	a.do("PATCH", creds+"/"+svm+"/default", map[string]any{"authentication_type": "none"}).must(t, http.StatusOK)
	a.do("DELETE", creds+"/"+svm+"/default", nil).wantError(t, http.StatusBadRequest, "5374155", "")
	a.do("DELETE", creds+"/"+svm+"/"+iqn1, nil).must(t, http.StatusOK)
	a.do("GET", creds+"/"+svm+"/"+iqn1, nil).wantError(t, http.StatusNotFound, "5374895", "")
	// Disable, then delete; the service and its credentials go.
	a.do("PATCH", "/api/protocols/san/iscsi/services/"+svm, map[string]any{"enabled": false}).must(t, http.StatusOK)
	a.do("DELETE", "/api/protocols/san/iscsi/services/"+svm, nil).must(t, http.StatusOK)
	a.do("GET", "/api/protocols/san/iscsi/services/"+svm, nil).wantError(t, http.StatusNotFound, "5374078", "")
	a.do("POST", creds, map[string]any{"svm.uuid": svm, "initiator": iqn1, "authentication_type": "none"}).wantError(t, http.StatusNotFound, "5374078", "")
	a.do("POST", "/api/protocols/san/iscsi/services", map[string]any{"svm.uuid": svm, "enabled": true}).must(t, http.StatusCreated)
	if r := a.do("GET", creds+"?svm.uuid="+svm, nil).must(t, http.StatusOK); r.get("num_records") != 1.0 {
		t.Fatalf("a new service has its default credential: %s", r.raw)
	}
}

// TestLUNsInFlexClones: a FlexClone holds copies of its parent's LUNs
// (new UUIDs and serial numbers, the clone's path, no maps).
func TestLUNsInFlexClones(t *testing.T) {
	a := newAPI(t)
	vol := a.createVolume("pv", map[string]any{"size": 1 << 30})
	r := a.do("POST", "/api/storage/luns?return_records=true", map[string]any{"name": "/vol/pv/lun0", "os_type": "linux", "space.size": 1 << 20,
		"svm.name": "svm0", "attributes": []any{map[string]any{"name": "fs", "value": "ext4"}}}).must(t, http.StatusCreated)
	src := r.str("records.0.uuid")
	ig := a.do("POST", "/api/protocols/san/igroups?return_records=true", map[string]any{"name": "g", "os_type": "linux", "svm.name": "svm0"}).must(t, http.StatusCreated).str("records.0.uuid")
	a.do("POST", "/api/protocols/san/lun-maps", map[string]any{"svm.name": "svm0", "lun.uuid": src, "igroup.uuid": ig}).must(t, http.StatusCreated)
	r = a.do("POST", "/api/storage/volumes", map[string]any{"name": "cv", "svm.name": "svm0", "clone": map[string]any{"is_flexclone": true,
		"parent_volume": map[string]any{"uuid": vol}}}).must(t, http.StatusAccepted)
	if j := a.waitJob(r); j.str("state") != "success" {
		t.Fatalf("%s", j.raw)
	}
	r = a.do("GET", "/api/storage/luns?name=/vol/cv/*&fields=name,serial_number,os_type,space.size,status.mapped,attributes,location.volume.name", nil).must(t, http.StatusOK)
	if r.get("num_records") != 1.0 || r.str("records.0.name") != "/vol/cv/lun0" || r.str("records.0.uuid") == src || r.get("records.0.status.mapped") != false ||
		r.str("records.0.location.volume.name") != "cv" || r.str("records.0.attributes.0.value") != "ext4" || r.get("records.0.space.size") != float64(1<<20) {
		t.Fatalf("%s", r.raw)
	}
	src0 := a.do("GET", "/api/storage/luns/"+src+"?fields=serial_number", nil).must(t, http.StatusOK).str("serial_number")
	if src0 == r.str("records.0.serial_number") {
		t.Fatal("the clone's LUN must have its own serial number")
	}
}

// TestResetClearsSAN: a Control reset (the backend back to its start)
// also clears the SAN objects, LIFs and SVMs made through the API and
// re-seeds the iSCSI service.
func TestResetClearsSAN(t *testing.T) {
	a := newAPI(t, withOptions(func(o *serverOptions) {
		o.Control.Reset = func(context.Context) error { return nil }
	}))
	a.createVolume("rv", nil)
	a.do("POST", "/api/storage/luns", map[string]any{"name": "/vol/rv/l", "os_type": "linux", "space.size": 1 << 20, "svm.name": "svm0"}).must(t, http.StatusCreated)
	a.do("POST", "/api/protocols/san/igroups", map[string]any{"name": "g", "os_type": "linux", "svm.name": "svm0"}).must(t, http.StatusCreated)
	svm := a.srv.API.Identity().SVMUUID
	a.do("PATCH", "/api/protocols/san/iscsi/services/"+svm, map[string]any{"enabled": false}).must(t, http.StatusOK)
	a.do("POST", "/nessie/v1/reset", nil).must(t, http.StatusOK)
	for _, p := range []string{"/api/storage/luns", "/api/protocols/san/igroups"} {
		if r := a.do("GET", p, nil).must(t, http.StatusOK); r.get("num_records") != 0.0 {
			t.Fatalf("%s after reset: %s", p, r.raw)
		}
	}
	if r := a.do("GET", "/api/protocols/san/iscsi/services/"+svm+"?fields=enabled", nil).must(t, http.StatusOK); r.get("enabled") != true {
		t.Fatalf("%s", r.raw)
	}
}

// TestIgroupDeleteOnUnmap: an igroup created with delete_on_unmap=true
// goes with its last map's delete, not before; one without it stays.
func TestIgroupDeleteOnUnmap(t *testing.T) {
	a := newAPI(t)
	a.createVolume("dv", map[string]any{"size": 1 << 30})
	var luns []string
	for _, n := range []string{"l0", "l1"} {
		luns = append(luns, a.do("POST", "/api/storage/luns?return_records=true", map[string]any{"name": "/vol/dv/" + n, "os_type": "linux",
			"space.size": 1 << 20, "svm.name": "svm0"}).must(t, http.StatusCreated).str("records.0.uuid"))
	}
	gone := a.do("POST", "/api/protocols/san/igroups?return_records=true", map[string]any{"name": "gone", "os_type": "linux", "svm.name": "svm0",
		"delete_on_unmap": true}).must(t, http.StatusCreated).str("records.0.uuid")
	stays := a.do("POST", "/api/protocols/san/igroups?return_records=true", map[string]any{"name": "stays", "os_type": "linux", "svm.name": "svm0"}).
		must(t, http.StatusCreated).str("records.0.uuid")
	for _, l := range luns {
		for _, g := range []string{gone, stays} {
			a.do("POST", "/api/protocols/san/lun-maps", map[string]any{"svm.name": "svm0", "lun.uuid": l, "igroup.uuid": g}).must(t, http.StatusCreated)
		}
	}
	for i, l := range luns {
		for _, g := range []string{gone, stays} {
			a.do("DELETE", "/api/protocols/san/lun-maps/"+l+"/"+g, nil).must(t, http.StatusOK)
		}
		if i == 0 {
			a.do("GET", "/api/protocols/san/igroups/"+gone, nil).must(t, http.StatusOK) // one map left
		}
	}
	a.do("GET", "/api/protocols/san/igroups/"+gone, nil).wantError(t, http.StatusNotFound, "5374852", "uuid")
	a.do("GET", "/api/protocols/san/igroups/"+stays, nil).must(t, http.StatusOK)
}

// TestInitiatorLinks: an initiator read from its igroup's sub-collection,
// or inline in the igroup, links to itself.
func TestInitiatorLinks(t *testing.T) {
	a := newAPI(t)
	ig := a.do("POST", "/api/protocols/san/igroups?return_records=true", map[string]any{"name": "g", "os_type": "linux", "svm.name": "svm0",
		"initiators": []any{map[string]any{"name": iqn1}}}).must(t, http.StatusCreated).str("records.0.uuid")
	want := "/api/protocols/san/igroups/" + ig + "/initiators/" + iqn1
	if got := a.do("GET", "/api/protocols/san/igroups/"+ig+"/initiators", nil).must(t, http.StatusOK).str("records.0._links.self.href"); got != want {
		t.Errorf("sub-collection link %q, want %q", got, want)
	}
	if got := a.do("GET", "/api/protocols/san/igroups/"+ig+"?fields=initiators", nil).must(t, http.StatusOK).str("initiators.0._links.self.href"); got != want {
		t.Errorf("inline link %q, want %q", got, want)
	}
}

// TestSANInClusterSVMOnly: the SAN objects are served in the cluster's
// SVM (the one with the volumes); an SVM created over REST starts
// without an iSCSI service and cannot hold an igroup or a credential.
func TestSANInClusterSVMOnly(t *testing.T) {
	a := newAPI(t)
	a.do("POST", "/api/svm/svms?return_timeout=10", map[string]any{"name": "s2"}).must(t, http.StatusCreated)
	if r := a.do("GET", "/api/protocols/san/iscsi/services?fields=svm.name", nil).must(t, http.StatusOK); r.get("num_records") != 1.0 || r.str("records.0.svm.name") != "svm0" {
		t.Fatalf("iSCSI services: %s", r.raw)
	}
	a.do("POST", "/api/protocols/san/igroups", map[string]any{"name": "g", "os_type": "linux", "svm.name": "s2"}).wantError(t, http.StatusBadRequest, "3", "svm.name")
	a.do("POST", "/api/protocols/san/iscsi/services", map[string]any{"svm.name": "s2"}).wantError(t, http.StatusBadRequest, "3", "svm.name")
	a.do("POST", "/api/protocols/san/igroups", map[string]any{"name": "g", "os_type": "linux", "svm.name": "svm0"}).must(t, http.StatusCreated)
}

// TestLUNsFollowSnapshots: a LUN is a file of its volume, so a snapshot
// holds the LUNs as they were. A FlexClone of an older snapshot gets the
// LUNs of then (sizes then, no LUN made since, a LUN deleted since); a
// clone that makes its own snapshot gets the LUNs now. A restore makes the
// snapshot's LUNs the volume's again: a resized LUN gets its old size and
// keeps its maps, a LUN made since goes with its map, a deleted LUN comes
// back (same UUID and serial, unmapped), under the volume's current name.
func TestLUNsFollowSnapshots(t *testing.T) {
	a := newAPI(t)
	vol := a.createVolume("pv", map[string]any{"size": 1 << 30})
	mkLUN := func(path string, size int) (string, string) {
		r := a.do("POST", "/api/storage/luns?return_records=true", map[string]any{"name": path, "os_type": "linux", "space.size": size, "svm.name": "svm0"}).must(t, http.StatusCreated)
		id := r.str("records.0.uuid")
		return id, a.do("GET", "/api/storage/luns/"+id+"?fields=serial_number", nil).must(t, http.StatusOK).str("serial_number")
	}
	lun0, _ := mkLUN("/vol/pv/lun0", 1<<20)
	lunX, serialX := mkLUN("/vol/pv/lunX", 1<<20)
	ig := a.do("POST", "/api/protocols/san/igroups?return_records=true", map[string]any{"name": "g", "os_type": "linux", "svm.name": "svm0"}).must(t, http.StatusCreated).str("records.0.uuid")
	mapLUN := func(lun string) {
		a.do("POST", "/api/protocols/san/lun-maps", map[string]any{"svm.name": "svm0", "lun.uuid": lun, "igroup.uuid": ig}).must(t, http.StatusCreated)
	}
	mapLUN(lun0)
	a.createSnapshot(vol, "s1")

	// After s1: lun0 grows, lun1 is made and mapped, lunX is deleted.
	a.do("PATCH", "/api/storage/luns/"+lun0, map[string]any{"space.size": 2 << 20}).must(t, http.StatusOK)
	lun1, _ := mkLUN("/vol/pv/lun1", 1<<20)
	mapLUN(lun1)
	a.do("DELETE", "/api/storage/luns/"+lunX, nil).must(t, http.StatusOK)

	luns := func(glob string) map[string]float64 {
		r := a.do("GET", "/api/storage/luns?fields=space.size&name="+url.QueryEscape(glob), nil).must(t, http.StatusOK)
		out := map[string]float64{}
		for i := 0; i < int(r.get("num_records").(float64)); i++ {
			out[r.str("records."+strconv.Itoa(i)+".name")] = r.get("records." + strconv.Itoa(i) + ".space.size").(float64)
		}
		return out
	}
	clone := func(name string, snap map[string]any) {
		c := map[string]any{"is_flexclone": true, "parent_volume": map[string]any{"uuid": vol}}
		if snap != nil {
			c["parent_snapshot"] = snap
		}
		if j := a.waitJob(a.do("POST", "/api/storage/volumes", map[string]any{"name": name, "svm.name": "svm0", "clone": c}).must(t, http.StatusAccepted)); j.str("state") != "success" {
			t.Fatalf("clone %s: %s", name, j.raw)
		}
	}
	clone("c1", map[string]any{"name": "s1"})
	if got, want := luns("/vol/c1/*"), map[string]float64{"/vol/c1/lun0": 1 << 20, "/vol/c1/lunX": 1 << 20}; !maps.Equal(got, want) {
		t.Fatalf("clone of s1 has LUNs %v, want %v", got, want)
	}
	clone("c2", nil) // its own snapshot, of the LUNs now
	if got, want := luns("/vol/c2/*"), map[string]float64{"/vol/c2/lun0": 2 << 20, "/vol/c2/lun1": 1 << 20}; !maps.Equal(got, want) {
		t.Fatalf("clone with an implicit snapshot has LUNs %v, want %v", got, want)
	}
	for _, c := range []string{"c1", "c2"} {
		id := a.do("GET", "/api/storage/volumes?name="+c, nil).must(t, http.StatusOK).str("records.0.uuid")
		if j := a.waitJob(a.do("DELETE", "/api/storage/volumes/"+id, nil).must(t, http.StatusAccepted)); j.str("state") != "success" {
			t.Fatalf("delete %s: %s", c, j.raw)
		}
	}

	// Restore to s1 under a new volume name.
	a.waitJob(a.do("PATCH", "/api/storage/volumes/"+vol, map[string]any{"name": "pv2"}).must(t, http.StatusAccepted))
	if j := a.waitJob(a.do("PATCH", "/api/storage/volumes/"+vol+"?restore_to.snapshot.name=s1", nil).must(t, http.StatusAccepted)); j.str("state") != "success" {
		t.Fatalf("restore: %s", j.raw)
	}
	if got, want := luns("/vol/pv2/*"), map[string]float64{"/vol/pv2/lun0": 1 << 20, "/vol/pv2/lunX": 1 << 20}; !maps.Equal(got, want) {
		t.Fatalf("after the restore the LUNs are %v, want %v", got, want)
	}
	r := a.do("GET", "/api/storage/luns/"+lun0+"?fields=status.mapped,lun_maps", nil).must(t, http.StatusOK)
	if r.get("status.mapped") != true || r.str("lun_maps.0.igroup.name") != "g" {
		t.Fatalf("the restored lun0 lost its map: %s", r.raw)
	}
	r = a.do("GET", "/api/storage/luns/"+lunX+"?fields=status.mapped,serial_number,location.volume.name", nil).must(t, http.StatusOK)
	if r.get("status.mapped") != false || r.str("serial_number") != serialX || r.str("location.volume.name") != "pv2" {
		t.Fatalf("the deleted lunX came back as %s", r.raw)
	}
	a.do("GET", "/api/storage/luns/"+lun1, nil).wantError(t, http.StatusNotFound, "5374875", "uuid")
	if r := a.do("GET", "/api/protocols/san/lun-maps?igroup.name=g&fields=lun.name", nil).must(t, http.StatusOK); r.get("num_records") != 1.0 || r.str("records.0.lun.name") != "/vol/pv2/lun0" {
		t.Fatalf("maps after the restore: %s", r.raw)
	}
}

// TestLUNsMadeAfterASnapshotWithoutLUNs: a snapshot of a volume without
// LUNs records nothing, yet holds no LUN: a LUN made later is not in a
// clone of it and goes when the volume is restored to it.
func TestLUNsMadeAfterASnapshotWithoutLUNs(t *testing.T) {
	a := newAPI(t)
	vol := a.createVolume("pv", map[string]any{"size": 1 << 30})
	a.createSnapshot(vol, "empty")
	lun := a.do("POST", "/api/storage/luns?return_records=true", map[string]any{"name": "/vol/pv/lun0", "os_type": "linux", "space.size": 1 << 20, "svm.name": "svm0"}).must(t, http.StatusCreated).str("records.0.uuid")
	if j := a.waitJob(a.do("POST", "/api/storage/volumes", map[string]any{"name": "cv", "svm.name": "svm0", "clone": map[string]any{"is_flexclone": true,
		"parent_volume": map[string]any{"uuid": vol}, "parent_snapshot": map[string]any{"name": "empty"}}}).must(t, http.StatusAccepted)); j.str("state") != "success" {
		t.Fatalf("clone: %s", j.raw)
	}
	if r := a.do("GET", "/api/storage/luns?name=/vol/cv/*", nil).must(t, http.StatusOK); r.get("num_records") != 0.0 {
		t.Fatalf("a clone of a snapshot taken before the LUN has LUNs: %s", r.raw)
	}
	if j := a.waitJob(a.do("PATCH", "/api/storage/volumes/"+vol+"?restore_to.snapshot.name=empty", nil).must(t, http.StatusAccepted)); j.str("state") != "success" {
		t.Fatalf("restore: %s", j.raw)
	}
	a.do("GET", "/api/storage/luns/"+lun, nil).wantError(t, http.StatusNotFound, "5374875", "uuid")
}
