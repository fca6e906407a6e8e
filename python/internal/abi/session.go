package abi

import (
	"context"
	"errors"
	"strings"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/mem"
)

// The operations, numbered as enum nessie_op in nessie.h.
const (
	OpCapabilities = iota
	OpCreateVolume
	OpListVolumes
	OpGetVolume
	OpDeleteVolume
	OpPatchVolume
	OpAccessHandle
	OpCreateSnapshot
	OpListSnapshots
	OpGetSnapshot
	OpDeleteSnapshot
	OpPatchSnapshot
	OpRestoreSnapshot
	OpCreateClone
	OpSplitClone
	OpCheckInvariants
	OpLiveHandles // answered by the cshim, never by a Session
	OpExportState
	OpLoadState
	NumOps
)

// ArgKind tags an Arg, as nessie_arg.kind does.
type ArgKind uint8

// The argument kinds of nessie.h.
const (
	ArgNone ArgKind = iota
	ArgStr
	ArgInt
)

// Arg is one argument of Call: a string S, an integer U, or None. S may
// point into C memory that lives only for the call; the session copies
// what it keeps.
type Arg struct {
	S    string
	U    uint64
	Kind ArgKind
}

// Session runs operations against one backend.
type Session struct {
	b      *mem.Backend
	strict bool
	kept   keptObjects // the loaded fixture's origin and objects
}

// NewSession returns a session over a new, empty mem backend, in the
// strict mode or the default (compatible) one.
func NewSession(strict bool) *Session {
	return &Session{b: newBackend(strict), strict: strict}
}

// Strict reports the session's mode.
func (s *Session) Strict() bool { return s.strict }

var bg = context.Background()

// Call runs operation op and appends its reply to dst[:0]: the result if
// ok, else an error record. It never panics.
func (s *Session) Call(op int, args []Arg, dst []byte) (reply []byte, ok bool) {
	e := enc{b: dst[:0]}
	sub := &e.sub
	defer func() {
		if v := recover(); v != nil {
			reply, ok = encodeFailure(dst, panicFailure(v)), false
		}
	}()
	if err := s.run(op, args, &e, sub); err != nil {
		return encodeFailure(dst, toFailure(err, sub)), false
	}
	return e.b, true
}

func encodeFailure(dst []byte, f failure) []byte {
	e := enc{b: dst[:0]}
	e.dict(3)
	e.sym(kKind)
	e.str(f.kind)
	e.sym(kResource)
	if f.resource == "" {
		e.none()
	} else {
		e.str(f.resource)
	}
	e.sym(kMessage)
	e.text(f.message)
	return e.b
}

// errBadCall is a call whose arguments do not match the operation's
// signature in nessie.h: a bug in the caller, not in the user's input.
var errBadCall = errors.New("internal: arguments do not match the operation")

// args reads a call's arguments against a signature (see nessie.h): s a
// string, S a string or None, n an integer or None. Missing trailing
// arguments are None.
//
// The first error is kept in *err, outside the struct: were it a field
// beside a, returning it would make escape analysis move every caller's
// argument array to the heap.
type argv struct {
	a   []Arg
	err *error
}

func (v *argv) at(i int) Arg {
	if i < len(v.a) {
		return v.a[i]
	}
	return Arg{}
}

func (v *argv) str(i int) string {
	a := v.at(i)
	if a.Kind != ArgStr {
		*v.err = errBadCall
	}
	return a.S
}

func (v *argv) optStr(i int) *string {
	switch a := v.at(i); a.Kind {
	case ArgStr:
		s := strings.Clone(a.S)
		return &s
	case ArgNone:
		return nil
	}
	*v.err = errBadCall
	return nil
}

func (v *argv) size(i int) (backend.Size, bool) {
	switch a := v.at(i); a.Kind {
	case ArgInt:
		return backend.Bytes(a.U), true
	case ArgNone:
		return backend.Unlimited, false
	}
	*v.err = errBadCall
	return backend.Unlimited, false
}

