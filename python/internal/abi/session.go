package abi

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/nessie-go/nessie/backend"
)

// Version is the ABI revision. The Python package refuses a library whose
// "version" reply reports another one, so a stale build fails loudly at
// import instead of misbehaving later.
const Version = 1

// Backend is what a session drives: the clone tier (which includes the
// volume and snapshot tiers) plus the in-memory backend's invariant
// checker, exposed to Python as check_invariants().
type Backend interface {
	backend.CloneBackend
	CheckInvariants() error
}

// Session serves the requests of one handle. It is safe for concurrent
// use: it holds no mutable state of its own and the backend is safe for
// concurrent use.
type Session struct {
	b   Backend
	enc Encoding
}

// NewSession returns a session that runs requests against b and encodes
// replies with enc.
func NewSession(b Backend, enc Encoding) *Session {
	return &Session{b: b, enc: enc}
}

// Ops lists the operations a session serves, with their positional
// arguments; "?" marks an optional one (null or omitted).
var Ops = []string{
	"capabilities()",
	"create_volume(name, size_bytes?, junction_path?, export_policy?, comment?)",
	"list_volumes()",
	"get_volume(uuid)",
	"delete_volume(uuid)",
	"patch_volume(uuid, size_bytes?, junction_path?, export_policy?, name?, state?, comment?)",
	"access_handle(uuid)",
	"create_snapshot(vol_uuid, name)",
	"list_snapshots(vol_uuid)",
	"get_snapshot(vol_uuid, snap_uuid)",
	"delete_snapshot(vol_uuid, snap_uuid)",
	"patch_snapshot(vol_uuid, snap_uuid, name?, comment?)",
	"restore_snapshot(vol_uuid, snap_uuid)",
	"create_clone(parent_vol_uuid, parent_snap_uuid, new_name)",
	"split_clone(uuid)",
	"check_invariants()",
}

var writers = [...]sync.Pool{
	JSON:    {New: func() any { return new(jsonWriter) }},
	Marshal: {New: func() any { return new(marshalWriter) }},
}

// Call runs one request and appends its encoded reply to dst. ok is true
// if the reply is a result, in the session's encoding, and false if it is
// an error envelope, which is always JSON (failures are rare, and a
// single format lets the caller decode the ones raised outside a
// session). Call never panics.
//
// A reply that outgrows dst moves to the Go heap, or, if more is not nil,
// to a buffer more(n) returns (with capacity at least n): the C layer
// passes C memory, so that a long list is written once, where the caller
// reads it, instead of being built on the Go heap and copied out.
func (s *Session) Call(dst, req []byte, more func(n int) []byte) (reply []byte, ok bool) {
	w := writers[s.enc].Get().(writer)
	defer func() {
		w.reset(nil, nil) // drop the caller's buffers before pooling
		writers[s.enc].Put(w)
	}()
	var subj subject
	defer func() {
		if v := recover(); v != nil {
			reply, ok = failureJSON(dst, panicFailure(v)), false
		}
	}()
	w.reset(dst, more)
	var r request
	err := parseRequest(req, &r)
	if err == nil {
		err = s.run(context.Background(), w, &r, &subj)
	} else {
		err = &badArg{msg: "invalid argument: " + err.Error()}
	}
	return finish(dst, w, err, &subj)
}

// finish returns the reply of a request that ran with w: w's result, or
// err's envelope.
func finish(dst []byte, w writer, err error, subj *subject) ([]byte, bool) {
	if err != nil {
		return failureJSON(dst, toFailure(err, subj)), false
	}
	return w.bytes(), true
}

// Arg is one positional argument of a request passed to [Session.CallOp]
// already decoded. The zero Arg is null.
type Arg struct {
	Kind ArgKind
	// S is the value of an ArgString. It may alias memory that is valid
	// only for the duration of the call (the C caller's string): CallOp
	// copies every string it keeps, and reads UUID arguments in place.
	S string
	U uint64 // the value of an ArgUint
}

// ArgKind says what an [Arg] holds.
type ArgKind uint8

// The kinds of [Arg]; the numbering is part of the C ABI (cshim).
const (
	ArgNull ArgKind = iota
	ArgString
	ArgUint
)

