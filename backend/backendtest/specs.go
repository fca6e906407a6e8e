package backendtest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/nessie-go/nessie/backend"
)

// listScale is how many volumes the listing case creates: more than the
// page sizes listings commonly stop at (100, 128), so a backend that
// returns only its first page fails.
const listScale = 130

// specCases check the contract's later additions: state at create, lookups
// by name, snapshot and clone specs (a clone of a snapshot taken for the
// occasion is one atomic call), listing at scale, and attributes.
func specCases() []testCase {
	return []testCase{
		{
			name: "Volume/Create/StateIsStoredAndEmptyMeansOnline",
			rule: "CreateVolume stores the spec's state (\"\" means online); an offline or restricted volume with a junction path, or an unknown state, is ErrInvalidArgument and creates nothing",
			run:  createWithState,
		},
		{
			name: "Volume/ByName/FindsExactlyTheNamedVolume",
			rule: "VolumeByName returns the stored volume with that name, follows renames and deletes, and fails with ErrVolumeNotFound for a name no volume has (an invalid one included)",
			run:  volumeByName,
		},
		{
			name: "Volume/ByName/NamesAreCaseSensitive",
			rule: "names are case-sensitive: two volumes whose names differ only in case coexist, VolumeByName finds each, and a third casing finds neither",
			run:  namesAreCaseSensitive,
		},
		{
			name: "Volume/List/ListsEveryVolumeAtScale",
			rule: fmt.Sprintf("ListVolumes returns every live volume, however many: all %d volumes created, each once", listScale),
			run:  listAtScale,
		},
		{
			name: "Volume/Attributes/AreStoredVerbatim",
			rule: "a volume's attributes are stored compacted and returned verbatim by every read (key order, escapes and null members kept); {} is stored as none; a backend that keeps none refuses them with ErrUnsupported and creates nothing",
			run:  volumeAttributesVerbatim,
		},
		{
			name: "Volume/Attributes/PatchIsAnRFC7386MergePatch",
			rule: "PatchVolume merges its attributes into the stored ones as an RFC 7386 merge patch (null deletes, objects merge, the rest replaces), together with the other fields of the patch; a backend that keeps none refuses the whole patch with ErrUnsupported",
			run:  volumeAttributesMerge,
		},
		{
			name: "Volume/Attributes/NonObjectsAreInvalidArgument",
			rule: "attributes that are not a JSON object are ErrInvalidArgument, on create and on patch, with no effect (a patch of an unknown volume is ErrVolumeNotFound first)",
			run:  volumeAttributesInvalid,
		},
		{
			name: "Snapshot/Create/SpecCommentIsStored",
			tier: tierSnapshot,
			rule: "CreateSnapshot stores the spec's comment; an invalid comment is ErrInvalidArgument and creates no snapshot",
			run:  snapshotSpecComment,
		},
		{
			name: "Snapshot/ByName/FindsExactlyTheNamedSnapshot",
			tier: tierSnapshot,
			rule: "SnapshotByName returns the volume's stored snapshot with that name, case-sensitively; ErrSnapshotNotFound for a name the volume lacks (even if another volume has it), ErrVolumeNotFound for an unknown volume",
			run:  snapshotByName,
		},
		{
			name: "Snapshot/Attributes/AreStoredAndMerged",
			tier: tierSnapshot,
			rule: "a snapshot's attributes are stored verbatim and PatchSnapshot merges into them as PatchVolume does; a backend that keeps none refuses them with ErrUnsupported and no effect",
			run:  snapshotAttributes,
		},
		{
			name: "Clone/Create/SpecFieldsAreStored",
			tier: tierClone,
			rule: "CreateClone stores the spec's state, junction path, export policy and comment on the clone",
			run:  cloneSpecFields,
		},
		{
			name: "Clone/Create/WithoutAParentSnapshotSnapshotsTheParentNow",
			tier: tierClone,
			rule: "a CloneSpec with no ParentSnapshot snapshots the parent under NewSnapshotName and clones that snapshot in one call: the clone has the parent's current size and an origin naming the new snapshot, which the clone then pins",
			run:  cloneOfANewSnapshot,
		},
		{
			name: "Clone/Create/RefusedCloneOfANewSnapshotLeavesNoSnapshot",
			tier: tierClone,
			rule: "a refused clone of a new snapshot (clone name taken or invalid, snapshot name missing, invalid or taken on the parent) fails with ErrInvalidArgument or ErrAlreadyExists and leaves neither the clone nor the snapshot behind",
			run:  refusedCloneOfANewSnapshot,
		},
		{
			name: "Clone/Create/NewSnapshotNameWithAParentSnapshotIsInvalidArgument",
			tier: tierClone,
			rule: "a CloneSpec naming both an existing ParentSnapshot and a NewSnapshotName is ErrInvalidArgument and creates nothing",
			run: func(e *env) {
				p := e.volume("parent")
				s := e.snapshot(p.ID, "snap")
				before := e.snaps(p.ID)
				_, err := e.c.CreateClone(e.ctx, backend.CloneSpec{Name: e.name("clone"), ParentVolume: p.ID, ParentSnapshot: s.ID, NewSnapshotName: e.name("new")})
				e.want("CreateClone with both a parent snapshot and a new snapshot name", err, backend.ErrInvalidArgument)
				e.snapsUnchanged("after the refused clone", p.ID, before)
				if n := countNamed(e.list(), e.name("clone")); n != 0 {
					e.errorf("the refused clone left %d volumes behind", n)
				}
			},
		},
		{
			name: "Clone/Attributes/AreTheClonesOwn",
			tier: tierClone,
			rule: "a clone's attributes are those of its spec, never the parent's; a backend that keeps none refuses them with ErrUnsupported, leaving no clone and no new snapshot",
			run:  cloneAttributes,
		},
	}
}

