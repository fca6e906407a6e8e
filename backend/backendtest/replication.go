package backendtest

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/internal/text"
)

// replicationCases check the replication tier: snapshot streams, named by
// snapshot name, between volumes of one backend or of two.
func replicationCases() []testCase {
	return []testCase{
		{
			name: "Replication/Stream/FullStreamRecreatesTheVolumeAndSnapshot",
			tier: tierReplication,
			rule: "a full stream received under a new name creates that volume, with the snapshot (by name) and the size the source had when it was taken, reporting more than zero bytes applied; afterwards destination, source snapshot and source can each be deleted (upstream R-1..R-5, R-7)",
			run: func(e *env) {
				src := e.createVolume(backend.VolumeSpec{Name: e.name("src"), Size: backend.Bytes(2048)})
				s := e.snapshot(src.ID, "snap")
				e.patch(src.ID, backend.VolumePatch{Size: new(backend.Bytes(4096))})
				dest := e.receive(e.rp, e.b, e.name("dest"), e.send(src.ID, s.Name, ""))
				if dest.Size != backend.Bytes(2048) {
					e.errorf("destination size %v, want the source's size at snapshot time, 2048", dest.Size)
				}
				if got := snapNames(e.snaps(dest.ID)); len(got) != 1 || got[0] != s.Name {
					e.errorf("R-5: destination snapshots %q, want [%q]", got, s.Name)
				}
				e.ok("R-7: DeleteVolume(dest)", e.rp.DeleteVolume(e.ctx, dest.ID))
				e.ok("R-7: DeleteSnapshot(source)", e.rp.DeleteSnapshot(e.ctx, src.ID, s.ID))
				e.ok("R-7: DeleteVolume(source)", e.rp.DeleteVolume(e.ctx, src.ID))
			},
		},
		{
			name: "Replication/Stream/UnknownSnapshotOrBaseIsInvalidArgument",
			tier: tierReplication,
			rule: "SendStream fails with ErrInvalidArgument if the snapshot or the base names no snapshot of the volume (upstream R-6)",
			run: func(e *env) {
				v := e.volume("src")
				s := e.snapshot(v.ID, "snap")
				_, err := e.rp.SendStream(e.ctx, v.ID, e.name("nosuch"), "")
				e.want("SendStream of an unknown snapshot", err, backend.ErrInvalidArgument)
				_, err = e.rp.SendStream(e.ctx, v.ID, s.Name, e.name("nosuch"))
				e.want("SendStream from an unknown base", err, backend.ErrInvalidArgument)
			},
		},
		{
			name: "Replication/Stream/UnknownVolumeIsVolumeNotFound",
			tier: tierReplication,
			rule: "SendStream of an ID that names no live volume fails with ErrVolumeNotFound",
			run: func(e *env) {
				_, err := e.rp.SendStream(e.ctx, backend.NewVolumeID(), e.name("snap"), "")
				e.want("SendStream of a fresh volume ID", err, backend.ErrVolumeNotFound)
			},
		},
		{
			name: "Replication/Stream/IncrementalNeedsItsBaseOnTheDestination",
			tier: tierReplication,
			rule: "an incremental stream is refused with ErrInvalidArgument, creating nothing, when the destination is missing or lacks the base; after a full baseline it applies and the destination has both snapshots, oldest first",
			run:  incrementalNeedsBase,
		},
		{
			name: "Replication/Stream/ReceivingASnapshotTheDestinationHasIsANoOp",
			tier: tierReplication,
			rule: "receiving a snapshot the destination already has succeeds and changes nothing",
			run: func(e *env) {
				src := e.volume("src")
				s := e.snapshot(src.ID, "snap")
				dest := e.receive(e.rp, e.b, e.name("dest"), e.send(src.ID, s.Name, ""))
				before := e.snaps(dest.ID)
				dest = e.get(dest.ID)
				_, err := e.rp.ReceiveStream(e.ctx, dest.Name, bytes.NewReader(e.send(src.ID, s.Name, "")))
				e.ok("ReceiveStream of a snapshot the destination has", err)
				e.snapsUnchanged("after receiving it again", dest.ID, before)
				e.unchanged("after receiving it again", dest)
			},
		},
		{
			name: "Replication/Stream/MalformedStreamIsInvalidArgument",
			tier: tierReplication,
			rule: "ReceiveStream rejects a stream that is not one (empty, text, binary noise) with ErrInvalidArgument and creates nothing",
			run: func(e *env) {
				dest := e.name("dest")
				for _, junk := range []string{"", "not a stream\n", strings.Repeat("\xff\x00", 64)} {
					_, err := e.rp.ReceiveStream(e.ctx, dest, strings.NewReader(junk))
					e.want(fmt.Sprintf("ReceiveStream(%q)", text.Truncate(junk, 40)), err, backend.ErrInvalidArgument)
				}
				if n := countNamed(e.list(), dest); n != 0 {
					e.errorf("refused streams created %d volumes named %q", n, dest)
				}
			},
		},
		{
			name: "Replication/Stream/InvalidDestinationNameIsInvalidArgument",
			tier: tierReplication,
			rule: "ReceiveStream validates the destination name like CreateVolume: an invalid name is ErrInvalidArgument and nothing is created",
			run: func(e *env) {
				src := e.volume("src")
				s := e.snapshot(src.ID, "snap")
				stream := e.send(src.ID, s.Name, "")
				for _, n := range e.invalidNames() {
					_, err := e.rp.ReceiveStream(e.ctx, n.name, bytes.NewReader(stream))
					e.want(fmt.Sprintf("ReceiveStream into a name that is %s", n.why), err, backend.ErrInvalidArgument)
				}
				for _, v := range e.list() {
					if v.Name == "" || (e.ours(v.Name) && v.ID != src.ID) {
						e.errorf("a refused ReceiveStream left volume %q behind", text.Truncate(v.Name, 40))
					}
				}
			},
		},
		{
			name: "Replication/Stream/WorksBetweenTwoBackends",
			tier: tierReplication,
			rule: "snapshot names, not IDs, are the contract between the two ends: a stream sent by one backend is received by another, full then incremental",
			run: func(e *env) {
				peer, ok := e.peer().(backend.ReplicationBackend)
				if !ok {
					e.fatalf("the second backend from newBackend does not implement ReplicationBackend")
				}
				src := e.volume("src")
				s1 := e.snapshot(src.ID, "one")
				s2 := e.snapshot(src.ID, "two")
				dest := e.receive(peer, peer, e.name("dest"), e.send(src.ID, s1.Name, ""))
				_, err := peer.ReceiveStream(e.ctx, dest.Name, bytes.NewReader(e.send(src.ID, s2.Name, s1.Name)))
				e.ok("ReceiveStream(incremental) on the second backend", err)
				got, err := peer.ListSnapshots(e.ctx, dest.ID)
				e.ok("ListSnapshots on the second backend", err)
				if names := snapNames(got); len(names) != 2 || names[0] != s1.Name || names[1] != s2.Name {
					e.errorf("second backend's destination has snapshots %q, want [%q %q]", names, s1.Name, s2.Name)
				}
			},
		},
	}
}

