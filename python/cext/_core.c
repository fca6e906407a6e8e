/*
 * nessie_backend_mem._core: MemBackend and NessieError over the Go core.
 *
 * The Go core (python/cshim, a c-archive) is linked into this module;
 * python/cshim/nessie.h declares the four functions it exports and
 * documents ownership, errors and the reply encoding. This file:
 *
 *   - parses each method's arguments as the published PyO3 package did
 *     (same positional/keyword rules, same TypeError texts, the same
 *     OverflowError and UnicodeEncodeError from the same CPython calls),
 *     and passes them as nessie_arg values borrowed from the Python
 *     objects for the duration of the call;
 *   - calls nessie_call with a reply buffer on the C stack, keeping the
 *     GIL for point operations and releasing it for lists and
 *     check_invariants (see nessie.h);
 *   - builds the result from the reply (keys and recurring values are
 *     interned once and shared; the default mode's dicts are copies of
 *     presized templates; a UUID or name the reply echoes from the
 *     arguments is the caller's str object), or raises NessieError for
 *     an error record.
 *
 * Limited API of CPython 3.10 only (abi3): no private symbols.
 */
#define Py_LIMITED_API 0x030A0000
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#include "nessie.h"

static const char *const sym_text[] = {NESSIE_SYMBOLS};
enum { num_syms = sizeof sym_text / sizeof sym_text[0] };
static PyObject *syms[num_syms];
enum { SYM_KIND = 20, SYM_RESOURCE = 21, SYM_MESSAGE = 22 }; /* indexes into NESSIE_SYMBOLS */

static PyObject *NessieError;

/* The shapes of the 'D' tag and, for each, a template dict holding its
 * keys (values None) in order: a copy is presized, and keeps the order. */
static const signed char shape_keys[NESSIE_NUM_SHAPES][NESSIE_MAX_SHAPE_KEYS] = {NESSIE_SHAPES};
static PyObject *shape_template[NESSIE_NUM_SHAPES];

static int init_shapes(void) {
	for (int i = 0; i < NESSIE_NUM_SHAPES; i++) {
		PyObject *d = PyDict_New();
		if (d == NULL) {
			return -1;
		}
		for (int j = 0; shape_keys[i][j] >= 0; j++) {
			if (PyDict_SetItem(d, syms[shape_keys[i][j]], Py_None) < 0) {
				Py_DECREF(d);
				return -1;
			}
		}
		shape_template[i] = d;
	}
	return 0;
}

/* ---- replies ---------------------------------------------------------- */

typedef struct {
	const unsigned char *p, *end;
	nessie_arg *args; /* the call's arguments and their objects */
	PyObject **objs;
	int nargs;
} reader;

static PyObject *malformed(void) {
	PyErr_SetString(PyExc_SystemError, "nessie_backend_mem: malformed reply from the Go core");
	return NULL;
}

/* Little-endian loads, written so that compilers emit one load. */
static uint32_t le32(const unsigned char *p) {
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p) {
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static PyObject *uuid_str(const unsigned char *id) {
	static const char hex[] = "0123456789abcdef";
	char t[36];
	int j = 0;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10) {
			t[j++] = '-';
		}
		t[j++] = hex[id[i] >> 4];
		t[j++] = hex[id[i] & 15];
	}
	return PyUnicode_FromStringAndSize(t, 36);
}

