package ontap_test

import (
	"errors"
	"strconv"
	"testing"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/ontap/schema"
)

var rules = ontap.VolumeRules{SVMName: "svm0", SVMUUID: "11111111-1111-4111-8111-111111111111", AggregateName: "aggr1", AggregateUUID: "22222222-2222-4222-8222-222222222222"}

// code returns the ONTAP code of err ("" for nil).
func code(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var e *ontap.Error
	if !errors.As(err, &e) {
		t.Fatalf("not an ONTAP error: %v", err)
	}
	return e.Code
}

func decodeVolume(t *testing.T, body string, op schema.Flag) (*ontap.Volume, []string, []string, error) {
	t.Helper()
	var nulls []string
	w, paths, err := ontap.Decode[ontap.Volume]([]byte(body), ontap.DecodeOptions{Op: op, Nulls: &nulls})
	return w, paths, nulls, err
}

const base = `"name":"v","svm":{"name":"svm0"},"aggregates":[{"name":"aggr1"}]`

func TestVolumeRulesCreate(t *testing.T) {
	cases := []struct {
		name, body, code string
		check            func(*testing.T, *ontap.VolumeCreate)
	}{
		{"minimal gets ONTAP's default size", `{` + base + `}`, "", func(t *testing.T, c *ontap.VolumeCreate) {
			if n, _ := c.Spec.Size.Get(); n != ontap.DefaultVolumeSize || c.Spec.Attributes != nil {
				t.Errorf("spec %+v", c.Spec)
			}
		}},
		{"space.size is the size", `{` + base + `,"space":{"size":"1GB"}}`, "", func(t *testing.T, c *ontap.VolumeCreate) {
			if n, _ := c.Spec.Size.Get(); n != 1<<30 {
				t.Errorf("size %d", n)
			}
		}},
		{"size and space.size disagree", `{` + base + `,"size":1073741824,"space":{"size":2147483648}}`, "2", nil},
		{"state and mount in the spec", `{` + base + `,"state":"online","nas":{"path":"/v","export_policy":{"name":"p"}}}`, "", func(t *testing.T, c *ontap.VolumeCreate) {
			if c.Spec.State != backend.StateOnline || c.Spec.JunctionPath != "/v" || c.Spec.ExportPolicy != "p" {
				t.Errorf("spec %+v", c.Spec)
			}
		}},
		{"attributes carry the unmodelled fields", `{` + base + `,"guarantee":{"type":"none"},"analytics":{}}`, "", func(t *testing.T, c *ontap.VolumeCreate) {
			if string(c.Spec.Attributes) != `{"ontap":{"guarantee":{"type":"none"}}}` {
				t.Errorf("attributes %s", c.Spec.Attributes)
			}
		}},
		{"offline with a junction path", `{` + base + `,"state":"offline","nas":{"path":"/v"}}`, "2", nil},
		{"no svm", `{"name":"v","aggregates":[{"name":"aggr1"}]}`, "2621707", nil},
		{"other svm", `{"name":"v","svm":{"name":"x"},"aggregates":[{"name":"aggr1"}]}`, "2621462", nil},
		{"no aggregate", `{"name":"v","svm":{"name":"svm0"}}`, "787140", nil},
		{"other aggregate", `{"name":"v","svm":{"name":"svm0"},"aggregates":[{"name":"a2"}]}`, "917508", nil},
		{"bad name", `{"name":"1v","svm":{"name":"svm0"},"aggregates":[{"name":"aggr1"}]}`, "917887", nil},
		{"too small", `{` + base + `,"size":1024}`, "917534", nil},
		{"negative", `{` + base + `,"size":-1}`, "2", nil},
		{"bad state", `{` + base + `,"state":"mixed"}`, "918652", nil},
		{"bad path", `{` + base + `,"nas":{"path":"v"}}`, "918252", nil},
		{"dp", `{` + base + `,"type":"DP"}`, "3", nil},
		{"flexgroup", `{` + base + `,"style":"flexgroup"}`, "3", nil},
		{"reserve over 90", `{` + base + `,"space":{"snapshot":{"reserve_percent":91}}}`, "2", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w, _, _, err := decodeVolume(t, c.body, schema.Post)
			if err != nil {
				t.Fatal(err)
			}
			got, err := rules.Create(w)
			if code(t, err) != c.code {
				t.Fatalf("code %q, want %q (%v)", code(t, err), c.code, err)
			}
			if err == nil && c.check != nil {
				c.check(t, got)
			}
		})
	}
}

