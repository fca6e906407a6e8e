package backendtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/internal/text"
)

const gib = 1 << 30

// env is what a case sees: one fresh backend viewed through each tier it
// implements, a reporter, and helpers that fail the case on unexpected
// errors and remember what they created.
type env struct {
	ctx   context.Context
	r     reporter
	b     backend.VolumeBackend
	s     backend.SnapshotBackend    // nil without the snapshot tier
	c     backend.CloneBackend       // nil without the clone tier
	rp    backend.ReplicationBackend // nil without the replication tier
	o     *Options
	token string
	peer  func() backend.VolumeBackend // another fresh backend

	mu   sync.Mutex
	made []made // volumes created, for Options.Teardown
}

type made struct {
	b  backend.VolumeBackend
	id backend.VolumeID
}

func newEnv(ctx context.Context, r reporter, b backend.VolumeBackend, o *Options, peer func() backend.VolumeBackend) *env {
	e := &env{ctx: ctx, r: r, b: b, o: o, token: newToken(), peer: peer}
	e.s, _ = b.(backend.SnapshotBackend)
	e.c, _ = b.(backend.CloneBackend)
	e.rp, _ = b.(backend.ReplicationBackend)
	return e
}

func (e *env) errorf(format string, args ...any) {
	e.r.Helper()
	e.r.Errorf(format, args...)
}

func (e *env) fatalf(format string, args ...any) {
	e.r.Helper()
	e.r.Fatalf(format, args...)
}

// name returns a name unique to this case: prefix_token_tag.
func (e *env) name(tag string) string { return e.o.NamePrefix + "_" + e.token + "_" + tag }

// ours reports whether a name was made by this case.
func (e *env) ours(name string) bool {
	return strings.HasPrefix(name, e.o.NamePrefix+"_"+e.token+"_")
}

func (e *env) track(b backend.VolumeBackend, id backend.VolumeID) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.made = append(e.made, made{b, id})
}

// teardown deletes every volume the case created, newest first, in
// passes, so clones go before the volumes they pin. Objects already gone
// are fine; anything left after the passes is reported.
func (e *env) teardown() {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(e.ctx), time.Minute)
	defer cancel()
	e.mu.Lock()
	left := append([]made(nil), e.made...)
	e.mu.Unlock()
	// Sweep up what a misbehaving backend created without reporting it,
	// such as a volume made by a call that should have failed.
	if vs, err := e.b.ListVolumes(ctx); err == nil {
		for _, v := range vs {
			if e.ours(v.Name) && !slices.ContainsFunc(left, func(m made) bool { return m.id == v.ID }) {
				left = append(left, made{e.b, v.ID})
			}
		}
	}
	for pass := 0; len(left) > 0 && pass <= len(left); pass++ {
		var next []made
		for i := len(left) - 1; i >= 0; i-- {
			m := left[i]
			if err := m.b.DeleteVolume(ctx, m.id); err != nil && !errors.Is(err, backend.ErrVolumeNotFound) {
				next = append([]made{m}, next...)
			}
		}
		if len(next) == len(left) {
			break
		}
		left = next
	}
	for _, m := range left {
		err := m.b.DeleteVolume(ctx, m.id)
		if err != nil && !errors.Is(err, backend.ErrVolumeNotFound) {
			e.errorf("teardown: DeleteVolume(%s): %v", m.id, err)
		}
	}
}

// ok fails the case at once if err is not nil.
func (e *env) ok(call string, err error) {
	e.r.Helper()
	if err != nil {
		e.fatalf("%s: unexpected error: %v", call, err)
	}
}

// spec is the plain spec the helpers use: a unique name and 1 GiB.
func (e *env) spec(tag string) backend.VolumeSpec {
	return backend.VolumeSpec{Name: e.name(tag), Size: backend.Bytes(gib)}
}

func (e *env) createVolume(spec backend.VolumeSpec) backend.Volume {
	e.r.Helper()
	v, err := e.b.CreateVolume(e.ctx, spec)
	e.ok(fmt.Sprintf("CreateVolume(%q)", spec.Name), err)
	e.track(e.b, v.ID)
	return v
}

// volume creates a 1 GiB volume named after tag.
func (e *env) volume(tag string) backend.Volume {
	e.r.Helper()
	return e.createVolume(e.spec(tag))
}

func (e *env) snapshot(vol backend.VolumeID, tag string) backend.Snapshot {
	e.r.Helper()
	s, err := e.s.CreateSnapshot(e.ctx, vol, backend.SnapshotSpec{Name: e.name(tag)})
	e.ok(fmt.Sprintf("CreateSnapshot(%q)", e.name(tag)), err)
	return s
}

