//go:build cgo

// Command cshim is the C ABI of the Python binding: built with
// -buildmode=c-shared it becomes nessie_backend_mem/_nessie_core.so, which
// the Python package loads with ctypes and calls through its compiled
// extension (python/cext) or, without it, through ctypes. It only moves
// bytes and owns handles; requests are decoded and run by package abi.
//
// # ABI (version 1)
//
//	uintptr_t nessie_open(const char *config, char *errbuf, int64_t errcap);
//	int64_t   nessie_call(uintptr_t h, const char *request, char *buf, int64_t cap);
//	char     *nessie_thread_buffer(int64_t *cap);
//	int64_t   nessie_call_tls(uintptr_t h, const char *request);
//	int64_t   nessie_call_op(uintptr_t h, int32_t op, const nessie_arg *args, int32_t nargs, char *buf, int64_t cap);
//	void      nessie_free(void *p);
//	int       nessie_close(uintptr_t h);
//
// nessie_open creates an in-memory backend and returns its handle, or 0
// with a NUL-terminated message in errbuf. config is a NUL-terminated JSON
// object: {} or {"encoding": "json" | "marshal"} (the reply encoding).
//
// nessie_call runs one NUL-terminated JSON request (see package abi) and
// writes the reply into the caller's buffer:
//
//	r > 0   success; the result is buf[0:r]
//	r < 0   failure; the error envelope is buf[0:-r]
//	r == 0  the reply did not fit: buf holds three native-endian 64-bit
//	        words {pointer, length, status (0 success, 1 failure)} and the
//	        caller must release the pointer with nessie_free
//
// cap must be at least 24; r is math.MinInt64 otherwise. Handle 0 serves
// the module requests of abi.Module (version, stats, sample).
//
// nessie_thread_buffer returns the calling OS thread's reply buffer (64
// KiB, allocated on first use, freed when the thread exits) and stores its
// size in *cap; nessie_call_tls(h, request) is nessie_call with that
// buffer (tls.c): the same call in two arguments instead of four, which
// matters to ctypes. Both fail (NULL, math.MinInt64) only if malloc does.
//
// nessie_call_op is nessie_call for a request the caller has already
// decoded: op indexes abi.Ops and args holds nargs typed arguments
// (nessie_arg: kind 0 null, 1 a UTF-8 string s[0:n], 2 an integer u).
// The reply, its placement and the error envelopes are those of the
// equivalent JSON request; handle 0 has no decoded requests. The compiled
// extension (python/cext) calls it, skipping the JSON request.
//
// nessie_close releases a handle and returns 0, or -1 if it was not open.
// The backend is freed once no call is using it.
//
// # Safety
//
// Every export recovers panics (they become error replies), and nothing
// here exits the process. Calls may come from any number of threads at
// once; the caller must not release a buffer while a call uses it.
package main

/*
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// One argument of nessie_call_op: kind 0 null, 1 the string s[0:n]
// (UTF-8), 2 the integer u.
typedef struct {
	const char *s;
	int64_t n;
	uint64_t u;
	int32_t kind;
	int32_t reserved;
} nessie_arg;
*/
import "C"

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"runtime/cgo"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/nessie-go/nessie/backend/mem"
	"github.com/nessie-go/nessie/python/internal/abi"
)

// live counts open handles, for the leak checks of the Python tests.
var live atomic.Int64

// overflowHeader is the size of the {pointer, length, status} record.
const overflowHeader = 24

//export nessie_open
func nessie_open(config *C.char, errbuf *C.char, errcap C.int64_t) (h C.uintptr_t) {
	defer func() {
		if v := recover(); v != nil {
			writeCString(errbuf, int64(errcap), fmt.Sprintf("nessie_open: panic: %v", v))
			h = 0
		}
	}()
	hd, err := open(cBytes(config))
	if err != nil {
		writeCString(errbuf, int64(errcap), err.Error())
		return 0
	}
	return C.uintptr_t(hd)
}

func open(config []byte) (cgo.Handle, error) {
	var cfg struct {
		Encoding string `json:"encoding"`
	}
	if len(config) > 0 {
		if err := json.Unmarshal(config, &cfg); err != nil {
			return 0, fmt.Errorf("nessie_open: bad config: %v", err)
		}
	}
	enc, err := abi.ParseEncoding(cfg.Encoding)
	if err != nil {
		return 0, fmt.Errorf("nessie_open: %v", err)
	}
	live.Add(1)
	return cgo.NewHandle(abi.NewSession(mem.New(nil), enc)), nil
}

