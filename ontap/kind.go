package ontap

import (
	"net/http"
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
		if p.Field == k.Scope && p.Kind != "svm" && p.Kind != "volume" {
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
