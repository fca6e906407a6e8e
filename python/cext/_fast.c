/*
 * nessie_backend_mem._fast: the compiled fast path of the binding.
 *
 * The ctypes path (_lib.py) renders each call as a JSON request, crosses
 * into the Go library through ctypes and decodes the marshal reply with
 * marshal.loads: three steps that cost more than the Go work of a point
 * call. This module replaces them. call() converts its arguments straight
 * into typed nessie_arg values for the library's nessie_call_op (no JSON
 * request), and builds the result from the reply in C, with the keys and
 * recurring values ("online", "flexvol", "rw", ...) created once and
 * shared by every reply.
 *
 * The module does not link against the Go library: _lib.py, which loads
 * it with ctypes anyway, hands over the addresses of the three exports it
 * uses (init). Anything the fast path does not handle exactly as the
 * ctypes path would (a str subclass, a bool or negative size, text that
 * is not valid UTF-8) makes call() return FALLBACK, and the caller takes
 * the ctypes path, which raises what the original package raised.
 *
 * Built against the limited API of CPython 3.10, so one build serves
 * every later version.
 */
#define Py_LIMITED_API 0x030A0000
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The C ABI of python/cshim/main.go. */
typedef struct {
	const char *s;
	int64_t n;
	uint64_t u;
	int32_t kind; /* 0 null, 1 string, 2 integer */
	int32_t reserved;
} nessie_arg;
typedef int64_t (*call_op_fn)(uintptr_t, int32_t, const nessie_arg *, int32_t, char *, int64_t);
typedef char *(*thread_buffer_fn)(int64_t *);
typedef void (*free_fn)(void *);

enum { max_args = 8, release_gil = 0x100, nested_cap = 64 * 1024 };

static call_op_fn call_op;
static thread_buffer_fn thread_buffer;
static free_fn go_free;
static PyObject *fail_handler; /* fail_handler(envelope: bytes) raises */
static PyObject *fallback;     /* the FALLBACK sentinel */

/* The argument types of each op (init): s a str, S a str or None, n an
 * int or None. */
enum { max_ops = 64 };
static char sigs[max_ops][max_args + 1];
static int nops;

/* Set while this thread decodes a reply out of its reply buffer: a call
 * made meanwhile (from a finalizer the allocations trigger) must not
 * overwrite it, and gets a buffer of its own. */
static _Thread_local int buffer_busy;

/* ---- shared strings ------------------------------------------------ */

/* The keys and recurring values of replies (python/internal/abi/symbols.go);
 * a string missing here is still decoded right, only not shared. */
static const char *const sym_text[] = {
	"uuid", "name", "size_bytes", "state", "style", "vol_type", "clone",
	"parent_volume", "parent_snapshot", "parent_volume_uuid",
	"parent_snapshot_uuid", "junction_path", "export_policy", "comment",
	"create_time", "used_bytes", "size_consumed", "snapshots", "clones",
	"replication", "kind", "server", "path", "resource", "message", "detail",
	"abi", "go", "handles", "heap_alloc", "heap_objects", "goroutines",
	"online", "offline", "restricted", "flexvol", "rw", "dp", "in_memory",
	"nfs_export", "s3_presigned", "git_ref", "ontap_passthrough",
	"not_found", "already_exists", "invalid_argument", "in_use",
	"unsupported", "internal", "volume", "snapshot", "backend",
};
enum { num_syms = sizeof sym_text / sizeof sym_text[0], max_sym_len = 32 };
static PyObject *sym_obj[num_syms];
static unsigned char sym_len[num_syms];
/* by_len[n] lists the syms of length n, ending with -1 */
static signed char by_len[max_sym_len + 1][num_syms + 1];

static int init_syms(void) {
	int fill[max_sym_len + 1] = {0};
	for (int i = 0; i < num_syms; i++) {
		size_t n = strlen(sym_text[i]);
		if (n > max_sym_len) {
			PyErr_SetString(PyExc_SystemError, "_fast: symbol too long");
			return -1;
		}
		sym_len[i] = (unsigned char)n;
		sym_obj[i] = PyUnicode_InternFromString(sym_text[i]);
		if (sym_obj[i] == NULL) {
			return -1;
		}
		by_len[n][fill[n]++] = (signed char)i;
	}
	for (int n = 0; n <= max_sym_len; n++) {
		by_len[n][fill[n]] = -1;
	}
	return 0;
}

