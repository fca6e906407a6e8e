package ontap

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/nessie-go/nessie/ontap/schema"
)

// Kind describes one ONTAP object kind served from the object store (the
// objects beyond the storage contract): what differs between kinds, as
// data and pure functions. Package server stores every kind in one store
// with referential integrity and serves it with one set of generic
// handlers; a kind is this value and nothing else.
type Kind struct {
	// Object is the generated ONTAP object: the shape of every body and
	// record.
	Object *schema.Object
	// Label names the kind in messages ("export policy").
	Label string
	// Path is the served collection path; a parent named in it appears
	// as a {field} wildcard ("/api/protocols/nfs/export-policies/{policy.id}/rules").
	Path string
	// Key is the identity: "uuid" (minted), an integer field numbered
	// from 1 within the kind's Scope ("id", "index"), a name the body gives
	// (a CIFS share's, within its SVM), or a parent's key ("svm.uuid": one
	// NFS service per SVM).
	Key string
	// Scope is the parent field an integer key is numbered within
	// ("volume" for qtrees: ids per volume); "" numbers cluster-wide.
	Scope string
	// FirstID is the first integer key handed out (default 1).
	FirstID int64
	// Always lists the top-level fields every record returns besides the
	// key and _links (a collection GET without fields=).
	Always []string
	// Parents are the objects a record belongs to, resolved on create and
	// stored as references ({name, uuid}, or {id, name} for a kind keyed
	// by id).
	Parents []Parent
	// Refs are optional references to other kinds, checked on create and
	// modify, which make the referenced object in use.
	Refs []KindRef
	// Embeds lists the kinds whose records a record of this kind shows
	// inline (an export policy's rules), in key order.
	Embeds []Embed
	// Conflicts reports whether two records in the same scope (the same
	// first parent: names per SVM, rules per policy) clash, with the
	// error for it; nil allows any number of equal records.
	Conflicts func(a, b Extra) *Error
	// ClusterWide compares records for Conflicts across the whole kind
	// rather than within the first parent (QoS policy group names are
	// unique in the cluster, whichever SVM holds them).
	ClusterWide bool
	// Builtin lists records every SVM has from the start (its "default"
	// export policy), given the SVM's reference.
	Builtin func(svm Extra) []Extra
	// ClusterBuiltin lists records the cluster's own SVM has from the
	// start besides Builtin's (its iSCSI service, which Trident's
	// ontap-san driver needs); an SVM created later does not.
	ClusterBuiltin func(svm Extra) []Extra
	// Async says mutations run as jobs (202 and a job link) as ONTAP's
	// do for this kind; otherwise POST answers 201 and PATCH/DELETE 200.
	Async bool
	// CreateParams are extra query parameters a create accepts (the
	// Terraform provider sends synchronous=true with a qtree create: the
	// answer waits for the job).
	CreateParams []string
	// PatchParams are extra query parameters a PATCH accepts (ONTAP 9.11
	// added force to a CIFS server's PATCH; netapp.ontap sends it with a
	// rename).
	PatchParams []string
	// DeleteFields are the fields a DELETE body may carry (the domain
	// credentials a CIFS server leaves Active Directory with), and
	// DeleteParams the query parameters a DELETE accepts ("force").
	DeleteFields, DeleteParams []string
	// DeleteInScope also serves DELETE on the scope's path with the key as
	// a query: netapp.ontap's na_ontap_cifs deletes a share with DELETE
	// /protocols/cifs/shares/{svm.uuid}?name=….
	DeleteInScope bool
	// NoPatch and NoDelete say the kind has no such operation.
	NoPatch, NoDelete bool
	// Defaults fills fields a create left out (a pure function of the
	// body, returning the tree to store).
	Defaults func(rec Extra) Extra
	// Complete fills derived fields once the parents are resolved, on
	// create and on modify (a qtree's path from its volume's name).
	Complete func(rec Extra) Extra
	// PerVolume, if set, is the record every volume implicitly has (its
	// qtree 0), given the volume's and the SVM's references; it is listed
	// and read like the others but cannot be modified or deleted.
	PerVolume func(vol, svm Extra) Extra
	// Create, Patch and Delete are the kind's rules (pure validators):
	// Create sees the record to store (after Defaults), Patch the stored
	// record, the patch body and the paths it sets, Delete the record.
	Create func(rec Extra) error
	Patch  func(old, patch Extra, paths []string) error
	Delete func(rec Extra) error

	// The hooks below give a kind's rules a read-only View of related
	// state (the SAN kinds use them; see the package documentation).

	// NotFound is the kind's 404 for the record a path names (a LUN's
	// 5374875), given the identity the path gives (key paths set) and a
	// view: a LUN map reports its missing LUN or igroup first. nil is
	// ErrNotFound(Key).
	NotFound func(v View, key Extra) *Error
	// Render adds, when a record is read, the fields derived from related
	// records (a LUN's lun_maps and status.mapped); they are never stored.
	Render func(v View, rec Extra) Extra
	// Query rewrites the query of a GET before it is parsed (Trident asks
	// LUN maps for a field ONTAP ignores).
	Query func(url.Values) url.Values
	// FoldKey says a path names the record by its key in any case (an
	// initiator name; the kind's rules store it in lower case).
	FoldKey bool
	// CloneVolume, for a kind with a volume parent, is the copy a FlexClone
	// gets of a record of its parent volume (a LUN: ONTAP's clone holds
	// the parent's files), given the record and the clone's {name, uuid};
	// the store assigns the copy's key. nil copies nothing.
	CloneVolume func(rec, clone Extra) Extra
	// InSnapshots says a record is a file of its volume (a LUN), which a
	// volume snapshot holds as it was: a FlexClone of a snapshot gets the
	// CloneVolume copies of the records the snapshot holds (not of the
	// current ones), and a restore to it makes them the volume's records
	// again (those made since are deleted with what cascades from them,
	// those deleted since come back). The kind has a volume parent.
	InSnapshots bool
	// Prepare completes a create's record (old nil) or a modify's patch
	// (old the stored record) before the store's lock is taken, after the
	// generic checks and the parents outside the store are resolved, with
	// a view that can find volumes: a LUN's location from its name or
	// location.*, its volume by UUID or name with their own codes. It
	// returns the record or patch to go on with.
	Prepare func(v View, rec, old Extra) (Extra, error)
	// Place completes or checks a record under the store's lock, with a
	// view of the store, on create (old nil; after the Conflicts rule and
	// the key are checked) and on modify (rec the record to store): a
	// per-scope allocation (a LUN map's logical_unit_number, unique in its
	// igroup, assigned when absent), a check against its siblings (a
	// LUN's path, its volume's free space).
	Place func(v View, rec, old Extra) (Extra, error)
	// Also lists records of other kinds (by schema name) created with a
	// new record unless present (an iSCSI service's default credential).
	Also func(rec Extra) map[string][]Extra
}