static PyObject *read_value(reader *r, int depth) {
	if (depth > 8 || r->p >= r->end) {
		return malformed();
	}
	unsigned char tag = *r->p++;
	Py_ssize_t left = r->end - r->p;
	switch (tag) {
	case 'N':
		Py_RETURN_NONE;
	case 'T':
		Py_RETURN_TRUE;
	case 'F':
		Py_RETURN_FALSE;
	case 'i':
		if (left < 8) {
			return malformed();
		}
		r->p += 8;
		return PyLong_FromUnsignedLongLong(le64(r->p - 8));
	case 'k': {
		if (left < 1 || *r->p >= num_syms) {
			return malformed();
		}
		PyObject *s = syms[*r->p++];
		Py_INCREF(s);
		return s;
	}
	case 's': {
		if (left < 4) {
			return malformed();
		}
		uint64_t n = le32(r->p);
		if ((uint64_t)(left - 4) < n) {
			return malformed();
		}
		r->p += 4 + n;
		return PyUnicode_DecodeUTF8((const char *)r->p - n, (Py_ssize_t)n, NULL);
	}
	case 'u':
		if (left < 16) {
			return malformed();
		}
		r->p += 16;
		return uuid_str(r->p - 16);
	case 'a': {
		if (left < 1 || *r->p >= r->nargs || r->args[*r->p].kind != NESSIE_ARG_STR) {
			return malformed();
		}
		int i = *r->p++;
		if (PyUnicode_CheckExact(r->objs[i])) {
			Py_INCREF(r->objs[i]);
			return r->objs[i];
		}
		/* a str subclass: results hold plain str, as PyO3's did */
		return PyUnicode_DecodeUTF8(r->args[i].s, (Py_ssize_t)r->args[i].n, NULL);
	}
	case '{': {
		if (left < 1) {
			return malformed();
		}
		int n = *r->p++;
		PyObject *d = PyDict_New();
		for (int i = 0; d != NULL && i < n; i++) {
			PyObject *k = read_value(r, depth + 1);
			PyObject *v = k != NULL ? read_value(r, depth + 1) : NULL;
			if (v == NULL || PyDict_SetItem(d, k, v) < 0) {
				Py_CLEAR(d);
			}
			Py_XDECREF(k);
			Py_XDECREF(v);
		}
		return d;
	}
	case 'D': {
		if (left < 1 || *r->p >= NESSIE_NUM_SHAPES) {
			return malformed();
		}
		int shape = *r->p++;
		const signed char *keys = shape_keys[shape];
		PyObject *d = PyDict_Copy(shape_template[shape]);
		for (int j = 0; d != NULL && keys[j] >= 0; j++) {
			PyObject *v = read_value(r, depth + 1);
			if (v == NULL || PyDict_SetItem(d, syms[keys[j]], v) < 0) {
				Py_CLEAR(d);
			}
			Py_XDECREF(v);
		}
		return d;
	}
	case '[': {
		if (left < 4) {
			return malformed();
		}
		uint64_t n = le32(r->p);
		r->p += 4;
		if (n > (uint64_t)(r->end - r->p)) { /* every value takes a byte */
			return malformed();
		}
		PyObject *l = PyList_New((Py_ssize_t)n);
		for (Py_ssize_t i = 0; l != NULL && i < (Py_ssize_t)n; i++) {
			PyObject *v = read_value(r, depth + 1);
			if (v == NULL) {
				Py_CLEAR(l);
			} else {
				PyList_SetItem(l, i, v);
			}
		}
		return l;
	}
	}
	return malformed();
}

/* Raises NessieError(message) with its kind and resource attributes. */
static PyObject *raise_record(PyObject *rec) {
	if (rec == NULL) {
		return NULL;
	}
	PyObject *msg = PyDict_Check(rec) ? PyDict_GetItem(rec, syms[SYM_MESSAGE]) : NULL;
	if (msg == NULL) {
		Py_DECREF(rec);
		return malformed();
	}
	PyObject *e = PyObject_CallFunctionObjArgs(NessieError, msg, NULL);
	if (e != NULL) {
		PyObject *kind = PyDict_GetItem(rec, syms[SYM_KIND]);
		PyObject *res = PyDict_GetItem(rec, syms[SYM_RESOURCE]);
		if (PyObject_SetAttr(e, syms[SYM_KIND], kind ? kind : Py_None) == 0 &&
		    PyObject_SetAttr(e, syms[SYM_RESOURCE], res ? res : Py_None) == 0) {
			PyErr_SetObject(NessieError, e);
		}
		Py_DECREF(e);
	}
	Py_DECREF(rec);
	return NULL;
}

/* ---- calls ------------------------------------------------------------ */

typedef struct {
	PyObject_HEAD
	uintptr_t h; /* 0 once closed */
	int strict;
	PyObject *caps; /* capabilities(), once fetched */
} Backend;

enum { stack_reply = 4096 };

/* Runs op on self's backend; objs[i] is the object args[i] borrows from
 * (or NULL). Long operations run without the GIL. */