func createWithState(e *env) {
	for _, tc := range []struct {
		tag   string
		state backend.VolumeState
		want  backend.VolumeState
	}{{"dflt", "", backend.StateOnline}, {"on", backend.StateOnline, backend.StateOnline},
		{"off", backend.StateOffline, backend.StateOffline}, {"restr", backend.StateRestricted, backend.StateRestricted}} {
		v := e.createVolume(backend.VolumeSpec{Name: e.name(tc.tag), State: tc.state})
		if v.State != tc.want {
			e.errorf("CreateVolume with state %q: state %q, want %q", tc.state, v.State, tc.want)
		}
		e.stored("CreateVolume with state "+string(tc.want), v)
	}
	mounted := e.createVolume(backend.VolumeSpec{Name: e.name("mnt"), State: backend.StateOnline, JunctionPath: "/" + e.name("mnt")})
	if mounted.JunctionPath != "/"+e.name("mnt") {
		e.errorf("online volume created mounted: junction path %q", mounted.JunctionPath)
	}
	bad := e.name("bad")
	for _, spec := range []backend.VolumeSpec{
		{Name: bad, State: backend.StateOffline, JunctionPath: "/" + bad},
		{Name: bad, State: backend.StateRestricted, JunctionPath: "/" + bad},
		{Name: bad, State: "mixed"},
	} {
		_, err := e.b.CreateVolume(e.ctx, spec)
		e.want(fmt.Sprintf("CreateVolume(state %q, junction path %q)", spec.State, spec.JunctionPath), err, backend.ErrInvalidArgument)
	}
	if n := countNamed(e.list(), bad); n != 0 {
		e.errorf("refused creates left %d volumes behind", n)
	}
}