// CallOp is [Session.Call] for a request whose operation (an index into
// [Ops]) and arguments come already decoded: the path of the compiled
// Python extension, which has typed values in hand and would gain nothing
// from rendering them as JSON for Call to parse. The reply, the errors
// and their wording are Call's for the equivalent JSON request; an op out
// of range or more than 8 arguments is an invalid_argument failure.
func (s *Session) CallOp(dst []byte, op int, args []Arg, more func(n int) []byte) (reply []byte, ok bool) {
	w := writers[s.enc].Get().(writer)
	defer func() {
		w.reset(nil, nil)
		writers[s.enc].Put(w)
	}()
	var subj subject
	defer func() {
		if v := recover(); v != nil {
			reply, ok = failureJSON(dst, panicFailure(v)), false
		}
	}()
	w.reset(dst, more)
	var r request
	var err error
	switch {
	case op < 0 || op >= len(opNames):
		err = &badArg{msg: fmt.Sprintf("invalid argument: unknown operation number %d", op)}
	case len(args) > maxArgs:
		err = &badArg{msg: fmt.Sprintf("invalid argument: %s: too many arguments (%d)", opNames[op], len(args))}
	default:
		r.op, r.n = opNames[op], len(args)
		for i, a := range args {
			switch a.Kind {
			case ArgString:
				str := a.S
				if i >= len(uuidParams[op]) || !uuidParams[op][i] {
					str = strings.Clone(str) // names and the like outlive the call
				}
				r.args[i] = arg{kind: argString, s: str}
			case ArgUint:
				r.args[i] = arg{kind: argUint, u: a.U}
			case ArgNull:
			default:
				err = &badArg{msg: fmt.Sprintf("invalid argument: %s: argument %d has unknown kind %d", r.op, i+1, a.Kind)}
			}
		}
		if err == nil {
			err = s.run(context.Background(), w, &r, &subj)
		}
	}
	return finish(dst, w, err, &subj)
}

// opNames holds the operation names of [Ops], by index.
var opNames = func() []string {
	names := make([]string, len(Ops))
	for i, o := range Ops {
		names[i] = o[:strings.IndexByte(o, '(')]
	}
	return names
}()

// uuidParams marks, for each operation of [Ops], the parameters that are
// UUIDs (their names end in "uuid"): volumeArg and snapshotArg only parse
// them, so CallOp need not copy them.
var uuidParams = func() [][]bool {
	marks := make([][]bool, len(Ops))
	for i, o := range Ops {
		params := strings.TrimSuffix(o[strings.IndexByte(o, '(')+1:], ")")
		if params == "" {
			continue
		}
		for _, p := range strings.Split(params, ", ") {
			marks[i] = append(marks[i], strings.HasSuffix(p, "uuid"))
		}
	}
	return marks
}()

// failureJSON appends f's JSON envelope to dst.
func failureJSON(dst []byte, f *failure) []byte {
	var w jsonWriter
	w.reset(dst, nil)
	writeFailure(&w, f)
	return w.b
}

// subject records what a request named, to word error messages the way
// the original package did (it names the volume of a missing snapshot).
type subject struct {
	vol      backend.VolumeID
	snap     backend.SnapshotID
	name     string  // the name the request would create or take
	junction *string // the junction path the request sets, if any
}

