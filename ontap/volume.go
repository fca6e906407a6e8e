package ontap

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/internal/text"
	"github.com/nessie-go/nessie/ontap/schema"
)

// ---- attributes ----

// Attributes is the ONTAP attribute tree stored with an object (every
// field its wire struct does not model, over ONTAP's defaults) together
// with View, the part of it a GET may return. Both are immutable.
type Attributes struct {
	Stored Extra
	View   Extra
	// SVM is the UUID of the SVM a volume's attributes store (its "svm"
	// member, kept out of Stored and View: the record renders the SVM's
	// current name from it); "" is the cluster's own SVM.
	SVM string
	// common is the part of View a plain GET returns (see commonExtras),
	// kept so that GET does not project View every time.
	common Extra
}

// NewAttributes wraps a stored tree of object obj.
func NewAttributes(obj *schema.Object, stored Extra) *Attributes {
	return withCommon(obj, &Attributes{Stored: stored, View: Gettable(obj, stored)})
}

func withCommon(obj *schema.Object, a *Attributes) *Attributes {
	a.common = a.View
	if common := commonByObject[obj]; common != nil {
		a.common = nil
		for k, v := range a.View {
			if common[k] {
				a.common = setExtra(a.common, k, v)
			}
		}
	}
	return a
}

// Patch returns a with patch (an RFC 7386 merge patch of fields of obj)
// applied. Only the patch is filtered for View, so the cost is the
// patch's size, not the tree's.
func (a *Attributes) Patch(obj *schema.Object, patch Extra) *Attributes {
	if len(patch) == 0 {
		return a
	}
	return withCommon(obj, &Attributes{Stored: MergeExtra(a.Stored, patch), View: MergeExtra(a.View, Gettable(obj, patch))})
}

// volumeDefaults are ONTAP's create defaults for the volume fields nessie
// stores without giving them behaviour.
var volumeDefaults = NewAttributes(schema.Volume, Extra{
	"language":                          "c.utf_8",
	"snapshot_policy":                   Extra{"name": "default"},
	"guarantee":                         Extra{"type": "volume", "honored": true},
	"nas":                               Extra{"security_style": "unix", "unix_permissions": int64(755), "uid": int64(0), "gid": int64(0)},
	"space":                             Extra{"snapshot": Extra{"reserve_percent": int64(5)}, "logical_space": Extra{"enforcement": false, "reporting": false}},
	"encryption":                        Extra{"enabled": false},
	"tiering":                           Extra{"policy": "none"},
	"snapshot_directory_access_enabled": true,
	"efficiency":                        Extra{"compression": "none", "dedupe": "none", "compaction": "none", "cross_volume_dedupe": "none", "state": "disabled", "policy": Extra{"name": "-"}},
	"analytics":                         Extra{"state": "off"},
	"snaplock":                          Extra{"type": "non_snaplock"},
	"autosize":                          Extra{"mode": "off"},
	"quota":                             Extra{"enabled": false},
})

// DefaultVolumeAttributes returns ONTAP's defaults for a new volume.
func DefaultVolumeAttributes() *Attributes { return volumeDefaults }

// ---- records ----

// VolumeContext is what rendering a volume needs besides the volume.
type VolumeContext struct {
	// SVM and Aggregate are the shared references of the cluster's SVM
	// and aggregate.
	SVM       *Ref
	Aggregate Ref
	// SVMs returns the reference ({name, uuid}, the current name) of the
	// SVM with that UUID, for a volume whose attributes store another SVM
	// than the cluster's (Attributes.SVM); nil, or a nil result, renders
	// {uuid} alone.
	SVMs func(uuid string) *Ref
	// EmptyExportPolicy is reported for a volume without an export
	// policy: ONTAP reports DefaultExportPolicy; "" omits the field.
	EmptyExportPolicy string
}

// svmRef returns the reference of the SVM with that UUID.
func (c *VolumeContext) svmRef(uuid string) *Ref {
	if c.SVMs != nil {
		if r := c.SVMs(uuid); r != nil {
			return r
		}
	}
	return &Ref{UUID: &uuid}
}

// DefaultExportPolicy is the export policy a volume without one reports.
const DefaultExportPolicy = "default"

// Shared values: records point at these instead of allocating; nothing
// writes through a record's pointers (projection replaces, never mutates).
var (
	ptrTrue    = new(true)
	ptrFalse   = new(false)
	ptrZero    = new(int64(0))
	ptrOn      = new("on")
	ptrOff     = new("off")
	stateNames = map[backend.VolumeState]*string{}
	styleNames = map[backend.VolumeStyle]*string{}
	typeNames  = map[backend.VolumeType]*string{}
)

func init() {
	for _, s := range []backend.VolumeState{backend.StateOnline, backend.StateOffline, backend.StateRestricted} {
		stateNames[s] = new(string(s))
	}
	styleNames[backend.StyleFlexVol] = new(string(backend.StyleFlexVol))
	for _, t := range []backend.VolumeType{backend.TypeRW, backend.TypeDP} {
		typeNames[t] = new(string(t))
	}
}

