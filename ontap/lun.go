package ontap

import (
	"crypto/rand"
	"net/http"
	"strings"
	"time"

	"github.com/nessie-go/nessie/internal/text"
	"github.com/nessie-go/nessie/ontap/schema"
)

// LUN rules: a LUN is a file inside a volume (optionally inside a qtree),
// named by its path /vol/<volume>[/<qtree>]/<logical unit>. The codes are
// ONTAP 9.16.1's, from its tables for /storage/luns and its attributes.
const (
	CodeLUNNameChar            = 5374121 // base name: A-Z a-z 0-9 - . _ { } only
	CodeLUNSizeTooSmall        = 5374124 // space.size below the minimum
	CodeLUNSizeTooLarge        = 5374125 // space.size above what the LUN (or its volume) can hold
	CodeLUNNameInvalid         = 5374127 // the name is not a LUN path
	CodeLUNExists              = 5374242 // a LUN already exists at the path
	CodeLUNVolumeMismatch      = 5374858 // name and location.volume disagree
	CodeLUNNoVolume            = 5374859 // no volume given
	CodeLUNQtreeMismatch       = 5374860 // name and location.qtree disagree
	CodeLUNBaseNameMismatch    = 5374861 // name and location.logical_unit disagree
	CodeLUNNoBaseName          = 5374862 // no base name given
	CodeLUNNotFound            = 5374875 // the LUN (or a clone source) does not exist
	CodeLUNCloneField          = 5374883 // a field a clone create may not carry
	CodeLUNRequiredField       = 5374884 // os_type or space.size missing on a non-clone create
	CodeLUNShrink              = 5374892 // space.size may only grow
	CodeLUNAttributeIncomplete = 5374928 // an attribute without name or value
	CodeLUNAttributeTooLarge   = 5374929 // name plus value over 4092 bytes
	CodeLUNAttributeExists     = 5374930 // the attribute already exists
	CodeLUNAttributeNotFound   = 5374931 // no such attribute
	CodeLUNAttributeDuplicate  = 5374932 // one name twice in a create body
	CodeLUNNameTooLong         = 5376462 // the path is too long
	CodeLUNVolumeNotFound      = 917927  // location.volume does not exist
	CodeLUNVolumeUUIDNotFound  = 918235  // location.volume.uuid names no volume
	CodeLUNVolumeRefsDiffer    = 918236  // location.volume.uuid and .name name different volumes
	CodeLUNQtreeNotFound       = 5242927 // location.qtree does not exist in the volume
	CodeLUNCloneOtherVolume    = 1260121 // a clone's source is in another volume
	CodeLUNPathExists          = 1254196 // a rename onto an existing LUN
	CodeLUNMappedDelete        = 1254197 // mapped: allow_delete_while_mapped is needed
	CodeLUNSameSize            = 1254226 // a resize to the current size
)

// LUN size limits. ONTAP's largest LUN is 128 TiB; nessie's smallest is one
// 4 KiB block.
const (
	MinLUNSize = 4096
	MaxLUNSize = 128 << 40
)

// maxLUNPath is the longest LUN path nessie accepts (ONTAP's path limit).
const maxLUNPath = 255

// LUNLocation is where a LUN lives: its volume, qtree ("" for the volume
// root) and base name (location.logical_unit).
type LUNLocation struct {
	Volume, Qtree, LogicalUnit string
}

// Path is the LUN's name: /vol/<volume>[/<qtree>]/<logical unit>.
func (l LUNLocation) Path() string {
	if l.Qtree != "" {
		return "/vol/" + l.Volume + "/" + l.Qtree + "/" + l.LogicalUnit
	}
	return "/vol/" + l.Volume + "/" + l.LogicalUnit
}

