package ontap_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/nessie-go/nessie/ontap"
)

func ptr[T any](v T) *T { return &v }

// status returns the HTTP status of an ONTAP error (0 for nil).
func status(t *testing.T, err error) int {
	t.Helper()
	if err == nil {
		return 0
	}
	var e *ontap.Error
	if !errors.As(err, &e) {
		t.Fatalf("not an ONTAP error: %v", err)
	}
	return e.Status
}

func TestParseLUNPath(t *testing.T) {
	cases := []struct {
		in   string
		want ontap.LUNLocation
		code string
	}{
		{"/vol/v1/lun0", ontap.LUNLocation{Volume: "v1", LogicalUnit: "lun0"}, ""},
		{"/vol/v1/q1/lun0", ontap.LUNLocation{Volume: "v1", Qtree: "q1", LogicalUnit: "lun0"}, ""},
		{"/vol/v1/a-b.c_{d}", ontap.LUNLocation{Volume: "v1", LogicalUnit: "a-b.c_{d}"}, ""},
		{"v1/lun0", ontap.LUNLocation{}, "5374127"},
		{"/vol/v1", ontap.LUNLocation{}, "5374127"},
		{"/vol//lun0", ontap.LUNLocation{}, "5374127"},
		{"/vol/v1//lun0", ontap.LUNLocation{}, "5374127"},
		{"/vol/v1/a/b/c", ontap.LUNLocation{}, "5374127"},
		{"/vol/v1/", ontap.LUNLocation{}, "5374862"},
		{"/vol/v1/lun 0", ontap.LUNLocation{}, "5374121"},
		{"/vol/v1/lun$", ontap.LUNLocation{}, "5374121"},
		{"/vol/v1/" + strings.Repeat("x", 250), ontap.LUNLocation{}, "5376462"},
	}
	for _, c := range cases {
		got, err := ontap.ParseLUNPath("name", c.in)
		if code(t, err) != c.code || got != c.want {
			t.Errorf("ParseLUNPath(%q) = %+v, %v; want %+v, code %q", c.in, got, err, c.want, c.code)
		}
		if err == nil && got.Path() != c.in {
			t.Errorf("Path() = %q, want %q", got.Path(), c.in)
		}
	}
}