func interned[K ~string](m map[K]*string, k K) *string {
	if p := m[k]; p != nil {
		return p
	}
	return new(string(k))
}

// extraAt returns the value at a dotted path of tree, or nil.
func extraAt(tree Extra, path string) any {
	var v any = tree
	for seg := range strings.SplitSeq(path, ".") {
		m, _ := v.(Extra)
		if m == nil {
			return nil
		}
		v = m[seg]
	}
	return v
}

// The volume fields VolumeRecord builds on demand, resolved once.
var (
	vfAggregates = SchemaOf[Volume]().FieldID("aggregates")
	vfClone      = SchemaOf[Volume]().FieldID("clone")
	vfComment    = SchemaOf[Volume]().FieldID("comment")
	vfCreateTime = SchemaOf[Volume]().FieldID("create_time")
	vfEncryption = SchemaOf[Volume]().FieldID("encryption")
	vfNas        = SchemaOf[Volume]().FieldID("nas")
	vfQuota      = SchemaOf[Volume]().FieldID("quota")
	vfSize       = SchemaOf[Volume]().FieldID("size")
	vfSpace      = SchemaOf[Volume]().FieldID("space")
	vfState      = SchemaOf[Volume]().FieldID("state")
	vfStyle      = SchemaOf[Volume]().FieldID("style")
	vfSvm        = SchemaOf[Volume]().FieldID("svm")
	vfType       = SchemaOf[Volume]().FieldID("type")
)

// VolumeRecord renders a backend volume and its attributes (nil means
// ONTAP's defaults) as an ONTAP record. With a nil q every field is
// rendered (the query engine trims it later); otherwise only the
// top-level fields q needs are built, which keeps large lists cheap.
// When q returns the default or common fields and reads no other, the
// record holds exactly what projecting it would leave (see PageBuilt).
func VolumeRecord(v *backend.Volume, c *VolumeContext, attrs *Attributes, q *Query) Volume {
	if attrs == nil {
		attrs = volumeDefaults
	}
	svm := c.SVM
	if attrs.SVM != "" {
		svm = c.svmRef(attrs.SVM)
	}
	// The record's values live in two allocations (the keys and links; the
	// rest when any other field is asked for): a listing renders one record
	// per volume, and two objects instead of twenty are less work for the
	// allocator and the collector.
	// The UUID is the tail of the self link's text: one string for both.
	var path [len(VolumesPath) + 1 + 36]byte
	href := string(backend.AppendUUID(append(path[:0], VolumesPath+"/"...), v.ID))
	k := &volumeKeys{id: href[len(VolumesPath)+1:], name: v.Name}
	k.self.Href = href
	k.links.Self = &k.self
	w := Volume{UUID: &k.id, Name: &k.name, Links: &k.links}
	var arena *volumeArena
	more := func() *volumeArena {
		if arena == nil {
			arena = new(volumeArena)
		}
		return arena
	}
	// lean: the query returns the common fields and reads no other, so
	// the expensive ones (which projecting would remove, copying the
	// objects holding them) are not built.
	lean := q.commonOnly()
	if q.CommonExtra() {
		w.Extra = attrs.common
	} else if q.NeedsExtra() {
		w.Extra = attrs.View
	}
	if q.NeedsField(vfComment) && v.Comment != "" {
		a := more()
		a.comment = v.Comment
		w.Comment = &a.comment
	}
	if q.NeedsField(vfCreateTime) && !v.CreateTime.IsZero() {
		a := more()
		a.created = Time{v.CreateTime.Truncate(time.Second)}
		w.CreateTime = &a.created
	}
	if q.NeedsField(vfState) {
		w.State = interned(stateNames, v.State)
	}
	if q.NeedsField(vfStyle) {
		w.Style = interned(styleNames, v.Style)
	}
	if q.NeedsField(vfType) {
		w.Type = interned(typeNames, v.Type)
	}
	if q.NeedsField(vfSvm) {
		w.SVM = svm
	}
	if q.NeedsField(vfAggregates) {
		a := more()
		a.aggr[0] = c.Aggregate
		w.Aggregates = a.aggr[:]
	}
	n, limited := v.Size.Get()
	size := int64(min(n, 1<<63-1))
	if limited && q.NeedsField(vfSize) {
		a := more()
		a.size = size
		w.Size = &a.size
	}
	if q.NeedsField(vfSpace) {
		a := more()
		a.size = size
		a.used = int64(min(v.UsedBytes, 1<<63-1))
		a.logical = VolumeLogicalSpace{Used: &a.used}
		a.snapshot = VolumeSpaceSnapshot{Used: ptrZero}
		a.space = VolumeSpace{Used: &a.used, LogicalSpace: &a.logical, Snapshot: &a.snapshot}
		w.Space = &a.space
		if limited {
			reserve, _ := extraAt(attrs.Stored, "space.snapshot.reserve_percent").(int64)
			a.afs = a.size - a.size/100*reserve - a.size%100*reserve/100
			a.avail = max(a.afs-a.used, 0)
			w.Space.Size = &a.size
			w.Space.AFSTotal = &a.afs
			w.Space.Available = &a.avail
			w.Space.LogicalSpace.Available = &a.avail
		}
	}
	if q.NeedsField(vfNas) {
		a := more()
		w.NAS = &a.nas
		if v.JunctionPath != "" && !lean {
			a.junction = v.JunctionPath
			w.NAS.Path = &a.junction
		}
		if a.policy = cmp.Or(v.ExportPolicy, c.EmptyExportPolicy); a.policy != "" {
			a.exportPolicy.Name = &a.policy
			w.NAS.ExportPolicy = &a.exportPolicy
		}
	}
	if q.NeedsField(vfQuota) {
		a := more()
		a.quota.State = ptrOff
		if on, _ := extraAt(attrs.Stored, "quota.enabled").(bool); on {
			a.quota.State = ptrOn
		}
		w.Quota = &a.quota
	}
	if q.NeedsField(vfEncryption) {
		a := more()
		a.encryption = VolumeEncryption{State: ptrUnencrypted, Type: ptrEncNone}
		if on, _ := extraAt(attrs.Stored, "encryption.enabled").(bool); on {
			a.encryption = VolumeEncryption{State: ptrEncrypted, Type: ptrEncVolume}
		}
		w.Encryption = &a.encryption
	}
	if q.NeedsField(vfClone) {
		switch c := v.Clone; {
		case c == nil && lean:
			w.Clone = cloneNoneCommon
		case c == nil:
			w.Clone = cloneNone
		case lean:
			w.Clone = cloneCommon
		default:
			pv, ps := c.ParentVolumeID.String(), c.ParentSnapshotID.String()
			w.Clone = &VolumeClone{IsFlexclone: ptrTrue, SplitInitiated: ptrFalse}
			w.Clone.ParentVolume = &Ref{Name: new(c.ParentVolume), UUID: &pv, Links: SelfLink(VolumePath(pv))}
			w.Clone.ParentSnapshot = &Ref{Name: new(c.ParentSnapshot), UUID: &ps, Links: SelfLink(SnapshotPath(pv, ps))}
			w.Clone.ParentSVM = &Ref{Name: svm.Name, UUID: svm.UUID}
			w.Clone.SplitCompletePercent = ptrZero
		}
	}
	return w
}

