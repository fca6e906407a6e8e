"""FlexClone create and split, snapshot restore, and what a clone pins."""

import pytest
from netapp_ontap.resources import Snapshot, Volume

from sdkcompat import SVM_NAME, MiB, check_location, expect_failure, unique_name, volume_state


def snapshot_names(vol_uuid: str) -> list[str]:
    return sorted(s.name for s in Snapshot.get_collection(vol_uuid))


@pytest.fixture
def parent(volumes):
    """A 100 MiB volume with snapshot "base", then grown to 200 MiB."""
    vol = volumes.create(name=unique_name("parent"), size=100 * MiB)
    snap = Snapshot(vol.uuid, name="base")
    snap.post(poll=True)
    vol = Volume(uuid=vol.uuid)
    vol.size = 200 * MiB
    vol.patch(poll=True)
    return vol, snap


def make_clone(volumes, parent_name: str, snapshot_name: str | None) -> Volume:
    spec = {"is_flexclone": True, "parent_volume": {"name": parent_name}}
    if snapshot_name is not None:
        spec["parent_snapshot"] = {"name": snapshot_name}
    clone = Volume(name=unique_name("clone"), svm={"name": SVM_NAME}, clone=spec)
    clone.post(poll=True)
    volumes.track(clone)
    return clone


def test_flexclone_create_from_snapshot(volumes, parent, traffic):
    pvol, snap = parent
    parent_name = volume_state(pvol.uuid)["name"]
    traffic.clear()
    clone = make_clone(volumes, parent_name, "base")

    post = traffic.mutations()[0]
    assert post.request_body["clone"] == {"is_flexclone": True, "parent_volume": {"name": parent_name},
                                          "parent_snapshot": {"name": "base"}}
    assert post.status == 202
    check_location(post, "/api/storage/volumes", clone.uuid, clone.name, traffic)

    got = volume_state(clone.uuid, fields="name,size,state,type,clone")
    assert got["name"] == clone.name
    assert got["state"] == "online" and got["type"] == "rw"
    # A clone starts with the size its parent had when the snapshot was taken.
    assert got["size"] == 100 * MiB
    c = got["clone"]
    assert c["is_flexclone"] is True
    assert c["parent_volume"]["name"] == parent_name and c["parent_volume"]["uuid"] == pvol.uuid
    assert c["parent_snapshot"]["name"] == "base" and c["parent_snapshot"]["uuid"] == snap.uuid
    # Trident's query for the clones a snapshot backs.
    backed = Volume.get_collection(**{"clone.parent_volume.name": parent_name,
                                      "clone.parent_snapshot.name": "base"}, fields="name")
    assert [v.name for v in backed] == [clone.name]
    clones = Volume.get_collection(**{"clone.is_flexclone": "true", "name": f"{parent_name}|{clone.name}"})
    assert [v.name for v in clones] == [clone.name]


def test_flexclone_create_without_snapshot(volumes, parent):
    pvol, _ = parent
    parent_name = volume_state(pvol.uuid)["name"]
    clone = make_clone(volumes, parent_name, None)
    c = volume_state(clone.uuid, fields="clone")["clone"]
    assert c["is_flexclone"] is True
    assert c["parent_volume"]["uuid"] == pvol.uuid
    # ONTAP takes a new snapshot of the parent to back the clone.
    assert c["parent_snapshot"]["name"] in snapshot_names(pvol.uuid)


def test_clone_split(volumes, parent):
    pvol, snap = parent
    clone = make_clone(volumes, volume_state(pvol.uuid)["name"], "base")

    clone = Volume(uuid=clone.uuid)
    clone.clone = {"split_initiated": True}
    clone.patch(poll=True)

    c = volume_state(clone.uuid, fields="clone").get("clone", {})
    assert c.get("is_flexclone") is False, f"still a clone after the split job succeeded: {c}"
    assert "parent_volume" not in c and "parent_snapshot" not in c, c
    # Split released the snapshot: it can go now, and the split volume stays.
    Snapshot(pvol.uuid, uuid=snap.uuid).delete(poll=True)
    assert snapshot_names(pvol.uuid) == []
    assert volume_state(clone.uuid, fields="state")["state"] == "online"


@pytest.mark.parametrize("by", ["name", "uuid"])
def test_restore_volume_to_snapshot(volumes, by):
    vol = volumes.create(size=100 * MiB)
    s1 = Snapshot(vol.uuid, name="s1")
    s1.post(poll=True)
    vol = Volume(uuid=vol.uuid)
    vol.size = 200 * MiB
    vol.patch(poll=True)
    Snapshot(vol.uuid, name="s2").post(poll=True)

    restore = Volume(uuid=vol.uuid)
    key, value = ("restore_to.snapshot.name", "s1") if by == "name" else ("restore_to.snapshot.uuid", s1.uuid)
    restore.patch(poll=True, **{key: value})

    # The volume is back at s1 and the later snapshot is gone. Its size is
    # the larger of its current size and its size at s1, as ONTAP's
    # SnapRestore leaves it ("volume snapshot restore": "the size of the
    # flexible volume will be set to either the current volume size or the
    # snapshot size - whichever is greater"): grown since, it stays grown.
    assert volume_state(vol.uuid, fields="size")["size"] == 200 * MiB
    assert snapshot_names(vol.uuid) == ["s1"]


def test_restore_to_a_larger_snapshot_grows_the_volume(volumes):
    vol = volumes.create(size=200 * MiB)
    Snapshot(vol.uuid, name="big").post(poll=True)
    shrink = Volume(uuid=vol.uuid)
    shrink.size = 100 * MiB
    shrink.patch(poll=True)
    assert volume_state(vol.uuid, fields="size")["size"] == 100 * MiB

    Volume(uuid=vol.uuid).patch(poll=True, **{"restore_to.snapshot.name": "big"})
    assert volume_state(vol.uuid, fields="size")["size"] == 200 * MiB


def test_delete_snapshot_backing_clone_is_busy(volumes, parent, traffic):
    pvol, snap = parent
    clone = make_clone(volumes, volume_state(pvol.uuid)["name"], "base")

    failure = expect_failure(lambda: Snapshot(pvol.uuid, uuid=snap.uuid).delete(poll=True), traffic)
    assert failure.code == "1638555", failure
    assert failure.message
    # Nothing changed: the snapshot is still there and still backs the clone.
    assert snapshot_names(pvol.uuid) == ["base"]
    assert volume_state(clone.uuid, fields="clone")["clone"]["is_flexclone"] is True


def test_delete_volume_with_clone_fails(volumes, parent, traffic):
    pvol, _ = parent
    clone = make_clone(volumes, volume_state(pvol.uuid)["name"], "base")

    failure = expect_failure(lambda: Volume(uuid=pvol.uuid).delete(poll=True), traffic)
    assert failure.code == "524615", failure
    assert volume_state(pvol.uuid)["uuid"] == pvol.uuid
    assert volume_state(clone.uuid, fields="clone")["clone"]["is_flexclone"] is True
