//go:build cgo

// Command cshim is the C ABI of the Python binding: built with
// -buildmode=c-shared it becomes nessie_backend_mem/_nessie_core.so, which
// the Python package loads with ctypes. It only moves bytes and owns
// handles; requests are decoded and run by package abi.
//
// # ABI (version 1)
//
//	uintptr_t nessie_open(const char *config, char *errbuf, int64_t errcap);
//	int64_t   nessie_call(uintptr_t h, const char *request, char *buf, int64_t cap);
//	char     *nessie_thread_buffer(int64_t *cap);
//	int64_t   nessie_call_tls(uintptr_t h, const char *request);
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
*/
import "C"

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"runtime/cgo"
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

// call runs one request and places the reply as nessie_call documents.
func call(h uintptr, req []byte, buf unsafe.Pointer, capacity int64) (r int64) {
	if capacity < overflowHeader || buf == nil {
		return math.MinInt64
	}
	out := unsafe.Slice((*byte)(buf), capacity)
	var blocks cBlocks // C buffers a long reply was written into
	defer blocks.free()
	defer func() {
		// Sessions recover their own panics; this catches the shim's.
		if v := recover(); v != nil {
			msg := fmt.Sprintf("internal backend error: panic in nessie_call: %v", v)
			r = place(out, failureReply(nil, "internal", msg), false, nil)
		}
	}()
	var reply []byte
	var ok bool
	if h == 0 {
		reply, ok = abi.Module(out[:0], req, live.Load())
	} else if s, found := session(h); found {
		reply, ok = s.Call(out[:0], req, blocks.alloc)
	} else {
		reply, ok = failureReply(out[:0], "invalid_argument", "invalid argument: the backend is closed"), false
	}
	return place(out, reply, ok, &blocks)
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
// caller's buffer, and frees whatever the reply did not end up in.
type cBlocks []unsafe.Pointer

// alloc returns an empty slice over n bytes of C memory (or of Go memory
// if malloc fails: the reply is then copied out as usual).
func (bs *cBlocks) alloc(n int) []byte {
	p := C.malloc(C.size_t(n))
	if p == nil {
		return make([]byte, 0, n)
	}
	*bs = append(*bs, p)
	return unsafe.Slice((*byte)(p), n)[:0]
}

// take removes and returns the block that starts at data, if any.
func (bs *cBlocks) take(data *byte) unsafe.Pointer {
	for i, p := range *bs {
		if p == unsafe.Pointer(data) {
			(*bs)[i] = nil
			return p
		}
	}
	return nil
}

func (bs *cBlocks) free() {
	for _, p := range *bs {
		C.free(p) // free(NULL) is a no-op
	}
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
