"""The Python surface: signatures, argument types, stubs, NessieError,
lifetime (close, with, pickling)."""

from __future__ import annotations

import ast
import inspect
import os
import pickle

import pytest

import nessie_backend_mem
from conftest import raises_kind, uniq
from nessie_backend_mem import MemBackend, NessieError

# The text signatures of the PyO3 MemBackend 0.3.1 (__text_signature__).
UPSTREAM = {
    "capabilities": "()",
    "create_volume": "(name, size_bytes=None)",
    "list_volumes": "()",
    "get_volume": "(uuid)",
    "delete_volume": "(uuid)",
    "patch_volume": "(uuid, size_bytes=None, junction_path=None, export_policy=None)",
    "create_snapshot": "(vol_uuid, name)",
    "list_snapshots": "(vol_uuid)",
    "get_snapshot": "(vol_uuid, snap_uuid)",
    "delete_snapshot": "(vol_uuid, snap_uuid)",
    "create_clone": "(parent_vol_uuid, parent_snap_uuid, new_name)",
}


@pytest.mark.parametrize("method", sorted(UPSTREAM))
def test_signatures_match_the_original(method):
    sig = inspect.signature(getattr(MemBackend, method))
    params = list(sig.parameters.values())[1:]  # drop self
    positional = [p for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
    rendered = "(" + ", ".join(
        p.name if p.default is p.empty else f"{p.name}={p.default!r}" for p in positional
    ) + ")"
    assert rendered == UPSTREAM[method]
    # Anything else is a keyword-only addition with a default.
    for p in params:
        if p.kind is not p.POSITIONAL_OR_KEYWORD:
            assert p.kind is p.KEYWORD_ONLY and p.default is None, p


def test_constructor_takes_no_arguments():
    with pytest.raises(TypeError):
        MemBackend(1)  # type: ignore[call-arg]


def test_exports():
    assert nessie_backend_mem.__all__ == ["MemBackend", "NessieError"]
    # The original's extension module path keeps working.
    from nessie_backend_mem._core import MemBackend as M, NessieError as E

    assert (M, E) == (MemBackend, NessieError)


def test_stub_and_marker_are_installed_and_match_the_class():
    pkg = os.path.dirname(nessie_backend_mem.__file__)
    assert os.path.exists(os.path.join(pkg, "py.typed"))
    with open(os.path.join(pkg, "__init__.pyi"), encoding="utf-8") as f:
        tree = ast.parse(f.read())
    (cls,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "MemBackend"]
    stubbed = {
        n.name: [a.arg for a in n.args.args[1:]] + ["*" + a.arg for a in n.args.kwonlyargs]
        for n in cls.body
        if isinstance(n, ast.FunctionDef)
    }
    public = {
        name: [
            ("*" if p.kind is p.KEYWORD_ONLY else "") + p.name
            for p in list(inspect.signature(fn).parameters.values())[1:]
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        ]
        for name, fn in vars(MemBackend).items()
        if callable(fn) and (not name.startswith("_") or name in ("__init__", "__enter__"))
    }
    for name, params in public.items():
        assert stubbed.get(name) == params, name


# Argument types: what PyO3's extraction raised, not NessieError.


@pytest.mark.parametrize(
    "size, exc, message",
    [
        (-1, OverflowError, "can't convert negative int to unsigned"),
        (2**64, OverflowError, "int too big to convert"),
        (1.5, TypeError, "argument 'size_bytes': 'float' object cannot be interpreted as an integer"),
        ("1", TypeError, "argument 'size_bytes': 'str' object cannot be interpreted as an integer"),
        ([], TypeError, "argument 'size_bytes': 'list' object cannot be interpreted as an integer"),
    ],
)
def test_bad_sizes_raise_like_pyo3(b, size, exc, message):
    with pytest.raises(exc) as e:
        b.create_volume(uniq(), size_bytes=size)
    assert str(e.value) == message
    v = b.create_volume(uniq())
    with pytest.raises(exc):
        b.patch_volume(v["uuid"], size_bytes=size)
    assert b.get_volume(v["uuid"])["size_bytes"] is None


def test_int_like_sizes_are_accepted(b):
    class Index:
        def __index__(self):
            return 42

    assert b.create_volume(uniq(), size_bytes=True)["size_bytes"] == 1
    assert b.create_volume(uniq(), size_bytes=Index())["size_bytes"] == 42
    assert b.create_volume(uniq(), size_bytes=2**64 - 1)["size_bytes"] == 2**64 - 1


@pytest.mark.parametrize("bad", [5, None, b"bytes", 1.0])
def test_non_str_names_and_uuids_raise_type_error(b, bad):
    with pytest.raises(TypeError, match="argument 'name'"):
        b.create_volume(bad)
    with pytest.raises(TypeError, match="argument 'uuid'"):
        b.get_volume(bad)
    with pytest.raises(TypeError, match="argument 'vol_uuid'"):
        b.create_snapshot(bad, "s")


def test_str_subclasses_are_accepted(b):
    class Name(str):
        pass

    v = b.create_volume(Name("sub"))
    assert v["name"] == "sub" and type(v["name"]) is str
    got = b.get_volume(Name(v["uuid"]))["uuid"]
    assert got == v["uuid"] and type(got) is str  # results hold plain str only


def test_lone_surrogates_raise_unicode_encode_error(b):
    with pytest.raises(UnicodeEncodeError):
        b.create_volume("bad\udc80name")
    assert b.list_volumes() == []


@pytest.mark.parametrize(
    "name",
    ["ünïcødé", "emoji-😀-𝄞", "quote\"back\\slash", "tab\tnew\nline", "控制", "x" * 255, "é" * 127],
)
def test_names_round_trip_exactly(b, name):
    v = b.create_volume(name)
    assert v["name"] == name
    assert b.get_volume(v["uuid"])["name"] == name
    s = b.create_snapshot(v["uuid"], name)
    assert s["name"] == name
    c = b.create_clone(v["uuid"], s["uuid"], name + "-c" if len(name.encode()) < 250 else "c")
    assert c["clone"]["parent_volume"] == name and c["clone"]["parent_snapshot"] == name


# NessieError.


def test_nessie_error_carries_kind_and_resource(b):
    with pytest.raises(NessieError) as e:
        b.get_volume("00000000-0000-0000-0000-000000000000")
    err = e.value
    assert (err.kind, err.resource) == (NessieError.NOT_FOUND, "volume")
    assert err.args == ("volume 00000000-0000-0000-0000-000000000000 not found",)


def test_nessie_error_pickles_with_its_attributes(b):
    with pytest.raises(NessieError) as e:
        b.get_volume("x")
    back = pickle.loads(pickle.dumps(e.value))
    assert (type(back), back.args, back.kind, back.resource) == (
        NessieError, ('invalid volume uuid "x"',), "invalid_argument", "volume")


def test_nessie_error_can_be_raised_by_users():
    # As in the published package: any arguments, no attributes of ours.
    e = NessieError("mine", 404)
    assert (e.args, str(e), hasattr(e, "kind")) == (("mine", 404), "('mine', 404)", False)
    assert NessieError().args == ()
    assert (NessieError.__module__, NessieError.__qualname__) == ("nessie_backend_mem", "NessieError")


# Lifetime.


def test_close_releases_and_later_calls_raise():
    b = MemBackend()
    b.create_volume("v")
    b.close()
    with raises_kind("invalid_argument") as e:
        b.list_volumes()
    assert "closed" in str(e.value)
    b.close()  # idempotent


def test_context_manager_closes():
    with MemBackend() as b:
        b.create_volume("v")
    with pytest.raises(NessieError):
        b.list_volumes()


def test_backends_do_not_pickle_or_copy():
    import copy

    b = MemBackend()
    with pytest.raises(TypeError):
        pickle.dumps(b)
    with pytest.raises(TypeError):
        copy.copy(b)


def test_the_class_looks_like_the_published_one():
    import weakref

    assert (MemBackend.__module__, MemBackend.__qualname__) == ("builtins", "MemBackend")
    b = MemBackend()
    with pytest.raises(TypeError, match="cannot create weak reference to 'builtins.MemBackend' object"):
        weakref.ref(b)
    with pytest.raises(TypeError, match="not an acceptable base type"):
        type("Sub", (MemBackend,), {})
    with pytest.raises(TypeError, match="MemBackend.__new__\\(\\) got an unexpected keyword argument 'x'"):
        MemBackend(x=1)
