package soak

import (
	"context"
	"flag"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nessie-go/nessie/internal/jsonpath"
	"github.com/nessie-go/nessie/ontaptest"
	"github.com/nessie-go/nessie/reliability/harness"
	"github.com/nessie-go/nessie/server"
)

// The CI run is short; the long run is the same test with flags (or the
// NESSIE_SOAK_* environment variables), e.g.
//
//	go test ./reliability/soak -run TestSoakDaemon -count=1 -timeout 0 -v \
//	    -soak.duration=10m -soak.clients=64 -soak.out=soak.md
var (
	soakDuration = flag.Duration("soak.duration", envDuration("NESSIE_SOAK_DURATION", 2*time.Second), "load phase of TestSoakDaemon")
	soakClients  = flag.Int("soak.clients", envInt("NESSIE_SOAK_CLIENTS", 8), "concurrent clients of TestSoakDaemon")
	soakSeed     = flag.Uint64("soak.seed", uint64(envInt("NESSIE_SOAK_SEED", 0)), "operation-mix seed (0: from the clock)")
	soakURL      = flag.String("soak.url", os.Getenv("NESSIE_SOAK_URL"), "soak an external endpoint (e.g. the built binary) instead of an in-test daemon")
	soakUser     = flag.String("soak.user", envString("NESSIE_SOAK_USER", "admin"), "username for -soak.url")
	soakPassword = flag.String("soak.password", os.Getenv("NESSIE_ADMIN_PASSWORD"), "password for -soak.url")
	soakOut      = flag.String("soak.out", os.Getenv("NESSIE_SOAK_OUT"), "write the Markdown summary to this file")
)

func envDuration(k string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(k)); err == nil {
		return d
	}
	return def
}

func envInt(k string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(k)); err == nil {
		return n
	}
	return def
}

