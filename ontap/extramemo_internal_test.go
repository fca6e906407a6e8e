package ontap

import (
	"bytes"
	"encoding/json"
	"testing"
)

// A listing derives each shared attribute tree once (extraMemo); its
// records must encode exactly as each record does alone, whether records
// share a tree, have their own, or have none, and whatever the tree merges
// into (an object field that is set, one that is empty, members the schema
// does not model).
func TestListingEncodesAsRecordsAlone(t *testing.T) {
	shared := Extra{
		"space":        Extra{"snapshot": Extra{"reserve_percent": int64(5)}, "block_storage_inactive_user_data": int64(0)},
		"efficiency":   Extra{"compression": "none", "dedupe": "background"},
		"zz_unmodeled": []any{"a", int64(1), true},
		"aa_unmodeled": Extra{"x": json.Number("1.5")},
	}
	own := Extra{"efficiency": Extra{"compression": "inline"}, "snaplock": Extra{"type": "non_snaplock"}}
	used := int64(7)
	recs := []Volume{
		{UUID: new("u1"), Name: new("v1"), Extra: shared},
		{UUID: new("u2"), Name: new("v2"), Extra: shared, Space: &VolumeSpace{Used: &used}},
		{UUID: new("u3"), Name: new("v3"), Extra: own},
		{UUID: new("u4"), Name: new("v4")},
		{UUID: new("u5"), Name: new("v5"), Extra: shared, Space: &VolumeSpace{Used: &used}},
	}
	var want bytes.Buffer
	want.WriteString(`{"records":[`)
	for i, r := range recs {
		if i > 0 {
			want.WriteByte(',')
		}
		want.Write(r.AppendJSON(nil))
	}
	want.WriteString(`],"num_records":5,"_links":{}}`)
	got := Collection[Volume]{Records: recs, NumRecords: 5}.AppendJSON(nil)
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("listing:\n%s\nrecords alone:\n%s", got, want.Bytes())
	}
	if !json.Valid(got) || !bytes.Contains(got, []byte(`"space":{"used":7,`)) || !bytes.Contains(got, []byte(`"zz_unmodeled":["a",1,true]`)) {
		t.Fatalf("attributes not merged: %s", got)
	}
}
