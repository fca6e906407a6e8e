package backendtest

import (
	"fmt"
	"strings"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/internal/text"
)

// volumeCases check the base tier, which every backend implements.
func volumeCases() []testCase {
	return []testCase{
		{
			name: "Volume/Lifecycle/CreateGetListPatchAccessDelete",
			rule: "a created volume keeps its name, is found by GetVolume and ListVolumes, can be resized and reached, and after DeleteVolume GetVolume is ErrVolumeNotFound and ListVolumes omits it (upstream V-1..V-10)",
			run:  volumeLifecycle,
		},
		{
			name: "Volume/Get/UnknownIDIsVolumeNotFound",
			rule: "GetVolume of an ID that names no volume (a fresh one, or the nil UUID) fails with ErrVolumeNotFound (upstream V-11)",
			run: func(e *env) {
				for _, id := range []backend.VolumeID{backend.NewVolumeID(), {}} {
					_, err := e.b.GetVolume(e.ctx, id)
					e.want(fmt.Sprintf("GetVolume(%s)", id), err, backend.ErrVolumeNotFound)
				}
			},
		},
		{
			name: "Volume/Create/ReturnsTheFullStoredVolume",
			rule: "CreateVolume returns the stored volume: a new ID, state online, style flexvol, type rw, no clone origin, the spec's name, size, junction path, export policy and comment, and its creation time; GetVolume and ListVolumes return an equal volume",
			run:  createReturnsFullVolume,
		},
		{
			name: "Volume/Create/NameOnlySpecIsUnlimitedAndUnmounted",
			rule: "CreateVolume stores the spec's zero values as they are: unlimited size, no junction path, no export policy, no comment",
			run: func(e *env) {
				v := e.createVolume(backend.VolumeSpec{Name: e.name("min")})
				want := backend.Volume{ID: v.ID, Name: e.name("min"), Size: backend.Unlimited, State: backend.StateOnline,
					Style: backend.StyleFlexVol, Type: backend.TypeRW, CreateTime: v.CreateTime, UsedBytes: v.UsedBytes}
				if d := volumeDiff(v, want); d != "" {
					e.errorf("CreateVolume: %s", d)
				}
				e.stored("CreateVolume", v)
			},
		},
		{
			name: "Volume/Create/ZeroSizeIsLimitedNotUnlimited",
			rule: "a size of zero bytes is a limited size, distinct from unlimited, and is stored as such",
			run: func(e *env) {
				v := e.createVolume(backend.VolumeSpec{Name: e.name("zero"), Size: backend.Bytes(0)})
				if v.Size != backend.Bytes(0) {
					e.errorf("CreateVolume with size 0: size is %v, want 0", v.Size)
				}
				e.stored("CreateVolume", v)
			},
		},
		{
			name: "Volume/Create/DuplicateNameIsAlreadyExists",
			rule: "volume names are unique within a backend: CreateVolume with a taken name fails with ErrAlreadyExists and changes nothing",
			run: func(e *env) {
				v := e.volume("dup")
				_, err := e.b.CreateVolume(e.ctx, backend.VolumeSpec{Name: v.Name, Size: backend.Bytes(2 * gib), Comment: "second"})
				e.want("CreateVolume with a taken name", err, backend.ErrAlreadyExists)
				if n := countNamed(e.list(), v.Name); n != 1 {
					e.errorf("ListVolumes has %d volumes named %q, want 1", n, v.Name)
				}
				e.unchanged("after the refused create", v)
			},
		},
		{
			name: "Volume/Create/InvalidNameIsInvalidArgument",
			rule: "CreateVolume rejects a name that is empty, longer than MaxNameLen, not UTF-8, or contains '/' or NUL with ErrInvalidArgument, creating nothing",
			run: func(e *env) {
				for _, n := range e.invalidNames() {
					_, err := e.b.CreateVolume(e.ctx, backend.VolumeSpec{Name: n.name})
					e.want(fmt.Sprintf("CreateVolume with a name that is %s", n.why), err, backend.ErrInvalidArgument)
				}
				for _, v := range e.list() {
					if v.Name == "" || e.ours(v.Name) {
						e.errorf("a refused CreateVolume left volume %q behind", text.Truncate(v.Name, 40))
					}
				}
			},
		},
		{
			name: "Volume/Create/InvalidFieldIsInvalidArgument",
			rule: "CreateVolume rejects a spec that fails VolumeSpec.Validate (relative or NUL junction path, bad export policy, over-long or non-UTF-8 comment) with ErrInvalidArgument, creating nothing",
			run:  createInvalidFields,
		},
		{
			name: "Volume/Create/RepeatedCreateDeleteCyclesOfOneNameBehaveAlike",
			rule: "a deleted volume's name is free again at once: creating and deleting one name repeatedly gives the same result every time, and deleting twice is ErrVolumeNotFound",
			run:  createDeleteCycles,
		},
		{
			name: "Volume/Delete/UnknownOrDeletedVolumeIsVolumeNotFound",
			rule: "DeleteVolume of an ID that names no live volume, including one just deleted, fails with ErrVolumeNotFound",
			run: func(e *env) {
				e.want("DeleteVolume of a fresh ID", e.b.DeleteVolume(e.ctx, backend.NewVolumeID()), backend.ErrVolumeNotFound)
				v := e.volume("twice")
				e.ok("DeleteVolume", e.b.DeleteVolume(e.ctx, v.ID))
				e.want("second DeleteVolume", e.b.DeleteVolume(e.ctx, v.ID), backend.ErrVolumeNotFound)
			},
		},
		{
			name: "Volume/Delete/LeavesOtherVolumesUntouched",
			rule: "DeleteVolume deletes that volume only",
			run: func(e *env) {
				a, b, c := e.volume("a"), e.volume("b"), e.volume("c")
				e.ok("DeleteVolume", e.b.DeleteVolume(e.ctx, b.ID))
				e.gone("after DeleteVolume", b.ID)
				e.stored("the other volumes", a)
				e.stored("the other volumes", c)
			},
		},
		{
			name: "Volume/Patch/EveryFieldIsStoredAndReadBack",
			rule: "PatchVolume stores every field the patch sets (name, size, state, junction path, export policy, comment) and returns the updated volume, which GetVolume and ListVolumes then report",
			run:  patchEveryField,
		},
		{
			name: "Volume/Patch/RenameFreesTheOldName",
			rule: "after a rename the volume is reported under its new name only, and the old name is free again",
			run: func(e *env) {
				v := e.volume("old")
				got := e.patch(v.ID, backend.VolumePatch{Name: new(e.name("new"))})
				if got.Name != e.name("new") || got.ID != v.ID {
					e.errorf("rename returned %q (%s), want %q (%s)", got.Name, got.ID, e.name("new"), v.ID)
				}
				e.stored("after rename", got)
				again := e.volume("old")
				if again.ID == v.ID {
					e.errorf("a new volume under the old name has the renamed volume's ID %s", v.ID)
				}
				e.stored("after rename", got)
			},
		},
		{
			name: "Volume/Patch/RenameToItsOwnNameSucceeds",
			rule: "a rename collides only with another volume: renaming a volume to its current name succeeds and changes nothing",
			run: func(e *env) {
				v := e.volume("self")
				got := e.patch(v.ID, backend.VolumePatch{Name: new(v.Name)})
				if d := volumeDiff(got, v); d != "" {
					e.errorf("rename to own name: %s", d)
				}
				e.unchanged("after rename to own name", v)
			},
		},
		{
			name: "Volume/Patch/RenameOntoAnotherVolumeIsAlreadyExists",
			rule: "PatchVolume renaming onto another volume's name fails with ErrAlreadyExists and changes neither volume",
			run: func(e *env) {
				a, b := e.volume("a"), e.volume("b")
				_, err := e.b.PatchVolume(e.ctx, b.ID, backend.VolumePatch{Name: new(a.Name), Comment: new("x")})
				e.want("rename onto a taken name", err, backend.ErrAlreadyExists)
				e.unchanged("renamed volume", b)
				e.unchanged("other volume", a)
			},
		},
		{
			name: "Volume/Patch/SizeIsStoredIncludingZeroAndUnlimited",
			rule: "a patched size is stored and read back, whether bytes, zero bytes or unlimited",
			run: func(e *env) {
				v := e.volume("size")
				for _, s := range []backend.Size{backend.Bytes(2 * gib), backend.Bytes(0), backend.Unlimited, backend.Bytes(7)} {
					got := e.patch(v.ID, backend.VolumePatch{Size: new(s)})
					if got.Size != s {
						e.errorf("PatchVolume(size=%v) returned size %v", s, got.Size)
					}
					e.stored(fmt.Sprintf("after PatchVolume(size=%v)", s), got)
				}
			},
		},
		{
			name: "Volume/Patch/StateIsStored",
			rule: "a patched state (offline, restricted, online) is stored and read back",
			run: func(e *env) {
				v := e.volume("state")
				for _, s := range []backend.VolumeState{backend.StateOffline, backend.StateRestricted, backend.StateOnline} {
					got := e.patch(v.ID, backend.VolumePatch{State: new(s)})
					if got.State != s {
						e.errorf("PatchVolume(state=%s) returned state %s", s, got.State)
					}
					e.stored(fmt.Sprintf("after PatchVolume(state=%s)", s), got)
				}
			},
		},
		{
			name: "Volume/Patch/JunctionPathIsStoredAndEmptyUnmounts",
			rule: "a patched junction path is stored and read back; the empty path unmounts the volume",
			run: func(e *env) {
				v := e.volume("mount")
				for _, p := range []string{"/" + v.Name, "/a/b/c", ""} {
					got := e.patch(v.ID, backend.VolumePatch{JunctionPath: new(p)})
					if got.JunctionPath != p {
						e.errorf("PatchVolume(junction_path=%q) returned junction path %q", p, got.JunctionPath)
					}
					e.stored(fmt.Sprintf("after PatchVolume(junction_path=%q)", p), got)
				}
			},
		},
		{
			name: "Volume/Patch/ExportPolicyAndCommentAreStored",
			rule: "a patched export policy or comment is stored and read back, including the empty string that clears it",
			run: func(e *env) {
				v := e.volume("text")
				for _, s := range []string{"default", "ünïcödé policy", ""} {
					got := e.patch(v.ID, backend.VolumePatch{ExportPolicy: new(s)})
					if got.ExportPolicy != s {
						e.errorf("PatchVolume(export_policy=%q) returned %q", s, got.ExportPolicy)
					}
					e.stored("after patching the export policy", got)
					got = e.patch(v.ID, backend.VolumePatch{Comment: new(s + " comment")})
					if got.Comment != s+" comment" {
						e.errorf("PatchVolume(comment=%q) returned %q", s+" comment", got.Comment)
					}
					e.stored("after patching the comment", got)
				}
				got := e.patch(v.ID, backend.VolumePatch{Comment: new("")})
				if got.Comment != "" {
					e.errorf("PatchVolume(comment=\"\") returned %q", got.Comment)
				}
				e.stored("after clearing the comment", got)
			},
		},
		{
			name: "Volume/Patch/JunctionPathMustStartWithSlash",
			rule: "PatchVolume rejects a junction path that does not start with '/' with ErrInvalidArgument and changes nothing",
			run: func(e *env) {
				v := e.volume("rel")
				for _, p := range []string{"relative", "rel/x", "./x", " /x"} {
					_, err := e.b.PatchVolume(e.ctx, v.ID, backend.VolumePatch{JunctionPath: new(p)})
					e.want(fmt.Sprintf("PatchVolume(junction_path=%q)", p), err, backend.ErrInvalidArgument)
				}
				e.unchanged("after the refused patches", v)
			},
		},
		{
			name: "Volume/Patch/InvalidPatchIsInvalidArgumentAndChangesNothing",
			rule: "PatchVolume rejects a patch that fails VolumePatch.Validate with ErrInvalidArgument and applies none of it, not even its valid fields",
			run:  patchInvalid,
		},
		{
			name: "Volume/Patch/UnknownVolumeIsVolumeNotFoundEvenWithAnInvalidPatch",
			rule: "PatchVolume checks existence before validating the patch: an unknown or deleted volume is ErrVolumeNotFound whatever the patch",
			run:  patchUnknown,
		},
		{
			name: "Volume/Patch/GoingOfflineOrRestrictedUnmounts",
			rule: "setting the state to offline or restricted also clears the junction path, as ONTAP does",
			run: func(e *env) {
				v := e.volume("unmount")
				for _, s := range []backend.VolumeState{backend.StateOffline, backend.StateRestricted} {
					e.patch(v.ID, backend.VolumePatch{State: new(backend.StateOnline), JunctionPath: new("/" + v.Name)})
					got := e.patch(v.ID, backend.VolumePatch{State: new(s)})
					if got.State != s || got.JunctionPath != "" {
						e.errorf("PatchVolume(state=%s) on a mounted volume returned state %s, junction path %q; want %s and unmounted", s, got.State, got.JunctionPath, s)
					}
					e.stored(fmt.Sprintf("after PatchVolume(state=%s)", s), got)
				}
			},
		},
		{
			name: "Volume/Patch/MountingAVolumeThatIsNotOnlineIsInUse",
			rule: "setting a non-empty junction path while the resulting state is not online fails with ErrInUse and changes nothing; mounting while going online, and unmounting an offline volume, succeed",
			run:  patchMountOffline,
		},
		{
			name: "Volume/Patch/EmptyPatchChangesNothing",
			rule: "an empty patch returns the volume unchanged",
			run: func(e *env) {
				v := e.createVolume(backend.VolumeSpec{Name: e.name("empty"), Size: backend.Bytes(gib), JunctionPath: "/e", ExportPolicy: "p", Comment: "c"})
				got := e.patch(v.ID, backend.VolumePatch{})
				if d := volumeDiff(got, v); d != "" {
					e.errorf("empty patch returned a different volume: %s", d)
				}
				e.unchanged("after an empty patch", v)
			},
		},
		{
			name: "Volume/Patch/SamePatchTwiceGivesTheSameResult",
			rule: "applying the same patch again leaves the volume as the first application did",
			run: func(e *env) {
				v := e.volume("twice")
				p := backend.VolumePatch{Name: new(e.name("twice2")), Size: new(backend.Bytes(3 * gib)), State: new(backend.StateOnline),
					JunctionPath: new("/t"), ExportPolicy: new("pol"), Comment: new("again")}
				first := e.patch(v.ID, p)
				second := e.patch(v.ID, p)
				if d := volumeDiff(second, first); d != "" {
					e.errorf("second application differs from the first: %s", d)
				}
				e.stored("after the second patch", second)
			},
		},
		{
			name: "Volume/Patch/PatchValuesAreNotRetained",
			rule: "a backend copies what a patch points to: changing the caller's variables afterwards does not change the volume",
			run: func(e *env) {
				v := e.volume("keep")
				name, comment, size := e.name("kept"), "kept", backend.Bytes(5)
				got := e.patch(v.ID, backend.VolumePatch{Name: &name, Comment: &comment, Size: &size})
				name, comment, size = e.name("changed"), "changed", backend.Bytes(6)
				_, _, _ = name, comment, size
				e.stored("after changing the patch's variables", got)
			},
		},
		{
			name: "Volume/AccessHandle/LiveVolumeHasAValidHandle",
			rule: "AccessHandle succeeds for a live volume and returns a handle of a defined kind with the fields that kind needs (in_memory: none; nfs_export: server and absolute path) (upstream V-7)",
			run: func(e *env) {
				v := e.volume("access")
				h, err := e.b.AccessHandle(e.ctx, v.ID)
				e.ok("AccessHandle", err)
				if p := handleProblem(h); p != "" {
					e.errorf("AccessHandle returned %+v: %s", h, p)
				}
			},
		},
		{
			name: "Volume/AccessHandle/UnknownOrDeletedVolumeIsVolumeNotFound",
			rule: "AccessHandle of an ID that names no live volume fails with ErrVolumeNotFound",
			run: func(e *env) {
				_, err := e.b.AccessHandle(e.ctx, backend.NewVolumeID())
				e.want("AccessHandle of a fresh ID", err, backend.ErrVolumeNotFound)
				v := e.volume("gone")
				e.ok("DeleteVolume", e.b.DeleteVolume(e.ctx, v.ID))
				_, err = e.b.AccessHandle(e.ctx, v.ID)
				e.want("AccessHandle of a deleted volume", err, backend.ErrVolumeNotFound)
			},
		},
		{
			name: "Volume/Values/ReturnedVolumesBelongToTheCaller",
			rule: "values a backend returns belong to the caller: mutating a volume from CreateVolume, GetVolume, ListVolumes or PatchVolume never changes what the backend reports",
			run:  volumeValuesOwned,
		},
	}
}

