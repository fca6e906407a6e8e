package ontap_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"testing"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/ontap/schema"
)

// TestCommonExtraSameAnswer: fields=* takes the precomputed common view
// (Query.CommonExtra); naming a field fields=* already includes makes the
// same query take the general projection. Both must answer alike, with
// and without filters on stored attributes.
func TestCommonExtraSameAnswer(t *testing.T) {
	vctx := &ontap.VolumeContext{SVM: &ontap.Ref{Name: new("svm0")}, Aggregate: ontap.Ref{Name: new("aggr1")}}
	attrs := []*ontap.Attributes{
		nil, // ONTAP's defaults
		ontap.NewAttributes(schema.Volume, ontap.Extra{"language": "c.utf_8", "efficiency": ontap.Extra{"compression": "none"}}),
		ontap.NewAttributes(schema.Volume, ontap.Extra{"tiering": ontap.Extra{"policy": "none"}, "efficiency": ontap.Extra{"compression": "inline"}}),
	}
	var vols []backend.Volume
	for i := range 6 {
		vols = append(vols, backend.Volume{ID: backend.NewVolumeID(), Name: "v" + string(rune('a'+i)), Size: backend.Bytes(1 << 30),
			State: backend.StateOnline, Style: backend.StyleFlexVol, Type: backend.TypeRW})
	}
	page := func(raw string) ontap.Collection[ontap.Volume] {
		t.Helper()
		q, err := ontap.SchemaOf[ontap.Volume]().ParseQuery(must(url.ParseQuery(raw)), ontap.QueryCollection)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		recs := make([]ontap.Volume, len(vols))
		for i := range vols {
			recs[i] = ontap.VolumeRecord(&vols[i], vctx, attrs[i%len(attrs)], q)
		}
		c := ontap.Page(q, recs, ontap.VolumesPath)
		c.Links = ontap.Links{} // names the query, which differs
		return c
	}
	render := func(raw string) string {
		t.Helper()
		c := page(raw)
		b, err := json.Marshal(&c)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	names := func(raw string) (out []string) {
		for _, r := range page(raw).Records {
			out = append(out, *r.Name)
		}
		return out
	}
	for _, filter := range []string{"", "&efficiency.compression=none", "&efficiency.compression=inline", "&language=c.utf_8",
		"&order_by=efficiency.compression", "&order_by=efficiency.compression%20desc", "&name=va|vb"} {
		fast, general := render("fields=*"+filter), render("fields=*,uuid"+filter)
		if fast != general {
			t.Errorf("fields=*%s:\n fast    %s\n general %s", filter, fast, general)
		}
		// Which records and in what order must not depend on fields=.
		if filter != "" {
			if got, want := names("fields=*"+filter), names(filter[1:]); !slices.Equal(got, want) {
				t.Errorf("fields=*%s selects %v, without fields= %v", filter, got, want)
			}
		}
	}
	// Naming an uncommon field next to * adds it.
	with := 0
	for _, r := range page("fields=*,efficiency").Records {
		if _, ok := r.Extra["efficiency"]; ok {
			with++
		}
	}
	if with != len(vols) { // the defaults have it too
		t.Errorf("fields=*,efficiency: %d records show efficiency, want %d", with, len(vols))
	}
	if n := len(page("efficiency.compression=inline").Records); n != 2 {
		t.Fatalf("efficiency.compression=inline: %d records, want 2", n)
	}
}
