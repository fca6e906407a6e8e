"""Connection and discovery: what an SDK script does before touching a volume."""

import re

import pytest
from netapp_ontap import HostConnection
from netapp_ontap.error import NetAppRestError
from netapp_ontap.resources import Aggregate, Cluster, IpInterface, Node, Svm

from conftest import connect
from sdkcompat import AGGR_NAME, CLUSTER_NAME, DATA_LIF, NODE_NAME, ONTAP_VERSION, SVM_NAME

# "NetApp Release 9.16.1: Wed Jul 16 03:10:07 UTC 2025" (ontap-rest.md §8).
FULL_VERSION_RE = re.compile(
    r"^NetApp Release (\d+)\.(\d+)\.(\d+)(?:[PX]\d+)?: "
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"[ 0-9]\d \d\d:\d\d:\d\d UTC \d{4}$")


def test_host_connection_https_verify_false(daemon, conn, traffic):
    assert isinstance(conn, HostConnection)
    assert conn.origin == f"https://127.0.0.1:{daemon.port}"
    cluster = Cluster()
    cluster.get()
    # The request went over HTTPS with the SDK's client-app header and Basic auth.
    (ex,) = traffic.exchanges
    assert (ex.method, ex.path, ex.status) == ("GET", "/api/cluster", 200)
    assert ex.headers.get("Content-Type", "").split(";")[0] in ("application/hal+json", "application/json")


def test_self_signed_certificate(daemon, conn, monkeypatch):
    # requests lets these override a session's verify=<path> (the SDK's
    # WrappedSession only guards verify=False), so keep them out of the way.
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    # With verification on, the self-signed certificate is refused...
    strict = connect(daemon, verify=True)
    with strict, pytest.raises(NetAppRestError, match="CERTIFICATE_VERIFY_FAILED"):
        Cluster().get()
    # ...and trusting the certificate the daemon keeps in its data dir works.
    cert = daemon.data_dir / "tls" / "cert.pem"
    assert cert.is_file(), f"no certificate at {cert}"
    pinned = connect(daemon, verify=str(cert))
    with pinned:
        cluster = Cluster()
        cluster.get(fields="name")
    assert cluster.name == CLUSTER_NAME


def test_cluster_get_version_fields(conn):
    cluster = Cluster()
    cluster.get()
    got = cluster.to_dict()
    assert got["name"] == CLUSTER_NAME
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", got["uuid"])
    version = got["version"]
    assert (version["generation"], version["major"], version["minor"]) == ONTAP_VERSION
    m = FULL_VERSION_RE.match(version["full"])
    assert m, f"version.full {version['full']!r} is not ONTAP's format"
    assert tuple(int(x) for x in m.groups()[:3]) == ONTAP_VERSION


def test_cluster_get_fields_version_returns_only_version(conn):
    cluster = Cluster()
    cluster.get(fields="version")
    got = cluster.to_dict()
    assert (got["version"]["generation"], got["version"]["major"], got["version"]["minor"]) == ONTAP_VERSION
    assert "name" not in got and "uuid" not in got, f"fields=version returned more: {sorted(got)}"


def test_svm_discovery(conn):
    svms = list(Svm.get_collection())
    assert [s.name for s in svms] == [SVM_NAME]
    # Default collection fields are the keys only.
    assert set(svms[0].to_dict()) <= {"uuid", "name", "_links"}, svms[0].to_dict()

    found = Svm.find(name=SVM_NAME)
    assert found is not None and found.uuid == svms[0].uuid

    svm = Svm(uuid=svms[0].uuid)
    svm.get()
    got = svm.to_dict()
    assert got["name"] == SVM_NAME
    assert got["state"] == "running"
    assert [a["name"] for a in got["aggregates"]] == [AGGR_NAME]

    assert Svm.find(name="no_such_svm") is None


def test_aggregate_discovery(conn):
    aggrs = list(Aggregate.get_collection(fields="name,uuid,block_storage.primary.disk_type"))
    assert [a.name for a in aggrs] == [AGGR_NAME]
    assert aggrs[0].block_storage.primary.disk_type

    aggr = Aggregate(uuid=aggrs[0].uuid)
    aggr.get()
    assert aggr.name == AGGR_NAME
    svm = Svm.find(name=SVM_NAME)
    svm.get(fields="aggregates")
    assert [a.uuid for a in svm.aggregates] == [aggrs[0].uuid], "SVM and aggregate UUIDs disagree"


def test_interface_discovery(conn):
    svm = Svm.find(name=SVM_NAME)
    lifs = list(IpInterface.get_collection(services="data_nfs", **{"svm.uuid": svm.uuid},
                                           fields="ip.address,state,svm,services"))
    assert lifs, "no NFS data LIF on the SVM (Trident: 'no NAS data LIFs found')"
    for lif in lifs:
        assert lif.state == "up"
        assert lif.ip.address == DATA_LIF
        assert lif.svm.name == SVM_NAME
        assert "data_nfs" in lif.services

    one = IpInterface(uuid=lifs[0].uuid)
    one.get()
    assert one.ip.address == DATA_LIF


def test_node_discovery(conn):
    nodes = list(Node.get_collection(fields="name,serial_number"))
    assert [n.name for n in nodes] == [NODE_NAME]
    assert nodes[0].serial_number
