package backend

import (
	"context"
	"errors"
	"fmt"
)

// State is a whole backend state in the contract's terms, with every ID
// and time fixed: what a [Restorer] loads and exports, and what a fixture
// file resolves to (package fixture). Volumes come parents first (a clone
// after the volume it was cloned from; see [ParentsFirst]); snapshots
// oldest first.
type State struct {
	Volumes []VolumeRecord
}

// VolumeRecord is one volume and its snapshots. Volume.Clone, if set,
// needs only ParentVolumeID and ParentSnapshotID; the names are derived.
// Volume.UsedBytes is ignored.
type VolumeRecord struct {
	Volume    Volume
	Snapshots []SnapshotRecord
}

// SnapshotRecord is one snapshot and the size its volume had when it was
// taken (what a clone of it, or a restore to it, gets).
type SnapshotRecord struct {
	Snapshot   Snapshot
	VolumeSize Size
}

// Restorer is an optional interface a backend may implement, as an
// io.Writer may implement io.WriterTo: replace its whole state in one
// atomic step and report it whole, keeping every ID and time. Fixture
// loads and test resets use it when it is there (a fixture loaded into a
// Restorer keeps its UUIDs); other backends get a fixture re-created
// through the tier interfaces, with new IDs. backend/mem and
// backend/durable implement it; the conformance suite tests it when a
// backend does.
type Restorer interface {
	// Restore replaces everything the backend holds with st, which may
	// list volumes in any order. An invalid st (see [State.Check]) fails
	// with ErrInvalidArgument and changes nothing. Restore does not keep
	// st: the caller may change it afterwards.
	Restore(ctx context.Context, st *State) error
	// Export returns everything the backend holds, parents first,
	// snapshots oldest first. The result is the caller's.
	Export(ctx context.Context) (*State, error)
}

// Check reports the first way st breaks the contract's rules: invalid or
// duplicate IDs and names, invalid states, types, junction paths,
// comments or attributes, a clone whose origin is not a snapshot of an
// earlier volume. The error names the volume (and snapshot) by position
// and name.
func (st *State) Check() error {
	vols := make(map[VolumeID]int, len(st.Volumes))
	names := make(map[string]bool, len(st.Volumes))
	snapOf := map[SnapshotID]VolumeID{}
	for i := range st.Volumes {
		vr := &st.Volumes[i]
		v := &vr.Volume
		where := func(format string, args ...any) error {
			return fmt.Errorf("volumes[%d] (%q): %s", i, v.Name, fmt.Sprintf(format, args...))
		}
		if v.ID.IsZero() {
			return where("uuid is missing")
		}
		if _, dup := vols[v.ID]; dup {
			return where("uuid %s is used twice", v.ID)
		}
		if err := ValidateName(v.Name); err != nil {
			return where("name: %v", unwrapDetail(err))
		}
		if names[v.Name] {
			return where("name is used twice")
		}
		if !v.State.Valid() {
			return where("state %q is not online, offline or restricted", v.State)
		}
		if v.Type != TypeRW && v.Type != TypeDP {
			return where("type %q is not rw or dp", v.Type)
		}
		if err := ValidateJunctionPath(v.JunctionPath); err != nil {
			return where("nas.path: %v", unwrapDetail(err))
		}
		if v.JunctionPath != "" && v.State != StateOnline {
			return where("nas.path is set on a volume that is %s", v.State)
		}
		if len(v.Comment) > MaxCommentLen {
			return where("comment is longer than %d bytes", MaxCommentLen)
		}
		if err := attributesProblem(v.Attributes); err != nil {
			return where("attributes: %v", err)
		}
		if v.Clone != nil {
			pv, ok := snapOf[v.Clone.ParentSnapshotID]
			if !ok || pv != v.Clone.ParentVolumeID {
				return where("clone origin %s/%s is not a snapshot of an earlier volume", v.Clone.ParentVolumeID, v.Clone.ParentSnapshotID)
			}
		}
		snapNames := map[string]bool{}
		for j := range vr.Snapshots {
			s := &vr.Snapshots[j].Snapshot
			if s.ID.IsZero() {
				return where("snapshots[%d] (%q): uuid is missing", j, s.Name)
			}
			if _, dup := snapOf[s.ID]; dup {
				return where("snapshots[%d] (%q): uuid %s is used twice", j, s.Name, s.ID)
			}
			if err := ValidateName(s.Name); err != nil {
				return where("snapshots[%d]: name: %v", j, unwrapDetail(err))
			}
			if snapNames[s.Name] {
				return where("snapshots[%d] (%q): name is used twice on this volume", j, s.Name)
			}
			if len(s.Comment) > MaxCommentLen {
				return where("snapshots[%d] (%q): comment is longer than %d bytes", j, s.Name, MaxCommentLen)
			}
			if err := attributesProblem(s.Attributes); err != nil {
				return where("snapshots[%d] (%q): attributes: %v", j, s.Name, err)
			}
			snapNames[s.Name] = true
			snapOf[s.ID] = v.ID
		}
		vols[v.ID] = i
		names[v.Name] = true
	}
	return nil
}

// ParentsFirst returns vs reordered so that every clone follows the
// volume it was cloned from, keeping the given order otherwise. It fails
// if a clone's parent volume is missing or clones form a cycle. vs is not
// changed.
func ParentsFirst(vs []VolumeRecord) ([]VolumeRecord, error) {
	idx := make(map[VolumeID]int, len(vs))
	for i := range vs {
		idx[vs[i].Volume.ID] = i
	}
	out := make([]VolumeRecord, 0, len(vs))
	state := make([]byte, len(vs)) // 0 new, 1 visiting, 2 done
	var visit func(i int) error
	visit = func(i int) error {
		switch state[i] {
		case 2:
			return nil
		case 1:
			return fmt.Errorf("volume %s (%q) is its own ancestor", vs[i].Volume.ID, vs[i].Volume.Name)
		}
		state[i] = 1
		if c := vs[i].Volume.Clone; c != nil {
			p, ok := idx[c.ParentVolumeID]
			if !ok {
				return fmt.Errorf("clone %s (%q): parent volume %s does not exist", vs[i].Volume.ID, vs[i].Volume.Name, c.ParentVolumeID)
			}
			if err := visit(p); err != nil {
				return err
			}
		}
		state[i] = 2
		out = append(out, vs[i])
		return nil
	}
	for i := range vs {
		if err := visit(i); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CheckedState returns st in parents-first order after [State.Check], or
// an ErrInvalidArgument error labelled with op: what a Restorer runs
// before it changes anything. st is not changed.
func CheckedState(op string, st *State) (*State, error) {
	if st == nil {
		st = &State{}
	}
	ordered, err := ParentsFirst(st.Volumes)
	if err == nil {
		cp := &State{Volumes: ordered}
		if err = cp.Check(); err == nil {
			return cp, nil
		}
	}
	return nil, &Error{Op: op, Kind: KindInvalidArgument, Resource: ResourceBackend, Err: err}
}

// unwrapDetail returns the cause of a validator's *Error, which reads
// better inside a state message than the whole error.
func unwrapDetail(err error) error {
	var be *Error
	if errors.As(err, &be) && be.Err != nil {
		return be.Err
	}
	return err
}