// ParseLUNPath splits a LUN name into its location. target names the field
// in errors ("name").
func ParseLUNPath(target, name string) (LUNLocation, error) {
	if len(name) > maxLUNPath {
		return LUNLocation{}, Errorf(http.StatusBadRequest, CodeLUNNameTooLong, target, "The specified LUN name is too long: at most %d characters.", maxLUNPath)
	}
	rest, ok := strings.CutPrefix(name, "/vol/")
	if !ok {
		return LUNLocation{}, Errorf(http.StatusBadRequest, CodeLUNNameInvalid, target,
			"The specified LUN name %q is invalid: it must be /vol/<volume>/<lun> or /vol/<volume>/<qtree>/<lun>.", text.Truncate(name, 64))
	}
	parts := strings.Split(rest, "/")
	var loc LUNLocation
	switch len(parts) {
	case 2:
		loc = LUNLocation{Volume: parts[0], LogicalUnit: parts[1]}
	case 3:
		loc = LUNLocation{Volume: parts[0], Qtree: parts[1], LogicalUnit: parts[2]}
	default:
		return LUNLocation{}, Errorf(http.StatusBadRequest, CodeLUNNameInvalid, target,
			"The specified LUN name %q is invalid: it must be /vol/<volume>/<lun> or /vol/<volume>/<qtree>/<lun>.", text.Truncate(name, 64))
	}
	if loc.Volume == "" || loc.Qtree == "" && len(parts) == 3 {
		return LUNLocation{}, Errorf(http.StatusBadRequest, CodeLUNNameInvalid, target, "The specified LUN name %q is invalid.", text.Truncate(name, 64))
	}
	if err := CheckLUNBaseName(target, loc.LogicalUnit); err != nil {
		return LUNLocation{}, err
	}
	return loc, nil
}

// CheckLUNBaseName enforces ONTAP's characters for a LUN's base name.
func CheckLUNBaseName(target, base string) error {
	if base == "" {
		return Errorf(http.StatusBadRequest, CodeLUNNoBaseName, target, "No LUN path base name was provided for the LUN.")
	}
	for i := 0; i < len(base); i++ {
		c := base[i]
		if !isLetter(c) && !(c >= '0' && c <= '9') && !strings.ContainsRune("-._{}", rune(c)) {
			return Errorf(http.StatusBadRequest, CodeLUNNameChar, target,
				`A LUN name can only contain characters A-Z, a-z, 0-9, "-", ".", "_", "{" and "}" (found %q in %q).`, string(rune(c)), text.Truncate(base, 64))
		}
	}
	return nil
}

// LUNCreate is what a LUN create body says about the LUN's identity and
// shape; nil means absent.
type LUNCreate struct {
	Name        *string
	Volume      *string // location.volume.name
	VolumeUUID  *string // location.volume.uuid (resolved by the caller)
	Qtree       *string // location.qtree.name
	LogicalUnit *string // location.logical_unit
	OSType      *string
	Size        *int64
	Clone       bool // clone.source given
	Attributes  []LUNAttribute
}

// LUNAttribute is one name/value pair stored with a LUN.
type LUNAttribute struct {
	Name, Value string
}

