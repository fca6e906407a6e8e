package ontap

import (
	"net/http"
	"strings"

	"github.com/nessie-go/nessie/internal/text"
	"github.com/nessie-go/nessie/ontap/schema"
)

// Initiator group rules (/protocols/san/igroups and its initiators
// sub-collection). The codes are ONTAP 9.16.1's.
const (
	CodeIgroupNameInvalid      = 5373958 // invalid igroup name
	CodeInitiatorIQNEmpty      = 5373969 // "iqn." with nothing after it
	CodeInitiatorIQNDate       = 5373971 // the yyyy-mm part is invalid
	CodeInitiatorIQNAuthority  = 5373972 // naming authority: a-z 0-9 . : - only
	CodeInitiatorEUILength     = 5373977 // "eui." needs exactly 16 hex digits
	CodeInitiatorEUIFormat     = 5373978 // non-hex digits after "eui."
	CodeInitiatorWWNLength     = 5373982 // a WWPN of the wrong length
	CodeInitiatorWWNFormat     = 5373983 // a WWPN not in xx:xx:...:xx form
	CodeInitiatorTooLong       = 5373992 // over 223 characters
	CodeInitiatorUnknownFormat = 5373993 // neither IQN, EUI nor WWPN
	CodeIgroupDuplicate        = 5374023 // an igroup with the name exists in the SVM
	CodeInitiatorsRequired     = 5374033 // an initiators POST without any
	CodeInitiatorNotMember     = 5374034 // the initiator is not in the igroup
	CodeInitiatorAlreadyMember = 5374035 // the initiator is already in the igroup
	CodeInitiatorNotFCP        = 5374038 // an iSCSI name in an fcp igroup
	CodeInitiatorNotISCSI      = 5374039 // a WWPN in an iscsi igroup
	CodeIgroupNotFound         = 5374852 // the igroup does not exist
	CodeIgroupMappedDelete     = 1254213 // mapped: allow_delete_while_mapped is needed
)

// MaxIgroupNameLen is ONTAP's igroup name limit (Trident truncates to it).
const MaxIgroupNameLen = 96

// maxInitiatorLen is the longest initiator name (an iSCSI name's limit).
const maxInitiatorLen = 223

// Igroup protocols; DefaultIgroupProtocol is ONTAP's create default.
const (
	IgroupISCSI           = "iscsi"
	IgroupFCP             = "fcp"
	IgroupMixed           = "mixed"
	DefaultIgroupProtocol = IgroupMixed
)

// CheckIgroupName enforces the igroup name rules: 1 to 96 printable
// characters without spaces.
func CheckIgroupName(target, name string) error {
	if name == "" {
		return ErrRequired(target)
	}
	if len(name) > MaxIgroupNameLen {
		return Errorf(http.StatusBadRequest, CodeIgroupNameInvalid, target, "An invalid initiator group name was supplied: at most %d characters.", MaxIgroupNameLen)
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c >= 0x7f {
			return Errorf(http.StatusBadRequest, CodeIgroupNameInvalid, target, "An invalid initiator group name %q was supplied.", text.Truncate(name, 64))
		}
	}
	return nil
}

// IgroupCreate is what an igroup create body says; nil means absent.
type IgroupCreate struct {
	Name       *string
	OSType     *string
	Protocol   *string
	Initiators []string
}

// CheckIgroupCreate applies ONTAP's create rules and returns the protocol
// (mixed when absent) and the initiators in canonical form.
func CheckIgroupCreate(in *IgroupCreate) (protocol string, initiators []string, err error) {
	if in.Name == nil {
		return "", nil, ErrRequired("name")
	}
	if err := CheckIgroupName("name", *in.Name); err != nil {
		return "", nil, err
	}
	if in.OSType == nil {
		return "", nil, ErrRequired("os_type")
	}
	protocol = DefaultIgroupProtocol
	if in.Protocol != nil {
		protocol = strings.ToLower(*in.Protocol)
	}
	initiators, err = AddInitiators(protocol, nil, in.Initiators)
	return protocol, initiators, err
}