// volumeKeys holds the values of a rendered Volume's keys and links.
type volumeKeys struct {
	id, name string
	self     Href
	links    Links
}

// volumeArena holds the values of a rendered Volume's other fields.
type volumeArena struct {
	comment, junction, policy string
	size, used, afs, avail    int64
	created                   Time
	aggr                      [1]Ref
	space                     VolumeSpace
	logical                   VolumeLogicalSpace
	snapshot                  VolumeSpaceSnapshot
	nas                       VolumeNAS
	exportPolicy              ExportPolicyRef
	quota                     VolumeQuota
	encryption                VolumeEncryption
}

// The clone blocks of records that are not clones, and of clones when
// only the common fields are asked for (is_flexclone is the only common
// one), shared by every record.
var (
	cloneNone       = &VolumeClone{IsFlexclone: ptrFalse, SplitInitiated: ptrFalse}
	cloneNoneCommon = &VolumeClone{IsFlexclone: ptrFalse}
	cloneCommon     = &VolumeClone{IsFlexclone: ptrTrue}
)

// The encryption values every record shares (records are read-only once
// rendered).
var (
	ptrUnencrypted = new("unencrypted")
	ptrEncNone     = new("none")
	ptrEncrypted   = new("encrypted")
	ptrEncVolume   = new("volume")
)

// ---- request rules ----

// MinVolumeSize is ONTAP's smallest FlexVol (20 MB).
const MinVolumeSize = 20 << 20

// DefaultVolumeSize is ONTAP's size for a volume created without one.
const DefaultVolumeSize = 20 << 20

// MaxVolumeNameLen is ONTAP's volume-name limit for FlexVols.
const MaxVolumeNameLen = 203

// VolumeRules are ONTAP's request rules for volumes, as the server applies
// them: pure checks of a decoded body against the cluster's identity.
type VolumeRules struct {
	// SVMName/SVMUUID and AggregateName/AggregateUUID are the cluster's
	// one SVM and aggregate.
	SVMName, SVMUUID             string
	AggregateName, AggregateUUID string
	// RelaxedNames applies only the backend's name rules, not ONTAP's.
	RelaxedNames bool
	// ContractMode allows any size (0, and unlimited through "size": null).
	ContractMode bool
	// OtherSVM, if set, reports whether an SVM other than the cluster's
	// exists with that name and/or uuid (both must match when both are
	// given; "" matches any): volumes may live there too.
	OtherSVM func(name, uuid string) bool
}

