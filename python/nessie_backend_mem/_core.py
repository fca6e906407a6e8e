"""MemBackend and NessieError: the Python face of the nessie-go core.

Each method first offers its arguments to the compiled fast path (the
_fast extension: typed arguments straight to the Go library, the result
dict built in C). Where that is missing, or declines an argument it
cannot pass exactly as the ctypes path would, the method builds a request
``["op", args...]`` (see python/internal/abi), sends it through ctypes and
decodes the reply. Argument types are checked on that path, with the
exceptions the original PyO3 package raised (TypeError, OverflowError);
everything the backend refuses raises NessieError on both.
"""

from __future__ import annotations

import json
import operator
import weakref
from json.encoder import encode_basestring_ascii as _quote
from typing import Any, Callable, NoReturn

from . import _lib

__all__ = ["MemBackend", "NessieError"]

Volume = dict[str, Any]
Snapshot = dict[str, Any]


class NessieError(Exception):
    """A nessie backend error.

    ``str(e)`` is the message, worded as the original package worded it
    where it has an equivalent (``volume <uuid> not found``,
    ``invalid volume uuid "x"``, ...). ``kind`` classifies the failure and
    is one of the constants below; ``resource`` is ``"volume"``,
    ``"snapshot"``, ``"backend"`` or None; ``detail`` is the Go error text.
    """

    NOT_FOUND = "not_found"
    ALREADY_EXISTS = "already_exists"
    INVALID_ARGUMENT = "invalid_argument"
    IN_USE = "in_use"
    UNSUPPORTED = "unsupported"
    INTERNAL = "internal"

    kind: str | None
    resource: str | None
    detail: str | None

    def __init__(
        self,
        message: str = "",
        *,
        kind: str | None = None,
        resource: str | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.resource = resource
        self.detail = detail

    def __reduce__(self) -> Any:
        return (_rebuild_error, (type(self), self.args, self.kind, self.resource, self.detail))


def _rebuild_error(cls: type[NessieError], args: tuple[Any, ...], kind: Any, resource: Any, detail: Any) -> NessieError:
    e = cls(*args)
    e.kind, e.resource, e.detail = kind, resource, detail
    return e


def _raise(env: dict[str, Any]) -> NoReturn:
    raise NessieError(
        env["message"], kind=env["kind"], resource=env["resource"], detail=env["detail"]
    )


def _raise_json(envelope: bytes) -> NoReturn:
    _raise(json.loads(envelope))


# The fast path: _fcall(handle, op, *args) returns the result, raises
# NessieError, or returns _SLOW to send the caller down the ctypes path
# (always, when the extension is not available). Ops are abi.Ops indexes.
_fast = _lib.load_fast(_raise_json)
if _fast is not None:
    _fcall = _fast.call
    _SLOW: Any = _fast.FALLBACK
else:
    _SLOW = object()

    def _fcall(*_args: Any) -> Any:
        return _SLOW


_OP = _lib.OP
_CAPABILITIES = _OP["capabilities"]
_CREATE_VOLUME = _OP["create_volume"]
_LIST_VOLUMES = _OP["list_volumes"] | _lib.RELEASE_GIL
_GET_VOLUME = _OP["get_volume"]
_DELETE_VOLUME = _OP["delete_volume"]
_PATCH_VOLUME = _OP["patch_volume"]
_ACCESS_HANDLE = _OP["access_handle"]
_CREATE_SNAPSHOT = _OP["create_snapshot"]
_LIST_SNAPSHOTS = _OP["list_snapshots"] | _lib.RELEASE_GIL
_GET_SNAPSHOT = _OP["get_snapshot"]
_DELETE_SNAPSHOT = _OP["delete_snapshot"]
_PATCH_SNAPSHOT = _OP["patch_snapshot"]
_RESTORE_SNAPSHOT = _OP["restore_snapshot"]
_CREATE_CLONE = _OP["create_clone"]
_SPLIT_CLONE = _OP["split_clone"]
_CHECK_INVARIANTS = _OP["check_invariants"] | _lib.RELEASE_GIL


def _closed(_request: bytes) -> NoReturn:
    raise NessieError(
        "invalid argument: the backend is closed", kind=NessieError.INVALID_ARGUMENT
    )


# Argument encoders. Each returns the JSON text of one request argument
# and raises the TypeError / OverflowError that PyO3's argument extraction
# raised for the same value in the original package. The hot methods quote
# plain-str UUIDs inline (_quote) and call these only for anything else:
# a Python call costs as much as the quoting. (A UUID with a lone
# surrogate then reaches Go as U+FFFD and fails as an invalid UUID.)


def _text(value: Any, name: str) -> str:
    if type(value) is str:
        q = _quote(value)
    elif isinstance(value, str):
        q = _quote(str(value))
    else:
        raise TypeError(
            f"argument '{name}': '{type(value).__name__}' object cannot be converted to 'PyString'"
        )
    if "\\ud" in q:
        # Escaped surrogates: a valid astral character, or a lone
        # surrogate, which is no UTF-8 text; encoding raises
        # UnicodeEncodeError for the latter, as PyO3 did.
        value.encode("utf-8")
    return q


def _pair(vol_uuid: Any, snap_uuid: Any) -> str:
    """The two UUID arguments of a snapshot call, comma-separated."""
    if type(vol_uuid) is str and type(snap_uuid) is str:
        return _quote(vol_uuid) + "," + _quote(snap_uuid)
    return _text(vol_uuid, "vol_uuid") + "," + _text(snap_uuid, "snap_uuid")


def _opt_text(value: Any, name: str) -> str:
    return "null" if value is None else _text(value, name)


def _size(value: Any) -> str:
    if value is None:
        return "null"
    if type(value) is int:
        n = value
    else:
        try:
            n = operator.index(value)
        except TypeError:
            raise TypeError(
                f"argument 'size_bytes': '{type(value).__name__}' object cannot be interpreted as an integer"
            ) from None
    if n < 0:
        raise OverflowError("can't convert negative int to unsigned")
    if n >> 64:
        raise OverflowError("int too big to convert")
    return str(n)


class MemBackend:
    """An in-memory ONTAP-shaped storage backend (the nessie-go core).

    Each instance is independent and safe to share between threads. Point
    calls keep the GIL for their microsecond in Go; calls whose cost grows
    with the backend (lists, check_invariants) release it. Results are
    plain dicts owned by the caller. The Go side is released when the object is garbage
    collected, or at once by close() or a ``with`` block.
    """

    __slots__ = ("_fh", "_caps", "_invoke", "_invoke_long", "_finalizer", "__weakref__")

    _fh: int | None  # the handle for the fast path; None: take the ctypes path
    _caps: dict[str, Any] | None  # capabilities(), once fetched
    _invoke: Callable[[bytes], Any]  # point operations: keep the GIL
    _invoke_long: Callable[[bytes], Any]  # lists: release the GIL

    def __init__(self) -> None:
        self._attach(_lib.ENCODING)

    @classmethod
    def _with_encoding(cls, encoding: str) -> MemBackend:
        """A backend whose replies use the given encoding ("json" or
        "marshal"); for tests that cover both decoders."""
        b = cls.__new__(cls)
        b._attach(encoding)
        return b

    def _attach(self, encoding: str) -> None:
        handle = _lib.open_handle(encoding)
        self._fh = handle if encoding == "marshal" else None
        self._caps = None
        loads = _lib.LOADERS[encoding]
        self._invoke = _lib.invoker(handle, loads, _raise)
        self._invoke_long = _lib.invoker(handle, loads, _raise, release_gil=True)
        self._finalizer = weakref.finalize(self, _lib.close_handle, handle)
        self._finalizer.atexit = False  # the process is going away anyway

    def close(self) -> None:
        """Release the Go backend now. Later calls raise NessieError; a
        second close does nothing."""
        self._fh = self._caps = None
        self._invoke = self._invoke_long = _closed
        self._finalizer()

    def __enter__(self) -> MemBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __reduce__(self) -> NoReturn:
        raise TypeError(f"cannot pickle {type(self).__name__!r} object")

    # The API of the original nessie_backend_mem.MemBackend.

    def capabilities(self) -> dict[str, Any]:
        """The tiers: snapshots and clones True, replication False (the
        binding exposes no replication methods). A backend's capabilities
        are fixed by its type (backend/doc.go), so the first answer is
        kept and each call returns a copy of it."""
        caps = self._caps
        if caps is None:
            caps = _fcall(self._fh, _CAPABILITIES)
            if caps is _SLOW:
                caps = self._invoke(b'["capabilities"]')
            if self._invoke is not _closed:
                self._caps = caps
        return caps.copy()

    def create_volume(
        self,
        name: str,
        size_bytes: int | None = None,
        *,
        junction_path: str | None = None,
        export_policy: str | None = None,
        comment: str | None = None,
    ) -> Volume:
        """Create a volume; size_bytes None means unlimited. The keyword-only
        arguments are nessie-go additions."""
        r = _fcall(self._fh, _CREATE_VOLUME, name, size_bytes, junction_path, export_policy, comment)
        if r is not _SLOW:
            return r
        if junction_path is None and export_policy is None and comment is None:
            req = '["create_volume",%s,%s]' % (_text(name, "name"), _size(size_bytes))
        else:
            req = '["create_volume",%s,%s,%s,%s,%s]' % (
                _text(name, "name"),
                _size(size_bytes),
                _opt_text(junction_path, "junction_path"),
                _opt_text(export_policy, "export_policy"),
                _opt_text(comment, "comment"),
            )
        return self._invoke(req.encode())

    def list_volumes(self) -> list[Volume]:
        r = _fcall(self._fh, _LIST_VOLUMES)
        return self._invoke_long(b'["list_volumes"]') if r is _SLOW else r

    def get_volume(self, uuid: str) -> Volume:
        r = _fcall(self._fh, _GET_VOLUME, uuid)
        if r is not _SLOW:
            return r
        q = _quote(uuid) if type(uuid) is str else _text(uuid, "uuid")
        return self._invoke(('["get_volume",' + q + "]").encode())

    def delete_volume(self, uuid: str) -> None:
        """Delete a volume and its snapshots. Refused (kind in_use) while an
        unsplit clone depends on one of its snapshots."""
        if _fcall(self._fh, _DELETE_VOLUME, uuid) is not _SLOW:
            return
        q = _quote(uuid) if type(uuid) is str else _text(uuid, "uuid")
        self._invoke(('["delete_volume",' + q + "]").encode())

    def patch_volume(
        self,
        uuid: str,
        size_bytes: int | None = None,
        junction_path: str | None = None,
        export_policy: str | None = None,
        *,
        name: str | None = None,
        state: str | None = None,
        comment: str | None = None,
    ) -> Volume:
        """Change the fields given (None leaves one unchanged) and return the
        volume. junction_path "" unmounts. name, state ("online", "offline",
        "restricted") and comment are nessie-go additions."""
        r = _fcall(self._fh, _PATCH_VOLUME, uuid, size_bytes, junction_path, export_policy, name, state, comment)
        if r is not _SLOW:
            return r
        req = '["patch_volume",%s,%s,%s,%s,%s,%s,%s]' % (
            _text(uuid, "uuid"),
            _size(size_bytes),
            _opt_text(junction_path, "junction_path"),
            _opt_text(export_policy, "export_policy"),
            _opt_text(name, "name"),
            _opt_text(state, "state"),
            _opt_text(comment, "comment"),
        )
        return self._invoke(req.encode())

    def create_snapshot(self, vol_uuid: str, name: str) -> Snapshot:
        r = _fcall(self._fh, _CREATE_SNAPSHOT, vol_uuid, name)
        if r is not _SLOW:
            return r
        q = _quote(vol_uuid) if type(vol_uuid) is str else _text(vol_uuid, "vol_uuid")
        return self._invoke(('["create_snapshot",' + q + "," + _text(name, "name") + "]").encode())

    def list_snapshots(self, vol_uuid: str) -> list[Snapshot]:
        """The volume's snapshots, oldest first."""
        r = _fcall(self._fh, _LIST_SNAPSHOTS, vol_uuid)
        if r is not _SLOW:
            return r
        q = _quote(vol_uuid) if type(vol_uuid) is str else _text(vol_uuid, "vol_uuid")
        return self._invoke_long(('["list_snapshots",' + q + "]").encode())

    def get_snapshot(self, vol_uuid: str, snap_uuid: str) -> Snapshot:
        r = _fcall(self._fh, _GET_SNAPSHOT, vol_uuid, snap_uuid)
        if r is not _SLOW:
            return r
        return self._invoke(('["get_snapshot",' + _pair(vol_uuid, snap_uuid) + "]").encode())

    def delete_snapshot(self, vol_uuid: str, snap_uuid: str) -> None:
        """Delete a snapshot. Refused (kind in_use) while an unsplit clone
        depends on it."""
        if _fcall(self._fh, _DELETE_SNAPSHOT, vol_uuid, snap_uuid) is not _SLOW:
            return
        self._invoke(('["delete_snapshot",' + _pair(vol_uuid, snap_uuid) + "]").encode())

    def create_clone(self, parent_vol_uuid: str, parent_snap_uuid: str, new_name: str) -> Volume:
        """Create a writable clone of a snapshot. It starts with the size the
        parent had when the snapshot was taken."""
        r = _fcall(self._fh, _CREATE_CLONE, parent_vol_uuid, parent_snap_uuid, new_name)
        if r is not _SLOW:
            return r
        req = '["create_clone",%s,%s,%s]' % (
            _text(parent_vol_uuid, "parent_vol_uuid"),
            _text(parent_snap_uuid, "parent_snap_uuid"),
            _text(new_name, "new_name"),
        )
        return self._invoke(req.encode())

    # nessie-go additions.

    def access_handle(self, uuid: str) -> dict[str, Any]:
        """How to reach the volume's data: ``{"kind": "in_memory"}``."""
        r = _fcall(self._fh, _ACCESS_HANDLE, uuid)
        if r is not _SLOW:
            return r
        q = _quote(uuid) if type(uuid) is str else _text(uuid, "uuid")
        return self._invoke(('["access_handle",' + q + "]").encode())

    def rename_volume(self, uuid: str, new_name: str) -> Volume:
        """Rename a volume; clone origins follow the new name."""
        return self.patch_volume(uuid, name=new_name)

    def patch_snapshot(
        self, vol_uuid: str, snap_uuid: str, name: str | None = None, comment: str | None = None
    ) -> Snapshot:
        """Rename a snapshot and/or set its comment."""
        r = _fcall(self._fh, _PATCH_SNAPSHOT, vol_uuid, snap_uuid, name, comment)
        if r is not _SLOW:
            return r
        req = '["patch_snapshot",%s,%s,%s,%s]' % (
            _text(vol_uuid, "vol_uuid"),
            _text(snap_uuid, "snap_uuid"),
            _opt_text(name, "name"),
            _opt_text(comment, "comment"),
        )
        return self._invoke(req.encode())

    def restore_snapshot(self, vol_uuid: str, snap_uuid: str) -> Volume:
        """Revert the volume to the snapshot: its size becomes the
        snapshot's and every later snapshot is deleted (refused, kind
        in_use, if one of those backs an unsplit clone)."""
        r = _fcall(self._fh, _RESTORE_SNAPSHOT, vol_uuid, snap_uuid)
        if r is not _SLOW:
            return r
        req = '["restore_snapshot",%s,%s]' % (_text(vol_uuid, "vol_uuid"), _text(snap_uuid, "snap_uuid"))
        return self._invoke(req.encode())

    def split_clone(self, uuid: str) -> Volume:
        """Make a clone independent of its parent snapshot."""
        r = _fcall(self._fh, _SPLIT_CLONE, uuid)
        if r is not _SLOW:
            return r
        return self._invoke(('["split_clone",%s]' % _text(uuid, "uuid")).encode())

    def check_invariants(self) -> None:
        """Verify the Go backend's internal consistency (name indexes, clone
        parentage, dependency counts); raises NessieError (kind internal)
        if it is broken."""
        if _fcall(self._fh, _CHECK_INVARIANTS) is not _SLOW:
            return
        self._invoke_long(b'["check_invariants"]')


def _stats(gc: bool = False) -> dict[str, int]:
    """Go-side figures for leak tests: open handles, heap bytes and
    objects, goroutines; gc=True collects garbage first."""
    return _lib.module_call(b'["stats",true]' if gc else b'["stats"]')
