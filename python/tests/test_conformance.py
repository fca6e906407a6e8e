"""The published nessie-backend-conformance suite, run against MemBackend.

Its Python protocol (upstream.md §2.8) differs from MemBackend's API in one
way: get_volume and get_snapshot return None for an absent object instead
of raising. The adapter below bridges that and nothing else; every other
call goes straight to the backend.
"""

from __future__ import annotations

import collections

import pytest

from nessie_backend_mem import MemBackend, NessieError

# Installed by python/scripts/test.sh (pip install "./python[test]" works too).
import nessie_backend_conformance as conformance


class ConformanceAdapter:
    """MemBackend in the shape nessie_backend_conformance.run_all expects."""

    def __init__(self, backend: MemBackend) -> None:
        self._b = backend

    def __getattr__(self, name):
        return getattr(self._b, name)

    def get_volume(self, uuid):
        try:
            return self._b.get_volume(uuid)
        except NessieError as e:
            if e.kind == NessieError.NOT_FOUND and e.resource == "volume":
                return None
            raise

    def get_snapshot(self, vol_uuid, snap_uuid):
        try:
            return self._b.get_snapshot(vol_uuid, snap_uuid)
        except NessieError as e:
            if e.kind == NessieError.NOT_FOUND and e.resource == "snapshot":
                return None
            raise


class Counting:
    """Records which protocol methods the suite called."""

    def __init__(self, inner) -> None:
        self._inner = inner
        self.calls: collections.Counter[str] = collections.Counter()

    def __getattr__(self, name):
        fn = getattr(self._inner, name)

        def call(*args):
            self.calls[name] += 1
            return fn(*args)

        return call


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
def test_mem_backend_passes_the_published_conformance_suite(strict):
    b = MemBackend(strict=strict)
    probe = Counting(ConformanceAdapter(b))
    conformance.run_all(probe)
    # The suite ran every tier through the binding, not a short cut ...
    for method in ("capabilities", "create_volume", "get_volume", "list_volumes", "patch_volume",
                   "access_handle", "delete_volume", "create_snapshot", "list_snapshots",
                   "get_snapshot", "delete_snapshot", "create_clone"):
        assert probe.calls[method] > 0, f"the suite never called {method}"
    # ... cleaned up after itself through it, and left the backend sound.
    assert b.list_volumes() == []
    b.check_invariants()


def test_capabilities_satisfy_the_suites_honesty_check():
    # The suite's Python adapter has no replication tier, so a backend
    # claiming replication fails it (upstream.md §2.8).
    assert MemBackend().capabilities()["replication"] is False


class Renaming(ConformanceAdapter):
    def create_volume(self, name, size_bytes=None):
        v = self._b.create_volume(name, size_bytes)
        return {**v, "name": "WRONG"}


class RaisingGet:
    """The plain MemBackend protocol mismatch: get_volume raises."""

    def __init__(self, backend):
        self._b = backend

    def __getattr__(self, name):
        return getattr(self._b, name)


@pytest.mark.parametrize("broken", [Renaming, RaisingGet])
def test_the_suite_rejects_a_broken_adapter(broken):
    # A control: the run above could not pass by accident.
    with pytest.raises(conformance.ConformanceError):
        conformance.run_all(broken(MemBackend()))
