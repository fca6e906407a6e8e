/*
 * nessie.h: the C ABI between the Go core (python/cshim, built with
 * -buildmode=c-archive) and the CPython extension nessie_backend_mem._core
 * (python/cext/_core.c), which links the archive in. Both sides include
 * this file: it is the only declaration of the exported surface.
 *
 * Surface (four functions)
 *
 *   uintptr_t nessie_open(int32_t flags);
 *   int32_t   nessie_call(uintptr_t h, int32_t op, nessie_arg *args,
 *                         int32_t nargs, nessie_buf *reply);
 *   void      nessie_free(void *p);
 *   int32_t   nessie_close(uintptr_t h);
 *
 * nessie_open creates an in-memory backend and returns its handle (a Go
 * runtime/cgo.Handle, never 0). flags: NESSIE_STRICT selects the strict
 * mode (ONTAP name rules, dependent objects refused, the richer dicts);
 * without it the backend behaves as the published nessie-backend-mem
 * 0.3.1 wheel.
 *
 * nessie_call runs operation op (enum nessie_op) with nargs arguments
 * (not const only because cgo's generated prototype has none; the Go
 * side never writes them). Arguments are borrowed for the duration of the
 * call only; the Go side copies whatever it keeps. Strings are UTF-8 (the extension rejects
 * text that is not). The caller passes a buffer in *reply (data, len =
 * capacity); on return reply->data/len hold the reply, either in that
 * buffer or, when it did not fit, in a block Go allocated with malloc,
 * which the caller then owns and releases with nessie_free (compare
 * reply->data with the buffer it passed). The return value is
 * NESSIE_OK (reply = the result) or NESSIE_FAILED (reply = an error
 * record); no other value is returned, and a call never aborts the
 * process: a Go panic is recovered into a NESSIE_FAILED "internal"
 * error, as is a closed or unknown handle. (With reply NULL there is
 * nowhere to answer: the call does nothing and returns NESSIE_FAILED.)
 *
 * nessie_close releases the handle and returns 0, or -1 if it was not
 * open. It may race with calls on the same handle: a call that already
 * holds the backend finishes normally, later ones fail with an
 * "invalid_argument" error (the backend is closed).
 *
 * NESSIE_OP_LIVE_HANDLES (any handle, 0 included) returns the number of
 * open handles as an integer, for leak tests.
 *
 * NESSIE_OP_EXPORT_STATE and NESSIE_OP_LOAD_STATE carry the whole state as
 * the text of a fixture (package fixture's fixture/v1 format, the one
 * `nessie serve --load` reads); the extension reads and writes the file,
 * so file errors are Python's own OSErrors. LOAD_STATE keeps the
 * document's UUIDs and times and, on any error, changes nothing.
 *
 * Threads and the GIL: every function may be called from any thread at
 * once and never calls back into Python; the Go side does not need the
 * GIL. The extension keeps the GIL around point operations (they take
 * well under a microsecond in Go) and releases it around operations whose
 * cost grows with the backend's size (NESSIE_OP_LIST_VOLUMES,
 * NESSIE_OP_LIST_SNAPSHOTS, NESSIE_OP_CHECK_INVARIANTS, and the two
 * state operations).
 *
 * Reply encoding (one, for results and errors): a value is a tag byte
 * followed by its payload, integers little-endian:
 *
 *   'N'                 None
 *   'T', 'F'            True, False
 *   'i' u64             a non-negative integer
 *   's' u32 n, n bytes  a UTF-8 string
 *   'k' u8 i            the string NESSIE_SYMBOLS[i] (keys and recurring
 *                       values, shared by the extension)
 *   'u' 16 bytes        a UUID, rendered as lowercase 8-4-4-4-12 text
 *   'a' u8 i            the call's argument i (a string) unchanged: a
 *                       UUID the caller spelled canonically, or the name
 *                       of what it created (the extension returns the
 *                       caller's own str object)
 *   '{' u8 n            a dict of n (key, value) pairs, keys first
 *   'D' u8 i            a dict of shape i (NESSIE_SHAPES below): its
 *                       values follow, in the order of the shape's keys
 *                       (the fixed dicts of the default mode; the
 *                       extension copies a presized template dict
 *                       instead of growing a new one)
 *   '[' u32 n           a list of n values
 *
 * An error record is a dict {"kind": sym, "resource": sym or None,
 * "message": str}; the extension raises NessieError(message) with the
 * kind and resource attributes set.
 */
#ifndef NESSIE_H
#define NESSIE_H

#include <stdint.h>

/* One argument: NESSIE_ARG_NONE, NESSIE_ARG_STR (s[0:n], UTF-8, borrowed)
 * or NESSIE_ARG_INT (u). */
typedef struct {
	const char *s;
	int64_t n;
	uint64_t u;
	int32_t kind;
	int32_t pad;
} nessie_arg;

