"""Volume lifecycle through netapp_ontap.resources.Volume.

Every case re-reads the server's state with a fresh resource object after the
call under test, so a mutation that answers "success" without effect fails.
"""

import math
import re

import pytest
from netapp_ontap.error import NetAppRestError
from netapp_ontap.resources import Volume

from sdkcompat import AGGR_NAME, SVM_NAME, MiB, check_location, nas_path, unique_name, volume_state

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")




def test_post_poll_sets_keys_from_location(volumes, traffic):
    name = unique_name("post")
    vol = Volume(name=name, svm={"name": SVM_NAME}, aggregates=[{"name": AGGR_NAME}], size=200 * MiB)
    vol.post(poll=True)
    volumes.track(vol)

    assert UUID_RE.fullmatch(vol.uuid), f"post() did not learn the uuid: {vol.to_dict()}"
    post = traffic.mutations()[0]
    assert (post.method, post.path) == ("POST", "/api/storage/volumes")
    assert post.status == 202, f"ONTAP answers an async create with 202, got {post.status}"
    check_location(post, "/api/storage/volumes", vol.uuid, name, traffic)

    got = volume_state(vol.uuid)
    assert got["name"] == name
    assert got["size"] == 200 * MiB
    assert got["state"] == "online"
    assert got["type"] == "rw"
    assert got["style"] == "flexvol"
    assert got["svm"]["name"] == SVM_NAME
    assert [a["name"] for a in got["aggregates"]] == [AGGR_NAME]


def test_post_hydrate_fills_the_object(volumes, traffic):
    name = unique_name("hyd")
    vol = Volume(name=name, svm={"name": SVM_NAME}, aggregates=[{"name": AGGR_NAME}],
                 size=300 * MiB, comment="made by the SDK")
    vol.post(poll=True, hydrate=True)
    volumes.track(vol)

    got = vol.to_dict()
    assert got["uuid"] and got["name"] == name
    assert got["size"] == 300 * MiB
    assert got["comment"] == "made by the SDK"
    assert got["state"] == "online"
    assert got["svm"]["name"] == SVM_NAME
    assert "create_time" in got
    # hydrate is a GET of the new object with fields=*.
    gets = [e for e in traffic.exchanges if e.method == "GET" and e.path == f"/api/storage/volumes/{vol.uuid}"]
    assert gets and gets[-1].query.get("fields") == ["*"] and gets[-1].status == 200
    assert volume_state(vol.uuid, fields="size,comment")["comment"] == "made by the SDK"


def test_post_with_nas_path_mounts(volumes):
    path = "/" + unique_name("mnt")
    vol = volumes.create(nas={"path": path})
    assert nas_path(volume_state(vol.uuid, fields="nas.path")) == path


def test_get_with_fields_returns_requested_fields(volumes):
    vol = volumes.create(size=120 * MiB, comment="c1")
    got = volume_state(vol.uuid, fields="size,comment")
    assert got["size"] == 120 * MiB and got["comment"] == "c1"
    assert "aggregates" not in got and "svm" not in got, f"unrequested fields: {sorted(got)}"


@pytest.fixture
def five_volumes(volumes):
    prefix = unique_name("list")
    made = [volumes.create(name=f"{prefix}_{i}", size=(100 + i) * MiB) for i in range(5)]
    return prefix, made


def test_get_collection_default_fields_are_keys(five_volumes):
    prefix, made = five_volumes
    got = list(Volume.get_collection(name=f"{prefix}_*"))
    assert sorted(v.name for v in got) == sorted(v.name for v in made)
    for v in got:
        assert set(v.to_dict()) <= {"uuid", "name", "_links"}, v.to_dict()


def test_get_collection_with_fields(five_volumes):
    prefix, made = five_volumes
    got = {v.name: v.to_dict() for v in Volume.get_collection(name=f"{prefix}_*", fields="size,state,svm.name")}
    assert set(got) == {v.name for v in made}
    for i in range(5):
        rec = got[f"{prefix}_{i}"]
        assert rec["size"] == (100 + i) * MiB
        assert rec["state"] == "online"
        assert rec["svm"]["name"] == SVM_NAME
        assert "aggregates" not in rec and "comment" not in rec, f"unrequested fields: {sorted(rec)}"


def test_get_collection_name_filters(five_volumes):
    prefix, made = five_volumes
    names = lambda **q: sorted(v.name for v in Volume.get_collection(**q))  # noqa: E731
    assert names(name=f"{prefix}_3") == [f"{prefix}_3"]
    assert names(name=f"{prefix}_*") == sorted(v.name for v in made)
    assert names(name=f"{prefix}*_4") == [f"{prefix}_4"]
    assert names(name=f"{prefix}_1|{prefix}_2") == [f"{prefix}_1", f"{prefix}_2"]
    assert names(name=f"{prefix}_9") == []
    assert names(name=f"{prefix}_*", **{"svm.name": SVM_NAME}) == sorted(v.name for v in made)
    assert names(name=f"{prefix}_*", **{"svm.name": "no_such_svm"}) == []
    assert Volume.find(name=f"{prefix}_0").uuid == made[0].uuid
    assert Volume.count_collection(name=f"{prefix}_*") == 5