// CanonicalInitiator checks an initiator name (an iSCSI IQN or EUI, or an
// FC WWPN) and returns it in ONTAP's canonical lower-case form with its
// protocol (iscsi or fcp).
func CanonicalInitiator(name string) (canonical, protocol string, err error) {
	const target = "name"
	if len(name) > maxInitiatorLen {
		return "", "", Errorf(http.StatusBadRequest, CodeInitiatorTooLong, target, "A supplied initiator name was too long to be valid: at most %d characters.", maxInitiatorLen)
	}
	n := strings.ToLower(name)
	switch {
	case strings.HasPrefix(n, "iqn."):
		rest := n[len("iqn."):]
		if rest == "" {
			return "", "", Errorf(http.StatusBadRequest, CodeInitiatorIQNEmpty, target, "A non-empty qualifier is required after the prefix of %q. An example of a valid IQN is iqn.1995-08.com.example:string.", text.Truncate(name, 64))
		}
		if !validIQNDate(rest) {
			return "", "", Errorf(http.StatusBadRequest, CodeInitiatorIQNDate, target, "The date field of %q is invalid. A valid date field is yyyy-mm.", text.Truncate(name, 64))
		}
		auth := rest[len("yyyy-mm"):]
		if len(auth) < 2 || auth[0] != '.' {
			return "", "", Errorf(http.StatusBadRequest, CodeInitiatorIQNAuthority, target, "The naming authority of %q is missing.", text.Truncate(name, 64))
		}
		for i := 1; i < len(auth); i++ {
			c := auth[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == ':' || c == '-') {
				return "", "", Errorf(http.StatusBadRequest, CodeInitiatorIQNAuthority, target, "The naming authority and string fields of %q can contain only the characters a-z, 0-9, '.', ':', and '-'.", text.Truncate(name, 64))
			}
		}
		return n, IgroupISCSI, nil
	case strings.HasPrefix(n, "eui."):
		hex := n[len("eui."):]
		if len(hex) != 16 {
			return "", "", Errorf(http.StatusBadRequest, CodeInitiatorEUILength, target, "The EUI-64 identifier field of %q must be exactly 16 hexadecimal digits.", text.Truncate(name, 64))
		}
		if !isHex(hex) {
			return "", "", Errorf(http.StatusBadRequest, CodeInitiatorEUIFormat, target, "The EUI formatted initiator name %q is invalid. A valid EUI format is eui.XXXXXXXXXXXXXXXX, where X is a hexadecimal digit.", text.Truncate(name, 64))
		}
		return n, IgroupISCSI, nil
	case strings.Contains(n, ":"):
		if len(n) != 23 {
			return "", "", Errorf(http.StatusBadRequest, CodeInitiatorWWNLength, target, "An invalid WWN %q was specified. The length is incorrect.", text.Truncate(name, 64))
		}
		for i := 0; i < len(n); i++ {
			if i%3 == 2 && n[i] != ':' || i%3 != 2 && !isHex(n[i:i+1]) {
				return "", "", Errorf(http.StatusBadRequest, CodeInitiatorWWNFormat, target, "An invalid WWN %q was specified. The format is incorrect.", text.Truncate(name, 64))
			}
		}
		return n, IgroupFCP, nil
	}
	return "", "", Errorf(http.StatusBadRequest, CodeInitiatorUnknownFormat, target,
		"The initiator name %q did not match any valid format (iqn.yyyy-mm.naming-authority:string, eui.XXXXXXXXXXXXXXXX or a WWPN xx:xx:xx:xx:xx:xx:xx:xx).", text.Truncate(name, 64))
}

