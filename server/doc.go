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
// (/api/cluster/licensing/licenses, /api/support/ems/application-logs,
// the private CLI recovery queue). Clients may add SVMs (svms.go: jobs,
// ONTAP's name rules; they hold nothing yet, every object belongs to the
// identity's SVM) and LIFs (interfaces.go: on the cluster's node, services
// from the service policy, unique names and addresses); the identity's SVM
// and LIF cannot be changed or deleted.
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
//
// # Objects beyond the storage contract
//
// Export policies and their rules, qtrees, quota rules, the NFS and CIFS
// services, CIFS shares, snapshot policies, cluster schedules, QoS and
// volume efficiency policies are not backend objects: they live in one
// object store in the server (objstore.go), with referential integrity,
// and are served by one set of generic handlers (objects.go). A kind is an
// ontap.Kind value, written next to the schema in package ontap: its
// generated object (the shape of every body and record, which are JSON
// trees checked against it), its key (a minted uuid, or an integer
// numbered cluster-wide or per parent: an export policy's id, a rule's
// index in its policy, a qtree's id in its volume), its parents (svm,
// volume, or another kind; resolved on create to {name, uuid} or
// {id, name}, cascading on delete or keeping the parent in use), its
// references (a qtree's export policy), its conflicts (a name per SVM),
// its defaults and its pure rules (Create, Patch, Delete). The handlers
// give every kind the same behaviour: GET collection with the whole query
// engine (fields=, filters, order_by, max_records and _links.next,
// return_records) at the path and its trailing-slash form; POST; GET,
// PATCH and DELETE of one record; 262197 for an unknown field and 262196
// for one the operation may not set; 404 with code 4 for a missing record
// or parent; jobs (202) for an Async kind, else 201 and 200; the routes
// in the OpenAPI document and behind authentication.
//
// To add a kind: add its ONTAP object to ontap/schema/gen.py if it is not
// yet generated; write its ontap.Kind (ontap/nas.go is the model) with
// its rules and their table tests; append it to objectKinds in
// objects.go; pin its rules and error codes in a server test. Anything
// outside the store that uses it (a volume's export policy) is checked
// where that object is handled (checkExportPolicy, outsideUsers).
//
// # SAN objects
//
// LUNs (and their attributes), igroups (and their initiators), LUN maps
// (and their reporting nodes), iSCSI services and iSCSI credentials live
// in their own store (san.go), not as ontap.Kind values, because their
// rules cross kinds and reach outside the store: a map numbers a LUN
// within an igroup; a LUN's size counts against its volume's free space
// (the volume's space.available less its other LUNs' sizes); a mapped LUN
// or igroup is deleted only with allow_delete_while_mapped=true, which
// deletes its maps; a LUN and an igroup show their maps (lun_maps,
// status.mapped); a map is keyed by its LUN and igroup, a service by its
// SVM, a credential by SVM and initiator. Each kind is one file
// (san_luns.go, san_igroups.go, san_lunmaps.go, san_iscsi.go): routes,
// handlers (parse, validate with ontap's SAN rules, then check and change
// the store under its one lock) and records, which are JSON trees of the
// generated object served through the same query engine (ObjectSchema).
// They are synchronous (201 and 200, as ONTAP answers them). The cluster's
// SVM starts with an enabled iSCSI service (its target name derived from
// the SVM's UUID) and its "default" credential (authentication none), and
// its data LIF serves data_iscsi, so Trident's ontap-san driver starts.
// Deleting a volume deletes its LUNs and their maps.
//
// # Objects in fixtures
//
// ExportObjects renders every object above (built-ins included) as a
// fixture's objects section, by ONTAP collection path; ImportObjects
// checks one against a fixture's volumes and returns the records a server
// starts from (Control.Objects) and that a durable store saves; both go
// through the object journal's record set, mapped in objstate.go alone.
// A reset returns to Control.Objects, or to the built-ins as seeded.
package server
