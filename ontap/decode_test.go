package ontap_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/nessie-go/nessie/ontap"
)

func TestDecodeForms(t *testing.T) {
	// Each body is one of the forms clients send; all decode to the same
	// record.
	want := ontap.Volume{
		Name:  new("c1"),
		Size:  new(int64(240 << 20)),
		SVM:   &ontap.Ref{Name: new("svm0")},
		NAS:   &ontap.VolumeNAS{Path: new("/c1"), ExportPolicy: &ontap.ExportPolicyRef{Name: new("p")}},
		Clone: &ontap.VolumeClone{IsFlexclone: new(true), ParentVolume: &ontap.Ref{Name: new("v")}, SplitInitiated: new(false)},
	}
	bodies := map[string]string{
		"nested":  `{"name":"c1","size":251658240,"svm":{"name":"svm0"},"nas":{"path":"/c1","export_policy":{"name":"p"}},"clone":{"is_flexclone":true,"parent_volume":{"name":"v"},"split_initiated":false}}`,
		"dotted":  `{"name":"c1","size":"240MB","svm.name":"svm0","nas.path":"/c1","nas.export_policy.name":"p","clone.is_flexclone":"true","clone.parent_volume.name":"v","clone.split_initiated":"false"}`,
		"mixed":   `{"name":"c1","size":"251658240","svm":{"name":"svm0"},"nas.path":"/c1","nas":{"export_policy.name":"p"},"clone":{"is_flexclone":"TRUE","parent_volume.name":"v"},"clone.split_initiated":false}`,
		"nulls":   `{"name":"c1","size":"240mb","comment":null,"svm":{"name":"svm0","uuid":null},"nas":{"path":"/c1","export_policy":{"name":"p"}},"clone":{"is_flexclone":true,"parent_volume":{"name":"v"},"split_initiated":false}}`,
		"spacing": " \n{ \"name\" : \"c1\", \"size\": \" 240 MB \", \"svm.name\":\"svm0\",\"nas\":{\"path\":\"/c1\",\"export_policy\":{\"name\":\"p\"}},\"clone.is_flexclone\":true,\"clone.parent_volume\":{\"name\":\"v\"},\"clone.split_initiated\":false}\n",
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			got, paths, err := ontap.Decode[ontap.Volume]([]byte(body), ontap.DecodeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, want) {
				t.Fatalf("got %+v", *got)
			}
			wantPaths := "clone.is_flexclone,clone.parent_volume.name,clone.split_initiated,name,nas.export_policy.name,nas.path,size,svm.name"
			if strings.Join(paths, ",") != wantPaths {
				t.Errorf("paths %v", paths)
			}
		})
	}
}