func (v *argv) vol(i int, sub *subject) backend.VolumeID {
	s := v.str(i)
	if *v.err != nil {
		return backend.VolumeID{}
	}
	id, ok, canonical := parseIDCanon(s)
	if !ok {
		*v.err = invalidID(backend.ResourceVolume, s)
		return backend.VolumeID{}
	}
	sub.vol = backend.VolumeID(id)
	if canonical {
		sub.volArg = int8(i + 1)
	}
	return sub.vol
}

func (v *argv) snap(i int, sub *subject) backend.SnapshotID {
	s := v.str(i)
	if *v.err != nil {
		return backend.SnapshotID{}
	}
	id, ok, canonical := parseIDCanon(s)
	if !ok {
		*v.err = invalidID(backend.ResourceSnapshot, s)
		return backend.SnapshotID{}
	}
	sub.snap = backend.SnapshotID(id)
	if canonical {
		sub.snapArg = int8(i + 1)
	}
	return sub.snap
}

func (s *Session) run(op int, args []Arg, e *enc, sub *subject) error {
	b := s.b
	var argErr error
	v := argv{a: args, err: &argErr}
	switch op {
	case OpCapabilities:
		c := b.Capabilities(bg)
		e.shape(shapeCapabilities)
		e.boolean(c.Snapshots)
		e.boolean(c.Clones)
		e.boolean(false) // the binding exposes no replication methods
		return nil

	case OpListVolumes:
		vs, err := b.ListVolumes(bg)
		if err != nil {
			return err
		}
		e.list(len(vs))
		for i := range vs {
			s.volume(e, &vs[i])
		}
		return nil

	case OpCheckInvariants:
		if err := b.CheckInvariants(); err != nil {
			if backend.KindOf(err) == 0 {
				return &backend.Error{Op: "CheckInvariants", Kind: backend.KindInternal, Resource: backend.ResourceBackend, Err: err}
			}
			return err
		}
		e.none()
		return nil

	case OpCreateVolume:
		var spec backend.VolumeSpec
		name := v.str(0)
		spec.Size, _ = v.size(1)
		jp, pol, comment := v.optStr(2), v.optStr(3), v.optStr(4)
		if *v.err != nil {
			return *v.err
		}
		spec.Name = strings.Clone(name)
		sub.name = spec.Name
		if comment != nil {
			spec.Comment = *comment
		}
		if s.strict {
			if jp != nil {
				spec.JunctionPath = *jp
			}
			if pol != nil {
				spec.ExportPolicy = *pol
			}
		} else if jp != nil && !strings.HasPrefix(*jp, "/") {
			// The default mode accepts and discards junction paths and
			// export policies, as the published package does.
			return junctionError(*jp)
		}
		vol, err := b.CreateVolume(bg, spec)
		if err != nil {
			return err
		}
		e.nameArg = 1
		s.volume(e, &vol)
		return nil

	case OpGetVolume, OpDeleteVolume, OpAccessHandle, OpSplitClone, OpListSnapshots:
		id := v.vol(0, sub)
		if *v.err != nil {
			return *v.err
		}
		return s.volumeOp(op, id, e)

	case OpPatchVolume:
		id := v.vol(0, sub)
		var p backend.VolumePatch
		if size, set := v.size(1); set {
			p.Size = &size
		}
		p.JunctionPath, p.ExportPolicy = v.optStr(2), v.optStr(3)
		p.Name = v.optStr(4)
		state := v.optStr(5)
		p.Comment = v.optStr(6)
		if *v.err != nil {
			return *v.err
		}
		if state != nil {
			p.State = (*backend.VolumeState)(state)
		}
		if p.Name != nil {
			sub.name = *p.Name
		}
		if !s.strict {
			// The published package: existence first, then a junction
			// path must start with '/'; both fields are then discarded.
			cur, err := b.GetVolume(bg, id)
			if err != nil {
				return err
			}
			if p.JunctionPath != nil && !strings.HasPrefix(*p.JunctionPath, "/") {
				return junctionError(*p.JunctionPath)
			}
			p.JunctionPath, p.ExportPolicy = nil, nil
			if p.IsEmpty() {
				s.volume(e, &cur)
				return nil
			}
		}
		vol, err := b.PatchVolume(bg, id, p)
		if err != nil {
			return err
		}
		if p.Name != nil {
			e.nameArg = 5
		}
		s.volume(e, &vol)
		return nil

	case OpCreateSnapshot:
		id := v.vol(0, sub)
		name := v.str(1)
		comment := v.optStr(2)
		if *v.err != nil {
			return *v.err
		}
		sub.name = strings.Clone(name)
		snap, err := createSnapshot(b, id, sub.name, comment)
		if err != nil {
			return err
		}
		e.nameArg = 2
		s.snapshot(e, &snap)
		return nil

	case OpGetSnapshot, OpDeleteSnapshot, OpRestoreSnapshot, OpPatchSnapshot:
		vol := v.vol(0, sub)
		if *v.err != nil {
			return *v.err
		}
		snap := v.snap(1, sub)
		var p backend.SnapshotPatch
		if op == OpPatchSnapshot {
			p.Name, p.Comment = v.optStr(2), v.optStr(3)
		}
		if *v.err != nil {
			return *v.err
		}
		if p.Name != nil {
			sub.name = *p.Name
		}
		return s.snapshotOp(op, vol, snap, p, e)

	case OpCreateClone:
		vol := v.vol(0, sub)
		if *v.err != nil {
			return *v.err
		}
		snap := v.snap(1, sub)
		name := v.str(2)
		if *v.err != nil {
			return *v.err
		}
		sub.name = strings.Clone(name)
		c, err := createClone(b, vol, snap, sub.name)
		if err != nil {
			return err
		}
		e.nameArg = 3
		s.volume(e, &c)
		return nil

	case OpExportState:
		doc, err := exportState(b, &s.kept)
		if err != nil {
			return err
		}
		e.text(string(doc))
		return nil

	case OpLoadState:
		data, file := v.str(0), v.str(1)
		if *v.err != nil {
			return *v.err
		}
		if err := loadState(b, &s.kept, s.strict, file, data); err != nil {
			return err
		}
		e.none()
		return nil
	}
	return errBadCall
}

