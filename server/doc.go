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
// ONTAP's name rules) and LIFs (interfaces.go: on the cluster's node,
// services from the service policy, unique names and addresses); the
// identity's SVM and LIF cannot be changed or deleted. An added SVM holds
// LIFs and the object-store kinds (references resolve by name or uuid
// among all SVMs: 2621462 unknown, 2621706 name and uuid disagree, 2621707
// none given while there are several); it starts with its own "default"
// export policy, and deleting it deletes its objects and LIFs (refused
// with 2621525 while a domain-joined CIFS server is there, and with 409
// code 8 while it holds volumes). Volumes live in any SVM: the SVM of a
// volume created in an added SVM is kept in its ONTAP attributes (the
// storage contract's volumes carry no SVM; the identity's SVM stays
// implicit) and rendered with the SVM's current name, so svm.name and
// svm.uuid filter listings and follow a rename. The export, snapshot and
// QoS policies a volume names are its SVM's; qtrees, quota rules and CIFS
// share paths take its SVM (an object inside a volume naming another SVM
// gets 917525); a FlexClone inherits its parent's SVM (the parent is
// looked for in clone.parent_svm, else the clone's svm: 524601 when not
// there; a clone in another SVM than its parent's is code 3); a snapshot
// POST naming another SVM than its volume's gets 4. Volume names stay
// unique in the cluster, as the contract keeps them (ONTAP allows one
// name in two SVMs; nessie answers the duplicate-name code 917526). SAN
// objects (LUNs, igroups, LUN maps, iSCSI) stay in the identity's SVM: a
// LUN path in a volume of another SVM is not found there (917927).
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
// offline volume, a restore that never shrinks the volume). RelaxedNames
// and ContractMode relax them to the backend contract, so the conformance
// suite can run over HTTP.
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
// Export policies and their rules, qtrees, quota rules, the NFS, CIFS, FC
// Protocol and NVMe services, CIFS shares, snapshot policies, cluster
// schedules, QoS and volume efficiency policies, and the SAN objects
// (LUNs, igroups, LUN maps, iSCSI services and credentials) are not
// backend objects: they live in one object store in the server
// (objstore.go), with referential integrity, journalled one changed record
// at a time, and are served by one set of generic handlers (objects.go).
// A kind is an ontap.Kind value, written next to the schema in package
// ontap: its generated object (the shape of every body and record, which
// are JSON trees checked against it), its key (a minted uuid, a name, a
// parent's key, or an integer
// numbered cluster-wide or per parent: an export policy's id, a rule's
// index in its policy, a qtree's id in its volume; a LUN map is keyed by
// its LUN and igroup, a credential by SVM and initiator), its parents
// (svm, volume, or another kind; resolved on create to {name, uuid} or
// {id, name}, cascading on delete or keeping the parent in use), its
// references (a qtree's export policy), its conflicts (a name per SVM),
// its defaults and its pure rules (Create, Patch, Delete). The handlers
// give every kind the same behaviour: GET collection with the whole query
// engine (fields=, filters, order_by, max_records and _links.next,
// return_records) at the path and its trailing-slash form; POST; GET,
// PATCH and DELETE of one record; 262197 for an unknown field and 262196
// for one the operation may not set; 404 (the kind's NotFound, else code
// 4) for a missing record or parent; jobs (202) for an Async kind, else
// 201 and 200; the routes in the OpenAPI document and behind
// authentication.
//
// To add a kind: add its ONTAP object to ontap/schema/gen.py if it is not
// yet generated; write its ontap.Kind (ontap/nas.go is the model, and
// ontap/lun.go, lunmap.go and iscsi.go for the hooks below) with its
// rules and their table tests; append it to objectKinds in objects.go;
// pin its rules and error codes in a server test. Anything outside the
// store that uses it (a volume's export, snapshot or QoS policy) is
// checked where that object is handled (checkExportPolicy,
// checkSnapshotPolicy, checkQoSPolicy) and keeps it in use
// (outsideUsers); a rule that reaches outside the kind (a CIFS share's
// path must exist in its SVM, which must have a CIFS server) goes in
// checkOutside (objrules.go). A snapshot policy's copies name job
// schedules, resolved to {name, uuid} (1638413), which then cannot be
// deleted (459758); its schedules are also served one at a time at
// /snapshot-policies/{uuid}/schedules (snappolicy_schedules.go), a view
// of the same copies, so the two never disagree. When a kind's rules need
// related state, use the hooks, not a handler:
//
//   - a record that shows related records (a LUN's lun_maps): Render, given
//     an ontap.View of the store (storeView) at read time; nothing derived
//     is stored;
//   - a value allocated within a scope (a map's logical_unit_number, unique
//     per igroup, the lowest free one when absent), or a check against
//     sibling records (a LUN's path, its volume's free space less its
//     other LUNs' sizes, through View.Volume): Place, under the store's
//     lock, on create after the Conflicts rule and the key are checked and
//     on modify;
//   - a body whose parents come from more than references (a LUN's volume,
//     from its path or location.*, by UUID or name with their own codes):
//     Prepare, before the lock, with a view that finds volumes; the
//     parent is marked ByPrepare;
//   - the kind's own 404s (a map names its missing LUN or igroup first):
//     NotFound; a missing parent's code: Parent.Missing;
//   - a parent that is deleted only on request (a mapped LUN without
//     allow_delete_while_mapped): Parent.InUse and Parent.CascadeWith
//     (listed in DeleteParams); a parent that goes with its last child
//     (delete_on_unmap): Parent.DropLast;
//   - records made with another (a service's default credential): Also;
//     records every SVM has: Builtin; those only the cluster's own SVM
//     has (its iSCSI service): ClusterBuiltin;
//   - a path derived from the volume (a qtree's, a LUN's name): Complete,
//     which objectStore.renameVolume re-runs when the volume is renamed; a
//     copy in a FlexClone (a LUN): CloneVolume, run by
//     cloneVolumeLocked; a record that is a file of its volume, which a
//     volume snapshot holds as it was (a LUN): InSnapshots, so that a
//     FlexClone of the snapshot copies the record as it was then and a
//     restore to it puts it back (objsnapshots.go); a volume parent that
//     Cascades is dropped with the volume (dropVolume) and pruned at
//     start if the volume is gone;
//   - a body that must name its SVM (2621707): Parent.NoDefault;
//   - a parent keyed by the record's own reference (a credential's iSCSI
//     service, keyed by svm.uuid): a second Parent on the same field.
//
// Sub-collections held in a record have handlers of their own: a LUN's
// attributes (san_luns.go), an igroup's initiators (san_igroups.go), a
// map's reporting nodes (san_lunmaps.go); they change their parent record
// under the store's lock with objectStore.do, so integrity and the
// journal stay the store's.
//
// # Error codes
//
// Each code the object kinds answer with is ONTAP's own, from the error
// tables of ONTAP 9.16.1's REST documentation for that endpoint (as
// vendored in Trident's generated ONTAP client, storage_drivers/ontap/
// api/rest/client/*/*_responses.go), except these, for which no source
// documents a specific code: a duplicate export policy, NFS service, job
// schedule, CIFS share or volume efficiency policy name answers ONTAP's
// generic code 1 ("an object with the same identifier already exists",
// ONTAP's documented common codes; Trident's REST driver relies on ONTAP
// answering 1 for a duplicate CIFS share ACL entry); a QoS policy a volume uses answers the generic
// code 8 ("resource in use"); a volume naming a QoS policy that does not
// exist answers 8454243, which ONTAP documents for a LUN naming one; an
// FC Protocol or NVMe service that does not exist answers 4 (ONTAP
// documents 5374083 and 72089651 for its PATCH and DELETE). Codes that
// earlier guesses used and the tables contradict were replaced: 655399
// (it means "the CIFS server does not exist", now the code for a share in
// an SVM without one; a bad NetBIOS name is 655562 or 655563), 1638421
// (a snapshot policy in use is 1638415), 458753 (documented as a route's
// address-family error; a duplicate schedule is 1). Not enforced: ONTAP's
// 2621507 (a protocol the SVM does not allow), 72089900 (NVMe next to a
// SCSI protocol), 72089653/72089654 (NVMe subsystems and LIFs).
//
// # SAN objects
//
// The cluster's SVM starts with an enabled iSCSI service (its target name
// derived from the SVM's UUID) and its "default" credential
// (authentication none), and its data LIF serves data_iscsi, so Trident's
// ontap-san driver starts. SAN objects are synchronous (201 and 200, as
// ONTAP answers them). A LUN's size counts against its volume's free
// space (the volume's space.available less its other LUNs' sizes).
// Deleting a volume deletes its LUNs and their maps; renaming it re-paths
// its LUNs. A snapshot holds its volume's LUNs as they were: a FlexClone
// gets copies of the LUNs its snapshot holds (sizes then, new UUIDs and
// serial numbers, no maps), and a restore puts them back (sizes then,
// maps kept; LUNs made since go with their maps, LUNs deleted since come
// back unmapped). The store keeps those LUN records only for snapshots of
// volumes holding LUNs, journalled with the other records (kind
// "held:lun"); a fixture carries none, so a snapshot loaded from one
// holds its volume's LUNs as loaded. A journal written before the SAN objects were
// kinds (records san:lun, san:igroup, san:lun-map, san:iscsi,
// san:iscsi-cred) is converted at start and rewritten (convertOld).
//
// The SVMs and IP interfaces created through the API are kept in two
// small stores of their own (svms.go, interfaces.go), journalled by
// comparing them with what was last saved after each mutating request
// (sidejournal.go).
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