func volumeByName(e *env) {
	v := e.createVolume(backend.VolumeSpec{Name: e.name("byname"), Size: backend.Bytes(gib), Comment: "found"})
	e.volume("other")
	got, err := e.b.VolumeByName(e.ctx, v.Name)
	if e.want2("VolumeByName", err) {
		if d := volumeDiff(got, v); d != "" {
			e.errorf("VolumeByName returned %s", d)
		}
	}
	for _, name := range []string{e.name("never"), "", e.name("by"), v.Name + "x", e.name("a/b")} {
		_, err := e.b.VolumeByName(e.ctx, name)
		e.want(fmt.Sprintf("VolumeByName(%q)", name), err, backend.ErrVolumeNotFound)
	}
	renamed := e.patch(v.ID, backend.VolumePatch{Name: new(e.name("renamed"))})
	_, err = e.b.VolumeByName(e.ctx, v.Name)
	e.want("VolumeByName(old name after a rename)", err, backend.ErrVolumeNotFound)
	if got, err := e.b.VolumeByName(e.ctx, renamed.Name); e.want2("VolumeByName(new name)", err) && got.ID != v.ID {
		e.errorf("VolumeByName(new name) found %s, want %s", got.ID, v.ID)
	}
	e.ok("DeleteVolume", e.b.DeleteVolume(e.ctx, v.ID))
	_, err = e.b.VolumeByName(e.ctx, renamed.Name)
	e.want("VolumeByName after DeleteVolume", err, backend.ErrVolumeNotFound)
}

// want2 reports an unexpected error and says whether there was none.
func (e *env) want2(call string, err error) bool {
	e.r.Helper()
	if err != nil {
		e.errorf("%s: unexpected error: %v", call, err)
		return false
	}
	return true
}

func namesAreCaseSensitive(e *env) {
	lower := e.createVolume(backend.VolumeSpec{Name: e.name("case")})
	upper := e.createVolume(backend.VolumeSpec{Name: e.name("CASE")})
	if lower.ID == upper.ID {
		e.fatalf("volumes %q and %q got one ID", lower.Name, upper.Name)
	}
	for _, v := range []backend.Volume{lower, upper} {
		got, err := e.b.VolumeByName(e.ctx, v.Name)
		if e.want2(fmt.Sprintf("VolumeByName(%q)", v.Name), err) && got.ID != v.ID {
			e.errorf("VolumeByName(%q) found %q (%s)", v.Name, got.Name, got.ID)
		}
		e.stored("a volume whose name differs from another's only in case", v)
	}
	_, err := e.b.VolumeByName(e.ctx, e.name("Case"))
	e.want("VolumeByName of a third casing", err, backend.ErrVolumeNotFound)
	// A rename to a name that differs only in case is a rename, not a
	// collision with itself, and the old casing is free again.
	mixed := e.patch(lower.ID, backend.VolumePatch{Name: new(e.name("Case"))})
	e.stored("after a rename that changes only the case", mixed)
	_, err = e.b.VolumeByName(e.ctx, lower.Name)
	e.want("VolumeByName(old casing after a rename)", err, backend.ErrVolumeNotFound)
}

func listAtScale(e *env) {
	made := make(map[backend.VolumeID]string, listScale)
	for i := range listScale {
		v := e.volume(fmt.Sprintf("l%03d", i))
		made[v.ID] = v.Name
	}
	seen := make(map[backend.VolumeID]int)
	for _, v := range e.list() {
		if e.ours(v.Name) {
			seen[v.ID]++
		}
	}
	missing := 0
	for id, name := range made {
		switch seen[id] {
		case 0:
			missing++
			if missing <= 3 {
				e.errorf("ListVolumes lacks volume %q", name)
			}
		case 1:
		default:
			e.errorf("ListVolumes lists %q %d times", name, seen[id])
		}
	}
	if missing > 0 || len(seen) != listScale {
		e.errorf("ListVolumes returned %d of the case's %d volumes (%d missing)", len(seen), listScale, missing)
	}
}

// The attributes the cases store: key order, nesting, a null member and
// escapes all must survive.
const (
	attrsIn      = ` { "zeta" : 1, "alpha" : { "list" : [ 1, "two", null ], "deep" : { "x" : true } }, "gone" : null, "esc" : "\u00e9\n" } `
	attrsCompact = `{"zeta":1,"alpha":{"list":[1,"two",null],"deep":{"x":true}},"gone":null,"esc":"\u00e9\n"}`
)

