"""Shared fixtures: a fresh backend per test, in each mode."""

from __future__ import annotations

import itertools
import uuid as uuidlib
from collections.abc import Iterator

import pytest

from nessie_backend_mem import MemBackend, NessieError

MODES = ["default", "strict"]


@pytest.fixture(params=MODES)
def b(request: pytest.FixtureRequest) -> Iterator[MemBackend]:
    """A fresh backend, once per mode; its invariants must hold when the
    test is done. Modules whose rules hold in one mode only override it."""
    backend = MemBackend(strict=request.param == "strict")
    yield backend
    backend.check_invariants()
    backend.close()


_counter = itertools.count()


def uniq(prefix: str = "v") -> str:
    """A name no other test uses."""
    return f"{prefix}-{next(_counter)}-{uuidlib.uuid4().hex[:8]}"


NIL = "00000000-0000-0000-0000-000000000000"


def raises_kind(kind: str, resource: str | None = None):
    """pytest.raises(NessieError) that also checks kind (and resource)."""

    class _Check:
        def __enter__(self):
            self._cm = pytest.raises(NessieError)
            self.info = self._cm.__enter__()
            return self.info

        def __exit__(self, *exc):
            suppressed = self._cm.__exit__(*exc)
            e = self.info.value
            assert e.kind == kind, f"kind {e.kind!r}, want {kind!r}: {e}"
            if resource is not None:
                assert e.resource == resource, f"resource {e.resource!r}, want {resource!r}: {e}"
            return suppressed

    return _Check()
