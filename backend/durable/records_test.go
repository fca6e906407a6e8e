package durable_test

import (
	"path/filepath"
	"testing"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/durable"
)

// TestAttachmentRidesAlong: a record attached to a call's context is
// committed with the call's change, and only if the call changed something.
func TestAttachmentRidesAlong(t *testing.T) {
	b := open(t, filepath.Join(t.TempDir(), "state.db"))
	a := &durable.Attachment{Kind: "jobs", Key: "j1", Value: func() []byte { return []byte("done") }}
	if _, err := b.CreateVolume(durable.WithAttachment(t.Context(), a), backend.VolumeSpec{Name: "v"}); err != nil {
		t.Fatal(err)
	}
	if !a.Fired() {
		t.Fatal("the attachment did not fire with a committed change")
	}
	failed := &durable.Attachment{Kind: "jobs", Key: "j2", Value: func() []byte { return []byte("done") }}
	if _, err := b.CreateVolume(durable.WithAttachment(t.Context(), failed), backend.VolumeSpec{Name: "v"}); err == nil {
		t.Fatal("duplicate create succeeded")
	}
	if failed.Fired() {
		t.Fatal("the attachment of a failed call fired")
	}
	b = reopened(t, b)
	defer b.Close()
	recs, err := b.Records("jobs")
	if err != nil {
		t.Fatal(err)
	}
	if string(recs["j1"]) != "done" || recs["j2"] != nil {
		t.Fatalf("records after reopen: %q", recs)
	}
}

// TestQueueNewRecordsNeverReplaces: a record queued with QueueNewRecords
// after another for the same key leaves the first in place; queued first,
// it is replaced by the later one.
func TestQueueNewRecordsNeverReplaces(t *testing.T) {
	b := open(t, filepath.Join(t.TempDir(), "state.db"))
	w1 := b.QueueRecords("jobs", map[string][]byte{"a": []byte("end")})
	w2 := b.QueueNewRecords("jobs", map[string][]byte{"a": []byte("running"), "b": []byte("running")})
	w3 := b.QueueRecords("jobs", map[string][]byte{"b": []byte("end")})
	for _, w := range []func() error{w1, w2, w3} {
		if err := w(); err != nil {
			t.Fatal(err)
		}
	}
	b = reopened(t, b) // the digest must agree with what was (not) written
	defer b.Close()
	recs, err := b.Records("jobs")
	if err != nil {
		t.Fatal(err)
	}
	if string(recs["a"]) != "end" || string(recs["b"]) != "end" {
		t.Fatalf("records: %q", recs)
	}
}

// TestRestoreWithRecords: the volumes and one kind's records are replaced
// together (other kinds untouched), survive a reopen, and an invalid
// state changes neither.
func TestRestoreWithRecords(t *testing.T) {
	ctx := t.Context()
	b := open(t, filepath.Join(t.TempDir(), "state.db"))
	if _, err := b.CreateVolume(ctx, backend.VolumeSpec{Name: "old"}); err != nil {
		t.Fatal(err)
	}
	if err := b.PutRecords(ctx, "objects", map[string][]byte{"a": []byte("1"), "b": []byte("2")}); err != nil {
		t.Fatal(err)
	}
	if err := b.PutRecords(ctx, "jobs", map[string][]byte{"j": []byte("x")}); err != nil {
		t.Fatal(err)
	}
	st := &backend.State{Volumes: []backend.VolumeRecord{{Volume: backend.Volume{ID: backend.NewVolumeID(), Name: "new",
		Size: backend.Unlimited, State: backend.StateOnline, Style: backend.StyleFlexVol, Type: backend.TypeRW}}}}
	if err := b.RestoreWithRecords(ctx, st, "objects", map[string][]byte{"b": []byte("3"), "c": []byte("4")}); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		vs, _ := b.ListVolumes(ctx)
		objs, _ := b.Records("objects")
		jobs, _ := b.Records("jobs")
		if len(vs) != 1 || vs[0].Name != "new" || len(objs) != 2 || string(objs["b"]) != "3" || string(objs["c"]) != "4" || string(jobs["j"]) != "x" {
			t.Fatalf("%s: volumes %v, objects %q, jobs %q", when, vs, objs, jobs)
		}
	}
	check("after the restore")
	b = reopened(t, b)
	defer b.Close()
	check("after a reopen")
	bad := &backend.State{Volumes: []backend.VolumeRecord{{Volume: backend.Volume{Name: "x/y"}}}}
	if err := b.RestoreWithRecords(ctx, bad, "objects", nil); err == nil {
		t.Fatal("an invalid state was restored")
	}
	check("after a refused restore")
}
