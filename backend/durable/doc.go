// Package durable is the backend that keeps what it acknowledges: every
// tier of the storage contract except replication, with the whole state in
// memory for reads and every change written to a bbolt file
// (go.etcd.io/bbolt) and fsynced before the call returns. Restart the
// process, even after kill -9, and Open gives back every acknowledged
// volume, snapshot, clone origin and attribute, with the same UUIDs and
// creation times.
//
//	b, err := durable.Open(filepath.Join(dataDir, "state.db"), nil)
//	if err != nil { ... }       // ErrLocked, ErrCorrupt: the message says what to do
//	defer b.Close()
//
// Backend implements the optional [backend.Restorer]: Restore replaces the
// whole state (model and file) in one transaction, keeping every UUID and
// time, for fixtures and resets; Export reports it. The daemon's memory
// mode runs backend/mem instead, which implements the same interface.
//
// # Writes
//
// A write validates and changes the in-memory model under one writer lock,
// queues the records it changed, releases the lock and waits for the
// commit. One goroutine commits everything queued so far in a single bbolt
// transaction (group commit): concurrent writers share one fsync, and
// changes reach the file in the order they were made, all of a batch or
// none. A write whose commit fails returns an internal error, and the
// backend refuses every later write: memory may then hold a change the
// file lacks, and only a restart (which reloads the file) makes them agree.
//
// Readers take a read lock on the model and never touch the file. A read
// may see a write whose commit is still in flight (at most one fsync
// away); if the process dies before that commit, the change is gone after
// restart, as it was never acknowledged.
//
// # The file
//
// Records are JSON under raw 16-byte UUID keys, in three buckets: meta
// (the format version), volumes and snapshots (keyed volume UUID then
// snapshot UUID, ordered by a sequence number within the volume). Records
// beyond the contract (PutRecords, QueueRecords) have a bucket per kind,
// "kind:" + its name: the daemon keeps its jobs in kind:jobs and the
// server's other ONTAP objects (export policies, qtrees, LUNs, igroups,
// SVMs, LIFs, ...) in kind:objects; the digest covers them too. Clone
// dependency counts are derived at load. Open takes bbolt's exclusive file
// lock, waiting Options.LockTimeout: a second process on the same file
// gets ErrLocked.
//
// bbolt checksums its meta pages but not the pages holding records, so the
// store keeps its own digest of every record (meta/digest, updated by
// each commit). Open reads the whole file, recomputes the digest and checks
// references, names and the format; it refuses a file it cannot make sense
// of with ErrCorrupt, never starting empty or smaller in its place. A fault
// reading a truncated file's mapping, and a panic of bbolt's on a damaged
// page, are caught and reported the same way. Damage to the newest meta
// page is the one case bbolt recovers from silently, by design: it opens
// the commit before (that is how a torn commit is undone).
package durable
