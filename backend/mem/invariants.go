package mem

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	"github.com/nessie-go/nessie/backend"
)

// maxProblems caps how many violations CheckInvariants reports, so a
// corrupted large state gives a readable error.
const maxProblems = 20

// CheckInvariants walks the stored state and reports every violation of
// the backend's internal invariants it finds, joined into one error (nil
// if there are none):
//
//   - the ID map, the listing order and the name index agree one to one,
//     so volume names are unique;
//   - names are valid (unless lenient), states and junction paths
//     are valid, and only online volumes are mounted;
//   - attributes are nil or a compact, non-empty JSON object;
//   - snapshot names are unique per volume, snapshot IDs unique overall,
//     and creation times in UTC;
//   - every clone's origin names a live volume and one of its snapshots,
//     by their current names, and that snapshot lists the clone among its
//     dependents; every listed dependent is such a clone.
//     Only a lenient backend has detached clones, whose origins pin
//     nothing.
//
// It holds the read lock while it runs, O(n) in the stored objects.
// Tests, soak runs and the Python binding call it.
func (b *Backend) CheckInvariants() error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	var problems []error
	// report records a violation and says whether to keep looking.
	report := func(format string, args ...any) bool {
		if len(problems) < maxProblems {
			problems = append(problems, fmt.Errorf(format, args...))
		}
		return len(problems) < maxProblems
	}
	if len(b.vols) != len(b.order) || len(b.vols) != len(b.names) {
		report("%d volumes by ID, %d in the listing order, %d names", len(b.vols), len(b.order), len(b.names))
	}
	for name, id := range b.names {
		if r, ok := b.rec(id); !ok || r.name != name {
			report("name %q maps to volume %s, which does not have it", name, id)
		}
	}
	snapIDs := make(map[backend.SnapshotID]backend.VolumeID)
	for pos, r := range b.order {
		if got, ok := b.rec(r.id); !ok || got != r || int(r.pos) != pos {
			report("volume %s at position %d (pos %d) is not the record stored under its key", r.id, pos, r.pos)
		}
		if !r.valid(b, report) {
			break
		}
		for _, sr := range b.snaps[r.id] {
			if other, dup := snapIDs[sr.id]; dup {
				report("snapshot ID %s appears on volumes %s and %s", sr.id, other, r.id)
			}
			snapIDs[sr.id] = r.id
		}
	}
	for vol, ss := range b.snaps {
		if _, ok := b.rec(vol); !ok || len(ss) == 0 {
			report("%d snapshots are listed for volume %s, which does not exist or has none", len(ss), vol)
		}
	}
	for sid, clones := range b.deps {
		if _, ok := snapIDs[sid]; !ok || len(clones) == 0 {
			report("dependents recorded for snapshot %s, which does not exist or has none", sid)
		}
		if len(slices.Compact(slices.SortedFunc(slices.Values(clones), compareIDs))) != len(clones) {
			report("snapshot %s lists a dependent clone twice", sid)
		}
		for _, id := range clones {
			c, ok := b.rec(id)
			if !ok || c.origin() == nil || c.detached || c.origin().ParentSnapshotID != sid || c.origin().ParentVolumeID != snapIDs[sid] {
				report("snapshot %s lists %s as a dependent clone, which it is not", sid, id)
			}
		}
	}
	return errors.Join(problems...)
}

// valid checks one volume, its snapshots and its clone links; it returns
// false once report says to stop.
func (r *volRec) valid(b *Backend, report func(string, ...any) bool) bool {
	checkName := func(what, name string) bool {
		if b.lenient {
			return true
		}
		if err := backend.ValidateName(name); err != nil {
			return report("%s: %v", what, err)
		}
		return true
	}
	if !checkName("volume "+r.id.String(), r.name) {
		return false
	}
	switch {
	case int(r.state) >= len(states):
		return report("volume %q: invalid state code %d", r.name, r.state)
	case r.state.state() != backend.StateOnline && r.junction() != "":
		return report("volume %q is %s but mounted at %q", r.name, r.state.state(), r.junction())
	case backend.ValidateJunctionPath(r.junction()) != nil:
		return report("volume %q: invalid junction path %q", r.name, r.junction())
	case !compactAttrs(r.attrs()):
		return report("volume %q: attributes %q are not a compact non-empty object", r.name, r.attrs())
	case r.detached && (!b.lenient || r.origin() == nil):
		return report("volume %q is detached without a lenient backend and an origin", r.name)
	}
	ss := b.snaps[r.id]
	names := make(map[string]bool, len(ss))
	for _, sr := range ss {
		if !checkName(fmt.Sprintf("volume %q snapshot %s", r.name, sr.id), sr.name) {
			return false
		}
		switch {
		case names[sr.name]:
			return report("volume %q has two snapshots called %q", r.name, sr.name)
		case sr.created.Location().String() != "UTC":
			return report("volume %q snapshot %q: creation time not in UTC", r.name, sr.name)
		case !compactAttrs(sr.attrs):
			return report("volume %q snapshot %q: attributes are not a compact non-empty object", r.name, sr.name)
		}
		names[sr.name] = true
	}
	if r.origin() == nil || r.detached {
		return true
	}
	o := r.origin()
	p, ok := b.rec(o.ParentVolumeID)
	if !ok {
		return report("clone %q: parent volume %s does not exist", r.name, o.ParentVolumeID)
	}
	ps := b.snaps[p.id]
	i := byID(ps, o.ParentSnapshotID)
	switch {
	case p.id == r.id:
		return report("clone %q is its own parent", r.name)
	case i < 0:
		return report("clone %q: parent %q has no snapshot %s", r.name, p.name, o.ParentSnapshotID)
	case o.ParentVolume != p.name || o.ParentSnapshot != ps[i].name:
		return report("clone %q reports origin %q/%q, but the parent is called %q/%q", r.name,
			o.ParentVolume, o.ParentSnapshot, p.name, ps[i].name)
	}
	if !slices.Contains(b.deps[o.ParentSnapshotID], r.id) {
		return report("clone %q is missing from its parent snapshot's dependents", r.name)
	}
	return true
}

// compactAttrs reports whether a is what CompactAttributes stores.
func compactAttrs(a []byte) bool {
	if a == nil {
		return true
	}
	c, err := backend.CompactAttributes(slices.Clone(a))
	return err == nil && bytes.Equal(c, a)
}

func compareIDs(a, b backend.VolumeID) int { return bytes.Compare(a[:], b[:]) }
