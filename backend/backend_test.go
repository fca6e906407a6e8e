package backend_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/nessie-go/nessie/backend"
)

func TestIDsRoundTripAndRejectNonCanonicalText(t *testing.T) {
	id := backend.NewVolumeID()
	if id.IsZero() {
		t.Fatal("NewVolumeID returned the nil UUID")
	}
	if id[6]>>4 != 4 || id[8]&0xc0 != 0x80 {
		t.Errorf("NewVolumeID %s is not a version-4 RFC 4122 UUID", id)
	}
	back, err := backend.ParseVolumeID(id.String())
	if err != nil || back != id {
		t.Fatalf("ParseVolumeID(%s) = %v, %v", id, back, err)
	}
	upper, err := backend.ParseSnapshotID(strings.ToUpper(id.String()))
	if err != nil || upper.String() != id.String() {
		t.Fatalf("upper-case text did not parse to the same ID: %v %v", upper, err)
	}
	for _, bad := range []string{"", "1", "not-a-uuid", "{" + id.String() + "}", strings.ReplaceAll(id.String(), "-", ""),
		"urn:uuid:" + id.String(), id.String()[:35] + "g", id.String() + " "} {
		if _, err := backend.ParseVolumeID(bad); !errors.Is(err, backend.ErrInvalidArgument) {
			t.Errorf("ParseVolumeID(%q) error = %v, want invalid argument", bad, err)
		}
	}
	var nilID backend.VolumeID
	if got := nilID.String(); got != "00000000-0000-0000-0000-000000000000" {
		t.Errorf("nil UUID text = %q", got)
	}
}

func TestErrorsMatchKindsAndResources(t *testing.T) {
	err := backend.VolumeNotFound("GetVolume", backend.VolumeID{})
	if !errors.Is(err, backend.ErrNotFound) || !errors.Is(err, backend.ErrVolumeNotFound) {
		t.Errorf("%v should match ErrNotFound and ErrVolumeNotFound", err)
	}
	if errors.Is(err, backend.ErrSnapshotNotFound) || errors.Is(err, backend.ErrAlreadyExists) {
		t.Errorf("%v matches a sentinel of another kind or resource", err)
	}
	snap := backend.SnapshotNotFound("GetSnapshot", backend.SnapshotID{})
	if !errors.Is(snap, backend.ErrSnapshotNotFound) || errors.Is(snap, backend.ErrVolumeNotFound) {
		t.Errorf("snapshot not-found matched wrongly: %v", snap)
	}
	uns := backend.Unsupported("CreateClone", "clones")
	if !errors.Is(uns, errors.ErrUnsupported) || !errors.Is(uns, backend.ErrUnsupported) {
		t.Errorf("%v should match errors.ErrUnsupported", uns)
	}
	cause := errors.New("disk on fire")
	wrapped := &backend.Error{Op: "CreateVolume", Kind: backend.KindInternal, Err: cause}
	if !errors.Is(wrapped, cause) || !errors.Is(wrapped, backend.ErrInternal) {
		t.Errorf("Error should unwrap to both its cause and its kind")
	}
	if backend.KindOf(wrapped) != backend.KindInternal || backend.KindOf(context.Canceled) != 0 {
		t.Errorf("KindOf wrong")
	}
	if got := (&backend.Error{Op: "CreateVolume", Kind: backend.KindAlreadyExists, Resource: backend.ResourceVolume, Name: "db"}).Error(); got != `CreateVolume: volume "db": already exists` {
		t.Errorf("message = %q", got)
	}
}