static PyObject *call(Backend *self, int op, nessie_arg *args, PyObject **objs, int nargs, int long_op) {
	char stack[stack_reply];
	nessie_buf reply = {stack, sizeof stack};
	int32_t st;
	if (long_op) {
		Py_BEGIN_ALLOW_THREADS
		st = nessie_call(self->h, op, args, nargs, &reply);
		Py_END_ALLOW_THREADS
	} else {
		st = nessie_call(self->h, op, args, nargs, &reply);
	}
	reader r = {(const unsigned char *)reply.data, (const unsigned char *)reply.data + reply.len, args, objs, nargs};
	PyObject *v = read_value(&r, 0);
	if (v != NULL && r.p != r.end) {
		Py_CLEAR(v);
		malformed();
	}
	if (reply.data != stack) {
		nessie_free(reply.data);
	}
	return st == NESSIE_OK ? v : raise_record(v);
}

/* ---- arguments, as PyO3 extracted them -------------------------------- */

typedef struct {
	const char *fname;        /* "MemBackend.create_volume()" */
	const char *const *names; /* positional, then keyword-only */
	int npos, nreq, nkw;
} sig;

enum { max_params = 8 };

static void param_list(char *buf, size_t cap, const char *const *names, int n) {
	size_t k = 0;
	buf[0] = 0;
	for (int i = 0; i < n && k < cap; i++) {
		const char *sep = i == 0 ? "" : (n > 2 ? (i == n - 1 ? ", and " : ", ") : " and ");
		k += (size_t)snprintf(buf + k, cap - k, "%s'%s'", sep, names[i]);
	}
}

/* Places args/kwnames into out (npos + nkw slots, NULL = not given),
 * raising PyO3's TypeError for a bad call. */
static int parse(const sig *s, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames, PyObject **out) {
	int total = s->npos + s->nkw;
	for (int i = 0; i < total; i++) {
		out[i] = NULL;
	}
	if (nargs > s->npos) {
		const char *was = nargs == 1 ? "was" : "were";
		if (s->nreq != s->npos) {
			PyErr_Format(PyExc_TypeError, "%s takes from %d to %d positional arguments but %zd %s given",
			             s->fname, s->nreq, s->npos, nargs, was);
		} else {
			PyErr_Format(PyExc_TypeError, "%s takes %d positional arguments but %zd %s given", s->fname, s->npos, nargs, was);
		}
		return -1;
	}
	for (Py_ssize_t i = 0; i < nargs; i++) {
		out[i] = args[i];
	}
	Py_ssize_t nkw = kwnames != NULL ? PyTuple_Size(kwnames) : 0;
	for (Py_ssize_t j = 0; j < nkw; j++) {
		PyObject *k = PyTuple_GetItem(kwnames, j);
		int found = -1;
		/* keyword-only first, then positional, as PyO3 looks them up */
		for (int i = s->npos; i < total && found < 0; i++) {
			if (PyUnicode_CompareWithASCIIString(k, s->names[i]) == 0) {
				found = i;
			}
		}
		for (int i = 0; i < s->npos && found < 0; i++) {
			if (PyUnicode_CompareWithASCIIString(k, s->names[i]) == 0) {
				found = i;
			}
		}
		if (found < 0) {
			PyErr_Format(PyExc_TypeError, "%s got an unexpected keyword argument '%U'", s->fname, k);
			return -1;
		}
		if (out[found] != NULL) {
			PyErr_Format(PyExc_TypeError, "%s got multiple values for argument '%U'", s->fname, k);
			return -1;
		}
		out[found] = args[nargs + j];
	}
	const char *missing[max_params];
	int nmissing = 0;
	for (int i = 0; i < s->nreq; i++) {
		if (out[i] == NULL) {
			missing[nmissing++] = s->names[i];
		}
	}
	if (nmissing > 0) {
		char list[512];
		param_list(list, sizeof list, missing, nmissing);
		PyErr_Format(PyExc_TypeError, "%s missing %d required positional argument%s: %s", s->fname, nmissing,
		             nmissing == 1 ? "" : "s", list);
		return -1;
	}
	return 0;
}

/* TypeError "argument 'name': <the original message>", as PyO3 rewrote
 * extraction failures; other exceptions pass unchanged. */
static int arg_error(const char *name) {
	if (!PyErr_ExceptionMatches(PyExc_TypeError)) {
		return -1;
	}
	PyObject *type, *value, *tb;
	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	PyObject *text = value != NULL ? PyObject_Str(value) : NULL;
	if (text != NULL) {
		PyErr_Format(PyExc_TypeError, "argument '%s': %U", name, text);
		Py_DECREF(text);
	}
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
	return -1;
}

