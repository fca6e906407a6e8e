"""The C ABI driven through ctypes, below MemBackend: handles, the reply
buffer protocol, both encodings, and failures that must not crash."""

from __future__ import annotations

import ctypes
import importlib.util
import json
import marshal
import os
import struct
import sysconfig

import pytest

from conftest import uniq
from nessie_backend_mem import MemBackend, NessieError, _core, _lib


def raw_call(handle: int, request: bytes, cap: int = 4096):
    """nessie_call with a fresh buffer: (r, reply bytes, ok) following the
    overflow protocol."""
    buf = ctypes.create_string_buffer(cap)
    r = _lib.LIB.nessie_call(handle, request, ctypes.addressof(buf), cap)
    if r > 0:
        return r, buf.raw[:r], True
    if r < 0 and r != -(2**63):
        return r, buf.raw[:-r], False
    if r == 0:
        ptr, n, status = struct.unpack_from("=QQQ", buf.raw)
        data = ctypes.string_at(ptr, n)
        _lib.LIB.nessie_free(ptr)
        return r, data, status == 0
    return r, b"", False


@pytest.fixture
def handle():
    h = _lib.open_handle("json")
    yield h
    _lib.close_handle(h)


def test_the_package_uses_the_marshal_fast_path_here():
    if os.environ.get("NESSIE_BACKEND_MEM_ENCODING"):
        pytest.fail("NESSIE_BACKEND_MEM_ENCODING is set; unset it to test the default")
    assert _lib.ENCODING == "marshal"


def test_the_fast_path_is_built_and_used_where_headers_exist():
    if os.environ.get("NESSIE_BACKEND_MEM_FAST") == "0" or os.environ.get("NESSIE_BACKEND_MEM_NO_EXT"):
        pytest.fail("unset NESSIE_BACKEND_MEM_FAST / NESSIE_BACKEND_MEM_NO_EXT to test the default")
    headers = os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h"))
    built = importlib.util.find_spec("nessie_backend_mem._fast") is not None
    assert built == headers, f"Python.h present: {headers}, extension built: {built}"
    assert (_core._fast is not None) == built
    assert (MemBackend()._fh is not None) == built
    assert MemBackend._with_encoding("json")._fh is None  # JSON replies: ctypes


def test_the_sample_decodes_alike_in_both_encodings():
    _, m, ok1 = raw_call(0, b'["sample","marshal"]')
    _, j, ok2 = raw_call(0, b'["sample","json"]')
    assert ok1 and ok2
    assert marshal.loads(m) == json.loads(j)
    assert len(json.loads(j)[0]) == 3  # three volumes: the sample is not empty


def test_version_reports_the_abi_the_package_expects():
    _, out, ok = raw_call(0, b'["version"]')
    assert ok and json.loads(out)["abi"] == _lib.ABI_VERSION


def test_closed_and_unknown_handles_fail_without_crashing(handle):
    h = _lib.open_handle("json")
    assert _lib.LIB.nessie_close(h) == 0
    for bad in (h, 987654321, 2**63):
        _, out, ok = raw_call(bad, b'["list_volumes"]')
        assert not ok and "closed" in json.loads(out)["message"]
    assert _lib.LIB.nessie_close(h) == -1
    assert _lib.LIB.nessie_close(0) == -1
    assert _lib.LIB.nessie_close(424242) == -1


def test_bad_requests_are_invalid_argument(handle):
    for req in (b"", b"[", b"{}", b'["get_volume"]', b'["nope"]', b'["create_volume",1]', b"\xff\xfe"):
        _, out, ok = raw_call(handle, req)
        assert not ok
        assert json.loads(out)["kind"] == "invalid_argument", req


def test_a_buffer_below_the_minimum_is_refused(handle):
    r, _, _ = raw_call(handle, b'["capabilities"]', cap=16)
    assert r == -(2**63)


def test_open_rejects_a_bad_config():
    err = ctypes.create_string_buffer(256)
    assert _lib.LIB.nessie_open(b'{"encoding":"xml"}', err, len(err)) == 0
    assert b"xml" in err.value
    with pytest.raises(RuntimeError, match="encoding"):
        _lib.open_handle("yaml")


@pytest.mark.parametrize("encoding", ["json", "marshal"])
def test_replies_larger_than_the_buffer_take_the_overflow_path(encoding):
    b = MemBackend._with_encoding(encoding)
    names = {f"{uniq()}-{'é' * 40}" for _ in range(800)}
    for n in names:
        b.create_volume(n, 2**40)
    listed = b.list_volumes()  # far beyond the 64 KiB per-thread buffer
    assert {v["name"] for v in listed} == names
    big = "x" * 200_000
    with pytest.raises(NessieError) as e:  # a failure that overflows too
        b.get_volume(big)
    assert str(e.value) == f'invalid volume uuid "{big}"'
    b.close()


def test_both_encodings_return_equal_results_for_one_backend():
    # One Go backend is not shareable between handles, so replay the same
    # script on two backends and compare everything but IDs and times.
    def script(b):
        v = b.create_volume("p", 2**33, junction_path="/p", comment="c" * 300)
        s = b.create_snapshot(v["uuid"], "s-ü")
        c = b.create_clone(v["uuid"], s["uuid"], "c")
        b.patch_volume(c["uuid"], state="restricted")
        return [b.capabilities(), b.list_volumes(), b.list_snapshots(v["uuid"]),
                b.access_handle(v["uuid"]), b.get_volume(c["uuid"])]

    def scrub(x):
        if isinstance(x, dict):
            return {k: scrub(v) for k, v in x.items() if "uuid" not in k and k != "create_time"}
        if isinstance(x, list):
            return sorted((scrub(v) for v in x), key=repr)
        return x

    j = scrub(script(MemBackend._with_encoding("json")))
    m = scrub(script(MemBackend._with_encoding("marshal")))
    assert j == m


def test_a_fresh_thread_gets_a_buffer_on_its_first_call(handle):
    import threading

    got = []
    t = threading.Thread(target=lambda: got.append(_lib.LIB.nessie_call_tls(handle, b'["capabilities"]')))
    t.start()
    t.join()
    assert got[0] > 0


def test_each_os_thread_has_its_own_buffer():
    import threading

    b = MemBackend()
    v = b.create_volume("shared")
    here = threading.Barrier(4)
    addrs = []

    def worker(i):
        first = _lib.LIB.nessie_thread_buffer(None)
        here.wait()  # all four threads alive at once
        for _ in range(200):  # replies never cross between threads
            assert b.get_volume(v["uuid"]) == v
            assert b.capabilities()["clones"] is True
        assert _lib.LIB.nessie_thread_buffer(None) == first
        addrs.append(first)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(addrs)) == 4
