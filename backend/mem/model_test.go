package mem_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/mem"
)

var modelSeed = flag.Uint64("mem.modelseed", 0, "seed for TestMatchesReferenceModel (0: pick one and log it)")

// The reference model: plain maps and slices, dependencies found by
// scanning rather than counted, so it shares no logic with the backend.
type modelSnap struct {
	id   backend.SnapshotID
	name string
	size backend.Size
}

type modelVol struct {
	id     backend.VolumeID
	name   string
	size   backend.Size
	parent *modelOrigin // nil if not a clone
	snaps  []modelSnap
	attrs  map[string]int
}

type modelOrigin struct {
	vol  backend.VolumeID
	snap backend.SnapshotID
	// frozen holds the origin names once a lenient backend deleted the
	// snapshot (or its volume); the clone then depends on nothing.
	frozen *[2]string
}

type model struct {
	vols    map[backend.VolumeID]*modelVol
	lenient bool
}

// freeze detaches the clones of snapshot snap of v (lenient deletes).
func (m *model) freeze(v *modelVol, snap modelSnap) {
	for _, c := range m.vols {
		if o := c.parent; o != nil && o.frozen == nil && o.vol == v.id && o.snap == snap.id {
			o.frozen = &[2]string{v.name, snap.name}
		}
	}
}

func (m *model) byName(name string) *modelVol {
	for _, v := range m.vols {
		if v.name == name {
			return v
		}
	}
	return nil
}

func (m *model) dependents(vol backend.VolumeID, snap backend.SnapshotID) int {
	n := 0
	for _, v := range m.vols {
		if v.parent != nil && v.parent.frozen == nil && v.parent.vol == vol && v.parent.snap == snap {
			n++
		}
	}
	return n
}

func (v *modelVol) snap(id backend.SnapshotID) int {
	return slices.IndexFunc(v.snaps, func(s modelSnap) bool { return s.id == id })
}

func (v *modelVol) snapNamed(name string) int {
	return slices.IndexFunc(v.snaps, func(s modelSnap) bool { return s.name == name })
}

// render is what the model predicts ListVolumes and ListSnapshots show.
func (m *model) render() []string {
	var out []string
	for _, v := range m.vols {
		line := fmt.Sprintf("%s %q size=%v attrs=%v", v.id, v.name, v.size, v.attrs)
		if o := v.parent; o != nil && o.frozen != nil {
			line += fmt.Sprintf(" clone-of=%q@%q", o.frozen[0], o.frozen[1])
		} else if o != nil {
			p := m.vols[o.vol]
			line += fmt.Sprintf(" clone-of=%q@%q", p.name, p.snaps[p.snap(o.snap)].name)
		}
		for _, s := range v.snaps {
			line += fmt.Sprintf(" [%s %q]", s.id, s.name)
		}
		out = append(out, line)
	}
	slices.Sort(out)
	return out
}