// CheckVolumeName enforces ONTAP's volume-name rules: at most 203
// characters; letters, digits and '_'; first a letter or '_'. target names
// the field in the error ("name").
func CheckVolumeName(target, name string) *Error {
	switch {
	case name == "":
		return Errorf(http.StatusBadRequest, CodeInvalidValue, target, "%q is a required field", target)
	case len(name) > MaxVolumeNameLen:
		return Errorf(http.StatusBadRequest, CodeVolumeNameTooLong, target, "Volume name is too long: it must be %d characters or less.", MaxVolumeNameLen)
	case !isLetter(name[0]) && name[0] != '_':
		return Errorf(http.StatusBadRequest, CodeVolumeNameFirstChar, target, "Invalid volume name %q: the first character must be a letter or underscore.", text.Truncate(name, 64))
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isLetter(c) && !(c >= '0' && c <= '9') && c != '_' {
			return Errorf(http.StatusBadRequest, CodeVolumeNameChar, target, "Invalid character %q in volume name %q: only letters, digits and underscore are allowed.", string(rune(c)), text.Truncate(name, 64))
		}
	}
	return nil
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func (r *VolumeRules) name(target, name string) error {
	if r.RelaxedNames {
		if err := backend.ValidateName(name); err != nil {
			return Errorf(http.StatusBadRequest, CodeVolumeNameChar, target, "Invalid volume name: %v.", cause(err))
		}
		return nil
	}
	if e := CheckVolumeName(target, name); e != nil {
		return e
	}
	return nil
}

// cause returns the detail of a backend validation error (its Err), for
// messages.
func cause(err error) string {
	var be *backend.Error
	if ok := asBackendError(err, &be); ok && be.Err != nil {
		return be.Err.Error()
	}
	return err.Error()
}

// CheckSVM verifies that a body's svm names the cluster's SVM, or one
// OtherSVM knows (the caller checks that it is the right one). required
// makes an absent svm an error (2621707), as on volume create.
func (r *VolumeRules) CheckSVM(ref *Ref, prefix string, required bool) error {
	if ref == nil || ref.Name == nil && ref.UUID == nil {
		if required {
			return Errorf(http.StatusBadRequest, CodeSVMRequired, prefix+".name",
				`No SVM was specified. Either %q or %q must be supplied.`, prefix+".name", prefix+".uuid")
		}
		return nil
	}
	if r.OtherSVM != nil && r.OtherSVM(deref(ref.Name), deref(ref.UUID)) {
		return nil
	}
	if ref.Name != nil && *ref.Name != r.SVMName {
		return Errorf(http.StatusNotFound, CodeSVMNotFound, prefix+".name", "The target SVM %q does not exist.", text.Truncate(*ref.Name, 64))
	}
	if ref.UUID != nil && !strings.EqualFold(*ref.UUID, r.SVMUUID) {
		return Errorf(http.StatusNotFound, CodeSVMNotFound, prefix+".uuid", "The target SVM %q does not exist.", text.Truncate(*ref.UUID, 64))
	}
	return nil
}

// required is the error for a missing required field.
func required(field string) error {
	return Errorf(http.StatusBadRequest, CodeInvalidValue, field, "%q is a required field", field)
}

func checkVolumeState(state *string) error {
	if state == nil {
		return nil
	}
	if !backend.VolumeState(*state).Valid() {
		return Errorf(http.StatusBadRequest, CodeVolumeStateInvalid, "state",
			"%q is an invalid value for field \"state\" (valid: online, offline, restricted).", text.Truncate(*state, 32))
	}
	return nil
}

func checkJunctionPath(nas *VolumeNAS) error {
	if nas == nil || nas.Path == nil {
		return nil
	}
	if err := backend.ValidateJunctionPath(*nas.Path); err != nil {
		return Errorf(http.StatusBadRequest, CodeNASPathInvalid, "nas.path", "\"nas.path\" is invalid: %v.", cause(err))
	}
	return nil
}

// size returns the requested size: size, or space.size (they must agree
// when both are given).
func (r *VolumeRules) size(w *Volume) (*int64, error) {
	sz := w.Size
	if w.Space != nil && w.Space.Size != nil {
		if sz != nil && *sz != *w.Space.Size {
			return nil, Errorf(http.StatusBadRequest, CodeInvalidValue, "space.size", "\"size\" and \"space.size\" disagree.")
		}
		sz = w.Space.Size
	}
	if sz == nil {
		return nil, nil
	}
	field := "size"
	if w.Size == nil {
		field = "space.size"
	}
	if *sz < 0 {
		return nil, ErrInvalidValue(field, strconv.FormatInt(*sz, 10), "<non-negative integer>")
	}
	if *sz < MinVolumeSize && !r.ContractMode {
		return nil, Errorf(http.StatusBadRequest, CodeVolumeSizeTooSmall, field,
			"Size %d bytes is too small. Minimum size is \"20MB\" (%d bytes).", *sz, MinVolumeSize)
	}
	return sz, nil
}

// checkVolumeExtra applies the value rules ONTAP has for stored volume
// fields beyond their type and enum.
func checkVolumeExtra(extra Extra) error {
	if p, ok := extraAt(extra, "space.snapshot.reserve_percent").(int64); ok && (p < 0 || p > 90) {
		return ErrInvalidValue("space.snapshot.reserve_percent", strconv.FormatInt(p, 10), "<integer 0-90>")
	}
	return nil
}

func checkVolumeType(t *string, field string) error {
	if t == nil {
		return nil
	}
	switch strings.ToLower(*t) {
	case "rw":
		return nil
	case "dp", "ls":
		return Errorf(http.StatusBadRequest, CodeNotSupported, field, "Volumes of type %q are not supported; only rw.", text.Truncate(*t, 16))
	}
	return ErrInvalidValue(field, *t, "rw|dp|ls")
}

func (r *VolumeRules) checkAggregates(aggrs []Ref) error {
	for i, a := range aggrs {
		if a.Name == nil && a.UUID == nil {
			return required("aggregates.name")
		}
		if a.Name != nil && *a.Name != r.AggregateName || a.UUID != nil && !strings.EqualFold(*a.UUID, r.AggregateUUID) {
			return Errorf(http.StatusNotFound, CodeAggregateNotFound, "aggregates.name",
				"The target aggregate (aggregates[%d]) could not be found.", i)
		}
	}
	return nil
}

// IsCloneRequest reports whether a create body asks for a FlexClone.
func IsCloneRequest(w *Volume) bool {
	return w.Clone != nil && (w.Clone.IsFlexclone != nil || w.Clone.ParentVolume != nil || w.Clone.ParentSnapshot != nil)
}

// VolumeCreate is a validated volume create: the backend spec, with the
// state and the attributes (what the body set beyond ONTAP's defaults) in
// it, so the create is one backend call.
type VolumeCreate struct {
	Spec backend.VolumeSpec
	// ValidateOnly is ONTAP's validate_only: check, do nothing.
	ValidateOnly bool
}

// takeValidateOnly removes validate_only from the body's fields (it asks
// for a check, it is not a setting to store) and reports its value.
func takeValidateOnly(w *Volume) bool {
	v, ok := w.Extra["validate_only"].(bool)
	if _, present := w.Extra["validate_only"]; present {
		rest := make(Extra, len(w.Extra))
		for k, x := range w.Extra {
			if k != "validate_only" {
				rest[k] = x
			}
		}
		w.Extra = rest
	}
	return ok && v
}

// Create validates a (non-clone) create body, decoded with Op
// schema.Post, and returns what to create.
func (r *VolumeRules) Create(w *Volume) (*VolumeCreate, error) {
	validateOnly := takeValidateOnly(w)
	if err := r.CheckSVM(w.SVM, "svm", true); err != nil {
		return nil, err
	}
	if w.Name == nil {
		return nil, required("name")
	}
	if err := r.name("name", *w.Name); err != nil {
		return nil, err
	}
	if len(w.Aggregates) == 0 && w.Style == nil {
		return nil, Errorf(http.StatusBadRequest, CodeAggregateRequired, "aggregates",
			`One of "aggregates.uuid", "aggregates.name", or "style" must be provided.`)
	}
	if err := r.checkAggregates(w.Aggregates); err != nil {
		return nil, err
	}
	if w.Style != nil && *w.Style != string(backend.StyleFlexVol) {
		return nil, Errorf(http.StatusBadRequest, CodeNotSupported, "style", "Volume style %q is not supported; only flexvol.", text.Truncate(*w.Style, 32))
	}
	if err := checkVolumeType(w.Type, "type"); err != nil {
		return nil, err
	}
	if err := checkVolumeState(w.State); err != nil {
		return nil, err
	}
	size, err := r.size(w)
	if err != nil {
		return nil, err
	}
	if size == nil && !r.ContractMode {
		size = new(int64(DefaultVolumeSize))
	}
	if err := checkJunctionPath(w.NAS); err != nil {
		return nil, err
	}
	if err := checkVolumeExtra(w.Extra); err != nil {
		return nil, err
	}
	c := &VolumeCreate{Spec: backend.VolumeSpec{Name: *w.Name, Attributes: EncodeAttributes(w.Extra)}, ValidateOnly: validateOnly}
	if size != nil {
		c.Spec.Size = backend.Bytes(uint64(*size))
	}
	c.Spec.Comment, c.Spec.JunctionPath, c.Spec.ExportPolicy, c.Spec.State = w.specFields()
	if err := c.Spec.Validate(); err != nil {
		return nil, FromBackend(OpVolumeCreate, err)
	}
	return c, nil
}

// cloneSettable are the fields a FlexClone create may set.
var cloneSettable = []string{"name", "svm", "type", "state", "comment", "clone.is_flexclone", "clone.parent_volume",
	"clone.parent_snapshot", "clone.parent_svm", "nas", "qos", "snapshot_policy", "language", "snapshot_directory_access_enabled"}

// CloneCreate is a validated FlexClone create, before its parent volume
// and snapshot are resolved: Spec lacks the parent IDs, the implicit
// snapshot's name and the attributes, which CloneSpec fills in.
type CloneCreate struct {
	Spec           backend.CloneSpec
	ParentVolume   *Ref
	ParentSnapshot *Ref // nil: snapshot the parent now
	// Attributes is a merge patch over the parent's attributes.
	Attributes Extra
}

// ImplicitCloneSnapshotName is the name ONTAP gives the snapshot a
// FlexClone create takes when it names none: clone_<clone>.<n>, n the
// first free number.
func ImplicitCloneSnapshotName(clone string, n int) string {
	return "clone_" + clone + "." + strconv.Itoa(n)
}

// CloneSpec completes the backend spec once the parent is resolved: the
// clone's attributes are the parent's, patched with the body's; a clone
// without a parent snapshot (zero snap) takes one named newSnap.
func (c *CloneCreate) CloneSpec(parent *backend.Volume, snap backend.SnapshotID, newSnap string) (backend.CloneSpec, error) {
	spec := c.Spec
	spec.ParentVolume, spec.ParentSnapshot = parent.ID, snap
	if snap.IsZero() {
		spec.NewSnapshotName = newSnap
	}
	tree, err := DecodeAttributes(parent.Attributes)
	if err != nil {
		return spec, err
	}
	spec.Attributes = EncodeAttributes(MergeExtra(tree, c.Attributes))
	return spec, nil
}

// specFields reads what a volume create and a clone create take alike
// from the body: comment, junction path, export policy and state ("" when
// not given).
func (w *Volume) specFields() (comment, junction, policy string, state backend.VolumeState) {
	comment, state = deref(w.Comment), backend.VolumeState(deref(w.State))
	if w.NAS != nil {
		junction = deref(w.NAS.Path)
		if w.NAS.ExportPolicy != nil {
			policy = deref(w.NAS.ExportPolicy.Name)
		}
	}
	return comment, junction, policy, state
}

// Clone validates a FlexClone create body (decoded with Op schema.Post).
// The clone's name is checked by CheckCloneName after the parent
// resolves, the order the backend contract gives CreateClone's errors.
func (r *VolumeRules) Clone(w *Volume, paths []string) (*CloneCreate, error) {
	if err := r.CheckSVM(w.SVM, "svm", true); err != nil {
		return nil, err
	}
	for _, p := range paths {
		if !underAny(p, cloneSettable) {
			return nil, Errorf(http.StatusBadRequest, CodeCloneFieldInvalid, p,
				"Specifying a value for %q is not valid for a volume FlexClone creation.", p)
		}
	}
	c := w.Clone
	if c.IsFlexclone == nil || !*c.IsFlexclone {
		return nil, Errorf(http.StatusBadRequest, CodeInvalidValue, "clone.is_flexclone",
			"\"clone.is_flexclone\" must be true to create a FlexClone volume.")
	}
	if c.ParentVolume == nil || c.ParentVolume.Name == nil && c.ParentVolume.UUID == nil {
		return nil, required("clone.parent_volume.name")
	}
	if err := r.CheckSVM(c.ParentSVM, "clone.parent_svm", false); err != nil {
		return nil, err
	}
	if w.Type != nil && !strings.EqualFold(*w.Type, "rw") {
		return nil, Errorf(http.StatusBadRequest, CodeCloneVolumeType, "type", "Invalid \"volume.type\" %q for a clone volume.", text.Truncate(*w.Type, 16))
	}
	if err := checkVolumeState(w.State); err != nil {
		return nil, err
	}
	if err := checkJunctionPath(w.NAS); err != nil {
		return nil, err
	}
	if err := checkVolumeExtra(w.Extra); err != nil {
		return nil, err
	}
	out := &CloneCreate{ParentVolume: c.ParentVolume, Attributes: w.Extra}
	if ps := c.ParentSnapshot; ps != nil && (ps.Name != nil || ps.UUID != nil) {
		out.ParentSnapshot = ps
	}
	if w.Name != nil {
		out.Spec.Name = *w.Name
	}
	out.Spec.Comment, out.Spec.JunctionPath, out.Spec.ExportPolicy, out.Spec.State = w.specFields()
	// The name and parents are checked later, in the contract's order.
	probe := out.Spec
	probe.Name, probe.NewSnapshotName = "x", "x"
	if err := probe.Validate(); err != nil {
		return nil, FromBackend(OpCloneCreate, err)
	}
	return out, nil
}

// CheckCloneName checks a clone's name (required, ONTAP's name rules).
func (r *VolumeRules) CheckCloneName(w *Volume) error {
	if w.Name == nil {
		return required("name")
	}
	return r.name("name", *w.Name)
}

func underAny(p string, allowed []string) bool {
	for _, a := range allowed {
		if p == a || strings.HasPrefix(p, a+".") {
			return true
		}
	}
	return false
}

// VolumeChangeKind says what a volume PATCH does.
type VolumeChangeKind uint8

// The kinds of volume PATCH.
const (
	ChangeModify  VolumeChangeKind = iota + 1 // rename, resize, mount, state, attributes
	ChangeRestore                             // restore to a snapshot
	ChangeSplit                               // start (or stop) a clone split
)

// VolumeChange is a validated volume PATCH.
type VolumeChange struct {
	Kind VolumeChangeKind
	// Modify: the backend patch (its Attributes the merge patch of the
	// body's ONTAP fields).
	Patch backend.VolumePatch
	// Restore: the snapshot to restore (name and/or uuid).
	Restore *Ref
	// Split: true starts a split, false stops one.
	Split bool
	// ValidateOnly is ONTAP's validate_only: check, do nothing.
	ValidateOnly bool
}

// VolumePatchParams are the extra query parameters a volume PATCH takes.
var VolumePatchParams = []string{"restore_to.snapshot.name", "restore_to.snapshot.uuid", "restore_to.snapshot.force", "preserve_lun_ids", "sizing_method", "snapshot_directory_access_enabled"}

// VolumeDeleteParams are the extra query parameters a volume DELETE takes.
var VolumeDeleteParams = []string{"force"}

// CheckParams validates operation-specific query parameters (as
// Query.Extra holds them): booleans must be booleans and enumerations
// members (ONTAP rejects an invalid value; ignoring it would change the
// meaning).
func CheckParams(extra map[string]string) error {
	for k, v := range extra {
		switch k {
		case "force", "restore_to.snapshot.force", "preserve_lun_ids", "snapshot_directory_access_enabled",
			"list_destinations_only", "return_unhealthy_relationships_only":
			switch strings.ToLower(v) {
			case "true", "false":
			default:
				return ErrInvalidValue(k, v, "<boolean>")
			}
		case "sizing_method":
			switch v {
			case "use_existing_resources", "add_new_resources":
			default:
				return ErrInvalidValue(k, v, "use_existing_resources|add_new_resources")
			}
		}
	}
	return nil
}

// Patch validates a volume PATCH: its body (decoded with Op schema.Patch,
// paths and nulls as Decode returned them) and its query parameters.
func (r *VolumeRules) Patch(w *Volume, paths, nulls []string, params map[string]string) (*VolumeChange, error) {
	if err := CheckParams(params); err != nil {
		return nil, err
	}
	if takeValidateOnly(w) {
		paths = slices.DeleteFunc(slices.Clone(paths), func(p string) bool { return p == "validate_only" })
		c, err := r.Patch(w, paths, nulls, params)
		if err == nil {
			c.ValidateOnly = true
		}
		return c, err
	}
	restore := &Ref{}
	if n, ok := params["restore_to.snapshot.name"]; ok {
		restore.Name = &n
	}
	if u, ok := params["restore_to.snapshot.uuid"]; ok {
		restore.UUID = &u
	}
	if w.RestoreTo != nil && w.RestoreTo.Snapshot != nil {
		if w.RestoreTo.Snapshot.Name != nil {
			restore.Name = w.RestoreTo.Snapshot.Name
		}
		if w.RestoreTo.Snapshot.UUID != nil {
			restore.UUID = w.RestoreTo.Snapshot.UUID
		}
	}
	if restore.Name != nil || restore.UUID != nil {
		for _, p := range paths {
			if !strings.HasPrefix(p, "restore_to.") {
				return nil, Errorf(http.StatusBadRequest, CodeRestoreFieldInvalid, p,
					"Specifying a value for %q is not valid for a snapshot restore operation.", p)
			}
		}
		return &VolumeChange{Kind: ChangeRestore, Restore: restore}, nil
	}
	if w.Clone != nil && w.Clone.SplitInitiated != nil {
		for _, p := range paths {
			if p != "clone.split_initiated" {
				return nil, Errorf(http.StatusBadRequest, CodeSplitFieldInvalid, p,
					"Specifying a value for %q is not valid for initiating a volume FlexClone split operation.", p)
			}
		}
		return &VolumeChange{Kind: ChangeSplit, Split: *w.Clone.SplitInitiated}, nil
	}
	if w.Name != nil {
		if err := r.name("name", *w.Name); err != nil {
			return nil, err
		}
	}
	if err := checkVolumeState(w.State); err != nil {
		return nil, err
	}
	if err := r.checkAggregates(w.Aggregates); err != nil {
		return nil, err
	}
	if w.Style != nil && *w.Style != string(backend.StyleFlexVol) {
		return nil, Errorf(http.StatusBadRequest, CodeNotSupported, "style", "Volume style %q is not supported; only flexvol.", text.Truncate(*w.Style, 32))
	}
	size, err := r.size(w)
	if err != nil {
		return nil, err
	}
	if err := checkJunctionPath(w.NAS); err != nil {
		return nil, err
	}
	if err := checkVolumeExtra(w.Extra); err != nil {
		return nil, err
	}
	c := &VolumeChange{Kind: ChangeModify}
	p := &c.Patch
	p.Attributes = EncodeAttributes(w.Extra)
	p.Name, p.Comment = w.Name, w.Comment
	if size != nil {
		p.Size = new(backend.Bytes(uint64(*size)))
	}
	if slices.Contains(nulls, "size") || slices.Contains(nulls, "space.size") {
		if !r.ContractMode {
			return nil, ErrInvalidValue("size", "null", "<integer>")
		}
		p.Size = new(backend.Unlimited)
	}
	if w.State != nil {
		p.State = new(backend.VolumeState(*w.State))
	}
	if w.NAS != nil {
		p.JunctionPath = w.NAS.Path
		if w.NAS.ExportPolicy != nil {
			p.ExportPolicy = w.NAS.ExportPolicy.Name
		}
	}
	if err := p.Validate(); err != nil {
		return nil, FromBackend(OpVolumePatch, err)
	}
	return c, nil
}

func asBackendError(err error, target **backend.Error) bool { return errors.As(err, target) }

// AttributesKey is the member of a backend object's attributes under
// which the ONTAP layer keeps its tree, so other layers can keep their own
// members beside it.
const AttributesKey = "ontap"

// EncodeAttributes renders an attribute tree (or merge patch) as the JSON
// object the backend stores: {"ontap": tree}. An empty tree gives nil (no
// attributes).
func EncodeAttributes(tree Extra) json.RawMessage {
	if len(tree) == 0 {
		return nil
	}
	return appendAny(nil, Extra{AttributesKey: tree})
}

// DecodeAttributes reads the ONTAP tree back from a backend object's
// attributes (nil for none); numbers become int64 when integral, float64
// otherwise, as the body decoder stores them.
func DecodeAttributes(raw json.RawMessage) (Extra, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil {
		return nil, err
	}
	tree, _ := normalizeJSON(top[AttributesKey]).(Extra)
	return tree, nil
}

func normalizeJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeJSON(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = normalizeJSON(e)
		}
		return x
	}
	return v
}