func TestLUNCreateLocation(t *testing.T) {
	lin, size := ptr("linux"), ptr(int64(1<<30))
	cases := []struct {
		name   string
		in     ontap.LUNCreate
		byUUID string
		want   string // the path, or the error code
	}{
		{"by name", ontap.LUNCreate{Name: ptr("/vol/v1/l"), OSType: lin, Size: size}, "", "/vol/v1/l"},
		{"by location", ontap.LUNCreate{Volume: ptr("v1"), LogicalUnit: ptr("l"), OSType: lin, Size: size}, "", "/vol/v1/l"},
		{"by volume uuid", ontap.LUNCreate{VolumeUUID: ptr("u"), LogicalUnit: ptr("l"), OSType: lin, Size: size}, "v1", "/vol/v1/l"},
		{"in a qtree", ontap.LUNCreate{Volume: ptr("v1"), Qtree: ptr("q"), LogicalUnit: ptr("l"), OSType: lin, Size: size}, "", "/vol/v1/q/l"},
		{"name and location agree", ontap.LUNCreate{Name: ptr("/vol/v1/l"), Volume: ptr("v1"), LogicalUnit: ptr("l"), OSType: lin, Size: size}, "", "/vol/v1/l"},
		{"volumes disagree", ontap.LUNCreate{Name: ptr("/vol/v1/l"), Volume: ptr("v2"), OSType: lin, Size: size}, "", "5374858"},
		{"qtrees disagree", ontap.LUNCreate{Name: ptr("/vol/v1/l"), Qtree: ptr("q"), OSType: lin, Size: size}, "", "5374860"},
		{"base names disagree", ontap.LUNCreate{Name: ptr("/vol/v1/l"), LogicalUnit: ptr("m"), OSType: lin, Size: size}, "", "5374861"},
		{"no volume", ontap.LUNCreate{LogicalUnit: ptr("l"), OSType: lin, Size: size}, "", "5374859"},
		{"no base name", ontap.LUNCreate{Volume: ptr("v1"), OSType: lin, Size: size}, "", "5374862"},
		{"bad base name", ontap.LUNCreate{Volume: ptr("v1"), LogicalUnit: ptr("a/b"), OSType: lin, Size: size}, "", "5374121"},
		{"no os_type", ontap.LUNCreate{Name: ptr("/vol/v1/l"), Size: size}, "", "5374884"},
		{"no size", ontap.LUNCreate{Name: ptr("/vol/v1/l"), OSType: lin}, "", "5374884"},
		{"clone needs neither", ontap.LUNCreate{Name: ptr("/vol/v1/l"), Clone: true}, "", "/vol/v1/l"},
		{"clone with os_type", ontap.LUNCreate{Name: ptr("/vol/v1/l"), Clone: true, OSType: lin}, "", "5374883"},
		{"clone with attributes", ontap.LUNCreate{Name: ptr("/vol/v1/l"), Clone: true, Attributes: []ontap.LUNAttribute{{Name: "a", Value: "b"}}}, "", "5374883"},
		{"too small", ontap.LUNCreate{Name: ptr("/vol/v1/l"), OSType: lin, Size: ptr(int64(512))}, "", "5374124"},
		{"too large", ontap.LUNCreate{Name: ptr("/vol/v1/l"), OSType: lin, Size: ptr(int64(ontap.MaxLUNSize + 1))}, "", "5374125"},
		{"attributes", ontap.LUNCreate{Name: ptr("/vol/v1/l"), OSType: lin, Size: size, Attributes: []ontap.LUNAttribute{{Name: "a", Value: "1"}, {Name: "b", Value: "2"}}}, "", "/vol/v1/l"},
		{"attribute twice", ontap.LUNCreate{Name: ptr("/vol/v1/l"), OSType: lin, Size: size, Attributes: []ontap.LUNAttribute{{Name: "a", Value: "1"}, {Name: "a", Value: "2"}}}, "", "5374932"},
		{"attribute without value", ontap.LUNCreate{Name: ptr("/vol/v1/l"), OSType: lin, Size: size, Attributes: []ontap.LUNAttribute{{Name: "a"}}}, "", "5374928"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			loc, err := ontap.LUNCreateLocation(&c.in, c.byUUID)
			got := loc.Path()
			if err != nil {
				got = code(t, err)
				if status(t, err) != http.StatusBadRequest {
					t.Errorf("status %d, want 400", status(t, err))
				}
			}
			if got != c.want {
				t.Fatalf("got %q (%v), want %q", got, err, c.want)
			}
		})
	}
}

func TestLUNSizeRules(t *testing.T) {
	if err := ontap.CheckLUNFits(1<<30, 1<<30, "v"); err != nil {
		t.Errorf("a LUN the size of the free space fits: %v", err)
	}
	if c := code(t, ontap.CheckLUNFits(1<<30+1, 1<<30, "v")); c != "5374125" {
		t.Errorf("a LUN larger than the free space: code %q, want 5374125", c)
	}
	cases := []struct {
		cur, req int64
		code     string
	}{
		{1 << 30, 2 << 30, ""},
		{1 << 30, 1 << 30, "1254226"},
		{2 << 30, 1 << 30, "5374892"},
		{1 << 30, ontap.MaxLUNSize + 1, "5374125"},
	}
	for _, c := range cases {
		if got := code(t, ontap.CheckLUNResize(c.cur, c.req)); got != c.code {
			t.Errorf("CheckLUNResize(%d, %d) = %q, want %q", c.cur, c.req, got, c.code)
		}
	}
}

