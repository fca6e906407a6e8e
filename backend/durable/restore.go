package durable

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/nessie-go/nessie/backend"
)

// Restore replaces everything with st in one atomic step, keeping its IDs
// and times: the reset and fixture-load path. st is checked first; an
// invalid state changes nothing and fails with ErrInvalidArgument.
func (b *Backend) Restore(ctx context.Context, st *backend.State) error {
	return b.restore(ctx, "Restore", st, "", nil)
}

// RestoreWithRecords is Restore that also replaces every record of kind
// (see PutRecords) with recs, in the same transaction: the daemon loads a
// fixture's volumes and its objects in one commit, all or none.
func (b *Backend) RestoreWithRecords(ctx context.Context, st *backend.State, kind string, recs map[string][]byte) error {
	if _, err := kindBucket(kind); err != nil {
		return &backend.Error{Op: "RestoreWithRecords", Kind: backend.KindInvalidArgument, Err: err}
	}
	return b.restore(ctx, "RestoreWithRecords", st, kind, recs)
}

func (b *Backend) restore(ctx context.Context, op string, st *backend.State, kind string, kindRecs map[string][]byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	st, err := backend.CheckedState(op, st)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.c.failure(); err != nil {
		return err
	}
	old := b.vols
	oldNames, oldSeq := b.names, b.seq
	recs := b.install(st)
	// Rewrite the store in one transaction, after every queued change
	// (they are older than this restore): wait for the queue to drain by
	// queueing nothing but a marker, then replace the buckets.
	if err := <-b.c.enqueue(nil); err != nil {
		b.vols, b.names, b.seq = old, oldNames, oldSeq
		return err
	}
	err = b.db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketVolumes, bucketSnapshots} {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		var chs []change
		if kind != "" {
			bucket, _ := kindBucket(kind)
			if tx.Bucket(bucket) != nil {
				if err := tx.DeleteBucket(bucket); err != nil {
					return err
				}
			}
			for k, v := range kindRecs {
				if v != nil {
					chs = append(chs, change{bucket: bucket, key: []byte(k), val: v, create: true})
				}
			}
		}
		for _, r := range recs {
			chs = append(chs, putVol(r))
			for _, s := range r.snaps {
				chs = append(chs, putSnap(r.ID, s))
			}
		}
		// bbolt inserts keys in order cheaply and random ones with a
		// memmove each, which at 100k keys dominates the restore.
		slices.SortFunc(chs, func(a, b change) int {
			if c := bytes.Compare(a.bucket, b.bucket); c != 0 {
				return c
			}
			return bytes.Compare(a.key, b.key)
		})
		if err := apply(tx, chs); err != nil {
			return err
		}
		// The dropped buckets' records left the digest without passing
		// through apply: recompute it.
		d, err := digestAll(tx)
		if err != nil {
			return err
		}
		return writeDigest(tx.Bucket(bucketMeta), d)
	})
	if err != nil {
		b.vols, b.names, b.seq = old, oldNames, oldSeq
		return &backend.Error{Op: op, Kind: backend.KindInternal, Resource: backend.ResourceBackend,
			Err: fmt.Errorf("writing %s: %w", b.path, err)}
	}
	return nil
}

// Export returns the whole state, parents first, snapshots oldest first.
func (b *Backend) Export(ctx context.Context) (*backend.State, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.mu.RLock()
	vs := make([]backend.VolumeRecord, 0, len(b.vols))
	for _, r := range b.vols {
		vr := backend.VolumeRecord{Volume: b.volume(r), Snapshots: make([]backend.SnapshotRecord, len(r.snaps))}
		for i, s := range r.snaps {
			vr.Snapshots[i] = s.record()
		}
		vs = append(vs, vr)
	}
	b.mu.RUnlock()
	sortByName(vs)
	ordered, err := backend.ParentsFirst(vs)
	if err != nil {
		return nil, &backend.Error{Op: "Export", Kind: backend.KindInternal, Resource: backend.ResourceBackend, Err: err}
	}
	return &backend.State{Volumes: ordered}, nil
}
