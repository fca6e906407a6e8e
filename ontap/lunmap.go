package ontap

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/nessie-go/nessie/internal/text"
	"github.com/nessie-go/nessie/ontap/schema"
)

// LUN map rules (/protocols/san/lun-maps): a map joins one LUN to one
// igroup of the same SVM under a logical unit number unique in the igroup.
// The codes are ONTAP 9.16.1's, except where noted.
const (
	CodeLUNMapLUNNotFound    = 1254201 // POST: the LUN does not exist
	CodeLUNMapExists         = 1254207 // the LUN is already mapped to the igroup
	CodeLUNMapLUNRequired    = 5374901 // neither lun.uuid nor lun.name
	CodeLUNMapIgroupRequired = 5374902 // neither igroup.uuid nor igroup.name
	CodeLUNMapIgroupNotFound = 5374878 // the igroup does not exist (or is in another SVM)
	CodeLUNMapNotFound       = 5374922 // no map joins the LUN and the igroup
	// CodeLUNNumberInUse: ONTAP documents no code for a logical unit number
	// already used in the igroup; nessie answers 409 with code 1
	// (duplicate entry).
	CodeLUNNumberInUse = CodeDuplicateEntry
)

// MaxLogicalUnitNumber is the largest logical unit number.
const MaxLogicalUnitNumber = 4095

// AssignLogicalUnitNumber returns the number a new map in an igroup gets:
// requested if given (in range and free), else the lowest free one. used
// holds the numbers the igroup's maps already have.
func AssignLogicalUnitNumber(requested *int64, used map[int64]bool, igroup string) (int64, error) {
	if requested != nil {
		n := *requested
		if n < 0 || n > MaxLogicalUnitNumber {
			return 0, Errorf(http.StatusBadRequest, CodeInvalidValue, "logical_unit_number",
				"Field \"logical_unit_number\" must be between 0 and %d (got %d).", MaxLogicalUnitNumber, n)
		}
		if used[n] {
			return 0, Errorf(http.StatusConflict, CodeLUNNumberInUse, "logical_unit_number",
				"The logical unit number %d is already in use in initiator group %q.", n, text.Truncate(igroup, 96))
		}
		return n, nil
	}
	for n := int64(0); n <= MaxLogicalUnitNumber; n++ {
		if !used[n] {
			return n, nil
		}
	}
	return 0, Errorf(http.StatusConflict, CodeLUNNumberInUse, "logical_unit_number",
		"Initiator group %q has no free logical unit number (0 to %d are in use).", text.Truncate(igroup, 96), MaxLogicalUnitNumber)
}

// CheckLUNMapRefs checks that a map create names a LUN and an igroup.
func CheckLUNMapRefs(lun, igroup *Ref) error {
	if lun == nil || lun.Name == nil && lun.UUID == nil {
		return Errorf(http.StatusBadRequest, CodeLUNMapLUNRequired, "lun", "Either \"lun.uuid\" or \"lun.name\" must be provided to create a LUN map.")
	}
	if igroup == nil || igroup.Name == nil && igroup.UUID == nil {
		return Errorf(http.StatusBadRequest, CodeLUNMapIgroupRequired, "igroup", "Either \"igroup.uuid\" or \"igroup.name\" must be provided to create a LUN map.")
	}
	return nil
}

// ErrLUNMapExists is 409 1254207.
func ErrLUNMapExists(lun, igroup string) *Error {
	return Errorf(http.StatusConflict, CodeLUNMapExists, "igroup",
		"The LUN %q is already mapped to initiator group %q.", text.Truncate(lun, 96), text.Truncate(igroup, 96))
}

// ErrLUNMapNotFound is 404 5374922.
func ErrLUNMapNotFound() *Error {
	return Errorf(http.StatusNotFound, CodeLUNMapNotFound, "", "The specified LUN map does not exist.")
}

// ErrLUNMapLUNNotFound is 404 1254201 (a map create naming a missing LUN).
func ErrLUNMapLUNNotFound(target string) *Error {
	return Errorf(http.StatusNotFound, CodeLUNMapLUNNotFound, target, "The specified LUN does not exist.")
}

// ErrLUNMapIgroupNotFound is 404 5374878.
func ErrLUNMapIgroupNotFound(target string) *Error {
	return Errorf(http.StatusNotFound, CodeLUNMapIgroupNotFound, target,
		"The specified initiator group does not exist, is not accessible to the caller, or is not in the same SVM as the specified LUN.")
}