func TestLUNAttributes(t *testing.T) {
	attrs, err := ontap.AddLUNAttribute(nil, ontap.LUNAttribute{Name: "fs", Value: "ext4"})
	if err != nil || len(attrs) != 1 {
		t.Fatal(attrs, err)
	}
	if _, err := ontap.AddLUNAttribute(attrs, ontap.LUNAttribute{Name: "fs", Value: "xfs"}); code(t, err) != "5374930" || status(t, err) != http.StatusConflict {
		t.Errorf("adding an existing attribute: %v", err)
	}
	long := strings.Repeat("x", 4091)
	if _, err := ontap.AddLUNAttribute(attrs, ontap.LUNAttribute{Name: "nn", Value: long}); code(t, err) != "5374929" {
		t.Errorf("name plus value over 4092 bytes: %v", err)
	}
	if _, err := ontap.AddLUNAttribute(attrs, ontap.LUNAttribute{Name: "n", Value: long}); err != nil {
		t.Errorf("name plus value of 4092 bytes: %v", err)
	}
	set, err := ontap.SetLUNAttribute(attrs, "fs", "xfs")
	if err != nil || set[0].Value != "xfs" || attrs[0].Value != "ext4" {
		t.Errorf("set: %v %v (the input must not change: %v)", set, err, attrs)
	}
	if _, err := ontap.SetLUNAttribute(attrs, "nope", "x"); code(t, err) != "5374931" || status(t, err) != http.StatusNotFound {
		t.Errorf("setting a missing attribute: %v", err)
	}
	rest, err := ontap.RemoveLUNAttribute(attrs, "fs")
	if err != nil || len(rest) != 0 || len(attrs) != 1 {
		t.Errorf("remove: %v %v", rest, err)
	}
	if _, err := ontap.RemoveLUNAttribute(rest, "fs"); code(t, err) != "5374931" {
		t.Errorf("removing a missing attribute: %v", err)
	}
}

func TestLUNDeleteRule(t *testing.T) {
	for _, c := range []struct {
		mapped, allow bool
		code          string
	}{{false, false, ""}, {false, true, ""}, {true, true, ""}, {true, false, "1254197"}} {
		if got := code(t, ontap.CheckLUNDelete("/vol/v/l", c.mapped, c.allow)); got != c.code {
			t.Errorf("mapped=%v allow=%v: %q, want %q", c.mapped, c.allow, got, c.code)
		}
	}
}

func TestLUNSerial(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		s := ontap.NewLUNSerial()
		if len(s) != 12 {
			t.Fatalf("serial %q is not 12 characters", s)
		}
		if seen[s] {
			t.Fatalf("serial %q repeated", s)
		}
		seen[s] = true
	}
}

func TestCanonicalInitiator(t *testing.T) {
	cases := []struct {
		in, want, proto, code string
	}{
		{"iqn.1993-08.org.debian:01:9031309bbebd", "iqn.1993-08.org.debian:01:9031309bbebd", "iscsi", ""},
		{"IQN.1993-08.ORG.Debian:01:AB", "iqn.1993-08.org.debian:01:ab", "iscsi", ""},
		{"eui.0123456789ABCDEF", "eui.0123456789abcdef", "iscsi", ""},
		{"20:00:00:25:b5:00:00:0a", "20:00:00:25:b5:00:00:0a", "fcp", ""},
		{"iqn.", "", "", "5373969"},
		{"iqn.1993-13.org.x", "", "", "5373971"},
		{"iqn.93-08.org.x", "", "", "5373971"},
		{"iqn.1993-08", "", "", "5373972"},
		{"iqn.1993-08.org.x y", "", "", "5373972"},
		{"eui.0123", "", "", "5373977"},
		{"eui.0123456789abcdeg", "", "", "5373978"},
		{"20:00:00:25", "", "", "5373982"},
		{"20-00-00-25-b5-00:00:0a", "", "", "5373983"},
		{"host1", "", "", "5373993"},
		{"iqn.1993-08.org." + strings.Repeat("a", 220), "", "", "5373992"},
	}
	for _, c := range cases {
		got, proto, err := ontap.CanonicalInitiator(c.in)
		if got != c.want || proto != c.proto || code(t, err) != c.code {
			t.Errorf("CanonicalInitiator(%q) = %q, %q, %v; want %q, %q, code %q", c.in, got, proto, err, c.want, c.proto, c.code)
		}
	}
}

