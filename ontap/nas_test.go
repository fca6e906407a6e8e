package ontap_test

import (
	"strings"
	"testing"

	"github.com/nessie-go/nessie/ontap"
)

func TestExportPolicyRules(t *testing.T) {
	k := ontap.ExportPolicyKind
	for _, c := range []struct {
		name string
		rec  ontap.Extra
		want string
	}{
		{"ok", ontap.Extra{"name": "trident_empty"}, ""},
		{"no name", ontap.Extra{}, "2"},
		{"space", ontap.Extra{"name": "a b"}, "1703952"},
		{"too long", ontap.Extra{"name": strings.Repeat("p", 257)}, "1704047"},
		{"256 is fine", ontap.Extra{"name": strings.Repeat("p", 256)}, ""},
		{"inline rules", ontap.Extra{"name": "p", "rules": []any{ontap.Extra{}}}, "262196"},
	} {
		if got := code(t, k.Create(c.rec)); got != c.want {
			t.Errorf("create %s: code %q, want %q", c.name, got, c.want)
		}
	}
	def := ontap.Extra{"name": "default"}
	if got := code(t, k.Delete(def)); got != "1703947" {
		t.Errorf("delete default: %q", got)
	}
	if got := code(t, k.Delete(ontap.Extra{"name": "p"})); got != "" {
		t.Errorf("delete p: %q", got)
	}
	if got := code(t, k.Patch(def, ontap.Extra{"name": "x"}, []string{"name"})); got != "1703947" {
		t.Errorf("rename default: %q", got)
	}
	if e := k.Conflicts(ontap.Extra{"name": "a"}, ontap.Extra{"name": "a"}); e == nil || e.Code != "1" {
		t.Errorf("same name: %v", e)
	}
	if e := k.Conflicts(ontap.Extra{"name": "a"}, ontap.Extra{"name": "b"}); e != nil {
		t.Errorf("different names conflict: %v", e)
	}
}

func TestExportRuleRules(t *testing.T) {
	k := ontap.ExportRuleKind
	clients := func(ms ...string) []any {
		out := []any{}
		for _, m := range ms {
			out = append(out, ontap.Extra{"match": m})
		}
		return out
	}
	for _, c := range []struct {
		name string
		rec  ontap.Extra
		want string
	}{
		{"everyone", ontap.Extra{"clients": clients("0.0.0.0/0")}, ""},
		{"hosts and nets", ontap.Extra{"clients": clients("10.0.0.1", "h.example.com", "@ng", ".example.com", "fd00::/8", "10.0.0.0/255.0.0.0")}, ""},
		{"no clients", ontap.Extra{}, "2"},
		{"space", ontap.Extra{"clients": clients("a b")}, "1704039"},
		{"comma", ontap.Extra{"clients": clients("a,b")}, "1704039"},
		{"bad net", ontap.Extra{"clients": clients("10.0.0.0/x")}, "1704039"},
		{"missing net", ontap.Extra{"clients": clients("/8")}, "1704039"},
		{"duplicate", ontap.Extra{"clients": clients("h", "h")}, "1704039"},
		{"bad flavor", ontap.Extra{"clients": clients("h"), "rw_rule": []any{"sys", "root"}}, "2"},
		{"bad protocol", ontap.Extra{"clients": clients("h"), "protocols": []any{"smb"}}, "2"},
		{"flavors any case", ontap.Extra{"clients": clients("h"), "ro_rule": []any{"KRB5"}, "protocols": []any{"NFS4"}}, ""},
	} {
		rec := k.Defaults(c.rec)
		if got := code(t, k.Create(rec)); got != c.want {
			t.Errorf("create %s: code %q, want %q", c.name, got, c.want)
		}
	}
	rec := k.Defaults(ontap.Extra{"clients": clients("h")})
	for f, want := range map[string]string{"protocols": "any", "ro_rule": "any", "rw_rule": "any", "superuser": "none"} {
		arr, _ := rec[f].([]any)
		if len(arr) != 1 || arr[0] != want {
			t.Errorf("default %s = %v, want [%s]", f, rec[f], want)
		}
	}
	same := k.Defaults(ontap.Extra{"clients": clients("h")})
	if e := k.Conflicts(rec, same); e == nil || e.Code != "1704070" {
		t.Errorf("identical rules: %v", e)
	}
	other := k.Defaults(ontap.Extra{"clients": clients("h"), "rw_rule": []any{"never"}})
	if e := k.Conflicts(rec, other); e != nil {
		t.Errorf("rules differing in rw_rule conflict: %v", e)
	}
	if got := code(t, k.Patch(rec, ontap.Extra{"clients": []any{}}, []string{"clients"})); got != "2" {
		t.Errorf("patch clients to none: %q", got)
	}
}