func volumeLifecycle(e *env) {
	name := e.name("life")
	v := e.createVolume(backend.VolumeSpec{Name: name, Size: backend.Bytes(gib)}) // V-1
	if v.Name != name {                                                           // V-2
		e.errorf("V-2: CreateVolume returned name %q, want %q", v.Name, name)
	}
	got := e.get(v.ID) // V-3
	if got.ID != v.ID || got.Name != name {
		e.errorf("V-3: GetVolume returned %q (%s), want %q (%s)", got.Name, got.ID, name, v.ID)
	}
	if _, ok := findVolume(e.list(), v.ID); !ok { // V-4
		e.errorf("V-4: ListVolumes lacks the new volume %s", v.ID)
	}
	p := e.patch(v.ID, backend.VolumePatch{Size: new(backend.Bytes(2 * gib))}) // V-5
	if p.Size != backend.Bytes(2*gib) {
		e.errorf("V-5: PatchVolume(size=2GiB) returned size %v", p.Size)
	}
	if g := e.get(v.ID); g.Size != backend.Bytes(2*gib) { // V-6
		e.errorf("V-6: GetVolume after resize reports size %v, want %d", g.Size, 2*gib)
	}
	_, err := e.b.AccessHandle(e.ctx, v.ID) // V-7
	e.ok("V-7: AccessHandle", err)
	e.ok("V-8: DeleteVolume", e.b.DeleteVolume(e.ctx, v.ID))
	e.gone("V-9/V-10: after DeleteVolume", v.ID)
}