func TestIgroupRules(t *testing.T) {
	iqn := "iqn.1993-08.org.debian:01:1"
	wwpn := "20:00:00:25:b5:00:00:0a"
	cases := []struct {
		name  string
		in    ontap.IgroupCreate
		proto string
		code  string
	}{
		{"minimal", ontap.IgroupCreate{Name: ptr("ig"), OSType: ptr("linux")}, "mixed", ""},
		{"iscsi", ontap.IgroupCreate{Name: ptr("ig"), OSType: ptr("linux"), Protocol: ptr("iscsi"), Initiators: []string{iqn}}, "iscsi", ""},
		{"mixed holds both", ontap.IgroupCreate{Name: ptr("ig"), OSType: ptr("linux"), Initiators: []string{iqn, wwpn}}, "mixed", ""},
		{"no name", ontap.IgroupCreate{OSType: ptr("linux")}, "", "2"},
		{"no os_type", ontap.IgroupCreate{Name: ptr("ig")}, "", "2"},
		{"name too long", ontap.IgroupCreate{Name: ptr(strings.Repeat("n", 97)), OSType: ptr("linux")}, "", "5373958"},
		{"name of 96", ontap.IgroupCreate{Name: ptr(strings.Repeat("n", 96)), OSType: ptr("linux")}, "mixed", ""},
		{"name with a space", ontap.IgroupCreate{Name: ptr("a b"), OSType: ptr("linux")}, "", "5373958"},
		{"wwpn in iscsi", ontap.IgroupCreate{Name: ptr("ig"), OSType: ptr("linux"), Protocol: ptr("iscsi"), Initiators: []string{wwpn}}, "", "5374039"},
		{"iqn in fcp", ontap.IgroupCreate{Name: ptr("ig"), OSType: ptr("linux"), Protocol: ptr("fcp"), Initiators: []string{iqn}}, "", "5374038"},
		{"initiator twice", ontap.IgroupCreate{Name: ptr("ig"), OSType: ptr("linux"), Initiators: []string{iqn, strings.ToUpper(iqn)}}, "", "5374035"},
		{"bad initiator", ontap.IgroupCreate{Name: ptr("ig"), OSType: ptr("linux"), Initiators: []string{"x"}}, "", "5373993"},
	}
	for _, c := range cases {
		proto, _, err := ontap.CheckIgroupCreate(&c.in)
		if proto != c.proto && err == nil || code(t, err) != c.code {
			t.Errorf("%s: protocol %q, %v; want %q, code %q", c.name, proto, err, c.proto, c.code)
		}
	}

	members, err := ontap.AddInitiators("iscsi", nil, []string{iqn})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ontap.AddInitiators("iscsi", members, []string{iqn}); code(t, err) != "5374035" || status(t, err) != http.StatusConflict {
		t.Errorf("adding a member again: %v", err)
	}
	if _, err := ontap.RemoveInitiator(members, "iqn.1993-08.org.debian:01:2", false, false); code(t, err) != "5374034" {
		t.Errorf("removing a non-member: %v", err)
	}
	if _, err := ontap.RemoveInitiator(members, iqn, true, false); code(t, err) != "1254213" {
		t.Errorf("removing from a mapped igroup: %v", err)
	}
	if rest, err := ontap.RemoveInitiator(members, strings.ToUpper(iqn), true, true); err != nil || len(rest) != 0 || len(members) != 1 {
		t.Errorf("remove: %v %v", rest, err)
	}
	if code(t, ontap.CheckIgroupDelete(true, false)) != "1254213" || ontap.CheckIgroupDelete(true, true) != nil || ontap.CheckIgroupDelete(false, false) != nil {
		t.Error("a mapped igroup is deleted only with allow_delete_while_mapped")
	}
}

