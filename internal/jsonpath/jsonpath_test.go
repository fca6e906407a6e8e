package jsonpath_test

import (
	"encoding/json"
	"testing"

	"github.com/nessie-go/nessie/internal/jsonpath"
)

func TestPaths(t *testing.T) {
	var doc any
	if err := json.Unmarshal([]byte(`{"num_records":2,"records":[{"uuid":"u0","size":1073741824,"ok":true,"clone":{"parent_volume":{"name":"p"}},"n":null},{"uuid":"u1","size":1.5}]}`), &doc); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"num_records":                        "2",
		"records.0.uuid":                     "u0",
		"records.1.uuid":                     "u1",
		"records.0.size":                     "1073741824",
		"records.0.ok":                       "true",
		"records.0.clone.parent_volume.name": "p",
		"records.0.n":                        "",
		"records.2.uuid":                     "",
		"records.-1.uuid":                    "",
		"records.x.uuid":                     "",
		"records.0.uuid.more":                "",
		"nope":                               "",
		"records.0.clone":                    "map[parent_volume:map[name:p]]",
	} {
		if got := jsonpath.String(doc, path); got != want {
			t.Errorf("String(%q) = %q, want %q", path, got, want)
		}
	}
	if n, ok := jsonpath.Int(doc, "records.0.size"); !ok || n != 1<<30 {
		t.Errorf("Int(size) = %d, %v", n, ok)
	}
	if _, ok := jsonpath.Int(doc, "records.1.size"); ok {
		t.Error("Int accepted 1.5")
	}
	if _, ok := jsonpath.Int(doc, "records.0.uuid"); ok {
		t.Error("Int accepted a string")
	}
	if jsonpath.Get(doc, "") == nil {
		t.Error("the empty path is the document")
	}
}