func volumeAttributesVerbatim(e *env) {
	spec := backend.VolumeSpec{Name: e.name("attrs"), Size: backend.Bytes(gib), Attributes: json.RawMessage(attrsIn)}
	if e.o.NoAttributes {
		_, err := e.b.CreateVolume(e.ctx, spec)
		e.want("CreateVolume with attributes on a backend that keeps none", err, backend.ErrUnsupported)
		if n := countNamed(e.list(), spec.Name); n != 0 {
			e.errorf("the refused create left %d volumes behind", n)
		}
		spec.Attributes = nil
		e.createVolume(spec) // the name was never taken
		return
	}
	v := e.createVolume(spec)
	if string(v.Attributes) != attrsCompact {
		e.errorf("CreateVolume returned attributes %s, want %s", v.Attributes, attrsCompact)
	}
	e.stored("CreateVolume with attributes", v)
	if got, err := e.b.VolumeByName(e.ctx, v.Name); e.want2("VolumeByName", err) && string(got.Attributes) != attrsCompact {
		e.errorf("VolumeByName returned attributes %s, want %s", got.Attributes, attrsCompact)
	}
	// The caller owns what it passed in and what it got back.
	spec.Attributes[3] = 'X'
	v.Attributes[2] = 'X'
	e.unchanged("after the caller changed its attribute bytes", backend.Volume(withAttrs(v, attrsCompact)))
	for _, empty := range []string{`{}`, ` { } `} {
		w := e.createVolume(backend.VolumeSpec{Name: e.name(fmt.Sprintf("empty%d", len(empty))), Attributes: json.RawMessage(empty)})
		if w.Attributes != nil {
			e.errorf("CreateVolume with attributes %q stored %q, want none", empty, w.Attributes)
		}
	}
}

func withAttrs(v backend.Volume, attrs string) backend.Volume {
	v.Attributes = json.RawMessage(attrs)
	return v
}

func volumeAttributesMerge(e *env) {
	if e.o.NoAttributes {
		v := e.volume("attrs")
		_, err := e.b.PatchVolume(e.ctx, v.ID, backend.VolumePatch{Comment: new("set"), Attributes: json.RawMessage(`{"a":1}`)})
		e.want("PatchVolume with attributes on a backend that keeps none", err, backend.ErrUnsupported)
		e.unchanged("after the refused patch", v)
		return
	}
	v := e.createVolume(backend.VolumeSpec{Name: e.name("attrs"), Attributes: json.RawMessage(`{"a":{"x":1,"y":2},"b":[1],"c":"keep"}`)})
	steps := []struct{ patch, want string }{
		{`{"a":{"y":null,"z":3},"b":null,"d":{"n":null,"m":1}}`, `{"a":{"x":1,"z":3},"c":"keep","d":{"m":1}}`},
		{`{}`, `{"a":{"x":1,"z":3},"c":"keep","d":{"m":1}}`},
		{`{"a":"flat","c":["list"]}`, `{"a":"flat","c":["list"],"d":{"m":1}}`},
		{`{"a":null,"c":null,"d":null}`, ``},
		{`{"again":true}`, `{"again":true}`},
	}
	for _, st := range steps {
		got := e.patch(v.ID, backend.VolumePatch{Comment: new("after " + st.patch), Attributes: json.RawMessage(st.patch)})
		if string(got.Attributes) != st.want || (st.want == "" && got.Attributes != nil) {
			e.errorf("merge patch %s gave %q, want %q", st.patch, got.Attributes, st.want)
		}
		if got.Comment != "after "+st.patch {
			e.errorf("merge patch %s: the comment set with it is %q", st.patch, got.Comment)
		}
		e.stored("after merge patch "+st.patch, got)
	}
	// A patch without attributes leaves them alone.
	got := e.patch(v.ID, backend.VolumePatch{Size: new(backend.Bytes(gib))})
	if string(got.Attributes) != `{"again":true}` {
		e.errorf("a patch without attributes changed them to %q", got.Attributes)
	}
	// A patch refused for another field merges nothing.
	other := e.volume("other")
	_, err := e.b.PatchVolume(e.ctx, v.ID, backend.VolumePatch{Name: &other.Name, Attributes: json.RawMessage(`{"lost":1}`)})
	e.want("PatchVolume renaming onto another volume, with attributes", err, backend.ErrAlreadyExists)
	e.unchanged("after the refused patch", got)
}