func TestDomainJSONShape(t *testing.T) {
	v := backend.Volume{ID: backend.VolumeID{}, Name: "v1", Size: backend.Bytes(1024), State: backend.StateOnline,
		Style: backend.StyleFlexVol, Type: backend.TypeRW}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"uuid":"00000000-0000-0000-0000-000000000000","name":"v1","size_bytes":1024,"state":"online","style":"flexvol","vol_type":"rw","used_bytes":0}`
	if string(b) != want {
		t.Errorf("volume JSON\n got %s\nwant %s", b, want)
	}
	v.Size = backend.Unlimited
	v.Clone = &backend.CloneOrigin{ParentVolume: "p", ParentSnapshot: "s"}
	b, _ = json.Marshal(v)
	var back backend.Volume
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !back.Size.IsUnlimited() || back.Clone == nil || back.Clone.ParentVolume != "p" || !strings.Contains(string(b), `"size_bytes":null`) {
		t.Errorf("clone/unlimited round trip lost data: %s -> %+v", b, back)
	}
	h, _ := json.Marshal(backend.AccessHandle{Kind: backend.AccessInMemory})
	if string(h) != `{"kind":"in_memory"}` {
		t.Errorf("in-memory handle JSON = %s", h)
	}
	var s backend.Size
	if err := json.Unmarshal([]byte(`-1`), &s); err == nil {
		t.Error("negative size accepted")
	}
}

func TestValidation(t *testing.T) {
	invalid := []backend.VolumeSpec{
		{Name: ""}, {Name: "a/b"}, {Name: "a\x00b"}, {Name: strings.Repeat("x", backend.MaxNameLen+1)},
		{Name: "\xff"}, {Name: "ok", JunctionPath: "relative"}, {Name: "ok", Comment: strings.Repeat("c", 2000)},
	}
	for _, s := range invalid {
		if err := s.Validate(); !errors.Is(err, backend.ErrInvalidArgument) {
			t.Errorf("VolumeSpec%+v.Validate() = %v, want invalid argument", s, err)
		}
	}
	for _, s := range []backend.VolumeSpec{{Name: "build-cache"}, {Name: "x", JunctionPath: "/x", Size: backend.Bytes(0)}} {
		if err := s.Validate(); err != nil {
			t.Errorf("VolumeSpec%+v.Validate() = %v", s, err)
		}
	}
	err := (backend.VolumeSpec{Name: "ok", JunctionPath: "relative"}).Validate()
	var be *backend.Error
	if !errors.As(err, &be) || be.Err == nil || !strings.Contains(be.Err.Error(), "must start with '/'") {
		t.Errorf("junction path error lost its reason: %v", err)
	}
	bad := backend.VolumeState("melting")
	if err := (backend.VolumePatch{State: &bad}).Validate(); !errors.Is(err, backend.ErrInvalidArgument) {
		t.Errorf("bad state accepted: %v", err)
	}
	if err := (backend.VolumePatch{JunctionPath: new("")}).Validate(); err != nil {
		t.Errorf("empty junction path (unmount) rejected: %v", err)
	}
	if !(backend.VolumePatch{}).IsEmpty() || (backend.VolumePatch{Comment: new("c")}).IsEmpty() {
		t.Error("VolumePatch.IsEmpty wrong")
	}
	if err := (backend.SnapshotPatch{Name: new("")}).Validate(); !errors.Is(err, backend.ErrInvalidArgument) {
		t.Errorf("empty snapshot name accepted: %v", err)
	}
}

func TestCapabilitiesConsistency(t *testing.T) {
	for _, c := range []backend.Capabilities{{}, {Snapshots: true}, {Snapshots: true, Clones: true}, {Snapshots: true, Clones: true, Replication: true}} {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	for _, c := range []backend.Capabilities{{Clones: true}, {Replication: true}} {
		if err := c.Validate(); !errors.Is(err, backend.ErrInvalidArgument) {
			t.Errorf("%+v accepted", c)
		}
	}
}

// BenchmarkNewVolumeID measures ID generation (google/uuid over
// crypto/rand), which every create pays.
func BenchmarkNewVolumeID(b *testing.B) {
	for b.Loop() {
		_ = backend.NewVolumeID()
	}
}

func TestSizeLarger(t *testing.T) {
	for _, c := range []struct{ a, b, want backend.Size }{
		{backend.Bytes(1), backend.Bytes(2), backend.Bytes(2)},
		{backend.Bytes(2), backend.Bytes(1), backend.Bytes(2)},
		{backend.Bytes(0), backend.Bytes(0), backend.Bytes(0)},
		{backend.Unlimited, backend.Bytes(1 << 62), backend.Unlimited},
		{backend.Bytes(1 << 62), backend.Unlimited, backend.Unlimited},
		{backend.Unlimited, backend.Unlimited, backend.Unlimited},
	} {
		if got := c.a.Larger(c.b); got != c.want {
			t.Errorf("%v.Larger(%v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