/* A short string: the shared object if it is a sym, else a new one,
 * decoded as Latin-1 as marshal decodes its short strings (the Go writer
 * only emits ASCII in them). */
static PyObject *ascii_str(const unsigned char *p, Py_ssize_t n) {
	if (n <= max_sym_len) {
		for (const signed char *i = by_len[n]; *i >= 0; i++) {
			const char *t = sym_text[*i];
			if (t[0] == (char)p[0] && memcmp(t, p, (size_t)n) == 0) {
				Py_INCREF(sym_obj[*i]);
				return sym_obj[*i];
			}
		}
	}
	return PyUnicode_DecodeLatin1((const char *)p, n, NULL);
}

/* ---- reply decoder ------------------------------------------------- */

/* The subset of CPython's marshal format (version 4) the Go writer
 * produces (python/internal/abi/encode.go): dicts, lists, str (short
 * ASCII, interned or not, and UTF-8), int, long, bool, None and
 * back-references to flagged strings. Anything else is an error. */

enum { max_refs = 256, max_depth = 8 };

typedef struct {
	const unsigned char *p, *end;
	PyObject *refs[max_refs];
	int nrefs;
	/* The call's str arguments, with their UTF-8: a reply string equal to
	 * one (a UUID the caller passed) is that object, not a copy. */
	const nessie_arg *args;
	PyObject *const *objs;
	int nargs;
} reader;

static PyObject *malformed(void) {
	PyErr_SetString(PyExc_ValueError, "nessie_backend_mem: malformed reply from the Go core");
	return NULL;
}

static int need(reader *r, Py_ssize_t n) { return r->end - r->p >= n; }

