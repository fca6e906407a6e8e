// Package backend is the nessie storage contract: the tiered backend
// interfaces, the substrate-neutral domain types and the error model that
// every backend, wire layer and binding shares.
//
// The package imports only the standard library. Backends (backend/mem and
// third-party ones) import it; the conformance suite in backend/backendtest
// proves that a backend honours it.
//
// # Tiers
//
// A backend implements the widest tier it can honour:
//
//	VolumeBackend        volumes: create, get, list, patch, delete, access handle
//	  SnapshotBackend    + snapshots: create, get, list, patch, delete, restore
//	    CloneBackend     + FlexClone-style clones and clone split
//	  ReplicationBackend + snapshot streams between backends (embeds SnapshotBackend)
//
// Callers discover tiers with a type assertion (or [Tiers]).
// Capabilities must agree with the type exactly; the conformance suite
// checks this "capability honesty" in both directions. A tier a backend does
// not declare is simply not implemented: there is no emulation.
//
// # Semantics
//
// Every backend honours these rules; the method docs restate the ones that
// apply to them.
//
//   - Volume names are unique within a backend; snapshot names are unique
//     within their volume. A deleted name is free again at once.
//   - Names are validated by [ValidateName]: non-empty, at most
//     [MaxNameLen] bytes, valid UTF-8, no '/', no NUL. (The ONTAP REST edge
//     additionally enforces ONTAP's stricter volume-name rules.)
//   - Names are case-sensitive: "db" and "DB" are two names. VolumeByName
//     and SnapshotByName find exactly the name given.
//   - Create returns the full stored object; Get and List return objects
//     equal to it until it changes.
//   - Every change an ONTAP job makes is one backend call, atomic: a
//     volume is created in its final state with its attributes; a clone
//     of a snapshot taken for the occasion is one CreateClone call; a
//     failed call leaves nothing behind.
//   - Deleting a volume deletes its snapshots. It is refused with [ErrInUse]
//     while an unsplit clone depends on one of them.
//   - Deleting a snapshot is refused with [ErrInUse] while an unsplit clone
//     depends on it.
//   - A clone starts with the size its parent had when the snapshot was
//     taken, records its origin (by ID, rendered by current name) and is a
//     full volume: it can have snapshots and clones of its own.
//   - Splitting a clone clears its origin and releases the parent snapshot.
//   - Restoring a volume to a snapshot reverts the volume's size to the
//     snapshot's and deletes every snapshot taken after it.
//   - Every field a patch sets is stored and read back; a patch applies
//     wholly or not at all.
//   - Snapshot creation time is recorded in UTC.
//   - A call whose context is already done has no effect and returns the
//     context's error, unwrapped.
//
// # Attributes
//
// Volumes and snapshots carry an optional attributes object: JSON that a
// layer above the contract (the ONTAP REST server, a binding) stores with
// the object so that one write keeps both consistent, instead of a side
// store written after the backend commits. A backend stores it compacted
// and returns it verbatim ([CompactAttributes]); it gives it no meaning.
// A patch's attributes are an RFC 7386 merge patch applied with
// [MergeAttributes], so every backend merges alike. Input that is not a
// JSON object, or larger than [MaxAttributesLen], fails with
// [ErrInvalidArgument]. A backend that cannot keep attributes (the REST
// client: the server it talks to owns ONTAP's fields itself) refuses
// non-empty ones with [ErrUnsupported] rather than dropping them.
//
// # Errors
//
// Every failure other than a context error is an [*Error] carrying the
// operation, the [Kind], the resource and its ID or name. Test the kind with
// [errors.Is] against the Err* sentinels ([ErrNotFound], [ErrVolumeNotFound],
// [ErrSnapshotNotFound], [ErrAlreadyExists], [ErrInvalidArgument],
// [ErrInUse], [ErrUnsupported], [ErrInternal]); never match message text.
// [ErrUnsupported] also matches [errors.ErrUnsupported].
//
// # Concurrency
//
// Backends must be safe for concurrent use by many goroutines, and each
// operation must be linearizable with respect to the objects it touches.
// Values returned by a backend belong to the caller: mutating them never
// changes stored state.
package backend