enum { NESSIE_ARG_NONE = 0, NESSIE_ARG_STR = 1, NESSIE_ARG_INT = 2 };

/* A reply buffer: in, the caller's buffer and its capacity; out, the
 * reply's location and length (see nessie_call). */
typedef struct {
	char *data;
	int64_t len;
} nessie_buf;

enum { NESSIE_OK = 0, NESSIE_FAILED = 1 };
enum { NESSIE_STRICT = 1 };

/* Operations and their arguments (s a string, S a string or None, n an
 * integer or None). The Go side (python/internal/abi) uses the same
 * numbers; the cgo build fails if they drift. */
enum nessie_op {
	NESSIE_OP_CAPABILITIES = 0,     /* () */
	NESSIE_OP_CREATE_VOLUME = 1,    /* (s name, n size, S junction_path, S export_policy, S comment) */
	NESSIE_OP_LIST_VOLUMES = 2,     /* () */
	NESSIE_OP_GET_VOLUME = 3,       /* (s uuid) */
	NESSIE_OP_DELETE_VOLUME = 4,    /* (s uuid) */
	NESSIE_OP_PATCH_VOLUME = 5,     /* (s uuid, n size, S junction_path, S export_policy, S name, S state, S comment) */
	NESSIE_OP_ACCESS_HANDLE = 6,    /* (s uuid) */
	NESSIE_OP_CREATE_SNAPSHOT = 7,  /* (s vol_uuid, s name, S comment) */
	NESSIE_OP_LIST_SNAPSHOTS = 8,   /* (s vol_uuid) */
	NESSIE_OP_GET_SNAPSHOT = 9,     /* (s vol_uuid, s snap_uuid) */
	NESSIE_OP_DELETE_SNAPSHOT = 10, /* (s vol_uuid, s snap_uuid) */
	NESSIE_OP_PATCH_SNAPSHOT = 11,  /* (s vol_uuid, s snap_uuid, S name, S comment) */
	NESSIE_OP_RESTORE_SNAPSHOT = 12,/* (s vol_uuid, s snap_uuid) */
	NESSIE_OP_CREATE_CLONE = 13,    /* (s parent_vol_uuid, s parent_snap_uuid, s new_name) */
	NESSIE_OP_SPLIT_CLONE = 14,     /* (s uuid) */
	NESSIE_OP_CHECK_INVARIANTS = 15,/* () */
	NESSIE_OP_LIVE_HANDLES = 16,    /* () on any handle: the number of open handles */
	NESSIE_OP_EXPORT_STATE = 17,    /* () the whole state as a fixture/v1 YAML document (a string) */
	NESSIE_OP_LOAD_STATE = 18,      /* (s document, s file name for errors) replace the whole state */
	NESSIE_NUM_OPS = 19
};

/* The shared strings of the 'k' tag, in index order. The Go side keeps
 * the same list (python/internal/abi/symbols.go; a cshim test compares
 * them). */
#define NESSIE_SYMBOLS \
	"uuid", "name", "size_bytes", "state", "style", "vol_type", "clone", \
	"parent_volume", "parent_snapshot", "parent_volume_uuid", \
	"parent_snapshot_uuid", "junction_path", "export_policy", "comment", \
	"create_time", "used_bytes", "size_consumed", "snapshots", "clones", \
	"replication", "kind", "resource", "message", \
	"online", "offline", "restricted", "flexvol", "rw", "dp", "in_memory", \
	"not_found", "already_exists", "invalid_argument", "in_use", \
	"unsupported", "internal", "volume", "snapshot", "backend"

/* The dict shapes of the 'D' tag, in index order: each lists its keys as
 * indexes into NESSIE_SYMBOLS, ending with -1. The Go side keeps the
 * same table (python/internal/abi/symbols.go; a cshim test compares). */
#define NESSIE_SHAPE_VOLUME 0       /* uuid name size_bytes state style vol_type */
#define NESSIE_SHAPE_CLONE 1        /* the same and clone */
#define NESSIE_SHAPE_SNAPSHOT 2     /* uuid name size_consumed */
#define NESSIE_SHAPE_ORIGIN 3       /* parent_volume parent_snapshot */
#define NESSIE_SHAPE_CAPABILITIES 4 /* snapshots clones replication */
#define NESSIE_SHAPES \
	{0, 1, 2, 3, 4, 5, -1}, {0, 1, 2, 3, 4, 5, 6, -1}, {0, 1, 16, -1}, {7, 8, -1}, {17, 18, 19, -1}
enum { NESSIE_NUM_SHAPES = 5, NESSIE_MAX_SHAPE_KEYS = 8 };

uintptr_t nessie_open(int32_t flags);
int32_t nessie_call(uintptr_t h, int32_t op, nessie_arg *args, int32_t nargs, nessie_buf *reply);
void nessie_free(void *p);
int32_t nessie_close(uintptr_t h);

#endif
