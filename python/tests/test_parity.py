"""Parity with backendtest, the Go conformance suite: its cases that the
Python API can express, named after them (Volume/Create/... becomes
TestVolumeCreate.test_...), asserting the same rules through the binding.

Not mirrored: the Context cases (Python calls carry no context), the
Replication cases (the binding exposes no replication), and patching a size
back to unlimited (None means "unchanged" in patch_volume's signature).
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest

from conftest import NIL, raises_kind, uniq
from nessie_backend_mem import MemBackend


@pytest.fixture
def b():
    """The mode these rules hold in: strict."""
    backend = MemBackend(strict=True)
    yield backend
    backend.check_invariants()
    backend.close()

BAD_NAMES = ["", "has/slash", "has\x00nul", "x" * 256]


def parse_time(s: str) -> datetime:
    # RFC 3339 with up to nanoseconds; datetime keeps microseconds.
    head, _, frac = s.rstrip("Z").partition(".")
    t = datetime.fromisoformat(head).replace(tzinfo=timezone.utc)
    assert s.endswith("Z"), f"{s} is not UTC"
    return t


def world(b):
    """Everything observable, to check that a failed call changed nothing."""
    return sorted(
        (v["uuid"], tuple(sorted((k, repr(x)) for k, x in v.items())),
         tuple(s["uuid"] + s["name"] for s in b.list_snapshots(v["uuid"])))
        for v in b.list_volumes()
    )


class TestVolumeLifecycle:
    def test_create_get_list_patch_access_delete(self, b):
        name = uniq()
        v = b.create_volume(name, 1 << 30)
        assert v["name"] == name
        assert b.get_volume(v["uuid"]) == v
        assert v["uuid"] in {x["uuid"] for x in b.list_volumes()}
        b.patch_volume(v["uuid"], size_bytes=2 << 30)
        assert b.get_volume(v["uuid"])["size_bytes"] == 2 << 30
        assert b.access_handle(v["uuid"])["kind"] == "in_memory"
        b.delete_volume(v["uuid"])
        with raises_kind("not_found", "volume"):
            b.get_volume(v["uuid"])
        assert v["uuid"] not in {x["uuid"] for x in b.list_volumes()}


class TestVolumeGet:
    def test_unknown_id_is_volume_not_found(self, b):
        import uuid

        for u in (str(uuid.uuid4()), NIL):
            with raises_kind("not_found", "volume"):
                b.get_volume(u)


class TestVolumeCreate:
    def test_returns_the_full_stored_volume(self, b):
        before = datetime.now(timezone.utc).replace(microsecond=0)
        v = b.create_volume(uniq(), 5, junction_path="/j", export_policy="pol", comment="note")
        assert (v["state"], v["style"], v["vol_type"]) == ("online", "flexvol", "rw")
        assert (v["size_bytes"], v["junction_path"], v["export_policy"], v["comment"]) == (5, "/j", "pol", "note")
        assert "clone" not in v
        assert parse_time(v["create_time"]) >= before
        assert b.get_volume(v["uuid"]) == v
        assert [x for x in b.list_volumes() if x["uuid"] == v["uuid"]] == [v]

    def test_name_only_spec_is_unlimited_and_unmounted(self, b):
        v = b.create_volume(uniq())
        assert v["size_bytes"] is None
        assert not {"junction_path", "export_policy", "comment", "clone"} & v.keys()

    def test_zero_size_is_limited_not_unlimited(self, b):
        v = b.create_volume(uniq(), 0)
        assert v["size_bytes"] == 0
        assert b.get_volume(v["uuid"])["size_bytes"] == 0

    def test_duplicate_name_is_already_exists(self, b):
        name = uniq()
        b.create_volume(name, 1)
        before = world(b)
        with raises_kind("already_exists", "volume"):
            b.create_volume(name, 2)
        assert world(b) == before

    @pytest.mark.parametrize("name", BAD_NAMES)
    def test_invalid_name_is_invalid_argument(self, b, name):
        with raises_kind("invalid_argument"):
            b.create_volume(name)
        assert b.list_volumes() == []

    @pytest.mark.parametrize("field", ["junction_path", "export_policy", "comment"])
    def test_invalid_field_is_invalid_argument(self, b, field):
        bad = {"junction_path": "relative", "export_policy": "x" * 256, "comment": "y" * 1024}[field]
        with raises_kind("invalid_argument"):
            b.create_volume(uniq(), **{field: bad})
        assert b.list_volumes() == []

    def test_repeated_create_delete_cycles_of_one_name_behave_alike(self, b):
        ids = set()
        for _ in range(5):
            v = b.create_volume("cycle", 9)
            assert (v["name"], v["size_bytes"]) == ("cycle", 9)
            ids.add(v["uuid"])
            b.delete_volume(v["uuid"])
        assert len(ids) == 5 and b.list_volumes() == []


class TestVolumeDelete:
    def test_unknown_or_deleted_volume_is_volume_not_found(self, b):
        v = b.create_volume(uniq())
        b.delete_volume(v["uuid"])
        for u in (v["uuid"], NIL):
            with raises_kind("not_found", "volume"):
                b.delete_volume(u)

    def test_leaves_other_volumes_untouched(self, b):
        keep = [b.create_volume(uniq(), i) for i in range(3)]
        gone = b.create_volume(uniq())
        b.delete_volume(gone["uuid"])
        assert sorted(b.list_volumes(), key=lambda v: v["uuid"]) == sorted(keep, key=lambda v: v["uuid"])


class TestVolumePatch:
    def test_every_field_is_stored_and_read_back(self, b):
        v = b.create_volume(uniq(), 1)
        name = uniq("renamed")
        p = b.patch_volume(v["uuid"], 2, "/m", "pol", name=name, comment="c")
        assert (p["name"], p["size_bytes"], p["junction_path"], p["export_policy"], p["comment"]) == (
            name, 2, "/m", "pol", "c")
        assert b.get_volume(v["uuid"]) == p

    def test_rename_frees_the_old_name(self, b):
        old = uniq()
        v = b.create_volume(old)
        b.rename_volume(v["uuid"], uniq())
        assert b.create_volume(old)["name"] == old

    def test_rename_to_its_own_name_succeeds(self, b):
        v = b.create_volume(uniq())
        assert b.rename_volume(v["uuid"], v["name"]) == v

    def test_rename_onto_another_volume_is_already_exists(self, b):
        a, c = b.create_volume(uniq()), b.create_volume(uniq())
        with raises_kind("already_exists", "volume"):
            b.rename_volume(a["uuid"], c["name"])
        assert b.get_volume(a["uuid"]) == a

    def test_size_is_stored_including_zero(self, b):
        v = b.create_volume(uniq())
        for n in (0, 1, 2**64 - 1):
            assert b.patch_volume(v["uuid"], size_bytes=n)["size_bytes"] == n
            assert b.get_volume(v["uuid"])["size_bytes"] == n

    def test_state_is_stored(self, b):
        v = b.create_volume(uniq())
        for state in ("offline", "restricted", "online"):
            assert b.patch_volume(v["uuid"], state=state)["state"] == state
            assert b.get_volume(v["uuid"])["state"] == state

    def test_junction_path_is_stored_and_empty_unmounts(self, b):
        v = b.create_volume(uniq())
        assert b.patch_volume(v["uuid"], junction_path="/mnt/x")["junction_path"] == "/mnt/x"
        assert "junction_path" not in b.patch_volume(v["uuid"], junction_path="")

    def test_export_policy_and_comment_are_stored(self, b):
        v = b.create_volume(uniq())
        p = b.patch_volume(v["uuid"], export_policy="ünï", comment="before the upgrade, ünïcödé")
        assert (p["export_policy"], p["comment"]) == ("ünï", "before the upgrade, ünïcödé")
        assert "comment" not in b.patch_volume(v["uuid"], comment="")

    def test_junction_path_must_start_with_slash(self, b):
        v = b.create_volume(uniq())
        with raises_kind("invalid_argument", "volume"):
            b.patch_volume(v["uuid"], junction_path="mnt")
        assert b.get_volume(v["uuid"]) == v

    @pytest.mark.parametrize(
        "patch",
        [{"name": ""}, {"name": "a/b"}, {"state": "sideways"}, {"junction_path": "rel"},
         {"export_policy": "x" * 256}, {"comment": "c" * 1024}],
    )
    def test_invalid_patch_is_invalid_argument_and_changes_nothing(self, b, patch):
        v = b.create_volume(uniq(), 1)
        with raises_kind("invalid_argument"):
            b.patch_volume(v["uuid"], size_bytes=2, **patch)
        assert b.get_volume(v["uuid"]) == v

    def test_unknown_volume_is_volume_not_found_even_with_an_invalid_patch(self, b):
        with raises_kind("not_found", "volume"):
            b.patch_volume(NIL, junction_path="rel", name="")

    def test_going_offline_or_restricted_unmounts(self, b):
        for state in ("offline", "restricted"):
            v = b.create_volume(uniq(), junction_path="/m")
            p = b.patch_volume(v["uuid"], state=state)
            assert "junction_path" not in p and p["state"] == state

    def test_mounting_a_volume_that_is_not_online_is_in_use(self, b):
        v = b.create_volume(uniq())
        b.patch_volume(v["uuid"], state="offline")
        with raises_kind("in_use", "volume"):
            b.patch_volume(v["uuid"], junction_path="/m")
        with raises_kind("in_use", "volume"):
            b.patch_volume(v["uuid"], junction_path="/m", state="restricted")
        assert b.patch_volume(v["uuid"], junction_path="/m", state="online")["junction_path"] == "/m"

    def test_empty_patch_changes_nothing(self, b):
        v = b.create_volume(uniq(), 3, junction_path="/x")
        assert b.patch_volume(v["uuid"]) == v
        assert b.get_volume(v["uuid"]) == v

    def test_same_patch_twice_gives_the_same_result(self, b):
        v = b.create_volume(uniq())
        first = b.patch_volume(v["uuid"], 7, "/p", "e", comment="c")
        assert b.patch_volume(v["uuid"], 7, "/p", "e", comment="c") == first


class TestVolumeAccessHandle:
    def test_live_volume_has_a_valid_handle(self, b):
        v = b.create_volume(uniq())
        assert b.access_handle(v["uuid"]) == {"kind": "in_memory"}

    def test_unknown_or_deleted_volume_is_volume_not_found(self, b):
        v = b.create_volume(uniq())
        b.delete_volume(v["uuid"])
        for u in (v["uuid"], NIL):
            with raises_kind("not_found", "volume"):
                b.access_handle(u)


class TestVolumeValues:
    def test_returned_volumes_belong_to_the_caller(self, b):
        v = b.create_volume(uniq(), 1)
        s = b.create_snapshot(v["uuid"], "s")
        c = b.create_clone(v["uuid"], s["uuid"], uniq())
        keep = b.get_volume(c["uuid"])
        c["name"] = "scribbled"
        c["clone"]["parent_volume"] = "scribbled"
        b.list_volumes()[0]["size_bytes"] = 999
        assert b.get_volume(c["uuid"]) == keep


class TestSnapshot:
    def test_lifecycle_create_list_get_delete(self, b):
        v = b.create_volume(uniq())
        s = b.create_snapshot(v["uuid"], "s")
        assert b.list_snapshots(v["uuid"]) == [s]
        assert b.get_snapshot(v["uuid"], s["uuid"]) == s
        b.delete_snapshot(v["uuid"], s["uuid"])
        with raises_kind("not_found", "snapshot"):
            b.get_snapshot(v["uuid"], s["uuid"])
        assert b.list_snapshots(v["uuid"]) == []

    def test_create_records_the_create_time_in_utc(self, b):
        v = b.create_volume(uniq())
        before = datetime.now(timezone.utc).replace(microsecond=0)
        s = b.create_snapshot(v["uuid"], "s")
        t = parse_time(s["create_time"])
        assert before <= t <= datetime.now(timezone.utc)
        assert b.get_snapshot(v["uuid"], s["uuid"])["create_time"] == s["create_time"]

    def test_duplicate_name_on_one_volume_is_already_exists_and_two_volumes_may_share_it(self, b):
        v, w = b.create_volume(uniq()), b.create_volume(uniq())
        b.create_snapshot(v["uuid"], "same")
        with raises_kind("already_exists", "snapshot"):
            b.create_snapshot(v["uuid"], "same")
        assert b.create_snapshot(w["uuid"], "same")["name"] == "same"

    @pytest.mark.parametrize("name", BAD_NAMES)
    def test_invalid_name_is_invalid_argument(self, b, name):
        v = b.create_volume(uniq())
        with raises_kind("invalid_argument"):
            b.create_snapshot(v["uuid"], name)
        assert b.list_snapshots(v["uuid"]) == []

    def test_list_is_oldest_first(self, b):
        v = b.create_volume(uniq())
        for tag in "cadbe":
            b.create_snapshot(v["uuid"], tag)
        assert [s["name"] for s in b.list_snapshots(v["uuid"])] == list("cadbe")

    def test_lookup_errors(self, b):
        v, w = b.create_volume(uniq()), b.create_volume(uniq())
        s = b.create_snapshot(w["uuid"], "s")
        with raises_kind("not_found", "volume"):
            b.get_snapshot(NIL, s["uuid"])
        with raises_kind("not_found", "snapshot"):
            b.get_snapshot(v["uuid"], NIL)
        with raises_kind("not_found", "snapshot"):  # a snapshot of another volume
            b.get_snapshot(v["uuid"], s["uuid"])
        with raises_kind("not_found", "snapshot"):
            b.delete_snapshot(v["uuid"], s["uuid"])
        assert b.list_snapshots(w["uuid"]) == [s]

    def test_delete_removes_only_that_snapshot(self, b):
        v = b.create_volume(uniq())
        s1, s2, s3 = (b.create_snapshot(v["uuid"], n) for n in ("1", "2", "3"))
        b.delete_snapshot(v["uuid"], s2["uuid"])
        assert b.list_snapshots(v["uuid"]) == [s1, s3]

    def test_patch_rename_is_stored_and_frees_the_old_name(self, b):
        v = b.create_volume(uniq())
        s = b.create_snapshot(v["uuid"], "old")
        p = b.patch_snapshot(v["uuid"], s["uuid"], name="new")
        assert p["name"] == "new" and b.get_snapshot(v["uuid"], s["uuid"]) == p
        assert b.create_snapshot(v["uuid"], "old")["name"] == "old"

    def test_patch_comment_is_stored(self, b):
        v = b.create_volume(uniq())
        s = b.create_snapshot(v["uuid"], "s")
        for c in ("before the upgrade, ünïcödé", ""):
            p = b.patch_snapshot(v["uuid"], s["uuid"], comment=c)
            assert p.get("comment", "") == c
            assert b.get_snapshot(v["uuid"], s["uuid"]) == p

    def test_patch_rename_onto_another_snapshot_is_already_exists(self, b):
        v = b.create_volume(uniq())
        a = b.create_snapshot(v["uuid"], "a")
        b.create_snapshot(v["uuid"], "b")
        with raises_kind("already_exists", "snapshot"):
            b.patch_snapshot(v["uuid"], a["uuid"], name="b")
        assert b.get_snapshot(v["uuid"], a["uuid"]) == a

    @pytest.mark.parametrize("patch", [{"name": ""}, {"name": "a/b"}, {"comment": "c" * 1024}])
    def test_patch_invalid_is_invalid_argument_and_changes_nothing(self, b, patch):
        v = b.create_volume(uniq())
        s = b.create_snapshot(v["uuid"], "s")
        with raises_kind("invalid_argument"):
            b.patch_snapshot(v["uuid"], s["uuid"], **patch)
        assert b.get_snapshot(v["uuid"], s["uuid"]) == s

    def test_patch_empty_changes_nothing_and_repeats_are_idempotent(self, b):
        v = b.create_volume(uniq())
        s = b.create_snapshot(v["uuid"], "s")
        assert b.patch_snapshot(v["uuid"], s["uuid"]) == s
        once = b.patch_snapshot(v["uuid"], s["uuid"], name="t", comment="c")
        assert b.patch_snapshot(v["uuid"], s["uuid"], name="t", comment="c") == once

    def test_cascade_deleting_a_volume_deletes_its_snapshots(self, b):
        v = b.create_volume("cascade")
        s = b.create_snapshot(v["uuid"], "s")
        b.delete_volume(v["uuid"])
        with raises_kind("not_found", "volume"):
            b.get_snapshot(v["uuid"], s["uuid"])
        w = b.create_volume("cascade")  # a recreated volume starts empty
        assert b.list_snapshots(w["uuid"]) == []

    def test_restore_reverts_the_size_and_deletes_newer_snapshots(self, b):
        v = b.create_volume(uniq(), 100)
        s1 = b.create_snapshot(v["uuid"], "s1")
        b.patch_volume(v["uuid"], size_bytes=200)
        b.create_snapshot(v["uuid"], "s2")
        b.patch_volume(v["uuid"], size_bytes=300)
        r = b.restore_snapshot(v["uuid"], s1["uuid"])
        assert r["size_bytes"] == 100 and b.get_volume(v["uuid"]) == r
        assert b.list_snapshots(v["uuid"]) == [s1]

    def test_restore_reverts_unlimited_and_zero_sizes(self, b):
        v = b.create_volume(uniq())
        s = b.create_snapshot(v["uuid"], "unlimited")
        b.patch_volume(v["uuid"], size_bytes=5)
        assert b.restore_snapshot(v["uuid"], s["uuid"])["size_bytes"] is None
        b.patch_volume(v["uuid"], size_bytes=0)
        z = b.create_snapshot(v["uuid"], "zero")
        b.patch_volume(v["uuid"], size_bytes=5)
        assert b.restore_snapshot(v["uuid"], z["uuid"])["size_bytes"] == 0

    def test_restore_to_the_newest_snapshot_keeps_every_snapshot(self, b):
        v = b.create_volume(uniq())
        snaps = [b.create_snapshot(v["uuid"], n) for n in "abc"]
        b.restore_snapshot(v["uuid"], snaps[-1]["uuid"])
        assert b.list_snapshots(v["uuid"]) == snaps

    def test_returned_snapshots_belong_to_the_caller(self, b):
        v = b.create_volume(uniq())
        s = b.create_snapshot(v["uuid"], "s")
        s["name"] = "scribbled"
        b.list_snapshots(v["uuid"])[0]["size_consumed"] = 12345
        assert b.get_snapshot(v["uuid"], s["uuid"])["name"] == "s"
        assert b.list_snapshots(v["uuid"])[0]["size_consumed"] == 0


class TestClone:
    def make(self, b, size=10):
        v = b.create_volume(uniq("parent"), size)
        s = b.create_snapshot(v["uuid"], uniq("snap"))
        return v, s

    def test_lifecycle_create_get_delete(self, b):
        v, s = self.make(b)
        c = b.create_clone(v["uuid"], s["uuid"], uniq("clone"))
        assert b.get_volume(c["uuid"]) == c
        b.delete_volume(c["uuid"])
        b.delete_snapshot(v["uuid"], s["uuid"])
        b.delete_volume(v["uuid"])
        assert b.list_volumes() == []

    def test_create_returns_the_stored_clone(self, b):
        v, s = self.make(b)
        c = b.create_clone(v["uuid"], s["uuid"], "cl")
        assert (c["state"], c["style"], c["vol_type"], c["name"]) == ("online", "flexvol", "rw", "cl")
        assert c["clone"] == {"parent_volume": v["name"], "parent_snapshot": s["name"],
                              "parent_volume_uuid": v["uuid"], "parent_snapshot_uuid": s["uuid"]}
        assert [x for x in b.list_volumes() if x["uuid"] == c["uuid"]] == [c]

    def test_create_inherits_the_size_at_snapshot_time(self, b):
        v, s = self.make(b, size=10)
        b.patch_volume(v["uuid"], size_bytes=20)
        assert b.create_clone(v["uuid"], s["uuid"], uniq())["size_bytes"] == 10

    def test_create_names_share_the_volume_namespace(self, b):
        v, s = self.make(b)
        with raises_kind("already_exists", "volume"):
            b.create_clone(v["uuid"], s["uuid"], v["name"])
        c = b.create_clone(v["uuid"], s["uuid"], uniq())
        with raises_kind("already_exists", "volume"):
            b.create_volume(c["name"])

    def test_create_error_order(self, b):
        v, s = self.make(b)
        other, _ = self.make(b)
        with raises_kind("not_found", "volume"):  # parent first, even with a bad name
            b.create_clone(NIL, s["uuid"], "")
        with raises_kind("not_found", "snapshot"):  # then the snapshot
            b.create_clone(other["uuid"], s["uuid"], "")
        for name in BAD_NAMES:  # then the name
            with raises_kind("invalid_argument"):
                b.create_clone(v["uuid"], s["uuid"], name)
        assert len(b.list_volumes()) == 2

    def test_is_a_full_volume_with_snapshots_patches_and_clones_of_its_own(self, b):
        v, s = self.make(b)
        c = b.create_clone(v["uuid"], s["uuid"], uniq())
        b.patch_volume(c["uuid"], size_bytes=77, comment="x")
        cs = b.create_snapshot(c["uuid"], "own")
        gc = b.create_clone(c["uuid"], cs["uuid"], uniq("grandchild"))
        assert gc["clone"]["parent_volume"] == c["name"] and gc["size_bytes"] == 77

    def test_origin_follows_renames_of_the_parent_volume_and_snapshot(self, b):
        v, s = self.make(b)
        c = b.create_clone(v["uuid"], s["uuid"], uniq())
        b.rename_volume(v["uuid"], "parent-renamed")
        b.patch_snapshot(v["uuid"], s["uuid"], name="snap-renamed")
        origin = b.get_volume(c["uuid"])["clone"]
        assert (origin["parent_volume"], origin["parent_snapshot"]) == ("parent-renamed", "snap-renamed")

    def test_delete_snapshot_in_use_by_clone_is_in_use(self, b):
        v, s = self.make(b)
        b.create_clone(v["uuid"], s["uuid"], uniq())
        before = world(b)
        with raises_kind("in_use", "snapshot"):
            b.delete_snapshot(v["uuid"], s["uuid"])
        assert world(b) == before

    def test_delete_volume_with_a_snapshot_backing_a_clone_is_in_use(self, b):
        v, s = self.make(b)
        b.create_clone(v["uuid"], s["uuid"], uniq())
        before = world(b)
        with raises_kind("in_use", "volume"):
            b.delete_volume(v["uuid"])
        assert world(b) == before

    def test_delete_chains_are_released_leaf_first(self, b):
        v, s = self.make(b)
        c = b.create_clone(v["uuid"], s["uuid"], uniq())
        cs = b.create_snapshot(c["uuid"], "cs")
        gc = b.create_clone(c["uuid"], cs["uuid"], uniq())
        with raises_kind("in_use"):
            b.delete_volume(c["uuid"])
        for vol in (gc, c, v):
            b.delete_volume(vol["uuid"])
        assert b.list_volumes() == []

    def test_split_clears_the_origin_and_releases_the_snapshot(self, b):
        v, s = self.make(b)
        c = b.create_clone(v["uuid"], s["uuid"], uniq())
        sp = b.split_clone(c["uuid"])
        assert "clone" not in sp and b.get_volume(c["uuid"]) == sp
        b.delete_snapshot(v["uuid"], s["uuid"])
        b.delete_volume(v["uuid"])
        assert [x["uuid"] for x in b.list_volumes()] == [c["uuid"]]

    def test_split_non_clone_is_invalid_argument(self, b):
        v, _ = self.make(b)
        with raises_kind("invalid_argument", "volume"):
            b.split_clone(v["uuid"])

    def test_split_unknown_volume_is_volume_not_found(self, b):
        with raises_kind("not_found", "volume"):
            b.split_clone(NIL)

    def test_restore_newer_snapshot_backing_a_clone_is_in_use(self, b):
        v, s = self.make(b)
        newer = b.create_snapshot(v["uuid"], "newer")
        b.create_clone(v["uuid"], newer["uuid"], uniq())
        before = world(b)
        with raises_kind("in_use"):
            b.restore_snapshot(v["uuid"], s["uuid"])
        assert world(b) == before


class TestConcurrency:
    """backendtest's Concurrency cases, with Python threads: the binding
    releases the GIL, so these calls do race in Go."""

    @staticmethod
    def race(n, fn):
        barrier = threading.Barrier(n)
        results = [None] * n

        def run(i):
            barrier.wait()
            try:
                results[i] = ("ok", fn(i))
            except Exception as e:  # noqa: BLE001 - collected and checked
                results[i] = ("err", e)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results

    def test_volume_creates_of_one_name_have_exactly_one_winner(self, b):
        for round_ in range(10):
            res = self.race(8, lambda i: b.create_volume(f"contended-{round_}", i))
            wins = [r for r in res if r[0] == "ok"]
            assert len(wins) == 1
            assert all(r[1].kind == "already_exists" for r in res if r[0] == "err")

    def test_volume_renames_onto_one_name_have_exactly_one_winner(self, b):
        vols = [b.create_volume(uniq()) for _ in range(8)]
        res = self.race(8, lambda i: b.rename_volume(vols[i]["uuid"], "target"))
        assert sum(r[0] == "ok" for r in res) == 1
        assert [v["name"] for v in b.list_volumes()].count("target") == 1

    def test_volume_deletes_of_one_volume_have_exactly_one_winner(self, b):
        v = b.create_volume(uniq())
        res = self.race(8, lambda i: b.delete_volume(v["uuid"]))
        assert sum(r[0] == "ok" for r in res) == 1
        assert all(r[1].kind == "not_found" for r in res if r[0] == "err")

    def test_snapshot_creates_of_one_name_have_exactly_one_winner(self, b):
        v = b.create_volume(uniq())
        res = self.race(8, lambda i: b.create_snapshot(v["uuid"], "contended"))
        assert sum(r[0] == "ok" for r in res) == 1
        assert len(b.list_snapshots(v["uuid"])) == 1

    def test_clone_racing_snapshot_delete_never_both_succeed(self, b):
        for round_ in range(20):
            v = b.create_volume(uniq())
            s = b.create_snapshot(v["uuid"], "s")
            ops = [lambda: b.create_clone(v["uuid"], s["uuid"], f"racer-{round_}"),
                   lambda: b.delete_snapshot(v["uuid"], s["uuid"])]
            res = self.race(2, lambda i: ops[i]())
            assert not (res[0][0] == "ok" and res[1][0] == "ok"), res
            assert any(r[0] == "ok" for r in res)