// LUNCreateLocation resolves where a create body puts the LUN, applying
// ONTAP's rules: name or location.* (or both, agreeing), a volume, a base
// name; os_type and space.size required unless cloning and refused when
// cloning; attributes well formed. volumeByUUID names the volume with the
// body's location.volume.uuid ("" when unknown; the caller reports that).
func LUNCreateLocation(in *LUNCreate, volumeByUUID string) (LUNLocation, error) {
	var loc LUNLocation
	if in.Name != nil {
		l, err := ParseLUNPath("name", *in.Name)
		if err != nil {
			return LUNLocation{}, err
		}
		loc = l
	}
	vol := deref(in.Volume)
	if vol == "" {
		vol = volumeByUUID
	}
	if vol != "" {
		if loc.Volume != "" && loc.Volume != vol {
			return LUNLocation{}, Errorf(http.StatusBadRequest, CodeLUNVolumeMismatch, "location.volume",
				"The volume specified by \"name\" is not the same as that specified by \"location.volume\".")
		}
		loc.Volume = vol
	}
	if in.Qtree != nil {
		if in.Name != nil && loc.Qtree != *in.Qtree {
			return LUNLocation{}, Errorf(http.StatusBadRequest, CodeLUNQtreeMismatch, "location.qtree",
				"The qtree specified by \"name\" is not the same as that specified by \"location.qtree\".")
		}
		loc.Qtree = *in.Qtree
	}
	if in.LogicalUnit != nil {
		if in.Name != nil && loc.LogicalUnit != *in.LogicalUnit {
			return LUNLocation{}, Errorf(http.StatusBadRequest, CodeLUNBaseNameMismatch, "location.logical_unit",
				"The LUN base name specified by \"name\" is not the same as that specified by \"location.logical_unit\".")
		}
		if err := CheckLUNBaseName("location.logical_unit", *in.LogicalUnit); err != nil {
			return LUNLocation{}, err
		}
		loc.LogicalUnit = *in.LogicalUnit
	}
	if loc.Volume == "" {
		return LUNLocation{}, Errorf(http.StatusBadRequest, CodeLUNNoVolume, "location.volume.name", "No volume was specified for the LUN.")
	}
	if loc.LogicalUnit == "" {
		return LUNLocation{}, Errorf(http.StatusBadRequest, CodeLUNNoBaseName, "location.logical_unit", "No LUN path base name was provided for the LUN.")
	}
	if len(loc.Path()) > maxLUNPath {
		return LUNLocation{}, Errorf(http.StatusBadRequest, CodeLUNNameTooLong, "name", "The specified LUN name is too long: at most %d characters.", maxLUNPath)
	}
	if in.Clone {
		if in.OSType != nil {
			return LUNLocation{}, errCloneField("os_type")
		}
		if len(in.Attributes) > 0 {
			return LUNLocation{}, errCloneField("attributes")
		}
	} else {
		if in.OSType == nil {
			return LUNLocation{}, Errorf(http.StatusBadRequest, CodeLUNRequiredField, "os_type", "The property \"os_type\" is required when creating a new LUN.")
		}
		if in.Size == nil {
			return LUNLocation{}, Errorf(http.StatusBadRequest, CodeLUNRequiredField, "space.size", "The property \"space.size\" is required when creating a new LUN.")
		}
	}
	if in.Size != nil {
		if err := CheckLUNSize(*in.Size); err != nil {
			return LUNLocation{}, err
		}
	}
	if err := CheckLUNAttributes(in.Attributes); err != nil {
		return LUNLocation{}, err
	}
	return loc, nil
}

