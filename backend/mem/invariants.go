package mem

import (
	"errors"
	"fmt"

	"github.com/nessie-go/nessie/backend"
)

// maxProblems caps how many violations CheckInvariants reports, so a
// corrupted large state gives a readable error.
const maxProblems = 20

// CheckInvariants walks the current state and reports every violation of
// the backend's internal invariants it finds, joined into one error (nil
// if there are none):
//
//   - both tries are well formed (bitmaps, hash paths, counts);
//   - the name index (hash slots and the collision spill) and the volume
//     records agree one to one, so volume names are unique;
//   - names, states, types and junction paths are valid, and only online
//     volumes are mounted;
//   - snapshot names are unique per volume and snapshot IDs unique overall;
//   - every clone origin names a live volume and one of its snapshots;
//   - every snapshot's dependent-clone count equals the number of unsplit
//     clones that name it.
//
// It reads one published state and never blocks writers. Tests, soak runs
// and the Python binding call it; it is O(n) in the stored objects.
func (b *Backend) CheckInvariants() error {
	return b.root.Load().check()
}

func (s *state) check() error {
	var problems []error
	// report records a violation and says whether to keep looking.
	report := func(format string, args ...any) bool {
		if len(problems) < maxProblems {
			problems = append(problems, fmt.Errorf(format, args...))
		}
		return len(problems) < maxProblems
	}
	if err := s.vols.check(hashVolumeID); err != nil {
		report("volume trie: %v", err)
	}
	if err := s.names.check(identityHash); err != nil {
		report("name trie: %v", err)
	}
	if nv, nn := s.vols.len(), s.names.len()+len(s.spill); nv != nn {
		report("%d volumes but %d names in the index", nv, nn)
	}
	s.names.all(func(h uint64, id backend.VolumeID) bool {
		r, ok := s.vol(id)
		switch {
		case !ok:
			return report("name hash %#x maps to missing volume %s", h, id)
		case s.hashName(r.name) != h:
			return report("name hash %#x maps to volume %s, whose name %q hashes elsewhere", h, id, r.name)
		}
		return true
	})
	for name, id := range s.spill {
		r, ok := s.vol(id)
		h := s.hashName(name)
		cur, taken := s.names.get(h, h)
		switch {
		case !ok:
			report("spilled name %q maps to missing volume %s", name, id)
		case r.name != name:
			report("spilled name %q maps to volume %s, which is called %q", name, id, r.name)
		case !taken || cur == id:
			report("name %q is spilled although its hash slot is free to hold it", name)
		}
	}

	type snapKey struct {
		vol  backend.VolumeID
		snap backend.SnapshotID
	}
	dependents := make(map[snapKey]int)
	snapIDs := make(map[backend.SnapshotID]backend.VolumeID)
	s.vols.all(func(id backend.VolumeID, r *volRec) bool {
		if r.id != id {
			return report("volume stored under %s has ID %s", id, r.id)
		}
		if err := backend.ValidateName(r.name); err != nil {
			return report("volume %s: %v", id, err)
		}
		if got, ok := s.volByName(r.name); !ok || got.id != id {
			return report("volume %s (%q) is missing from the name index", id, r.name)
		}
		if !r.state.Valid() {
			return report("volume %q: invalid state %q", r.name, r.state)
		}
		if r.typ != backend.TypeRW && r.typ != backend.TypeDP {
			return report("volume %q: invalid type %q", r.name, r.typ)
		}
		if r.state != backend.StateOnline && r.junction != "" {
			return report("volume %q is %s but mounted at %q", r.name, r.state, r.junction)
		}
		if err := backend.ValidateJunctionPath(r.junction); err != nil {
			return report("volume %q: %v", r.name, err)
		}
		names := make(map[string]bool, len(r.snaps))
		for i := range r.snaps {
			sr := &r.snaps[i]
			if err := backend.ValidateName(sr.name); err != nil {
				return report("volume %q snapshot %s: %v", r.name, sr.id, err)
			}
			if names[sr.name] {
				return report("volume %q has two snapshots called %q", r.name, sr.name)
			}
			names[sr.name] = true
			if other, dup := snapIDs[sr.id]; dup {
				return report("snapshot ID %s appears on volumes %s and %s", sr.id, other, id)
			}
			snapIDs[sr.id] = id
			if sr.clones < 0 {
				return report("volume %q snapshot %q: negative clone count %d", r.name, sr.name, sr.clones)
			}
			if sr.created.Location() != nil && sr.created.Location().String() != "UTC" {
				return report("volume %q snapshot %q: creation time not in UTC", r.name, sr.name)
			}
		}
		if r.origin.isClone() {
			p, ok := s.vol(r.origin.vol)
			if !ok {
				return report("clone %q: parent volume %s does not exist", r.name, r.origin.vol)
			}
			if p.snapIndex(r.origin.snap) < 0 {
				return report("clone %q: parent %q has no snapshot %s", r.name, p.name, r.origin.snap)
			}
			if p.id == id {
				return report("clone %q is its own parent", r.name)
			}
			dependents[snapKey{r.origin.vol, r.origin.snap}]++
		}
		return true
	})
	s.vols.all(func(id backend.VolumeID, r *volRec) bool {
		for i := range r.snaps {
			sr := &r.snaps[i]
			if want := dependents[snapKey{id, sr.id}]; sr.clones != want {
				if !report("volume %q snapshot %q counts %d dependent clones, but %d exist", r.name, sr.name, sr.clones, want) {
					return false
				}
			}
		}
		return true
	})
	return errors.Join(problems...)
}
