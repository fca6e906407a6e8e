package daemon

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// objectPaths are the collections of the generic object store, read with
// every field.
var objectPaths = []string{
	"/api/protocols/nfs/export-policies",
	"/api/storage/qtrees",
	"/api/storage/quota/rules",
	"/api/protocols/nfs/services",
	"/api/protocols/cifs/services",
	"/api/protocols/cifs/shares",
	"/api/storage/snapshot-policies",
	"/api/cluster/schedules",
	"/api/storage/qos/policies",
	"/api/storage/volume-efficiency-policies",
}

// readObjects returns every object collection (and the rules of the
// given export policies) as served.
func readObjects(t *testing.T, d *daemonRun, cfg Config, policies ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	paths := append([]string(nil), objectPaths...)
	for _, p := range policies {
		paths = append(paths, "/api/protocols/nfs/export-policies/"+p+"/rules")
	}
	for _, p := range paths {
		code, body := do(t, d, cfg, "GET", p+"?fields=**", "")
		if code != 200 {
			t.Fatalf("GET %s: %d %s", p, code, body)
		}
		out[p] = body
	}
	return out
}

// must sends a request and fails the test unless it answers want.
func must(t *testing.T, d *daemonRun, cfg Config, want int, method, path, body string) string {
	t.Helper()
	code, got := do(t, d, cfg, method, path, body)
	if code != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, code, got, want)
	}
	return got
}

