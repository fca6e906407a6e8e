"""The original package's behaviour: its own tests (python/tests/test_smoke.py
of nessie-backend-mem), the mem unit tests of nessie-store, and the dict
shapes and messages its users see."""

from __future__ import annotations

import pytest

from conftest import NIL, raises_kind, uniq
from nessie_backend_mem import MemBackend, NessieError


@pytest.fixture
def b():
    """The mode these rules hold in: default (the published package's)."""
    backend = MemBackend(strict=False)
    yield backend
    backend.check_invariants()
    backend.close()

VOLUME_KEYS = {"uuid", "name", "size_bytes", "state", "style", "vol_type"}


# test_smoke.py of the original, case by case.


def test_volume_lifecycle(b):
    v = b.create_volume("vol1", size_bytes=1024)
    assert v["name"] == "vol1"
    assert v["size_bytes"] == 1024
    assert (v["state"], v["style"], v["vol_type"]) == ("online", "flexvol", "rw")
    assert "clone" not in v
    assert b.get_volume(v["uuid"]) == v
    assert v["uuid"] in [x["uuid"] for x in b.list_volumes()]
    assert b.delete_volume(v["uuid"]) is None
    with pytest.raises(NessieError):
        b.get_volume(v["uuid"])


def test_snapshot_and_clone(b):
    v = b.create_volume("parent")
    s = b.create_snapshot(v["uuid"], "snap1")
    assert s["name"] == "snap1"
    assert s["size_consumed"] == 0
    c = b.create_clone(v["uuid"], s["uuid"], "child")
    assert c["clone"]["parent_volume"] == "parent"
    assert c["clone"]["parent_snapshot"] == "snap1"


def test_capabilities(b):
    caps = b.capabilities()
    assert caps["snapshots"] is True
    assert caps["clones"] is True


def test_errors(b):
    with pytest.raises(NessieError):
        b.get_volume(NIL)
    with pytest.raises(NessieError):
        b.get_volume("not-a-uuid")


# The mem unit tests of the original (crates/nessie-backend-mem/src/lib.rs).


def test_advertises_the_clone_tier_and_not_replication(b):
    assert b.capabilities() == {"snapshots": True, "clones": True, "replication": False}


def test_duplicate_volume_name_is_volume_exists(b):
    b.create_volume("dup")
    with raises_kind("already_exists", "volume") as e:
        b.create_volume("dup", size_bytes=1)
    assert str(e.value) == 'volume "dup" already exists'


def test_name_is_free_again_after_delete(b):
    v = b.create_volume("again")
    b.delete_volume(v["uuid"])
    w = b.create_volume("again")
    assert w["uuid"] != v["uuid"]


def test_resize_is_reflected_in_patch_and_get(b):
    v = b.create_volume(uniq(), size_bytes=1024)
    p = b.patch_volume(v["uuid"], size_bytes=4096)
    assert p["size_bytes"] == 4096
    assert b.get_volume(v["uuid"])["size_bytes"] == 4096
    assert b.patch_volume(v["uuid"], size_bytes=0)["size_bytes"] == 0


def test_junction_path_relative_is_invalid_absolute_is_accepted(b):
    v = b.create_volume(uniq())
    with raises_kind("invalid_argument", "volume") as e:
        b.patch_volume(v["uuid"], junction_path="relative")
    assert str(e.value).startswith("invalid argument: ")
    assert "relative" in str(e.value)
    # accepted and discarded, as the published package did
    assert b.patch_volume(v["uuid"], junction_path="/abs") == b.get_volume(v["uuid"]) == v


def test_duplicate_snapshot_name_is_snapshot_exists(b):
    v = b.create_volume(uniq())
    b.create_snapshot(v["uuid"], "s")
    with raises_kind("already_exists", "snapshot") as e:
        b.create_snapshot(v["uuid"], "s")
    assert str(e.value) == f'snapshot "s" already exists on volume {v["uuid"]}'


