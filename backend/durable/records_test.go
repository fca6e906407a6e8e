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
