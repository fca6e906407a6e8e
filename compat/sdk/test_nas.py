"""NAS objects beyond volumes through netapp_ontap.resources (ExportPolicy,
ExportRule, Qtree, QuotaRule, SnapshotPolicy, Schedule, NfsService, QosPolicy,
CifsService, CifsShare)."""

from netapp_ontap.resources import (CifsService, CifsShare, ExportPolicy, ExportRule, NfsService, QosPolicy, Qtree, QuotaRule,
                                    Schedule, SnapshotPolicy)

from sdkcompat import MiB, SVM_NAME, expect_failure, unique_name


def test_export_policy_rules_and_use(volumes, traffic):
    name = unique_name("pol")
    pol = ExportPolicy(name=name, svm={"name": SVM_NAME})
    pol.post()
    assert pol.id
    found = ExportPolicy.find(name=name, fields="svm")
    assert found.id == pol.id and found.svm.name == SVM_NAME

    rule = ExportRule(pol.id, clients=[{"match": "10.0.0.0/8"}], ro_rule=["sys"], rw_rule=["sys"], protocols=["nfs"])
    rule.post()
    assert rule.index == 1
    rules = list(ExportRule.get_collection(pol.id, fields="clients,rw_rule"))
    assert [r.clients[0].match for r in rules] == ["10.0.0.0/8"]

    # The same rule again: ONTAP's 1704070, which Trident reads as "exists".
    dup = ExportRule(pol.id, clients=[{"match": "10.0.0.0/8"}], ro_rule=["sys"], rw_rule=["sys"], protocols=["nfs"])
    assert expect_failure(lambda: dup.post(), traffic).code == "1704070"

    vol = volumes.create(name=unique_name("polvol"), size=100 * MiB, nas={"export_policy": {"name": name}})
    failure = expect_failure(lambda: pol.delete(), traffic)
    assert (failure.status, failure.code) == (409, "1703945")
    vol.delete(poll=True)
    volumes.uuids.remove(vol.uuid)

    rule.delete()
    pol.delete()
    assert ExportPolicy.find(name=name) is None


def test_qtree_and_quota_rule(volumes, traffic):
    vol = volumes.create(name=unique_name("qvol"), size=100 * MiB)
    qt = Qtree(name="q1", volume={"name": vol.name}, svm={"name": SVM_NAME}, security_style="unix")
    qt.post(poll=True)
    found = Qtree.find(name="q1", **{"volume.name": vol.name}, fields="path,export_policy,id")
    assert found.path == f"/vol/{vol.name}/q1" and found.export_policy.name == "default" and found.id == 1
    # Every volume lists its default qtree 0.
    assert Qtree.count_collection(**{"volume.name": vol.name}) == 2

    rule = QuotaRule(type="tree", qtree={"name": "q1"}, volume={"name": vol.name}, svm={"name": SVM_NAME}, space={"hard_limit": 10 * MiB})
    rule.post(poll=True)
    got = QuotaRule.find(type="tree", **{"volume.name": vol.name, "qtree.name": "q1"}, fields="uuid,space.hard_limit")
    assert got.space.hard_limit == 10 * MiB
    got.space = {"hard_limit": 20 * MiB}
    got.patch(poll=True)
    again = QuotaRule(uuid=got.uuid)
    again.get(fields="space.hard_limit")
    assert again.space.hard_limit == 20 * MiB

    qt = Qtree(volume={"uuid": vol.uuid}, id=1)
    qt.delete(poll=True)
    assert QuotaRule.find(**{"volume.name": vol.name}) is None  # the qtree's rule went with it


def test_snapshot_policy_schedule_and_nfs(volumes, traffic):
    assert {p.name for p in SnapshotPolicy.get_collection()} >= {"default", "default-1weekly", "none"}
    sched = Schedule(name=unique_name("sch"), interval="PT2H")
    sched.post()
    found = Schedule.find(name=sched.name, fields="type,interval")
    assert found.type == "interval" and found.interval == "PT2H"

    name = unique_name("sp")
    sp = SnapshotPolicy(name=name, svm={"name": SVM_NAME}, copies=[{"count": 3, "schedule": {"name": "hourly"}}])
    sp.post()
    got = SnapshotPolicy.find(name=name, fields="copies,scope")
    assert got.scope == "svm" and got.copies[0].count == 3 and got.copies[0].prefix == "hourly"
    failure = expect_failure(lambda: volumes.create(name=unique_name("spvol"), snapshot_policy={"name": "nosuch"}), traffic)
    assert failure.code == "917551"
    sp.delete()
    sched.delete()

    svc = NfsService(svm={"name": SVM_NAME}, protocol={"v3_enabled": True, "v41_enabled": True})
    svc.post()
    svc = NfsService.find(**{"svm.name": SVM_NAME}, fields="state,protocol")
    assert svc.state == "online" and svc.protocol.v41_enabled is True
    svc.delete()


