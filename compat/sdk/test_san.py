"""SAN objects, LIFs and SVMs through netapp_ontap.resources (Lun,
LunAttribute, Igroup, IgroupInitiator, LunMap, IscsiService,
IscsiCredentials, IpInterface, Svm)."""

import pytest
from netapp_ontap.resources import (
    Igroup, IgroupInitiator, IpInterface, IscsiCredentials, IscsiService, Lun, LunAttribute, LunMap, Svm,
)

from sdkcompat import MiB, SVM_NAME, expect_failure, unique_name

IQN = "iqn.1993-08.org.debian:01:sdkcompat"


@pytest.fixture
def volume(volumes):
    return volumes.create(name=unique_name("sanvol"), size=200 * MiB)


def test_lun_lifecycle(volume, traffic):
    path = f"/vol/{volume.name}/lun0"
    lun = Lun(name=path, os_type="linux", space={"size": 64 * MiB}, svm={"name": SVM_NAME})
    lun.post(poll=True)
    assert lun.uuid
    post = traffic.mutations()[0]
    assert (post.method, post.status) == ("POST", 201)

    found = Lun.find(name=path, fields="serial_number,space.size,os_type,status.mapped,location")
    assert found.uuid == lun.uuid
    assert len(found.serial_number) == 12
    assert found.space.size == 64 * MiB and found.os_type == "linux" and found.status.mapped is False
    assert found.location.volume.name == volume.name and found.location.logical_unit == "lun0"

    LunAttribute(lun.uuid, name="fs", value="ext4").post()
    attr = LunAttribute(lun.uuid, name="fs")
    attr.get()
    assert attr.value == "ext4"

    lun.space = {"size": 128 * MiB}
    lun.patch()
    again = Lun(uuid=lun.uuid)
    again.get(fields="space.size")
    assert again.space.size == 128 * MiB

    # Larger than the volume can hold: ONTAP's "size is too large".
    big = Lun(name=f"/vol/{volume.name}/big", os_type="linux", space={"size": 1024 * MiB}, svm={"name": SVM_NAME})
    failure = expect_failure(lambda: big.post(), traffic)
    assert (failure.status, failure.code) == (400, "5374125")

    lun.delete()
    assert Lun.find(name=path) is None


def test_igroup_map_unmap(volume, traffic):
    lun = Lun(name=f"/vol/{volume.name}/lun1", os_type="linux", space={"size": 16 * MiB}, svm={"name": SVM_NAME})
    lun.post()
    name = unique_name("ig")
    ig = Igroup(name=name, os_type="linux", protocol="iscsi", svm={"name": SVM_NAME})
    ig.post()
    assert ig.uuid
    IgroupInitiator(ig.uuid, name=IQN).post()
    got = Igroup.find(name=name, fields="initiators.name,protocol")
    assert [i.name for i in got.initiators] == [IQN] and got.protocol == "iscsi"

    m = LunMap(igroup={"name": name}, lun={"name": lun.name}, svm={"name": SVM_NAME})
    m.post(hydrate=True)
    maps = list(LunMap.get_collection(**{"lun.name": lun.name, "fields": "logical_unit_number,igroup.name"}))
    assert len(maps) == 1 and maps[0].logical_unit_number == 0 and maps[0].igroup.name == name

    # A mapped LUN stays unless allow_delete_while_mapped is given.
    failure = expect_failure(lambda: Lun(uuid=lun.uuid).delete(), traffic)
    assert (failure.status, failure.code) == (409, "1254197")

    LunMap(lun={"uuid": lun.uuid}, igroup={"uuid": ig.uuid}).delete()
    assert list(LunMap.get_collection(**{"lun.name": lun.name})) == []
    IgroupInitiator(ig.uuid, name=IQN).delete()
    ig.delete()
    lun.delete()


def test_iscsi_service_and_default_credential(conn):
    svm = Svm.find(name=SVM_NAME)
    svc = IscsiService(svm={"uuid": svm.uuid})
    svc.get(fields="target.name,enabled")
    assert svc.enabled is True and svc.target.name.startswith("iqn.1992-08.com.netapp:sn.")
    creds = list(IscsiCredentials.get_collection(initiator="default", fields="authentication_type,svm.name"))
    assert len(creds) == 1 and creds[0].authentication_type == "none" and creds[0].svm.name == SVM_NAME


def test_interface_and_svm(conn, traffic):
    node = next(iter(IpInterface.get_collection(fields="location.node.name"))).location.node.name
    lif = IpInterface(name=unique_name("lif"), ip={"address": "10.9.0.5", "netmask": "24"}, svm={"name": SVM_NAME},
                      location={"home_node": {"name": node}}, service_policy={"name": "default-data-blocks"})
    lif.post()
    assert lif.uuid
    got = IpInterface(uuid=lif.uuid)
    got.get(fields="services,state")
    assert "data_iscsi" in got.services and got.state == "up"
    lif.delete()

    name = unique_name("svm")
    svm = Svm(name=name, comment="compat")
    svm.post(poll=True)
    found = Svm.find(name=name, fields="comment,state")
    assert found.comment == "compat" and found.state == "running"
    found.comment = "changed"
    found.patch(poll=True)
    found.delete(poll=True)
    assert Svm.find(name=name) is None
