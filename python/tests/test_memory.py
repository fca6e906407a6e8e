"""Memory is released: dropped backends free their Go side, and create /
delete cycles do not grow the process's resident set (Go heap included).

Each test runs 100k cycles. A leak of even 64 bytes a cycle would add
6.4 MB, above the bounds used here; the bounds leave room for allocator
and runtime noise, which does not grow with the cycle count.
"""

from __future__ import annotations

import gc
import os

from nessie_backend_mem import MemBackend
from nessie_backend_mem._core import _live_handles

CYCLES = 100_000
RSS_SLACK = 24 << 20  # bytes of resident-set growth tolerated


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def settle() -> int:
    """Collects Python garbage; returns the number of open Go backends."""
    gc.collect()
    return _live_handles()


def test_dropped_backends_release_their_handles_and_heap():
    for _ in range(1000):  # warm up: pools, caches, allocator arenas
        MemBackend().create_volume("v")
    before, rss_before = settle(), rss()
    for i in range(CYCLES):
        b = MemBackend()
        b.create_volume("v", i)
        del b  # dropped without close(): the finalizer must release it
    after, rss_after = settle(), rss()
    assert after == before, (before, after)
    assert rss_after - rss_before < RSS_SLACK, (rss_before, rss_after)


def test_closed_backends_release_their_handles_at_once():
    before = settle()
    backends = [MemBackend() for _ in range(100)]
    assert _live_handles() == before + 100
    for b in backends:
        b.close()
    assert _live_handles() == before
    del backends
    assert settle() == before  # the finalizers do not close twice


def test_volume_create_delete_cycles_do_not_grow_memory():
    b = MemBackend()
    keep = [b.create_volume(f"keep-{i}") for i in range(100)]
    for _ in range(1000):
        b.delete_volume(b.create_volume("warm")["uuid"])
    before, rss_before = settle(), rss()
    for i in range(CYCLES):
        v = b.create_volume("cycle", i)
        s = b.create_snapshot(v["uuid"], "s")
        b.delete_snapshot(v["uuid"], s["uuid"])
        b.delete_volume(v["uuid"])
    after, rss_after = settle(), rss()
    assert len(b.list_volumes()) == len(keep)
    assert rss_after - rss_before < RSS_SLACK, (rss_before, rss_after)
    b.check_invariants()
    b.close()


def test_long_replies_release_their_c_memory():
    # A list of 1,000 volumes (about 80 KB) overflows the stack reply
    # buffer and comes back in malloc'd memory that the extension must
    # free; 300 of them would leak 24 MB.
    b = MemBackend()
    for i in range(1000):
        b.create_volume(f"v{i:04d}", i)
    for _ in range(20):
        b.list_volumes()
    rss_before = rss()
    for _ in range(300):
        assert len(b.list_volumes()) == 1000
    gc.collect()
    assert rss() - rss_before < RSS_SLACK, (rss_before, rss())
    b.close()