// notObjects are attribute values that are not JSON objects.
var notObjects = []string{`null`, `[]`, `[{"a":1}]`, `"text"`, `1`, `true`, `{`, `{"a":1}}`, `{'a':1}`}

func volumeAttributesInvalid(e *env) {
	name := e.name("bad")
	for _, bad := range notObjects {
		_, err := e.b.CreateVolume(e.ctx, backend.VolumeSpec{Name: name, Attributes: json.RawMessage(bad)})
		e.want(fmt.Sprintf("CreateVolume with attributes %s", bad), err, backend.ErrInvalidArgument)
	}
	_, err := e.b.CreateVolume(e.ctx, backend.VolumeSpec{Name: name, Attributes: json.RawMessage(`{"k":"` + strings.Repeat("x", backend.MaxAttributesLen) + `"}`)})
	e.want("CreateVolume with attributes over MaxAttributesLen", err, backend.ErrInvalidArgument)
	if n := countNamed(e.list(), name); n != 0 {
		e.errorf("refused creates left %d volumes behind", n)
	}
	v := e.volume("target")
	for _, bad := range notObjects {
		_, err := e.b.PatchVolume(e.ctx, v.ID, backend.VolumePatch{Comment: new("lost"), Attributes: json.RawMessage(bad)})
		e.want(fmt.Sprintf("PatchVolume with attributes %s", bad), err, backend.ErrInvalidArgument)
	}
	e.unchanged("after refused patches", v)
	_, err = e.b.PatchVolume(e.ctx, backend.NewVolumeID(), backend.VolumePatch{Attributes: json.RawMessage(`[]`)})
	e.want("PatchVolume of an unknown volume with invalid attributes", err, backend.ErrVolumeNotFound)
}

func snapshotSpecComment(e *env) {
	v := e.volume("vol")
	before := time.Now()
	s, err := e.s.CreateSnapshot(e.ctx, v.ID, backend.SnapshotSpec{Name: e.name("snap"), Comment: "taken with a comment, ünïcödé"})
	after := time.Now()
	e.ok("CreateSnapshot with a comment", err)
	if s.Comment != "taken with a comment, ünïcödé" || s.Name != e.name("snap") {
		e.errorf("CreateSnapshot returned name %q comment %q", s.Name, s.Comment)
	}
	e.saneTime("CreateSnapshot", s.CreateTime, before, after)
	e.snapStored("CreateSnapshot with a comment", v.ID, s)
	snaps := e.snaps(v.ID)
	for _, bad := range []string{strings.Repeat("c", backend.MaxCommentLen+1), "bad\xff", "nul\x00"} {
		_, err := e.s.CreateSnapshot(e.ctx, v.ID, backend.SnapshotSpec{Name: e.name("bad"), Comment: bad})
		e.want(fmt.Sprintf("CreateSnapshot with comment %q", truncate(bad)), err, backend.ErrInvalidArgument)
	}
	e.snapsUnchanged("after refused snapshots", v.ID, snaps)
}

func truncate(s string) string {
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}

