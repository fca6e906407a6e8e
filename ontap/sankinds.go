package ontap

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/nessie-go/nessie/internal/text"
	"github.com/nessie-go/nessie/ontap/schema"
)

// The SAN kinds. Their records live in package server's object store
// like every other kind (referential integrity, cascades, one journal
// record per change) and are served by its generic handlers; what their
// rules need beyond the NAS kinds' they get through hooks that give a
// View of related records (Prepare, Place, NotFound, Render), parents
// that cascade only on request (CascadeWith) or go with their last child
// (DropLast), and the volume hooks (Complete after a rename,
// CloneVolume). The rules themselves are in lun.go, igroup.go,
// lunmap.go and iscsi.go.

// LUNKind is /api/storage/luns: a LUN lives in a volume of its SVM, named
// by its path /vol/<volume>[/<qtree>]/<logical unit> (given as name or as
// location.*, re-derived when the volume is renamed); its size counts
// against its volume's free space; a clone (clone.source) copies a LUN of
// the same volume; a rename stays in its volume and qtree; deleting the
// volume deletes it and its maps; a FlexClone gets a copy of it; a read
// shows its maps (lun_maps, status.mapped).
var LUNKind = &Kind{
	Object: schema.LUN,
	Label:  "LUN",
	Path:   "/api/storage/luns",
	Key:    "uuid",
	Always: []string{"name"},
	Parents: []Parent{{Field: "svm", Kind: "svm", NoDefault: true},
		{Field: "location.volume", Kind: "volume", Cascade: true, ByPrepare: true}},
	DeleteParams: []string{"allow_delete_while_mapped"},
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

func intAt(rec Extra, path string) *int64 {
	if v, ok := LookupInt(rec, path); ok {
		return &v
	}
	return nil
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