func (e *env) clone(parent backend.VolumeID, snap backend.SnapshotID, tag string) backend.Volume {
	e.r.Helper()
	v, err := e.c.CreateClone(e.ctx, backend.CloneSpec{ParentVolume: parent, ParentSnapshot: snap, Name: e.name(tag)})
	e.ok(fmt.Sprintf("CreateClone(%q)", e.name(tag)), err)
	e.track(e.b, v.ID)
	return v
}

func (e *env) get(id backend.VolumeID) backend.Volume {
	e.r.Helper()
	v, err := e.b.GetVolume(e.ctx, id)
	e.ok("GetVolume", err)
	return v
}

func (e *env) list() []backend.Volume {
	e.r.Helper()
	vs, err := e.b.ListVolumes(e.ctx)
	e.ok("ListVolumes", err)
	return vs
}

func (e *env) patch(id backend.VolumeID, p backend.VolumePatch) backend.Volume {
	e.r.Helper()
	v, err := e.b.PatchVolume(e.ctx, id, p)
	e.ok(fmt.Sprintf("PatchVolume(%s)", describePatch(p)), err)
	return v
}

func (e *env) getSnap(vol backend.VolumeID, snap backend.SnapshotID) backend.Snapshot {
	e.r.Helper()
	s, err := e.s.GetSnapshot(e.ctx, vol, snap)
	e.ok("GetSnapshot", err)
	return s
}

func (e *env) snaps(vol backend.VolumeID) []backend.Snapshot {
	e.r.Helper()
	ss, err := e.s.ListSnapshots(e.ctx, vol)
	e.ok("ListSnapshots", err)
	return ss
}

func findVolume(vs []backend.Volume, id backend.VolumeID) (backend.Volume, bool) {
	for _, v := range vs {
		if v.ID == id {
			return v, true
		}
	}
	return backend.Volume{}, false
}

func findSnapshot(ss []backend.Snapshot, id backend.SnapshotID) (backend.Snapshot, bool) {
	for _, s := range ss {
		if s.ID == id {
			return s, true
		}
	}
	return backend.Snapshot{}, false
}

func countNamed(vs []backend.Volume, name string) int {
	n := 0
	for _, v := range vs {
		if v.Name == name {
			n++
		}
	}
	return n
}

func snapNames(ss []backend.Snapshot) []string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.Name
	}
	return names
}

// stored checks that Get and List both report a volume equal to v.
func (e *env) stored(what string, v backend.Volume) {
	e.r.Helper()
	got, err := e.b.GetVolume(e.ctx, v.ID)
	if err != nil {
		e.errorf("%s: GetVolume: %v", what, err)
	} else if d := volumeDiff(got, v); d != "" {
		e.errorf("%s: GetVolume differs from the value returned earlier: %s", what, d)
	}
	listed, ok := findVolume(e.list(), v.ID)
	if !ok {
		e.errorf("%s: ListVolumes lacks volume %q (%s)", what, v.Name, v.ID)
	} else if d := volumeDiff(listed, v); d != "" {
		e.errorf("%s: ListVolumes differs from the value returned earlier: %s", what, d)
	}
}

// snapStored checks that GetSnapshot and ListSnapshots both report a
// snapshot equal to s.
func (e *env) snapStored(what string, vol backend.VolumeID, s backend.Snapshot) {
	e.r.Helper()
	got, err := e.s.GetSnapshot(e.ctx, vol, s.ID)
	if err != nil {
		e.errorf("%s: GetSnapshot: %v", what, err)
	} else if d := snapshotDiff(got, s); d != "" {
		e.errorf("%s: GetSnapshot differs from the value returned earlier: %s", what, d)
	}
	listed, ok := findSnapshot(e.snaps(vol), s.ID)
	if !ok {
		e.errorf("%s: ListSnapshots lacks snapshot %q (%s)", what, s.Name, s.ID)
	} else if d := snapshotDiff(listed, s); d != "" {
		e.errorf("%s: ListSnapshots differs from the value returned earlier: %s", what, d)
	}
}

// unchanged checks that the volume still equals before, after a call that
// should have had no effect.
func (e *env) unchanged(what string, before backend.Volume) {
	e.r.Helper()
	got, err := e.b.GetVolume(e.ctx, before.ID)
	if err != nil {
		e.errorf("%s: the volume should be unchanged, but GetVolume fails: %v", what, err)
	} else if d := volumeDiff(got, before); d != "" {
		e.errorf("%s: the volume changed: %s", what, d)
	}
}