func TestVolumeRulesDecode(t *testing.T) {
	for _, c := range []struct {
		name, body string
		op         schema.Flag
		code       string
	}{
		{"read-only typed", `{"uuid":"x"}`, schema.Post, "262196"},
		{"read-only extra", `{"efficiency":{"has_savings":true}}`, schema.Patch, "262196"},
		{"patch-only on create", `{"quota":{"enabled":true}}`, schema.Post, "262196"},
		{"patch-only on patch", `{"quota":{"enabled":"true"}}`, schema.Patch, ""},
		{"create-only on patch", `{"type":"rw"}`, schema.Patch, "262196"},
		{"empty object anywhere", `{"svm":{},"analytics":{},"space":{"logical_space":{}}}`, schema.Patch, ""},
		{"unknown", `{"space":{"nope":1}}`, schema.Post, "262197"},
		{"enum", `{"tiering":{"policy":"sometimes"}}`, schema.Patch, "2"},
		{"enum any case", `{"tiering":{"policy":"AUTO"}}`, schema.Patch, ""},
		{"integer as size string", `{"files":{"maximum":"1K"}}`, schema.Patch, ""},
		{"wrong type", `{"snapshot_directory_access_enabled":"yes"}`, schema.Patch, "2"},
		{"array of objects", `{"constituents":[{"movement":{"cutover_window":30}}]}`, schema.Patch, ""},
		{"read-only inside an array", `{"constituents":[{"name":"c1"}]}`, schema.Patch, "262196"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, _, err := decodeVolume(t, c.body, c.op)
			if code(t, err) != c.code {
				t.Fatalf("code %q, want %q (%v)", code(t, err), c.code, err)
			}
		})
	}
}

func TestVolumeRulesClone(t *testing.T) {
	parent := backend.Volume{ID: backend.VolumeID{1}, Name: "p", Attributes: ontap.EncodeAttributes(ontap.Extra{"guarantee": ontap.Extra{"type": "none"}})}
	for _, c := range []struct {
		name, body, code string
	}{
		{"ok", `{"name":"c","svm":{"name":"svm0"},"clone":{"is_flexclone":true,"parent_volume":{"name":"p"}},"snapshot_policy":{"name":"none"}}`, ""},
		{"not flexclone", `{"name":"c","svm":{"name":"svm0"},"clone":{"parent_volume":{"name":"p"}}}`, "2"},
		{"no parent", `{"name":"c","svm":{"name":"svm0"},"clone":{"is_flexclone":true}}`, "2"},
		{"field not for clones", `{"name":"c","svm":{"name":"svm0"},"size":1073741824,"clone":{"is_flexclone":true,"parent_volume":{"name":"p"}}}`, "918247"},
		{"dp clone", `{"name":"c","svm":{"name":"svm0"},"type":"dp","clone":{"is_flexclone":true,"parent_volume":{"name":"p"}}}`, "918244"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w, paths, _, err := decodeVolume(t, c.body, schema.Post)
			if err != nil {
				t.Fatal(err)
			}
			cc, err := rules.Clone(w, paths)
			if code(t, err) != c.code {
				t.Fatalf("code %q, want %q (%v)", code(t, err), c.code, err)
			}
			if err != nil {
				return
			}
			cc.Spec.Name = "c"
			spec, err := cc.CloneSpec(&parent, backend.SnapshotID{}, ontap.ImplicitCloneSnapshotName("c", 0))
			if err != nil {
				t.Fatal(err)
			}
			if spec.NewSnapshotName != "clone_c.0" || spec.ParentVolume != parent.ID ||
				string(spec.Attributes) != `{"ontap":{"guarantee":{"type":"none"},"snapshot_policy":{"name":"none"}}}` {
				t.Errorf("spec %+v attributes %s", spec, spec.Attributes)
			}
		})
	}
}