func snapshotByName(e *env) {
	v, w := e.volume("vol"), e.volume("other")
	lower := e.snapshot(v.ID, "snap")
	upper := e.snapshot(v.ID, "SNAP")
	elsewhere := e.snapshot(w.ID, "elsewhere")
	for _, s := range []backend.Snapshot{lower, upper} {
		got, err := e.s.SnapshotByName(e.ctx, v.ID, s.Name)
		if e.want2(fmt.Sprintf("SnapshotByName(%q)", s.Name), err) {
			if d := snapshotDiff(got, s); d != "" {
				e.errorf("SnapshotByName(%q) returned %s", s.Name, d)
			}
		}
	}
	for _, name := range []string{e.name("Snap"), elsewhere.Name, "", e.name("never")} {
		_, err := e.s.SnapshotByName(e.ctx, v.ID, name)
		e.want(fmt.Sprintf("SnapshotByName(%q)", name), err, backend.ErrSnapshotNotFound)
	}
	_, err := e.s.SnapshotByName(e.ctx, backend.NewVolumeID(), lower.Name)
	e.want("SnapshotByName on an unknown volume", err, backend.ErrVolumeNotFound)
	_, err = e.s.PatchSnapshot(e.ctx, v.ID, lower.ID, backend.SnapshotPatch{Name: new(e.name("moved"))})
	e.ok("PatchSnapshot(rename)", err)
	_, err = e.s.SnapshotByName(e.ctx, v.ID, lower.Name)
	e.want("SnapshotByName(old name after a rename)", err, backend.ErrSnapshotNotFound)
	if got, err := e.s.SnapshotByName(e.ctx, v.ID, e.name("moved")); e.want2("SnapshotByName(new name)", err) && got.ID != lower.ID {
		e.errorf("SnapshotByName(new name) found %s, want %s", got.ID, lower.ID)
	}
}

func snapshotAttributes(e *env) {
	v := e.volume("vol")
	spec := backend.SnapshotSpec{Name: e.name("snap"), Attributes: json.RawMessage(attrsIn)}
	if e.o.NoAttributes {
		_, err := e.s.CreateSnapshot(e.ctx, v.ID, spec)
		e.want("CreateSnapshot with attributes on a backend that keeps none", err, backend.ErrUnsupported)
		e.snapsUnchanged("after the refused snapshot", v.ID, nil)
		s := e.snapshot(v.ID, "plain")
		_, err = e.s.PatchSnapshot(e.ctx, v.ID, s.ID, backend.SnapshotPatch{Comment: new("x"), Attributes: json.RawMessage(`{"a":1}`)})
		e.want("PatchSnapshot with attributes on a backend that keeps none", err, backend.ErrUnsupported)
		e.snapStored("after the refused patch", v.ID, s)
		return
	}
	s, err := e.s.CreateSnapshot(e.ctx, v.ID, spec)
	e.ok("CreateSnapshot with attributes", err)
	if string(s.Attributes) != attrsCompact {
		e.errorf("CreateSnapshot returned attributes %s, want %s", s.Attributes, attrsCompact)
	}
	e.snapStored("CreateSnapshot with attributes", v.ID, s)
	got, err := e.s.PatchSnapshot(e.ctx, v.ID, s.ID, backend.SnapshotPatch{Attributes: json.RawMessage(`{"alpha":{"deep":null},"gone":null,"new":[]}`)})
	e.ok("PatchSnapshot with a merge patch", err)
	const want = `{"zeta":1,"alpha":{"list":[1,"two",null]},"esc":"\u00e9\n","new":[]}`
	if string(got.Attributes) != want {
		e.errorf("PatchSnapshot merged to %s, want %s", got.Attributes, want)
	}
	e.snapStored("after PatchSnapshot", v.ID, got)
	for _, bad := range notObjects {
		_, err := e.s.PatchSnapshot(e.ctx, v.ID, s.ID, backend.SnapshotPatch{Comment: new("lost"), Attributes: json.RawMessage(bad)})
		e.want(fmt.Sprintf("PatchSnapshot with attributes %s", bad), err, backend.ErrInvalidArgument)
		_, err = e.s.CreateSnapshot(e.ctx, v.ID, backend.SnapshotSpec{Name: e.name("bad"), Attributes: json.RawMessage(bad)})
		e.want(fmt.Sprintf("CreateSnapshot with attributes %s", bad), err, backend.ErrInvalidArgument)
	}
	e.snapsUnchanged("after refused snapshot calls", v.ID, []backend.Snapshot{got})
}