func TestQtreeAndQuotaRules(t *testing.T) {
	q := ontap.QtreeKind
	for _, c := range []struct {
		name string
		rec  ontap.Extra
		want string
	}{
		{"ok", ontap.Extra{"name": "q1"}, ""},
		{"no name", ontap.Extra{}, "5242953"},
		{"empty name", ontap.Extra{"name": ""}, "5242894"},
		{"slash", ontap.Extra{"name": "a/b"}, "2"},
		{"dotdot", ontap.Extra{"name": ".."}, "2"},
		{"unified", ontap.Extra{"name": "q", "security_style": "unified"}, "9437324"},
		{"bad style", ontap.Extra{"name": "q", "security_style": "posix"}, "2"},
		{"ntfs", ontap.Extra{"name": "q", "security_style": "NTFS"}, ""},
	} {
		if got := code(t, q.Create(q.Defaults(c.rec))); got != c.want {
			t.Errorf("qtree %s: code %q, want %q", c.name, got, c.want)
		}
	}
	rec := q.Complete(q.Defaults(ontap.Extra{"name": "q1", "volume": ontap.Extra{"name": "v"}}))
	if ontap.LookupString(rec, "path") != "/vol/v/q1" || ontap.LookupString(rec, "export_policy.name") != "default" || ontap.LookupString(rec, "security_style") != "unix" {
		t.Errorf("qtree defaults and path: %v", rec)
	}
	zero := q.PerVolume(ontap.Extra{"name": "v", "uuid": "u"}, ontap.Extra{"name": "svm0"})
	if got := code(t, q.Delete(zero)); got != "5242894" {
		t.Errorf("delete qtree 0: %q", got)
	}
	if got := code(t, q.Patch(zero, ontap.Extra{"security_style": "ntfs"}, []string{"security_style"})); got != "5242894" {
		t.Errorf("patch qtree 0: %q", got)
	}

	r := ontap.QuotaRuleKind
	for _, c := range []struct {
		name string
		rec  ontap.Extra
		want string
	}{
		{"tree", ontap.Extra{"type": "tree", "qtree": ontap.Extra{"name": "q"}, "space": ontap.Extra{"hard_limit": int64(10), "soft_limit": int64(5)}}, ""},
		{"default tree, no limit", ontap.Extra{"type": "tree", "space": ontap.Extra{"hard_limit": int64(-1)}}, ""},
		{"no type", ontap.Extra{}, "2"},
		{"tree with users", ontap.Extra{"type": "tree", "users": []any{ontap.Extra{"name": "u"}}}, "5308564"},
		{"user without users", ontap.Extra{"type": "user"}, "5308562"},
		{"user", ontap.Extra{"type": "user", "users": []any{ontap.Extra{"name": "u"}}}, ""},
		{"group with users", ontap.Extra{"type": "group", "group": ontap.Extra{"name": "g"}, "users": []any{ontap.Extra{"name": "u"}}}, "5308563"},
		{"soft above hard", ontap.Extra{"type": "tree", "files": ontap.Extra{"hard_limit": int64(10), "soft_limit": int64(11)}}, "5308575"},
		{"soft unlimited under a hard limit", ontap.Extra{"type": "tree", "space": ontap.Extra{"hard_limit": int64(10), "soft_limit": int64(-1)}}, "5308575"},
		{"below -1", ontap.Extra{"type": "tree", "space": ontap.Extra{"hard_limit": int64(-2)}}, "2"},
	} {
		if got := code(t, r.Create(c.rec)); got != c.want {
			t.Errorf("quota rule %s: code %q, want %q", c.name, got, c.want)
		}
	}
	a := ontap.Extra{"type": "tree", "qtree": ontap.Extra{"name": "q"}}
	if e := r.Conflicts(a, ontap.Extra{"type": "tree", "qtree": ontap.Extra{"name": "q"}, "space": ontap.Extra{"hard_limit": int64(1)}}); e == nil {
		t.Error("two tree rules for one qtree do not conflict")
	}
	if e := r.Conflicts(a, ontap.Extra{"type": "tree", "qtree": ontap.Extra{"name": "other"}}); e != nil {
		t.Errorf("rules for different qtrees conflict: %v", e)
	}
}

