package backendtest

import (
	"fmt"
	"io"
	"math/rand/v2"
	"sync"

	"github.com/nessie-go/nessie/backend"
)

// racers is how many goroutines contend in the exactly-one-winner cases.
const racers = 8

// concurrencyCases check that operations are safe and linearizable under
// concurrent use: contended names have exactly one winner, dependency
// checks cannot be raced past, and a mixed load keeps every invariant.
func concurrencyCases() []testCase {
	return []testCase{
		{
			name: "Volume/Concurrency/CreatesOfOneNameHaveExactlyOneWinner",
			rule: "concurrent CreateVolume calls with one name are linearizable: exactly one succeeds, every other fails with ErrAlreadyExists, and one volume has the name",
			run: func(e *env) {
				name := e.name("contended")
				vols := make([]backend.Volume, racers)
				errs := race(racers, func(i int) (err error) {
					vols[i], err = e.b.CreateVolume(e.ctx, backend.VolumeSpec{Name: name})
					return err
				})
				for i, err := range errs {
					if err == nil {
						e.track(e.b, vols[i].ID)
					}
				}
				e.exactlyOneWinner("CreateVolume", errs, backend.ErrAlreadyExists)
				if n := countNamed(e.list(), name); n != 1 {
					e.errorf("ListVolumes has %d volumes named %q, want 1", n, name)
				}
			},
		},
		{
			name: "Volume/Concurrency/RenamesOntoOneNameHaveExactlyOneWinner",
			rule: "concurrent renames of different volumes to one name are linearizable: exactly one succeeds, every other fails with ErrAlreadyExists",
			run: func(e *env) {
				vols := make([]backend.Volume, racers)
				for i := range vols {
					vols[i] = e.volume(fmt.Sprintf("v%d", i))
				}
				target := e.name("target")
				errs := race(racers, func(i int) error {
					_, err := e.b.PatchVolume(e.ctx, vols[i].ID, backend.VolumePatch{Name: &target})
					return err
				})
				e.exactlyOneWinner("PatchVolume(rename)", errs, backend.ErrAlreadyExists)
				if n := countNamed(e.list(), target); n != 1 {
					e.errorf("ListVolumes has %d volumes named %q, want 1", n, target)
				}
			},
		},
		{
			name: "Volume/Concurrency/DeletesOfOneVolumeHaveExactlyOneWinner",
			rule: "concurrent DeleteVolume calls on one volume are linearizable: exactly one succeeds, every other fails with ErrVolumeNotFound",
			run: func(e *env) {
				v := e.volume("doomed")
				errs := race(racers, func(int) error { return e.b.DeleteVolume(e.ctx, v.ID) })
				e.exactlyOneWinner("DeleteVolume", errs, backend.ErrVolumeNotFound)
				e.gone("after concurrent deletes", v.ID)
			},
		},
		{
			name: "Snapshot/Concurrency/CreatesOfOneNameHaveExactlyOneWinner",
			tier: tierSnapshot,
			rule: "concurrent CreateSnapshot calls with one name on one volume are linearizable: exactly one succeeds, every other fails with ErrAlreadyExists",
			run: func(e *env) {
				v := e.volume("vol")
				name := e.name("contended")
				errs := race(racers, func(int) error {
					_, err := e.s.CreateSnapshot(e.ctx, v.ID, backend.SnapshotSpec{Name: name})
					return err
				})
				e.exactlyOneWinner("CreateSnapshot", errs, backend.ErrAlreadyExists)
				if got := snapNames(e.snaps(v.ID)); len(got) != 1 {
					e.errorf("the volume has snapshots %q, want exactly one", got)
				}
			},
		},
		{
			name: "Clone/Concurrency/CloneRacingSnapshotDeleteNeverBothSucceed",
			tier: tierClone,
			rule: "CreateClone and DeleteSnapshot racing on one snapshot are linearizable: either the clone exists and the delete was ErrInUse, or the snapshot is gone and the clone was ErrSnapshotNotFound",
			run:  cloneRacesSnapshotDelete,
		},
		{
			name: "Concurrency/MixedOperationsKeepTheInvariants",
			rule: "under many goroutines making mixed calls, each call succeeds or fails with a kind its contract allows, and afterwards: IDs and names are unique, GetVolume agrees with ListVolumes, every snapshot list is unique by name and oldest first, every clone origin names a live volume and one of its snapshots by current name, and exactly the volumes and snapshots that back clones refuse deletion",
			run:  stress,
		},
	}
}

