// Package mem is the in-memory reference backend: every tier of the
// nessie storage contract (volumes, snapshots, clones, replication), with
// no substrate behind it. It is what tests, examples, the ONTAP REST server
// and the Python binding run on when no array is at hand, and the yardstick
// other backends are compared with.
//
//	b := mem.New(nil)
//	vol, _ := b.CreateVolume(ctx, backend.VolumeSpec{Name: "build-cache", Size: backend.Bytes(50 << 30)})
//	snap, _ := b.CreateSnapshot(ctx, vol.ID, backend.SnapshotSpec{Name: "pre-build"})
//	clone, _ := b.CreateClone(ctx, backend.CloneSpec{Name: "build-cache-pr1234", ParentVolume: vol.ID, ParentSnapshot: snap.ID})
//
// Volumes hold no data: sizes are bookkeeping, UsedBytes and
// Snapshot.SizeConsumed are zero, and a replication stream is a short text
// record of the snapshot's name and size.
//
// # Concurrency
//
// A Backend is safe for concurrent use. It keeps its state in plain maps
// (volumes by a 64-bit fold of their ID, which it keeps unique, and by
// name; each volume's snapshot list; each snapshot's dependent clones)
// and a dense slice of the volumes for listing, under one sync.RWMutex.
// Stored volume and snapshot records and snapshot lists
// are never changed in place: a write stores changed copies, so a reader
// holds the read lock only to find what it needs and renders it after
// letting go. ListVolumes copies the slice of record pointers under the
// read lock and renders outside it, so a full listing holds writers up
// only for that copy (BENCHMARKS.md gives the figures). Every operation is
// linearizable, and a listing shows one moment. Clone origins carry the
// parent's names and are rewritten when the parent volume or snapshot is
// renamed, so reading a clone needs no second lookup.
//
// Every value returned is a fresh copy owned by the caller; mutating one,
// including a Volume's Clone origin or Attributes, never changes stored
// state.
//
// # Lenient mode
//
// [Options.Lenient] relaxes three rules of the contract, to reproduce the
// published nessie-backend-mem 0.2/0.3 Python package, which the Python
// binding's default mode must match exactly:
//
//   - names are not validated: the empty name, names with '/' or NUL and
//     names over 255 bytes are accepted (volume names are still unique,
//     and snapshot names unique per volume);
//   - deleting a parent volume, or a snapshot clones depend on, succeeds:
//     each such clone keeps reporting the origin names it had, and pins
//     nothing any more;
//   - a clone takes its parent's current size, not its size when the
//     snapshot was taken.
//
// Everything else holds as in the default mode, RestoreSnapshot's
// refusal to delete a snapshot a clone depends on included, and
// CheckInvariants knows the mode, so state stays consistent. The mode
// lives here rather than in the binding because a wrapper could not
// delete a parent through the contract without corrupting the clone
// bookkeeping: one store and one invariant checker keep every rule
// together. A lenient backend does not pass the conformance suite, by
// design.
//
// # Errors
//
// Failures are [*backend.Error] values with the contract's kinds and the
// resource they concern, so [backend.ErrVolumeNotFound] and
// [backend.ErrSnapshotNotFound] tell the two apart. A call made with a
// context that is already done (or becomes done while it waits for the
// writer lock) has no effect and returns ctx.Err() unwrapped. A failed
// write changes nothing: each write validates fully before it stores anything.
//
// # Capabilities
//
// Capabilities reports snapshots, clones and replication, and *Backend
// implements [backend.CloneBackend] and [backend.ReplicationBackend]. It
// also implements the optional [backend.Restorer]: [Backend.Restore]
// replaces the whole state in one step, keeping every UUID and time (how
// fixtures load and test suites reset, in the daemon's memory mode and in
// Python), and [Backend.Export] reports it whole. Beyond
// the contract, mem fixes these choices: ListSnapshots returns snapshots in
// the order they were taken; SendStream requires an incremental base to be
// older than the snapshot sent; ReceiveStream creates a missing destination
// as an online rw volume, sets the destination's size to the received
// snapshot's, and stamps received snapshots with the time of receipt.
//
// [Backend.CheckInvariants] verifies the internal state (the indexes,
// names, clone parentage and dependents); the package's tests run it after
// every test.
package mem