/* A str argument (subclasses included), as UTF-8 borrowed from o. With
 * optional set, None is NESSIE_ARG_NONE. */
static int str_arg(PyObject *o, const char *name, int optional, nessie_arg *a) {
	memset(a, 0, sizeof *a);
	if (o == NULL || (optional && o == Py_None)) {
		return 0;
	}
	if (!PyUnicode_Check(o)) {
		PyObject *qn = PyObject_GetAttrString((PyObject *)Py_TYPE(o), "__qualname__");
		if (qn != NULL) {
			PyErr_Format(PyExc_TypeError, "argument '%s': '%U' object cannot be converted to 'PyString'", name, qn);
			Py_DECREF(qn);
		}
		return -1;
	}
	Py_ssize_t n;
	const char *s = PyUnicode_AsUTF8AndSize(o, &n);
	if (s == NULL) {
		return -1; /* UnicodeEncodeError for lone surrogates, as PyO3 */
	}
	a->kind = NESSIE_ARG_STR;
	a->s = s;
	a->n = n;
	return 0;
}

/* An optional unsigned 64-bit size (PyO3's u64: __index__, then
 * PyLong_AsUnsignedLongLong's OverflowError). */
static int size_arg(PyObject *o, const char *name, nessie_arg *a) {
	memset(a, 0, sizeof *a);
	if (o == NULL || o == Py_None) {
		return 0;
	}
	PyObject *i = PyNumber_Index(o);
	if (i == NULL) {
		return arg_error(name);
	}
	unsigned long long u = PyLong_AsUnsignedLongLong(i);
	Py_DECREF(i);
	if (u == (unsigned long long)-1 && PyErr_Occurred()) {
		return arg_error(name);
	}
	a->kind = NESSIE_ARG_INT;
	a->u = u;
	return 0;
}

/* Converts the parsed values by a spec string: s str, S str or None,
 * n size or None. */
static int convert(const sig *s, const char *spec, PyObject **vals, nessie_arg *a) {
	for (int i = 0; spec[i]; i++) {
		int r = spec[i] == 'n' ? size_arg(vals[i], s->names[i], &a[i]) : str_arg(vals[i], s->names[i], spec[i] == 'S', &a[i]);
		if (r < 0) {
			return -1;
		}
	}
	return 0;
}

/* ---- methods ---------------------------------------------------------- */

