"""Type stubs for nessie_backend_mem (the nessie-go build).

The methods of the original PyO3 package keep its exact signatures; the
keyword-only parameters and the methods after create_clone are nessie-go
additions.
"""

import os
from typing import Any, Final

__version__: str

class NessieError(Exception):
    """A nessie backend error. Errors the backend raises carry ``kind``
    (one of the constants below) and ``resource`` ("volume", "snapshot",
    "backend" or None); an instance built by hand has neither, as in the
    published package, whose NessieError takes any arguments."""

    NOT_FOUND: Final = "not_found"
    ALREADY_EXISTS: Final = "already_exists"
    INVALID_ARGUMENT: Final = "invalid_argument"
    IN_USE: Final = "in_use"
    UNSUPPORTED: Final = "unsupported"
    INTERNAL: Final = "internal"

    kind: str
    resource: str | None

class MemBackend:
    def __init__(self, *, strict: bool = ...) -> None: ...
    @property
    def strict(self) -> bool: ...
    def capabilities(self) -> dict[str, Any]: ...
    def create_volume(
        self,
        name: str,
        size_bytes: int | None = ...,
        *,
        junction_path: str | None = ...,
        export_policy: str | None = ...,
        comment: str | None = ...,
    ) -> dict[str, Any]: ...
    def list_volumes(self) -> list[dict[str, Any]]: ...
    def get_volume(self, uuid: str) -> dict[str, Any]: ...
    def delete_volume(self, uuid: str) -> None: ...
    def patch_volume(
        self,
        uuid: str,
        size_bytes: int | None = ...,
        junction_path: str | None = ...,
        export_policy: str | None = ...,
        *,
        name: str | None = ...,
        state: str | None = ...,
        comment: str | None = ...,
    ) -> dict[str, Any]: ...
    def create_snapshot(self, vol_uuid: str, name: str, *, comment: str | None = ...) -> dict[str, Any]: ...
    def list_snapshots(self, vol_uuid: str) -> list[dict[str, Any]]: ...
    def get_snapshot(self, vol_uuid: str, snap_uuid: str) -> dict[str, Any]: ...
    def delete_snapshot(self, vol_uuid: str, snap_uuid: str) -> None: ...
    def create_clone(
        self, parent_vol_uuid: str, parent_snap_uuid: str, new_name: str
    ) -> dict[str, Any]: ...

    # nessie-go additions
    def access_handle(self, uuid: str) -> dict[str, Any]: ...
    def rename_volume(self, uuid: str, new_name: str) -> dict[str, Any]: ...
    def patch_snapshot(
        self,
        vol_uuid: str,
        snap_uuid: str,
        name: str | None = ...,
        comment: str | None = ...,
    ) -> dict[str, Any]: ...
    def restore_snapshot(self, vol_uuid: str, snap_uuid: str) -> dict[str, Any]: ...
    def split_clone(self, uuid: str) -> dict[str, Any]: ...
    def save(self, path: str | bytes | os.PathLike[str] | os.PathLike[bytes], /) -> None:
        """Write the whole state to path as a nessie fixture (fixture/v1
        YAML, what ``nessie serve --load`` reads), with the origin and
        objects section of the fixture last loaded, as loaded. NessieError
        (invalid_argument) if a name the default mode accepted cannot be
        written; OSError if the file cannot be written."""
    def load(self, path: str | bytes | os.PathLike[str] | os.PathLike[bytes], /) -> None:
        """Replace the whole state with the fixture at path (YAML or JSON),
        keeping its UUIDs (and, in strict mode, its times); its ONTAP
        objects section, which MemBackend does not use, is kept for the
        next save. NessieError
        (invalid_argument, the message naming file, line and field) for an
        invalid fixture, OSError if it cannot be read; either way nothing
        changes."""
    def check_invariants(self) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> MemBackend: ...
    def __exit__(self, *exc: object) -> None: ...

__all__ = ["MemBackend", "NessieError"]
