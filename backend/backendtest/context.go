package backendtest

import (
	"bytes"
	"context"
	"time"

	"github.com/nessie-go/nessie/backend"
)

// contextCases check that a call whose context is already done has no
// effect and returns the context's error itself, whatever its arguments.
func contextCases() []testCase {
	const rule = "a call whose context is already cancelled has no effect and returns context.Canceled itself, unwrapped, whatever its arguments (even unknown IDs or invalid input)"
	return []testCase{
		{
			name: "Volume/Context/CancelledCallsHaveNoEffect",
			rule: rule,
			run:  cancelledVolumeCalls,
		},
		{
			name: "Volume/Context/ExpiredDeadlineIsReturnedUnwrapped",
			rule: "a call whose deadline has passed has no effect and returns context.DeadlineExceeded itself, unwrapped",
			run: func(e *env) {
				ctx, cancel := context.WithDeadline(e.ctx, time.Now().Add(-time.Second))
				defer cancel()
				v := e.volume("vol")
				name := e.name("never")
				_, err := e.b.CreateVolume(ctx, backend.VolumeSpec{Name: name})
				e.wantCtx("CreateVolume", err, context.DeadlineExceeded)
				_, err = e.b.PatchVolume(ctx, v.ID, backend.VolumePatch{Comment: new("changed")})
				e.wantCtx("PatchVolume", err, context.DeadlineExceeded)
				e.wantCtx("DeleteVolume", e.b.DeleteVolume(ctx, v.ID), context.DeadlineExceeded)
				e.unchanged("after expired calls", v)
				if n := countNamed(e.list(), name); n != 0 {
					e.errorf("CreateVolume with an expired deadline created %q", name)
				}
			},
		},
		{
			name: "Snapshot/Context/CancelledCallsHaveNoEffect",
			tier: tierSnapshot,
			rule: rule,
			run:  cancelledSnapshotCalls,
		},
		{
			name: "Clone/Context/CancelledCallsHaveNoEffect",
			tier: tierClone,
			rule: rule,
			run:  cancelledCloneCalls,
		},
		{
			name: "Replication/Context/CancelledCallsHaveNoEffect",
			tier: tierReplication,
			rule: rule,
			run: func(e *env) {
				ctx := cancelled(e.ctx)
				src := e.volume("src")
				s := e.snapshot(src.ID, "snap")
				rc, err := e.rp.SendStream(ctx, src.ID, s.Name, "")
				if rc != nil {
					rc.Close()
				}
				e.wantCtx("SendStream", err, context.Canceled)
				dest := e.name("dest")
				_, err = e.rp.ReceiveStream(ctx, dest, bytes.NewReader(e.send(src.ID, s.Name, "")))
				e.wantCtx("ReceiveStream", err, context.Canceled)
				if n := countNamed(e.list(), dest); n != 0 {
					e.errorf("a cancelled ReceiveStream created %q", dest)
				}
			},
		},
	}
}

// cancelled returns a context derived from parent that is already
// cancelled.
func cancelled(parent context.Context) context.Context {
	ctx, cancel := context.WithCancel(parent)
	cancel()
	return ctx
}