#define SIG(var, fn, npos, nreq, ...)                                            \
	static const char *const var##_names[] = {__VA_ARGS__};                     \
	static const sig var = {"MemBackend." fn "()", var##_names, npos, nreq,     \
	                        (int)(sizeof var##_names / sizeof var##_names[0]) - npos}

SIG(sig_create_volume, "create_volume", 2, 1, "name", "size_bytes", "junction_path", "export_policy", "comment");
SIG(sig_get_volume, "get_volume", 1, 1, "uuid");
SIG(sig_delete_volume, "delete_volume", 1, 1, "uuid");
SIG(sig_access_handle, "access_handle", 1, 1, "uuid");
SIG(sig_split_clone, "split_clone", 1, 1, "uuid");
SIG(sig_patch_volume, "patch_volume", 4, 1, "uuid", "size_bytes", "junction_path", "export_policy", "name", "state", "comment");
SIG(sig_rename_volume, "rename_volume", 2, 2, "uuid", "new_name");
SIG(sig_create_snapshot, "create_snapshot", 2, 2, "vol_uuid", "name", "comment");
SIG(sig_list_snapshots, "list_snapshots", 1, 1, "vol_uuid");
SIG(sig_get_snapshot, "get_snapshot", 2, 2, "vol_uuid", "snap_uuid");
SIG(sig_delete_snapshot, "delete_snapshot", 2, 2, "vol_uuid", "snap_uuid");
SIG(sig_restore_snapshot, "restore_snapshot", 2, 2, "vol_uuid", "snap_uuid");
SIG(sig_patch_snapshot, "patch_snapshot", 2, 2, "vol_uuid", "snap_uuid", "name", "comment");
SIG(sig_create_clone, "create_clone", 3, 3, "parent_vol_uuid", "parent_snap_uuid", "new_name");
SIG(sig_new, "__new__", 0, 0, "strict");

/* The body of every method with arguments: parse, convert by spec, call. */
static PyObject *run(Backend *self, const sig *s, const char *spec, int op, int long_op, PyObject *const *args,
                     Py_ssize_t nargs, PyObject *kwnames) {
	PyObject *vals[max_params];
	nessie_arg a[max_params];
	if (parse(s, args, nargs, kwnames, vals) < 0 || convert(s, spec, vals, a) < 0) {
		return NULL;
	}
	int n = (int)strlen(spec);
	return call(self, op, a, vals, n, long_op);
}

#define METHOD(name, sigvar, spec, op, long_op)                                                        \
	static PyObject *m_##name(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kw) { \
		return run((Backend *)self, &sigvar, spec, op, long_op, args, nargs, kw);                       \
	}

METHOD(create_volume, sig_create_volume, "snSSS", NESSIE_OP_CREATE_VOLUME, 0)
METHOD(get_volume, sig_get_volume, "s", NESSIE_OP_GET_VOLUME, 0)
METHOD(delete_volume, sig_delete_volume, "s", NESSIE_OP_DELETE_VOLUME, 0)
METHOD(access_handle, sig_access_handle, "s", NESSIE_OP_ACCESS_HANDLE, 0)
METHOD(split_clone, sig_split_clone, "s", NESSIE_OP_SPLIT_CLONE, 0)
METHOD(patch_volume, sig_patch_volume, "snSSSSS", NESSIE_OP_PATCH_VOLUME, 0)
METHOD(create_snapshot, sig_create_snapshot, "ssS", NESSIE_OP_CREATE_SNAPSHOT, 0)
METHOD(list_snapshots, sig_list_snapshots, "s", NESSIE_OP_LIST_SNAPSHOTS, 1)
METHOD(get_snapshot, sig_get_snapshot, "ss", NESSIE_OP_GET_SNAPSHOT, 0)
METHOD(delete_snapshot, sig_delete_snapshot, "ss", NESSIE_OP_DELETE_SNAPSHOT, 0)
METHOD(restore_snapshot, sig_restore_snapshot, "ss", NESSIE_OP_RESTORE_SNAPSHOT, 0)
METHOD(patch_snapshot, sig_patch_snapshot, "ssSS", NESSIE_OP_PATCH_SNAPSHOT, 0)
METHOD(create_clone, sig_create_clone, "sss", NESSIE_OP_CREATE_CLONE, 0)

static PyObject *m_rename_volume(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kw) {
	PyObject *vals[max_params];
	nessie_arg a[7];
	if (parse(&sig_rename_volume, args, nargs, kw, vals) < 0 || convert(&sig_rename_volume, "ss", vals, a) < 0) {
		return NULL;
	}
	/* patch_volume(uuid, name=new_name) */
	PyObject *objs[7] = {vals[0], NULL, NULL, NULL, vals[1], NULL, NULL};
	a[4] = a[1];
	memset(&a[1], 0, sizeof a[1]);
	memset(&a[2], 0, sizeof a[2] * 2);
	memset(&a[5], 0, sizeof a[5] * 2);
	return call((Backend *)self, NESSIE_OP_PATCH_VOLUME, a, objs, 7, 0);
}

static PyObject *m_list_volumes(PyObject *self, PyObject *unused) {
	return call((Backend *)self, NESSIE_OP_LIST_VOLUMES, NULL, NULL, 0, 1);
}

static PyObject *m_check_invariants(PyObject *self, PyObject *unused) {
	return call((Backend *)self, NESSIE_OP_CHECK_INVARIANTS, NULL, NULL, 0, 1);
}

/* ---- save and load: the state as a fixture file ----------------------- */

/* os.fspath(path) as str (bytes decoded as the file system does), for
 * messages; TypeError for anything that is not a path (an int fd too). */
static PyObject *path_text(PyObject *path) {
	PyObject *p = PyOS_FSPath(path);
	if (p == NULL || PyUnicode_Check(p)) {
		return p;
	}
	char *s;
	Py_ssize_t n;
	PyObject *t = PyBytes_AsStringAndSize(p, &s, &n) < 0 ? NULL : PyUnicode_DecodeFSDefaultAndSize(s, n);
	Py_DECREF(p);
	return t;
}

/* io.open(path, mode), then file.method(arg) (or file.method()), closing
 * the file whatever happens: method's result, or NULL with Python's own
 * exception (FileNotFoundError, PermissionError, ...). */
static PyObject *with_file(PyObject *path, const char *mode, const char *method, PyObject *arg) {
	PyObject *io = PyImport_ImportModule("io");
	if (io == NULL) {
		return NULL;
	}
	PyObject *f = PyObject_CallMethod(io, "open", "Os", path, mode);
	Py_DECREF(io);
	if (f == NULL) {
		return NULL;
	}
	PyObject *r = arg != NULL ? PyObject_CallMethod(f, method, "O", arg) : PyObject_CallMethod(f, method, NULL);
	PyObject *et, *ev, *tb;
	PyErr_Fetch(&et, &ev, &tb);
	PyObject *c = PyObject_CallMethod(f, "close", NULL);
	Py_DECREF(f);
	if (et != NULL) {
		Py_XDECREF(c);
		Py_XDECREF(r);
		PyErr_Restore(et, ev, tb);
		return NULL;
	}
	if (c == NULL) {
		Py_XDECREF(r);
		return NULL;
	}
	Py_DECREF(c);
	return r;
}

static PyObject *m_save(PyObject *self, PyObject *path) {
	PyObject *name = path_text(path);
	if (name == NULL) {
		return NULL;
	}
	Py_DECREF(name);
	PyObject *doc = call((Backend *)self, NESSIE_OP_EXPORT_STATE, NULL, NULL, 0, 1);
	if (doc == NULL) {
		return NULL;
	}
	PyObject *data = PyUnicode_AsUTF8String(doc);
	Py_DECREF(doc);
	if (data == NULL) {
		return NULL;
	}
	PyObject *r = with_file(path, "wb", "write", data);
	Py_DECREF(data);
	if (r == NULL) {
		return NULL;
	}
	Py_DECREF(r);
	Py_RETURN_NONE;
}

static PyObject *m_load(PyObject *self, PyObject *path) {
	PyObject *name = path_text(path);
	if (name == NULL) {
		return NULL;
	}
	PyObject *data = with_file(path, "rb", "read", NULL);
	if (data != NULL && !PyBytes_Check(data)) {
		Py_CLEAR(data);
		PyErr_SetString(PyExc_TypeError, "the file did not read as bytes");
	}
	if (data == NULL) {
		Py_DECREF(name);
		return NULL;
	}
	nessie_arg a[2];
	memset(a, 0, sizeof a);
	char *text;
	Py_ssize_t n, tn;
	const char *s = PyBytes_AsStringAndSize(data, &text, &tn) < 0 ? NULL : PyUnicode_AsUTF8AndSize(name, &n);
	PyObject *r = NULL;
	if (s != NULL) {
		a[0].kind = NESSIE_ARG_STR;
		a[0].s = text;
		a[0].n = tn;
		a[1].kind = NESSIE_ARG_STR;
		a[1].s = s;
		a[1].n = n;
		PyObject *objs[2] = {NULL, name};
		r = call((Backend *)self, NESSIE_OP_LOAD_STATE, a, objs, 2, 1);
	}
	Py_DECREF(data);
	Py_DECREF(name);
	return r;
}

static PyObject *m_capabilities(PyObject *op, PyObject *unused) {
	Backend *self = (Backend *)op;
	if (self->caps == NULL) {
		/* fixed by the backend's type (backend/doc.go): fetched once */
		PyObject *caps = call(self, NESSIE_OP_CAPABILITIES, NULL, NULL, 0, 0);
		if (caps == NULL) {
			return NULL;
		}
		self->caps = caps;
	}
	return PyDict_Copy(self->caps);
}

static PyObject *m_close(PyObject *op, PyObject *unused) {
	Backend *self = (Backend *)op;
	if (self->h != 0) {
		nessie_close(self->h);
		self->h = 0;
	}
	Py_CLEAR(self->caps);
	Py_RETURN_NONE;
}

static PyObject *m_enter(PyObject *self, PyObject *unused) {
	Py_INCREF(self);
	return self;
}

static PyObject *m_exit(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
	return m_close(self, NULL);
}

static PyObject *get_strict(PyObject *self, void *closure) {
	return PyBool_FromLong(((Backend *)self)->strict);
}

static PyObject *b_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
	/* PyO3's messages for MemBackend(...): the published class took no
	 * arguments; strict is keyword-only. */
	PyObject *kwnames = NULL, *flat[max_params];
	Py_ssize_t nargs = PyTuple_Size(args), nkw = kwargs != NULL ? PyDict_Size(kwargs) : 0;
	if (nargs > 0) {
		nkw = 0; /* too many positional arguments: reported first, as PyO3 does */
	} else if (nkw > 1 || (nkw == 1 && PyDict_GetItemString(kwargs, "strict") == NULL)) {
		PyObject *k, *v;
		Py_ssize_t pos = 0;
		while (PyDict_Next(kwargs, &pos, &k, &v)) {
			if (PyUnicode_Check(k) && PyUnicode_CompareWithASCIIString(k, "strict") != 0) {
				PyErr_Format(PyExc_TypeError, "MemBackend.__new__() got an unexpected keyword argument '%U'", k);
				return NULL;
			}
		}
	}
	for (Py_ssize_t i = 0; i < nargs && i < max_params; i++) {
		flat[i] = PyTuple_GetItem(args, i); /* parse reads none of them: sig_new has no positional */
	}
	if (nkw > 0) {
		kwnames = PyTuple_New(nkw);
		if (kwnames == NULL) {
			return NULL;
		}
		PyObject *k, *v;
		Py_ssize_t pos = 0, j = 0;
		while (PyDict_Next(kwargs, &pos, &k, &v)) {
			Py_INCREF(k);
			PyTuple_SetItem(kwnames, j, k);
			flat[nargs + j++] = v;
		}
	}
	PyObject *vals[1];
	int r = parse(&sig_new, flat, nargs, kwnames, vals);
	Py_XDECREF(kwnames);
	if (r < 0) {
		return NULL;
	}
	int strict = 0;
	if (vals[0] != NULL && (strict = PyObject_IsTrue(vals[0])) < 0) {
		return NULL;
	}
	allocfunc alloc = (allocfunc)PyType_GetSlot(type, Py_tp_alloc);
	Backend *self = (Backend *)alloc(type, 0);
	if (self == NULL) {
		return NULL;
	}
	self->strict = strict;
	self->caps = NULL;
	self->h = nessie_open(strict ? NESSIE_STRICT : 0);
	return (PyObject *)self;
}

