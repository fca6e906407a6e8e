package backend_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nessie-go/nessie/backend"
)

func rec(name string, parent *backend.VolumeRecord) backend.VolumeRecord {
	vr := backend.VolumeRecord{Volume: backend.Volume{ID: backend.NewVolumeID(), Name: name, State: backend.StateOnline,
		Type: backend.TypeRW, CreateTime: time.Unix(0, 0).UTC()},
		Snapshots: []backend.SnapshotRecord{{Snapshot: backend.Snapshot{ID: backend.NewSnapshotID(), Name: "s"}}}}
	if parent != nil {
		vr.Volume.Clone = &backend.CloneOrigin{ParentVolumeID: parent.Volume.ID, ParentSnapshotID: parent.Snapshots[0].Snapshot.ID}
	}
	return vr
}

// ParentsFirst moves each clone after its parent and keeps the order
// otherwise; CheckedState accepts any order, leaves its input alone, and
// refuses an unknown parent or a cycle with ErrInvalidArgument.
func TestParentsFirstAndCheckedState(t *testing.T) {
	a := rec("a", nil)
	b := rec("b", &a)
	c := rec("c", &b)
	d := rec("d", nil)
	in := []backend.VolumeRecord{c, d, b, a}
	out, err := backend.ParentsFirst(in)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, vr := range out {
		names = append(names, vr.Volume.Name)
	}
	if got := strings.Join(names, ","); got != "a,b,c,d" {
		t.Fatalf("order %s, want a,b,c,d", got)
	}
	st := &backend.State{Volumes: in}
	if err := st.Check(); err == nil {
		t.Fatal("Check accepted a clone before its parent")
	}
	checked, err := backend.CheckedState("Restore", st)
	if err != nil {
		t.Fatal(err)
	}
	if checked.Volumes[0].Volume.Name != "a" || st.Volumes[0].Volume.Name != "c" {
		t.Fatal("CheckedState did not order a copy")
	}
	orphan := rec("orphan", &a)
	_, err = backend.CheckedState("Restore", &backend.State{Volumes: []backend.VolumeRecord{orphan}})
	if !errors.Is(err, backend.ErrInvalidArgument) || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("an unknown parent: %v", err)
	}
	x, y := rec("x", nil), rec("y", nil)
	x.Volume.Clone = &backend.CloneOrigin{ParentVolumeID: y.Volume.ID, ParentSnapshotID: y.Snapshots[0].Snapshot.ID}
	y.Volume.Clone = &backend.CloneOrigin{ParentVolumeID: x.Volume.ID, ParentSnapshotID: x.Snapshots[0].Snapshot.ID}
	if _, err := backend.CheckedState("Restore", &backend.State{Volumes: []backend.VolumeRecord{x, y}}); !errors.Is(err, backend.ErrInvalidArgument) || !strings.Contains(err.Error(), "own ancestor") {
		t.Fatalf("a cycle: %v", err)
	}
	bad := rec("bad", nil)
	bad.Snapshots[0].Snapshot.Comment = strings.Repeat("x", backend.MaxCommentLen+1)
	if _, err := backend.CheckedState("Restore", &backend.State{Volumes: []backend.VolumeRecord{bad}}); !errors.Is(err, backend.ErrInvalidArgument) || !strings.Contains(err.Error(), "comment") {
		t.Fatalf("a long snapshot comment: %v", err)
	}
}