func cancelledVolumeCalls(e *env) {
	ctx := cancelled(e.ctx)
	v := e.createVolume(backend.VolumeSpec{Name: e.name("vol"), Size: backend.Bytes(gib), JunctionPath: "/vol", Comment: "c"})
	name := e.name("never")
	for _, spec := range []backend.VolumeSpec{{Name: name}, {Name: ""}, {Name: v.Name}} {
		_, err := e.b.CreateVolume(ctx, spec)
		e.wantCtx("CreateVolume", err, context.Canceled)
	}
	_, err := e.b.ListVolumes(ctx)
	e.wantCtx("ListVolumes", err, context.Canceled)
	for _, id := range []backend.VolumeID{v.ID, backend.NewVolumeID()} {
		_, err = e.b.GetVolume(ctx, id)
		e.wantCtx("GetVolume", err, context.Canceled)
		_, err = e.b.AccessHandle(ctx, id)
		e.wantCtx("AccessHandle", err, context.Canceled)
		_, err = e.b.PatchVolume(ctx, id, backend.VolumePatch{Name: new(e.name("renamed")), Size: new(backend.Bytes(2 * gib)),
			State: new(backend.StateOffline), Comment: new("changed")})
		e.wantCtx("PatchVolume", err, context.Canceled)
		_, err = e.b.PatchVolume(ctx, id, backend.VolumePatch{JunctionPath: new("relative")})
		e.wantCtx("PatchVolume with an invalid patch", err, context.Canceled)
		e.wantCtx("DeleteVolume", e.b.DeleteVolume(ctx, id), context.Canceled)
	}
	e.unchanged("after cancelled calls", v)
	list := e.list()
	for _, n := range []string{name, e.name("renamed")} {
		if countNamed(list, n) != 0 {
			e.errorf("a cancelled call created or renamed a volume to %q", n)
		}
	}
}

func cancelledSnapshotCalls(e *env) {
	ctx := cancelled(e.ctx)
	v := e.volume("vol")
	s1 := e.snapshot(v.ID, "one")
	e.patch(v.ID, backend.VolumePatch{Size: new(backend.Bytes(2 * gib))})
	e.snapshot(v.ID, "two")
	cur := e.get(v.ID)
	before := e.snaps(v.ID)

	_, err := e.s.ListSnapshots(ctx, v.ID)
	e.wantCtx("ListSnapshots", err, context.Canceled)
	for _, name := range []string{e.name("three"), s1.Name, ""} {
		_, err = e.s.CreateSnapshot(ctx, v.ID, backend.SnapshotSpec{Name: name})
		e.wantCtx("CreateSnapshot", err, context.Canceled)
	}
	for _, id := range []backend.SnapshotID{s1.ID, backend.NewSnapshotID()} {
		_, err = e.s.GetSnapshot(ctx, v.ID, id)
		e.wantCtx("GetSnapshot", err, context.Canceled)
		_, err = e.s.PatchSnapshot(ctx, v.ID, id, backend.SnapshotPatch{Name: new(e.name("renamed")), Comment: new("changed")})
		e.wantCtx("PatchSnapshot", err, context.Canceled)
		_, err = e.s.RestoreSnapshot(ctx, v.ID, id)
		e.wantCtx("RestoreSnapshot", err, context.Canceled)
		e.wantCtx("DeleteSnapshot", e.s.DeleteSnapshot(ctx, v.ID, id), context.Canceled)
	}
	e.wantCtx("DeleteVolume", e.s.DeleteVolume(ctx, v.ID), context.Canceled)
	e.unchanged("after cancelled calls", cur)
	e.snapsUnchanged("after cancelled calls", v.ID, before)
}

func cancelledCloneCalls(e *env) {
	ctx := cancelled(e.ctx)
	p := e.volume("parent")
	s := e.snapshot(p.ID, "snap")
	c := e.clone(p.ID, s.ID, "clone")
	free := e.snapshot(p.ID, "free")
	name := e.name("never")
	for _, snap := range []backend.SnapshotID{s.ID, free.ID, backend.NewSnapshotID()} {
		_, err := e.c.CreateClone(ctx, backend.CloneSpec{ParentVolume: p.ID, ParentSnapshot: snap, Name: name})
		e.wantCtx("CreateClone", err, context.Canceled)
	}
	_, err := e.c.SplitClone(ctx, c.ID)
	e.wantCtx("SplitClone", err, context.Canceled)
	_, err = e.c.SplitClone(ctx, p.ID)
	e.wantCtx("SplitClone of a non-clone", err, context.Canceled)
	e.unchanged("clone after cancelled calls", c)
	if n := countNamed(e.list(), name); n != 0 {
		e.errorf("a cancelled CreateClone created %q", name)
	}
	e.ok("DeleteSnapshot of a snapshot only a cancelled CreateClone used", e.c.DeleteSnapshot(e.ctx, p.ID, free.ID))
}