func createReturnsFullVolume(e *env) {
	spec := backend.VolumeSpec{Name: e.name("full"), Size: backend.Bytes(3 * gib), JunctionPath: "/" + e.name("full"),
		ExportPolicy: "default", Comment: "made by the conformance suite, ünïcödé"}
	before := time.Now()
	v := e.createVolume(spec)
	after := time.Now()
	if v.ID.IsZero() {
		e.errorf("CreateVolume returned the nil UUID as ID")
	}
	want := backend.Volume{ID: v.ID, Name: spec.Name, Size: spec.Size, State: backend.StateOnline, Style: backend.StyleFlexVol,
		Type: backend.TypeRW, JunctionPath: spec.JunctionPath, ExportPolicy: spec.ExportPolicy, Comment: spec.Comment,
		CreateTime: v.CreateTime, UsedBytes: v.UsedBytes}
	if d := volumeDiff(v, want); d != "" {
		e.errorf("CreateVolume returned %s", d)
	}
	e.saneTime("CreateVolume", v.CreateTime, before, after)
	e.stored("CreateVolume", v)
	other := e.volume("other")
	if other.ID == v.ID {
		e.errorf("two volumes got the same ID %s", v.ID)
	}
}

func createInvalidFields(e *env) {
	name := e.name("field")
	bad := []struct {
		why  string
		spec backend.VolumeSpec
	}{
		{"a relative junction path", backend.VolumeSpec{Name: name, JunctionPath: "relative/path"}},
		{"a junction path with NUL", backend.VolumeSpec{Name: name, JunctionPath: "/a\x00b"}},
		{"an export policy with NUL", backend.VolumeSpec{Name: name, ExportPolicy: "p\x00"}},
		{"an export policy that is not UTF-8", backend.VolumeSpec{Name: name, ExportPolicy: "\xff"}},
		{"an over-long export policy", backend.VolumeSpec{Name: name, ExportPolicy: strings.Repeat("p", backend.MaxNameLen+1)}},
		{"an over-long comment", backend.VolumeSpec{Name: name, Comment: strings.Repeat("c", backend.MaxCommentLen+1)}},
		{"a comment that is not UTF-8", backend.VolumeSpec{Name: name, Comment: "ok\xfe"}},
	}
	for _, b := range bad {
		_, err := e.b.CreateVolume(e.ctx, b.spec)
		e.want("CreateVolume with "+b.why, err, backend.ErrInvalidArgument)
	}
	if n := countNamed(e.list(), name); n != 0 {
		e.errorf("refused creates left %d volumes named %q", n, name)
	}
	e.createVolume(backend.VolumeSpec{Name: name}) // the name was never taken
}