//export nessie_call
func nessie_call(h C.uintptr_t, req *C.char, buf *C.char, capacity C.int64_t) C.int64_t {
	return C.int64_t(call(uintptr(h), cBytes(req), unsafe.Pointer(buf), int64(capacity)))
}

//export nessie_call_op
func nessie_call_op(h C.uintptr_t, op C.int32_t, args *C.nessie_arg, nargs C.int32_t, buf *C.char, capacity C.int64_t) C.int64_t {
	var cargs []C.nessie_arg
	if args != nil && nargs > 0 {
		cargs = unsafe.Slice(args, min(int(nargs), maxOpArgs+1))
	}
	var in [maxOpArgs + 1]abi.Arg
	for i, a := range cargs {
		in[i] = abi.Arg{Kind: abi.ArgKind(a.kind), U: uint64(a.u)}
		if a.kind == C.int32_t(abi.ArgString) {
			if a.n < 0 || (a.s == nil && a.n > 0) {
				in[i].Kind = 255 // refused by CallOp as an unknown kind
			} else {
				// A view of the caller's string, valid for this call:
				// CallOp copies what it keeps.
				in[i].S = unsafe.String((*byte)(unsafe.Pointer(a.s)), int(a.n))
			}
		}
	}
	return C.int64_t(callOp(uintptr(h), int(op), in[:len(cargs)], unsafe.Pointer(buf), int64(capacity)))
}

// maxOpArgs bounds the arguments nessie_call_op reads; abi.Session.CallOp
// refuses a call with more.
const maxOpArgs = 8

// callOp runs one decoded request and places the reply as nessie_call
// documents.
func callOp(h uintptr, op int, args []abi.Arg, buf unsafe.Pointer, capacity int64) int64 {
	// A single object fits the caller's buffer but for a freak, which
	// the Go heap serves well enough: only lists get C blocks.
	long := longOps[min(uint(op), uint(len(longOps)-1))]
	return serve(h, buf, capacity, long, func(s *abi.Session, out []byte, more func(int) []byte) ([]byte, bool) {
		return s.CallOp(out, op, args, more)
	}, nil)
}

// longOps marks the operations whose replies grow with the backend (the
// lists), which are worth writing straight into C memory when they
// outgrow the caller's buffer; the last entry stands for every op out of
// range.
var longOps = func() []bool {
	long := make([]bool, len(abi.Ops)+1)
	for i, o := range abi.Ops {
		long[i] = strings.HasPrefix(o, "list_")
	}
	return long
}()

// call runs one request and places the reply as nessie_call documents.
func call(h uintptr, req []byte, buf unsafe.Pointer, capacity int64) int64 {
	if req == nil {
		req = []byte{} // non-nil: handle 0 serves module requests
	}
	return serve(h, buf, capacity, true, func(s *abi.Session, out []byte, more func(int) []byte) ([]byte, bool) {
		return s.Call(out, req, more)
	}, req)
}

// serve runs one call on h's session (or, for handle 0 and a JSON
// request module, the module request) and places its reply. With long
// set, a reply that outgrows buf is written into C memory directly;
// otherwise it grows on the Go heap and is copied out.
func serve(h uintptr, buf unsafe.Pointer, capacity int64, long bool, run func(*abi.Session, []byte, func(int) []byte) ([]byte, bool), module []byte) (r int64) {
	if capacity < overflowHeader || buf == nil {
		return math.MinInt64
	}
	out := unsafe.Slice((*byte)(buf), capacity)
	var blocks *cBlocks // C buffers a long reply was written into
	var more func(int) []byte
	if long {
		blocks = blockPool.Get().(*cBlocks)
		defer blocks.release()
		more = blocks.more
	}
	defer func() {
		// Sessions recover their own panics; this catches the shim's.
		if v := recover(); v != nil {
			msg := fmt.Sprintf("internal backend error: panic in nessie_call: %v", v)
			r = place(out, failureReply(nil, "internal", msg), false, nil)
		}
	}()
	var reply []byte
	var ok bool
	if h == 0 && module != nil {
		reply, ok = abi.Module(out[:0], module, live.Load())
	} else if s, found := session(h); h != 0 && found {
		reply, ok = run(s, out[:0], more)
	} else {
		reply, ok = failureReply(out[:0], "invalid_argument", "invalid argument: the backend is closed"), false
	}
	return place(out, reply, ok, blocks)
}

