package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nessie-go/nessie/server"
)

// TestDiscovery pins the start-up calls of each client (ontap-rest.md
// §1.5) and the fields each needs.
func TestDiscovery(t *testing.T) {
	a := newAPI(t)
	id := a.srv.API.Identity()

	t.Run("Trident/ClusterVersion", func(t *testing.T) {
		r := a.do("GET", "/api/cluster?fields=**", nil).must(t, http.StatusOK)
		if r.get("version.generation") != 9.0 || r.get("version.major") != 16.0 || r.get("version.minor") != 1.0 {
			t.Fatalf("version: %s", r.raw)
		}
		if full := r.str("version.full"); !strings.HasPrefix(full, "NetApp Release 9.16.1: ") || !strings.Contains(full, " UTC ") {
			t.Fatalf("version.full %q", full)
		}
	})
	t.Run("Trident/Personality", func(t *testing.T) {
		r := a.do("GET", "/api/cluster?fields=san_optimized,disaggregated&ignore_unknown_fields=true", nil).must(t, http.StatusOK)
		if r.get("san_optimized") != false || r.get("disaggregated") != false {
			t.Fatalf("%s", r.raw)
		}
	})
	t.Run("Trident/SVMByName", func(t *testing.T) {
		for _, q := range []string{"name=svm0&fields=", "name=*&fields="} {
			r := a.do("GET", "/api/svm/svms?"+q, nil).must(t, http.StatusOK)
			if r.get("num_records") != 1.0 || r.str("records.0.uuid") != id.SVMUUID || r.str("records.0.name") != "svm0" {
				t.Fatalf("%s: %s", q, r.raw)
			}
		}
		r := a.do("GET", "/api/svm/svms?name=other", nil).must(t, http.StatusOK)
		if r.get("num_records") != 0.0 {
			t.Fatalf("%s", r.raw)
		}
	})
	t.Run("Trident/NodeSerial", func(t *testing.T) {
		r := a.do("GET", "/api/cluster/nodes?name=*&fields=serial_number", nil).must(t, http.StatusOK)
		if r.str("records.0.serial_number") != id.NodeSerial || id.NodeSerial == "" {
			t.Fatalf("%s", r.raw)
		}
	})
	t.Run("Trident/SVMAggregatesAndState", func(t *testing.T) {
		r := a.do("GET", "/api/svm/svms/"+id.SVMUUID, nil).must(t, http.StatusOK)
		if r.str("aggregates.0.name") != "aggr1" || r.str("state") != "running" {
			t.Fatalf("%s", r.raw)
		}
	})
	t.Run("Trident/Aggregates", func(t *testing.T) {
		r := a.do("GET", "/api/storage/aggregates?name=*&fields=block_storage.primary.disk_type", nil).must(t, http.StatusOK)
		if r.get("num_records") != 1.0 || r.str("records.0.block_storage.primary.disk_type") == "" {
			t.Fatalf("%s", r.raw)
		}
		r = a.do("GET", "/api/storage/aggregates?name=aggr1&fields=space.footprint,space.block_storage.size,space.block_storage.used", nil).must(t, http.StatusOK)
		if r.get("records.0.space.block_storage.size") == nil || r.get("records.0.space.footprint") == nil {
			t.Fatalf("%s", r.raw)
		}
	})
	t.Run("Trident/DataLIFs", func(t *testing.T) {
		r := a.do("GET", "/api/network/ip/interfaces?services=data_nfs&svm.uuid="+id.SVMUUID+"&fields=ip.address,state", nil).must(t, http.StatusOK)
		if r.get("num_records") != 1.0 || r.str("records.0.state") != "up" || r.str("records.0.ip.address") != "127.0.0.1" {
			t.Fatalf("%s", r.raw)
		}
		// ontap-san's Initialize asks for iSCSI LIFs the same way.
		r = a.do("GET", "/api/network/ip/interfaces?services=data_iscsi&svm.uuid="+id.SVMUUID+"&fields=ip.address,state", nil).must(t, http.StatusOK)
		if r.get("num_records") != 1.0 || r.str("records.0.state") != "up" {
			t.Fatalf("%s", r.raw)
		}
		r = a.do("GET", "/api/network/ip/interfaces?services=data_fc", nil).must(t, http.StatusOK)
		if r.get("num_records") != 0.0 {
			t.Fatalf("a filter on services must match elements: %s", r.raw)
		}
	})
	t.Run("Trident/EMSHeartbeat", func(t *testing.T) {
		r := a.do("POST", "/api/support/ems/application-logs?return_records=true", map[string]any{
			"computer_name": "node", "event_id": 0, "event_source": "trident", "app_version": "25.06", "category": "heartbeat",
			"severity": "notice", "event_description": "ok", "autosupport_required": false,
		}).must(t, http.StatusOK)
		if strings.TrimSpace(string(r.raw)) != "{}" {
			t.Fatalf("%s", r.raw)
		}
	})
	t.Run("Trident/RecoveryQueue", func(t *testing.T) {
		r := a.do("GET", "/api/private/cli/volume/recovery-queue?vserver=svm0&volume=vol*&fields=volume", nil).must(t, http.StatusOK)
		if r.get("num_records") != 0.0 {
			t.Fatalf("%s", r.raw)
		}
		r = a.do("POST", "/api/private/cli/volume/recovery-queue/purge", map[string]any{"vserver": "svm0", "volume": "x"}).must(t, http.StatusAccepted)
		if j := a.waitJob(r); j.str("state") != "success" {
			t.Fatalf("%s", j.raw)
		}
	})
	t.Run("Ansible/Version", func(t *testing.T) {
		r := a.do("GET", "/api/cluster?fields=version", nil).must(t, http.StatusOK)
		for _, f := range []string{"version.full", "version.generation", "version.major", "version.minor", "_links.self.href"} {
			if r.get(f) == nil {
				t.Fatalf("missing %s: %s", f, r.raw)
			}
		}
		if len(r.body) != 2 {
			t.Fatalf("fields=version must return version and _links only: %s", r.raw)
		}
		r = a.do("GET", "/api/svm/svms?name=svm0&fields=subtype,aggregates,language,snapshot_policy,ipspace,comment,nfs,cifs,fcp,iscsi,nvme,state,max_volumes", nil).must(t, http.StatusOK)
		if r.str("records.0.nfs.enabled") != "true" || r.str("records.0.max_volumes") != "unlimited" {
			t.Fatalf("%s", r.raw)
		}
	})
	t.Run("Terraform/Cluster", func(t *testing.T) {
		r := a.do("GET", "/api/cluster", nil).must(t, http.StatusOK)
		for _, f := range []string{"name", "uuid", "version.full", "timezone.name", "management_interfaces.0.ip.address"} {
			if r.get(f) == nil {
				t.Fatalf("missing %s: %s", f, r.raw)
			}
		}
		r = a.do("GET", "/api/cluster/licensing/licenses?fields=name,state,licenses,scope", nil).must(t, http.StatusOK)
		if r.str("records.0.state") != "compliant" || r.get("records.0.licenses.0.serial_number") == nil {
			t.Fatalf("%s", r.raw)
		}
		r = a.do("GET", "/api/svm/svms?name=svm0", nil).must(t, http.StatusOK)
		if r.str("records.0.uuid") != id.SVMUUID || r.get("records.0.state") != nil {
			t.Fatalf("default collection fields are uuid, name and _links: %s", r.raw)
		}
	})
	t.Run("Harvest/Cluster", func(t *testing.T) {
		r := a.do("GET", "/api/cluster?return_records=true&fields=*", nil).must(t, http.StatusOK)
		if r.str("uuid") != id.ClusterUUID {
			t.Fatalf("%s", r.raw)
		}
		a.do("GET", "/api/storage/volumes?return_records=true&max_records=500&ignore_unknown_fields=true&fields=name,nope", nil).must(t, http.StatusOK)
	})
	t.Run("SingleObjects", func(t *testing.T) {
		for _, p := range []string{"/api/cluster/nodes/" + id.NodeUUID, "/api/svm/svms/" + id.SVMUUID, "/api/storage/aggregates/" + id.AggregateUUID, "/api/network/ip/interfaces/" + id.LIFUUID} {
			r := a.do("GET", p, nil).must(t, http.StatusOK)
			if r.str("_links.self.href") != p {
				t.Fatalf("%s: %s", p, r.raw)
			}
			base := p[:strings.LastIndexByte(p, '/')+1]
			a.do("GET", base+"00000000-0000-4000-8000-000000000000", nil).wantError(t, http.StatusNotFound, "4", "uuid")
			a.do("GET", base+"nope", nil).wantError(t, http.StatusNotFound, "2", "uuid")
		}
		r := a.do("GET", "/api/protocols/nfs/export-policies?name=default", nil).must(t, http.StatusOK)
		if r.get("num_records") != 1.0 {
			t.Fatalf("%s", r.raw)
		}
	})
}