def test_get_collection_max_records_follows_next_to_the_end(five_volumes, traffic):
    prefix, made = five_volumes
    traffic.clear()
    got = list(Volume.get_collection(name=f"{prefix}_*", max_records=2, fields="size"))
    assert sorted(v.name for v in got) == sorted(v.name for v in made)
    assert len({v.uuid for v in got}) == 5, "a record came back twice across pages"
    assert all(v.size >= 100 * MiB for v in got)

    pages = [e for e in traffic.exchanges if e.method == "GET" and e.path.startswith("/api/storage/volumes")]
    assert len(pages) == math.ceil(5 / 2), [(p.path, p.query) for p in pages]
    for page in pages:
        assert page.status == 200
        assert len(page.body["records"]) <= 2
        assert page.body["num_records"] == len(page.body["records"])
    assert all("next" in p.body["_links"] for p in pages[:-1])
    assert "next" not in pages[-1].body.get("_links", {})


def test_patch_resize(volumes):
    vol = volumes.create(size=100 * MiB)
    vol.size = 250 * MiB
    vol.patch(poll=True)
    assert volume_state(vol.uuid, fields="size")["size"] == 250 * MiB


def test_patch_rename(volumes):
    old = unique_name("old")
    new = unique_name("new")
    vol = volumes.create(name=old)
    vol.name = new
    vol.patch(poll=True)
    assert volume_state(vol.uuid)["name"] == new
    assert Volume.find(name=old) is None
    assert Volume.find(name=new).uuid == vol.uuid


def test_patch_nas_path_mount_and_unmount(volumes):
    vol = volumes.create()
    path = "/" + unique_name("jp")
    vol.nas = {"path": path}
    vol.patch(poll=True)
    assert nas_path(volume_state(vol.uuid, fields="nas.path")) == path

    vol = Volume(uuid=vol.uuid)
    vol.nas = {"path": ""}
    vol.patch(poll=True)
    assert nas_path(volume_state(vol.uuid, fields="nas.path")) == ""


def test_patch_state_offline_and_online(volumes):
    path = "/" + unique_name("off")
    vol = volumes.create(nas={"path": path})

    vol.state = "offline"
    vol.patch(poll=True)
    got = volume_state(vol.uuid, fields="state,nas.path")
    assert got["state"] == "offline"
    # "Taking a volume offline removes its junction path" (ONTAP volume PATCH doc).
    assert nas_path(got) == ""

    vol = Volume(uuid=vol.uuid)
    vol.state = "online"
    vol.patch(poll=True)
    assert volume_state(vol.uuid, fields="state")["state"] == "online"


def test_patch_comment(volumes):
    vol = volumes.create(comment="before")
    vol.comment = "after: ünïcode ok"
    vol.patch(poll=True)
    assert volume_state(vol.uuid, fields="comment")["comment"] == "after: ünïcode ok"


def test_patch_after_get_sends_only_changes(volumes, traffic):
    vol = volumes.create(size=100 * MiB, comment="keep")
    vol = Volume(uuid=vol.uuid)
    vol.get()
    vol.size = 150 * MiB
    traffic.clear()
    vol.patch(poll=True)
    patch = traffic.mutations()[0]
    assert (patch.method, patch.path, patch.request_body) == ("PATCH", f"/api/storage/volumes/{vol.uuid}", {"size": 150 * MiB})
    got = volume_state(vol.uuid, fields="size,comment,name")
    assert got["size"] == 150 * MiB and got["comment"] == "keep"


def test_delete_poll(volumes):
    vol = volumes.create()
    name = vol.name
    vol.delete(poll=True)
    with pytest.raises(NetAppRestError) as info:
        Volume(uuid=vol.uuid).get()
    assert info.value.status_code == 404
    assert info.value.response_body["error"]["code"] == "4"
    assert Volume.find(name=name) is None


def test_patch_hydrate_refreshes_the_object(volumes):
    vol = volumes.create(size=100 * MiB, comment="old")
    vol = Volume(uuid=vol.uuid)
    vol.comment = "new"
    vol.patch(poll=True, hydrate=True)
    got = vol.to_dict()
    assert got["comment"] == "new"
    assert got["size"] == 100 * MiB and got["state"] == "online", "hydrate did not refresh from the server"


def test_patch_collection_by_query(five_volumes, traffic):
    prefix, made = five_volumes
    traffic.clear()
    Volume.patch_collection({"comment": "bulk"}, name=f"{prefix}_1|{prefix}_3")
    patch = traffic.mutations()[0]
    assert (patch.method, patch.path, patch.query.get("name")) == (
        "PATCH", "/api/storage/volumes", [f"{prefix}_1|{prefix}_3"])
    jobs = patch.body.get("jobs") or []
    assert len(jobs) == 2, f"one job per matched volume: {patch.body}"
    for job in jobs:
        polls = traffic.job_polls(job["_links"]["self"]["href"])
        assert polls and polls[-1].body["state"] == "success"
    comments = {v.name: v.to_dict().get("comment", "")
                for v in Volume.get_collection(name=f"{prefix}_*", fields="comment")}
    assert comments == {f"{prefix}_{i}": ("bulk" if i in (1, 3) else "") for i in range(5)}


def test_delete_collection_by_query(five_volumes):
    prefix, _ = five_volumes
    Volume.delete_collection(name=f"{prefix}_2|{prefix}_4")
    assert sorted(v.name for v in Volume.get_collection(name=f"{prefix}_*")) == [
        f"{prefix}_0", f"{prefix}_1", f"{prefix}_3"]
