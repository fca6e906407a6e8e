"""The compiled fast path (nessie_backend_mem._fast), where it is built
(test_abi.py checks that it is wherever it can be): that it decodes replies exactly as marshal does
and refuses malformed ones without crashing, that what it declines takes
the ctypes path with the same outcome, and that a call made from a
finalizer in the middle of another call's decoding cannot corrupt it."""

from __future__ import annotations

import gc
import marshal
import os
import random
import subprocess
import sys

import pytest

from conftest import uniq
from nessie_backend_mem import MemBackend, NessieError, _core, _lib


fast = pytest.importorskip("nessie_backend_mem._fast", reason="the fast path is not built")


def sample() -> bytes:
    return _lib.module_call(b'["sample","marshal"]', bytes)


def test_decode_matches_marshal_on_the_sample():
    raw = sample()
    assert fast.decode(raw) == marshal.loads(raw) == _lib.module_call(b'["sample","json"]')


def test_decode_refuses_every_truncation_and_trailing_bytes():
    raw = sample()
    for n in range(len(raw)):
        with pytest.raises(ValueError):
            fast.decode(raw[:n])
    with pytest.raises(ValueError):
        fast.decode(raw + b"N")


def test_decode_of_junk_is_marshal_or_value_error():
    rng = random.Random(7)
    raw = sample()
    codes = b"0NTFilzZur{[" + bytes([ord("z") | 0x80, ord("r") | 0x80, ord("{") | 0x80])
    for _ in range(20000):
        data = bytearray(raw[: rng.randrange(len(raw))])
        for _ in range(rng.randrange(1, 4)):
            if data:
                data[rng.randrange(len(data))] = rng.choice(codes + bytes([rng.randrange(256)]))
        data = bytes(data)
        try:
            got = fast.decode(data)
        except (ValueError, TypeError):  # TypeError: a dict as a key, as marshal
            continue
        assert got == marshal.loads(data), data


def test_decode_bounds_nesting_and_references():
    with pytest.raises(ValueError):
        fast.decode(b"[\x01\x00\x00\x00" * 20 + b"N")
    with pytest.raises(ValueError):
        fast.decode(b"r\x00\x00\x00\x00")  # a reference to nothing
    assert fast.decode(b"[\x02\x00\x00\x00\xda\x01xr\x00\x00\x00\x00") == ["x", "x"]


def test_call_refuses_a_wrong_op_or_arity_and_declines_a_closed_backend():
    b = MemBackend()
    with pytest.raises(ValueError):
        fast.call(b._fh, 999)
    with pytest.raises(TypeError):
        fast.call(b._fh, _lib.OP["get_volume"])  # one argument missing
    assert fast.call(None, _lib.OP["capabilities"]) is fast.FALLBACK


ODD_ARGUMENTS = [
    ("create_volume", ("n", True)),
    ("create_volume", ("n", -1)),
    ("create_volume", ("n", 2**64)),
    ("create_volume", ("n", 2**64 - 1)),
    ("create_volume", ("n", 1.0)),
    ("create_volume", ("n", "1")),
    ("create_volume", (None,)),
    ("create_volume", (7,)),
    ("create_volume", ("bad\udc80name",)),
    ("create_volume", ("ok-\U0001f600",)),
    ("create_volume", ("nul\x00",)),
    ("get_volume", (type("S", (str,), {})("00000000-0000-0000-0000-000000000000"),)),
    ("get_volume", ("\udc80",)),
    ("get_volume", (b"00000000-0000-0000-0000-000000000000",)),
    ("get_volume", (None,)),
    ("get_snapshot", ("00000000-0000-0000-0000-000000000000", 5)),
    ("patch_volume", ("00000000-0000-0000-0000-000000000000", None, 5)),
]


def outcome(b: MemBackend, method: str, args: tuple) -> tuple:
    try:
        r = getattr(b, method)(*args)
    except (NessieError, TypeError, OverflowError, UnicodeError) as e:
        return type(e).__name__, str(e), getattr(e, "kind", None)
    if isinstance(r, dict):
        r = {k: v for k, v in r.items() if k not in ("uuid", "create_time")}
    return "ok", r


@pytest.mark.parametrize("method,args", ODD_ARGUMENTS)
def test_what_the_fast_path_declines_ends_as_on_the_ctypes_path(method, args):
    fast_b, slow_b = MemBackend(), MemBackend._with_encoding("json")
    assert fast_b._fh is not None and slow_b._fh is None
    assert outcome(fast_b, method, args) == outcome(slow_b, method, args)


def test_capabilities_are_a_fresh_dict_each_time_and_fail_once_closed():
    b = MemBackend()
    first = b.capabilities()
    first["replication"] = True
    assert b.capabilities() == {"snapshots": True, "clones": True, "replication": False}
    assert b.capabilities() is not b.capabilities()
    b.close()
    with pytest.raises(NessieError, match="closed"):
        b.capabilities()


class _Reentrant:
    """Garbage whose finalizer calls the backend: collected when a
    reply's decoding allocates, it makes a call inside another call."""

    __slots__ = ("me", "__weakref__")
    calls: list = []
    state: dict = {}

    def __del__(self) -> None:
        s = _Reentrant.state
        got = s["b"].get_volume(s["inner"])
        _Reentrant.calls.append((s["active"], got["name"]))


def test_a_call_from_a_finalizer_during_decoding_corrupts_nothing(b):
    outer = b.create_volume(uniq("outer-" + "o" * 60), 1 << 30, comment="c" * 200)
    inner = b.create_volume(uniq("inner"), 7)
    state = _Reentrant.state
    state.update(b=b, inner=inner["uuid"], active=False)
    _Reentrant.calls.clear()
    thresholds = gc.get_threshold()
    gc.set_threshold(1, 1000, 1000)
    try:
        for _ in range(200):
            # Empty the dict free list, so that the reply's dict comes
            # from the collector's allocator, which collects first.
            hold = [{} for _ in range(200)]
            r = _Reentrant()
            r.me = r  # a cycle: only the collector frees it
            del r
            state["active"] = True
            got = b.get_volume(outer["uuid"])
            state["active"] = False
            del hold
            assert got == outer
    finally:
        gc.set_threshold(*thresholds)
        gc.collect()
    during = [name for active, name in _Reentrant.calls if active]
    assert during, "no finalizer ran inside a call: the test exercised nothing"
    assert all(name == inner["name"] for _, name in _Reentrant.calls)


def test_the_package_works_with_the_fast_path_disabled():
    code = (
        "from nessie_backend_mem import MemBackend, _core\n"
        "assert _core._fast is None\n"
        "b = MemBackend(); v = b.create_volume('v', 5)\n"
        "assert b.get_volume(v['uuid'])['size_bytes'] == 5\n"
        "print('ok')\n"
    )
    env = dict(os.environ, NESSIE_BACKEND_MEM_FAST="0")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "ok", out.stderr