// race starts n calls of f at once and returns their errors. A panic in f
// becomes an error.
func race(n int, f func(i int) error) []error {
	start := make(chan struct{})
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					errs[i] = fmt.Errorf("panic: %v", r)
				}
			}()
			<-start
			errs[i] = f(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// exactlyOneWinner checks that one call succeeded and the rest failed with
// the loser's kind.
func (e *env) exactlyOneWinner(call string, errs []error, loser error) {
	e.r.Helper()
	wins := 0
	for i, err := range errs {
		if err == nil {
			wins++
			continue
		}
		e.want(fmt.Sprintf("%s #%d of %d concurrent", call, i, len(errs)), err, loser)
	}
	if wins != 1 {
		e.errorf("%d of %d concurrent %s calls succeeded, want exactly 1", wins, len(errs), call)
	}
}

func cloneRacesSnapshotDelete(e *env) {
	p := e.volume("parent")
	for round := range 10 {
		s := e.snapshot(p.ID, fmt.Sprintf("s%d", round))
		var clone backend.Volume
		errs := race(2, func(i int) (err error) {
			if i == 0 {
				clone, err = e.c.CreateClone(e.ctx, backend.CloneSpec{ParentVolume: p.ID, ParentSnapshot: s.ID, Name: e.name(fmt.Sprintf("c%d", round))})
				return err
			}
			return e.c.DeleteSnapshot(e.ctx, p.ID, s.ID)
		})
		cloneErr, delErr := errs[0], errs[1]
		switch {
		case cloneErr == nil && delErr == nil:
			e.errorf("round %d: both CreateClone and DeleteSnapshot succeeded; the clone's snapshot is gone", round)
		case cloneErr == nil:
			e.track(e.b, clone.ID)
			e.want(fmt.Sprintf("round %d: DeleteSnapshot losing to CreateClone", round), delErr, backend.ErrInUse)
			if _, err := e.c.GetSnapshot(e.ctx, p.ID, s.ID); err != nil {
				e.errorf("round %d: the cloned snapshot is unreadable: %v", round, err)
			}
		case delErr == nil:
			e.want(fmt.Sprintf("round %d: CreateClone losing to DeleteSnapshot", round), cloneErr, backend.ErrSnapshotNotFound)
		default:
			e.errorf("round %d: both failed: CreateClone: %v; DeleteSnapshot: %v", round, cloneErr, delErr)
		}
	}
}

// stressPool is the shared record of what the stress workers have made.
type stressPool struct {
	mu    sync.Mutex
	vols  []backend.VolumeID
	snaps []snapRef
}

type snapRef struct {
	vol  backend.VolumeID
	snap backend.SnapshotID
}

func (p *stressPool) addVol(id backend.VolumeID) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.vols = append(p.vols, id)
}

func (p *stressPool) addSnap(vol backend.VolumeID, snap backend.SnapshotID) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.snaps = append(p.snaps, snapRef{vol, snap})
}

// vol picks a volume the workers made (live or not), or an unknown one.
func (p *stressPool) vol(rng *rand.Rand) backend.VolumeID {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.vols) == 0 || rng.IntN(20) == 0 {
		return backend.NewVolumeID()
	}
	return p.vols[rng.IntN(len(p.vols))]
}

func (p *stressPool) snap(rng *rand.Rand) snapRef {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.snaps) == 0 || rng.IntN(20) == 0 {
		return snapRef{p.volLocked(rng), backend.NewSnapshotID()}
	}
	return p.snaps[rng.IntN(len(p.snaps))]
}

func (p *stressPool) volLocked(rng *rand.Rand) backend.VolumeID {
	if len(p.vols) == 0 {
		return backend.NewVolumeID()
	}
	return p.vols[rng.IntN(len(p.vols))]
}

// stressOp is one kind of call the stress workers make, with the error
// kinds its contract allows under contention.
type stressOp struct {
	name    string
	allowed []error
	do      func(rng *rand.Rand) error
}