func TestAssignLogicalUnitNumber(t *testing.T) {
	used := map[int64]bool{0: true, 1: true, 3: true}
	if n, err := ontap.AssignLogicalUnitNumber(nil, used, "ig"); n != 2 || err != nil {
		t.Errorf("lowest free: %d, %v; want 2", n, err)
	}
	if n, err := ontap.AssignLogicalUnitNumber(ptr(int64(7)), used, "ig"); n != 7 || err != nil {
		t.Errorf("requested: %d, %v", n, err)
	}
	if _, err := ontap.AssignLogicalUnitNumber(ptr(int64(3)), used, "ig"); code(t, err) != "1" || status(t, err) != http.StatusConflict {
		t.Errorf("a number in use: %v", err)
	}
	for _, n := range []int64{-1, 4096} {
		if _, err := ontap.AssignLogicalUnitNumber(ptr(n), used, "ig"); code(t, err) != "2" {
			t.Errorf("out of range %d: %v", n, err)
		}
	}
	full := map[int64]bool{}
	for n := range int64(ontap.MaxLogicalUnitNumber + 1) {
		full[n] = true
	}
	if _, err := ontap.AssignLogicalUnitNumber(nil, full, "ig"); code(t, err) != "1" {
		t.Errorf("a full igroup: %v", err)
	}
	if err := ontap.CheckLUNMapRefs(nil, &ontap.Ref{Name: ptr("ig")}); code(t, err) != "5374901" {
		t.Errorf("no LUN: %v", err)
	}
	if err := ontap.CheckLUNMapRefs(&ontap.Ref{UUID: ptr("u")}, &ontap.Ref{}); code(t, err) != "5374902" {
		t.Errorf("no igroup: %v", err)
	}
}

func TestISCSIRules(t *testing.T) {
	if got := ontap.ISCSITargetName("AB12-cd34", 3); got != "iqn.1992-08.com.netapp:sn.ab12cd34:vs.3" {
		t.Errorf("target name %q", got)
	}
	if code(t, ontap.CheckISCSIServiceDelete(true)) != "5373960" || ontap.CheckISCSIServiceDelete(false) != nil {
		t.Error("only a disabled iSCSI service may be deleted")
	}
	chap := func(iu, ip, ou, op string) *ontap.ISCSIChap {
		c := &ontap.ISCSIChap{}
		for _, f := range []struct {
			v string
			p **string
		}{{iu, &c.InboundUser}, {ip, &c.InboundPassword}, {ou, &c.OutboundUser}, {op, &c.OutboundPassword}} {
			if f.v != "" {
				*f.p = ptr(f.v)
			}
		}
		return c
	}
	cases := []struct {
		auth string
		chap *ontap.ISCSIChap
		code string
	}{
		{"none", nil, ""},
		{"deny", &ontap.ISCSIChap{}, ""},
		{"none", chap("u", "", "", ""), "5374900"},
		{"chap", chap("u", "secret123456", "", ""), ""},
		{"CHAP", chap("u", "secret123456", "o", "other1234567"), ""},
		{"chap", nil, "5374149"},
		{"chap", chap("u", "", "", ""), "5374149"},
		{"chap", chap("u", "secret123456", "o", ""), "5374150"},
		{"chap", chap("u", "secret123456", "o", "secret123456"), "5374147"},
		{"chap", chap("u", "0xabc", "", ""), "5374145"},
		{"chap", chap("u", "0xabcd", "", ""), ""},
		{"kerberos", nil, "2"},
	}
	for i, c := range cases {
		if got := code(t, ontap.CheckISCSICredential(c.auth, c.chap)); got != c.code {
			t.Errorf("case %d (%s): %q, want %q", i, c.auth, got, c.code)
		}
	}
	for in, want := range map[string]string{
		"iqn.1993-08.org.debian:01:1": "", "default": "5374142", "host": "5373997",
		"20:00:00:25:b5:00:00:0a": "5373997", "iqn.1993-13.org.x": "5373971",
	} {
		if _, err := ontap.CheckISCSICredentialInitiator(in); code(t, err) != want {
			t.Errorf("credential initiator %q: %v, want %q", in, err, want)
		}
	}
	if code(t, ontap.CheckISCSICredentialDelete("default")) != "5374155" || ontap.CheckISCSICredentialDelete("iqn.1993-08.org.x:1") != nil {
		t.Error("the default credential cannot be deleted; others can")
	}
}