func (s *Session) run(ctx context.Context, w writer, r *request, rc *subject) error {
	b := s.b
	switch r.op {
	case "capabilities":
		c := b.Capabilities(ctx)
		c.Replication = false // the binding exposes no replication methods
		writeCapabilities(w, c)

	case "list_volumes":
		vs, err := b.ListVolumes(ctx)
		if err != nil {
			return err
		}
		writeVolumes(w, vs)

	case "create_volume":
		var spec backend.VolumeSpec
		var err error
		if spec.Name, err = needString(r, 0, "name"); err != nil {
			return err
		}
		rc.name = spec.Name
		if spec.Size, _, err = optSize(r, 1); err != nil {
			return err
		}
		rc.junction = &spec.JunctionPath
		for i, f := range []struct {
			dst  *string
			name string
		}{{&spec.JunctionPath, "junction_path"}, {&spec.ExportPolicy, "export_policy"}, {&spec.Comment, "comment"}} {
			p, err := optString(r, 2+i, f.name)
			if err != nil {
				return err
			}
			if p != nil {
				*f.dst = *p
			}
		}
		v, err := b.CreateVolume(ctx, spec)
		if err != nil {
			return err
		}
		writeVolume(w, &v)

	case "get_volume", "delete_volume", "access_handle", "split_clone", "list_snapshots":
		id, err := volumeArg(r, 0, rc)
		if err != nil {
			return err
		}
		return s.volumeOp(ctx, w, r.op, id)

	case "patch_volume":
		id, err := volumeArg(r, 0, rc)
		if err != nil {
			return err
		}
		var p backend.VolumePatch
		size, set, err := optSize(r, 1)
		if err != nil {
			return err
		}
		if set {
			p.Size = &size
		}
		if p.JunctionPath, err = optString(r, 2, "junction_path"); err != nil {
			return err
		}
		rc.junction = p.JunctionPath
		if p.ExportPolicy, err = optString(r, 3, "export_policy"); err != nil {
			return err
		}
		if p.Name, err = optString(r, 4, "name"); err != nil {
			return err
		}
		if p.Name != nil {
			rc.name = *p.Name
		}
		state, err := optString(r, 5, "state")
		if err != nil {
			return err
		}
		if state != nil {
			p.State = (*backend.VolumeState)(state)
		}
		if p.Comment, err = optString(r, 6, "comment"); err != nil {
			return err
		}
		v, err := b.PatchVolume(ctx, id, p)
		if err != nil {
			return err
		}
		writeVolume(w, &v)

	case "create_snapshot":
		id, err := volumeArg(r, 0, rc)
		if err != nil {
			return err
		}
		if rc.name, err = needString(r, 1, "name"); err != nil {
			return err
		}
		snap, err := b.CreateSnapshot(ctx, id, backend.SnapshotSpec{Name: rc.name})
		if err != nil {
			return err
		}
		writeSnapshot(w, &snap)

	case "get_snapshot", "delete_snapshot", "restore_snapshot", "patch_snapshot":
		vol, err := volumeArg(r, 0, rc)
		if err != nil {
			return err
		}
		snap, err := snapshotArg(r, 1, rc)
		if err != nil {
			return err
		}
		return s.snapshotOp(ctx, w, r, rc, vol, snap)

	case "create_clone":
		vol, err := volumeArg(r, 0, rc)
		if err != nil {
			return err
		}
		snap, err := snapshotArg(r, 1, rc)
		if err != nil {
			return err
		}
		if rc.name, err = needString(r, 2, "new_name"); err != nil {
			return err
		}
		v, err := b.CreateClone(ctx, backend.CloneSpec{ParentVolume: vol, ParentSnapshot: snap, Name: rc.name})
		if err != nil {
			return err
		}
		writeVolume(w, &v)

	case "check_invariants":
		if err := b.CheckInvariants(); err != nil {
			var be *backend.Error
			if errors.As(err, &be) {
				return err
			}
			return &backend.Error{Op: "CheckInvariants", Kind: backend.KindInternal, Resource: backend.ResourceBackend, Err: err}
		}
		w.null()

	default:
		return &badArg{msg: fmt.Sprintf("invalid argument: unknown operation %.64q", r.op)}
	}
	return nil
}

func (s *Session) volumeOp(ctx context.Context, w writer, op string, id backend.VolumeID) error {
	b := s.b
	switch op {
	case "get_volume", "split_clone":
		var v backend.Volume
		var err error
		if op == "get_volume" {
			v, err = b.GetVolume(ctx, id)
		} else {
			v, err = b.SplitClone(ctx, id)
		}
		if err != nil {
			return err
		}
		writeVolume(w, &v)
	case "delete_volume":
		if err := b.DeleteVolume(ctx, id); err != nil {
			return err
		}
		w.null()
	case "access_handle":
		h, err := b.AccessHandle(ctx, id)
		if err != nil {
			return err
		}
		writeAccessHandle(w, h)
	case "list_snapshots":
		ss, err := b.ListSnapshots(ctx, id)
		if err != nil {
			return err
		}
		writeSnapshots(w, ss)
	}
	return nil
}