// stressOps builds the mix of calls for the tiers e's backend implements.
// Names come from small pools so calls collide on purpose.
func stressOps(e *env, pool *stressPool) []stressOp {
	volName := func(rng *rand.Rand) string { return e.name(fmt.Sprintf("v%d", rng.IntN(6))) }
	cloneName := func(rng *rand.Rand) string { return e.name(fmt.Sprintf("c%d", rng.IntN(8))) }
	anyName := func(rng *rand.Rand) string { // clones and volumes share one namespace
		if rng.IntN(2) == 0 {
			return cloneName(rng)
		}
		return volName(rng)
	}
	snapName := func(rng *rand.Rand) string { return e.name(fmt.Sprintf("s%d", rng.IntN(4))) }
	inUse := func(errs ...error) []error {
		if e.c != nil { // only dependencies on clones make a call in use
			errs = append(errs, backend.ErrInUse)
		}
		return errs
	}
	create := stressOp{"CreateVolume", []error{backend.ErrAlreadyExists}, func(rng *rand.Rand) error {
		name := volName(rng)
		v, err := e.b.CreateVolume(e.ctx, backend.VolumeSpec{Name: name, Size: backend.Bytes(uint64(1+rng.IntN(4)) * gib)})
		if err == nil {
			e.track(e.b, v.ID)
			pool.addVol(v.ID)
			if v.Name != name {
				return fmt.Errorf("created volume is named %q, want %q", v.Name, name)
			}
		}
		return err
	}}
	ops := []stressOp{
		create, create, create,
		{"DeleteVolume", inUse(backend.ErrVolumeNotFound), func(rng *rand.Rand) error {
			return e.b.DeleteVolume(e.ctx, pool.vol(rng))
		}},
		{"PatchVolume", []error{backend.ErrVolumeNotFound, backend.ErrAlreadyExists, backend.ErrInUse}, func(rng *rand.Rand) error {
			var p backend.VolumePatch
			switch rng.IntN(5) {
			case 0:
				p.Name = new(anyName(rng))
			case 1:
				p.Size = new(backend.Bytes(uint64(1+rng.IntN(4)) * gib))
			case 2:
				p.State = new([]backend.VolumeState{backend.StateOnline, backend.StateOffline, backend.StateRestricted}[rng.IntN(3)])
			case 3:
				p.JunctionPath = new([]string{"", "/a", "/b"}[rng.IntN(3)])
			default:
				p.Comment = new(fmt.Sprint(rng.IntN(100)))
			}
			_, err := e.b.PatchVolume(e.ctx, pool.vol(rng), p)
			return err
		}},
		{"GetVolume", []error{backend.ErrVolumeNotFound}, func(rng *rand.Rand) error {
			_, err := e.b.GetVolume(e.ctx, pool.vol(rng))
			return err
		}},
		{"AccessHandle", []error{backend.ErrVolumeNotFound}, func(rng *rand.Rand) error {
			_, err := e.b.AccessHandle(e.ctx, pool.vol(rng))
			return err
		}},
		{"ListVolumes", nil, func(*rand.Rand) error {
			vs, err := e.b.ListVolumes(e.ctx)
			if err == nil {
				return uniqueVolumes(vs)
			}
			return err
		}},
	}
	if e.s != nil {
		snapCreate := stressOp{"CreateSnapshot", []error{backend.ErrVolumeNotFound, backend.ErrAlreadyExists}, func(rng *rand.Rand) error {
			vol := pool.vol(rng)
			s, err := e.s.CreateSnapshot(e.ctx, vol, backend.SnapshotSpec{Name: snapName(rng)})
			if err == nil {
				pool.addSnap(vol, s.ID)
			}
			return err
		}}
		ops = append(ops, snapCreate, snapCreate, snapCreate,
			stressOp{"DeleteSnapshot", inUse(backend.ErrVolumeNotFound, backend.ErrSnapshotNotFound), func(rng *rand.Rand) error {
				r := pool.snap(rng)
				return e.s.DeleteSnapshot(e.ctx, r.vol, r.snap)
			}},
			stressOp{"PatchSnapshot", []error{backend.ErrVolumeNotFound, backend.ErrSnapshotNotFound, backend.ErrAlreadyExists}, func(rng *rand.Rand) error {
				r := pool.snap(rng)
				_, err := e.s.PatchSnapshot(e.ctx, r.vol, r.snap, backend.SnapshotPatch{Name: new(snapName(rng))})
				return err
			}},
			stressOp{"RestoreSnapshot", inUse(backend.ErrVolumeNotFound, backend.ErrSnapshotNotFound), func(rng *rand.Rand) error {
				r := pool.snap(rng)
				_, err := e.s.RestoreSnapshot(e.ctx, r.vol, r.snap)
				return err
			}},
			stressOp{"ListSnapshots", []error{backend.ErrVolumeNotFound}, func(rng *rand.Rand) error {
				ss, err := e.s.ListSnapshots(e.ctx, pool.vol(rng))
				if err == nil {
					return uniqueSnapshots(ss)
				}
				return err
			}},
		)
	}
	if e.c != nil {
		cloneCreate := stressOp{"CreateClone", []error{backend.ErrVolumeNotFound, backend.ErrSnapshotNotFound, backend.ErrAlreadyExists}, func(rng *rand.Rand) error {
			r := pool.snap(rng)
			v, err := e.c.CreateClone(e.ctx, backend.CloneSpec{ParentVolume: r.vol, ParentSnapshot: r.snap, Name: cloneName(rng)})
			if err == nil {
				e.track(e.b, v.ID)
				pool.addVol(v.ID)
				if v.Clone == nil || v.Clone.ParentVolumeID != r.vol || v.Clone.ParentSnapshotID != r.snap {
					return fmt.Errorf("clone origin %v does not name parent %s snapshot %s", v.Clone, r.vol, r.snap)
				}
			}
			return err
		}}
		ops = append(ops, cloneCreate, cloneCreate, cloneCreate,
			stressOp{"SplitClone", []error{backend.ErrVolumeNotFound, backend.ErrInvalidArgument}, func(rng *rand.Rand) error {
				_, err := e.c.SplitClone(e.ctx, pool.vol(rng))
				return err
			}},
		)
	}
	if e.rp != nil {
		ops = append(ops, stressOp{"SendStream", []error{backend.ErrVolumeNotFound, backend.ErrInvalidArgument}, func(rng *rand.Rand) error {
			rc, err := e.rp.SendStream(e.ctx, pool.vol(rng), snapName(rng), "")
			if err != nil {
				return err
			}
			_, err = io.Copy(io.Discard, rc)
			if cerr := rc.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("reading the stream: %v", err)
			}
			return nil
		}})
	}
	return ops
}