func errCloneField(field string) error {
	return Errorf(http.StatusBadRequest, CodeLUNCloneField, field, "The property %q cannot be specified when creating a LUN clone.", field)
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// CheckLUNSize checks a LUN size against ONTAP's limits.
func CheckLUNSize(size int64) error {
	switch {
	case size < MinLUNSize:
		return Errorf(http.StatusBadRequest, CodeLUNSizeTooSmall, "space.size", "The specified size is too small for the LUN: the minimum is %d bytes.", MinLUNSize)
	case size > MaxLUNSize:
		return Errorf(http.StatusBadRequest, CodeLUNSizeTooLarge, "space.size", "The specified size is too large for the LUN: the maximum is %d bytes.", int64(MaxLUNSize))
	}
	return nil
}

// CheckLUNFits refuses a LUN of size (or a growth of an existing LUN by
// size) that exceeds free, the bytes its volume has left for LUNs (its
// available space less what its other LUNs reserve).
func CheckLUNFits(size, free int64, volume string) error {
	if size > free {
		return Errorf(http.StatusBadRequest, CodeLUNSizeTooLarge, "space.size",
			"The specified size is too large for the LUN: volume %q has %d bytes free, %d requested.", text.Truncate(volume, 64), max(free, 0), size)
	}
	return nil
}

// CheckLUNResize applies ONTAP's rules to a space.size change: never to
// the current size, never smaller.
func CheckLUNResize(current, requested int64) error {
	switch {
	case requested == current:
		return Errorf(http.StatusBadRequest, CodeLUNSameSize, "space.size", "Cannot patch a LUN's size to its current size.")
	case requested < current:
		return Errorf(http.StatusBadRequest, CodeLUNShrink, "space.size", "Reducing the size of a LUN is not supported (current %d bytes, requested %d).", current, requested)
	}
	return CheckLUNSize(requested)
}

// Attribute size limits: each of name and value 1..4091 bytes, together at
// most 4092.
const (
	maxLUNAttributePart = 4091
	maxLUNAttributePair = 4092
)

// CheckLUNAttribute checks one attribute's name and value.
func CheckLUNAttribute(a LUNAttribute) error {
	if a.Name == "" || a.Value == "" {
		return Errorf(http.StatusBadRequest, CodeLUNAttributeIncomplete, "attributes", "An incomplete attribute name/value pair was supplied.")
	}
	if len(a.Name) > maxLUNAttributePart || len(a.Value) > maxLUNAttributePart || len(a.Name)+len(a.Value) > maxLUNAttributePair {
		return Errorf(http.StatusBadRequest, CodeLUNAttributeTooLarge, "attributes",
			"The combined sizes of an attribute name and value are too large: at most %d bytes.", maxLUNAttributePair)
	}
	return nil
}

// CheckLUNAttributes checks a create body's attributes: each well formed,
// no name twice.
func CheckLUNAttributes(attrs []LUNAttribute) error {
	seen := make(map[string]bool, len(attrs))
	for _, a := range attrs {
		if err := CheckLUNAttribute(a); err != nil {
			return err
		}
		if seen[a.Name] {
			return Errorf(http.StatusBadRequest, CodeLUNAttributeDuplicate, "attributes", "The attribute name %q was duplicated.", text.Truncate(a.Name, 64))
		}
		seen[a.Name] = true
	}
	return nil
}

// AddLUNAttribute returns attrs with a added, refusing a name already
// there (POST /storage/luns/{uuid}/attributes).
func AddLUNAttribute(attrs []LUNAttribute, a LUNAttribute) ([]LUNAttribute, error) {
	if err := CheckLUNAttribute(a); err != nil {
		return nil, err
	}
	for _, x := range attrs {
		if x.Name == a.Name {
			return nil, Errorf(http.StatusConflict, CodeLUNAttributeExists, "name", "The attribute %q already exists for the LUN.", text.Truncate(a.Name, 64))
		}
	}
	return append(attrs[:len(attrs):len(attrs)], a), nil
}

// SetLUNAttribute returns attrs with name's value replaced
// (PATCH .../attributes/{name}).
func SetLUNAttribute(attrs []LUNAttribute, name, value string) ([]LUNAttribute, error) {
	if err := CheckLUNAttribute(LUNAttribute{Name: name, Value: value}); err != nil {
		return nil, err
	}
	for i, x := range attrs {
		if x.Name == name {
			out := append([]LUNAttribute(nil), attrs...)
			out[i].Value = value
			return out, nil
		}
	}
	return nil, ErrLUNAttributeNotFound(name)
}

// RemoveLUNAttribute returns attrs without name (DELETE .../attributes/{name}).
func RemoveLUNAttribute(attrs []LUNAttribute, name string) ([]LUNAttribute, error) {
	for i, x := range attrs {
		if x.Name == name {
			out := append([]LUNAttribute(nil), attrs[:i]...)
			return append(out, attrs[i+1:]...), nil
		}
	}
	return nil, ErrLUNAttributeNotFound(name)
}

// ErrLUNAttributeNotFound is 404 5374931.
func ErrLUNAttributeNotFound(name string) *Error {
	return Errorf(http.StatusNotFound, CodeLUNAttributeNotFound, "name", "The specified attribute %q was not found.", text.Truncate(name, 64))
}

// ErrLUNNotFound is 404 5374875 for the LUN named by target.
func ErrLUNNotFound(target string) *Error {
	return Errorf(http.StatusNotFound, CodeLUNNotFound, target, "The specified LUN was not found.")
}

// CheckLUNDelete refuses to delete a mapped LUN unless the request said
// allow_delete_while_mapped=true (then the LUN's maps go with it).
func CheckLUNDelete(path string, mapped, allowWhileMapped bool) error {
	if mapped && !allowWhileMapped {
		return Errorf(http.StatusConflict, CodeLUNMappedDelete, "allow_delete_while_mapped",
			"The LUN %q is mapped and cannot be deleted without specifying the \"allow_delete_while_mapped\" query parameter.", text.Truncate(path, 96))
	}
	return nil
}

// lunSerialAlphabet is the characters of generated serial numbers.
const lunSerialAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// LUNSerialLen is the length of a LUN serial number.
const LUNSerialLen = 12

// NewLUNSerial returns a fresh 12-character LUN serial number.
func NewLUNSerial() string {
	var b [LUNSerialLen]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = lunSerialAlphabet[b[i]&63]
	}
	return string(b[:])
}