// snapsUnchanged checks that the volume's snapshot list still equals before.
func (e *env) snapsUnchanged(what string, vol backend.VolumeID, before []backend.Snapshot) {
	e.r.Helper()
	got, err := e.s.ListSnapshots(e.ctx, vol)
	if err != nil {
		e.errorf("%s: the snapshots should be unchanged, but ListSnapshots fails: %v", what, err)
		return
	}
	if d := snapshotsDiff(got, before); d != "" {
		e.errorf("%s: the snapshots changed: %s", what, d)
	}
}

// gone checks that a volume no longer exists by every read path.
func (e *env) gone(what string, id backend.VolumeID) {
	e.r.Helper()
	_, err := e.b.GetVolume(e.ctx, id)
	e.want(what+": GetVolume", err, backend.ErrVolumeNotFound)
	if v, ok := findVolume(e.list(), id); ok {
		e.errorf("%s: ListVolumes still has volume %q (%s)", what, v.Name, id)
	}
}

// want checks that err is a *backend.Error of the wanted kind (and, for
// not-found, of the wanted resource only). It reports and returns false
// otherwise.
func (e *env) want(call string, err, want error) bool {
	e.r.Helper()
	if p := errProblem(err, want); p != "" {
		e.errorf("%s: %s", call, p)
		return false
	}
	return true
}

// errProblem says how err falls short of being a backend error of kind
// want, or returns "".
func errProblem(err, want error) string {
	if err == nil {
		return fmt.Sprintf("succeeded, want error %q", want)
	}
	if !errors.Is(err, want) {
		return fmt.Sprintf("got error %q, want error %q", err, want)
	}
	var be *backend.Error
	if !errors.As(err, &be) {
		return fmt.Sprintf("error %q is a %T, want a *backend.Error", err, err)
	}
	wantKind := backend.KindOf(want)
	if wantKind == 0 {
		wantKind = backend.KindNotFound // ErrVolumeNotFound, ErrSnapshotNotFound
	}
	if k := backend.KindOf(err); k != wantKind {
		return fmt.Sprintf("error %q has kind %q, want %q", err, k, wantKind)
	}
	switch {
	case want == backend.ErrVolumeNotFound && errors.Is(err, backend.ErrSnapshotNotFound),
		want == backend.ErrSnapshotNotFound && errors.Is(err, backend.ErrVolumeNotFound):
		return fmt.Sprintf("error %q matches both volume and snapshot not-found, want only %q", err, want)
	}
	return ""
}

// wantCtx checks that err is exactly the context error want, unwrapped.
func (e *env) wantCtx(call string, err, want error) {
	e.r.Helper()
	switch {
	case err == want:
	case err == nil:
		e.errorf("%s with a done context: succeeded, want %v", call, want)
	case errors.Is(err, want):
		e.errorf("%s with a done context: error %q wraps %v; want the context's error itself", call, err, want)
	default:
		e.errorf("%s with a done context: got %v, want %v", call, err, want)
	}
}

// saneTime checks a creation time against the local clock around the call.
func (e *env) saneTime(what string, got, before, after time.Time) {
	e.r.Helper()
	if got.IsZero() {
		e.errorf("%s: creation time is zero, want the time of creation", what)
		return
	}
	lo, hi := before.Add(-e.o.ClockSkew), after.Add(e.o.ClockSkew)
	if got.Before(lo) || got.After(hi) {
		e.errorf("%s: creation time %s is not within %s of the call (%s..%s)", what,
			got.Format(time.RFC3339Nano), e.o.ClockSkew, before.Format(time.RFC3339Nano), after.Format(time.RFC3339Nano))
	}
}

