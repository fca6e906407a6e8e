package durable

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"

	bolt "go.etcd.io/bbolt"
)

// bbolt checks its meta pages but not the pages that hold records, so a
// damaged page can lose or change records without an error. The store
// therefore keeps a digest of every record in meta/digest: the XOR of a
// 64-bit hash of each (bucket, key, value). Every commit updates it for
// what it changes; Open recomputes it from all records and refuses the
// file (ErrCorrupt) if they differ, so a record that went missing,
// appeared or changed is found.

var keyDigest = []byte("digest")

// recordHash hashes one record, its bucket and key included.
func recordHash(bucket, key, val []byte) uint64 {
	h := fnv.New64a()
	var n [8]byte
	for _, part := range [][]byte{bucket, key, val} {
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		h.Write(n[:])
		h.Write(part)
	}
	return h.Sum64()
}

func readDigest(meta *bolt.Bucket) uint64 {
	if v := meta.Get(keyDigest); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func writeDigest(meta *bolt.Bucket, d uint64) error {
	var v [8]byte
	binary.BigEndian.PutUint64(v[:], d)
	return meta.Put(keyDigest, v[:])
}

// digestAll computes the digest of every record outside the meta bucket.
func digestAll(tx *bolt.Tx) (uint64, error) {
	var d uint64
	err := tx.ForEach(func(name []byte, bk *bolt.Bucket) error {
		if string(name) == string(bucketMeta) {
			return nil
		}
		return bk.ForEach(func(k, v []byte) error {
			if v == nil {
				return fmt.Errorf("bucket %q holds a nested bucket %q", name, k)
			}
			d ^= recordHash(name, k, v)
			return nil
		})
	})
	return d, err
}