func createDeleteCycles(e *env) {
	spec := backend.VolumeSpec{Name: e.name("cycle"), Size: backend.Bytes(gib), Comment: "cycle"}
	var first backend.Volume
	for i := range 5 {
		v, err := e.b.CreateVolume(e.ctx, spec)
		e.ok(fmt.Sprintf("cycle %d: CreateVolume", i), err)
		e.track(e.b, v.ID)
		if i == 0 {
			first = v
		} else {
			want := first
			want.ID, want.CreateTime, want.UsedBytes = v.ID, v.CreateTime, v.UsedBytes
			if d := volumeDiff(v, want); d != "" {
				e.errorf("cycle %d: CreateVolume returned a different volume than cycle 0: %s", i, d)
			}
		}
		e.stored(fmt.Sprintf("cycle %d", i), v)
		e.ok(fmt.Sprintf("cycle %d: DeleteVolume", i), e.b.DeleteVolume(e.ctx, v.ID))
		e.gone(fmt.Sprintf("cycle %d", i), v.ID)
		e.want(fmt.Sprintf("cycle %d: second DeleteVolume", i), e.b.DeleteVolume(e.ctx, v.ID), backend.ErrVolumeNotFound)
	}
}

func patchEveryField(e *env) {
	v := e.createVolume(backend.VolumeSpec{Name: e.name("every"), Size: backend.Bytes(gib), Comment: "before"})
	p := backend.VolumePatch{
		Name:         new(e.name("every2")),
		Size:         new(backend.Bytes(5 * gib)),
		State:        new(backend.StateOnline),
		JunctionPath: new("/" + e.name("every2")),
		ExportPolicy: new("exports"),
		Comment:      new("after"),
	}
	got := e.patch(v.ID, p)
	want := v
	want.Name, want.Size, want.State, want.JunctionPath, want.ExportPolicy, want.Comment =
		*p.Name, *p.Size, *p.State, *p.JunctionPath, *p.ExportPolicy, *p.Comment
	want.UsedBytes = got.UsedBytes
	if d := volumeDiff(got, want); d != "" {
		e.errorf("PatchVolume(%s) returned %s", describePatch(p), d)
	}
	e.stored("after PatchVolume", got)
}

