// Package mem is the in-memory reference backend: every tier of the
// nessie storage contract (volumes, snapshots, clones, replication), with
// no substrate behind it. It is what tests, examples, the ONTAP REST server
// and the Python binding run on when no array is at hand, and the yardstick
// other backends are compared with.
//
//	b := mem.New(nil)
//	vol, _ := b.CreateVolume(ctx, backend.VolumeSpec{Name: "build-cache", Size: backend.Bytes(50 << 30)})
//	snap, _ := b.CreateSnapshot(ctx, vol.ID, "pre-build")
//	clone, _ := b.CreateClone(ctx, vol.ID, snap.ID, "build-cache-pr1234")
//
// Volumes hold no data: sizes are bookkeeping, UsedBytes and
// Snapshot.SizeConsumed are zero, and a replication stream is a short text
// record of the snapshot's name and size.
//
// # Concurrency
//
// A Backend is safe for concurrent use. Its whole state is one immutable
// value built from persistent hash tries; a write builds the next version
// by copying the O(log n) paths it changes, under a single writer lock,
// and publishes it with one atomic pointer swap. Reads load the current
// version and never lock or wait, so every operation is linearizable and
// every read (ListVolumes included) sees one consistent moment. Creating a snapshot
// or a clone copies only that path (about three trie nodes per index at
// 100k volumes), never the volume table; what still grows with
// scale is cache misses and garbage-collection work, which BENCHMARKS.md
// measures. The name index keys volumes by a 64-bit hash of the name and
// its entries hold no pointers, so the collector does not scan them; names
// whose hashes collide are kept apart, so a collision costs speed, never
// correctness.
//
// Every value returned is a fresh copy owned by the caller; mutating one,
// including a Volume's Clone origin, never changes stored state.
//
// # Errors
//
// Failures are [*backend.Error] values with the contract's kinds and the
// resource they concern, so [backend.ErrVolumeNotFound] and
// [backend.ErrSnapshotNotFound] tell the two apart. A call made with a
// context that is already done (or becomes done while it waits for the
// writer lock) has no effect and returns ctx.Err() unwrapped. A failed
// write changes nothing: each write validates fully before it publishes.
//
// # Capabilities
//
// Capabilities reports snapshots, clones and replication, and *Backend
// implements [backend.CloneBackend] and [backend.ReplicationBackend]. Beyond
// the contract, mem fixes these choices: ListSnapshots returns snapshots in
// the order they were taken; SendStream requires an incremental base to be
// older than the snapshot sent; ReceiveStream creates a missing destination
// as an online rw volume, sets the destination's size to the received
// snapshot's, and stamps received snapshots with the time of receipt.
//
// [Backend.CheckInvariants] verifies the internal state (name indexes,
// clone parentage and dependency counts, trie structure); the package's
// tests run it after every test.
package mem