// volumeDiff lists the fields in which got differs from want, or returns "".
func volumeDiff(got, want backend.Volume) string {
	var d []string
	add := func(field string, g, w any) { d = append(d, fmt.Sprintf("%s %v, want %v", field, g, w)) }
	if got.ID != want.ID {
		add("ID", got.ID, want.ID)
	}
	if got.Name != want.Name {
		add("name", fmt.Sprintf("%q", got.Name), fmt.Sprintf("%q", want.Name))
	}
	if got.Size != want.Size {
		add("size", got.Size, want.Size)
	}
	if got.State != want.State {
		add("state", got.State, want.State)
	}
	if got.Style != want.Style {
		add("style", got.Style, want.Style)
	}
	if got.Type != want.Type {
		add("type", got.Type, want.Type)
	}
	switch {
	case got.Clone == nil && want.Clone != nil:
		add("clone origin", "none", *want.Clone)
	case got.Clone != nil && want.Clone == nil:
		add("clone origin", *got.Clone, "none")
	case got.Clone != nil && *got.Clone != *want.Clone:
		add("clone origin", *got.Clone, *want.Clone)
	}
	if got.JunctionPath != want.JunctionPath {
		add("junction path", fmt.Sprintf("%q", got.JunctionPath), fmt.Sprintf("%q", want.JunctionPath))
	}
	if got.ExportPolicy != want.ExportPolicy {
		add("export policy", fmt.Sprintf("%q", got.ExportPolicy), fmt.Sprintf("%q", want.ExportPolicy))
	}
	if got.Comment != want.Comment {
		add("comment", fmt.Sprintf("%q", got.Comment), fmt.Sprintf("%q", want.Comment))
	}
	if !got.CreateTime.Equal(want.CreateTime) {
		add("create time", got.CreateTime, want.CreateTime)
	}
	if got.UsedBytes != want.UsedBytes {
		add("used bytes", got.UsedBytes, want.UsedBytes)
	}
	if !bytes.Equal(got.Attributes, want.Attributes) {
		add("attributes", fmt.Sprintf("%q", got.Attributes), fmt.Sprintf("%q", want.Attributes))
	}
	return strings.Join(d, "; ")
}

// snapshotDiff lists the fields in which got differs from want, or "".
func snapshotDiff(got, want backend.Snapshot) string {
	var d []string
	add := func(field string, g, w any) { d = append(d, fmt.Sprintf("%s %v, want %v", field, g, w)) }
	if got.ID != want.ID {
		add("ID", got.ID, want.ID)
	}
	if got.Name != want.Name {
		add("name", fmt.Sprintf("%q", got.Name), fmt.Sprintf("%q", want.Name))
	}
	if !got.CreateTime.Equal(want.CreateTime) {
		add("create time", got.CreateTime, want.CreateTime)
	}
	if got.SizeConsumed != want.SizeConsumed {
		add("size consumed", got.SizeConsumed, want.SizeConsumed)
	}
	if got.Comment != want.Comment {
		add("comment", fmt.Sprintf("%q", got.Comment), fmt.Sprintf("%q", want.Comment))
	}
	if !bytes.Equal(got.Attributes, want.Attributes) {
		add("attributes", fmt.Sprintf("%q", got.Attributes), fmt.Sprintf("%q", want.Attributes))
	}
	return strings.Join(d, "; ")
}

// snapshotsDiff compares two snapshot lists in order.
func snapshotsDiff(got, want []backend.Snapshot) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d snapshots %q, want %d %q", len(got), snapNames(got), len(want), snapNames(want))
	}
	for i := range got {
		if d := snapshotDiff(got[i], want[i]); d != "" {
			return fmt.Sprintf("snapshot %d: %s", i, d)
		}
	}
	return ""
}

// describePatch renders the set fields of a patch for messages.
func describePatch(p backend.VolumePatch) string {
	var f []string
	if p.Name != nil {
		f = append(f, fmt.Sprintf("name=%q", text.Truncate(*p.Name, 40)))
	}
	if p.Size != nil {
		f = append(f, "size="+p.Size.String())
	}
	if p.State != nil {
		f = append(f, fmt.Sprintf("state=%q", text.Truncate(string(*p.State), 40)))
	}
	if p.JunctionPath != nil {
		f = append(f, fmt.Sprintf("junction_path=%q", text.Truncate(*p.JunctionPath, 40)))
	}
	if p.ExportPolicy != nil {
		f = append(f, fmt.Sprintf("export_policy=%q", text.Truncate(*p.ExportPolicy, 40)))
	}
	if p.Comment != nil {
		f = append(f, fmt.Sprintf("comment=%q", text.Truncate(*p.Comment, 40)))
	}
	if p.Attributes != nil {
		f = append(f, fmt.Sprintf("attributes=%s", text.Truncate(string(p.Attributes), 40)))
	}
	return "{" + strings.Join(f, " ") + "}"
}

// invalidNames returns names every backend must reject, each labelled with
// its flaw. Where possible they embed the case's token so a leak is
// recognisable.
func (e *env) invalidNames() []struct{ why, name string } {
	base := e.name("bad")
	return []struct{ why, name string }{
		{"empty", ""},
		{"contains '/'", base + "/x"},
		{"contains NUL", base + "\x00x"},
		{"longer than MaxNameLen", base + strings.Repeat("x", backend.MaxNameLen+1-len(base))},
		{"invalid UTF-8", base + "\xff\xfe"},
	}
}