// View is the read-only look at the object store a kind's hooks get: the
// records of any kind, the SVM and node references the cluster has, and
// the volumes.
type View interface {
	// Get returns the record of kind (a schema name) with identity id
	// (its key paths' values joined by "/").
	Get(kind, id string) (Extra, bool)
	// Find returns the records of kind for which match is true, in no
	// particular order.
	Find(kind string, match func(Extra) bool) []Extra
	// SVM returns the {name, uuid} of the SVM with that UUID.
	SVM(uuid string) (Extra, bool)
	// Node returns the {name, uuid} of the cluster's node.
	Node() Extra
	// Volume finds a volume by ref (its UUID, else its name); an error is
	// the backend's, as an ONTAP error.
	Volume(ref Ref) (VolumeRoom, bool, error)
}

// VolumeRoom is what a kind's rules see of a volume: its reference and
// the room it has.
type VolumeRoom struct {
	Ref       Extra // {name, uuid}
	Available int64 // bytes available (space.available)
	Bounded   bool  // false: the volume reports no size limit
}

// Parent is a reference to the object a record belongs to.
type Parent struct {
	// Field is the record's field holding the reference ("svm").
	Field string
	// Kind is "svm", "volume" or the schema name of a stored kind
	// ("export_policy").
	Kind string
	// Optional parents may be left out; others are required (the SVM
	// defaults to the cluster's only data SVM when there is one).
	Optional bool
	// Cascade says deleting the parent deletes the record; otherwise the
	// record keeps the parent in use.
	Cascade bool
	// Derived parents are not given in the body but copied from the
	// first parent (a rule's SVM is its policy's).
	Derived bool
	// Key is the field of the reference that identifies the parent when
	// it is not the default ("uuid" for SVMs and volumes, "id" for stored
	// kinds): a LUN map's lun.uuid.
	Key string
	// NoDefault says a create's body must name this SVM parent (ONTAP's
	// 2621707 for the SAN objects) rather than default to the cluster's
	// data SVM (a fixture's record may still leave it out).
	NoDefault bool
	// ClusterSVM says this SVM parent must be the cluster's own SVM, the
	// one that holds the volumes (nessie serves the SAN objects there
	// only).
	ClusterSVM bool
	// ByPrepare says the kind's Prepare resolves this parent (a LUN's
	// volume, named by its path or by location.volume), not the generic
	// flow; it is still checked under the store's lock and cascades.
	ByPrepare bool
	// Missing is the error for a parent of a stored kind that does not
	// exist (a LUN map's LUN: 1254201); nil is a generic 404.
	Missing func() *Error
	// InUse is the error for deleting the parent while this record refers
	// to it (a mapped LUN: 1254197); nil is a generic 409.
	InUse func(parent Extra) *Error
	// CascadeWith names a DELETE query parameter that, set to true, makes
	// the parent's delete take this record with it instead of refusing
	// (allow_delete_while_mapped). A parent deleted by a cascade (its
	// volume's delete) always takes it.
	CascadeWith string
	// DropLast names a boolean field of the parent: when true, deleting
	// the parent's last record of this kind deletes the parent too (an
	// igroup's delete_on_unmap).
	DropLast string
}