// uniqueVolumes reports duplicate IDs or names in one ListVolumes result.
func uniqueVolumes(vs []backend.Volume) error {
	ids := make(map[backend.VolumeID]bool, len(vs))
	names := make(map[string]bool, len(vs))
	for _, v := range vs {
		if ids[v.ID] || names[v.Name] {
			return fmt.Errorf("ListVolumes returned volume %q (%s) twice, or two volumes of that name", v.Name, v.ID)
		}
		ids[v.ID], names[v.Name] = true, true
	}
	return nil
}

// uniqueSnapshots reports duplicate IDs or names in one ListSnapshots
// result.
func uniqueSnapshots(ss []backend.Snapshot) error {
	ids := make(map[backend.SnapshotID]bool, len(ss))
	names := make(map[string]bool, len(ss))
	for _, s := range ss {
		if ids[s.ID] || names[s.Name] {
			return fmt.Errorf("ListSnapshots returned snapshot %q (%s) twice, or two snapshots of that name", s.Name, s.ID)
		}
		ids[s.ID], names[s.Name] = true, true
	}
	return nil
}

// maxStressProblems bounds how many problems one worker reports.
const maxStressProblems = 3

func stress(e *env) {
	pool := &stressPool{}
	ops := stressOps(e, pool)
	seed := rand.Uint64()
	var wg sync.WaitGroup
	for w := range e.o.StressWorkers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			problems := 0
			defer func() {
				if r := recover(); r != nil {
					e.errorf("worker %d (seed %d): panic: %v", w, seed, r)
				}
			}()
			for i := 0; i < e.o.StressOps && problems < maxStressProblems && e.ctx.Err() == nil; i++ {
				op := ops[rng.IntN(len(ops))]
				err := op.do(rng)
				if p := stressProblem(err, op.allowed); p != "" {
					problems++
					e.errorf("worker %d (seed %d), call %d: %s: %s", w, seed, i, op.name, p)
				}
			}
		})
	}
	wg.Wait()
	checkInvariants(e)
}

