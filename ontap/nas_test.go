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
