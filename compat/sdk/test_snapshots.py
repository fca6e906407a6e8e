"""Snapshots through netapp_ontap.resources.Snapshot, on volumes found by name."""

import datetime
import uuid

import pytest
from netapp_ontap.error import NetAppRestError
from netapp_ontap.resources import Snapshot, Volume

from sdkcompat import check_location, expect_failure, unique_name


def reread(vol_uuid: str, snap_uuid: str, **query) -> dict:
    snap = Snapshot(vol_uuid, uuid=snap_uuid)
    snap.get(**query)
    return snap.to_dict()


@pytest.fixture
def volume(volumes) -> Volume:
    """A volume the test looks up by name, as scripts do."""
    name = unique_name("snapvol")
    volumes.create(name=name)
    vol = Volume.find(name=name)
    assert vol is not None
    return vol


def test_snapshot_create(volume, traffic):
    name = unique_name("s")
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    snap = Snapshot(volume.uuid, name=name, comment="first")
    snap.post(poll=True)

    post = traffic.mutations()[0]
    assert (post.method, post.path, post.status) == ("POST", f"/api/storage/volumes/{volume.uuid}/snapshots", 202)
    assert snap.uuid, "post() did not learn the snapshot uuid"
    check_location(post, f"/api/storage/volumes/{volume.uuid}/snapshots", snap.uuid, name, traffic)

    got = reread(volume.uuid, snap.uuid)
    assert got["name"] == name
    assert got["volume"]["uuid"] == volume.uuid and got["volume"]["name"] == volume.name
    assert got["comment"] == "first"
    created = datetime.datetime.fromisoformat(got["create_time"])
    assert created.tzinfo is not None, "create_time needs an offset"
    after = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=1)
    assert before <= created <= after


def test_snapshot_list(volume):
    names = [unique_name("s") for _ in range(3)]
    for n in names:
        Snapshot(volume.uuid, name=n).post(poll=True)

    listed = list(Snapshot.get_collection(volume.uuid))
    assert sorted(s.name for s in listed) == sorted(names)
    for s in listed:
        assert set(s.to_dict()) <= {"uuid", "name", "_links", "volume"}, s.to_dict()

    with_time = list(Snapshot.get_collection(volume.uuid, fields="name,create_time"))
    assert all("create_time" in s.to_dict() for s in with_time)

    one = list(Snapshot.get_collection(volume.uuid, name=names[1]))
    assert [s.name for s in one] == [names[1]]
    assert Snapshot.find(volume.uuid, name=names[2]).name == names[2]
    assert Snapshot.count_collection(volume.uuid) == 3


def test_snapshot_get(volume):
    name = unique_name("s")
    created = Snapshot(volume.uuid, name=name)
    created.post(poll=True)
    snap = Snapshot(volume.uuid, uuid=created.uuid)
    snap.get()
    assert snap.name == name
    assert snap.volume.uuid == volume.uuid
    assert snap.create_time is not None


def test_snapshot_patch_rename_and_comment(volume):
    old, new = unique_name("s"), unique_name("s")
    snap = Snapshot(volume.uuid, name=old)
    snap.post(poll=True)

    snap = Snapshot(volume.uuid, uuid=snap.uuid)
    snap.name = new
    snap.comment = "renamed"
    snap.patch(poll=True)

    got = reread(volume.uuid, snap.uuid, fields="name,comment")
    assert (got["name"], got["comment"]) == (new, "renamed")
    assert Snapshot.find(volume.uuid, name=old) is None
    assert Snapshot.find(volume.uuid, name=new).uuid == snap.uuid


def test_snapshot_delete(volume):
    keep, gone = unique_name("keep"), unique_name("gone")
    Snapshot(volume.uuid, name=keep).post(poll=True)
    snap = Snapshot(volume.uuid, name=gone)
    snap.post(poll=True)

    snap.delete(poll=True)
    with pytest.raises(NetAppRestError) as info:
        Snapshot(volume.uuid, uuid=snap.uuid).get()
    assert info.value.status_code == 404
    assert [s.name for s in Snapshot.get_collection(volume.uuid)] == [keep]


def test_snapshot_duplicate_name_fails(volume, traffic):
    name = unique_name("dup")
    Snapshot(volume.uuid, name=name).post(poll=True)
    failure = expect_failure(lambda: Snapshot(volume.uuid, name=name).post(poll=True), traffic)
    assert failure.code == "525059", failure
    assert [s.name for s in Snapshot.get_collection(volume.uuid)] == [name]


def test_snapshot_collection_pagination(volume, traffic):
    names = sorted(unique_name("p") for _ in range(5))
    for n in names:
        Snapshot(volume.uuid, name=n).post(poll=True)
    traffic.clear()
    got = list(Snapshot.get_collection(volume.uuid, max_records=2, fields="name,create_time"))
    assert sorted(s.name for s in got) == names
    pages = [e for e in traffic.exchanges if e.method == "GET"]
    assert len(pages) == 3 and all(len(p.body["records"]) <= 2 for p in pages)


def test_snapshot_delete_collection_by_query(volume):
    for n in ("keep_a", "drop_a", "drop_b"):
        Snapshot(volume.uuid, name=n).post(poll=True)
    Snapshot.delete_collection(volume.uuid, name="drop_*")
    assert [s.name for s in Snapshot.get_collection(volume.uuid)] == ["keep_a"]


def test_snapshot_on_unknown_volume(traffic):
    failure = expect_failure(lambda: Snapshot(str(uuid.uuid4()), name="x").post(poll=True), traffic)
    assert failure.code == "4", failure
    if failure.via == "http":
        assert failure.status == 404
