package server_test

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/nessie-go/nessie/backend/mem"
	"github.com/nessie-go/nessie/fixture"
	"github.com/nessie-go/nessie/ontaptest"
	"github.com/nessie-go/nessie/server"
)

// populate creates at least one object of every collection a fixture's
// objects section holds, through the API.
func populate(t *testing.T, a *api) {
	t.Helper()
	a.createVolume("pv", map[string]any{"nas": map[string]any{"path": "/pv"}}) // the share's path
	a.createVolume("pv_other", nil)
	pid := a.do("POST", "/api/protocols/nfs/export-policies?return_records=true", `{"name":"pp","svm":{"name":"svm0"}}`).must(t, http.StatusCreated).get("records.0.id")
	rules := fmt.Sprintf("/api/protocols/nfs/export-policies/%.0f", pid)
	steps := []struct {
		method, path, body string
		want               int
	}{
		{"POST", rules + "/rules", `{"clients":[{"match":"10.0.0.0/8"}],"ro_rule":["sys"],"rw_rule":["never"]}`, 201},
		{"POST", rules + "/rules", `{"clients":[{"match":"host1"}]}`, 201},
		{"PATCH", rules, `{"name":"pp2"}`, 200},
		{"POST", "/api/storage/qtrees?return_timeout=10", `{"name":"qq","volume":{"name":"pv"},"export_policy":{"name":"pp2"}}`, 201},
		{"POST", "/api/storage/quota/rules?return_timeout=10", `{"type":"tree","qtree":{"name":"qq"},"volume":{"name":"pv"},"space":{"hard_limit":1073741824}}`, 201},
		{"POST", "/api/protocols/nfs/services", `{"svm":{"name":"svm0"},"protocol":{"v41_enabled":true}}`, 201},
		{"POST", "/api/protocols/cifs/services?return_timeout=10", `{"svm":{"name":"svm0"},"name":"NESSIE","ad_domain":{"fqdn":"example.com","user":"admin","password":"secret"}}`, 201},
		{"POST", "/api/protocols/cifs/shares", `{"svm":{"name":"svm0"},"name":"s1","path":"/pv","comment":"share"}`, 201},
		{"POST", "/api/storage/snapshot-policies", `{"name":"sp1","svm":{"name":"svm0"},"copies":[{"count":4,"schedule":{"name":"hourly"}}]}`, 201},
		{"POST", "/api/cluster/schedules", `{"name":"s30","interval":"PT30M"}`, 201},
		{"POST", "/api/storage/qos/policies?return_timeout=10", `{"name":"gold","svm":{"name":"svm0"},"fixed":{"max_throughput_iops":5000}}`, 201},
		{"POST", "/api/storage/volume-efficiency-policies", `{"name":"e1","svm":{"name":"svm0"},"schedule":{"name":"daily"}}`, 201},
		{"POST", "/api/storage/luns", `{"name":"/vol/pv/l1","svm":{"name":"svm0"},"os_type":"linux","space":{"size":1048576}}`, 201},
		{"POST", "/api/protocols/san/igroups", `{"name":"g1","svm":{"name":"svm0"},"os_type":"linux","protocol":"iscsi","initiators":[{"name":"iqn.1993-08.org.debian:01:abc","comment":"node 1"}]}`, 201},
		{"POST", "/api/protocols/san/lun-maps", `{"svm":{"name":"svm0"},"lun":{"name":"/vol/pv/l1"},"igroup":{"name":"g1"},"logical_unit_number":3}`, 201},
		{"POST", "/api/protocols/san/iscsi/credentials", `{"svm":{"name":"svm0"},"initiator":"iqn.1993-08.org.debian:01:abc","authentication_type":"none"}`, 201},
		{"POST", "/api/svm/svms?return_timeout=10", `{"name":"svm1","comment":"second","aggregates":[{"name":"aggr1"}]}`, 201},
		{"POST", "/api/network/ip/interfaces", `{"name":"iscsi1","ip":{"address":"10.1.0.5","netmask":"24"},"svm":{"name":"svm0"},"location":{"home_port":{"name":"e0a"}},"service_policy":{"name":"default-data-blocks"}}`, 201},
		{"PATCH", "/api/storage/volumes?name=pv&return_timeout=10", `{"nas":{"export_policy":{"name":"pp2"}}}`, 200},
	}
	for _, s := range steps {
		a.do(s.method, s.path, s.body).must(t, s.want)
	}
}