// LUNKind is /api/storage/luns: a LUN lives in a volume of its SVM, named
// by its path /vol/<volume>[/<qtree>]/<logical unit> (given as name or as
// location.*, re-derived when the volume is renamed); its size counts
// against its volume's free space; a clone (clone.source) copies a LUN of
// the same volume; a rename stays in its volume and qtree; deleting the
// volume deletes it and its maps; a volume snapshot holds it as it was,
// so a FlexClone of the snapshot gets a copy of it as it was then and a
// restore to the snapshot puts it back; a read shows its maps (lun_maps,
// status.mapped).
var LUNKind = &Kind{
	Object: schema.LUN,
	Label:  "LUN",
	Path:   "/api/storage/luns",
	Key:    "uuid",
	Always: []string{"name"},
	Parents: []Parent{{Field: "svm", Kind: "svm", NoDefault: true, ClusterSVM: true},
		{Field: "location.volume", Kind: "volume", Cascade: true, ByPrepare: true}},
	DeleteParams: []string{"allow_delete_while_mapped"},
	Defaults:     lunDefaults,
	Prepare:      prepareLUN,
	Patch: func(old, patch Extra, paths []string) error {
		if size, ok := LookupInt(patch, "space.size"); ok {
			cur, _ := LookupInt(old, "space.size")
			return CheckLUNResize(cur, size)
		}
		return nil
	},
	Complete:    completeLUN,
	Place:       placeLUN,
	NotFound:    func(View, Extra) *Error { return ErrLUNNotFound("uuid") },
	Render:      renderLUN,
	CloneVolume: cloneLUN,
	InSnapshots: true,
}

// lunDefaults fills what a created LUN has and a record may leave out (a
// fixture's, written by hand): its location from its name, class, serial
// number, creation time, state and space settings.
func lunDefaults(rec Extra) Extra {
	if LookupString(rec, "location.logical_unit") == "" {
		if loc, err := ParseLUNPath("name", LookupString(rec, "name")); err == nil {
			rec = With(rec, "location.logical_unit", loc.LogicalUnit)
			if loc.Qtree != "" && Lookup(rec, "location.qtree") == nil {
				rec = With(rec, "location.qtree.name", loc.Qtree)
			}
			if Lookup(rec, "location.volume") == nil {
				rec = With(rec, "location.volume.name", loc.Volume)
			}
		}
	}
	return MergeExtra(Extra{"class": "regular", "enabled": true, "auto_delete": false,
		"serial_number": NewLUNSerial(), "create_time": time.Now().UTC().Format(TimeLayout),
		"status": Extra{"state": "online", "container_state": "online", "read_only": false},
		"space": Extra{"used": int64(0), "guarantee": Extra{"requested": false, "reserved": false},
			"scsi_thin_provisioning_support_enabled": false}}, rec)
}

