package ontap_test

import (
	"slices"
	"testing"

	"github.com/nessie-go/nessie/ontap"
)

func TestCheckLIFAddress(t *testing.T) {
	cases := []struct {
		addr, mask, family string
		prefix             int
		code               string
	}{
		{"10.0.0.5", "24", "ipv4", 24, ""},
		{"10.0.0.5", "255.255.255.0", "ipv4", 24, ""},
		{"10.0.0.5", "32", "ipv4", 32, ""},
		{"fd20::5", "64", "ipv6", 64, ""},
		{"10.0.0.0", "24", "", 0, "53281073"},
		{"10.0.0.5", "33", "", 0, "1966269"},
		{"10.0.0.5", "0", "", 0, "1966269"},
		{"fd20::5", "128", "", 0, "1966267"},
		{"10.0.0.5", "255.0.255.0", "", 0, "2"},
		{"10.0.0.300", "24", "", 0, "2"},
		{"", "24", "", 0, "2"},
		{"10.0.0.5", "", "", 0, "2"},
	}
	for _, c := range cases {
		fam, p, err := ontap.CheckLIFAddress(c.addr, c.mask)
		if fam != c.family || p != c.prefix || code(t, err) != c.code {
			t.Errorf("CheckLIFAddress(%q, %q) = %q, %d, %v; want %q, %d, code %q", c.addr, c.mask, fam, p, err, c.family, c.prefix, c.code)
		}
	}
}

func TestCheckLIFCreate(t *testing.T) {
	base := func() ontap.LIFCreate {
		return ontap.LIFCreate{Name: ptr("lif1"), Address: ptr("10.0.0.5"), Netmask: ptr("24"), SVM: true, HomeNode: ptr("node1")}
	}
	in := base()
	_, policy, services, err := ontap.CheckLIFCreate(&in)
	if err != nil || policy != "default-data-files" || !slices.Contains(services, "data_nfs") || slices.Contains(services, "data_iscsi") {
		t.Fatalf("default policy: %q %v %v", policy, services, err)
	}
	in.ServicePolicy = ptr("default-data-iscsi")
	if _, _, services, err = ontap.CheckLIFCreate(&in); err != nil || !slices.Contains(services, "data_iscsi") {
		t.Fatalf("iscsi policy: %v %v", services, err)
	}
	for name, c := range map[string]struct {
		edit func(*ontap.LIFCreate)
		code string
	}{
		"no name":        {func(l *ontap.LIFCreate) { l.Name = nil }, "2"},
		"no svm":         {func(l *ontap.LIFCreate) { l.SVM = false }, "1967127"},
		"cluster scope":  {func(l *ontap.LIFCreate) { l.SVM = false; l.Scope = ptr("cluster") }, ""},
		"no home":        {func(l *ontap.LIFCreate) { l.HomeNode = nil }, "1967111"},
		"home port only": {func(l *ontap.LIFCreate) { l.HomeNode = nil; l.HomePort = ptr("e0a") }, ""},
		"bad policy":     {func(l *ontap.LIFCreate) { l.ServicePolicy = ptr("nope") }, "53281065"},
		"no netmask":     {func(l *ontap.LIFCreate) { l.Netmask = nil }, "2"},
	} {
		in := base()
		c.edit(&in)
		if _, _, _, err := ontap.CheckLIFCreate(&in); code(t, err) != c.code {
			t.Errorf("%s: %v, want code %q", name, err, c.code)
		}
	}
	if !ontap.SameAddress("10.0.0.5", "::ffff:10.0.0.5") || ontap.SameAddress("10.0.0.5", "10.0.0.6") {
		t.Error("SameAddress")
	}
}

func TestCheckSVMName(t *testing.T) {
	for name, want := range map[string]string{
		"svm1": "", "_s.v-m": "", "": "2", "1svm": "2621519", "s vm": "2621519", "s/vm": "2621519",
		"a23456789012345678901234567890123456789012345678": "13434911", "a2345678901234567890123456789012345678901234567": "",
	} {
		if got := code(t, ontap.CheckSVMName("name", name)); got != want {
			t.Errorf("CheckSVMName(%q) = %q, want %q", name, got, want)
		}
	}
}