def test_policies_schedules_and_nfs_patch(volumes, traffic):
    """Create, get, patch and delete a schedule, a snapshot policy and the NFS service."""
    sched = Schedule(name=unique_name("sch"), interval="PT2H")
    sched.post()
    sched.interval = "PT30M"
    sched.patch()
    got = Schedule(uuid=sched.uuid)
    got.get(fields="interval,type")
    assert (got.interval, got.type) == ("PT30M", "interval")

    sp = SnapshotPolicy(name=unique_name("sp"), svm={"name": SVM_NAME}, copies=[{"count": 3, "schedule": {"name": "hourly"}}])
    sp.post()
    sp.comment = "patched"
    sp.enabled = False
    sp.patch()
    got = SnapshotPolicy(uuid=sp.uuid)
    got.get(fields="comment,enabled,copies")
    assert (got.comment, got.enabled, got.copies[0].count) == ("patched", False, 3)
    sp.delete()
    assert SnapshotPolicy.find(name=sp.name) is None
    sched.delete()
    assert Schedule.find(name=sched.name) is None

    svc = NfsService(svm={"name": SVM_NAME}, protocol={"v3_enabled": True, "v41_enabled": False})
    svc.post()
    svc = NfsService.find(**{"svm.name": SVM_NAME}, fields="svm.uuid")
    svc.protocol = {"v41_enabled": True}
    svc.enabled = False
    svc.patch()
    got = NfsService.find(**{"svm.name": SVM_NAME}, fields="state,enabled,protocol")
    assert got.enabled is False and got.protocol.v41_enabled is True and got.protocol.v3_enabled is True
    svc.delete()
    assert NfsService.find(**{"svm.name": SVM_NAME}) is None


def test_qos_policy(volumes, traffic):
    name = unique_name("qos")
    pol = QosPolicy(name=name, svm={"name": SVM_NAME}, fixed={"max_throughput_iops": 1000, "capacity_shared": False})
    pol.post(poll=True)
    found = QosPolicy.find(name=name, fields="fixed,svm")
    assert found.uuid and found.fixed.max_throughput_iops == 1000 and found.svm.name == SVM_NAME
    found.fixed = {"max_throughput_iops": 2000}
    found.patch(poll=True)
    got = QosPolicy(uuid=found.uuid)
    got.get(fields="fixed")
    assert got.fixed.max_throughput_iops == 2000
    dup = QosPolicy(name=name, svm={"name": SVM_NAME}, fixed={"max_throughput_iops": 10})
    failure = expect_failure(lambda: dup.post(poll=True), traffic)
    assert (failure.via, failure.code) == ("job", "8454154")  # the create's job fails: the name is taken
    got.delete(poll=True)
    assert QosPolicy.find(name=name) is None


def test_cifs_service_and_share(volumes, traffic):
    vol = volumes.create(name=unique_name("cifsvol"), size=100 * MiB, nas={"path": "/" + unique_name("cj")})
    svc = CifsService(name="SDKCIFS", svm={"name": SVM_NAME},
                      ad_domain={"fqdn": "example.com", "user": "admin", "password": "secret"})
    svc.post(poll=True)
    svc = CifsService.find(**{"svm.name": SVM_NAME}, fields="svm.uuid,name,enabled")
    assert svc.name == "SDKCIFS" and svc.enabled is True
    svc.enabled = False
    svc.comment = "sdk"
    svc.patch(poll=True)
    got = CifsService.find(**{"svm.name": SVM_NAME}, fields="enabled,comment")
    assert (got.enabled, got.comment) == (False, "sdk")

    share = CifsShare(name="sdk_share", path=vol.nas.path, svm={"name": SVM_NAME}, comment="first")
    share.post()
    found = CifsShare.find(name="sdk_share", **{"svm.name": SVM_NAME}, fields="svm.uuid,path,comment,oplocks,acls")
    assert found.path == vol.nas.path and found.comment == "first" and found.oplocks is True
    assert found.acls[0].user_or_group == "Everyone"
    found.comment = "second"
    found.oplocks = False
    found.patch()
    got = CifsShare(svm={"uuid": found.svm.uuid}, name="sdk_share")
    got.get(fields="comment,oplocks")
    assert (got.comment, got.oplocks) == ("second", False)
    dup = CifsShare(name="sdk_share", path="/", svm={"name": SVM_NAME})
    assert expect_failure(lambda: dup.post(), traffic).status == 409
    got.delete()
    assert CifsShare.find(name="sdk_share", **{"svm.name": SVM_NAME}) is None

    svc.delete(poll=True, body={"ad_domain": {"user": "admin", "password": "secret"}})
    assert CifsService.find(**{"svm.name": SVM_NAME}) is None