func (s *Session) snapshotOp(ctx context.Context, w writer, r *request, rc *subject, vol backend.VolumeID, snap backend.SnapshotID) error {
	b := s.b
	switch r.op {
	case "get_snapshot":
		sn, err := b.GetSnapshot(ctx, vol, snap)
		if err != nil {
			return err
		}
		writeSnapshot(w, &sn)
	case "delete_snapshot":
		if err := b.DeleteSnapshot(ctx, vol, snap); err != nil {
			return err
		}
		w.null()
	case "restore_snapshot":
		v, err := b.RestoreSnapshot(ctx, vol, snap)
		if err != nil {
			return err
		}
		writeVolume(w, &v)
	case "patch_snapshot":
		var p backend.SnapshotPatch
		var err error
		if p.Name, err = optString(r, 2, "name"); err != nil {
			return err
		}
		if p.Name != nil {
			rc.name = *p.Name
		}
		if p.Comment, err = optString(r, 3, "comment"); err != nil {
			return err
		}
		sn, err := b.PatchSnapshot(ctx, vol, snap, p)
		if err != nil {
			return err
		}
		writeSnapshot(w, &sn)
	}
	return nil
}

// badArg is a request the binding refuses before reaching the backend.
// Its text is the whole message, e.g. `invalid volume uuid "x"`.
type badArg struct {
	resource backend.Resource
	msg      string
}

func (e *badArg) Error() string { return e.msg }

func typeError(r *request, i int, name, want string) error {
	return &badArg{msg: fmt.Sprintf("invalid argument: %s: argument %d (%s) must be %s, not %s",
		r.op, i+1, name, want, r.arg(i).kind)}
}

func needString(r *request, i int, name string) (string, error) {
	a := r.arg(i)
	if a.kind != argString {
		return "", typeError(r, i, name, "a string")
	}
	return a.s, nil
}

func optString(r *request, i int, name string) (*string, error) {
	switch a := r.arg(i); a.kind {
	case argNull:
		return nil, nil
	case argString:
		return &a.s, nil
	}
	return nil, typeError(r, i, name, "a string or null")
}

// optSize reads a size: null is unlimited (and, in a patch, unset).
func optSize(r *request, i int) (size backend.Size, set bool, err error) {
	switch a := r.arg(i); a.kind {
	case argNull:
		return backend.Unlimited, false, nil
	case argUint:
		return backend.Bytes(a.u), true, nil
	}
	return backend.Size{}, false, typeError(r, i, "size_bytes", "a non-negative integer or null")
}

func volumeArg(r *request, i int, rc *subject) (backend.VolumeID, error) {
	id, err := idArg[backend.VolumeID](r, i, backend.ResourceVolume)
	if err == nil {
		rc.vol = id
	}
	return id, err
}

func snapshotArg(r *request, i int, rc *subject) (backend.SnapshotID, error) {
	id, err := idArg[backend.SnapshotID](r, i, backend.ResourceSnapshot)
	if err == nil {
		rc.snap = id
	}
	return id, err
}

// idArg reads argument i as a volume or snapshot UUID, with the original
// package's error text for one that does not parse.
func idArg[ID ~[16]byte](r *request, i int, res backend.Resource) (ID, error) {
	what := string(res) + " uuid"
	s, err := needString(r, i, what)
	if err != nil {
		return ID{}, err
	}
	raw, ok := parseID(uuidText(s))
	if !ok {
		return ID{}, &badArg{resource: res, msg: fmt.Sprintf("invalid %s %q", what, s)}
	}
	return ID(raw), nil
}

// uuidText rewrites the other spellings the original package accepted
// (braced, urn:uuid: prefixed, 32 bare hex digits) into the hyphenated
// form the backend package parses; anything else is left for it to
// reject.
func uuidText(s string) string {
	switch {
	case len(s) == 38 && s[0] == '{' && s[37] == '}':
		return s[1:37]
	case len(s) == 45 && strings.HasPrefix(s, "urn:uuid:"):
		return s[9:]
	case len(s) == 32:
		return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
	}
	return s
}

var kindNames = map[backend.Kind]string{
	backend.KindNotFound:        "not_found",
	backend.KindAlreadyExists:   "already_exists",
	backend.KindInvalidArgument: "invalid_argument",
	backend.KindInUse:           "in_use",
	backend.KindUnsupported:     "unsupported",
	backend.KindInternal:        "internal",
}

