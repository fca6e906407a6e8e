"""save() and load(): the whole state as a nessie fixture file (fixture/v1),
the format `nessie serve --load` reads, in both modes."""

from __future__ import annotations

import json
import pathlib

import pytest

from conftest import raises_kind, uniq
from nessie_backend_mem import MemBackend, NessieError

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "fixture" / "example.yaml"


def _build(b: MemBackend):
    v = b.create_volume(uniq(), 1 << 30)
    s = b.create_snapshot(v["uuid"], "daily")
    c = b.create_clone(v["uuid"], s["uuid"], uniq("c"))
    other = b.create_volume(uniq(), None)
    return v, s, c, other


def test_save_then_load_gives_back_every_object(b, tmp_path):
    v, s, c, other = _build(b)
    path = tmp_path / "state.yaml"
    b.save(path)
    text = path.read_text(encoding="utf-8")
    assert "nessie: fixture/v1" in text and v["uuid"] in text
    fresh = MemBackend(strict=b.strict)
    fresh.create_volume(uniq("leftover"))
    fresh.load(path)
    assert sorted(map(repr, fresh.list_volumes())) == sorted(map(repr, b.list_volumes()))
    assert fresh.get_volume(c["uuid"]) == b.get_volume(c["uuid"])
    assert fresh.list_snapshots(v["uuid"]) == b.list_snapshots(v["uuid"])
    fresh.check_invariants()
    # Saving the loaded state writes the same file.
    again = tmp_path / "again.yaml"
    fresh.save(str(again))
    assert again.read_text(encoding="utf-8") == text
    fresh.close()


def test_load_replaces_the_state_and_the_rules_hold(b, tmp_path):
    v, s, c, other = _build(b)
    b.save(tmp_path / "state.yaml")
    extra = b.create_volume(uniq("extra"))
    b.delete_volume(other["uuid"])
    b.load(tmp_path / "state.yaml")
    assert {x["uuid"] for x in b.list_volumes()} == {v["uuid"], c["uuid"], other["uuid"]}
    with raises_kind("not_found", "volume"):
        b.get_volume(extra["uuid"])
    with raises_kind("already_exists", "volume"):
        b.create_volume(v["name"])
    b.create_volume(extra["name"])  # free again
    clone2 = b.create_clone(v["uuid"], s["uuid"], uniq("c2"))
    assert clone2["clone"]["parent_volume"] == v["name"]


def test_strict_load_keeps_dependencies(tmp_path):
    b = MemBackend(strict=True)
    v, s, c, _ = _build(b)
    b.save(tmp_path / "s.yaml")
    b.load(tmp_path / "s.yaml")
    with raises_kind("in_use", "snapshot"):
        b.delete_snapshot(v["uuid"], s["uuid"])
    with raises_kind("in_use", "volume"):
        b.delete_volume(v["uuid"])
    assert b.get_volume(c["uuid"])["create_time"] == c["create_time"]
    b.close()


def test_the_example_fixture_loads_with_its_uuids(b):
    b.load(EXAMPLE)
    vol = b.get_volume("6f1c7e2a-3b4d-4c5e-8f90-a1b2c3d4e5f6")
    assert vol["name"] == "build_cache" and vol["size_bytes"] == 50 * 2**30
    (snap,) = b.list_snapshots(vol["uuid"])
    assert snap["uuid"] == "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    clones = [v for v in b.list_volumes() if v["name"] == "build_cache_pr1234"]
    assert clones[0]["clone"]["parent_snapshot"] == "pre_build"


def test_objects_are_kept_through_load_and_save(b, tmp_path):
    # MemBackend has no ONTAP objects, but a fixture's objects section
    # (and origin) come back, as loaded, from the next save.
    b.load(EXAMPLE)
    out = tmp_path / "out.yaml"
    b.save(out)
    text = out.read_text(encoding="utf-8")
    for want in ("objects:", "protocols/nfs/export-policies:", "name: builders", "match: 10.0.0.0/8",
                 "name: /vol/block/lun0", "logical_unit_number: 0", "ci_hosts"):
        assert want in text, want
    b.load(out)
    again = tmp_path / "again.yaml"
    b.save(again)
    assert again.read_text(encoding="utf-8") == text
    # A fixture without objects saves without them.
    plain = tmp_path / "plain.yaml"
    plain.write_text("nessie: fixture/v1\nvolumes: []\n", encoding="utf-8")
    b.load(plain)
    b.save(out)
    assert "objects" not in out.read_text(encoding="utf-8")


def test_a_bad_objects_section_changes_nothing(b, tmp_path):
    v = b.create_volume(uniq())
    bad = tmp_path / "bad.yaml"
    bad.write_text("nessie: fixture/v1\nobjects:\n  storage/qtrees:\n    - 7\n", encoding="utf-8")
    with raises_kind("invalid_argument") as info:
        b.load(bad)
    assert "bad.yaml:4" in str(info.value)
    assert b.list_volumes() == [v]


def test_json_fixtures_load(b, tmp_path):
    doc = {"nessie": "fixture/v1", "volumes": [{"name": "j", "uuid": "11111111-1111-4111-8111-111111111111", "size": 4096}]}
    path = tmp_path / "f.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    b.load(path)
    assert b.get_volume("11111111-1111-4111-8111-111111111111")["size_bytes"] == 4096


def test_bad_fixtures_change_nothing(b, tmp_path):
    v = b.create_volume(uniq())
    before = b.list_volumes()
    bad = tmp_path / "bad.yaml"
    bad.write_text("nessie: fixture/v1\nvolumes:\n  - name: a\n    state: melted\n", encoding="utf-8")
    with raises_kind("invalid_argument") as info:
        b.load(bad)
    assert "bad.yaml:4" in str(info.value) and "state" in str(info.value)
    with pytest.raises(FileNotFoundError):
        b.load(tmp_path / "missing.yaml")
    with pytest.raises(TypeError):
        b.load(3)
    with pytest.raises(IsADirectoryError):
        b.save(tmp_path)
    assert b.list_volumes() == before
    assert b.get_volume(v["uuid"]) == v


def test_default_mode_refuses_to_save_names_the_format_cannot_hold(tmp_path):
    b = MemBackend()
    b.create_volume("a/b")
    with raises_kind("invalid_argument") as info:
        b.save(tmp_path / "x.yaml")
    assert "a/b" in str(info.value)
    assert not (tmp_path / "x.yaml").exists()
    b.close()


def test_closed_backend_raises(tmp_path):
    b = MemBackend()
    b.close()
    with pytest.raises(NessieError):
        b.save(tmp_path / "x.yaml")
    with pytest.raises(NessieError):
        b.load(EXAMPLE)
