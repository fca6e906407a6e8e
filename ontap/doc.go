// Package ontap is the ONTAP REST wire layer: the JSON shapes ONTAP clients
// send and expect, ONTAP's request rules, pure mappings between them and
// the backend's domain types, ONTAP's error codes, and the query engine.
// It imports no HTTP server code; package server puts it on the network
// and package client reads it back.
//
// # One schema
//
// Subpackage schema holds ONTAP 9.16.1's own object models as generated Go
// tables (every field path of every object nessie serves, its type, enum
// values, and whether GET returns it, POST sets it, PATCH changes it),
// written by ontap/schema/gen.py from the netapp-ontap 9.16.1.0 SDK. Each
// wire struct here is bound to one of those objects (the bindings map), and
// the schema decides, for every request:
//
//   - bodies: every field the object allows for the operation is accepted
//     and type-checked (enums included); one it does not allow fails with
//     262196, a name outside the object with 262197 (unless
//     ignore_unknown_fields); empty objects ({"analytics":{}}) are accepted;
//   - fields=, filters and order_by accept every readable path;
//   - records answer the fields a query filters on.
//
// # Shapes
//
// A wire struct (Volume, Snapshot, Aggregate, Cluster, Node, SVM,
// IPInterface, Job, ...) models the fields nessie gives behaviour or
// computes, as pointers (so "absent" and "zero" differ). Every other field
// of the ONTAP object lives in the struct's Extra: a JSON tree of values
// the decoder type-checked, stored with the object (Attributes) and merged
// into the record on the wire. Struct tags: json names the field; ontap
// marks it key (always returned), expensive (returned only when named or
// by fields=**), ro (rejected in bodies of structs not bound to a schema),
// size (accepts "240MB") or ext (deliberately outside ONTAP's schema, such
// as a collection's _links.next). TestWireStructsAgreeWithSchema fails when
// a struct has a field ONTAP's object lacks or a type ONTAP's differs from.
// Records, Collection and JobResponse encode themselves (JSONAppender);
// the testdata directory holds a golden file per shape (`go test ./ontap
// -update` rewrites them).
//
// # Rules
//
// VolumeRules holds ONTAP's request rules for volumes, snapshots and
// clones as pure functions of a decoded body (Create, Clone, Patch,
// SnapshotCreate, SnapshotPatch): names, sizes (size or space.size), states,
// junction paths, the SVM and aggregate, which fields a clone, restore or
// split may carry, value ranges. They return what to do (a backend spec or
// patch and an attribute merge patch); the server resolves the objects they
// name and runs one job. VolumeRecord and SnapshotRecord render records,
// deriving fields with meaning (space.*, quota.state, encryption.state)
// from the volume and its Attributes.
//
// # Adding a field
//
// A field ONTAP's schema has needs nothing: it is already accepted,
// stored and served. To give it behaviour, add it to the wire struct (the
// binding test checks name and type), compute it in the record function,
// and put any rule on its value in VolumeRules; to give it a default,
// add it to volumeDefaults; to return it from a plain GET, list it in
// commonExtras.
//
// # Adding an object
//
// An object beyond the storage contract (a policy, a service, a LUN, ...)
// is a Kind: add its SDK resource to OBJECTS in ontap/schema/gen.py if it
// is not generated yet, write its Kind value with its rules next to the
// others (nas.go, protocols.go, lun.go, ...) and table-test them, and
// list it in package server's objectKinds; no wire struct, no handler
// (see package server, whose documentation says which hook serves which
// need). A discovery object, or one the backend contract holds, gets a
// wire struct with the fields nessie models plus Extra, bound in
// bindings, with MarshalJSON, UnmarshalJSON and AppendJSON like the
// others, its rules next to VolumeRules and its record function, routed
// in package server.
//
// # Objects beyond the contract
//
// Record is a generic ONTAP record: the whole object as a JSON tree the
// decoder (DecodeObject) checked against the generated schema, with no
// wire struct. ObjectSchema gives its query schema (fields=, filters,
// order_by and paging on every readable field). A Kind (kind.go) describes
// one object kind served from package server's object store as data and
// pure rules: schema object, key, parents, references, conflicts,
// defaults, Create/Patch/Delete validators. nas.go holds the NAS kinds
// (ExportPolicyKind, ExportRuleKind, ...), protocols.go the services,
// shares and policies, fabric.go the FC Protocol and NVMe services, each
// a small unit with its ONTAP error codes; see package server for how to
// add one. Rules that need related state get it through hooks with a
// read-only View of the store and the volumes (Prepare, Place, NotFound,
// Render) and through what a Parent declares (CascadeWith, InUse,
// DropLast, Missing); a record a volume snapshot holds as it was (a LUN)
// says InSnapshots; the SAN kinds are the model for those: LUNKind
// (lun.go), IgroupKind (igroup.go), LUNMapKind (lunmap.go),
// ISCSIServiceKind and ISCSICredentialKind (iscsi.go), each in the file
// of its rules.
//
// # SAN rules
//
// The SAN objects' rules are pure functions over plain values, one file
// per kind, each with its ONTAP 9.16.1 error codes (from ONTAP's own
// error tables for these endpoints): lun.go (LUN paths
// /vol/<volume>[/<qtree>]/<lun> against location.*, base-name characters,
// os_type and space.size required except for clones, sizes, growth only
// and within the volume's free space, attributes, the mapped-LUN delete
// rule, 12-character serial numbers), igroup.go (igroup names, iSCSI
// IQN/EUI and FC WWPN initiator names in canonical lower case, protocol
// compatibility, membership, the mapped-igroup rule), lunmap.go (logical
// unit numbers 0..4095, the lowest free one per igroup by default) and
// iscsi.go (one service per SVM and its target name, CHAP credential
// rules, the default credential). Each file ends with its kinds, which
// apply them.
//
// # Errors
//
// Error is ONTAP's error object ({"message","code","target","arguments"},
// code a JSON string). ErrorTable lists how a backend error kind, plus the
// operation where it matters, maps to the HTTP status and ONTAP code:
// FromBackend applies it and Classify inverts it, so a client can turn
// codes back into kinds.
//
// # Queries and bodies
//
// A Schema, derived from a wire struct's tags and its bound object, drives
// the query engine: ParseQuery reads fields (with * and **, dotted paths
// and object names), filters on any field including nested ones (with * !
// | < > <= >= .. and null / !null), order_by, max_records, start.<key>,
// return_records, return_timeout and ignore_unknown_fields; Page filters,
// orders, pages and trims records and builds the collection envelope with
// _links.next; Project trims a single record. Decode reads request bodies
// the way ONTAP does: nested objects or dotted keys, scalars as strings.
package ontap