// toFailure turns an error into the envelope Python raises, wording the
// message as the original package did where it had an equivalent.
func toFailure(err error, rc *subject) *failure {
	var ba *badArg
	if errors.As(err, &ba) {
		return &failure{kind: "invalid_argument", resource: string(ba.resource), message: ba.msg, detail: ba.msg}
	}
	var e *backend.Error
	if !errors.As(err, &e) || kindNames[e.Kind] == "" {
		return &failure{kind: "internal", message: "internal backend error: " + err.Error(), detail: err.Error()}
	}
	f := &failure{kind: kindNames[e.Kind], resource: string(e.Resource), detail: err.Error()}
	name := rc.name
	if name == "" {
		name = e.Name
	}
	cause := func() string {
		if e.Err != nil {
			return e.Err.Error()
		}
		// VolumeSpec.Validate and VolumePatch.Validate drop the cause of
		// a bad junction path (errors.Unwrap of a multi-error *Error is
		// nil), so recover it from the request.
		if rc.junction != nil {
			var je *backend.Error
			if errors.As(backend.ValidateJunctionPath(*rc.junction), &je) && je.Err != nil {
				return je.Err.Error()
			}
		}
		bare := *e
		bare.Op = ""
		return bare.Error()
	}
	switch {
	case e.Kind == backend.KindNotFound && e.Resource == backend.ResourceVolume:
		f.message = "volume " + orElse(e.ID, rc.vol.String()) + " not found"
	case e.Kind == backend.KindNotFound && e.Resource == backend.ResourceSnapshot:
		f.message = "snapshot " + orElse(e.ID, rc.snap.String()) + " not found on volume " + rc.vol.String()
	case e.Kind == backend.KindAlreadyExists && e.Resource == backend.ResourceVolume:
		f.message = fmt.Sprintf("volume %q already exists", name)
	case e.Kind == backend.KindAlreadyExists && e.Resource == backend.ResourceSnapshot:
		f.message = fmt.Sprintf("snapshot %q already exists on volume %s", name, rc.vol.String())
	case e.Kind == backend.KindInvalidArgument:
		f.message = "invalid argument: " + cause()
	case e.Kind == backend.KindUnsupported:
		f.message = "backend does not support " + orElse(e.Name, cause())
	case e.Kind == backend.KindInternal:
		f.message = "internal backend error: " + cause()
	default:
		bare := *e
		bare.Op = ""
		f.message = bare.Error()
	}
	return f
}

func orElse(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func panicFailure(v any) *failure {
	msg := fmt.Sprintf("panic: %v", v)
	return &failure{kind: "internal", message: "internal backend error: " + msg, detail: msg + "\n\n" + string(debug.Stack())}
}

// Module serves the requests that need no handle, always in JSON:
//
//	["version"]       {"abi": Version, "go": "go1.26…"}
//	["stats", gc?]    {"handles": live, "heap_alloc": …, "heap_objects": …, "goroutines": …}
//	["sample", enc]   a fixed value exercising every encoder path, in encoding enc
//
// live is the number of open handles, which the caller tracks; with gc
// true, stats collects garbage first so that the heap figures count live
// objects only.
func Module(dst, req []byte, live int64) (reply []byte, ok bool) {
	w := new(jsonWriter)
	w.reset(dst, nil)
	defer func() {
		if v := recover(); v != nil {
			reply, ok = failureJSON(dst, panicFailure(v)), false
		}
	}()
	var r request
	if err := parseRequest(req, &r); err != nil {
		return failureJSON(dst, toFailure(&badArg{msg: "invalid argument: " + err.Error()}, &subject{})), false
	}
	switch r.op {
	case "version":
		w.beginDict()
		w.key(kABI)
		w.uint(Version)
		w.key(kGo)
		w.str(runtime.Version())
		w.endDict()
	case "stats":
		if a := r.arg(0); a.kind == argBool && a.b {
			runtime.GC()
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		w.beginDict()
		w.key(kHandles)
		w.uint(uint64(max(live, 0)))
		w.key(kHeapAlloc)
		w.uint(ms.HeapAlloc)
		w.key(kHeapObjects)
		w.uint(ms.HeapObjects)
		w.key(kGoroutines)
		w.uint(uint64(runtime.NumGoroutine()))
		w.endDict()
	case "sample":
		enc, err := ParseEncoding(r.arg(0).s)
		if err != nil {
			return failureJSON(dst, toFailure(&badArg{msg: "invalid argument: " + err.Error()}, &subject{})), false
		}
		sw := writers[enc].Get().(writer)
		defer writers[enc].Put(sw)
		sw.reset(dst, nil)
		writeSample(sw)
		out := sw.bytes()
		sw.reset(nil, nil)
		return out, true
	default:
		return failureJSON(dst, toFailure(&badArg{msg: fmt.Sprintf("invalid argument: unknown operation %.64q", r.op)}, &subject{})), false
	}
	return w.bytes(), true
}