func cloneSpecFields(e *env) {
	p := e.volume("parent")
	s := e.snapshot(p.ID, "snap")
	for _, spec := range []backend.CloneSpec{
		{Name: e.name("off"), State: backend.StateOffline, ExportPolicy: "pol", Comment: "an offline clone"},
		{Name: e.name("mnt"), JunctionPath: "/" + e.name("mnt"), Comment: "a mounted clone"},
		{Name: e.name("restr"), State: backend.StateRestricted},
	} {
		spec.ParentVolume, spec.ParentSnapshot = p.ID, s.ID
		c, err := e.c.CreateClone(e.ctx, spec)
		e.ok(fmt.Sprintf("CreateClone(%q)", spec.Name), err)
		e.track(e.b, c.ID)
		want := stateOr(spec.State)
		if c.State != want || c.JunctionPath != spec.JunctionPath || c.ExportPolicy != spec.ExportPolicy || c.Comment != spec.Comment {
			e.errorf("CreateClone(%q) returned state %q junction %q policy %q comment %q; want %q %q %q %q", spec.Name,
				c.State, c.JunctionPath, c.ExportPolicy, c.Comment, want, spec.JunctionPath, spec.ExportPolicy, spec.Comment)
		}
		if c.Clone == nil || c.Clone.ParentSnapshotID != s.ID {
			e.errorf("CreateClone(%q): origin %+v, want snapshot %s", spec.Name, c.Clone, s.ID)
		}
		e.stored("clone with spec fields", c)
	}
}

func stateOr(s backend.VolumeState) backend.VolumeState {
	if s == "" {
		return backend.StateOnline
	}
	return s
}

func cloneOfANewSnapshot(e *env) {
	p := e.volume("parent")
	old := e.snapshot(p.ID, "old")
	grown := e.patch(p.ID, backend.VolumePatch{Size: new(backend.Bytes(3 * gib))})
	before := time.Now()
	c, err := e.c.CreateClone(e.ctx, backend.CloneSpec{Name: e.name("clone"), ParentVolume: p.ID, NewSnapshotName: e.name("fresh"), Comment: "from a fresh snapshot"})
	after := time.Now()
	e.ok("CreateClone without a parent snapshot", err)
	e.track(e.b, c.ID)
	if c.Size != grown.Size {
		e.errorf("the clone has size %v, want the parent's current %v", c.Size, grown.Size)
	}
	snaps := e.snaps(p.ID)
	if len(snaps) != 2 || snaps[0].ID != old.ID || snaps[1].Name != e.name("fresh") {
		e.fatalf("the parent's snapshots are %q, want the old one and then %q", snapNames(snaps), e.name("fresh"))
	}
	fresh := snaps[1]
	e.saneTime("the new snapshot", fresh.CreateTime, before, after)
	want := &backend.CloneOrigin{ParentVolume: p.Name, ParentSnapshot: fresh.Name, ParentVolumeID: p.ID, ParentSnapshotID: fresh.ID}
	if c.Clone == nil || *c.Clone != *want {
		e.errorf("the clone's origin is %+v, want %+v", c.Clone, *want)
	}
	if got, err := e.s.SnapshotByName(e.ctx, p.ID, fresh.Name); e.want2("SnapshotByName(new snapshot)", err) && got.ID != fresh.ID {
		e.errorf("SnapshotByName found %s, want %s", got.ID, fresh.ID)
	}
	e.stored("the clone of a new snapshot", c)
	e.want("DeleteSnapshot of the new snapshot the clone pins", e.s.DeleteSnapshot(e.ctx, p.ID, fresh.ID), backend.ErrInUse)
	e.ok("DeleteVolume(clone)", e.b.DeleteVolume(e.ctx, c.ID))
	e.ok("DeleteSnapshot once the clone is gone", e.s.DeleteSnapshot(e.ctx, p.ID, fresh.ID))
}

