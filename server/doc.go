// Package server serves the ONTAP REST API over any backend.VolumeBackend,
// so that unmodified ONTAP clients (Trident, the netapp.ontap Ansible
// collection, the NetApp Terraform provider, the netapp-ontap Python SDK)
// work against it.
//
// A Server is an http.Handler: the caller owns listeners, TLS and
// shutdown (cmd/nessie does that; ontaptest does it for tests). New
// validates the options eagerly; Close stops background work.
//
// # What it serves
//
// Discovery: /api/cluster, /api/cluster/nodes, /api/svm/svms,
// /api/storage/aggregates, /api/network/ip/interfaces (one of each, from
// the Identity), plus the start-up calls clients make
// (/api/cluster/licensing/licenses, /api/protocols/nfs/export-policies,
// /api/support/ems/application-logs, the private CLI recovery queue).
// Volumes, FlexClones, snapshots and jobs under /api/storage/volumes and
// /api/cluster/jobs, including PATCH and DELETE by query on collections.
// The Swagger 2.0 document of exactly these routes is at
// /docs/api/swagger.yaml. Tiers the backend lacks answer with ONTAP's
// "not supported" error (code 3).
//
// # Behaviour
//
// Every request needs HTTP Basic credentials (compared in constant time);
// a failure is 401 with WWW-Authenticate: Basic realm="ONTAP". Every
// failure, including unknown routes (404), wrong methods (405), malformed
// bodies and bad content types, is ONTAP's error envelope with a numeric
// code from ontap.ErrorTable; a client mistake is never a 5xx.
//
// POST, PATCH and DELETE run as jobs and answer 202 with a job link
// (uuid and _links.self.href) unless return_timeout > 0 and the job
// finished in time: then 201 (create) or 200 with the link, or the job's
// error envelope if it failed. return_records=true adds the affected
// record; a create sets Location. Request validation and the resolution of
// the objects a request names are synchronous 4xx; failures that depend on
// stored state when the work runs (a duplicate name, a busy snapshot, a
// volume with clones) are job failures, as on ONTAP. Finished jobs are
// kept for JobTTL (300 s by default).
//
// By default the server enforces ONTAP's own rules at the REST edge
// (volume names, a 20 MB minimum and default size, no snapshot of an
// offline volume). RelaxedNames and ContractMode relax them to the backend
// contract, so the conformance suite can run over HTTP.
//
// Every field of ONTAP 9.16.1's volume and snapshot objects is accepted
// (package ontap/schema decides which, per operation) and read back:
// those the backend contract does not model (snapshot policy, space
// guarantee, efficiency, quota, ...) are stored as the object's
// attributes, in the same backend call that creates or changes it, so a
// reader never sees a volume without them and a failed job leaves
// nothing half done. Each handler is parse → validate (ontap's rules) →
// resolve → one backend call → respond. One structured log record per
// request goes to Options.Logger.
package server