// LUNMapKind is /api/protocols/san/lun-maps/{lun.uuid}/{igroup.uuid}: one
// map joins a LUN and an igroup of its SVM, once, under a logical unit
// number unique in the igroup (the lowest free one when the body names
// none); a read shows the LUN, the igroup and the reporting node as they
// are. A mapped LUN or igroup is deleted only with
// allow_delete_while_mapped=true, which deletes its maps; unmapping an
// igroup's last LUN deletes the igroup if it says delete_on_unmap.
var LUNMapKind = &Kind{
	Object: schema.LUNMap,
	Label:  "LUN map",
	Path:   "/api/protocols/san/lun-maps",
	Key:    "igroup.uuid",
	Scope:  "lun",
	Always: []string{"svm", "lun", "logical_unit_number"},
	Parents: []Parent{
		{Field: "lun", Kind: "lun", Key: "uuid", CascadeWith: allowWhileMapped,
			Missing: func() *Error { return ErrLUNMapLUNNotFound("lun") },
			InUse:   func(lun Extra) *Error { return CheckLUNDelete(LookupString(lun, "name"), true, false).(*Error) }},
		{Field: "igroup", Kind: "igroup", Key: "uuid", CascadeWith: allowWhileMapped, DropLast: "delete_on_unmap",
			Missing: func() *Error { return ErrLUNMapIgroupNotFound("igroup") },
			InUse:   func(Extra) *Error { return errIgroupMapped().(*Error) }},
		{Field: "svm", Kind: "svm", NoDefault: true, ClusterSVM: true},
	},
	Create: func(rec Extra) error {
		return CheckLUNMapRefs(refAt(rec, "lun"), refAt(rec, "igroup"))
	},
	Conflicts: func(a, b Extra) *Error {
		if LookupString(a, "igroup.uuid") != LookupString(b, "igroup.uuid") {
			return nil
		}
		return ErrLUNMapExists(LookupString(a, "lun.name"), LookupString(a, "igroup.name"))
	},
	Place: func(v View, rec, _ Extra) (Extra, error) {
		ig := LookupString(rec, "igroup.uuid")
		used := map[int64]bool{}
		for _, m := range v.Find(schema.LUNMap.Name, func(m Extra) bool { return LookupString(m, "igroup.uuid") == ig }) {
			n, _ := LookupInt(m, "logical_unit_number")
			used[n] = true
		}
		var want *int64
		if n, ok := LookupInt(rec, "logical_unit_number"); ok {
			want = &n
		}
		n, err := AssignLogicalUnitNumber(want, used, LookupString(rec, "igroup.name"))
		if err != nil {
			return nil, err
		}
		return With(rec, "logical_unit_number", n), nil
	},
	NotFound: func(v View, key Extra) *Error {
		if _, ok := v.Get(schema.LUN.Name, LookupString(key, "lun.uuid")); !ok {
			return ErrLUNNotFound("lun.uuid")
		}
		if _, ok := v.Get(schema.Igroup.Name, LookupString(key, "igroup.uuid")); !ok {
			return ErrLUNMapIgroupNotFound("igroup.uuid")
		}
		return ErrLUNMapNotFound()
	},
	Render:  renderLUNMap,
	Query:   lunMapFields,
	NoPatch: true,
}

func renderLUNMap(v View, rec Extra) Extra {
	lun, ig := LookupString(rec, "lun.uuid"), LookupString(rec, "igroup.uuid")
	l, _ := v.Get(schema.LUN.Name, lun)
	g, _ := v.Get(schema.Igroup.Name, ig)
	node := v.Node()
	nodeID := LookupString(node, "uuid")
	self := schema.LUNMap.Path + "/" + lun + "/" + ig
	var inits []any
	for _, n := range InitiatorNames(g) {
		inits = append(inits, n)
	}
	return MergeExtra(rec, Extra{
		"svm": Lookup(l, "svm"),
		"lun": Extra{"name": LookupString(l, "name"), "uuid": lun, "_links": linkTo(schema.LUN.Path + "/" + lun),
			"node": MergeExtra(node, Extra{"_links": linkTo(NodesPath + "/" + nodeID)})},
		"igroup": Extra{"name": LookupString(g, "name"), "uuid": ig, "protocol": Lookup(g, "protocol"),
			"os_type": Lookup(g, "os_type"), "initiators": inits, "_links": linkTo(schema.Igroup.Path + "/" + ig)},
		"reporting_nodes": []any{MergeExtra(node, Extra{"_links": Extra{
			"self": Extra{"href": self + "/reporting-nodes/" + nodeID}, "node": Extra{"href": NodesPath + "/" + nodeID}}})},
		"_links": linkTo(self),
	})
}

// lunMapFields drops "logical-unit-number" from fields=: Trident asks for
// that hyphenated name (not ONTAP's logical_unit_number) and falls back to
// reading the LUN's lun_maps when it is not answered, so ONTAP must
// ignore it rather than refuse the query.
func lunMapFields(v url.Values) url.Values {
	fs, ok := v["fields"]
	if !ok {
		return v
	}
	out := url.Values{}
	for k, x := range v {
		out[k] = x
	}
	var keep []string
	for _, f := range fs {
		var parts []string
		for p := range strings.SplitSeq(f, ",") {
			if p != "logical-unit-number" {
				parts = append(parts, p)
			}
		}
		keep = append(keep, strings.Join(parts, ","))
	}
	out["fields"] = keep
	return out
}

// allowWhileMapped is the DELETE parameter that deletes a mapped LUN or
// igroup with its maps.
const allowWhileMapped = "allow_delete_while_mapped"

// refAt reads a {name, uuid} reference.
func refAt(rec Extra, field string) *Ref {
	m, _ := Lookup(rec, field).(Extra)
	if m == nil {
		return nil
	}
	return &Ref{Name: stringAt(m, "name"), UUID: stringAt(m, "uuid")}
}