func patchInvalid(e *env) {
	v := e.createVolume(backend.VolumeSpec{Name: e.name("inv"), Size: backend.Bytes(gib), JunctionPath: "/inv", Comment: "c"})
	var bad []backend.VolumePatch
	for _, n := range e.invalidNames() {
		bad = append(bad, backend.VolumePatch{Name: new(n.name)})
	}
	bad = append(bad,
		backend.VolumePatch{State: new(backend.VolumeState("melting"))},
		backend.VolumePatch{State: new(backend.VolumeState(""))},
		backend.VolumePatch{JunctionPath: new("/a\x00b")},
		backend.VolumePatch{ExportPolicy: new("p\x00")},
		backend.VolumePatch{Comment: new(strings.Repeat("c", backend.MaxCommentLen+1))},
		backend.VolumePatch{Comment: new("fine"), Size: new(backend.Bytes(1)), Name: new("")},
		backend.VolumePatch{Name: new(e.name("fine")), JunctionPath: new("relative")},
	)
	for _, p := range bad {
		_, err := e.b.PatchVolume(e.ctx, v.ID, p)
		e.want(fmt.Sprintf("PatchVolume(%s)", describePatch(p)), err, backend.ErrInvalidArgument)
	}
	e.unchanged("after the refused patches", v)
}