func TestServiceAndScheduleRules(t *testing.T) {
	if got := code(t, ontap.CIFSServiceKind.Create(ontap.Extra{"name": "SRV1"})); got != "" {
		t.Errorf("CIFS name: %q", got)
	}
	for _, bad := range []string{"", "SIXTEEN_CHARS_XX", "A.B", "A B"} {
		if got := code(t, ontap.CIFSServiceKind.Create(ontap.Extra{"name": bad})); got == "" {
			t.Errorf("CIFS name %q accepted", bad)
		}
	}
	on := ontap.NFSServiceKind.Complete(ontap.NFSServiceKind.Defaults(ontap.Extra{}))
	if ontap.LookupString(on, "state") != "online" || ontap.Lookup(on, "protocol.v3_enabled") != true || ontap.Lookup(on, "protocol.v41_enabled") != false {
		t.Errorf("NFS service defaults: %v", on)
	}
	if got := ontap.LookupString(ontap.NFSServiceKind.Complete(ontap.Extra{"enabled": false}), "state"); got != "offline" {
		t.Errorf("disabled NFS service state %q", got)
	}
	s := ontap.ScheduleKind
	ints := func(ns ...int64) []any {
		out := []any{}
		for _, n := range ns {
			out = append(out, n)
		}
		return out
	}
	for _, c := range []struct {
		name string
		rec  ontap.Extra
		want string
	}{
		{"cron", ontap.Extra{"name": "s", "cron": ontap.Extra{"minutes": ints(0, 59), "hours": ints(23), "days": ints(1, 31), "months": ints(12), "weekdays": ints(0, 6)}}, ""},
		{"interval", ontap.Extra{"name": "s", "interval": "PT1H"}, ""},
		{"both", ontap.Extra{"name": "s", "interval": "PT1H", "cron": ontap.Extra{}}, "2"},
		{"neither", ontap.Extra{"name": "s"}, "2"},
		{"minute 60", ontap.Extra{"name": "s", "cron": ontap.Extra{"minutes": ints(60)}}, "2"},
		{"day 0", ontap.Extra{"name": "s", "cron": ontap.Extra{"days": ints(0)}}, "2"},
		{"weekday 7", ontap.Extra{"name": "s", "cron": ontap.Extra{"weekdays": ints(7)}}, "2"},
		{"no name", ontap.Extra{"interval": "PT1H"}, "2"},
	} {
		if got := code(t, s.Create(c.rec)); got != c.want {
			t.Errorf("schedule %s: code %q, want %q", c.name, got, c.want)
		}
	}
	p := ontap.SnapshotPolicyKind
	for _, b := range p.Builtin(nil) {
		if got := code(t, p.Delete(b)); got == "" {
			t.Errorf("built-in snapshot policy %v deletable", b["name"])
		}
	}
	if got := code(t, p.Create(ontap.Extra{"name": "p", "copies": []any{ontap.Extra{"count": int64(2000), "schedule": ontap.Extra{"name": "daily"}}}})); got != "2" {
		t.Errorf("2000 copies: %q", got)
	}
	cp := func(sched string, n int64, prefix string) any {
		c := ontap.Extra{"count": n, "schedule": ontap.Extra{"name": sched}}
		if prefix != "" {
			c["prefix"] = prefix
		}
		return c
	}
	for _, c := range []struct {
		name   string
		copies []any
		want   string
	}{
		{"two schedules", []any{cp("hourly", 6, ""), cp("daily", 2, "")}, ""},
		{"no copies", []any{}, "1638408"},
		{"no schedule", []any{ontap.Extra{"count": int64(1)}}, "1638408"},
		{"no count", []any{ontap.Extra{"schedule": ontap.Extra{"name": "daily"}}}, "1638407"},
		{"a schedule twice", []any{cp("daily", 1, ""), cp("daily", 2, "d2")}, "1638410"},
		{"one prefix twice", []any{cp("daily", 1, "x"), cp("hourly", 2, "x")}, "1638508"},
		{"1024 in all", []any{cp("daily", 1000, ""), cp("hourly", 24, "")}, "1638451"},
		{"six schedules", []any{cp("a", 1, ""), cp("b", 1, ""), cp("c", 1, ""), cp("d", 1, ""), cp("e", 1, ""), cp("f", 1, "")}, "2"},
	} {
		if got := code(t, p.Create(ontap.Extra{"name": "p", "copies": c.copies})); got != c.want {
			t.Errorf("snapshot policy %s: code %q, want %q", c.name, got, c.want)
		}
	}
	if got := code(t, p.Create(ontap.Extra{"name": "a b", "copies": []any{cp("daily", 1, "")}})); got != "1638417" {
		t.Errorf("policy name with a space: %q", got)
	}
	for _, b := range p.Builtin(nil) {
		if got := code(t, p.Delete(b)); got != "1638431" {
			t.Errorf("built-in snapshot policy %v: code %q", b["name"], got)
		}
	}
	sk := ontap.ScheduleKind
	if got := code(t, sk.Patch(ontap.Extra{"cron": ontap.Extra{}}, ontap.Extra{"interval": "PT1H"}, nil)); got != "461785" {
		t.Errorf("interval on a cron schedule: %q", got)
	}
	if got := code(t, sk.Patch(ontap.Extra{"interval": "PT1H"}, ontap.Extra{"cron": ontap.Extra{"minutes": []any{int64(5)}}}, nil)); got != "461786" {
		t.Errorf("cron on an interval schedule: %q", got)
	}
}

