package ontap_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/ontap/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Fixed inputs, so every golden file is reproducible.
var (
	t0 = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	id = ontap.Identity{
		ClusterUUID: "11111111-1111-4111-8111-111111111111", ClusterName: "nessie",
		NodeUUID: "22222222-2222-4222-8222-222222222222", NodeName: "nessie-01", NodeSerial: "712345678901",
		SVMUUID: "33333333-3333-4333-8333-333333333333", SVMName: "svm0",
		AggregateUUID: "44444444-4444-4444-8444-444444444444", AggregateName: "aggr1",
		LIFUUID: "55555555-5555-4555-8555-555555555555", LIFName: "lif_data1", LIFAddress: "127.0.0.1",
	}
	volID   = must(backend.ParseVolumeID("66666666-6666-4666-8666-666666666666"))
	cloneID = must(backend.ParseVolumeID("77777777-7777-4777-8777-777777777777"))
	snapID  = must(backend.ParseSnapshotID("88888888-8888-4888-8888-888888888888"))
	jobID   = "99999999-9999-4999-8999-999999999999"
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func version() *ontap.Version { return must(ontap.ParseVersion("9.16.1")) }

func volume() backend.Volume {
	return backend.Volume{
		ID: volID, Name: "db", Size: backend.Bytes(1 << 30), State: backend.StateOnline,
		Style: backend.StyleFlexVol, Type: backend.TypeRW, JunctionPath: "/db", ExportPolicy: "trident",
		Comment: "primary", CreateTime: t0, UsedBytes: 4096,
	}
}

func clone() backend.Volume {
	v := volume()
	v.ID, v.Name, v.JunctionPath, v.Comment = cloneID, "db_clone", "", ""
	v.Clone = &backend.CloneOrigin{ParentVolume: "db", ParentSnapshot: "snap1", ParentVolumeID: volID, ParentSnapshotID: snapID}
	return v
}

func snapshot() backend.Snapshot {
	return backend.Snapshot{ID: snapID, Name: "snap1", CreateTime: t0, SizeConsumed: 1 << 30, Comment: "nightly"}
}

func volumeRecord(v backend.Volume) ontap.Volume {
	return ontap.VolumeRecord(&v, &ontap.VolumeContext{SVM: id.SVMRef(), Aggregate: id.AggregateRef(), EmptyExportPolicy: ontap.DefaultExportPolicy}, ontap.DefaultVolumeAttributes(), nil)
}

func snapshotRecord() ontap.Snapshot {
	s := snapshot()
	return ontap.SnapshotRecord(volID.String(), "db", &s, id.SVMRef(), ontap.NewAttributes(schema.Snapshot, ontap.Extra{"snapmirror_label": "daily"}), t0.Add(3*time.Hour+27*time.Minute+45*time.Second))
}

func projected[T any](t *testing.T, rec T, query string) T {
	t.Helper()
	q, err := ontap.SchemaOf[T]().ParseQuery(must(url.ParseQuery(query)), ontap.QueryRecord)
	if err != nil {
		t.Fatal(err)
	}
	ontap.Project(q, &rec)
	return rec
}

func page[T any](t *testing.T, recs []T, path, query string) ontap.Collection[T] {
	t.Helper()
	q, err := ontap.SchemaOf[T]().ParseQuery(must(url.ParseQuery(query)), ontap.QueryCollection)
	if err != nil {
		t.Fatal(err)
	}
	return ontap.Page(q, recs, path)
}

// goldenCase is one wire shape: its value and the type a client decodes
// it into.
type goldenCase struct {
	name  string
	value any
}

func goldenCases(t *testing.T) []goldenCase {
	failed := ontap.JobInfo{UUID: jobID, Description: "DELETE /api/storage/volumes/" + volID.String() + "/snapshots/" + snapID.String(),
		State: ontap.JobFailure, Start: t0, End: t0.Add(time.Second), SVM: id.SVMRef(),
		Err: ontap.FromBackend(ontap.OpSnapshotDelete, &backend.Error{Op: "DeleteSnapshot", Kind: backend.KindInUse, Resource: backend.ResourceSnapshot, Name: "snap1"})}
	ok := ontap.JobInfo{UUID: jobID, Description: "POST /api/storage/volumes", State: ontap.JobSuccess, Start: t0, End: t0.Add(time.Second), SVM: id.SVMRef()}
	running := ontap.JobInfo{UUID: jobID, Description: "PATCH /api/storage/volumes/" + volID.String(), State: ontap.JobRunning, Start: t0, SVM: id.SVMRef()}
	vols := []ontap.Volume{volumeRecord(volume()), volumeRecord(clone())}
	return []goldenCase{
		{"volume_full", volumeRecord(volume())},
		{"volume_default", projected(t, volumeRecord(volume()), "")},
		{"volume_clone", projected(t, volumeRecord(clone()), "fields=clone,name")},
		{"volume_fields", projected(t, volumeRecord(volume()), "fields=size,nas.path,svm.name,aggregates.name")},
		{"volume_collection", page(t, vols, ontap.VolumesPath, "")},
		{"volume_collection_page", page(t, vols, ontap.VolumesPath, "max_records=1&fields=name,size&order_by=name desc")},
		{"volume_collection_count", page(t, vols, ontap.VolumesPath, "return_records=false")},
		{"snapshot_full", snapshotRecord()},
		{"snapshot_default", projected(t, snapshotRecord(), "")},
		{"snapshot_delta", projected(t, snapshotRecord(), "fields=name,delta")},
		{"job_running", ontap.JobRecord(&running)},
		{"job_success", ontap.JobRecord(&ok)},
		{"job_failure", ontap.JobRecord(&failed)},
		{"job_link", ontap.JobResponse[ontap.Volume]{Job: new(ontap.NewJobLink(jobID))}},
		{"job_link_records", ontap.JobResponse[ontap.Volume]{NumRecords: new(1), Records: []ontap.Volume{projected(t, volumeRecord(volume()), "fields=uuid,name")}, Job: new(ontap.NewJobLink(jobID))}},
		{"jobs_link", ontap.JobResponse[ontap.Volume]{NumRecords: new(1), Jobs: []ontap.JobLink{ontap.NewJobLink(jobID)}}},
		{"error", ontap.ErrorResponse{Error: ontap.FromBackend(ontap.OpVolumeCreate, &backend.Error{Op: "CreateVolume", Kind: backend.KindAlreadyExists, Resource: backend.ResourceVolume, Name: "db"})}},
		{"error_not_found", ontap.ErrorResponse{Error: ontap.ErrNotFound("uuid")}},
		{"error_invalid_uuid", ontap.ErrorResponse{Error: ontap.ErrInvalidUUID("uuid", "1")}},
		{"error_unknown_field", ontap.ErrorResponse{Error: ontap.ErrUnknownField("fields", "certificate.cacertificate.name")}},
		{"error_arguments", ontap.ErrorResponse{Error: &ontap.Error{Status: http.StatusBadRequest, Message: "bad", Code: "2", Target: "name", Arguments: []ontap.ErrorArgument{{Code: "2", Message: "name"}}}}},
		{"cluster", ontap.ClusterRecord(&id, version())},
		{"cluster_software", ontap.SoftwareRecord(&id, version())},
		{"node", ontap.NodeRecord(&id, version())},
		{"svm", ontap.SVMRecord(&id)},
		{"aggregate", ontap.AggregateRecord(&id, 4096)},
		{"ip_interface", ontap.InterfaceRecord(&id)},
		{"ip_interface_collection", page(t, []ontap.IPInterface{ontap.InterfaceRecord(&id)}, ontap.InterfacesPath, "services=data_nfs&fields=ip.address,state")},
	}
}

func TestGolden(t *testing.T) {
	for _, c := range goldenCases(t) {
		t.Run(c.name, func(t *testing.T) {
			got := encode(t, c.value)
			path := filepath.Join("testdata", c.name+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./ontap -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file (go test ./ontap -update rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
			}
		})
	}
}

// encode renders v as the server does (no HTML escaping), indented.
func encode(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestGoldenRoundTrip decodes every golden file into its wire type, as a
// client does, and re-encodes it: the bytes must not change, so no field
// is lost or renamed on the way.
func TestGoldenRoundTrip(t *testing.T) {
	for _, c := range goldenCases(t) {
		t.Run(c.name, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata", c.name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			ptr := reflect.New(reflect.TypeOf(c.value))
			if err := json.Unmarshal(want, ptr.Interface()); err != nil {
				t.Fatal(err)
			}
			if got := encode(t, ptr.Elem().Interface()); !bytes.Equal(got, want) {
				t.Errorf("round trip changed %s:\n%s", c.name, got)
			}
		})
	}
}

// TestRequestRoundTrip: a record's settable fields, rendered as a body,
// decode back to the same record.
func TestRequestRoundTrip(t *testing.T) {
	w := ontap.Volume{
		Name: new("db"), Size: new(int64(1 << 30)), Comment: new("c"), State: new("online"),
		SVM:        &ontap.Ref{Name: new("svm0")},
		Aggregates: []ontap.Ref{{Name: new("aggr1")}},
		NAS:        &ontap.VolumeNAS{Path: new("/db"), ExportPolicy: &ontap.ExportPolicyRef{Name: new("p")}},
		Clone:      &ontap.VolumeClone{IsFlexclone: new(true), ParentVolume: &ontap.Ref{Name: new("p"), UUID: new(volID.String())}},
		Extra:      ontap.Extra{"guarantee": ontap.Extra{"type": "none"}, "nas": ontap.Extra{"unix_permissions": int64(755)}},
	}
	body, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := ontap.Decode[ontap.Volume](body, ontap.DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*got, w) {
		t.Errorf("decoded %+v, want %+v", *got, w)
	}
}

// TestAppendJSONMatchesEncodingJSON: the server's fast encoder writes the
// bytes encoding/json writes (compact), for every golden shape that has
// it, and for collections and job responses holding records.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	cases := goldenCases(t)
	vols := []ontap.Volume{volumeRecord(volume()), volumeRecord(clone())}
	vols[0].Comment = new("quote \" backslash \\ tab \t nul \x00 bad \xff line \u2028 <html>&")
	cases = append(cases,
		goldenCase{"collection", ontap.Collection[ontap.Volume]{Records: vols, NumRecords: 2, Links: ontap.Links{Self: &ontap.Href{Href: "/a?b=c&d"}, Next: &ontap.Href{Href: "/n"}}}},
		goldenCase{"empty collection", ontap.Collection[ontap.Volume]{NumRecords: 0, Links: ontap.Links{Self: &ontap.Href{Href: "/a"}}}},
		goldenCase{"job response any", ontap.JobResponse[any]{NumRecords: new(1), Records: []any{vols[0]}, Job: new(ontap.NewJobLink(jobID))}},
		goldenCase{"jobs", ontap.JobResponse[any]{NumRecords: new(2), Jobs: []ontap.JobLink{ontap.NewJobLink(jobID), ontap.NewJobLink(jobID)}}},
	)
	n := 0
	for _, c := range cases {
		a, ok := c.value.(ontap.JSONAppender)
		if !ok {
			continue
		}
		n++
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(c.value); err != nil {
			t.Fatal(err)
		}
		if got := string(a.AppendJSON(nil)) + "\n"; got != want.String() {
			t.Errorf("%s:\nAppendJSON %s\nencoding/json %s", c.name, got, want.String())
		}
	}
	if n < 10 {
		t.Errorf("only %d shapes checked", n)
	}
}