// prepareLUN resolves a LUN's location and volume: on create from name
// and/or location.* (the volume by UUID or name), filling what ONTAP
// sets; on modify the new path (name, or location.logical_unit), which
// must stay in the volume and qtree.
func prepareLUN(v View, rec, old Extra) (Extra, error) {
	if old != nil {
		return prepareLUNPatch(v, rec, old)
	}
	in := LUNCreate{Name: stringAt(rec, "name"), Volume: stringAt(rec, "location.volume.name"), VolumeUUID: stringAt(rec, "location.volume.uuid"),
		Qtree: stringAt(rec, "location.qtree.name"), LogicalUnit: stringAt(rec, "location.logical_unit"), OSType: stringAt(rec, "os_type"),
		Size: intAt(rec, "space.size"), Clone: Lookup(rec, "clone.source") != nil}
	if as, _ := rec["attributes"].([]any); len(as) > 0 {
		for _, a := range as {
			m, _ := a.(Extra)
			in.Attributes = append(in.Attributes, LUNAttribute{Name: LookupString(m, "name"), Value: LookupString(m, "value")})
		}
	}
	byUUID := ""
	if in.VolumeUUID != nil {
		vol, ok, err := v.Volume(Ref{UUID: in.VolumeUUID})
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, Errorf(http.StatusNotFound, CodeLUNVolumeUUIDNotFound, "location.volume.uuid", "A volume with the specified UUID was not found.")
		}
		byUUID = LookupString(vol.Ref, "name")
		if in.Volume != nil && *in.Volume != byUUID {
			return nil, Errorf(http.StatusBadRequest, CodeLUNVolumeRefsDiffer, "location.volume",
				`The specified "location.volume.uuid" and "location.volume.name" do not refer to the same volume.`)
		}
	}
	loc, err := LUNCreateLocation(&in, byUUID)
	if err != nil {
		return nil, err
	}
	vol, err := lunVolume(v, loc.Volume)
	if err != nil {
		return nil, err
	}
	node := v.Node()
	rec = MergeExtra(rec, Extra{
		"class": "regular", "enabled": true, "auto_delete": false,
		"serial_number": NewLUNSerial(), "create_time": time.Now().UTC().Format(TimeLayout),
		"location": Extra{"logical_unit": loc.LogicalUnit, "volume": vol.Ref, "node": Extra{"name": Lookup(node, "name"), "uuid": Lookup(node, "uuid")}},
		"status":   Extra{"state": "online", "container_state": "online", "read_only": false},
	})
	rec = MergeExtra(Extra{"space": Extra{"used": int64(0), "guarantee": Extra{"requested": false, "reserved": false},
		"scsi_thin_provisioning_support_enabled": false}}, rec)
	for _, f := range []string{"convert", "copy", "provisioning_options", "lun_maps"} {
		rec = With(rec, f, nil)
	}
	rec = With(rec, "location.qtree", nil)
	if loc.Qtree != "" {
		volUUID := LookupString(vol.Ref, "uuid")
		qts := v.Find(schema.Qtree.Name, func(q Extra) bool {
			return LookupString(q, "name") == loc.Qtree && LookupString(q, "volume.uuid") == volUUID
		})
		if len(qts) == 0 {
			return nil, Errorf(http.StatusNotFound, CodeLUNQtreeNotFound, "location.qtree.name", "The specified qtree %q was not found.", text.Truncate(loc.Qtree, 96))
		}
		rec = With(rec, "location.qtree", Extra{"name": loc.Qtree, "id": Lookup(qts[0], "id")})
	}
	return rec, nil
}