// place puts a reply where nessie_call's caller finds it: in out if it
// fits, else in C memory (one of blocks, if the reply was written there,
// or a copy) whose address, length and status go into out.
func place(out, reply []byte, ok bool, blocks *cBlocks) int64 {
	n := int64(len(reply))
	if !ok {
		n = -n
	}
	if len(reply) > 0 && unsafe.SliceData(reply) == unsafe.SliceData(out) {
		return n
	}
	if len(reply) > 0 && len(reply) <= len(out) {
		copy(out, reply)
		return n
	}
	var p unsafe.Pointer
	if blocks != nil {
		p = blocks.take(unsafe.SliceData(reply))
	}
	if p == nil {
		p = C.malloc(C.size_t(max(len(reply), 1)))
		if p == nil {
			oom := failureReply(nil, "internal", fmt.Sprintf(
				"internal backend error: out of memory for a reply of %d bytes", len(reply)))
			if len(oom) > len(out) {
				return math.MinInt64
			}
			return -int64(copy(out, oom))
		}
		copy(unsafe.Slice((*byte)(p), len(reply)), reply)
	}
	status := uint64(0)
	if !ok {
		status = 1
	}
	binary.NativeEndian.PutUint64(out[0:], uint64(uintptr(p)))
	binary.NativeEndian.PutUint64(out[8:], uint64(len(reply)))
	binary.NativeEndian.PutUint64(out[16:], status)
	return 0
}

// cBlocks hands abi.Session.Call C memory for replies that outgrow the
// caller's buffer, and frees whatever the reply did not end up in. They
// are pooled with their more method bound, so that a call allocates
// nothing on the Go heap for them.
type cBlocks struct {
	ps   []unsafe.Pointer
	more func(n int) []byte // alloc, bound once
}

var blockPool = sync.Pool{New: func() any {
	bs := new(cBlocks)
	bs.more = bs.alloc
	return bs
}}

// alloc returns an empty slice over n bytes of C memory (or of Go memory
// if malloc fails: the reply is then copied out as usual).
func (bs *cBlocks) alloc(n int) []byte {
	p := C.malloc(C.size_t(n))
	if p == nil {
		return make([]byte, 0, n)
	}
	bs.ps = append(bs.ps, p)
	return unsafe.Slice((*byte)(p), n)[:0]
}

// take removes and returns the block that starts at data, if any.
func (bs *cBlocks) take(data *byte) unsafe.Pointer {
	for i, p := range bs.ps {
		if p == unsafe.Pointer(data) {
			bs.ps[i] = nil
			return p
		}
	}
	return nil
}

// release frees the blocks still held and returns bs to the pool.
func (bs *cBlocks) release() {
	for i, p := range bs.ps {
		C.free(p) // free(NULL) is a no-op
		bs.ps[i] = nil
	}
	bs.ps = bs.ps[:0]
	blockPool.Put(bs)
}

// session resolves a handle without letting an unknown one panic.
func session(h uintptr) (s *abi.Session, ok bool) {
	defer func() {
		if recover() != nil { // cgo.Handle.Value panics on a closed handle
			s, ok = nil, false
		}
	}()
	s, ok = cgo.Handle(h).Value().(*abi.Session)
	return s, ok
}

// failureReply renders an error envelope of the shim's own in JSON,
// whatever the session's encoding: the Python side decodes the rare
// failures that have no session with json.
func failureReply(dst []byte, kind, msg string) []byte {
	b, _ := json.Marshal(map[string]any{"kind": kind, "resource": nil, "message": msg, "detail": msg})
	return append(dst, b...)
}

//export nessie_free
func nessie_free(p unsafe.Pointer) {
	C.free(p)
}

//export nessie_close
func nessie_close(h C.uintptr_t) C.int {
	return C.int(closeHandle(uintptr(h)))
}

func closeHandle(h uintptr) (r int) {
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

// cBytes views a NUL-terminated C string without copying; the view is
// valid for the duration of the export that received it.
func cBytes(p *C.char) []byte {
	if p == nil {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), C.strlen(p))
}

func writeCString(dst *C.char, capacity int64, msg string) {
	if dst == nil || capacity <= 0 {
		return
	}
	out := unsafe.Slice((*byte)(unsafe.Pointer(dst)), capacity)
	n := copy(out[:capacity-1], msg)
	out[n] = 0
}

func main() {}
