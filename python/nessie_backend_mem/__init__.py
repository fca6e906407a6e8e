"""In-memory ONTAP-shaped storage backend, backed by the nessie-go core.

A drop-in replacement for the published PyO3 package of the same name::

    from nessie_backend_mem import MemBackend
    b = MemBackend()
    vol = b.create_volume("build-cache", size_bytes=50 * 2**30)
    snap = b.create_snapshot(vol["uuid"], "pre-build")
    clone = b.create_clone(vol["uuid"], snap["uuid"], "build-cache-pr1234")
    assert clone["clone"]["parent_volume"] == "build-cache"

``MemBackend()`` behaves as the published package does; ``MemBackend(strict=True)``
applies ONTAP's name rules, refuses to delete what a clone depends on, and
returns richer dicts (see README.md).
"""

from ._core import MemBackend, NessieError

__all__ = ["MemBackend", "NessieError"]
__version__ = "0.3.1+go2"