func state(t *testing.T, a *api) string {
	t.Helper()
	return string(a.do("GET", "/nessie/v1/state", nil).must(t, http.StatusOK).raw)
}

// loaded starts a server from a fixture document, as `nessie serve
// --load` does, with identity id (zero: a new one).
func loaded(t *testing.T, doc string, id server.Identity) *api {
	t.Helper()
	f, err := fixture.ParseFixture("state.yaml", []byte(doc))
	if err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	return newAPI(t, func(o *ontaptest.Options) {
		o.Fixture, o.Objects, o.Origin, o.Server.Identity = f.State, server.ObjectGroups(f.Objects), f.Origin, id
	})
}

// TestObjectsRoundTrip: a state with an object of every collection, SAN
// included, exported (GET /nessie/v1/state), loaded into a server with
// the same identity and exported again, is the same document; loaded into
// a server with another identity, it is the same but for the built-in
// UUIDs, which are the new server's; a reset returns to it.
func TestObjectsRoundTrip(t *testing.T) {
	a := newAPI(t)
	populate(t, a)
	doc := state(t, a)
	for _, c := range server.ObjectCollections() {
		if !strings.Contains(doc, "\n  "+c+":") {
			t.Errorf("the state has no %s collection:\n%s", c, doc)
		}
	}
	for _, want := range []string{"pp2", "host1", "qq", "hard_limit", "NESSIE", "s1", "sp1", "s30", "gold", "e1", "/vol/pv/l1",
		"iqn.1993-08.org.debian:01:abc", "logical_unit_number: 3", "svm1", "iscsi1", "origin:"} {
		if !strings.Contains(doc, want) {
			t.Errorf("the state lacks %q:\n%s", want, doc)
		}
	}
	if strings.Contains(doc, "_links") || strings.Contains(doc, "secret") {
		t.Errorf("the state holds _links or the CIFS password:\n%s", doc)
	}

	id := a.srv.API.Identity()
	b := loaded(t, doc, id)
	if got := state(t, b); got != doc {
		t.Fatalf("export, load, export changed the document:\n%s\n---\n%s", doc, got)
	}

	c := loaded(t, doc, server.Identity{})
	other := c.srv.API.Identity()
	got := state(t, c)
	if strings.Contains(got, id.SVMUUID) || strings.Contains(got, strings.ReplaceAll(id.SVMUUID, "-", "")) || strings.Contains(got, id.NodeUUID) {
		t.Fatalf("another daemon's built-in UUIDs survived the load:\n%s", got)
	}
	var back []string
	for _, p := range [][2]string{{other.ClusterUUID, id.ClusterUUID}, {other.NodeUUID, id.NodeUUID}, {other.SVMUUID, id.SVMUUID},
		{other.AggregateUUID, id.AggregateUUID}, {other.LIFUUID, id.LIFUUID}} {
		back = append(back, p[0], p[1], strings.ReplaceAll(p[0], "-", ""), strings.ReplaceAll(p[1], "-", ""))
	}
	if strings.NewReplacer(back...).Replace(got) != doc {
		t.Fatalf("loaded by another daemon, the objects changed beyond the built-in UUIDs:\n%s\n---\n%s", doc, got)
	}
	// The objects work there: the LUN is mapped, the qtree's policy is
	// the loaded one.
	r := c.do("GET", "/api/storage/luns?fields=status.mapped,svm.uuid&name=/vol/pv/l1", nil).must(t, http.StatusOK)
	if r.get("records.0.status.mapped") != true || r.str("records.0.svm.uuid") != other.SVMUUID {
		t.Fatalf("the loaded LUN: %s", r.raw)
	}

	// An exporter whose SVM had another name: references to it by UUID
	// take the loading daemon's name.
	renamed := loaded(t, strings.ReplaceAll(doc, "name: svm0", "name: vs_old"), server.Identity{})
	r = renamed.do("GET", "/api/storage/qtrees?name=qq&fields=svm", nil).must(t, http.StatusOK)
	if r.str("records.0.svm.name") != "svm0" {
		t.Fatalf("a reference to the exporter's renamed SVM: %s", r.raw)
	}

	// Reset: changes to objects are undone.
	b.do("POST", "/api/protocols/nfs/export-policies", `{"name":"extra","svm":{"name":"svm0"}}`).must(t, http.StatusCreated)
	q := b.do("GET", "/api/storage/qtrees?name=qq&fields=volume.uuid,id", nil).must(t, http.StatusOK)
	b.do("DELETE", fmt.Sprintf("/api/storage/qtrees/%s/%.0f?return_timeout=10", q.str("records.0.volume.uuid"), q.get("records.0.id")), nil).must(t, http.StatusOK)
	if state(t, b) == doc {
		t.Fatal("the changes did not change the state")
	}
	b.srv.Reset(t)
	if got := state(t, b); got != doc {
		t.Fatalf("reset did not return to the loaded objects:\n%s\n---\n%s", doc, got)
	}
}

