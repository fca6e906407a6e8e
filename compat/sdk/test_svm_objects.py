"""Objects and volumes in an SVM created through the API, FC Protocol and NVMe services,
a snapshot policy's schedules and a volume's QoS policy, through
netapp_ontap.resources (Svm, ExportPolicy, NfsService, FcpService,
NvmeService, SnapshotPolicy, SnapshotPolicySchedule, Schedule, QosPolicy,
Volume)."""

from netapp_ontap.resources import (ExportPolicy, FcpService, NfsService, NvmeService, QosPolicy, Schedule, SnapshotPolicy,
                                    SnapshotPolicySchedule, Svm, Volume)

from sdkcompat import AGGR_NAME, MiB, SVM_NAME, expect_failure, unique_name


def test_objects_in_a_second_svm(traffic):
    name = unique_name("svm")
    svm = Svm(name=name)
    svm.post(poll=True)
    svm = Svm.find(name=name)
    try:
        # It starts with its own default export policy; names are per SVM.
        assert ExportPolicy.find(name="default", **{"svm.name": name}) is not None
        ours = ExportPolicy(name="web", svm={"name": name})
        ours.post()
        theirs = ExportPolicy(name="web", svm={"name": SVM_NAME})
        theirs.post()
        assert ours.id != theirs.id
        assert ExportPolicy.count_collection(name="web") == 2
        svc = NfsService(svm={"uuid": svm.uuid})
        svc.post()
        assert NfsService.find(**{"svm.name": name}) is not None

        # A volume in the second SVM, with that SVM's export policy (the
        # cluster SVM's of the same name is another policy); it is listed
        # under its SVM, its clone inherits the SVM, and the SVM cannot be
        # deleted while it holds them.
        vname = unique_name("v2")
        vol = Volume(name=vname, svm={"name": name}, aggregates=[{"name": AGGR_NAME}], size=100 * MiB,
                     nas={"export_policy": {"name": "web"}, "path": "/" + vname})
        vol.post(poll=True)
        vol = Volume.find(name=vname, fields="svm,nas.export_policy.name")
        assert (vol.svm.name, vol.svm.uuid, vol.nas.export_policy.name) == (name, svm.uuid, "web")
        assert [v.name for v in Volume.get_collection(**{"svm.name": name})] == [vname]
        clone = Volume(name=unique_name("c2"), svm={"name": name}, clone={"is_flexclone": True, "parent_volume": {"name": vname}})
        clone.post(poll=True)
        clone = Volume.find(name=clone.name, fields="svm,clone.parent_svm.name")
        assert (clone.svm.name, clone.clone.parent_svm.name) == (name, name)
        assert expect_failure(lambda: Svm(uuid=svm.uuid).delete(poll=True), traffic).code == "8"
        assert expect_failure(lambda: ours.delete(), traffic).code == "1703945"
        clone.delete(poll=True)
        vol.delete(poll=True)
        theirs.delete()
    finally:
        svm.delete(poll=True)
    # Its objects went with it.
    assert ExportPolicy.find(name="web") is None
    assert NfsService.find(**{"svm.name": name}) is None


def test_fcp_and_nvme_services(traffic):
    for cls, enabled_code in ((FcpService, "5373960"), (NvmeService, "72090028")):
        svc = cls(svm={"name": SVM_NAME})
        svc.post()
        found = cls.find(**{"svm.name": SVM_NAME}, fields="enabled,svm.uuid")
        assert found.enabled is True
        assert expect_failure(lambda: found.delete(), traffic).code == enabled_code
        found.enabled = False
        found.patch()
        found.delete()
        assert cls.find(**{"svm.name": SVM_NAME}) is None
    fc = FcpService(svm={"name": SVM_NAME}, enabled=False)
    fc.post()
    got = FcpService.find(**{"svm.name": SVM_NAME}, fields="target")
    assert got.target.name.startswith("20:00:")
    got.delete()


def test_snapshot_policy_schedules(traffic):
    sp = SnapshotPolicy(name=unique_name("sp"), svm={"name": SVM_NAME}, copies=[{"count": 2, "schedule": {"name": "hourly"}}])
    sp.post()
    daily = Schedule.find(name="daily")
    hourly = Schedule.find(name="hourly")
    entry = SnapshotPolicySchedule(sp.uuid, schedule={"uuid": daily.uuid}, count=5, prefix="nightly")
    entry.post()
    listed = list(SnapshotPolicySchedule.get_collection(sp.uuid, fields="count,prefix"))
    assert sorted((e.schedule.name, e.count) for e in listed) == [("daily", 5), ("hourly", 2)]
    entry = SnapshotPolicySchedule(sp.uuid, **{"schedule.uuid": daily.uuid})
    entry.get()
    assert (entry.count, entry.prefix) == (5, "nightly")
    entry.count = 7
    entry.patch()
    got = SnapshotPolicy(uuid=sp.uuid)
    got.get(fields="copies")
    assert sorted(c.count for c in got.copies) == [2, 7]
    dup = SnapshotPolicySchedule(sp.uuid, schedule={"name": "hourly"}, count=1, prefix="h2")
    assert expect_failure(lambda: dup.post(), traffic).code == "1638410"
    # A schedule a policy uses stays.
    assert expect_failure(lambda: Schedule(uuid=hourly.uuid).delete(), traffic).code == "459758"
    SnapshotPolicySchedule(sp.uuid, **{"schedule.uuid": hourly.uuid}).delete()
    last = SnapshotPolicySchedule(sp.uuid, **{"schedule.uuid": daily.uuid})
    assert expect_failure(lambda: last.delete(), traffic).code == "1638411"
    sp.delete()


def test_volume_qos_policy(volumes, traffic):
    name = unique_name("qos")
    missing = Volume(name=unique_name("qv"), svm={"name": SVM_NAME}, aggregates=[{"name": AGGR_NAME}], size=100 * MiB,
                     qos={"policy": {"name": name}})
    assert expect_failure(lambda: missing.post(poll=True), traffic).code == "8454243"
    pol = QosPolicy(name=name, svm={"name": SVM_NAME}, fixed={"max_throughput_iops": 500})
    pol.post(poll=True)
    vol = volumes.create(name=unique_name("qv"), qos={"policy": {"name": name}})
    got = Volume(uuid=vol.uuid)
    got.get(fields="qos")
    assert got.qos.policy.name == name
    assert expect_failure(lambda: pol.delete(poll=True), traffic).code == "8"
    vol.delete(poll=True)
    volumes.uuids.remove(vol.uuid)
    pol.delete(poll=True)
