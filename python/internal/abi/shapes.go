package abi

import (
	"strings"
	"time"

	"github.com/nessie-go/nessie/backend"
)

// The writers below render the backend types field for field as their
// JSON tags do (same keys, same omissions); encode_test.go holds them to
// encoding/json's output.

func writeVolume(w writer, v *backend.Volume) {
	w.beginDict()
	w.key(kUUID)
	w.uuid(v.ID)
	w.key(kName)
	w.str(v.Name)
	w.key(kSizeBytes)
	if n, ok := v.Size.Get(); ok {
		w.uint(n)
	} else {
		w.null()
	}
	w.key(kState)
	w.enum(string(v.State))
	w.key(kStyle)
	w.enum(string(v.Style))
	w.key(kVolType)
	w.enum(string(v.Type))
	if c := v.Clone; c != nil {
		w.key(kClone)
		w.beginDict()
		w.key(kParentVolume)
		w.str(c.ParentVolume)
		w.key(kParentSnapshot)
		w.str(c.ParentSnapshot)
		w.key(kParentVolumeUUID)
		w.uuid(c.ParentVolumeID)
		w.key(kParentSnapshotUUID)
		w.uuid(c.ParentSnapshotID)
		w.endDict()
	}
	if v.JunctionPath != "" {
		w.key(kJunctionPath)
		w.str(v.JunctionPath)
	}
	if v.ExportPolicy != "" {
		w.key(kExportPolicy)
		w.str(v.ExportPolicy)
	}
	if v.Comment != "" {
		w.key(kComment)
		w.str(v.Comment)
	}
	if !v.CreateTime.IsZero() {
		w.key(kCreateTime)
		w.time(v.CreateTime)
	}
	w.key(kUsedBytes)
	w.uint(v.UsedBytes)
	w.endDict()
}

// volumeBytes and snapshotBytes bound the rendering of one object in
// marshal, not counting its variable-length strings: with them a list's
// buffer is sized once, up front. (JSON escapes can exceed the bound;
// the writer then grows as usual.)
const (
	volumeBytes   = 400
	snapshotBytes = 200
)

func writeVolumes(w writer, vs []backend.Volume) {
	n := 16
	for i := range vs {
		v := &vs[i]
		n += volumeBytes + len(v.Name) + len(v.JunctionPath) + len(v.ExportPolicy) + len(v.Comment)
		if v.Clone != nil {
			n += len(v.Clone.ParentVolume) + len(v.Clone.ParentSnapshot)
		}
	}
	w.grow(n)
	w.beginList(len(vs))
	for i := range vs {
		writeVolume(w, &vs[i])
	}
	w.endList()
}

func writeSnapshot(w writer, s *backend.Snapshot) {
	w.beginDict()
	w.key(kUUID)
	w.uuid(s.ID)
	w.key(kName)
	w.str(s.Name)
	w.key(kCreateTime)
	w.time(s.CreateTime)
	w.key(kSizeConsumed)
	w.uint(s.SizeConsumed)
	if s.Comment != "" {
		w.key(kComment)
		w.str(s.Comment)
	}
	w.endDict()
}

func writeSnapshots(w writer, ss []backend.Snapshot) {
	n := 16
	for i := range ss {
		n += snapshotBytes + len(ss[i].Name) + len(ss[i].Comment)
	}
	w.grow(n)
	w.beginList(len(ss))
	for i := range ss {
		writeSnapshot(w, &ss[i])
	}
	w.endList()
}

func writeCapabilities(w writer, c backend.Capabilities) {
	w.beginDict()
	w.key(kSnapshots)
	w.boolean(c.Snapshots)
	w.key(kClones)
	w.boolean(c.Clones)
	w.key(kReplication)
	w.boolean(c.Replication)
	w.endDict()
}

func writeAccessHandle(w writer, h backend.AccessHandle) {
	w.beginDict()
	w.key(kKind)
	w.enum(string(h.Kind))
	if h.Server != "" {
		w.key(kServer)
		w.str(h.Server)
	}
	if h.Path != "" {
		w.key(kPath)
		w.str(h.Path)
	}
	w.endDict()
}

// failure is an error as the binding reports it.
type failure struct {
	kind     string // not_found, already_exists, …
	resource string // volume, snapshot, backend, or ""
	message  string // str(NessieError)
	detail   string // the Go error text
}

func writeFailure(w writer, f *failure) {
	w.beginDict()
	w.key(kKind)
	w.enum(f.kind)
	w.key(kResource)
	if f.resource == "" {
		w.null()
	} else {
		w.enum(f.resource)
	}
	w.key(kMessage)
	w.str(f.message)
	w.key(kDetail)
	w.str(f.detail)
	w.endDict()
}

// writeSample writes a fixed value that takes every path of the writers:
// small and large integers, ASCII and non-ASCII strings, shared keys and
// symbols, nested dicts, lists, booleans and null. The Python package
// compares its marshal and JSON renderings before trusting marshal.
func writeSample(w writer) {
	created := time.Date(2026, 5, 9, 7, 35, 25, 123456789, time.UTC)
	parent := backend.Volume{
		ID: backend.VolumeID{0x0b, 0x6c, 15: 1}, Name: "build-cache", Size: backend.Bytes(50 << 30),
		State: backend.StateOnline, Style: backend.StyleFlexVol, Type: backend.TypeRW,
		CreateTime: created, UsedBytes: 1<<31 - 1,
	}
	clone := backend.Volume{
		ID: backend.VolumeID{0xff, 15: 2}, Name: "clône-✓-\x00-\"quoted\"", Size: backend.Bytes(1<<64 - 1),
		State: backend.StateOffline, Style: backend.StyleFlexVol, Type: backend.TypeDP,
		Clone: &backend.CloneOrigin{ParentVolume: "build-cache", ParentSnapshot: "pré",
			ParentVolumeID: parent.ID, ParentSnapshotID: backend.SnapshotID{1}},
		JunctionPath: "/build", ExportPolicy: "default", Comment: strings.Repeat("long ", 60) + "\u00e9\n\t",
		CreateTime: created.Add(time.Second), UsedBytes: 1 << 31,
	}
	unlimited := backend.Volume{ID: backend.VolumeID{3}, Name: "u", State: backend.StateRestricted,
		Style: backend.StyleFlexVol, Type: backend.TypeRW, UsedBytes: 1 << 45}
	w.beginList(6)
	writeVolumes(w, []backend.Volume{parent, clone, unlimited})
	writeSnapshots(w, []backend.Snapshot{
		{ID: backend.SnapshotID{1}, Name: "pré", CreateTime: created, SizeConsumed: 1 << 15, Comment: "c"},
		{ID: backend.SnapshotID{2}, Name: "s2", CreateTime: created.Add(time.Millisecond)},
	})
	writeCapabilities(w, backend.Capabilities{Snapshots: true, Clones: false, Replication: true})
	writeAccessHandle(w, backend.AccessHandle{Kind: backend.AccessNFSExport, Server: "10.0.0.1", Path: "/export/ü"})
	w.null()
	writeFailure(w, &failure{kind: "not_found", resource: "", message: "volume x not found", detail: "d"})
	w.endList()
}