static uint32_t u32(reader *r) {
	const unsigned char *p = r->p;
	r->p += 4;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static PyObject *read_obj(reader *r, int depth);

/* CPython's _PyDict_NewPresized, where the running interpreter is one
 * known to have it with this signature (3.10 to 3.13), else NULL. A reply
 * dict has up to a dozen keys: PyDict_New's table holds five, and
 * growing it costs a tenth of the decoding. The limited API has no
 * presized dict, hence the lookup at run time. */
static PyObject *(*new_presized)(Py_ssize_t);
enum { dict_size_hint = 10 };

static void find_presized(void) {
	int major = 0, minor = 0;
	if (sscanf(Py_GetVersion(), "%d.%d", &major, &minor) == 2 && major == 3 && minor >= 10 && minor <= 13) {
		new_presized = (PyObject * (*)(Py_ssize_t)) dlsym(RTLD_DEFAULT, "_PyDict_NewPresized");
	}
}

static PyObject *read_dict(reader *r, int depth) {
	PyObject *d = new_presized != NULL ? new_presized(dict_size_hint) : PyDict_New();
	if (d == NULL) {
		return NULL;
	}
	for (;;) {
		if (!need(r, 1)) {
			Py_DECREF(d);
			return malformed();
		}
		if (*r->p == '0') {
			r->p++;
			return d;
		}
		PyObject *k = read_obj(r, depth + 1);
		if (k == NULL) {
			Py_DECREF(d);
			return NULL;
		}
		PyObject *v = read_obj(r, depth + 1);
		if (v == NULL || PyDict_SetItem(d, k, v) < 0) {
			Py_DECREF(k);
			Py_XDECREF(v);
			Py_DECREF(d);
			return NULL;
		}
		Py_DECREF(k);
		Py_DECREF(v);
	}
}

static PyObject *read_obj(reader *r, int depth) {
	if (depth > max_depth || !need(r, 1)) {
		return malformed();
	}
	unsigned char code = *r->p++;
	int flagged = code & 0x80;
	code &= 0x7f;
	PyObject *v;
	switch (code) {
	case 'N':
		v = Py_None;
		Py_INCREF(v);
		break;
	case 'T':
		v = Py_True;
		Py_INCREF(v);
		break;
	case 'F':
		v = Py_False;
		Py_INCREF(v);
		break;
	case 'i':
		if (!need(r, 4)) {
			return malformed();
		}
		v = PyLong_FromLong((long)(int32_t)u32(r));
		break;
	case 'l': {
		if (!need(r, 4)) {
			return malformed();
		}
		int32_t n = (int32_t)u32(r);
		int32_t m = n < 0 ? -n : n;
		if (m > 4 + 1 || !need(r, 2 * (Py_ssize_t)m)) {
			return malformed(); /* the writer emits at most 64 bits */
		}
		unsigned long long u = 0;
		for (int32_t i = m - 1; i >= 0; i--) {
			unsigned d = (unsigned)r->p[2 * i] | (unsigned)r->p[2 * i + 1] << 8;
			if (d >= 1u << 15 || (i == 4 && d > 0xf)) {
				return malformed();
			}
			u = u << 15 | d;
		}
		r->p += 2 * m;
		if (n >= 0) {
			v = PyLong_FromUnsignedLongLong(u);
		} else if (u <= (unsigned long long)INT64_MAX) {
			v = PyLong_FromLongLong(-(long long)u);
		} else {
			return malformed();
		}
		break;
	}
	case 'z':
	case 'Z': {
		if (!need(r, 1)) {
			return malformed();
		}
		Py_ssize_t n = *r->p++;
		if (!need(r, n)) {
			return malformed();
		}
		v = NULL;
		if (n == 36) { /* a UUID */
			for (int i = 0; i < r->nargs; i++) {
				if (r->args[i].kind == 1 && r->args[i].n == 36 && memcmp(r->args[i].s, r->p, 36) == 0) {
					v = r->objs[i];
					Py_INCREF(v);
					break;
				}
			}
		}
		if (v == NULL) {
			v = ascii_str(r->p, n);
		}
		r->p += n;
		break;
	}
	case 'u': {
		if (!need(r, 4)) {
			return malformed();
		}
		Py_ssize_t n = (Py_ssize_t)u32(r);
		if (!need(r, n)) {
			return malformed();
		}
		v = PyUnicode_DecodeUTF8((const char *)r->p, n, "surrogatepass");
		r->p += n;
		break;
	}
	case 'r': {
		if (!need(r, 4)) {
			return malformed();
		}
		uint32_t i = u32(r);
		if (flagged || i >= (uint32_t)r->nrefs) {
			return malformed();
		}
		v = r->refs[i];
		Py_INCREF(v);
		return v;
	}
	case '{':
		if (flagged) {
			return malformed();
		}
		return read_dict(r, depth);
	case '[': {
		if (flagged || !need(r, 4)) {
			return malformed();
		}
		uint32_t n = u32(r);
		if ((Py_ssize_t)n > r->end - r->p) { /* every element takes a byte */
			return malformed();
		}
		PyObject *l = PyList_New((Py_ssize_t)n);
		if (l == NULL) {
			return NULL;
		}
		for (uint32_t i = 0; i < n; i++) {
			PyObject *e = read_obj(r, depth + 1);
			if (e == NULL || PyList_SetItem(l, (Py_ssize_t)i, e) < 0) {
				Py_DECREF(l);
				return NULL;
			}
		}
		return l;
	}
	default:
		return malformed();
	}
	if (v != NULL && flagged) {
		if (r->nrefs == max_refs) {
			Py_DECREF(v);
			return malformed();
		}
		Py_INCREF(v);
		r->refs[r->nrefs++] = v;
	}
	return v;
}

/* The value of a reply; args and objs (nargs of them) are the call's. */
static PyObject *decode(const char *data, Py_ssize_t n, const nessie_arg *args, PyObject *const *objs, int nargs) {
	reader r;
	r.p = (const unsigned char *)data;
	r.end = r.p + n;
	r.nrefs = 0;
	r.args = args;
	r.objs = objs;
	r.nargs = nargs;
	PyObject *v = read_obj(&r, 0);
	if (v != NULL && r.p != r.end) {
		Py_DECREF(v);
		v = malformed();
	}
	for (int i = 0; i < r.nrefs; i++) {
		Py_DECREF(r.refs[i]);
	}
	return v;
}

/* ---- calls ---------------------------------------------------------- */

static PyObject *fail(const char *data, Py_ssize_t n) {
	PyObject *env = PyBytes_FromStringAndSize(data, n);
	if (env == NULL) {
		return NULL;
	}
	PyObject *res = PyObject_CallFunctionObjArgs(fail_handler, env, NULL);
	Py_DECREF(env);
	if (res != NULL) {
		Py_DECREF(res);
		PyErr_SetString(PyExc_RuntimeError, "nessie_backend_mem: the failure handler did not raise");
	}
	return NULL;
}

/* The reply of a call: r as nessie_call documents it, buf the buffer;
 * args and objs are the call's arguments. */
static PyObject *reply(int64_t r, const char *buf, const nessie_arg *args, PyObject *const *objs, int nargs) {
	if (r > 0) {
		return decode(buf, (Py_ssize_t)r, args, objs, nargs);
	}
	if (r < 0 && r != INT64_MIN) {
		return fail(buf, (Py_ssize_t)-r);
	}
	if (r != 0) {
		PyErr_SetString(PyExc_RuntimeError, "nessie_call_op: no reply buffer");
		return NULL;
	}
	uint64_t head[3]; /* pointer, length, status */
	memcpy(head, buf, sizeof head);
	char *p = (char *)(uintptr_t)head[0];
	PyObject *v = head[1] > (uint64_t)PY_SSIZE_T_MAX ? malformed()
		: head[2] == 0 ? decode(p, (Py_ssize_t)head[1], args, objs, nargs)
		: fail(p, (Py_ssize_t)head[1]);
	go_free(p);
	return v;
}

/* call(handle, op, *args): run operation op (an index into abi.Ops, plus
 * 0x100 to release the GIL meanwhile) on the backend handle with the
 * given arguments. Returns the result, raises what the failure handler
 * raises for an error reply, or returns FALLBACK (with nothing done) if
 * handle is None or an argument does not match the op's signature (init)
 * exactly: a str that is not a str (a subclass, another type, text with
 * lone surrogates), a size that is not an int in [0, 2**64) (a bool, a
 * negative number, another type). */
static PyObject *fast_call(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
	(void)self;
	if (nargs < 2 || nargs - 2 > max_args) {
		PyErr_SetString(PyExc_TypeError, "call(handle, op, *args): wrong number of arguments");
		return NULL;
	}
	if (call_op == NULL) {
		PyErr_SetString(PyExc_RuntimeError, "_fast.init was not called");
		return NULL;
	}
	if (args[0] == Py_None) {
		Py_INCREF(fallback);
		return fallback;
	}
	unsigned long long h = PyLong_AsUnsignedLongLong(args[0]);
	if (h == (unsigned long long)-1 && PyErr_Occurred()) {
		return NULL;
	}
	long op = PyLong_AsLong(args[1]);
	if (op == -1 && PyErr_Occurred()) {
		return NULL;
	}
	int32_t code = (int32_t)(op & ~(long)release_gil);
	if (code < 0 || code >= nops) {
		PyErr_Format(PyExc_ValueError, "call: unknown op %ld", op);
		return NULL;
	}
	const char *sig = sigs[code];
	nessie_arg in[max_args];
	int32_t n = (int32_t)(nargs - 2);
	if ((size_t)n != strlen(sig)) {
		PyErr_Format(PyExc_TypeError, "call: op %d takes %d arguments, not %d", (int)code, (int)strlen(sig), (int)n);
		return NULL;
	}
	for (int32_t i = 0; i < n; i++) {
		PyObject *a = args[2 + i];
		in[i] = (nessie_arg){0};
		if (a == Py_None && sig[i] != 's') {
			continue;
		}
		if (sig[i] != 'n' && PyUnicode_CheckExact(a)) {
			Py_ssize_t len;
			const char *s = PyUnicode_AsUTF8AndSize(a, &len);
			if (s == NULL) { /* lone surrogates: the ctypes path words the error */
				PyErr_Clear();
				Py_INCREF(fallback);
				return fallback;
			}
			in[i].kind = 1;
			in[i].s = s;
			in[i].n = len;
		} else if (sig[i] == 'n' && PyLong_CheckExact(a)) {
			unsigned long long u = PyLong_AsUnsignedLongLong(a);
			if (u == (unsigned long long)-1 && PyErr_Occurred()) {
				PyErr_Clear();
				Py_INCREF(fallback);
				return fallback;
			}
			in[i].kind = 2;
			in[i].u = u;
		} else {
			Py_INCREF(fallback);
			return fallback;
		}
	}

	int64_t cap = nested_cap;
	char *buf = NULL, *own = NULL;
	if (!buffer_busy) {
		buf = thread_buffer(&cap);
	}
	if (buf == NULL) {
		buf = own = malloc(nested_cap);
		cap = nested_cap;
		if (buf == NULL) {
			return PyErr_NoMemory();
		}
	}
	int64_t r;
	if (op & release_gil) {
		Py_BEGIN_ALLOW_THREADS
		r = call_op((uintptr_t)h, code, in, n, buf, cap);
		Py_END_ALLOW_THREADS
	} else {
		r = call_op((uintptr_t)h, code, in, n, buf, cap);
	}
	PyObject *v;
	if (own != NULL) {
		v = reply(r, buf, in, args + 2, n);
		free(own);
	} else {
		buffer_busy = 1;
		v = reply(r, buf, in, args + 2, n);
		buffer_busy = 0;
	}
	return v;
}

/* decode(data): the value of a marshal reply, decoded as call() does. */
static PyObject *fast_decode(PyObject *self, PyObject *data) {
	(void)self;
	char *p;
	Py_ssize_t n;
	if (PyBytes_AsStringAndSize(data, &p, &n) < 0) {
		return NULL;
	}
	return decode(p, n, NULL, NULL, 0);
}

static void *address(PyObject *o) {
	void *p = PyLong_AsVoidPtr(o);
	if (p == NULL && !PyErr_Occurred()) {
		PyErr_SetString(PyExc_ValueError, "_fast.init: null function address");
	}
	return p;
}

/* init(call_op, thread_buffer, free, fail, sigs): the addresses of the
 * Go library's nessie_call_op, nessie_thread_buffer and nessie_free, the
 * callable that raises for an error envelope, and the argument signature
 * of each op (a sequence of str over "sSn", indexed by op). */
static PyObject *fast_init(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
	(void)self;
	if (nargs != 5) {
		PyErr_SetString(PyExc_TypeError, "init(call_op, thread_buffer, free, fail, sigs) takes 5 arguments");
		return NULL;
	}
	Py_ssize_t count = PySequence_Size(args[4]);
	if (count < 0) {
		return NULL;
	}
	if (count > max_ops) {
		PyErr_SetString(PyExc_ValueError, "init: too many ops");
		return NULL;
	}
	char table[max_ops][max_args + 1];
	memset(table, 0, sizeof table);
	for (Py_ssize_t i = 0; i < count; i++) {
		PyObject *item = PySequence_GetItem(args[4], i);
		if (item == NULL) {
			return NULL;
		}
		Py_ssize_t len;
		const char *t = PyUnicode_Check(item) ? PyUnicode_AsUTF8AndSize(item, &len) : NULL;
		int ok = t != NULL && len <= max_args && strspn(t, "sSn") == (size_t)len;
		if (ok) {
			memcpy(table[i], t, (size_t)len);
		}
		Py_DECREF(item);
		if (!ok) {
			PyErr_Clear();
			PyErr_SetString(PyExc_ValueError, "init: a signature is a str of at most 8 of s, S, n");
			return NULL;
		}
	}
	void *c = address(args[0]), *t = c ? address(args[1]) : NULL, *f = t ? address(args[2]) : NULL;
	if (f == NULL) {
		return NULL;
	}
	if (!PyCallable_Check(args[3])) {
		PyErr_SetString(PyExc_TypeError, "init: fail must be callable");
		return NULL;
	}
	call_op = (call_op_fn)c;
	thread_buffer = (thread_buffer_fn)t;
	go_free = (free_fn)f;
	memcpy(sigs, table, sizeof sigs);
	nops = (int)count;
	PyObject *old = fail_handler;
	Py_INCREF(args[3]);
	fail_handler = args[3];
	Py_XDECREF(old);
	Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
	{"call", (PyCFunction)(void (*)(void))fast_call, METH_FASTCALL,
	 "call(handle, op, *args): run one operation; see _fast.c."},
	{"decode", fast_decode, METH_O, "decode(data): decode a marshal reply as call() does."},
	{"init", (PyCFunction)(void (*)(void))fast_init, METH_FASTCALL,
	 "init(call_op, thread_buffer, free, fail, sigs): bind the Go library."},
	{NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
	PyModuleDef_HEAD_INIT, "nessie_backend_mem._fast",
	"Compiled fast path of nessie_backend_mem (see _fast.c).", -1, methods,
	NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__fast(void) {
	if (sym_obj[0] == NULL && init_syms() < 0) {
		return NULL;
	}
	find_presized();
	PyObject *m = PyModule_Create(&module);
	if (m == NULL) {
		return NULL;
	}
	if (fallback == NULL) {
		fallback = PyObject_CallObject((PyObject *)&PyBaseObject_Type, NULL);
		if (fallback == NULL) {
			Py_DECREF(m);
			return NULL;
		}
	}
	Py_INCREF(fallback);
	if (PyModule_AddObject(m, "FALLBACK", fallback) < 0) {
		Py_DECREF(fallback);
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