func envString(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// check fails t for every finding of rep and for a run too thin to mean
// anything.
func check(t *testing.T, rep *Report) {
	t.Helper()
	t.Logf("soak summary (seed %d):\n%s", rep.Config.Seed, rep.Summary())
	if *soakOut != "" {
		if err := os.WriteFile(*soakOut, []byte(rep.Summary()), 0o644); err != nil {
			t.Error(err)
		}
	}
	for _, e := range rep.ServerErrors() {
		t.Errorf("5xx: %s", e)
	}
	for _, e := range rep.TransportErrors() {
		t.Errorf("transport: %s", e)
	}
	for _, v := range rep.Violations() {
		t.Errorf("violation: %s", v)
	}
	per, _ := rep.Stats()
	done := map[string]int{}
	for _, s := range per {
		done[s.Op] = s.Count
	}
	for _, m := range mix {
		if done[m.op] == 0 {
			t.Errorf("operation %s never ran: the run is too short to exercise the mix", m.op)
		}
	}
}

// TestSoakDaemon soaks the real daemon (daemon.Run, HTTPS, loopback) or,
// with -soak.url, an external endpoint.
func TestSoakDaemon(t *testing.T) {
	var tgt *harness.Target
	if *soakURL != "" {
		tgt = harness.External(t, *soakURL, *soakUser, *soakPassword, true)
	} else {
		tgt = harness.StartDaemon(t, harness.Config(t)).Target
	}
	rep, err := Run(t.Context(), tgt, Config{Duration: *soakDuration, MinPerOperation: 1, Clients: *soakClients, Seed: *soakSeed})
	if err != nil {
		t.Fatal(err)
	}
	check(t, rep)
}

// TestSoakInProcessWithJobLatency soaks the server in process, where the
// backend's own invariant checker runs too, with every job delayed so
// that 202 answers, running jobs and job polling are exercised under
// contention.
func TestSoakInProcessWithJobLatency(t *testing.T) {
	tgt := harness.InProcess(t, &ontaptest.Options{Server: server.Options{JobLatency: 3 * time.Millisecond}})
	rep, err := Run(t.Context(), tgt, Config{Duration: 1500 * time.Millisecond, MinPerOperation: 1, Clients: 16, Seed: *soakSeed, AsyncShare: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	check(t, rep)
}

// TestVerifyDetectsDisagreement checks that verification can fail: a
// model that claims a volume the server lacks, a deleted volume the
// server still has, a wrong comment and a missing snapshot is caught on
// every count.
func TestVerifyDetectsDisagreement(t *testing.T) {
	tgt := harness.InProcess(t, nil)
	ctx := t.Context()
	mk := func(name string) string {
		r, err := tgt.Do(ctx, http.MethodPost, "/api/storage/volumes?return_timeout=30&return_records=true",
			`{"name":"`+name+`","svm.name":"svm0","aggregates.name":"aggr1","size":1073741824,"comment":"real"}`)
		if err != nil || r.Status != http.StatusCreated {
			t.Fatalf("create %s: %v %v", name, err, r)
		}
		rec, _ := firstRecord(r.Body)
		return jsonpath.String(rec, "uuid")
	}
	kept, stale := mk("kept"), mk("stale")
	mk("phantom")
	c := &client{vols: map[string]*volume{
		kept:                                   {uuid: kept, name: "kept", size: 1 << 30, comment: "claimed", snaps: []snapshot{{uuid: "5e1f0000-0000-4000-8000-000000000001", name: "s1"}}},
		stale:                                  {uuid: stale, name: "stale", size: 1 << 30, comment: "real", deleted: true},
		"0b6c0000-0000-4000-8000-000000000009": {uuid: "0b6c0000-0000-4000-8000-000000000009", name: "lost", size: 1 << 30, comment: "real"},
	}}
	rep := newReport(Config{})
	verify(ctx, tgt, []*client{c}, rep)
	got := rep.Violations()
	for _, want := range []string{"comment", "snapshots", "was deleted (acknowledged) but is listed", "GET of deleted volume",
		"was created (acknowledged) but is not listed", "phantom volume phantom"} {
		found := false
		for _, v := range got {
			if strings.Contains(v, want) {
				found = true
			}
		}
		if !found {
			t.Errorf("no violation mentions %q; got %q", want, got)
		}
	}
}

// TestRunRejectsZeroDuration: a run needs a load phase.
func TestRunRejectsZeroDuration(t *testing.T) {
	if _, err := Run(context.Background(), &harness.Target{}, Config{}); err == nil {
		t.Fatal("Run accepted a zero duration")
	}
}

// TestVerifyObjectsDetectsDisagreement checks that the NAS and SAN part
// of verification can fail: a renamed policy, a rule never made, a
// qtree claimed deleted, a LUN with another comment and a lost map, a
// phantom igroup and a LUN in a volume the model does not know of; a
// snapshot policy's schedules and a QoS policy's limit not as claimed, a
// QoS policy claimed deleted, a volume's junction and policies, a share's
// comment and a share never made, a quota rule's limit, an SVM's name and
// export policies, and phantom snapshot policies, quota rules and SVMs.
func TestVerifyObjectsDetectsDisagreement(t *testing.T) {
	tgt := harness.InProcess(t, nil)
	ctx := t.Context()
	do := func(method, path, body string, want int) map[string]any {
		t.Helper()
		r, err := tgt.Do(ctx, method, path, body)
		if err != nil || r.Status != want {
			t.Fatalf("%s %s: %v %v", method, path, err, r)
		}
		rec, _ := firstRecord(r.Body)
		return rec
	}
	vol := jsonpath.String(do(http.MethodPost, "/api/storage/volumes?return_timeout=30&return_records=true",
		`{"name":"ov","svm.name":"svm0","aggregates.name":"aggr1","size":1073741824}`, http.StatusCreated), "uuid")
	pid, _ := jsonpath.Int(do(http.MethodPost, policiesPath+"?return_records=true", `{"name":"soak_c00_ep1","svm.name":"svm0"}`, http.StatusCreated), "id")
	qid, _ := jsonpath.Int(do(http.MethodPost, qtreesPath+"?return_timeout=30&return_records=true", `{"name":"q1","volume.uuid":"`+vol+`"}`, http.StatusCreated), "id")
	lunID := jsonpath.String(do(http.MethodPost, lunsPath+"?return_records=true",
		`{"name":"/vol/ov/l1","os_type":"linux","space.size":1048576,"comment":"real","svm.name":"svm0"}`, http.StatusCreated), "uuid")
	do(http.MethodPost, lunsPath, `{"name":"/vol/ov/stray","os_type":"linux","space.size":1048576,"svm.name":"svm0"}`, http.StatusCreated)
	do(http.MethodPost, igroupsPath, `{"name":"soak_c00_g9","os_type":"linux","svm.name":"svm0"}`, http.StatusCreated)
	// The policies, shares, quota rules and SVMs.
	sp := jsonpath.String(do(http.MethodPost, snapPoliciesPath+"?return_records=true",
		`{"name":"soak_c00_sp1","svm.name":"svm0","copies":[{"schedule.name":"hourly","count":2}]}`, http.StatusCreated), "uuid")
	do(http.MethodPost, snapPoliciesPath, `{"name":"soak_c00_sp9","copies":[{"schedule.name":"daily","count":1}]}`, http.StatusCreated)
	qos1 := jsonpath.String(do(http.MethodPost, qosPoliciesPath+"?return_timeout=30&return_records=true",
		`{"name":"soak_c00_qos1","svm.name":"svm0","fixed.max_throughput_iops":100}`, http.StatusCreated), "uuid")
	qos2 := jsonpath.String(do(http.MethodPost, qosPoliciesPath+"?return_timeout=30&return_records=true",
		`{"name":"soak_c00_qos2","svm.name":"svm0"}`, http.StatusCreated), "uuid")
	do(http.MethodPatch, "/api/storage/volumes/"+vol+"?return_timeout=30",
		`{"nas.path":"/ov","snapshot_policy.name":"soak_c00_sp1","qos.policy.name":"soak_c00_qos1"}`, http.StatusOK)
	do(http.MethodPost, cifsServicesPath+"?return_timeout=30", `{"name":"SOAK","svm.name":"svm0"}`, http.StatusCreated)
	do(http.MethodPost, sharesPath, `{"name":"soak_c00_sh1","path":"/ov","comment":"real","svm.name":"svm0"}`, http.StatusCreated)
	q2, _ := jsonpath.Int(do(http.MethodPost, qtreesPath+"?return_timeout=30&return_records=true", `{"name":"q2","volume.uuid":"`+vol+`"}`, http.StatusCreated), "id")
	rule := jsonpath.String(do(http.MethodPost, quotaRulesPath+"?return_timeout=30&return_records=true",
		`{"type":"tree","qtree.name":"q2","volume.uuid":"`+vol+`","svm.name":"svm0","space.hard_limit":1048576}`, http.StatusCreated), "uuid")
	do(http.MethodPost, quotaRulesPath+"?return_timeout=30",
		`{"type":"tree","qtree.name":"q1","volume.uuid":"`+vol+`","svm.name":"svm0","space.hard_limit":1048576}`, http.StatusCreated)
	svm := jsonpath.String(do(http.MethodPost, svmsPath+"?return_timeout=30&return_records=true", `{"name":"soak_c00_svm1"}`, http.StatusCreated), "uuid")
	do(http.MethodPost, svmsPath+"?return_timeout=30", `{"name":"soak_c00_svm9"}`, http.StatusCreated)
	spPol, qosPol := &snapPolicy{uuid: sp, name: "soak_c00_sp1", copies: map[string]int64{"hourly": 3}}, &qosPolicy{uuid: qos1, name: "soak_c00_qos1", maxIOPS: 200}
	c := &client{
		policies:     []*policy{{id: pid, name: "claimed", rules: map[int64]string{1: "10.0.0.0/8"}}},
		igroups:      []*igroup{{uuid: "0b6c0000-0000-4000-8000-00000000000a", name: "soak_c00_g1"}},
		snapPolicies: []*snapPolicy{spPol},
		qosPolicies:  []*qosPolicy{qosPol, {uuid: qos2, name: "soak_c00_qos2", deleted: true}},
		shares:       []*share{{name: "soak_c00_sh1", path: "/ov", comment: "claimed"}, {name: "soak_c00_sh2", path: "/ov"}},
		svms: []*svmLife{{uuid: svm, name: "soak_c00_svmr2", step: 3,
			policy: &policy{id: 1 << 40, name: "soak_c00_sep3", rules: map[int64]string{}}}},
	}
	c.vols = map[string]*volume{vol: {uuid: vol, name: "ov", size: 1 << 30, snapPolicyKnown: true, qosKnown: true,
		qtrees: []*qtree{{id: qid, name: "q1", deleted: true}, {id: q2, name: "q2", rule: &quotaRule{uuid: rule, hard: 2 << 20}}},
		luns:   []*lun{{uuid: lunID, lname: "l1", size: 1 << 20, comment: "claimed", maps: map[string]int64{"0b6c0000-0000-4000-8000-00000000000a": 0}}}}}
	rep := newReport(Config{})
	verify(ctx, tgt, []*client{c}, rep)
	got := rep.Violations()
	for _, want := range []string{"export policy " + strconv.FormatInt(pid, 10) + ": name", "rules", "qtree q1 of ov was deleted",
		"LUN l1: comment", "LUN l1: maps", "phantom igroup soak_c00_g9", "igroup soak_c00_g1 was created", "phantom LUN /vol/ov/stray",
		"snapshot policy soak_c00_sp1: schedules", "phantom snapshot policy soak_c00_sp9",
		"QoS policy soak_c00_qos1: max_throughput_iops", "QoS policy soak_c00_qos2 was deleted",
		"volume ov: nas.path", "volume ov: snapshot policy", "volume ov: QoS policy",
		"CIFS share soak_c00_sh1: comment", "CIFS share soak_c00_sh2 was created",
		"quota rule of qtree q2 of ov: hard limit", "phantom quota rule",
		"SVM " + svm + ": name", "SVM soak_c00_svmr2: export policies", "phantom SVM soak_c00_svm9"} {
		found := false
		for _, v := range got {
			if strings.Contains(v, want) {
				found = true
			}
		}
		if !found {
			t.Errorf("no violation mentions %q; got %q", want, got)
		}
	}
}

// TestInUseChecksCanFail checks that the mix's in-use checks can fail: a
// policy delete the server refuses as in use while the model knows no
// user, and one it accepts while the model knows a user, are violations,
// for snapshot and QoS policies alike.
func TestInUseChecksCanFail(t *testing.T) {
	tgt := harness.InProcess(t, nil)
	ctx := t.Context()
	sh, err := setupObjects(ctx, tgt)
	if err != nil {
		t.Fatal(err)
	}
	rep := newReport(Config{})
	c := &client{tgt: tgt, cfg: Config{AsyncShare: 0}, rng: rand.New(rand.NewPCG(1, 2)), rep: rep, vols: map[string]*volume{}, sh: sh}
	c.createVolume(ctx)
	c.createSnapPolicy(ctx)
	c.createQoS(ctx)
	if len(c.live()) != 1 || len(c.liveSnapPolicies()) != 1 || len(c.liveQoS()) != 1 {
		t.Fatalf("setup: %q", rep.Violations())
	}
	v, sp, qp := c.live()[0], c.snapPolicies[0], c.qosPolicies[0]
	// Behind the model's back: the volume uses both policies.
	r, err := tgt.Do(ctx, http.MethodPatch, "/api/storage/volumes/"+v.uuid+"?return_timeout=30",
		map[string]any{"snapshot_policy": map[string]any{"name": sp.name}, "qos": map[string]any{"policy": map[string]any{"name": qp.name}}})
	if err != nil || r.Status != http.StatusOK {
		t.Fatalf("PATCH: %v %v", err, r)
	}
	c.deleteSnapPolicy(ctx)
	c.deleteQoS(ctx)
	// And the model believes a second volume uses them, which does not.
	r, err = tgt.Do(ctx, http.MethodPatch, "/api/storage/volumes/"+v.uuid+"?return_timeout=30",
		map[string]any{"snapshot_policy": map[string]any{"name": "default"}, "qos": map[string]any{"policy": map[string]any{"name": "none"}}})
	if err != nil || r.Status != http.StatusOK {
		t.Fatalf("PATCH: %v %v", err, r)
	}
	v.snapPolicy, v.qos = sp, qp
	c.deleteSnapPolicy(ctx)
	c.deleteQoS(ctx)
	got := rep.Violations()
	for _, want := range []string{"DELETE of own snapshot policy " + sp.name + " (in use false", "DELETE of own QoS policy " + qp.name + " (in use false",
		"snapshot policy " + sp.name + " deleted while a volume uses it", "QoS policy " + qp.name + " deleted while a volume uses it"} {
		if !slices.ContainsFunc(got, func(v string) bool { return strings.Contains(v, want) }) {
			t.Errorf("no violation mentions %q; got %q", want, got)
		}
	}
}
