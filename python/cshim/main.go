//go:build cgo

// Command cshim is the C ABI of the Python binding. Built with
// -buildmode=c-archive it is linked into the CPython extension
// nessie_backend_mem._core (python/cext/_core.c). nessie.h in this
// directory declares and documents the exported surface, its ownership
// rules and the reply encoding; this file implements it. It converts C
// arguments, owns the handles (runtime/cgo.Handle values that hold an
// abi.Session) and places replies; package abi runs the operations.
//
// Every export recovers panics into error replies, and nothing here
// exits the process.
package main

/*
#include <stdlib.h>
#include "nessie.h"
*/
import "C"

import (
	"fmt"
	"runtime/cgo"
	"sync/atomic"
	"unsafe"

	"github.com/nessie-go/nessie/python/internal/abi"
)

// The operation numbers of nessie.h must be those of package abi: each
// line fails to compile (a constant index out of range) if one drifts.
var _ = [1]struct{}{}[C.NESSIE_OP_CAPABILITIES-abi.OpCapabilities]
var _ = [1]struct{}{}[C.NESSIE_OP_CREATE_VOLUME-abi.OpCreateVolume]
var _ = [1]struct{}{}[C.NESSIE_OP_LIST_VOLUMES-abi.OpListVolumes]
var _ = [1]struct{}{}[C.NESSIE_OP_GET_VOLUME-abi.OpGetVolume]
var _ = [1]struct{}{}[C.NESSIE_OP_DELETE_VOLUME-abi.OpDeleteVolume]
var _ = [1]struct{}{}[C.NESSIE_OP_PATCH_VOLUME-abi.OpPatchVolume]
var _ = [1]struct{}{}[C.NESSIE_OP_ACCESS_HANDLE-abi.OpAccessHandle]
var _ = [1]struct{}{}[C.NESSIE_OP_CREATE_SNAPSHOT-abi.OpCreateSnapshot]
var _ = [1]struct{}{}[C.NESSIE_OP_LIST_SNAPSHOTS-abi.OpListSnapshots]
var _ = [1]struct{}{}[C.NESSIE_OP_GET_SNAPSHOT-abi.OpGetSnapshot]
var _ = [1]struct{}{}[C.NESSIE_OP_DELETE_SNAPSHOT-abi.OpDeleteSnapshot]
var _ = [1]struct{}{}[C.NESSIE_OP_PATCH_SNAPSHOT-abi.OpPatchSnapshot]
var _ = [1]struct{}{}[C.NESSIE_OP_RESTORE_SNAPSHOT-abi.OpRestoreSnapshot]
var _ = [1]struct{}{}[C.NESSIE_OP_CREATE_CLONE-abi.OpCreateClone]
var _ = [1]struct{}{}[C.NESSIE_OP_SPLIT_CLONE-abi.OpSplitClone]
var _ = [1]struct{}{}[C.NESSIE_OP_CHECK_INVARIANTS-abi.OpCheckInvariants]
var _ = [1]struct{}{}[C.NESSIE_OP_LIVE_HANDLES-abi.OpLiveHandles]
var _ = [1]struct{}{}[C.NESSIE_OP_EXPORT_STATE-abi.OpExportState]
var _ = [1]struct{}{}[C.NESSIE_OP_LOAD_STATE-abi.OpLoadState]
var _ = [1]struct{}{}[C.NESSIE_NUM_OPS-abi.NumOps]

// maxArgs bounds the arguments a call reads; no operation takes more.
const maxArgs = 8

// live counts open handles, for the leak checks of the Python tests.
var live atomic.Int64

//export nessie_open
func nessie_open(flags C.int32_t) C.uintptr_t {
	live.Add(1)
	return C.uintptr_t(cgo.NewHandle(abi.NewSession(flags&C.NESSIE_STRICT != 0)))
}

//export nessie_call
func nessie_call(h C.uintptr_t, op C.int32_t, args *C.nessie_arg, nargs C.int32_t, reply *C.nessie_buf) (status C.int32_t) {
	if reply == nil {
		return C.NESSIE_FAILED // nowhere to put anything; documented as a caller bug
	}
	buf := unsafe.Slice((*byte)(unsafe.Pointer(reply.data)), max(int(reply.len), 0))
	defer func() {
		// The session recovers its own panics; this catches the shim's.
		if v := recover(); v != nil {
			status = place(reply, buf, abi.Failure("internal", fmt.Sprintf("internal backend error: panic in nessie_call: %v", v)), false)
		}
	}()
	var in [maxArgs]abi.Arg
	n := 0
	if args != nil && nargs > 0 {
		for i, a := range unsafe.Slice(args, min(int(nargs), maxArgs)) {
			in[i] = abi.Arg{Kind: abi.ArgKind(a.kind), U: uint64(a.u)}
			if a.kind == C.NESSIE_ARG_STR && a.n > 0 {
				// A view of the caller's string, valid for this call;
				// the session copies what it keeps.
				in[i].S = unsafe.String((*byte)(unsafe.Pointer(a.s)), int(a.n))
			}
			n++
		}
	}
	if op == C.NESSIE_OP_LIVE_HANDLES {
		return place(reply, buf, abi.Int(buf[:0], uint64(live.Load())), true)
	}
	s := session(uintptr(h))
	if s == nil {
		return place(reply, buf, abi.Failure("invalid_argument", "invalid argument: the backend is closed"), false)
	}
	out, ok := s.Call(int(op), in[:n], buf[:0])
	return place(reply, buf, out, ok)
}

// place puts out where the caller finds it: in its buffer if out is
// there already or fits, else in a malloc'd copy the caller frees.
func place(reply *C.nessie_buf, buf, out []byte, ok bool) C.int32_t {
	status := C.int32_t(C.NESSIE_OK)
	if !ok {
		status = C.NESSIE_FAILED
	}
	reply.len = C.int64_t(len(out))
	switch {
	case len(out) == 0 || unsafe.SliceData(out) == unsafe.SliceData(buf):
	case len(out) <= len(buf):
		copy(buf, out)
	default:
		p := C.malloc(C.size_t(len(out)))
		if p == nil {
			msg := abi.Failure("internal", fmt.Sprintf("internal backend error: out of memory for a reply of %d bytes", len(out)))
			if len(msg) > len(buf) {
				msg = nil
			}
			reply.len = C.int64_t(copy(buf, msg))
			return C.NESSIE_FAILED
		}
		copy(unsafe.Slice((*byte)(p), len(out)), out)
		reply.data = (*C.char)(p)
	}
	return status
}

// session resolves a handle; nil if it is not open.
func session(h uintptr) (s *abi.Session) {
	if h == 0 {
		return nil
	}
	defer func() {
		if recover() != nil { // cgo.Handle.Value panics on a closed handle
			s = nil
		}
	}()
	s, _ = cgo.Handle(h).Value().(*abi.Session)
	return s
}

//export nessie_free
func nessie_free(p unsafe.Pointer) {
	C.free(p)
}

//export nessie_close
func nessie_close(h C.uintptr_t) (r C.int32_t) {
	defer func() {
		if recover() != nil { // Delete panics on a handle that is not open
			r = -1
		}
	}()
	if h == 0 {
		return -1
	}
	cgo.Handle(h).Delete()
	live.Add(-1)
	return 0
}

func main() {}