static void b_dealloc(PyObject *op) {
	Backend *self = (Backend *)op;
	PyTypeObject *type = Py_TYPE(op);
	if (self->h != 0) {
		nessie_close(self->h);
	}
	Py_CLEAR(self->caps);
	freefunc free_ = (freefunc)PyType_GetSlot(type, Py_tp_free);
	free_(op);
	Py_DECREF(type);
}

#define FAST (METH_FASTCALL | METH_KEYWORDS)
#define M(name, sig_text, doc) {#name, (PyCFunction)(void (*)(void))m_##name, FAST, #name sig_text "\n--\n\n" doc}

static PyMethodDef methods[] = {
	{"capabilities", m_capabilities, METH_NOARGS, "capabilities($self)\n--\n\n"},
	M(create_volume, "($self, name, size_bytes=None, *, junction_path=None, export_policy=None, comment=None)", ""),
	{"list_volumes", m_list_volumes, METH_NOARGS, "list_volumes($self)\n--\n\n"},
	M(get_volume, "($self, uuid)", ""),
	M(delete_volume, "($self, uuid)", ""),
	M(patch_volume, "($self, uuid, size_bytes=None, junction_path=None, export_policy=None, *, name=None, state=None, comment=None)", ""),
	M(create_snapshot, "($self, vol_uuid, name, *, comment=None)", ""),
	M(list_snapshots, "($self, vol_uuid)", ""),
	M(get_snapshot, "($self, vol_uuid, snap_uuid)", ""),
	M(delete_snapshot, "($self, vol_uuid, snap_uuid)", ""),
	M(create_clone, "($self, parent_vol_uuid, parent_snap_uuid, new_name)", ""),
	M(access_handle, "($self, uuid)", "How to reach the volume's data: {\"kind\": \"in_memory\"}."),
	M(rename_volume, "($self, uuid, new_name)", "Rename a volume; clone origins follow the new name."),
	M(patch_snapshot, "($self, vol_uuid, snap_uuid, name=None, comment=None)", "Rename a snapshot and/or set its comment."),
	M(restore_snapshot, "($self, vol_uuid, snap_uuid)", "Revert the volume to the snapshot (later snapshots are deleted)."),
	M(split_clone, "($self, uuid)", "Make a clone independent of its parent snapshot."),
	{"save", m_save, METH_O,
	 "save($self, path, /)\n--\n\nWrite the whole state to path as a nessie fixture (fixture/v1 YAML), which load() "
	 "and `nessie serve --load` read."},
	{"load", m_load, METH_O,
	 "load($self, path, /)\n--\n\nReplace the whole state with the fixture at path (YAML or JSON), keeping its UUIDs; "
	 "on any error nothing changes."},
	{"check_invariants", m_check_invariants, METH_NOARGS,
	 "check_invariants($self)\n--\n\nRaise NessieError (kind internal) if the Go backend's state is inconsistent."},
	{"close", m_close, METH_NOARGS, "close($self)\n--\n\nRelease the Go backend now; later calls raise NessieError."},
	{"__enter__", m_enter, METH_NOARGS, "__enter__($self)\n--\n\n"},
	{"__exit__", (PyCFunction)(void (*)(void))m_exit, METH_FASTCALL, "__exit__($self, *exc)\n--\n\nclose()."},
	{NULL, NULL, 0, NULL},
};