func (s *Session) volumeOp(op int, id backend.VolumeID, e *enc) error {
	b := s.b
	switch op {
	case OpGetVolume, OpSplitClone:
		var v backend.Volume
		var err error
		if op == OpGetVolume {
			v, err = b.GetVolume(bg, id)
		} else {
			v, err = b.SplitClone(bg, id)
		}
		if err != nil {
			return err
		}
		s.volume(e, &v)
	case OpDeleteVolume:
		if err := b.DeleteVolume(bg, id); err != nil {
			return err
		}
		e.none()
	case OpAccessHandle:
		h, err := b.AccessHandle(bg, id)
		if err != nil {
			return err
		}
		n := 1
		if h.Server != "" {
			n++
		}
		if h.Path != "" {
			n++
		}
		e.dict(n)
		e.sym(kKind)
		e.str(string(h.Kind))
		if h.Server != "" {
			e.str("server")
			e.text(h.Server)
		}
		if h.Path != "" {
			e.str("path")
			e.text(h.Path)
		}
	case OpListSnapshots:
		ss, err := b.ListSnapshots(bg, id)
		if err != nil {
			return err
		}
		e.list(len(ss))
		for i := range ss {
			s.snapshot(e, &ss[i])
		}
	}
	return nil
}

func (s *Session) snapshotOp(op int, vol backend.VolumeID, snap backend.SnapshotID, p backend.SnapshotPatch, e *enc) error {
	b := s.b
	switch op {
	case OpGetSnapshot, OpPatchSnapshot:
		var sn backend.Snapshot
		var err error
		if op == OpGetSnapshot {
			sn, err = b.GetSnapshot(bg, vol, snap)
		} else {
			sn, err = b.PatchSnapshot(bg, vol, snap, p)
			if p.Name != nil {
				e.nameArg = 3
			}
		}
		if err != nil {
			return err
		}
		s.snapshot(e, &sn)
	case OpDeleteSnapshot:
		if err := b.DeleteSnapshot(bg, vol, snap); err != nil {
			return err
		}
		e.none()
	case OpRestoreSnapshot:
		v, err := b.RestoreSnapshot(bg, vol, snap)
		if err != nil {
			return err
		}
		s.volume(e, &v)
	}
	return nil
}

