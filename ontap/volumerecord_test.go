package ontap_test

import (
	"math/rand/v2"
	"net/url"
	"testing"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/ontap/schema"
)

// TestVolumeRecordBuildsWhatProjectionKeeps: VolumeRecord builds only what
// a query needs (top-level fields, and no expensive ones for the common
// fields alone). Whatever it leaves out, paging or projecting its record
// must answer as the complete record (a nil query) does, and PageBuilt
// and ProjectBuilt, which do not trim the records of a query for the
// default or common fields alone, must answer alike, for random
// volumes (clones, junction paths, attributes) and many queries.
func TestVolumeRecordBuildsWhatProjectionKeeps(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	vctx := &ontap.VolumeContext{SVM: &ontap.Ref{Name: new("svm0"), UUID: new("4f1c4cf4-5a4c-4b55-9c37-8f2f2b0c3b50")},
		Aggregate: ontap.Ref{Name: new("aggr1")}, EmptyExportPolicy: ontap.DefaultExportPolicy}
	attrs := []*ontap.Attributes{nil,
		ontap.NewAttributes(schema.Volume, ontap.Extra{"language": "c.utf_8", "quota": ontap.Extra{"enabled": true}}),
		ontap.NewAttributes(schema.Volume, ontap.Extra{"encryption": ontap.Extra{"enabled": true}, "nas": ontap.Extra{"security_style": "ntfs"}}),
	}
	var vols []backend.Volume
	var volAttrs []*ontap.Attributes
	for i := range 40 {
		v := backend.Volume{ID: backend.NewVolumeID(), Name: "v" + string(rune('a'+i%26)) + string(rune('a'+i/26)),
			Size: backend.Bytes(uint64(r.IntN(1<<20)) << 12), State: backend.StateOnline, Style: backend.StyleFlexVol,
			Type: backend.TypeRW, UsedBytes: uint64(r.IntN(1 << 20)), CreateTime: time.Unix(int64(r.IntN(1e9)), 0).UTC()}
		if r.IntN(3) == 0 {
			v.Clone = &backend.CloneOrigin{ParentVolume: "p", ParentSnapshot: "s", ParentVolumeID: backend.NewVolumeID(), ParentSnapshotID: backend.NewSnapshotID()}
		}
		if r.IntN(2) == 0 {
			v.JunctionPath = "/j" + v.Name
		}
		if r.IntN(3) == 0 {
			v.ExportPolicy = "pol"
		}
		if r.IntN(3) == 0 {
			v.Comment = "c"
		}
		if r.IntN(4) == 0 {
			v.Size = backend.Unlimited
		}
		if r.IntN(4) == 0 {
			v.State = backend.StateOffline
		}
		vols = append(vols, v)
		volAttrs = append(volAttrs, attrs[r.IntN(len(attrs))])
	}
	s := ontap.SchemaOf[ontap.Volume]()
	collections := []string{"", "fields=*", "fields=**", "fields=*,nas.path", "fields=nas", "fields=clone", "fields=*,clone.parent_volume.name",
		"fields=*&clone.split_initiated=false", "fields=*&clone.is_flexclone=true", "fields=*&nas.path=/j*", "fields=*&order_by=nas.path",
		"fields=*&order_by=clone.parent_volume.name%20desc", "fields=name&clone.parent_snapshot.name=s", "fields=*&language=c.utf_8",
		"fields=*&max_records=7", "fields=space,quota,encryption", "fields=*&state=offline", "fields=*,quota.state&size=>1000000"}
	for _, raw := range collections {
		q, err := s.ParseQuery(must(url.ParseQuery(raw)), ontap.QueryCollection)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		lazy, full := make([]ontap.Volume, len(vols)), make([]ontap.Volume, len(vols))
		for i := range vols {
			lazy[i] = ontap.VolumeRecord(&vols[i], vctx, volAttrs[i], q)
			full[i] = ontap.VolumeRecord(&vols[i], vctx, volAttrs[i], nil)
		}
		want := ontap.Page(q, full, ontap.VolumesPath).AppendJSON(nil)
		if got := ontap.Page(q, lazy, ontap.VolumesPath).AppendJSON(nil); string(got) != string(want) {
			t.Errorf("GET ?%s:\n got %s\nwant %s", raw, got, want)
		}
		if got := ontap.PageBuilt(q, lazy, ontap.VolumesPath).AppendJSON(nil); string(got) != string(want) {
			t.Errorf("GET ?%s, PageBuilt:\n got %s\nwant %s", raw, got, want)
		}
	}
	for _, raw := range []string{"", "fields=*", "fields=**", "fields=*,nas.path", "fields=clone", "fields=nas.path,clone.split_initiated", "fields=name"} {
		q, err := s.ParseQuery(must(url.ParseQuery(raw)), ontap.QueryRecord)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		for i := range vols {
			lazy := ontap.VolumeRecord(&vols[i], vctx, volAttrs[i], q)
			full := ontap.VolumeRecord(&vols[i], vctx, volAttrs[i], nil)
			built := lazy
			ontap.Project(q, &lazy)
			ontap.Project(q, &full)
			ontap.ProjectBuilt(q, &built)
			want := full.AppendJSON(nil)
			if got := lazy.AppendJSON(nil); string(got) != string(want) {
				t.Errorf("GET one ?%s:\n got %s\nwant %s", raw, got, want)
			}
			if got := built.AppendJSON(nil); string(got) != string(want) {
				t.Errorf("GET one ?%s, ProjectBuilt:\n got %s\nwant %s", raw, got, want)
			}
		}
	}
}
