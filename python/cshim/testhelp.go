//go:build cgo

package main

/*
#include <stdlib.h>
#include "nessie.h"

static const char *const nessie_symbol_table[] = {NESSIE_SYMBOLS};
static int nessie_symbol_count(void) { return sizeof nessie_symbol_table / sizeof nessie_symbol_table[0]; }
static const char *nessie_symbol(int i) { return nessie_symbol_table[i]; }
static const signed char nessie_shape_table[NESSIE_NUM_SHAPES][NESSIE_MAX_SHAPE_KEYS] = {NESSIE_SHAPES};
static int nessie_shape_key(int shape, int j) { return nessie_shape_table[shape][j]; }
*/
import "C"

import "unsafe"

// The helpers below let main_test.go (which cannot use cgo itself) drive
// the exports with C memory, as the extension does.

// headerSymbols returns NESSIE_SYMBOLS from nessie.h.
func headerSymbols() []string {
	n := int(C.nessie_symbol_count())
	out := make([]string, n)
	for i := range n {
		out[i] = C.GoString(C.nessie_symbol(C.int(i)))
	}
	return out
}

// headerShapes returns NESSIE_SHAPES from nessie.h, as symbol indexes.
func headerShapes() [][]int {
	out := make([][]int, C.NESSIE_NUM_SHAPES)
	for i := range out {
		for j := 0; j < C.NESSIE_MAX_SHAPE_KEYS; j++ {
			k := int(C.nessie_shape_key(C.int(i), C.int(j)))
			if k < 0 {
				break
			}
			out[i] = append(out[i], k)
		}
	}
	return out
}

// testCall runs nessie_call with string arguments (nil = None) and a C
// reply buffer of size bytes; it returns the status, the reply, and
// whether the reply came back in a malloc'd block.
func testCall(h uintptr, op int, args []*string, size int) (status int, reply []byte, moved bool) {
	cargs := (*C.nessie_arg)(C.calloc(C.size_t(max(len(args), 1)), C.size_t(unsafe.Sizeof(C.nessie_arg{}))))
	defer C.free(unsafe.Pointer(cargs))
	view := unsafe.Slice(cargs, max(len(args), 1))
	for i, a := range args {
		if a != nil {
			view[i].kind = C.NESSIE_ARG_STR
			view[i].s = C.CString(*a)
			view[i].n = C.int64_t(len(*a))
			defer C.free(unsafe.Pointer(view[i].s))
		}
	}
	buf := C.malloc(C.size_t(size))
	defer C.free(buf)
	rb := (*C.nessie_buf)(C.malloc(C.size_t(unsafe.Sizeof(C.nessie_buf{}))))
	defer C.free(unsafe.Pointer(rb))
	rb.data = (*C.char)(buf)
	rb.len = C.int64_t(size)
	st := nessie_call(C.uintptr_t(h), C.int32_t(op), cargs, C.int32_t(len(args)), rb)
	reply = C.GoBytes(unsafe.Pointer(rb.data), C.int(rb.len))
	moved = unsafe.Pointer(rb.data) != buf
	if moved {
		nessie_free(unsafe.Pointer(rb.data))
	}
	return int(st), reply, moved
}

func testOpen(strict bool) uintptr {
	var flags C.int32_t
	if strict {
		flags = C.NESSIE_STRICT
	}
	return uintptr(nessie_open(flags))
}

func testClose(h uintptr) int { return int(nessie_close(C.uintptr_t(h))) }