func refusedCloneOfANewSnapshot(e *env) {
	p := e.volume("parent")
	taken := e.snapshot(p.ID, "taken")
	other := e.volume("other")
	before := e.snaps(p.ID)
	for _, tc := range []struct {
		why  string
		spec backend.CloneSpec
		want error
	}{
		{"the clone's name is taken", backend.CloneSpec{Name: other.Name, NewSnapshotName: e.name("n1")}, backend.ErrAlreadyExists},
		{"the clone's name is the parent's", backend.CloneSpec{Name: p.Name, NewSnapshotName: e.name("n2")}, backend.ErrAlreadyExists},
		{"the clone's name is invalid", backend.CloneSpec{Name: e.name("a/b"), NewSnapshotName: e.name("n3")}, backend.ErrInvalidArgument},
		{"the clone's junction path is invalid", backend.CloneSpec{Name: e.name("c4"), NewSnapshotName: e.name("n4"), JunctionPath: "relative"}, backend.ErrInvalidArgument},
		{"there is no new snapshot name", backend.CloneSpec{Name: e.name("c5")}, backend.ErrInvalidArgument},
		{"the new snapshot name is invalid", backend.CloneSpec{Name: e.name("c6"), NewSnapshotName: e.name("s/6")}, backend.ErrInvalidArgument},
		{"the new snapshot name is taken on the parent", backend.CloneSpec{Name: e.name("c7"), NewSnapshotName: taken.Name}, backend.ErrAlreadyExists},
	} {
		tc.spec.ParentVolume = p.ID
		c, err := e.c.CreateClone(e.ctx, tc.spec)
		if err == nil {
			e.track(e.b, c.ID)
		}
		e.want("CreateClone of a new snapshot when "+tc.why, err, tc.want)
		e.snapsUnchanged("after a refused clone when "+tc.why, p.ID, before)
	}
	for _, v := range e.list() {
		if v.Clone != nil && v.Clone.ParentVolumeID == p.ID {
			e.errorf("a refused CreateClone left clone %q behind", v.Name)
		}
	}
	_, err := e.c.CreateClone(e.ctx, backend.CloneSpec{Name: e.name("orphan"), ParentVolume: backend.NewVolumeID(), NewSnapshotName: e.name("n8")})
	e.want("CreateClone of a new snapshot of an unknown parent", err, backend.ErrVolumeNotFound)
}

func cloneAttributes(e *env) {
	pspec := backend.VolumeSpec{Name: e.name("parent")}
	if !e.o.NoAttributes {
		pspec.Attributes = json.RawMessage(`{"parent":true}`)
	}
	p := e.createVolume(pspec)
	s := e.snapshot(p.ID, "snap")
	if e.o.NoAttributes {
		before := e.snaps(p.ID)
		for _, spec := range []backend.CloneSpec{
			{Name: e.name("c1"), ParentVolume: p.ID, ParentSnapshot: s.ID, Attributes: json.RawMessage(`{"a":1}`)},
			{Name: e.name("c2"), ParentVolume: p.ID, NewSnapshotName: e.name("new"), Attributes: json.RawMessage(`{"a":1}`)},
		} {
			_, err := e.c.CreateClone(e.ctx, spec)
			e.want(fmt.Sprintf("CreateClone(%q) with attributes on a backend that keeps none", spec.Name), err, backend.ErrUnsupported)
			if n := countNamed(e.list(), spec.Name); n != 0 {
				e.errorf("the refused clone %q left %d volumes behind", spec.Name, n)
			}
		}
		e.snapsUnchanged("after refused clones", p.ID, before)
		return
	}
	c, err := e.c.CreateClone(e.ctx, backend.CloneSpec{Name: e.name("own"), ParentVolume: p.ID, ParentSnapshot: s.ID, Attributes: json.RawMessage(` {"clone" : 1} `)})
	e.ok("CreateClone with attributes", err)
	e.track(e.b, c.ID)
	if string(c.Attributes) != `{"clone":1}` {
		e.errorf("the clone's attributes are %s, want its spec's {\"clone\":1}", c.Attributes)
	}
	e.stored("a clone with attributes", c)
	bare, err := e.c.CreateClone(e.ctx, backend.CloneSpec{Name: e.name("bare"), ParentVolume: p.ID, NewSnapshotName: e.name("new")})
	e.ok("CreateClone without attributes", err)
	e.track(e.b, bare.ID)
	if bare.Attributes != nil {
		e.errorf("a clone made without attributes has %s (the parent's are %s)", bare.Attributes, p.Attributes)
	}
	e.stored("a clone without attributes", bare)
}