func TestQoSAndEfficiencyRules(t *testing.T) {
	q := ontap.QoSPolicyKind
	for _, c := range []struct {
		name string
		rec  ontap.Extra
		want string
	}{
		{"fixed", ontap.Extra{"name": "p", "fixed": ontap.Extra{"max_throughput_iops": int64(100), "min_throughput_iops": int64(10)}}, ""},
		{"no maximum", ontap.Extra{"name": "p", "fixed": ontap.Extra{"max_throughput_iops": int64(0), "min_throughput_iops": int64(10)}}, ""},
		{"min above max", ontap.Extra{"name": "p", "fixed": ontap.Extra{"max_throughput_mbps": int64(10), "min_throughput_mbps": int64(11)}}, "8454194"},
		{"negative", ontap.Extra{"name": "p", "fixed": ontap.Extra{"max_throughput_iops": int64(-1)}}, "2"},
		{"both kinds", ontap.Extra{"name": "p", "fixed": ontap.Extra{}, "adaptive": ontap.Extra{}}, "8454389"},
		{"no name", ontap.Extra{}, "2"},
	} {
		if got := code(t, q.Create(c.rec)); got != c.want {
			t.Errorf("QoS %s: code %q, want %q", c.name, got, c.want)
		}
	}
	e := ontap.VolumeEfficiencyPolicyKind
	for _, c := range []struct {
		name string
		rec  ontap.Extra
		want string
	}{
		{"scheduled", ontap.Extra{"name": "e", "schedule": ontap.Extra{"name": "daily"}}, ""},
		{"threshold", ontap.Extra{"name": "e", "type": "threshold", "start_threshold_percent": int64(30)}, ""},
		{"threshold with schedule", ontap.Extra{"name": "e", "type": "threshold", "schedule": ontap.Extra{"name": "daily"}}, "6881433"},
		{"threshold 0", ontap.Extra{"name": "e", "type": "threshold", "start_threshold_percent": int64(0)}, "6881362"},
		{"threshold 101", ontap.Extra{"name": "e", "type": "threshold", "start_threshold_percent": int64(101)}, "2"},
		{"threshold on a scheduled policy", ontap.Extra{"name": "e", "start_threshold_percent": int64(30)}, "6881435"},
	} {
		if got := code(t, e.Create(e.Defaults(c.rec))); got != c.want {
			t.Errorf("efficiency %s: code %q, want %q", c.name, got, c.want)
		}
	}
}