// lunVolume finds a LUN's volume by name (917927 when it does not exist).
func lunVolume(v View, name string) (VolumeRoom, error) {
	vol, ok, err := v.Volume(Ref{Name: &name})
	if err != nil {
		return VolumeRoom{}, err
	}
	if !ok {
		return VolumeRoom{}, Errorf(http.StatusNotFound, CodeLUNVolumeNotFound, "location.volume.name", "The specified volume %q was not found.", text.Truncate(name, 96))
	}
	return vol, nil
}

// prepareLUNPatch turns a modify's new path (name, location.logical_unit)
// into its new base name, refusing moves to another volume or qtree.
func prepareLUNPatch(v View, patch, old Extra) (Extra, error) {
	if patch["clone"] != nil || patch["copy"] != nil || patch["movement"] != nil {
		return nil, Errorf(http.StatusBadRequest, CodeNotSupported, "", "LUN clone overwrite, copy and move are not supported.")
	}
	loc, err := ParseLUNPath("name", LookupString(old, "name"))
	if err != nil {
		return nil, err
	}
	newLoc := loc
	if n := stringAt(patch, "name"); n != nil {
		if newLoc, err = ParseLUNPath("name", *n); err != nil {
			return nil, err
		}
	}
	if lu := stringAt(patch, "location.logical_unit"); lu != nil {
		if err := CheckLUNBaseName("location.logical_unit", *lu); err != nil {
			return nil, err
		}
		newLoc.LogicalUnit = *lu
	}
	if n := stringAt(patch, "location.volume.name"); n != nil {
		newLoc.Volume = *n
	}
	if newLoc.Volume != loc.Volume {
		return nil, Errorf(http.StatusBadRequest, CodeNotSupported, "location.volume", "Moving a LUN to another volume is not supported.")
	}
	if newLoc.Qtree != loc.Qtree {
		return nil, Errorf(http.StatusBadRequest, CodeNotSupported, "location.qtree", "Moving a LUN to another qtree is not supported.")
	}
	if _, err := lunVolume(v, loc.Volume); err != nil {
		return nil, err
	}
	patch = With(With(patch, "name", nil), "location", nil)
	if newLoc.LogicalUnit != loc.LogicalUnit {
		patch = With(patch, "location.logical_unit", newLoc.LogicalUnit)
	}
	return patch, nil
}

// completeLUN derives a LUN's name from its location and its reserved
// space from the requested guarantee.
func completeLUN(rec Extra) Extra {
	rec = lunPath(rec)
	if req, ok := Lookup(rec, "space.guarantee.requested").(bool); ok && Lookup(rec, "space.guarantee.reserved") != req {
		rec = With(rec, "space.guarantee.reserved", req)
	}
	return rec
}