def test_deleting_a_volume_cascades_to_its_snapshots(b):
    v = b.create_volume(uniq())
    b.create_snapshot(v["uuid"], "s1")
    b.create_snapshot(v["uuid"], "s2")
    b.delete_volume(v["uuid"])
    with raises_kind("not_found", "volume"):
        b.list_snapshots(v["uuid"])


def test_clone_records_origin_names(b):
    v = b.create_volume("origin-vol", size_bytes=7)
    s = b.create_snapshot(v["uuid"], "origin-snap")
    c = b.create_clone(v["uuid"], s["uuid"], uniq("clone"))
    assert (c["clone"]["parent_volume"], c["clone"]["parent_snapshot"]) == ("origin-vol", "origin-snap")
    assert b.get_volume(c["uuid"])["clone"] == c["clone"]


# Shapes and messages.


def test_volume_dict_shape(b):
    unlimited = b.create_volume(uniq())
    assert VOLUME_KEYS <= unlimited.keys()
    assert unlimited["size_bytes"] is None  # the key is always present
    limited = b.create_volume(uniq(), 2**40)
    assert limited["size_bytes"] == 2**40
    assert isinstance(limited["uuid"], str) and len(limited["uuid"]) == 36


def test_snapshot_dict_shape(b):
    v = b.create_volume(uniq())
    s = b.create_snapshot(v["uuid"], "s")
    assert {"uuid", "name", "size_consumed"} <= s.keys()
    assert b.list_snapshots(v["uuid"]) == [s]
    assert b.get_snapshot(v["uuid"], s["uuid"]) == s


def test_sizes_up_to_2_pow_64_minus_1_round_trip(b):
    for n in (0, 1, 2**31 - 1, 2**31, 2**32, 50 * 2**30, 2**63, 2**64 - 1):
        v = b.create_volume(uniq(), size_bytes=n)
        assert v["size_bytes"] == n
        assert b.get_volume(v["uuid"])["size_bytes"] == n


def test_not_found_messages(b):
    with raises_kind("not_found", "volume") as e:
        b.get_volume(NIL)
    assert str(e.value) == f"volume {NIL} not found"
    v = b.create_volume(uniq())
    with raises_kind("not_found", "snapshot") as e:
        b.get_snapshot(v["uuid"], NIL)
    assert str(e.value) == f"snapshot {NIL} not found on volume {v['uuid']}"
    with raises_kind("not_found", "volume"):
        b.delete_volume(NIL)
    with raises_kind("not_found", "volume"):
        b.create_snapshot(NIL, "s")


@pytest.mark.parametrize("bad", ["x", "not-a-uuid", "", "0000", NIL + "0", "g" * 32])
def test_malformed_uuids_raise_nessie_error(b, bad):
    with raises_kind("invalid_argument", "volume") as e:
        b.get_volume(bad)
    assert str(e.value) == f'invalid volume uuid "{bad}"'
    v = b.create_volume(uniq())
    with raises_kind("invalid_argument", "snapshot") as e:
        b.get_snapshot(v["uuid"], bad)
    assert str(e.value) == f'invalid snapshot uuid "{bad}"'
    with raises_kind("invalid_argument", "snapshot"):
        b.create_clone(v["uuid"], bad, uniq())
    with raises_kind("invalid_argument", "volume"):
        b.create_clone(bad, NIL, uniq())


def test_uuid_spellings_the_original_accepted(b):
    v = b.create_volume(uniq())
    u = v["uuid"]
    for spelling in (u.upper(), "{" + u + "}", "urn:uuid:" + u, u.replace("-", "")):
        assert b.get_volume(spelling) == v


def test_nessie_error_is_an_exception_with_the_message_as_its_only_arg(b):
    assert issubclass(NessieError, Exception)
    with pytest.raises(NessieError) as e:
        b.get_volume("x")
    assert e.value.args == ('invalid volume uuid "x"',)