func patchUnknown(e *env) {
	deleted := e.volume("deleted")
	e.ok("DeleteVolume", e.b.DeleteVolume(e.ctx, deleted.ID))
	patches := []backend.VolumePatch{
		{},
		{Comment: new("valid")},
		{Name: new("")},
		{State: new(backend.VolumeState("melting"))},
		{JunctionPath: new("relative")},
	}
	for _, id := range []backend.VolumeID{backend.NewVolumeID(), deleted.ID} {
		for _, p := range patches {
			_, err := e.b.PatchVolume(e.ctx, id, p)
			e.want(fmt.Sprintf("PatchVolume(%s) of an unknown volume", describePatch(p)), err, backend.ErrVolumeNotFound)
		}
	}
}

func patchMountOffline(e *env) {
	v := e.volume("offline")
	off := e.patch(v.ID, backend.VolumePatch{State: new(backend.StateOffline)})
	_, err := e.b.PatchVolume(e.ctx, v.ID, backend.VolumePatch{JunctionPath: new("/x"), Comment: new("x")})
	e.want("mounting an offline volume", err, backend.ErrInUse)
	e.unchanged("after the refused mount", off)

	restricted := e.patch(v.ID, backend.VolumePatch{State: new(backend.StateRestricted)})
	_, err = e.b.PatchVolume(e.ctx, v.ID, backend.VolumePatch{JunctionPath: new("/x")})
	e.want("mounting a restricted volume", err, backend.ErrInUse)
	e.unchanged("after the refused mount", restricted)

	unmounted := e.patch(v.ID, backend.VolumePatch{JunctionPath: new("")})
	if unmounted.JunctionPath != "" || unmounted.State != backend.StateRestricted {
		e.errorf("unmounting a restricted volume returned state %s, junction path %q", unmounted.State, unmounted.JunctionPath)
	}

	on := e.patch(v.ID, backend.VolumePatch{State: new(backend.StateOnline), JunctionPath: new("/x")})
	if on.State != backend.StateOnline || on.JunctionPath != "/x" {
		e.errorf("going online and mounting in one patch returned state %s, junction path %q; want online at /x", on.State, on.JunctionPath)
	}
	e.stored("after going online and mounting", on)

	_, err = e.b.PatchVolume(e.ctx, v.ID, backend.VolumePatch{State: new(backend.StateOffline), JunctionPath: new("/y")})
	e.want("going offline and mounting in one patch", err, backend.ErrInUse)
	e.unchanged("after the refused patch", on)
}