static PyGetSetDef getset[] = {
	{"strict", get_strict, NULL, "True for the strict (ONTAP rules, richer dicts) mode.", NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot backend_slots[] = {
	{Py_tp_new, b_new},
	{Py_tp_dealloc, b_dealloc},
	{Py_tp_methods, methods},
	{Py_tp_getset, getset},
	{Py_tp_doc, "An in-memory ONTAP-shaped storage backend."},
	{0, NULL},
};

/* "builtins.MemBackend", as PyO3 named the published class: the same
 * __module__, __qualname__ and messages ("cannot pickle
 * 'builtins.MemBackend' object"). Not subclassable, no weak references,
 * as there. */
static PyType_Spec backend_spec = {"builtins.MemBackend", sizeof(Backend), 0, Py_TPFLAGS_DEFAULT, backend_slots};

static PyObject *live_handles(PyObject *mod, PyObject *unused) {
	Backend none = {0};
	return call(&none, NESSIE_OP_LIVE_HANDLES, NULL, NULL, 0, 0);
}

static PyMethodDef module_methods[] = {
	{"_live_handles", live_handles, METH_NOARGS, "The number of open Go backends (for leak tests)."},
	{NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "nessie_backend_mem._core", NULL, -1, module_methods};

PyMODINIT_FUNC PyInit__core(void) {
	for (int i = 0; i < num_syms; i++) {
		if (syms[i] == NULL && (syms[i] = PyUnicode_InternFromString(sym_text[i])) == NULL) {
			return NULL;
		}
	}
	if (shape_template[0] == NULL && init_shapes() < 0) {
		return NULL;
	}
	PyObject *m = PyModule_Create(&module);
	if (m == NULL) {
		return NULL;
	}
	if (NessieError == NULL) {
		/* The kinds as class constants; no class-level kind, so that a
		 * NessieError built by hand has none, as in the published one. */
		PyObject *consts = Py_BuildValue("{ssssssssssss}", "NOT_FOUND", "not_found", "ALREADY_EXISTS", "already_exists",
		                                 "INVALID_ARGUMENT", "invalid_argument", "IN_USE", "in_use", "UNSUPPORTED",
		                                 "unsupported", "INTERNAL", "internal");
		if (consts == NULL) {
			Py_DECREF(m);
			return NULL;
		}
		NessieError = PyErr_NewExceptionWithDoc("nessie_backend_mem.NessieError",
		                                        "A nessie backend error. str(e) is the message; errors the backend raises "
		                                        "also carry kind and resource attributes.",
		                                        PyExc_Exception, consts);
		Py_DECREF(consts);
	}
	PyObject *type = PyType_FromSpec(&backend_spec);
	if (NessieError == NULL || type == NULL || PyModule_AddObject(m, "MemBackend", type) < 0) {
		Py_XDECREF(type);
		Py_DECREF(m);
		return NULL;
	}
	Py_INCREF(NessieError);
	if (PyModule_AddObject(m, "NessieError", NessieError) < 0) {
		Py_DECREF(NessieError);
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