// Embed names a field that shows, inline, the records of another kind
// whose Scope is this record (Kind's records scoped by this one's key).
type Embed struct {
	Field string // "rules"
	Kind  string // "export_rule"
}

// KindRef is a reference from a record to an object of another kind, by name
// within the record's SVM.
type KindRef struct {
	// Field is the record's field holding the reference
	// ("export_policy").
	Field string
	// Kind is the schema name of the stored kind referred to.
	Kind string
	// InUse is the error for deleting an object a record refers to.
	InUse func(name string) *Error
}

// Name is the kind's schema object name ("export_policy"), its identity
// in the store.
func (k *Kind) Name() string { return k.Object.Name }

// IntKey reports whether the kind's key is an integer numbered by the
// store.
func (k *Kind) IntKey() bool {
	f := k.Object.Field(k.Key)
	return f != nil && f.Type == schema.Integer
}

// KeyPaths are the identity paths of a record, outermost scope first.
func (k *Kind) KeyPaths() []string {
	if k.Scope != "" {
		return []string{k.Scope + "." + k.scopeKey(), k.Key}
	}
	return []string{k.Key}
}

func (k *Kind) scopeKey() string {
	for _, p := range k.Parents {
		switch {
		case p.Field != k.Scope:
		case p.Key != "":
			return p.Key
		case p.Kind == "svm" || p.Kind == "volume":
			return "uuid"
		default:
			return "id"
		}
	}
	return "uuid"
}

// Schema returns the query schema of the kind's records.
func (k *Kind) Schema() *Schema {
	top, _, _ := strings.Cut(k.Key, ".")
	always := []string{top, "_links"}
	always = append(always, k.Always...)
	return ObjectSchema(k.Object, k.KeyPaths(), always...)
}

// ErrRequired is 400 code 2 for a required field the body left out.
func ErrRequired(field string) *Error {
	return Errorf(http.StatusBadRequest, CodeInvalidValue, field, "%q is a required field", field)
}
