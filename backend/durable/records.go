package durable

import (
	"context"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/nessie-go/nessie/backend"
)

// Records beyond the storage contract (the daemon's finished jobs, and
// ONTAP objects that are not volumes) live in the same file and go
// through the same group commit, one bucket per kind ("kind:" + name).
// Values are opaque bytes; keys are strings.

const kindPrefix = "kind:"

func kindBucket(kind string) ([]byte, error) {
	if kind == "" || strings.ContainsRune(kind, 0) {
		return nil, fmt.Errorf("record kind %q is not a valid name", kind)
	}
	return []byte(kindPrefix + kind), nil
}

// PutRecords stores (or, for a nil value, deletes) records of one kind and
// returns once they are committed, after every change queued before them.
// On a memory-only backend it does nothing.
func (b *Backend) PutRecords(ctx context.Context, kind string, recs map[string][]byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return b.QueueRecords(kind, recs)()
}

// QueueRecords queues records as PutRecords does and returns at once; the
// function it returns waits for the commit. Changes queued by one
// goroutine commit in the order queued, so a caller that orders its
// QueueRecords calls under its own lock, and waits outside it, keeps its
// order without holding the lock across an fsync.
func (b *Backend) QueueRecords(kind string, recs map[string][]byte) (wait func() error) {
	return b.queueRecords(kind, recs, false)
}

// QueueNewRecords is QueueRecords for records that must not replace one
// already there: each is put only if, when its turn in the commit order
// comes, its key is absent. (The daemon records a running job this way,
// so it cannot overwrite the job's end committed just before.)
func (b *Backend) QueueNewRecords(kind string, recs map[string][]byte) (wait func() error) {
	return b.queueRecords(kind, recs, true)
}

func (b *Backend) queueRecords(kind string, recs map[string][]byte, absent bool) (wait func() error) {
	bucket, err := kindBucket(kind)
	if err != nil {
		err = &backend.Error{Op: "PutRecords", Kind: backend.KindInvalidArgument, Err: err}
		return func() error { return err }
	}
	if len(recs) == 0 {
		return func() error { return nil }
	}
	chs := make([]change, 0, len(recs))
	for k, v := range recs {
		chs = append(chs, change{bucket: bucket, key: []byte(k), val: v, create: true, absent: absent && v != nil})
	}
	b.mu.Lock()
	if err := b.c.failure(); err != nil {
		b.mu.Unlock()
		return func() error { return err }
	}
	done := b.c.enqueue(chs)
	b.mu.Unlock()
	return func() error { return <-done }
}

// Records returns every stored record of one kind.
func (b *Backend) Records(kind string) (map[string][]byte, error) {
	bucket, err := kindBucket(kind)
	if err != nil {
		return nil, &backend.Error{Op: "Records", Kind: backend.KindInvalidArgument, Err: err}
	}
	out := map[string][]byte{}
	err = b.db.View(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucket)
		if bk == nil {
			return nil
		}
		return bk.ForEach(func(k, v []byte) error {
			out[string(k)] = append([]byte(nil), v...)
			return nil
		})
	})
	return out, err
}

// DropRecords deletes every record of one kind and returns once that is
// committed (the daemon drops the saved ONTAP objects when a fixture
// replaces the volumes they belonged to).
func (b *Backend) DropRecords(kind string) error {
	recs, err := b.Records(kind)
	if err != nil {
		return err
	}
	gone := make(map[string][]byte, len(recs))
	for k := range recs {
		gone[k] = nil
	}
	return b.QueueRecords(kind, gone)()
}
