"""ctypes access to _nessie_core, the Go library built from python/cshim,
and the binding of the compiled fast path (load_fast) to it.

The C ABI is documented in python/cshim/main.go. A request is a JSON array
``["op", args...]``; its reply lands in the calling OS thread's buffer,
which the library owns (nessie_thread_buffer), or, when it does not fit,
in memory that is handed back with nessie_free.

Calls go through nessie_call_tls, which takes two arguments: ctypes
spends about 100 ns converting each argument, more than the Go side of a
small call. Point operations hold the GIL for their fraction of a
microsecond in Go (releasing and retaking it would cost more); calls that
scale with the backend's size (lists) release it.
"""

from __future__ import annotations

import ctypes
import json
import marshal
import os
import struct
import sys
import threading
from typing import Any, Callable

ABI_VERSION = 1

_LIBNAME = {"darwin": "_nessie_core.dylib", "win32": "_nessie_core.dll"}.get(
    sys.platform, "_nessie_core.so"
)


def library_path() -> str:
    """Where the Go library is loaded from: $NESSIE_BACKEND_MEM_LIB, or the
    copy installed inside the package."""
    return os.environ.get("NESSIE_BACKEND_MEM_LIB") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), _LIBNAME
    )


def _load() -> tuple[ctypes.CDLL, ctypes.PyDLL]:
    path = library_path()
    try:
        lib = ctypes.CDLL(path)
        held = ctypes.PyDLL(path)  # the same library; its calls keep the GIL
    except OSError as e:
        raise ImportError(
            f"nessie_backend_mem: cannot load the Go core {path!r} ({e}); "
            "install the package with `pip install ./python` on a machine with "
            "Go, which builds it, or point NESSIE_BACKEND_MEM_LIB at a build"
        ) from e
    # Go never calls back into Python, so holding the GIL in a call is safe.
    lib.nessie_open.argtypes = [ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int64]
    lib.nessie_open.restype = ctypes.c_size_t
    lib.nessie_call.argtypes = [ctypes.c_size_t, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int64]
    lib.nessie_call.restype = ctypes.c_int64
    lib.nessie_free.argtypes = [ctypes.c_void_p]
    lib.nessie_free.restype = None
    lib.nessie_close.argtypes = [ctypes.c_size_t]
    lib.nessie_close.restype = ctypes.c_int
    lib.nessie_thread_buffer.argtypes = [ctypes.POINTER(ctypes.c_int64)]
    lib.nessie_thread_buffer.restype = ctypes.c_void_p
    for dll in (lib, held):
        dll.nessie_call_tls.argtypes = [ctypes.c_size_t, ctypes.c_char_p]
        dll.nessie_call_tls.restype = ctypes.c_int64
    return lib, held


LIB, _HELD = _load()
_call_released = LIB.nessie_call_tls  # releases the GIL
_call_held = _HELD.nessie_call_tls  # keeps it
_free = LIB.nessie_free


class _Buffer(threading.local):
    """A view of the calling OS thread's reply buffer, which the library
    allocates on the thread's first call and frees when the thread exits.
    (Greenlets sharing an OS thread get views of the same buffer, which is
    right: a call and the decoding of its reply never yield.)"""

    def __init__(self) -> None:
        cap = ctypes.c_int64()
        addr = LIB.nessie_thread_buffer(ctypes.byref(cap))
        if not addr:
            raise MemoryError("nessie_backend_mem: no memory for a reply buffer")
        self.view = memoryview((ctypes.c_char * cap.value).from_address(addr)).cast("B")


_tls = _Buffer()
_HEADER = struct.Struct("=QQQ")  # overflow record: pointer, length, status
_NO_BUFFER = -(2**63)  # nessie_call's answer to a missing or tiny buffer

_scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # the C scanner


def loads_json(data: memoryview) -> Any:
    return _scan(str(data, "utf-8"), 0)[0]


LOADERS: dict[str, Callable[[memoryview], Any]] = {
    "json": loads_json,
    "marshal": marshal.loads,
}


def _fail(envelope: dict[str, Any]) -> Any:
    raise RuntimeError(envelope["message"])


def invoker(
    handle: int,
    loads: Callable[[memoryview], Any],
    fail: Callable[[dict[str, Any]], Any] = _fail,
    release_gil: bool = False,
) -> Callable[[bytes], Any]:
    """Return a function that sends one request on handle and decodes the
    result with loads; an error reply is passed to fail, which raises."""
    call = _call_released if release_gil else _call_held

    def invoke(request: bytes) -> Any:
        view = _tls.view  # first in a thread: sets the buffer up
        r = call(handle, request)
        if r > 0:
            return loads(view[:r])
        return _slow(r, view, loads, fail)

    return invoke


