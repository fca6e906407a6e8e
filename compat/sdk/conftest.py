"""Fixtures: a real `nessie serve` process and SDK connections to it.

The daemon binary comes from $NESSIE_BIN (run.sh builds it); without it the
suite builds ./cmd/nessie itself with `go build`. Each daemon gets a temp data
dir, a config file naming the cluster objects, port 0 (the daemon prints the
real port) and a random password.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from netapp_ontap import HostConnection, config
from netapp_ontap.error import NetAppRestError
from netapp_ontap.resources import Volume

from sdkcompat import (
    AGGR_NAME, DAEMON_CONFIG, MiB, POLL_INTERVAL_S, POLL_TIMEOUT_S, SVM_NAME,
    Daemon, Traffic, start_daemon, unique_name,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def nessie_bin(tmp_path_factory) -> str:
    path = os.environ.get("NESSIE_BIN")
    if path:
        return path
    out = tmp_path_factory.mktemp("bin") / "nessie"
    subprocess.run(["go", "build", "-o", str(out), "./cmd/nessie"], cwd=REPO_ROOT,
                   check=True, env=dict(os.environ, CGO_ENABLED="0"))
    return str(out)


def launch(nessie_bin: str, workdir: Path, extra_args: list[str]) -> Daemon:
    return start_daemon(nessie_bin, workdir, DAEMON_CONFIG, extra_args)


def connect(daemon: Daemon, traffic: Traffic | None = None, **overrides) -> HostConnection:
    """An SDK connection to daemon: HTTPS with verify=False and Basic auth."""
    kwargs = dict(username=daemon.username, password=daemon.password, verify=False,
                  port=daemon.port, poll_interval=POLL_INTERVAL_S, poll_timeout=POLL_TIMEOUT_S)
    kwargs.update(overrides)
    conn = HostConnection("127.0.0.1", **kwargs)
    if traffic is not None:
        conn.session.hooks["response"].append(traffic.hook)
    return conn


@pytest.fixture(scope="session")
def daemon(nessie_bin, tmp_path_factory):
    d = launch(nessie_bin, tmp_path_factory.mktemp("nessie"), [])
    yield d
    rc = d.stop()
    assert rc == 0, f"nessie did not exit cleanly on SIGTERM (status {rc}); output:\n{d.log()}"


@pytest.fixture(scope="session")
def session_traffic() -> Traffic:
    return Traffic()


@pytest.fixture(scope="session")
def conn(daemon, session_traffic):
    """The library-wide connection (netapp_ontap.config.CONNECTION)."""
    assert daemon.scheme == "https", "the daemon must serve HTTPS by default"
    c = connect(daemon, session_traffic)
    config.CONNECTION = c
    yield c
    config.CONNECTION = None


@pytest.fixture
def traffic(conn, session_traffic) -> Traffic:
    """What the SDK sent and got during this test."""
    session_traffic.clear()
    return session_traffic


class VolumeFactory:
    """Creates volumes through the SDK and deletes the survivors afterwards."""

    def __init__(self):
        self.uuids: list[str] = []

    def create(self, name: str | None = None, size: int = 100 * MiB, **fields) -> Volume:
        vol = Volume(name=name or unique_name("vol"), svm={"name": SVM_NAME},
                     aggregates=[{"name": AGGR_NAME}], size=size, **fields)
        vol.post(poll=True)
        self.track(vol)
        return vol

    def track(self, vol: Volume) -> None:
        self.uuids.append(vol.uuid)

    def cleanup(self) -> None:
        # Newest first: clones go before the volumes whose snapshots back them.
        for uuid in reversed(self.uuids):
            try:
                Volume(uuid=uuid).delete(poll=True)
            except NetAppRestError:
                pass  # deleted by the test itself; other failures are the test's to report


@pytest.fixture
def volumes(conn):
    factory = VolumeFactory()
    yield factory
    factory.cleanup()
