package backend_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/nessie-go/nessie/backend"
)

func TestMergeAttributes(t *testing.T) {
	for _, tc := range []struct {
		name, stored, patch, want string // want "" means nil
	}{
		{"both empty", "", "", ""},
		{"empty patch keeps stored", `{"a":1}`, ``, `{"a":1}`},
		{"empty object patch keeps stored", `{"a":1}`, `{}`, `{"a":1}`},
		{"adds to nothing", ``, `{"a":1}`, `{"a":1}`},
		{"replaces a scalar", `{"a":1,"b":2}`, `{"a":"x"}`, `{"a":"x","b":2}`},
		{"appends new keys in patch order", `{"b":1}`, `{"z":1,"a":2}`, `{"b":1,"z":1,"a":2}`},
		{"null deletes", `{"a":1,"b":2}`, `{"a":null}`, `{"b":2}`},
		{"null for a missing key is a no-op", `{"a":1}`, `{"x":null}`, `{"a":1}`},
		{"deleting the last key gives nil", `{"a":1}`, `{"a":null}`, ""},
		{"objects merge recursively", `{"o":{"x":1,"y":2}}`, `{"o":{"y":3,"z":4}}`, `{"o":{"x":1,"y":3,"z":4}}`},
		{"nested null deletes", `{"o":{"x":1,"y":2}}`, `{"o":{"x":null}}`, `{"o":{"y":2}}`},
		{"object replaces a scalar, nulls dropped", `{"o":1}`, `{"o":{"a":null,"b":1}}`, `{"o":{"b":1}}`},
		{"new object member drops its nulls", ``, `{"o":{"a":null}}`, `{"o":{}}`},
		{"arrays replace", `{"l":[1,2,3]}`, `{"l":[4]}`, `{"l":[4]}`},
		{"scalar replaces an object", `{"o":{"a":1}}`, `{"o":"s"}`, `{"o":"s"}`},
		{"whitespace compacted", ` { "a" : [ 1 , 2 ] } `, ` { "b" : { "c" : true } } `, `{"a":[1,2],"b":{"c":true}}`},
		{"key escapes kept verbatim", `{"\u00e9":1,"q\"":2}`, `{"n":3}`, `{"\u00e9":1,"q\"":2,"n":3}`},
		{"escaped key matches its plain spelling", `{"\u0061":1}`, `{"a":2}`, `{"\u0061":2}`},
		{"strings with braces and commas", `{"s":"},{"}`, `{"t":"[,]"}`, `{"s":"},{","t":"[,]"}`},
		{"stored nulls are kept", `{"a":null}`, `{"b":1}`, `{"a":null,"b":1}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stored := json.RawMessage(tc.stored)
			before := string(stored)
			got, err := backend.MergeAttributes(stored, json.RawMessage(tc.patch))
			if err != nil {
				t.Fatalf("MergeAttributes(%s, %s): %v", tc.stored, tc.patch, err)
			}
			if tc.want == "" {
				if got != nil {
					t.Fatalf("got %s, want nil", got)
				}
			} else if string(got) != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
			if string(stored) != before {
				t.Fatalf("stored changed to %s", stored)
			}
		})
	}
}

func TestMergeAttributesRefusesNonObjects(t *testing.T) {
	for _, bad := range []string{`null`, `[]`, `1`, `"s"`, `true`, `{`, `{"a":}`, `{"a":1}x`, "   "} {
		if _, err := backend.MergeAttributes(nil, json.RawMessage(bad)); !errors.Is(err, backend.ErrInvalidArgument) {
			t.Errorf("patch %q: err = %v, want ErrInvalidArgument", bad, err)
		}
		if _, err := backend.MergeAttributes(json.RawMessage(bad), json.RawMessage(`{}`)); !errors.Is(err, backend.ErrInvalidArgument) {
			t.Errorf("stored %q: err = %v, want ErrInvalidArgument", bad, err)
		}
	}
}

func TestAttributesSizeLimit(t *testing.T) {
	big := func(n int) json.RawMessage {
		return json.RawMessage(`{"k":"` + strings.Repeat("x", n-len(`{"k":""}`)) + `"}`)
	}
	if _, err := backend.CompactAttributes(big(backend.MaxAttributesLen)); err != nil {
		t.Fatalf("exactly the limit: %v", err)
	}
	if _, err := backend.CompactAttributes(big(backend.MaxAttributesLen + 1)); !errors.Is(err, backend.ErrInvalidArgument) {
		t.Fatalf("one byte over: err = %v, want ErrInvalidArgument", err)
	}
	// Two halves that fit alone do not fit merged.
	half := json.RawMessage(`{"a":"` + strings.Repeat("x", backend.MaxAttributesLen/2) + `"}`)
	other := json.RawMessage(`{"b":"` + strings.Repeat("y", backend.MaxAttributesLen/2) + `"}`)
	if _, err := backend.MergeAttributes(half, other); !errors.Is(err, backend.ErrInvalidArgument) {
		t.Fatalf("merged over the limit: err = %v, want ErrInvalidArgument", err)
	}
	if err := (backend.VolumeSpec{Name: "v", Attributes: big(backend.MaxAttributesLen + 1)}).Validate(); !errors.Is(err, backend.ErrInvalidArgument) {
		t.Fatalf("VolumeSpec over the limit: err = %v", err)
	}
}

func TestCompactAttributes(t *testing.T) {
	for in, want := range map[string]string{
		``:                      "",
		`{}`:                    "",
		` { } `:                 "",
		`{ "b" : 1, "a" : 2 }`:  `{"b":1,"a":2}`,
		`{"n":null,"x":[ {} ]}`: `{"n":null,"x":[{}]}`,
	} {
		got, err := backend.CompactAttributes(json.RawMessage(in))
		if err != nil || string(got) != want || (want == "" && got != nil) {
			t.Errorf("CompactAttributes(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{`null`, `[1]`, `{"a"}`} {
		if _, err := backend.CompactAttributes(json.RawMessage(bad)); !errors.Is(err, backend.ErrInvalidArgument) {
			t.Errorf("CompactAttributes(%q): err = %v, want ErrInvalidArgument", bad, err)
		}
	}
}

func TestSpecValidation(t *testing.T) {
	id := backend.NewVolumeID()
	snap := backend.NewSnapshotID()
	for _, tc := range []struct {
		name string
		err  error
		want backend.Resource // "" when valid
	}{
		{"volume online", backend.VolumeSpec{Name: "v", State: backend.StateOnline, JunctionPath: "/v"}.Validate(), ""},
		{"volume offline unmounted", backend.VolumeSpec{Name: "v", State: backend.StateOffline}.Validate(), ""},
		{"volume offline mounted", backend.VolumeSpec{Name: "v", State: backend.StateOffline, JunctionPath: "/v"}.Validate(), backend.ResourceVolume},
		{"volume bad state", backend.VolumeSpec{Name: "v", State: "Online"}.Validate(), backend.ResourceVolume},
		{"volume array attributes", backend.VolumeSpec{Name: "v", Attributes: json.RawMessage(`[]`)}.Validate(), backend.ResourceVolume},
		{"snapshot ok", backend.SnapshotSpec{Name: "s", Comment: "c", Attributes: json.RawMessage(`{"a":1}`)}.Validate(), ""},
		{"snapshot bad name", backend.SnapshotSpec{Name: "a/b"}.Validate(), backend.ResourceSnapshot},
		{"snapshot null attributes", backend.SnapshotSpec{Name: "s", Attributes: json.RawMessage(`null`)}.Validate(), backend.ResourceSnapshot},
		{"clone of a snapshot", backend.CloneSpec{Name: "c", ParentVolume: id, ParentSnapshot: snap}.Validate(), ""},
		{"clone of a new snapshot", backend.CloneSpec{Name: "c", ParentVolume: id, NewSnapshotName: "s"}.Validate(), ""},
		{"clone without a snapshot name", backend.CloneSpec{Name: "c", ParentVolume: id}.Validate(), backend.ResourceSnapshot},
		{"clone with both", backend.CloneSpec{Name: "c", ParentVolume: id, ParentSnapshot: snap, NewSnapshotName: "s"}.Validate(), backend.ResourceSnapshot},
		{"clone restricted mounted", backend.CloneSpec{Name: "c", ParentVolume: id, ParentSnapshot: snap, State: backend.StateRestricted, JunctionPath: "/c"}.Validate(), backend.ResourceVolume},
		{"clone bad name", backend.CloneSpec{Name: "", ParentVolume: id, ParentSnapshot: snap}.Validate(), backend.ResourceVolume},
		{"volume patch attributes", backend.VolumePatch{Attributes: json.RawMessage(`"x"`)}.Validate(), backend.ResourceVolume},
		{"snapshot patch attributes", backend.SnapshotPatch{Attributes: json.RawMessage(`{"a":null}`)}.Validate(), ""},
	} {
		if tc.want == "" {
			if tc.err != nil {
				t.Errorf("%s: %v, want valid", tc.name, tc.err)
			}
			continue
		}
		if !errors.Is(tc.err, backend.ErrInvalidArgument) || backend.ResourceOf(tc.err) != tc.want {
			t.Errorf("%s: %v, want ErrInvalidArgument about the %s", tc.name, tc.err, tc.want)
		}
	}
	if (backend.VolumePatch{Attributes: json.RawMessage(`{}`)}).IsEmpty() {
		t.Error("a patch with only attributes reports IsEmpty")
	}
	if (backend.SnapshotPatch{Attributes: json.RawMessage(`{}`)}).IsEmpty() {
		t.Error("a snapshot patch with only attributes reports IsEmpty")
	}
}
