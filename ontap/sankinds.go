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
// record per change); what their rules need beyond the generic flow they
// get through the hooks that give a View of related records (NotFound,
// Render, CloneVolume) and their own mutation handlers (OwnMutations),
// which call the rules of lun.go, igroup.go, lunmap.go and iscsi.go.

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
	Parents:      []Parent{{Field: "svm", Kind: "svm"}, {Field: "location.volume", Kind: "volume", Cascade: true}},
	NotFound:     func(View, Extra) *Error { return ErrLUNNotFound("uuid") },
	Complete:     lunPath,
	Render:       renderLUN,
	CloneVolume:  cloneLUN,
	OwnMutations: true,
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
	Parents:      []Parent{{Field: "svm", Kind: "svm"}},
	NotFound:     func(View, Extra) *Error { return ErrIgroupNotFound("uuid") },
	Render:       renderIgroup,
	OwnMutations: true,
}

func renderIgroup(v View, rec Extra) Extra {
	id := LookupString(rec, "uuid")
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
// map joins a LUN and an igroup; a record stores the pair and its
// logical unit number, and a read shows the LUN, the igroup and the
// reporting node as they are. Deleting the LUN or the igroup (with
// allow_delete_while_mapped) deletes its maps.
var LUNMapKind = &Kind{
	Object: schema.LUNMap,
	Label:  "LUN map",
	Path:   "/api/protocols/san/lun-maps",
	Key:    "igroup.uuid",
	Scope:  "lun",
	Always: []string{"svm", "lun", "logical_unit_number"},
	Parents: []Parent{{Field: "lun", Kind: "lun", Key: "uuid", Cascade: true},
		{Field: "igroup", Kind: "igroup", Key: "uuid", Cascade: true}},
	NotFound: func(v View, key Extra) *Error {
		if _, ok := v.Get(schema.LUN.Name, LookupString(key, "lun.uuid")); !ok {
			return ErrLUNNotFound("lun.uuid")
		}
		if _, ok := v.Get(schema.Igroup.Name, LookupString(key, "igroup.uuid")); !ok {
			return ErrLUNMapIgroupNotFound("igroup.uuid")
		}
		return ErrLUNMapNotFound()
	},
	Render:       renderLUNMap,
	Query:        lunMapFields,
	NoPatch:      true,
	OwnMutations: true,
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
// most one per SVM; creating it creates the SVM's "default" credential,
// deleting it (once disabled) deletes the SVM's credentials.
var ISCSIServiceKind = &Kind{
	Object:       schema.ISCSIService,
	Label:        "iSCSI service",
	Path:         "/api/protocols/san/iscsi/services",
	Key:          "svm.uuid",
	Always:       []string{"enabled", "target"},
	Parents:      []Parent{{Field: "svm", Kind: "svm"}},
	NotFound:     svmOr(ErrISCSIServiceNotFound),
	Builtin:      func(svm Extra) []Extra { return []Extra{ISCSIServiceRecord(svm, true, "")} },
	OwnMutations: true,
}

// ISCSICredentialKind is
// /api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}: one per
// initiator of an SVM with an iSCSI service (keys in lower case).
var ISCSICredentialKind = &Kind{
	Object:       schema.ISCSICredentials,
	Label:        "iSCSI credential",
	Path:         "/api/protocols/san/iscsi/credentials",
	Key:          "initiator",
	Scope:        "svm",
	FoldKey:      true,
	Always:       []string{"svm", "authentication_type"},
	Parents:      []Parent{{Field: "svm", Kind: "svm"}},
	NotFound:     svmOr(ErrISCSICredentialNotFound),
	Builtin:      func(svm Extra) []Extra { return []Extra{DefaultISCSICredential(svm)} },
	OwnMutations: true,
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

// ISCSIServiceRecord is a new iSCSI service of svm; alias "" is the SVM's
// name.
func ISCSIServiceRecord(svm Extra, enabled bool, alias string) Extra {
	u := LookupString(svm, "uuid")
	if alias == "" {
		alias = LookupString(svm, "name")
	}
	return Extra{"svm": svm, "enabled": enabled, "target": Extra{"name": ISCSITargetName(u, 2), "alias": alias}}
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