def _slow(
    r: int,
    view: memoryview,
    loads: Callable[[memoryview], Any],
    fail: Callable[[dict[str, Any]], Any],
) -> Any:
    if r < 0 and r != _NO_BUFFER:
        return fail(loads_json(view[:-r]))
    if r != 0:  # no buffer: _Buffer would have raised MemoryError first
        raise RuntimeError(f"nessie_call: unexpected result {r}")
    ptr, n, status = _HEADER.unpack_from(view)
    try:
        data = memoryview((ctypes.c_char * n).from_address(ptr)).cast("B")
        if status == 0:
            return loads(data)
        return fail(loads_json(data))
    finally:
        _free(ptr)


def module_call(request: bytes, loads: Callable[[memoryview], Any] = loads_json) -> Any:
    """Run a module request (handle 0: version, stats, sample)."""
    return invoker(0, loads)(request)


def open_handle(encoding: str) -> int:
    err = ctypes.create_string_buffer(512)
    h = LIB.nessie_open(json.dumps({"encoding": encoding}).encode(), err, len(err))
    if not h:
        raise RuntimeError(err.value.decode("utf-8", "replace"))
    return h


def close_handle(handle: int) -> None:
    LIB.nessie_close(handle)


def _choose_encoding() -> str:
    """marshal if this interpreter decodes the library's marshal output to
    exactly what the JSON reply gives, else json. NESSIE_BACKEND_MEM_ENCODING
    forces one."""
    forced = os.environ.get("NESSIE_BACKEND_MEM_ENCODING")
    if forced:
        if forced not in LOADERS:
            raise ImportError(
                f"NESSIE_BACKEND_MEM_ENCODING={forced!r}: want one of {sorted(LOADERS)}"
            )
        return forced
    try:
        if module_call(b'["sample","marshal"]', marshal.loads) == module_call(b'["sample","json"]'):
            return "marshal"
    except Exception:  # noqa: BLE001 - any mismatch means: use JSON
        pass
    return "json"


def _check_version() -> None:
    got = module_call(b'["version"]').get("abi")
    if got != ABI_VERSION:
        raise ImportError(
            f"nessie_backend_mem: {library_path()!r} speaks ABI {got}, this package "
            f"needs {ABI_VERSION}; rebuild it (pip install ./python)"
        )


# The operations of python/internal/abi.Ops in its order (their index is
# the op number of nessie_call_op), with the Python types the fast path
# passes for each argument: s a str, S a str or None, n a size (an int in
# [0, 2**64) or None). Any other value takes the ctypes path.
OPS = (
    ("capabilities", ""),
    ("create_volume", "snSSS"),
    ("list_volumes", ""),
    ("get_volume", "s"),
    ("delete_volume", "s"),
    ("patch_volume", "snSSSSS"),
    ("access_handle", "s"),
    ("create_snapshot", "ss"),
    ("list_snapshots", "s"),
    ("get_snapshot", "ss"),
    ("delete_snapshot", "ss"),
    ("patch_snapshot", "ssSS"),
    ("restore_snapshot", "ss"),
    ("create_clone", "sss"),
    ("split_clone", "s"),
    ("check_invariants", ""),
)
OP = {name: i for i, (name, _) in enumerate(OPS)}
RELEASE_GIL = 0x100  # added to an op number: the call releases the GIL


def load_fast(fail: Callable[[bytes], Any]) -> Any:
    """The compiled fast path (the _fast extension, bound to the library),
    or None: when it was not built (no Python headers at install time),
    when NESSIE_BACKEND_MEM_FAST=0, when replies are not marshal, when the
    library lacks nessie_call_op, or when the extension decodes the
    library's sample differently from marshal.loads. fail(envelope) must
    raise for the JSON error envelope of a failed call."""
    if os.environ.get("NESSIE_BACKEND_MEM_FAST", "1") == "0" or ENCODING != "marshal":
        return None
    if not hasattr(LIB, "nessie_call_op"):
        return None
    try:
        from . import _fast  # type: ignore[attr-defined]
    except ImportError:
        return None
    addr = ctypes.cast
    _fast.init(
        addr(LIB.nessie_call_op, ctypes.c_void_p).value,
        addr(LIB.nessie_thread_buffer, ctypes.c_void_p).value,
        addr(LIB.nessie_free, ctypes.c_void_p).value,
        fail,
        [sig for _, sig in OPS],
    )
    try:
        raw = _sample_bytes()
        if _fast.decode(raw) != marshal.loads(raw) or _fast.decode(raw) != module_call(b'["sample","json"]'):
            return None
    except Exception:  # noqa: BLE001 - any doubt means: use ctypes
        return None
    return _fast


def _sample_bytes() -> bytes:
    """The library's sample value in marshal, as bytes."""
    return module_call(b'["sample","marshal"]', bytes)


_check_version()
ENCODING = _choose_encoding()