// TestObjectsAbsentAndPartial: without an objects section a server has
// the built-ins; a section that lists some collections has exactly those
// records there and the built-ins elsewhere.
func TestObjectsAbsentAndPartial(t *testing.T) {
	builtin := state(t, newAPI(t))
	a := loaded(t, "nessie: fixture/v1\nvolumes: []\n", server.Identity{})
	if got := state(t, a); dropUUIDs(got) != dropUUIDs(builtin) {
		t.Fatalf("no objects section: the built-ins expected:\n%s\n---\n%s", got, builtin)
	}
	b := loaded(t, `nessie: fixture/v1
volumes:
  - name: v1
    uuid: 11111111-2222-4333-8444-555555555555
objects:
  protocols/nfs/export-policies:
    - id: 7
      name: only
      svm: {name: svm0}
      rules:
        - index: 4
          clients: [{match: 0.0.0.0/0}]
  storage/qtrees:
    - id: 1
      name: q1
      volume: {name: v1}
      export_policy: {name: only}
`, server.Identity{})
	r := b.do("GET", "/api/protocols/nfs/export-policies?fields=name,rules", nil).must(t, http.StatusOK)
	if r.get("num_records") != 1.0 || r.str("records.0.name") != "only" || r.get("records.0.rules.0.index") != 4.0 {
		t.Fatalf("export policies: %s", r.raw)
	}
	r = b.do("GET", "/api/storage/qtrees?fields=path,security_style&name=q1", nil).must(t, http.StatusOK)
	if r.str("records.0.path") != "/vol/v1/q1" || r.str("records.0.security_style") != "unix" {
		t.Fatalf("a qtree written by hand is completed as a created one: %s", r.raw)
	}
	r = b.do("GET", "/api/storage/snapshot-policies?name=default", nil).must(t, http.StatusOK)
	if r.get("num_records") != 1.0 {
		t.Fatalf("an unlisted collection keeps its built-ins: %s", r.raw)
	}
	// Keys continue past the loaded ones.
	r = b.do("POST", "/api/protocols/nfs/export-policies?return_records=true", `{"name":"next","svm":{"name":"svm0"}}`).must(t, http.StatusCreated)
	if r.get("records.0.id") != 8.0 {
		t.Fatalf("the next policy id: %s, want 8", r.raw)
	}
	r = b.do("POST", "/api/protocols/nfs/export-policies/7/rules?return_records=true", `{"clients":[{"match":"h"}]}`).must(t, http.StatusCreated)
	if r.get("records.0.index") != 5.0 {
		t.Fatalf("the next rule index: %s, want 5", r.raw)
	}
}