// TestDurableKeepsObjects: one object of every kind of the generic object
// store, changed, renamed and partly deleted (a cascade included), reads
// back identically after a restart, and integer keys are not reused.
func TestDurableKeepsObjects(t *testing.T) {
	cfg := durableConfig(t)
	d := start(t, cfg, nil)
	must(t, d, cfg, 201, "POST", "/api/storage/volumes?return_timeout=30", `{"name":"pv","size":104857600,"svm":{"name":"svm0"},"aggregates":[{"name":"aggr1"}],"nas":{"path":"/pv"}}`)
	policyID := func(body string) string {
		var r struct{ Records []struct{ ID int64 } }
		if err := json.Unmarshal([]byte(body), &r); err != nil || len(r.Records) != 1 {
			t.Fatalf("policy answer %s: %v", body, err)
		}
		return strconv.FormatInt(r.Records[0].ID, 10)
	}
	pp := policyID(must(t, d, cfg, 201, "POST", "/api/protocols/nfs/export-policies?return_records=true", `{"name":"pp","svm":{"name":"svm0"}}`))
	gone := policyID(must(t, d, cfg, 201, "POST", "/api/protocols/nfs/export-policies?return_records=true", `{"name":"gone","svm":{"name":"svm0"}}`))
	for _, m := range []string{"10.0.0.0/8", "10.1.0.1", "host1"} {
		must(t, d, cfg, 201, "POST", "/api/protocols/nfs/export-policies/"+pp+"/rules", `{"clients":[{"match":"`+m+`"}],"ro_rule":["sys"],"rw_rule":["never"]}`)
		must(t, d, cfg, 201, "POST", "/api/protocols/nfs/export-policies/"+gone+"/rules", `{"clients":[{"match":"`+m+`"}]}`)
	}
	must(t, d, cfg, 200, "DELETE", "/api/protocols/nfs/export-policies/"+pp+"/rules/2", "")
	must(t, d, cfg, 200, "PATCH", "/api/protocols/nfs/export-policies/"+pp, `{"name":"pp2"}`)
	must(t, d, cfg, 200, "DELETE", "/api/protocols/nfs/export-policies/"+gone, "") // and its rules
	must(t, d, cfg, 201, "POST", "/api/storage/qtrees?return_timeout=10", `{"name":"qq","volume":{"name":"pv"},"export_policy":{"name":"pp2"}}`)
	must(t, d, cfg, 201, "POST", "/api/storage/quota/rules?return_timeout=10", `{"type":"tree","qtree":{"name":"qq"},"volume":{"name":"pv"},"space":{"hard_limit":1073741824}}`)
	must(t, d, cfg, 201, "POST", "/api/protocols/nfs/services", `{"svm":{"name":"svm0"},"protocol":{"v41_enabled":true}}`)
	must(t, d, cfg, 201, "POST", "/api/protocols/cifs/services?return_timeout=10", `{"svm":{"name":"svm0"},"name":"NESSIE","ad_domain":{"fqdn":"example.com","user":"admin","password":"secret"}}`)
	must(t, d, cfg, 201, "POST", "/api/protocols/cifs/shares", `{"svm":{"name":"svm0"},"name":"s1","path":"/pv","comment":"share"}`)
	must(t, d, cfg, 201, "POST", "/api/storage/snapshot-policies", `{"name":"sp1","svm":{"name":"svm0"},"copies":[{"count":4,"schedule":{"name":"hourly"}}]}`)
	must(t, d, cfg, 201, "POST", "/api/cluster/schedules", `{"name":"s30","interval":"PT30M"}`)
	must(t, d, cfg, 201, "POST", "/api/storage/qos/policies?return_timeout=10", `{"name":"gold","svm":{"name":"svm0"},"fixed":{"max_throughput_iops":5000,"min_throughput_iops":100}}`)
	must(t, d, cfg, 201, "POST", "/api/storage/volume-efficiency-policies", `{"name":"e1","svm":{"name":"svm0"},"schedule":{"name":"daily"}}`)
	before := readObjects(t, d, cfg, pp)
	for _, want := range []string{`"pp2"`, `"qq"`, `"NESSIE"`, `"s1"`, `"sp1"`, `"s30"`, `"gold"`, `"e1"`, `"host1"`} {
		found := false
		for _, body := range before {
			found = found || strings.Contains(body, want)
		}
		if !found {
			t.Fatalf("%s was not created: %v", want, before)
		}
	}
	if strings.Contains(before["/api/protocols/nfs/export-policies"], `"gone"`) {
		t.Fatalf("the deleted policy is still served: %v", before)
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	// The domain password is used, not kept: it is not in the file.
	if raw, err := os.ReadFile(filepath.Join(cfg.DataDir, StoreFile)); err != nil || bytes.Contains(raw, []byte("secret")) {
		t.Fatalf("the store file holds the CIFS domain password (read error %v)", err)
	}

	d = start(t, cfg, nil)
	after := readObjects(t, d, cfg, pp)
	for p, b := range before {
		if after[p] != b {
			t.Fatalf("%s changed across the restart:\n%s\nthen\n%s", p, b, after[p])
		}
	}
	// Integer keys continue: a new rule does not take a deleted or kept
	// index of its policy, a new policy not a kept id.
	body := must(t, d, cfg, 201, "POST", "/api/protocols/nfs/export-policies/"+pp+"/rules?return_records=true", `{"clients":[{"match":"10.9.9.9"}]}`)
	if !strings.Contains(body, `"index":4`) {
		t.Fatalf("rule after restart: %s, want index 4", body)
	}
	if id := policyID(must(t, d, cfg, 201, "POST", "/api/protocols/nfs/export-policies?return_records=true", `{"name":"new","svm":{"name":"svm0"}}`)); id == pp || id == gone {
		t.Fatalf("a new policy took the id %s of an earlier one (%s, %s)", id, pp, gone)
	}
	// A reset returns to the built-ins, and that too survives a restart.
	must(t, d, cfg, 200, "POST", "/nessie/v1/reset", "")
	reset := readObjects(t, d, cfg)
	if strings.Contains(reset["/api/protocols/nfs/export-policies"], `"pp2"`) || !strings.Contains(reset["/api/protocols/nfs/export-policies"], `"default"`) {
		t.Fatalf("after reset: %s", reset["/api/protocols/nfs/export-policies"])
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	d = start(t, cfg, nil)
	for p, b := range readObjects(t, d, cfg) {
		if reset[p] != b {
			t.Fatalf("%s changed across the restart after a reset:\n%s\nthen\n%s", p, reset[p], b)
		}
	}
}

// sidePaths are the SAN, SVM and LIF collections.
var sidePaths = []string{
	"/api/storage/luns",
	"/api/protocols/san/igroups",
	"/api/protocols/san/lun-maps",
	"/api/protocols/san/iscsi/services",
	"/api/protocols/san/iscsi/credentials",
	"/api/svm/svms",
	"/api/network/ip/interfaces",
}

func readSide(t *testing.T, d *daemonRun, cfg Config) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range sidePaths {
		out[p] = must(t, d, cfg, 200, "GET", p+"?fields=**", "")
	}
	return out
}

// TestDurableKeepsSANSVMsAndLIFs: LUNs (with an attribute), an igroup with
// an initiator, a LUN map, an iSCSI credential, an SVM (a job) and a LIF
// read back identically after a restart; the LUNs of a deleted volume (a
// job's side effect) stay deleted.
func TestDurableKeepsSANSVMsAndLIFs(t *testing.T) {
	cfg := durableConfig(t)
	d := start(t, cfg, nil)
	for _, v := range []string{"sv", "dv"} {
		must(t, d, cfg, 201, "POST", "/api/storage/volumes?return_timeout=30", `{"name":"`+v+`","size":2147483648,"svm":{"name":"svm0"},"aggregates":[{"name":"aggr1"}]}`)
	}
	lunUUID := func(body string) string {
		var r struct{ Records []struct{ UUID string } }
		if err := json.Unmarshal([]byte(body), &r); err != nil || len(r.Records) != 1 {
			t.Fatalf("answer %s: %v", body, err)
		}
		return r.Records[0].UUID
	}
	lun := lunUUID(must(t, d, cfg, 201, "POST", "/api/storage/luns?return_records=true", `{"name":"/vol/sv/lun0","os_type":"linux","space":{"size":1073741824},"svm":{"name":"svm0"}}`))
	must(t, d, cfg, 201, "POST", "/api/storage/luns?return_records=true", `{"name":"/vol/dv/lun1","os_type":"linux","space":{"size":1048576},"svm":{"name":"svm0"}}`)
	must(t, d, cfg, 201, "POST", "/api/storage/luns/"+lun+"/attributes", `{"name":"com.netapp.ndvp.fstype","value":"ext4"}`)
	ig := lunUUID(must(t, d, cfg, 201, "POST", "/api/protocols/san/igroups?return_records=true", `{"name":"node1","protocol":"iscsi","os_type":"linux","svm":{"name":"svm0"}}`))
	must(t, d, cfg, 201, "POST", "/api/protocols/san/igroups/"+ig+"/initiators", `{"name":"iqn.1993-08.org.debian:01:abcdef"}`)
	must(t, d, cfg, 201, "POST", "/api/protocols/san/lun-maps", `{"igroup":{"name":"node1"},"lun":{"uuid":"`+lun+`"},"svm":{"name":"svm0"}}`)
	must(t, d, cfg, 201, "POST", "/api/protocols/san/iscsi/credentials", `{"svm":{"name":"svm0"},"initiator":"iqn.1993-08.org.debian:01:abcdef","authentication_type":"chap","chap":{"inbound":{"user":"u","password":"secretsecret"}}}`)
	must(t, d, cfg, 201, "POST", "/api/svm/svms?return_timeout=30", `{"name":"svm1","comment":"second","nfs":{"enabled":true}}`)
	must(t, d, cfg, 201, "POST", "/api/network/ip/interfaces", `{"name":"iscsi1","ip":{"address":"10.1.0.5","netmask":"24"},"svm":{"name":"svm0"},"location":{"home_port":{"name":"e0a"}},"service_policy":{"name":"default-data-blocks"}}`)
	must(t, d, cfg, 200, "DELETE", "/api/storage/volumes?name=dv&return_timeout=30", "")
	before := readSide(t, d, cfg)
	for p, want := range map[string]string{sidePaths[0]: "ndvp.fstype", sidePaths[1]: "abcdef", sidePaths[2]: lun, sidePaths[4]: `"chap"`, sidePaths[5]: `"svm1"`, sidePaths[6]: `"iscsi1"`} {
		if !strings.Contains(before[p], want) {
			t.Fatalf("%s lacks %s before the restart: %s", p, want, before[p])
		}
	}
	if strings.Contains(before[sidePaths[0]], "lun1") {
		t.Fatalf("the LUN of the deleted volume is still there: %s", before[sidePaths[0]])
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	d = start(t, cfg, nil)
	for p, b := range readSide(t, d, cfg) {
		if before[p] != b {
			t.Fatalf("%s changed across the restart:\n%s\nthen\n%s", p, before[p], b)
		}
	}
	// And a reset's return to the built-ins is kept too.
	must(t, d, cfg, 200, "POST", "/nessie/v1/reset", "")
	reset := readSide(t, d, cfg)
	if strings.Contains(reset[sidePaths[5]], "svm1") || strings.Contains(reset[sidePaths[1]], "node1") {
		t.Fatalf("after reset: %v", reset)
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	d = start(t, cfg, nil)
	for p, b := range readSide(t, d, cfg) {
		if reset[p] != b {
			t.Fatalf("%s changed across the restart after a reset:\n%s\nthen\n%s", p, reset[p], b)
		}
	}
}

// TestFixtureLoadDropsSavedObjects: loading a fixture into a durable store
// replaces its volumes and its objects in one commit: the objects saved
// before (a qtree of a volume the fixture removed) are gone, and the
// fixture's are served; a fixture without an objects section starts from
// the built-ins.
func TestFixtureLoadDropsSavedObjects(t *testing.T) {
	cfg := durableConfig(t)
	d := start(t, cfg, nil)
	must(t, d, cfg, 201, "POST", "/api/storage/volumes?return_timeout=30", `{"name":"old","size":104857600,"svm":{"name":"svm0"},"aggregates":[{"name":"aggr1"}]}`)
	must(t, d, cfg, 201, "POST", "/api/storage/qtrees?return_timeout=10", `{"name":"q_old","volume":{"name":"old"}}`)
	must(t, d, cfg, 201, "POST", "/api/protocols/nfs/export-policies", `{"name":"p_old"}`)
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	cfg.Load = "../../fixture/example.yaml"
	d = start(t, cfg, nil)
	q := must(t, d, cfg, 200, "GET", "/api/storage/qtrees?fields=name", "")
	p := must(t, d, cfg, 200, "GET", "/api/protocols/nfs/export-policies?fields=name", "")
	if strings.Contains(q, "q_old") || strings.Contains(p, "p_old") || !strings.Contains(p, `"default"`) ||
		!strings.Contains(q, `"team_a"`) || !strings.Contains(p, `"builders"`) {
		t.Fatalf("after loading a fixture: qtrees %s, policies %s", q, p)
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	cfg.Load = filepath.Join(t.TempDir(), "plain.yaml")
	if err := os.WriteFile(cfg.Load, []byte("nessie: fixture/v1\nvolumes:\n  - name: fresh\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d = start(t, cfg, nil)
	q = must(t, d, cfg, 200, "GET", "/api/storage/qtrees?fields=name", "")
	p = must(t, d, cfg, 200, "GET", "/api/protocols/nfs/export-policies?fields=name", "")
	if strings.Contains(q, "team_a") || strings.Contains(p, "builders") || !strings.Contains(p, `"default"`) {
		t.Fatalf("after loading a fixture without objects: qtrees %s, policies %s", q, p)
	}
}

// TestDurableKeepsSnapshotLUNs: the LUNs a snapshot holds are kept across
// a restart, so a restore after it still gives a LUN its size then.
func TestDurableKeepsSnapshotLUNs(t *testing.T) {
	cfg := durableConfig(t)
	d := start(t, cfg, nil)
	uuidOf := func(body string) string {
		var r struct{ Records []struct{ UUID string } }
		if err := json.Unmarshal([]byte(body), &r); err != nil || len(r.Records) != 1 {
			t.Fatalf("answer %s: %v", body, err)
		}
		return r.Records[0].UUID
	}
	must(t, d, cfg, 201, "POST", "/api/storage/volumes?return_timeout=30", `{"name":"sv","size":2147483648,"svm":{"name":"svm0"},"aggregates":[{"name":"aggr1"}]}`)
	vol := uuidOf(must(t, d, cfg, 200, "GET", "/api/storage/volumes?name=sv", ""))
	lun := uuidOf(must(t, d, cfg, 201, "POST", "/api/storage/luns?return_records=true", `{"name":"/vol/sv/lun0","os_type":"linux","space":{"size":1048576},"svm":{"name":"svm0"}}`))
	must(t, d, cfg, 201, "POST", "/api/storage/volumes/"+vol+"/snapshots?return_timeout=30", `{"name":"s1"}`)
	must(t, d, cfg, 200, "PATCH", "/api/storage/luns/"+lun, `{"space":{"size":2097152}}`)
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	d = start(t, cfg, nil)
	must(t, d, cfg, 200, "PATCH", "/api/storage/volumes/"+vol+"?restore_to.snapshot.name=s1&return_timeout=30", "")
	if got := must(t, d, cfg, 200, "GET", "/api/storage/luns/"+lun+"?fields=space.size", ""); !strings.Contains(got, `"size":1048576`) {
		t.Fatalf("after a restart and a restore the LUN is %s; want its size at the snapshot, 1048576", got)
	}
}

// TestDurableKeepsVolumeSVM: a volume of an SVM created through the API
// is still in that SVM after a restart (its SVM is stored with it), under
// the SVM's current name, and the SVM still cannot be deleted while it
// holds the volume.
func TestDurableKeepsVolumeSVM(t *testing.T) {
	cfg := durableConfig(t)
	d := start(t, cfg, nil)
	body := must(t, d, cfg, 201, "POST", "/api/svm/svms?return_timeout=30&return_records=true", `{"name":"svm1"}`)
	var r struct{ Records []struct{ UUID string } }
	if err := json.Unmarshal([]byte(body), &r); err != nil || len(r.Records) != 1 {
		t.Fatalf("answer %s: %v", body, err)
	}
	svm := r.Records[0].UUID
	must(t, d, cfg, 201, "POST", "/api/storage/volumes?return_timeout=30", `{"name":"v1","size":2147483648,"svm":{"name":"svm1"},"aggregates":[{"name":"aggr1"}]}`)
	must(t, d, cfg, 201, "POST", "/api/storage/volumes?return_timeout=30", `{"name":"v0","size":2147483648,"svm":{"name":"svm0"},"aggregates":[{"name":"aggr1"}]}`)
	must(t, d, cfg, 200, "PATCH", "/api/svm/svms/"+svm+"?return_timeout=30", `{"name":"svm2"}`)
	list := "/api/storage/volumes?fields=svm&order_by=name"
	before := must(t, d, cfg, 200, "GET", list, "")
	if !strings.Contains(before, `"name":"v1","svm":{"name":"svm2","uuid":"`+svm+`"}`) {
		t.Fatalf("before the restart: %s", before)
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	d = start(t, cfg, nil)
	if after := must(t, d, cfg, 200, "GET", list, ""); after != before {
		t.Fatalf("changed across the restart:\n%s\nthen\n%s", before, after)
	}
	if got := must(t, d, cfg, 200, "GET", "/api/storage/volumes?svm.name=svm2", ""); !strings.Contains(got, `"num_records":1`) || !strings.Contains(got, `"v1"`) {
		t.Fatalf("svm.name=svm2 after the restart: %s", got)
	}
	must(t, d, cfg, 409, "DELETE", "/api/svm/svms/"+svm+"?return_timeout=30", "")
}
