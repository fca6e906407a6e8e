package ontap

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/nessie-go/nessie/ontap/schema"
)

// The SAN kinds. Their records live in package server's object store
// like every other kind (referential integrity, cascades, one journal
// record per change) and are served by its generic handlers; what their
// rules need beyond the NAS kinds' they get through hooks that give a
// View of related records (NotFound, Render, Allocate), parents that
// cascade only on request (CascadeWith) or go with their last child
// (DropLast), and the volume hooks (Complete after a rename,
// CloneVolume). A LUN's create and modify are its own handlers
// (OwnHandlers). The rules themselves are in lun.go, igroup.go,
// lunmap.go and iscsi.go.

// LUNKind is /api/storage/luns: a LUN lives in a volume of its SVM, named
// by its path /vol/<volume>[/<qtree>]/<logical unit> (re-derived when the
// volume is renamed); deleting the volume deletes it and its maps; a
// FlexClone gets a copy of it; a read shows its maps (lun_maps,
// status.mapped).
var LUNKind = &Kind{
	Object:       schema.LUN,
	Label:        "LUN",
	Path:         "/api/storage/luns",
	Key:          "uuid",
	Always:       []string{"name"},
	Parents:      []Parent{{Field: "svm", Kind: "svm", NoDefault: true}, {Field: "location.volume", Kind: "volume", Cascade: true}},
	DeleteParams: []string{"allow_delete_while_mapped"},
	NotFound:     func(View, Extra) *Error { return ErrLUNNotFound("uuid") },
	Complete:     lunPath,
	Render:       renderLUN,
	CloneVolume:  cloneLUN,
	OwnHandlers:  []string{"POST", "PATCH"},
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

// renderLUN shows a LUN's maps.
func renderLUN(v View, rec Extra) Extra {
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

// IgroupKind is /api/protocols/san/igroups: names unique per SVM, its
// initiators held in the record (and served as the sub-collection
// /igroups/{igroup.uuid}/initiators); a read shows its maps.
var IgroupKind = &Kind{
	Object:       schema.Igroup,
	Label:        "initiator group",
	Path:         "/api/protocols/san/igroups",
	Key:          "uuid",
	Always:       []string{"name"},
	Parents:      []Parent{{Field: "svm", Kind: "svm", NoDefault: true}},
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

func stringAt(rec Extra, path string) *string {
	if v, ok := Lookup(rec, path).(string); ok {
		return &v
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
		{Field: "svm", Kind: "svm", NoDefault: true},
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
	Allocate: func(v View, rec Extra) (Extra, error) {
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

// ISCSIServiceKind is /api/protocols/san/iscsi/services/{svm.uuid}: at
// most one per SVM, enabled unless the body says otherwise, its target
// named after the SVM; creating it creates the SVM's "default"
// credential, deleting it (once disabled) deletes the SVM's credentials.
// The cluster's SVM has one from the start, as an SVM Trident's
// ontap-san driver uses has.
var ISCSIServiceKind = &Kind{
	Object:    schema.ISCSIService,
	Label:     "iSCSI service",
	Path:      "/api/protocols/san/iscsi/services",
	Key:       "svm.uuid",
	Always:    []string{"enabled", "target"},
	Parents:   []Parent{{Field: "svm", Kind: "svm", NoDefault: true}},
	Conflicts: func(a, b Extra) *Error { return ErrISCSIServiceExists() },
	Defaults: func(rec Extra) Extra {
		if rec["enabled"] == nil {
			rec = With(rec, "enabled", true)
		}
		return rec
	},
	Complete: func(rec Extra) Extra {
		rec = With(rec, "target.name", ISCSITargetName(LookupString(rec, "svm.uuid"), 2))
		if LookupString(rec, "target.alias") == "" {
			rec = With(rec, "target.alias", LookupString(rec, "svm.name"))
		}
		return rec
	},
	Delete: func(rec Extra) error {
		enabled, _ := rec["enabled"].(bool)
		return CheckISCSIServiceDelete(enabled)
	},
	Builtin: func(svm Extra) []Extra { return []Extra{{"svm": svm, "enabled": true}} },
	Also: func(rec Extra) map[string][]Extra {
		return map[string][]Extra{schema.ISCSICredentials.Name: {DefaultISCSICredential(Lookup(rec, "svm").(Extra))}}
	},
	NotFound: svmOr(ErrISCSIServiceNotFound),
}

// ISCSICredentialKind is
// /api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}: one per
// initiator (an IQN or EUI, kept in lower case) of an SVM with an iSCSI
// service, which it belongs to; CHAP settings only with authentication
// type chap (leaving chap drops them); the "default" one cannot be
// deleted.
var ISCSICredentialKind = &Kind{
	Object:  schema.ISCSICredentials,
	Label:   "iSCSI credential",
	Path:    "/api/protocols/san/iscsi/credentials",
	Key:     "initiator",
	Scope:   "svm",
	FoldKey: true,
	Always:  []string{"svm", "authentication_type"},
	Parents: []Parent{{Field: "svm", Kind: "svm", NoDefault: true},
		{Field: "svm", Kind: "iscsi_service", Key: "uuid", Cascade: true, Missing: func() *Error {
			return Errorf(http.StatusNotFound, CodeISCSIServiceNotFound, "svm", "The iSCSI service does not exist.")
		}}},
	Conflicts: func(a, b Extra) *Error {
		if LookupString(a, "initiator") != LookupString(b, "initiator") {
			return nil
		}
		return ErrISCSICredentialExists(LookupString(a, "initiator"))
	},
	Create: func(rec Extra) error {
		init := LookupString(rec, "initiator")
		if init == "" {
			return ErrRequired("initiator")
		}
		if _, err := CheckISCSICredentialInitiator(init); err != nil {
			return err
		}
		auth := LookupString(rec, "authentication_type")
		if auth == "" {
			return ErrRequired("authentication_type")
		}
		return CheckISCSICredential(auth, chapAt(rec))
	},
	Patch: func(old, patch Extra, paths []string) error {
		merged := MergeExtra(old, patch)
		auth := strings.ToLower(LookupString(merged, "authentication_type"))
		chap := chapAt(merged)
		if auth != ISCSIAuthCHAP && patch["chap"] == nil {
			chap = nil // leaving CHAP drops its settings
		}
		return CheckISCSICredential(auth, chap)
	},
	Complete: func(rec Extra) Extra {
		rec = With(rec, "initiator", strings.ToLower(LookupString(rec, "initiator")))
		auth := strings.ToLower(LookupString(rec, "authentication_type"))
		if auth != ISCSIAuthCHAP {
			rec = With(rec, "chap", nil)
		}
		return With(rec, "authentication_type", auth)
	},
	Delete: func(rec Extra) error {
		return CheckISCSICredentialDelete(LookupString(rec, "initiator"))
	},
	NotFound: svmOr(ErrISCSICredentialNotFound),
}

// chapAt reads a credential's CHAP settings.
func chapAt(rec Extra) *ISCSIChap {
	if rec["chap"] == nil {
		return nil
	}
	return &ISCSIChap{InboundUser: stringAt(rec, "chap.inbound.user"), InboundPassword: stringAt(rec, "chap.inbound.password"),
		OutboundUser: stringAt(rec, "chap.outbound.user"), OutboundPassword: stringAt(rec, "chap.outbound.password")}
}

// svmOr is the NotFound of a kind keyed within an SVM: the SVM's 404
// first (2621462), then the kind's.
func svmOr(missing func() *Error) func(View, Extra) *Error {
	return func(v View, key Extra) *Error {
		if _, ok := v.SVM(LookupString(key, "svm.uuid")); !ok {
			return Errorf(http.StatusNotFound, CodeSVMNotFound, "svm.uuid", "An SVM with the specified UUID does not exist.")
		}
		return missing()
	}
}

// DefaultISCSICredential is the credential every iSCSI service has.
func DefaultISCSICredential(svm Extra) Extra {
	return Extra{"svm": svm, "initiator": DefaultISCSIInitiator, "authentication_type": ISCSIAuthNone}
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

func linkTo(href string) Extra { return Extra{"self": Extra{"href": href}} }

// sortedBy orders records by a string field (deterministic renders).
func sortedBy(recs []Extra, path string) []Extra {
	slices.SortFunc(recs, func(a, b Extra) int { return strings.Compare(LookupString(a, path), LookupString(b, path)) })
	return recs
}