// TestObjectErrors: a bad objects section fails with the file, line and
// field, and nothing is loaded.
func TestObjectErrors(t *testing.T) {
	head := "nessie: fixture/v1\nvolumes:\n  - name: v1\n    nas: {export_policy: {name: %s}}\nobjects:\n"
	cases := []struct {
		name, policy, objects string
		line                  int
		field, msg            string
	}{
		{"unknown collection", "default", "  storage/widgets: []\n", 6, "objects.storage/widgets", "unknown collection"},
		{"unknown field", "default", "  storage/qtrees:\n    - id: 1\n      name: q\n      volume: {name: v1}\n      colour: red\n", 10, "objects.storage/qtrees[0].colour", "unknown field"},
		{"wrong type", "default", "  storage/qtrees:\n    - id: 1\n      name: q\n      volume: {name: v1}\n      unix_permissions: lots\n", 10, "objects.storage/qtrees[0].unix_permissions", ""},
		{"missing key", "default", "  storage/luns:\n    - name: /vol/v1/l\n      svm: {name: svm0}\n      location: {volume: {name: v1}}\n", 7, "objects.storage/luns[0].uuid", "missing"},
		{"qtree of a missing volume", "default", "  storage/qtrees:\n    - id: 1\n      name: q\n      volume: {name: gone}\n", 9, "objects.storage/qtrees[0].volume.name", "gone"},
		{"map of a missing LUN", "default", "  protocols/san/igroups:\n    - uuid: 6f1c7e2a-3b4d-4c5e-8f90-a1b2c3d4e5f6\n      name: g\n      os_type: linux\n      svm: {name: svm0}\n  protocols/san/lun-maps:\n    - lun: {name: /vol/v1/nope}\n      igroup: {name: g}\n      logical_unit_number: 0\n",
			12, "objects.protocols/san/lun-maps[0].lun.name", "/vol/v1/nope"},
		{"rule with a bad field", "default", "  protocols/nfs/export-policies:\n    - id: 1\n      name: default\n      rules:\n        - index: 1\n          clients: [{match: x}]\n          nonsense: 1\n", 12,
			"objects.protocols/nfs/export-policies[0].rules[0].nonsense", "unknown field"},
		{"volume's export policy missing", "gold", "  protocols/nfs/export-policies: []\n", 4, "volumes[0].nas.export_policy.name", "gold"},
		{"unknown SVM", "default", "  storage/qtrees:\n    - id: 1\n      name: q\n      volume: {name: v1}\n      svm: {name: svm9}\n", 10, "objects.storage/qtrees[0].svm.name", "svm9"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := strings.Replace(head, "%s", c.policy, 1) + c.objects
			f, err := fixture.ParseFixture("bad.yaml", []byte(doc))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			_, err = server.LoadFixture(f, server.NewIdentity())
			var fe *fixture.Error
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a *fixture.Error\n%s", err, doc)
			}
			if fe.File != "bad.yaml" || fe.Line != c.line || fe.Field != c.field || !strings.Contains(fe.Err.Error(), c.msg) {
				t.Fatalf("got %q (line %d, field %q), want line %d, field %q, %q\n%s", err, fe.Line, fe.Field, c.line, c.field, c.msg, doc)
			}
		})
	}
}

var uuidRE = regexp.MustCompile(`[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}`)

// dropUUIDs blanks every UUID (dashed or not) of a document.
func dropUUIDs(doc string) string { return uuidRE.ReplaceAllString(doc, "UUID") }

