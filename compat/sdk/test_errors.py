"""Failures reach the SDK user as NetAppRestError with ONTAP's code and message.

Request validation (unknown object, unknown field, credentials) must be
refused synchronously with ONTAP's envelope. For a create, ONTAP may refuse
the request or fail its job (ontap-rest.md §10 q2); `expect_failure` reads the
code from wherever the SDK user would find it, and each case then re-reads
the server to check that nothing changed.
"""

import uuid

import pytest
from netapp_ontap.error import NetAppRestError
from netapp_ontap.resources import Cluster, Snapshot, Volume

from conftest import connect
from sdkcompat import AGGR_NAME, SVM_NAME, MiB, expect_failure, unique_name


def new_volume(name: str) -> Volume:
    return Volume(name=name, svm={"name": SVM_NAME}, aggregates=[{"name": AGGR_NAME}], size=100 * MiB)


def test_duplicate_volume(volumes, traffic):
    vol = volumes.create()
    failure = expect_failure(lambda: new_volume(vol.name).post(poll=True), traffic)
    assert failure.code == "917526", failure
    if failure.via == "http":
        assert failure.status == 409
    assert [v.uuid for v in Volume.get_collection(name=vol.name)] == [vol.uuid]


def test_unknown_volume_get(traffic):
    missing = str(uuid.uuid4())
    failure = expect_failure(lambda: Volume(uuid=missing).get(), traffic)
    assert (failure.via, failure.status, failure.code) == ("http", 404, "4"), failure
    assert failure.message == "entry doesn't exist"
    assert failure.target == "uuid"


def test_malformed_volume_uuid(traffic):
    failure = expect_failure(lambda: Volume(uuid="1").get(), traffic)
    assert (failure.via, failure.status, failure.code, failure.target) == ("http", 404, "2", "uuid"), failure
    assert '"1" is an invalid value for field "uuid"' in failure.message


@pytest.mark.parametrize("op", ["patch", "delete"])
def test_unknown_volume_mutation(op, traffic):
    vol = Volume(uuid=str(uuid.uuid4()))
    if op == "patch":
        vol.comment = "nobody home"
    failure = expect_failure(lambda: getattr(vol, op)(poll=True), traffic)
    assert failure.code == "4", failure
    if failure.via == "http":
        assert failure.status == 404
    assert Volume.find(uuid=vol.uuid) is None


def test_unknown_field_in_collection_fields(traffic):
    failure = expect_failure(lambda: list(Volume.get_collection(fields="name,no_such_field")), traffic)
    assert (failure.via, failure.status, failure.code, failure.target) == ("http", 400, "262197", "fields"), failure
    assert "no_such_field" in failure.message


def test_unknown_field_in_get_fields(volumes, traffic):
    vol = volumes.create()
    failure = expect_failure(lambda: Volume(uuid=vol.uuid).get(fields="size,bogus.field"), traffic)
    assert (failure.via, failure.status, failure.code, failure.target) == ("http", 400, "262197", "fields"), failure
    assert "bogus.field" in failure.message


@pytest.mark.parametrize("who", ["wrong password", "wrong username"])
def test_bad_credentials(daemon, conn, who):
    user, password = daemon.username, daemon.password
    if who == "wrong password":
        password += "x"
    else:
        user = "no_such_user"
    bad = connect(daemon, username=user, password=password)
    with bad, pytest.raises(NetAppRestError) as info:
        Cluster().get()
    exc = info.value
    assert exc.status_code == 401
    err = exc.response_body["error"]
    assert err["code"].isdigit() and err["message"], err
    assert err["message"] in str(exc)
    # No lock-out: the right credentials still work.
    ok = Cluster()
    ok.get()
    assert ok.version.generation == 9


@pytest.mark.parametrize("name,code", [
    ("9starts_with_a_digit", "917887"),
    ("has-a-hyphen", "917888"),
    ("has.a.dot", "917888"),
])
def test_invalid_volume_name_on_create(name, code, traffic):
    failure = expect_failure(lambda: new_volume(name).post(poll=True), traffic)
    assert failure.code == code, failure
    if failure.via == "http":
        assert failure.status == 400
    assert list(Volume.get_collection(name=name)) == []


def test_invalid_volume_name_on_rename(volumes, traffic):
    vol = volumes.create()
    renamed = Volume(uuid=vol.uuid)
    renamed.name = "bad-name"
    failure = expect_failure(lambda: renamed.patch(poll=True), traffic)
    assert failure.code == "917888", failure
    got = Volume(uuid=vol.uuid)
    got.get()
    assert got.name == vol.name


def test_unknown_query_parameter(traffic):
    failure = expect_failure(lambda: list(Volume.get_collection(no_such_param="1")), traffic)
    assert (failure.via, failure.status, failure.code) == ("http", 400, "262179"), failure
    assert "no_such_param" in failure.message


def test_rename_to_existing_name(volumes, traffic):
    a = volumes.create()
    b = volumes.create()
    renamed = Volume(uuid=b.uuid)
    renamed.name = a.name
    failure = expect_failure(lambda: renamed.patch(poll=True), traffic)
    assert failure.code == "917526", failure
    assert [v.uuid for v in Volume.get_collection(name=a.name)] == [a.uuid]
    got = Volume(uuid=b.uuid)
    got.get()
    assert got.name == b.name


def test_unknown_svm_on_create(traffic):
    name = unique_name("nosvm")
    failure = expect_failure(lambda: Volume(name=name, svm={"name": "no_such_svm"}, aggregates=[{"name": AGGR_NAME}],
                                            size=100 * MiB).post(poll=True), traffic)
    assert failure.code == "2621462", failure
    assert list(Volume.get_collection(name=name)) == []


def test_clone_of_unknown_parent(traffic):
    name = unique_name("orphan")
    clone = Volume(name=name, svm={"name": SVM_NAME},
                   clone={"is_flexclone": True, "parent_volume": {"name": "no_such_volume"}})
    failure = expect_failure(lambda: clone.post(poll=True), traffic)
    assert failure.code == "524601", failure
    assert list(Volume.get_collection(name=name)) == []


def test_invalid_nas_path(volumes, traffic):
    vol = volumes.create()
    bad = Volume(uuid=vol.uuid)
    bad.nas = {"path": "relative/path"}
    failure = expect_failure(lambda: bad.patch(poll=True), traffic)
    assert failure.code == "918252", failure
    got = Volume(uuid=vol.uuid)
    got.get(fields="nas.path")
    assert (got.to_dict().get("nas") or {}).get("path", "") == ""


def test_invalid_snapshot_name(volumes, traffic):
    vol = volumes.create()
    failure = expect_failure(lambda: Snapshot(vol.uuid, name="").post(poll=True), traffic)
    assert failure.code == "1638518", failure
    assert list(Snapshot.get_collection(vol.uuid)) == []


def test_snapshot_of_offline_volume(volumes, traffic):
    vol = volumes.create()
    off = Volume(uuid=vol.uuid)
    off.state = "offline"
    off.patch(poll=True)
    failure = expect_failure(lambda: Snapshot(vol.uuid, name="while_offline").post(poll=True), traffic)
    # 524479: "Volume not online or not enough space to create a snapshot."
    assert failure.code == "524479", failure
    assert list(Snapshot.get_collection(vol.uuid)) == []