// send returns the whole stream for snap (from base), closing it.
func (e *env) send(vol backend.VolumeID, snap, base string) []byte {
	e.r.Helper()
	rc, err := e.rp.SendStream(e.ctx, vol, snap, base)
	e.ok(fmt.Sprintf("SendStream(%q, base %q)", snap, base), err)
	defer rc.Close()
	data, err := io.ReadAll(rc)
	e.ok("reading the stream", err)
	return data
}

// receive applies a stream that must create volume dest on rp (which is b
// seen through its replication tier) and returns the new volume.
func (e *env) receive(rp backend.ReplicationBackend, b backend.VolumeBackend, dest string, stream []byte) backend.Volume {
	e.r.Helper()
	n, err := rp.ReceiveStream(e.ctx, dest, bytes.NewReader(stream))
	e.ok(fmt.Sprintf("ReceiveStream(%q)", dest), err)
	if n <= 0 {
		e.errorf("ReceiveStream(%q) applied %d bytes, want more than 0 (upstream R-3)", dest, n)
	}
	vs, err := b.ListVolumes(e.ctx)
	e.ok("ListVolumes", err)
	for _, v := range vs {
		if v.Name == dest {
			e.track(b, v.ID)
			return v
		}
	}
	e.fatalf("after ReceiveStream, ListVolumes has no volume named %q (upstream R-4)", dest)
	return backend.Volume{}
}

func incrementalNeedsBase(e *env) {
	src := e.volume("src")
	s1 := e.snapshot(src.ID, "one")
	s2 := e.snapshot(src.ID, "two")
	incr := e.send(src.ID, s2.Name, s1.Name)

	missing := e.name("missing")
	_, err := e.rp.ReceiveStream(e.ctx, missing, bytes.NewReader(incr))
	e.want("ReceiveStream(incremental) into a missing volume", err, backend.ErrInvalidArgument)
	if n := countNamed(e.list(), missing); n != 0 {
		e.errorf("a refused incremental created volume %q", missing)
	}

	bare := e.volume("bare")
	_, err = e.rp.ReceiveStream(e.ctx, bare.Name, bytes.NewReader(incr))
	e.want("ReceiveStream(incremental) into a volume without the base", err, backend.ErrInvalidArgument)
	e.snapsUnchanged("after the refused incremental", bare.ID, nil)

	dest := e.receive(e.rp, e.b, e.name("dest"), e.send(src.ID, s1.Name, ""))
	n, err := e.rp.ReceiveStream(e.ctx, dest.Name, bytes.NewReader(incr))
	e.ok("ReceiveStream(incremental) after the baseline", err)
	if n <= 0 {
		e.errorf("ReceiveStream(incremental) applied %d bytes, want more than 0", n)
	}
	if names := snapNames(e.snaps(dest.ID)); len(names) != 2 || names[0] != s1.Name || names[1] != s2.Name {
		e.errorf("destination has snapshots %q, want [%q %q]", names, s1.Name, s2.Name)
	}
}