// volume writes a volume dict: in the default mode exactly the published
// package's keys (a fixed shape), in the strict mode the contract's fields.
func (s *Session) volume(e *enc, v *backend.Volume) {
	if !s.strict {
		if v.Clone != nil {
			e.shape(shapeClone)
		} else {
			e.shape(shapeVolume)
		}
		e.uuid(v.ID)
		e.name(v.Name)
		s.size(e, v.Size)
		e.enum(string(v.State))
		e.enum(string(v.Style))
		e.enum(string(v.Type))
		if c := v.Clone; c != nil {
			e.shape(shapeOrigin)
			e.text(c.ParentVolume)
			e.text(c.ParentSnapshot)
		}
		return
	}
	n := 7 // the six keys above and used_bytes
	if v.Clone != nil {
		n++
	}
	if !v.CreateTime.IsZero() {
		n++
	}
	for _, f := range [...]string{v.JunctionPath, v.ExportPolicy, v.Comment} {
		if f != "" {
			n++
		}
	}
	e.dict(n)
	e.sym(kUUID)
	e.uuid(v.ID)
	e.sym(kName)
	e.name(v.Name)
	e.sym(kSizeBytes)
	s.size(e, v.Size)
	e.sym(kState)
	e.enum(string(v.State))
	e.sym(kStyle)
	e.enum(string(v.Style))
	e.sym(kVolType)
	e.enum(string(v.Type))
	if c := v.Clone; c != nil {
		e.sym(kClone)
		e.dict(4)
		e.sym(kParentVolume)
		e.text(c.ParentVolume)
		e.sym(kParentSnapshot)
		e.text(c.ParentSnapshot)
		e.sym(kParentVolumeUUID)
		e.uuid(c.ParentVolumeID)
		e.sym(kParentSnapshotUUID)
		e.uuid(c.ParentSnapshotID)
	}
	for _, f := range [...]struct {
		k sym
		v string
	}{{kJunctionPath, v.JunctionPath}, {kExportPolicy, v.ExportPolicy}, {kComment, v.Comment}} {
		if f.v != "" {
			e.sym(f.k)
			e.text(f.v)
		}
	}
	if !v.CreateTime.IsZero() {
		e.sym(kCreateTime)
		e.time(v.CreateTime)
	}
	e.sym(kUsedBytes)
	e.uint(v.UsedBytes)
}

func (s *Session) size(e *enc, size backend.Size) {
	if n, ok := size.Get(); ok {
		e.uint(n)
	} else {
		e.none()
	}
}

// snapshot writes a snapshot dict: {uuid, name, size_consumed} in the
// default mode, plus create_time (and comment when set) in the strict one.
func (s *Session) snapshot(e *enc, sn *backend.Snapshot) {
	if !s.strict {
		e.shape(shapeSnapshot)
		e.uuid(sn.ID)
		e.name(sn.Name)
		e.uint(sn.SizeConsumed)
		return
	}
	if sn.Comment != "" {
		e.dict(5)
	} else {
		e.dict(4)
	}
	e.sym(kUUID)
	e.uuid(sn.ID)
	e.sym(kName)
	e.name(sn.Name)
	e.sym(kCreateTime)
	e.time(sn.CreateTime)
	e.sym(kSizeConsumed)
	e.uint(sn.SizeConsumed)
	if sn.Comment != "" {
		e.sym(kComment)
		e.text(sn.Comment)
	}
}

// Failure encodes an error record of the cgo layer's own (a closed
// handle, a panic outside a session).
func Failure(kind, message string) []byte {
	return encodeFailure(nil, failure{kind: kind, message: message})
}

// Int appends the encoding of u to dst.
func Int(dst []byte, u uint64) []byte {
	e := enc{b: dst}
	e.uint(u)
	return e.b
}
