package ontap

import (
	"crypto/rand"
	"net/http"
	"strings"

	"github.com/nessie-go/nessie/internal/text"
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