def test_each_backend_is_independent():
    a, c = MemBackend(), MemBackend()
    v = a.create_volume("same-name")
    c.create_volume("same-name")  # no collision across backends
    with raises_kind("not_found", "volume"):
        c.get_volume(v["uuid"])
    assert len(a.list_volumes()) == len(c.list_volumes()) == 1


# What issue 12 found broken against the published package, case by case.


@pytest.mark.parametrize("name", ["", "a/b", "nul\0byte", "x" * 300, "e\u0301"])
def test_names_are_not_validated_but_stay_unique(b, name):
    v = b.create_volume(name)
    assert v["name"] == name
    with pytest.raises(NessieError) as e:
        b.create_volume(name)
    assert str(e.value) == "volume %s already exists" % _rust_debug(name)
    s = b.create_snapshot(v["uuid"], name)
    assert s == {"uuid": s["uuid"], "name": name, "size_consumed": 0}
    c = b.create_clone(v["uuid"], s["uuid"], name + "-clone")
    assert c["clone"] == {"parent_volume": name, "parent_snapshot": name}


def _rust_debug(s: str) -> str:
    # the cases above only: quotes, NUL, a combining mark
    out = s.replace("\\", "\\\\").replace('"', '\\"').replace("\0", "\\0").replace("\u0301", "\\u{301}")
    return '"' + out + '"'


def test_cleanup_that_deletes_parents_first_works(b):
    v = b.create_volume("parent", 100)
    s = b.create_snapshot(v["uuid"], "snap")
    c = b.create_clone(v["uuid"], s["uuid"], "child")
    b.delete_snapshot(v["uuid"], s["uuid"])  # a clone depends on it: allowed
    b.delete_volume(v["uuid"])  # the parent of a clone: allowed
    # the clone keeps the origin names it had
    assert b.get_volume(c["uuid"]) == c
    assert c["clone"] == {"parent_volume": "parent", "parent_snapshot": "snap"}
    b.delete_volume(c["uuid"])
    assert b.list_volumes() == []
    b.create_volume("parent")  # every name is free again


def test_clone_takes_the_parents_current_size(b):
    v = b.create_volume("grow", 100)
    s = b.create_snapshot(v["uuid"], "at-100")
    b.patch_volume(v["uuid"], size_bytes=500)
    assert b.create_clone(v["uuid"], s["uuid"], "c")["size_bytes"] == 500


def test_dicts_compare_equal_to_the_published_shapes(b):
    v = b.create_volume("eq", 1024)
    assert v == {"uuid": v["uuid"], "name": "eq", "size_bytes": 1024, "state": "online",
                 "style": "flexvol", "vol_type": "rw"}
    assert list(v) == ["uuid", "name", "size_bytes", "state", "style", "vol_type"]
    s = b.create_snapshot(v["uuid"], "s")
    assert list(s) == ["uuid", "name", "size_consumed"]
    c = b.create_clone(v["uuid"], s["uuid"], "c")
    assert list(c) == ["uuid", "name", "size_bytes", "state", "style", "vol_type", "clone"]
    assert b.patch_volume(v["uuid"], junction_path="/eq", export_policy="p") == v


def test_empty_junction_path_is_refused_with_the_published_message(b):
    v = b.create_volume("j")
    with pytest.raises(NessieError) as e:
        b.patch_volume(v["uuid"], junction_path="")
    assert str(e.value) == "invalid argument: nas.path must start with '/' (got \"\")"


def test_wrong_calls_raise_pyo3s_type_errors(b):
    with pytest.raises(TypeError) as e:
        b.get_volume("x", 1)
    assert str(e.value) == "MemBackend.get_volume() takes 1 positional arguments but 2 were given"
    with pytest.raises(TypeError) as e:
        b.create_clone("a")
    assert str(e.value) == ("MemBackend.create_clone() missing 2 required positional arguments: "
                            "'parent_snap_uuid' and 'new_name'")
    with pytest.raises(UnicodeEncodeError):
        b.get_volume("\ud800")