func TestVolumeRulesPatch(t *testing.T) {
	for _, c := range []struct {
		name, body string
		params     map[string]string
		kind       ontap.VolumeChangeKind
		code       string
	}{
		{"resize by space.size", `{"space":{"size":2147483648}}`, nil, ontap.ChangeModify, ""},
		{"quota", `{"quota":{"enabled":true}}`, nil, ontap.ChangeModify, ""},
		{"restore by query", ``, map[string]string{"restore_to.snapshot.name": "s"}, ontap.ChangeRestore, ""},
		{"restore by body", `{"restore_to":{"snapshot":{"name":"s"}}}`, nil, ontap.ChangeRestore, ""},
		{"restore with more", `{"restore_to.snapshot.name":"s","comment":"x"}`, nil, 0, "918251"},
		{"split", `{"clone":{"split_initiated":true}}`, nil, ontap.ChangeSplit, ""},
		{"split with more", `{"clone":{"split_initiated":true},"comment":"x"}`, nil, 0, "918248"},
		{"bad force", ``, map[string]string{"force": "maybe"}, 0, "2"},
		{"null size", `{"size":null}`, nil, 0, "2"},
		{"move to our aggregate", `{"aggregates":[{"name":"aggr1"}]}`, nil, ontap.ChangeModify, ""},
		{"move elsewhere", `{"aggregates":[{"name":"aggr9"}]}`, nil, 0, "917508"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w, paths, nulls, err := decodeVolume(t, c.body, schema.Patch)
			if err != nil {
				t.Fatal(err)
			}
			ch, err := rules.Patch(w, paths, nulls, c.params)
			if code(t, err) != c.code {
				t.Fatalf("code %q, want %q (%v)", code(t, err), c.code, err)
			}
			if err == nil && ch.Kind != c.kind {
				t.Errorf("kind %d, want %d", ch.Kind, c.kind)
			}
		})
	}
	// ContractMode: null size is unlimited.
	cm := rules
	cm.ContractMode = true
	w, paths, nulls, _ := decodeVolume(t, `{"size":null}`, schema.Patch)
	ch, err := cm.Patch(w, paths, nulls, nil)
	if err != nil || ch.Patch.Size == nil || *ch.Patch.Size != backend.Unlimited {
		t.Fatalf("contract-mode null size: %+v %v", ch, err)
	}
}

func TestSnapshotRules(t *testing.T) {
	vol := backend.Volume{ID: backend.VolumeID{1}, Name: "v"}
	for i, c := range []struct {
		body string
		op   schema.Flag
		code string
	}{
		{`{"name":"s","comment":"c","snapmirror_label":"daily","expiry_time":"2030-01-01T00:00:00Z"}`, schema.Post, ""},
		{`{"comment":"c"}`, schema.Post, "2"},
		{`{"name":"a/b"}`, schema.Post, "1638518"},
		{`{"name":"s","volume":{"name":"other"}}`, schema.Post, "2"},
		{`{"name":"s","svm":{"name":"vs9"}}`, schema.Patch, "2621462"},
		{`{"name":"s","owners":["x"]}`, schema.Post, "262196"},
	} {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			w, _, err := ontap.Decode[ontap.Snapshot]([]byte(c.body), ontap.DecodeOptions{Op: c.op})
			if err == nil {
				if c.op == schema.Post {
					var sc *ontap.SnapshotCreate
					sc, err = rules.SnapshotCreate(w, &vol)
					if err == nil && (sc.Spec.Comment != "c" || string(sc.Spec.Attributes) != `{"ontap":{"expiry_time":"2030-01-01T00:00:00+00:00","snapmirror_label":"daily"}}`) {
						t.Errorf("spec %+v %s", sc.Spec, sc.Spec.Attributes)
					}
				} else {
					_, err = rules.SnapshotPatch(w, &vol)
				}
			}
			if code(t, err) != c.code {
				t.Fatalf("code %q, want %q (%v)", code(t, err), c.code, err)
			}
		})
	}
}