func validIQNDate(s string) bool {
	if len(s) < 7 || s[4] != '-' || !allDigits(s[:4]) || !allDigits(s[5:7]) {
		return false
	}
	month := int(s[5]-'0')*10 + int(s[6]-'0')
	return month >= 1 && month <= 12
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// AddInitiators returns existing plus add for an igroup of protocol:
// every name valid and of a protocol the igroup serves, none already a
// member (5374035). The result is canonical (lower case).
func AddInitiators(protocol string, existing, add []string) ([]string, error) {
	out := append([]string(nil), existing...)
	for _, name := range add {
		c, p, err := CanonicalInitiator(name)
		if err != nil {
			return nil, err
		}
		switch {
		case protocol == IgroupISCSI && p != IgroupISCSI:
			return nil, Errorf(http.StatusBadRequest, CodeInitiatorNotISCSI, "name", "An invalid iSCSI initiator name %q was supplied: the initiator group's protocol is iscsi.", text.Truncate(name, 64))
		case protocol == IgroupFCP && p != IgroupFCP:
			return nil, Errorf(http.StatusBadRequest, CodeInitiatorNotFCP, "name", "An invalid Fibre Channel WWPN %q was supplied: the initiator group's protocol is fcp.", text.Truncate(name, 64))
		}
		for _, x := range out {
			if x == c {
				return nil, Errorf(http.StatusConflict, CodeInitiatorAlreadyMember, "name", "The initiator %q is already in the initiator group.", text.Truncate(name, 64))
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// RemoveInitiator returns existing without name. Removing from a mapped
// igroup needs allow_delete_while_mapped, as on ONTAP.
func RemoveInitiator(existing []string, name string, mapped, allowWhileMapped bool) ([]string, error) {
	n := strings.ToLower(name)
	for i, x := range existing {
		if x == n {
			if mapped && !allowWhileMapped {
				return nil, errIgroupMapped()
			}
			out := append([]string(nil), existing[:i]...)
			return append(out, existing[i+1:]...), nil
		}
	}
	return nil, Errorf(http.StatusNotFound, CodeInitiatorNotMember, "name", "The initiator %q is not a member of the initiator group.", text.Truncate(name, 64))
}

// CheckIgroupDelete refuses to delete a mapped igroup unless the request
// said allow_delete_while_mapped=true.
func CheckIgroupDelete(mapped, allowWhileMapped bool) error {
	if mapped && !allowWhileMapped {
		return errIgroupMapped()
	}
	return nil
}

func errIgroupMapped() error {
	return Errorf(http.StatusConflict, CodeIgroupMappedDelete, "allow_delete_while_mapped",
		"The initiator group is mapped to one or more LUNs and \"allow_delete_while_mapped\" has not been specified.")
}

// ErrIgroupDuplicate is 409 5374023 for an igroup name taken in the SVM.
func ErrIgroupDuplicate(name string) *Error {
	return Errorf(http.StatusConflict, CodeIgroupDuplicate, "name", "An initiator group with the name %q already exists.", text.Truncate(name, 96))
}

// ErrIgroupNotFound is 404 5374852.
func ErrIgroupNotFound(target string) *Error {
	return Errorf(http.StatusNotFound, CodeIgroupNotFound, target, "The initiator group does not exist.")
}

// IgroupKind is /api/protocols/san/igroups: names unique per SVM, its
// initiators held in the record (and served as the sub-collection
// /igroups/{igroup.uuid}/initiators); a read shows its maps.
var IgroupKind = &Kind{
	Object:       schema.Igroup,
	Label:        "initiator group",
	Path:         "/api/protocols/san/igroups",
	Key:          "uuid",
	Always:       []string{"name"},
	Parents:      []Parent{{Field: "svm", Kind: "svm", NoDefault: true, ClusterSVM: true}},
	DeleteParams: []string{"allow_delete_while_mapped"},
	Conflicts:    SameName(ErrIgroupDuplicate),
	Defaults: func(rec Extra) Extra {
		protocol := DefaultIgroupProtocol
		if p, ok := rec["protocol"].(string); ok {
			protocol = strings.ToLower(p)
		}
		rec = With(rec, "protocol", protocol)
		if rec["delete_on_unmap"] == nil {
			rec = With(rec, "delete_on_unmap", false)
		}
		as, _ := rec["initiators"].([]any)
		inits := make([]any, 0, len(as))
		for _, a := range as {
			m, _ := a.(Extra)
			inits = append(inits, With(m, "name", strings.ToLower(LookupString(m, "name")))) // canonical
		}
		return With(rec, "initiators", inits)
	},
	Create: func(rec Extra) error {
		if err := igroupUnsupported(rec); err != nil {
			return err
		}
		_, _, err := CheckIgroupCreate(&IgroupCreate{Name: stringAt(rec, "name"), OSType: stringAt(rec, "os_type"),
			Protocol: stringAt(rec, "protocol"), Initiators: InitiatorNames(rec)})
		return err
	},
	Patch: func(old, patch Extra, paths []string) error {
		if err := igroupUnsupported(patch); err != nil {
			return err
		}
		if name := stringAt(patch, "name"); name != nil {
			return CheckIgroupName("name", *name)
		}
		return nil
	},
	NotFound: func(View, Extra) *Error { return ErrIgroupNotFound("uuid") },
	Render:   renderIgroup,
}

func igroupUnsupported(rec Extra) error {
	if rec["igroups"] != nil || rec["portset"] != nil || rec["replication"] != nil {
		return Errorf(http.StatusBadRequest, CodeNotSupported, "igroups", "Nested initiator groups, portsets and replication are not supported.")
	}
	return nil
}

// renderIgroup shows an igroup's maps and its initiators' links.
func renderIgroup(v View, rec Extra) Extra {
	id := LookupString(rec, "uuid")
	if as, _ := rec["initiators"].([]any); len(as) > 0 {
		inits := make([]any, len(as))
		for i, a := range as {
			m, _ := a.(Extra)
			inits[i] = With(m, "_links", linkTo(schema.Igroup.Path+"/"+id+"/initiators/"+LookupString(m, "name")))
		}
		rec = With(rec, "initiators", inits)
	}
	var maps []any
	for _, m := range sortedBy(v.Find(schema.LUNMap.Name, func(m Extra) bool { return LookupString(m, "igroup.uuid") == id }), "lun.uuid") {
		lun := LookupString(m, "lun.uuid")
		l, _ := v.Get(schema.LUN.Name, lun)
		maps = append(maps, Extra{"logical_unit_number": Lookup(m, "logical_unit_number"),
			"lun": Extra{"name": LookupString(l, "name"), "uuid": lun, "_links": linkTo(schema.LUN.Path + "/" + lun)}})
	}
	if len(maps) > 0 {
		rec = With(rec, "lun_maps", maps)
	}
	return rec
}

// InitiatorNames lists an igroup record's initiators.
func InitiatorNames(igroup Extra) []string {
	as, _ := igroup["initiators"].([]any)
	out := make([]string, 0, len(as))
	for _, a := range as {
		m, _ := a.(Extra)
		out = append(out, LookupString(m, "name"))
	}
	return out
}