// placeLUN applies the rules against the other LUNs: a clone's source (a
// LUN of the same volume, whose os_type, size and attributes it takes),
// one LUN per path, and room in the volume for its size (its available
// space less its other LUNs' sizes).
func placeLUN(v View, rec, old Extra) (Extra, error) {
	svm, id := LookupString(rec, "svm.uuid"), LookupString(rec, "uuid")
	volUUID := LookupString(rec, "location.volume.uuid")
	if src := refAt(rec, "clone.source"); old == nil && src != nil {
		found := v.Find(schema.LUN.Name, func(l Extra) bool {
			return (src.UUID == nil || LookupString(l, "uuid") == *src.UUID) && (src.Name == nil || LookupString(l, "name") == *src.Name) &&
				LookupString(l, "svm.uuid") == svm
		})
		if len(found) == 0 || src.UUID == nil && src.Name == nil {
			return nil, ErrLUNNotFound("clone.source")
		}
		l := found[0]
		if LookupString(l, "location.volume.uuid") != volUUID {
			return nil, Errorf(http.StatusBadRequest, CodeLUNCloneOtherVolume, "clone.source", "Cloning a LUN to a volume different than the source volume is not supported.")
		}
		rec = With(rec, "os_type", Lookup(l, "os_type"))
		if _, ok := LookupInt(rec, "space.size"); !ok {
			rec = With(rec, "space.size", Lookup(l, "space.size"))
		}
		if a := Lookup(l, "attributes"); a != nil {
			rec = With(rec, "attributes", a)
		}
	}
	rec = With(rec, "clone", nil)
	name := LookupString(rec, "name")
	if old == nil || name != LookupString(old, "name") {
		if taken := v.Find(schema.LUN.Name, func(l Extra) bool { return LookupString(l, "name") == name && LookupString(l, "uuid") != id }); len(taken) > 0 {
			if old == nil {
				return nil, Errorf(http.StatusConflict, CodeLUNExists, "name", "A LUN or NVMe namespace already exists at the specified path %q.", text.Truncate(name, 96))
			}
			return nil, Errorf(http.StatusConflict, CodeLUNPathExists, "name", "A LUN already exists at the specified path %q.", text.Truncate(name, 96))
		}
	}
	size, _ := LookupInt(rec, "space.size")
	if cur, _ := LookupInt(old, "space.size"); old != nil && size == cur {
		return rec, nil
	}
	vol, ok, err := v.Volume(Ref{UUID: &volUUID})
	if err != nil || !ok || !vol.Bounded {
		return rec, err
	}
	var used int64
	for _, l := range v.Find(schema.LUN.Name, func(l Extra) bool {
		return LookupString(l, "location.volume.uuid") == volUUID && LookupString(l, "uuid") != id
	}) {
		n, _ := LookupInt(l, "space.size")
		used += n
	}
	return rec, CheckLUNFits(size, vol.Available-used, LookupString(vol.Ref, "name"))
}

// lunPath derives a LUN's name from its location (after its volume's
// rename too).
func lunPath(rec Extra) Extra {
	vol, lu := LookupString(rec, "location.volume.name"), LookupString(rec, "location.logical_unit")
	if vol == "" || lu == "" {
		return rec
	}
	p := LUNLocation{Volume: vol, Qtree: LookupString(rec, "location.qtree.name"), LogicalUnit: lu}.Path()
	if LookupString(rec, "name") == p {
		return rec
	}
	return With(rec, "name", p)
}

// cloneLUN is a FlexClone's copy of a LUN of its parent: the same path
// under the clone's name, size, os_type and attributes; a new serial
// number and creation time; no maps (they belong to the parent's LUN).
func cloneLUN(rec, clone Extra) Extra {
	c := With(rec, "location.volume", clone)
	c = With(c, "serial_number", NewLUNSerial())
	c = With(c, "create_time", time.Now().UTC().Format(TimeLayout))
	c = With(c, "uuid", nil)
	return lunPath(c)
}

// renderLUN shows a LUN's maps (and its node, which a record from a
// fixture may leave out).
func renderLUN(v View, rec Extra) Extra {
	if Lookup(rec, "location.node") == nil {
		node := v.Node()
		rec = With(rec, "location.node", Extra{"name": Lookup(node, "name"), "uuid": Lookup(node, "uuid")})
	}
	id := LookupString(rec, "uuid")
	var maps []any
	for _, m := range sortedBy(v.Find(schema.LUNMap.Name, func(m Extra) bool { return LookupString(m, "lun.uuid") == id }), "igroup.uuid") {
		ig := LookupString(m, "igroup.uuid")
		g, _ := v.Get(schema.Igroup.Name, ig)
		maps = append(maps, Extra{"logical_unit_number": Lookup(m, "logical_unit_number"),
			"igroup": Extra{"name": LookupString(g, "name"), "uuid": ig, "_links": linkTo(schema.Igroup.Path + "/" + ig)}})
	}
	rec = With(rec, "status.mapped", len(maps) > 0)
	if len(maps) > 0 {
		rec = With(rec, "lun_maps", maps)
	}
	return rec
}
