// Package client implements the nessie backend contract over the ONTAP REST
// API, so that Go code written against [backend.CloneBackend] can drive a
// nessie daemon, an in-process ontaptest server or a real ONTAP cluster,
// and so that the conformance suite can run over HTTP.
//
// [New] returns a [*Client]; nothing is sent until the first call. The
// client works in one SVM: the one named in [Options.SVM], or the only one
// the cluster has. It implements exactly the CloneBackend tier and says so
// in Capabilities (snapshots and clones; no replication).
//
// # The wire
//
// Each method is the ONTAP call a careful ONTAP client makes:
//
//	ListVolumes      GET    /api/storage/volumes?svm.uuid=…&fields=…   (follows _links.next)
//	CreateVolume     POST   /api/storage/volumes                        name, svm, aggregates, size, nas, comment
//	GetVolume        GET    /api/storage/volumes/{uuid}?fields=…
//	PatchVolume      PATCH  /api/storage/volumes/{uuid}                 name, size, state, nas.path, nas.export_policy.name, comment
//	DeleteVolume     DELETE /api/storage/volumes/{uuid}
//	ListSnapshots    GET    /api/storage/volumes/{uuid}/snapshots?fields=…
//	CreateSnapshot   POST   /api/storage/volumes/{uuid}/snapshots        name
//	GetSnapshot      GET    /api/storage/volumes/{uuid}/snapshots/{uuid}
//	PatchSnapshot    PATCH  /api/storage/volumes/{uuid}/snapshots/{uuid} name, comment
//	DeleteSnapshot   DELETE /api/storage/volumes/{uuid}/snapshots/{uuid}
//	RestoreSnapshot  PATCH  /api/storage/volumes/{uuid}?restore_to.snapshot.uuid=…
//	CreateClone      POST   /api/storage/volumes                        clone.is_flexclone, parent_volume, parent_snapshot (by UUID)
//	SplitClone       PATCH  /api/storage/volumes/{uuid}                 clone.split_initiated=true
//	AccessHandle     GET    the volume, then /api/network/ip/interfaces (nfs_export; ontap_passthrough if not NFS-reachable)
//
// Reads name every field they decode, because ONTAP returns "expensive"
// fields (nas.path, clone.parent_*) only on request. Mutations follow
// ONTAP's asynchronous model: the answer is a job link (202), and the
// client polls /api/cluster/jobs/{uuid} until the job succeeds or fails,
// honouring ctx, with [Options.PollInterval] and [Options.PollTimeout].
// Creates also send return_records=true and a return_timeout, so that a job
// that finishes promptly is answered with the created record; otherwise the
// new UUID comes from the Location header or, failing that, from a lookup
// by name. Creates and patches then read the object back (a snapshot
// create uses the returned record when it is complete), so every method
// returns the object as stored.
//
// # Errors
//
// Every failure other than a context error is a [*backend.Error] of the
// contract's kinds; a cancelled or expired context returns ctx.Err()
// unwrapped, and a call whose context is already done sends nothing. A
// synchronous 4xx answer or a failed job is classified by its ONTAP error
// code with package ontap's table (917526 duplicate volume: already exists;
// 1638555 snapshot busy: in use; code 4: not found, the target or a check
// of the volume telling a missing volume from a missing snapshot). Unknown
// codes, 5xx, redirects, undecodable bodies, transport failures and jobs
// that cannot be polled are internal errors. The cause is an [*APIError]
// carrying the request, HTTP status, ONTAP code, message and target (or a
// quoted excerpt of a body that was not ONTAP's), for callers that need
// more than the kind.
//
// Text that JSON cannot carry (strings that are not valid UTF-8) is refused
// with ErrInvalidArgument before any mutation is sent, after the existence
// checks the contract orders first: encoding/json would otherwise replace
// the bad bytes and the server would store a different name.
//
// # Limits of the wire
//
// The client is linearizable per request, not per method: a method that
// sends a mutation and then reads back can observe changes other clients
// made in between, and a context that ends while a job runs leaves the
// job's outcome unknown (it may still complete). Real ONTAP has no
// unlimited volumes and a minimum size; an unlimited size is sent as an
// absent size on create and as null on patch, which a nessie server may
// honour and ONTAP answers with its default size or an error.
package client