// FuzzLoadFixture: any document either fails to load with a located
// *fixture.Error or loads into records a server starts from; it never
// panics.
func FuzzLoadFixture(f *testing.F) {
	if ex, err := os.ReadFile("../fixture/example.yaml"); err == nil {
		f.Add(string(ex))
	}
	f.Add("nessie: fixture/v1\nvolumes: [{name: v}]\nobjects:\n  storage/qtrees: [{id: 1, name: q, volume: {name: v}}]\n")
	f.Add("nessie: fixture/v1\nobjects:\n  protocols/nfs/export-policies: [{id: 3, name: p, rules: [{index: 1, clients: [{match: x}]}]}]\n")
	f.Add("nessie: fixture/v1\nobjects:\n  protocols/san/lun-maps: [{lun: {uuid: x}, igroup: {name: g}, logical_unit_number: 1}]\n")
	f.Add("nessie: fixture/v1\norigin: {svm: {name: a, uuid: 6f1c7e2a-3b4d-4c5e-8f90-a1b2c3d4e5f6}}\nobjects:\n  svm/svms: [{uuid: 6f1c7e2a-3b4d-4c5e-8f90-a1b2c3d4e5f6, name: s}]\n")
	id := server.NewIdentity()
	f.Fuzz(func(t *testing.T, doc string) {
		fx, err := fixture.ParseFixture("f.yaml", []byte(doc))
		if err != nil {
			return
		}
		recs, err := server.LoadFixture(fx, id)
		if err != nil {
			var fe *fixture.Error
			if !errors.As(err, &fe) {
				t.Fatalf("not a *fixture.Error: %T %v", err, err)
			}
			return
		}
		s, err := server.New(memBackendWith(t, fx), &server.Options{Identity: id, Control: server.Control{Objects: recs}})
		if err != nil {
			t.Fatalf("a server does not start from loaded objects: %v", err)
		}
		s.Close()
	})
}

// memBackendWith is a mem backend holding a fixture's volumes.
func memBackendWith(t *testing.T, fx *fixture.Fixture) *mem.Backend {
	b := memBackend()
	if err := b.Restore(t.Context(), fx.State); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestLoadedSnapshotsHoldTheLoadedLUNs: a fixture carries no record of
// the LUNs a snapshot holds, so a loaded snapshot of a volume holding LUNs
// holds them as loaded: a FlexClone of it has them, after a reset too.
func TestLoadedSnapshotsHoldTheLoadedLUNs(t *testing.T) {
	a := newAPI(t)
	vol := a.createVolume("sv", map[string]any{"size": 1 << 30})
	a.do("POST", "/api/storage/luns", `{"name":"/vol/sv/l1","svm":{"name":"svm0"},"os_type":"linux","space":{"size":1048576}}`).must(t, http.StatusCreated)
	a.createSnapshot(vol, "snap")
	b := loaded(t, state(t, a), server.Identity{})
	clone := func(name string) {
		t.Helper()
		if j := b.waitJob(b.do("POST", "/api/storage/volumes", map[string]any{"name": name, "svm.name": "svm0", "clone": map[string]any{"is_flexclone": true,
			"parent_volume": map[string]any{"name": "sv"}, "parent_snapshot": map[string]any{"name": "snap"}}}).must(t, http.StatusAccepted)); j.str("state") != "success" {
			t.Fatalf("clone %s: %s", name, j.raw)
		}
		if r := b.do("GET", "/api/storage/luns?name=/vol/"+name+"/*", nil).must(t, http.StatusOK); r.get("num_records") != 1.0 || r.str("records.0.name") != "/vol/"+name+"/l1" {
			t.Fatalf("a clone of the loaded snapshot: %s", r.raw)
		}
	}
	clone("c1")
	b.srv.Reset(t)
	clone("c2")
}

// TestFixtureSVMObjects: a fixture's SVMs load before its objects, so an
// object may belong to one; an SVM the objects give no default export
// policy gets one.
func TestFixtureSVMObjects(t *testing.T) {
	const second = "6f1c7e2a-3b4d-4c5e-8f90-a1b2c3d4e5f6"
	a := loaded(t, "nessie: fixture/v1\nobjects:\n  svm/svms: [{uuid: "+second+", name: fx}]\n"+
		"  protocols/nfs/services: [{svm: {name: fx}}]\n", server.Identity{})
	r := a.do("GET", "/api/protocols/nfs/export-policies?fields=svm.name&order_by=svm.name", nil).must(t, http.StatusOK)
	if r.get("num_records") != 2.0 || r.str("records.0.svm.name") != "fx" {
		t.Fatalf("export policies: %s", r.raw)
	}
	if r := a.do("GET", "/api/protocols/nfs/services/"+second, nil).must(t, http.StatusOK); r.str("svm.name") != "fx" {
		t.Fatalf("NFS service: %s", r.raw)
	}
}