// handleProblem says what is wrong with an access handle, or returns "".
func handleProblem(h backend.AccessHandle) string {
	switch h.Kind {
	case backend.AccessInMemory:
		if h.Server != "" || h.Path != "" {
			return "an in_memory handle carries no server or path"
		}
	case backend.AccessNFSExport:
		if h.Server == "" || !strings.HasPrefix(h.Path, "/") {
			return "an nfs_export handle needs a server and an absolute path"
		}
	case backend.AccessS3Presigned, backend.AccessGitRef, backend.AccessONTAPPassthrough:
	default:
		return fmt.Sprintf("kind %q is not a defined AccessKind", h.Kind)
	}
	return ""
}

func volumeValuesOwned(e *env) {
	v := e.createVolume(backend.VolumeSpec{Name: e.name("own"), Size: backend.Bytes(gib), JunctionPath: "/own", Comment: "mine"})
	keep := v
	scribble := func(x *backend.Volume) {
		x.Name, x.Comment, x.JunctionPath, x.ExportPolicy = "scribbled", "scribbled", "/scribbled", "scribbled"
		x.Size, x.State, x.CreateTime = backend.Bytes(1), backend.StateOffline, time.Time{}
	}
	scribble(&v)
	e.unchanged("after mutating CreateVolume's result", keep)
	g := e.get(keep.ID)
	scribble(&g)
	e.unchanged("after mutating GetVolume's result", keep)
	list := e.list()
	for i := range list {
		scribble(&list[i])
	}
	e.stored("after mutating ListVolumes' result", keep)
	p := e.patch(keep.ID, backend.VolumePatch{Comment: new("patched")})
	keep = p
	scribble(&p)
	e.stored("after mutating PatchVolume's result", keep)
}