func TestDecodeArrays(t *testing.T) {
	got, _, err := ontap.Decode[ontap.Volume]([]byte(`{"aggregates":[{"name":"a1"},{"uuid":"u"}]}`), ontap.DecodeOptions{})
	if err != nil || len(got.Aggregates) != 2 || *got.Aggregates[0].Name != "a1" || *got.Aggregates[1].UUID != "u" {
		t.Fatalf("%+v %v", got, err)
	}
	// The dotted form of an array field names one element.
	got, _, err = ontap.Decode[ontap.Volume]([]byte(`{"aggregates.name":"a1"}`), ontap.DecodeOptions{})
	if err != nil || len(got.Aggregates) != 1 || *got.Aggregates[0].Name != "a1" {
		t.Fatalf("%+v %v", got, err)
	}
	got2, _, err := ontap.Decode[ontap.IPInterface]([]byte(`{"services":["data_nfs","data_core"]}`), ontap.DecodeOptions{})
	if err != nil || strings.Join(got2.Services, ",") != "data_nfs,data_core" {
		t.Fatalf("%+v %v", got2, err)
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		body, code, target string
	}{
		{`{`, "2", "body"},
		{`[1]`, "2", "body"},
		{`"x"`, "2", "body"},
		{`{} {}`, "2", "body"},
		{`{"name":"a"} x`, "2", "body"},
		{`{"bogus":1}`, "262197", "body"},
		{`{"nas":{"bogus":1}}`, "262197", "body"},
		{`{"nas.bogus":1}`, "262197", "body"},
		{`{"uuid":"x"}`, "262196", "uuid"},
		{`{"space":{"used":1}}`, "262196", "space.used"},
		{`{"create_time":"2020-01-01T00:00:00Z"}`, "262196", "create_time"},
		{`{"size":true}`, "2", "size"},
		{`{"size":"big"}`, "2", "size"},
		{`{"size":1.5}`, "2", "size"},
		{`{"size":99999999999999999999}`, "2", "size"},
		{`{"name":5}`, "2", "name"},
		{`{"name":["a"]}`, "2", "name"},
		{`{"clone":{"is_flexclone":"yes"}}`, "2", "clone.is_flexclone"},
		{`{"clone":{"is_flexclone":1}}`, "2", "clone.is_flexclone"},
		{`{"nas":"x"}`, "2", "nas"},
		{`{"aggregates":"x"}`, "2", "aggregates"},
		{`{"aggregates":["x"]}`, "2", "aggregates"},
		{`{"nas.path":"/a","nas":{"path":"/b"}}`, "2", "nas.path"},
		{`{"nas":"x","nas.path":"/a"}`, "2", "nas.path"},
		{`{"a..b":1}`, "262197", "body"},
		{`{".a":1}`, "262197", "body"},
	}
	for _, c := range cases {
		t.Run(c.body, func(t *testing.T) {
			_, _, err := ontap.Decode[ontap.Volume]([]byte(c.body), ontap.DecodeOptions{})
			e, ok := err.(*ontap.Error)
			if !ok || e.Code != c.code || e.Target != c.target || e.Status != 400 {
				t.Fatalf("got %#v, want code %s target %s", err, c.code, c.target)
			}
		})
	}
	// Deep nesting is refused, not recursed into without bound.
	deep := strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100)
	if _, _, err := ontap.Decode[ontap.Volume]([]byte(deep), ontap.DecodeOptions{}); err == nil {
		t.Error("deep body accepted")
	}
}

func TestDecodeIgnoreUnknown(t *testing.T) {
	got, paths, err := ontap.Decode[ontap.Volume]([]byte(`{"name":"a","bogus":{"x":1},"nas.nope":2,"":1,"a..b":{"":2}}`), ontap.DecodeOptions{IgnoreUnknownFields: true})
	if err != nil || *got.Name != "a" || len(paths) != 1 {
		t.Fatalf("%+v %v %v", got, paths, err)
	}
	// Still strict about types and read-only fields.
	if _, _, err := ontap.Decode[ontap.Volume]([]byte(`{"uuid":"x","bogus":1}`), ontap.DecodeOptions{IgnoreUnknownFields: true}); err == nil {
		t.Error("read-only field accepted")
	}
}

func TestDecodeEmpty(t *testing.T) {
	for _, b := range []string{"", "  ", "{}", "\n{ }\n"} {
		got, paths, err := ontap.Decode[ontap.Volume]([]byte(b), ontap.DecodeOptions{})
		if err != nil || !reflect.DeepEqual(*got, ontap.Volume{}) || len(paths) != 0 {
			t.Errorf("%q: %+v %v %v", b, got, paths, err)
		}
	}
}

func TestCheckVolumeName(t *testing.T) {
	for name, code := range map[string]string{
		"vol1": "", "_x": "", "A_1_b": "", strings.Repeat("a", 203): "",
		"": "2", "1vol": "917887", "-x": "917887", "build-cache": "917888", "a.b": "917888", "a b": "917888", "é": "917887", "aé": "917888",
		strings.Repeat("a", 204): "917886",
	} {
		e := ontap.CheckVolumeName("name", name)
		if code == "" && e != nil || code != "" && (e == nil || e.Code != code) {
			t.Errorf("CheckVolumeName(%q) = %v, want code %q", name, e, code)
		}
	}
}

func TestParseVersion(t *testing.T) {
	v, err := ontap.ParseVersion("9.16.1P6")
	if err != nil || *v.Generation != 9 || *v.Major != 16 || *v.Minor != 1 || !strings.HasPrefix(*v.Full, "NetApp Release 9.16.1P6: ") {
		t.Fatalf("%+v %v", v, err)
	}
	for _, bad := range []string{"", "9.16", "9.16.1.2", "v9.16.1", "9.16.1-beta", "9.x.1"} {
		if _, err := ontap.ParseVersion(bad); err == nil {
			t.Errorf("ParseVersion(%q) succeeded", bad)
		}
	}
}