// stressProblem says why err is not an outcome the call allows, or "".
func stressProblem(err error, allowed []error) string {
	if err == nil {
		return ""
	}
	for _, a := range allowed {
		if errProblem(err, a) == "" {
			return ""
		}
	}
	return fmt.Sprintf("error %q is not one of %q", err, allowed)
}

// checkInvariants checks, through the public API only, that the case's
// objects form a consistent state, then that exactly the volumes and
// snapshots that back clones refuse deletion, deleting the rest.
func checkInvariants(e *env) {
	all := e.list()
	if err := uniqueVolumes(all); err != nil {
		e.errorf("%v", err)
	}
	var ours []backend.Volume
	live := make(map[backend.VolumeID]backend.Volume)
	for _, v := range all {
		if e.ours(v.Name) {
			ours = append(ours, v)
			live[v.ID] = v
		}
	}
	snaps := make(map[backend.VolumeID][]backend.Snapshot)
	for _, v := range ours {
		if g, err := e.b.GetVolume(e.ctx, v.ID); err != nil {
			e.errorf("listed volume %q: GetVolume: %v", v.Name, err)
		} else if d := volumeDiff(g, v); d != "" {
			e.errorf("listed volume %q: GetVolume differs from ListVolumes: %s", v.Name, d)
		}
		if e.s == nil {
			continue
		}
		ss, err := e.s.ListSnapshots(e.ctx, v.ID)
		if err != nil {
			e.errorf("listed volume %q: ListSnapshots: %v", v.Name, err)
			continue
		}
		snaps[v.ID] = ss
		if err := uniqueSnapshots(ss); err != nil {
			e.errorf("volume %q: %v", v.Name, err)
		}
		for i, s := range ss {
			if g, err := e.s.GetSnapshot(e.ctx, v.ID, s.ID); err != nil {
				e.errorf("listed snapshot %q of %q: GetSnapshot: %v", s.Name, v.Name, err)
			} else if d := snapshotDiff(g, s); d != "" {
				e.errorf("listed snapshot %q of %q: GetSnapshot differs from ListSnapshots: %s", s.Name, v.Name, d)
			}
			if i > 0 && s.CreateTime.Before(ss[i-1].CreateTime) {
				e.errorf("volume %q: snapshot %q is listed after the newer %q", v.Name, s.Name, ss[i-1].Name)
			}
		}
	}

	dependents := make(map[backend.VolumeID]int)
	snapDependents := make(map[snapRef]int)
	for _, v := range ours {
		if v.Clone == nil {
			continue
		}
		o := *v.Clone
		parent, ok := live[o.ParentVolumeID]
		if !ok {
			e.errorf("clone %q: origin volume %s is not live", v.Name, o.ParentVolumeID)
			continue
		}
		if parent.Name != o.ParentVolume {
			e.errorf("clone %q: origin names volume %q, but %s is now called %q", v.Name, o.ParentVolume, parent.ID, parent.Name)
		}
		s, ok := findSnapshot(snaps[parent.ID], o.ParentSnapshotID)
		if !ok {
			e.errorf("clone %q: origin snapshot %s is not a snapshot of %q", v.Name, o.ParentSnapshotID, parent.Name)
			continue
		}
		if s.Name != o.ParentSnapshot {
			e.errorf("clone %q: origin names snapshot %q, but %s is now called %q", v.Name, o.ParentSnapshot, s.ID, s.Name)
		}
		dependents[parent.ID]++
		snapDependents[snapRef{parent.ID, s.ID}]++
	}

	// Refusals first, while the dependency picture above is still true.
	for r := range snapDependents {
		e.want(fmt.Sprintf("DeleteSnapshot of snapshot %s backing a clone", r.snap), e.c.DeleteSnapshot(e.ctx, r.vol, r.snap), backend.ErrInUse)
	}
	for id := range dependents {
		e.want(fmt.Sprintf("DeleteVolume of %q, whose snapshot backs a clone", live[id].Name), e.b.DeleteVolume(e.ctx, id), backend.ErrInUse)
		e.unchanged("after the refused delete", live[id])
	}
	for _, v := range ours {
		if dependents[v.ID] == 0 {
			if err := e.b.DeleteVolume(e.ctx, v.ID); err != nil {
				e.errorf("DeleteVolume of %q, which backs no clone: %v", v.Name, err)
			}
		}
	}
}