// VolumeAttributes returns the attributes a volume renders with: ONTAP's
// defaults patched with what the backend stored for it.
func VolumeAttributes(raw json.RawMessage) (*Attributes, error) {
	tree, err := DecodeAttributes(raw)
	if err != nil {
		return nil, err
	}
	svm, _ := extraAt(tree, "svm.uuid").(string)
	if _, has := tree["svm"]; has {
		rest := make(Extra, len(tree))
		for k, v := range tree {
			if k != "svm" {
				rest[k] = v
			}
		}
		tree = rest
	}
	a := volumeDefaults.Patch(schema.Volume, tree)
	if svm != "" {
		withSVM := *a
		withSVM.SVM = svm
		a = &withSVM
	}
	return a, nil
}

// VolumeSVMAttributes is the attribute tree that places a volume in the
// SVM with that UUID (merged into its create's attributes).
func VolumeSVMAttributes(uuid string) Extra {
	return Extra{"svm": Extra{"uuid": uuid}}
}

// SnapshotAttributes returns the attributes a snapshot renders with (nil
// when the backend stored none).
func SnapshotAttributes(raw json.RawMessage) (*Attributes, error) {
	tree, err := DecodeAttributes(raw)
	if err != nil || len(tree) == 0 {
		return nil, err
	}
	return NewAttributes(schema.Snapshot, tree), nil
}