func renderBackend(t *testing.T, b *mem.Backend) []string {
	t.Helper()
	list, err := b.ListVolumes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range list {
		var attrs map[string]int
		if v.Attributes != nil {
			if err := json.Unmarshal(v.Attributes, &attrs); err != nil || len(attrs) == 0 {
				t.Fatalf("volume %q: attributes %s: %v", v.Name, v.Attributes, err)
			}
		}
		line := fmt.Sprintf("%s %q size=%v attrs=%v", v.ID, v.Name, v.Size, attrs)
		if v.Clone != nil {
			line += fmt.Sprintf(" clone-of=%q@%q", v.Clone.ParentVolume, v.Clone.ParentSnapshot)
		}
		snaps, err := b.ListSnapshots(ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range snaps {
			line += fmt.Sprintf(" [%s %q]", s.ID, s.Name)
		}
		out = append(out, line)
	}
	slices.Sort(out)
	return out
}

// TestMatchesReferenceModel runs long random operation sequences against
// both the backend and the model and requires the same outcome (error kind
// or success) and the same observable state after every step.
func TestMatchesReferenceModel(t *testing.T) {
	seed := *modelSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (replay with -mem.modelseed=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	for run := range 20 {
		// Every other run is lenient, held to the lenient model.
		lenient := run%2 == 1
		b := newBackend(t, &mem.Options{Lenient: lenient})
		m := &model{vols: map[backend.VolumeID]*modelVol{}, lenient: lenient}
		var trace []string
		for step := range 150 {
			desc, want, got := modelStep(b, m, rng)
			trace = append(trace, fmt.Sprintf("%s -> want %v, got %v", desc, want, got))
			if want != got {
				t.Fatalf("run %d step %d: outcome differs\n%s", run, step, strings.Join(trace, "\n"))
			}
			if w, g := m.render(), renderBackend(t, b); !reflect.DeepEqual(w, g) {
				t.Fatalf("run %d step %d: state differs\nmodel   %q\nbackend %q\ntrace:\n%s", run, step, w, g, strings.Join(trace, "\n"))
			}
		}
	}
}

// modelStep applies one random operation to both and returns a
// description and the predicted and actual error kinds (0 for success).
func modelStep(b *mem.Backend, m *model, rng *rand.Rand) (string, backend.Kind, backend.Kind) {
	pick := func() *modelVol {
		if len(m.vols) == 0 || rng.IntN(12) == 0 {
			return &modelVol{id: backend.NewVolumeID(), name: "ghost"}
		}
		ids := make([]backend.VolumeID, 0, len(m.vols))
		for id := range m.vols {
			ids = append(ids, id)
		}
		slices.SortFunc(ids, func(a, b backend.VolumeID) int { return strings.Compare(a.String(), b.String()) })
		return m.vols[ids[rng.IntN(len(ids))]]
	}
	pickSnap := func(v *modelVol) modelSnap {
		if len(v.snaps) == 0 || rng.IntN(10) == 0 {
			return modelSnap{id: backend.NewSnapshotID(), name: "ghost"}
		}
		return v.snaps[rng.IntN(len(v.snaps))]
	}
	name := []string{"a", "b", "c", "d", "e", "f", "", "x/y"}[rng.IntN(8)]
	size := []backend.Size{backend.Unlimited, backend.Bytes(0), backend.Bytes(1 << 20), backend.Bytes(rng.Uint64())}[rng.IntN(4)]
	validName := backend.ValidateName(name) == nil || m.lenient

	v := pick()
	_, exists := m.vols[v.id]
	s := pickSnap(v)
	si := v.snap(s.id)

	switch op := rng.IntN(12); op {
	case 0: // create
		want := backend.Kind(0)
		switch {
		case !validName:
			want = backend.KindInvalidArgument
		case m.byName(name) != nil:
			want = backend.KindAlreadyExists
		}
		got, err := b.CreateVolume(ctx, backend.VolumeSpec{Name: name, Size: size})
		if err == nil {
			m.vols[got.ID] = &modelVol{id: got.ID, name: name, size: size}
		}
		return fmt.Sprintf("create %q", name), want, backend.KindOf(err)
	case 1: // delete volume
		want := backend.Kind(0)
		if !exists {
			want = backend.KindNotFound
		} else if !m.lenient {
			for _, sn := range v.snaps {
				if m.dependents(v.id, sn.id) > 0 {
					want = backend.KindInUse
				}
			}
		}
		err := b.DeleteVolume(ctx, v.id)
		if err == nil {
			for _, sn := range v.snaps {
				m.freeze(v, sn)
			}
			delete(m.vols, v.id)
		}
		return fmt.Sprintf("delete %q", v.name), want, backend.KindOf(err)
	case 2: // snapshot
		snapName := []string{"s1", "s2", "s3", "s4"}[rng.IntN(4)]
		want := backend.Kind(0)
		switch {
		case !exists:
			want = backend.KindNotFound
		case v.snapNamed(snapName) >= 0:
			want = backend.KindAlreadyExists
		}
		got, err := b.CreateSnapshot(ctx, v.id, backend.SnapshotSpec{Name: snapName})
		if err == nil {
			v.snaps = append(v.snaps, modelSnap{id: got.ID, name: snapName, size: v.size})
		}
		return fmt.Sprintf("snapshot %q@%q", v.name, snapName), want, backend.KindOf(err)
	case 3: // delete snapshot
		want := backend.Kind(0)
		switch {
		case !exists, si < 0:
			want = backend.KindNotFound
		case m.dependents(v.id, s.id) > 0 && !m.lenient:
			want = backend.KindInUse
		}
		err := b.DeleteSnapshot(ctx, v.id, s.id)
		if err == nil {
			m.freeze(v, s)
			v.snaps = slices.Delete(v.snaps, si, si+1)
		}
		return fmt.Sprintf("delete snapshot %q@%q", v.name, s.name), want, backend.KindOf(err)
	case 4: // clone
		want := backend.Kind(0)
		switch {
		case !exists, si < 0:
			want = backend.KindNotFound
		case !validName:
			want = backend.KindInvalidArgument
		case m.byName(name) != nil:
			want = backend.KindAlreadyExists
		}
		got, err := b.CreateClone(ctx, backend.CloneSpec{ParentVolume: v.id, ParentSnapshot: s.id, Name: name})
		if err == nil {
			size := s.size
			if m.lenient {
				size = v.size
			}
			m.vols[got.ID] = &modelVol{id: got.ID, name: name, size: size, parent: &modelOrigin{vol: v.id, snap: s.id}}
		}
		return fmt.Sprintf("clone %q@%q as %q", v.name, s.name, name), want, backend.KindOf(err)
	case 5: // split
		want := backend.Kind(0)
		switch {
		case !exists:
			want = backend.KindNotFound
		case v.parent == nil:
			want = backend.KindInvalidArgument
		}
		_, err := b.SplitClone(ctx, v.id)
		if err == nil {
			v.parent = nil
		}
		return fmt.Sprintf("split %q", v.name), want, backend.KindOf(err)
	case 6: // restore
		want := backend.Kind(0)
		switch {
		case !exists, si < 0:
			want = backend.KindNotFound
		default:
			for _, later := range v.snaps[si+1:] {
				if m.dependents(v.id, later.id) > 0 {
					want = backend.KindInUse
				}
			}
		}
		_, err := b.RestoreSnapshot(ctx, v.id, s.id)
		if err == nil {
			v.size = s.size
			v.snaps = slices.Clone(v.snaps[:si+1])
		}
		return fmt.Sprintf("restore %q@%q", v.name, s.name), want, backend.KindOf(err)
	case 7: // rename
		want := backend.Kind(0)
		switch {
		case !exists:
			want = backend.KindNotFound
		case !validName:
			want = backend.KindInvalidArgument
		case name != v.name && m.byName(name) != nil:
			want = backend.KindAlreadyExists
		}
		desc := fmt.Sprintf("rename %q to %q", v.name, name)
		_, err := b.PatchVolume(ctx, v.id, backend.VolumePatch{Name: &name})
		if err == nil {
			v.name = name
		}
		return desc, want, backend.KindOf(err)
	case 9: // clone of a snapshot taken now
		snapName := []string{"s1", "s2", "s3", "s4"}[rng.IntN(4)]
		want := backend.Kind(0)
		switch {
		case !exists:
			want = backend.KindNotFound
		case !validName:
			want = backend.KindInvalidArgument
		case m.byName(name) != nil, v.snapNamed(snapName) >= 0:
			want = backend.KindAlreadyExists
		}
		got, err := b.CreateClone(ctx, backend.CloneSpec{ParentVolume: v.id, NewSnapshotName: snapName, Name: name})
		if err == nil {
			v.snaps = append(v.snaps, modelSnap{id: got.Clone.ParentSnapshotID, name: snapName, size: v.size})
			m.vols[got.ID] = &modelVol{id: got.ID, name: name, size: v.size, parent: &modelOrigin{vol: v.id, snap: got.Clone.ParentSnapshotID}}
		}
		return fmt.Sprintf("clone %q@new %q as %q", v.name, snapName, name), want, backend.KindOf(err)
	case 10: // lookup by name
		want := backend.Kind(0)
		mv := m.byName(name)
		if mv == nil {
			want = backend.KindNotFound
		}
		got, err := b.VolumeByName(ctx, name)
		kind := backend.KindOf(err)
		if err == nil && got.ID != mv.id {
			kind = backend.KindInternal // found the wrong volume
		}
		return fmt.Sprintf("by name %q", name), want, kind
	case 11: // merge one attribute key in or out
		key := []string{"k1", "k2", "k3"}[rng.IntN(3)]
		val, patch := rng.IntN(3), ""
		if val == 0 {
			patch = fmt.Sprintf(`{%q:null}`, key)
		} else {
			patch = fmt.Sprintf(`{%q:%d}`, key, val)
		}
		want := backend.Kind(0)
		if !exists {
			want = backend.KindNotFound
		}
		_, err := b.PatchVolume(ctx, v.id, backend.VolumePatch{Attributes: json.RawMessage(patch)})
		if err == nil {
			if val == 0 {
				delete(v.attrs, key)
			} else {
				if v.attrs == nil {
					v.attrs = map[string]int{}
				}
				v.attrs[key] = val
			}
			if len(v.attrs) == 0 {
				v.attrs = nil
			}
		}
		return fmt.Sprintf("merge %s into %q", patch, v.name), want, backend.KindOf(err)
	default: // resize
		want := backend.Kind(0)
		if !exists {
			want = backend.KindNotFound
		}
		_, err := b.PatchVolume(ctx, v.id, backend.VolumePatch{Size: &size})
		if err == nil {
			v.size = size
		}
		return fmt.Sprintf("resize %q to %v", v.name, size), want, backend.KindOf(err)
	}
}