func TestIdentityAndVersionOptions(t *testing.T) {
	id := server.NewIdentity()
	id.ClusterName, id.SVMName, id.LIFAddress = "lab", "vs1", "10.0.0.5"
	a := newAPI(t, withOptions(func(o *serverOptions) { o.Identity, o.Version = id, "9.15.1P3" }))
	r := a.do("GET", "/api/cluster", nil).must(t, http.StatusOK)
	if r.str("name") != "lab" || r.str("uuid") != id.ClusterUUID || r.get("version.minor") != 1.0 || r.get("version.major") != 15.0 ||
		!strings.HasPrefix(r.str("version.full"), "NetApp Release 9.15.1P3: ") {
		t.Fatalf("%s", r.raw)
	}
	r = a.do("GET", "/api/svm/svms?fields=name", nil).must(t, http.StatusOK)
	if r.str("records.0.name") != "vs1" {
		t.Fatalf("%s", r.raw)
	}
	if a.srv.API.Identity() != id {
		t.Fatal("Identity() does not report the given identity")
	}
}

func TestNewValidatesOptions(t *testing.T) {
	good := server.Options{Username: "u", Password: "p"}
	bad := map[string]func(*server.Options){
		"bad version":      func(o *server.Options) { o.Version = "nine" },
		"negative ttl":     func(o *server.Options) { o.JobTTL = -1 },
		"negative latency": func(o *server.Options) { o.JobLatency = -1 },
		"negative body":    func(o *server.Options) { o.MaxBodyBytes = -1 },
		"negative jobs":    func(o *server.Options) { o.MaxJobs = -1 },
		"negative headers": func(o *server.Options) { o.MaxHeaderBytes = -1 },
		"bad identity": func(o *server.Options) {
			o.Identity = server.NewIdentity()
			o.Identity.SVMUUID = "x"
		},
		"empty identity name": func(o *server.Options) {
			o.Identity = server.NewIdentity()
			o.Identity.AggregateName = ""
		},
	}
	for name, edit := range bad {
		o := good
		edit(&o)
		if s, err := server.New(memBackend(), &o); err == nil {
			s.Close()
			t.Errorf("%s: New succeeded", name)
		}
	}
	// nil options: ONTAP's default credentials.
	def, err := server.New(memBackend(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer def.Close()
	for _, c := range []struct {
		user, pass string
		want       int
	}{{server.DefaultUsername, server.DefaultPassword, http.StatusOK}, {"", "", http.StatusUnauthorized}, {server.DefaultUsername, "", http.StatusUnauthorized}} {
		req := httptest.NewRequest("GET", "/api/cluster", nil)
		if c.user != "" {
			req.SetBasicAuth(c.user, c.pass)
		}
		rec := httptest.NewRecorder()
		def.ServeHTTP(rec, req)
		if rec.Code != c.want {
			t.Errorf("nil options, credentials %q/%q: %d, want %d", c.user, c.pass, rec.Code, c.want)
		}
	}
	if _, err := server.New(nil, &good); err == nil {
		t.Error("nil backend accepted")
	}
	s, err := server.New(memBackend(), &good)
	if err != nil {
		t.Fatal(err)
	}
	id := s.Identity()
	if id.ClusterName != "nessie" || id.SVMName != "svm0" || id.AggregateName != "aggr1" || id.LIFAddress != "127.0.0.1" || id.NodeSerial == "" {
		t.Errorf("default identity %+v", id)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
}