// ---- resolution rules ----

// ErrCloneParentNotFound is ONTAP's answer when a clone's parent volume
// does not resolve.
func ErrCloneParentNotFound(ref *Ref) error {
	name := ""
	if ref.Name != nil {
		name = *ref.Name
	} else if ref.UUID != nil {
		name = *ref.UUID
	}
	return Errorf(http.StatusNotFound, CodeCloneParentNotFound, "clone.parent_volume.name", "Parent volume %q not found.", text.Truncate(name, 64))
}

// CheckCloneParent: a parent named by both uuid and name must be one
// volume (got is the name of the volume the reference resolved to).
func CheckCloneParent(ref *Ref, got string) error {
	if ref.Name != nil && ref.UUID != nil && got != *ref.Name {
		return Errorf(http.StatusBadRequest, CodeCloneParentMismatch, "clone.parent_volume",
			"\"clone.parent_volume.uuid\" and \"clone.parent_volume.name\" do not refer to the same volume.")
	}
	return nil
}

// CheckCloneSnapshot is CheckCloneParent for the parent snapshot.
func CheckCloneSnapshot(ref *Ref, got string) error {
	if ref.Name != nil && ref.UUID != nil && got != *ref.Name {
		return Errorf(http.StatusBadRequest, CodeCloneSnapshotMismatch, "clone.parent_snapshot",
			"The specified snapshot UUID is not correct for the specified snapshot name.")
	}
	return nil
}

// CheckRestoreSnapshot is CheckCloneParent for a restore's snapshot.
func CheckRestoreSnapshot(ref *Ref, got string) error {
	if ref.Name != nil && ref.UUID != nil && got != *ref.Name {
		return Errorf(http.StatusBadRequest, CodeInvalidValue, "restore_to.snapshot",
			"The specified snapshot UUID is not correct for the specified snapshot name.")
	}
	return nil
}

// CheckSnapshotVolume: ONTAP snapshots only online volumes (the backend
// contract does not require it; ContractMode follows the contract).
func (r *VolumeRules) CheckSnapshotVolume(v *backend.Volume) error {
	if v.State != backend.StateOnline && !r.ContractMode {
		return Errorf(http.StatusConflict, CodeVolumeNotOnlineForSnapshot, "",
			"Volume %q is not online, so no snapshot can be taken.", v.Name)
	}
	return nil
}
