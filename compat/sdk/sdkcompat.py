"""Harness for driving a real `nessie serve` process with the netapp-ontap SDK.

Nothing here talks to the daemon except to start it, wait for it and stop it:
every request in a test goes through the unmodified SDK. The `Traffic`
recorder only observes the SDK's own HTTP session (a requests response
hook), so tests can assert what went over the wire (202s, job links,
Location headers, pagination pages) without issuing requests themselves.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from netapp_ontap.error import NetAppRestError
from netapp_ontap.resources import Job, Volume

# Names the daemon is configured with; discovery tests check the SDK sees them.
CLUSTER_NAME = "compat_cluster"
SVM_NAME = "vs_compat"
AGGR_NAME = "aggr_compat"
NODE_NAME = "compat-01"
DATA_LIF = "127.0.0.1"
ONTAP_VERSION = (9, 16, 1)

DAEMON_CONFIG = f"""
cluster_name = "{CLUSTER_NAME}"
node_name = "{NODE_NAME}"
svm_name = "{SVM_NAME}"
aggregate_name = "{AGGR_NAME}"
data_lif = "{DATA_LIF}"
ontap_version = "{'.'.join(map(str, ONTAP_VERSION))}"
"""

# Job polling: the SDK's defaults (5 s interval) would make the suite slow.
POLL_INTERVAL_S = 0.05
POLL_TIMEOUT_S = 30

MiB = 1 << 20

# How long the daemon may take to print its URL and accept connections.
START_DEADLINE_S = 60.0
# How long a SIGTERM-ed daemon may take to exit before it is killed.
STOP_DEADLINE_S = 15.0

_URL_RE = re.compile(r"(https?)://127\.0\.0\.1:(\d+)")


@dataclass
class Daemon:
    """One running `nessie serve` process on 127.0.0.1 with a free port."""

    proc: subprocess.Popen
    scheme: str
    port: int
    username: str
    password: str
    data_dir: Path
    log_path: Path

    def log(self) -> str:
        """Everything the daemon wrote to stdout and stderr so far."""
        return self.log_path.read_text(errors="replace")

    def stop(self) -> Optional[int]:
        """SIGTERM the daemon and wait for it; kill it if it does not exit."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_DEADLINE_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(STOP_DEADLINE_S)
        return self.proc.returncode


def start_daemon(binary: str, workdir: Path, config: str, extra_args: list[str]) -> Daemon:
    """Start `nessie serve` with a fresh data dir, a random password and port 0.

    The password travels in NESSIE_ADMIN_PASSWORD (not argv), as the daemon's
    documentation recommends. The real port is read from the URL the daemon
    prints on start.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    data_dir = workdir / "data"
    config_path = workdir / "nessie.toml"
    config_path.write_text(config)
    log_path = workdir / "daemon.log"
    username = "compat_admin"
    password = "pw-" + secrets.token_urlsafe(18)
    env = dict(os.environ, NESSIE_ADMIN_PASSWORD=password)
    cmd = [
        binary, "serve",
        "--listen", "127.0.0.1:0",
        "--data-dir", str(data_dir),
        "--config", str(config_path),
        "--username", username,
        # NESSIE_STORE=durable runs the whole suite against the durable store.
        *(["--store", os.environ["NESSIE_STORE"]] if os.environ.get("NESSIE_STORE") else []),
        *extra_args,
    ]
    log = open(log_path, "wb")  # the child keeps its own copy of the descriptor
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, env=env)
    finally:
        log.close()

    deadline = time.monotonic() + START_DEADLINE_S
    match = None
    while time.monotonic() < deadline:
        match = _URL_RE.search(log_path.read_text(errors="replace"))
        if match or proc.poll() is not None:
            break
        time.sleep(0.05)
    daemon = Daemon(proc, match.group(1) if match else "", int(match.group(2)) if match else 0,
                    username, password, data_dir, log_path)
    if not match:
        daemon.stop()
        raise RuntimeError(f"nessie did not print its URL (exit {proc.returncode}); "
                           f"command {cmd}; output:\n{daemon.log()}")
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", daemon.port), timeout=1).close()
            return daemon
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.05)
    daemon.stop()
    raise RuntimeError(f"nessie printed port {daemon.port} but does not accept connections; "
                       f"output:\n{daemon.log()}")


@dataclass
class Exchange:
    """One HTTP request the SDK made and the response it got."""

    method: str
    path: str
    query: dict[str, list[str]]
    status: int
    headers: dict[str, str]
    body: Any  # the response's parsed JSON, or None
    request_body: Any  # the request's parsed JSON, or None

    def job(self) -> Optional[dict]:
        if isinstance(self.body, dict) and isinstance(self.body.get("job"), dict):
            return self.body["job"]
        return None


@dataclass
class Traffic:
    """Records every response on one SDK session (a requests response hook)."""

    exchanges: list[Exchange] = field(default_factory=list)

    def hook(self, response, *_args, **_kwargs):
        url = urllib.parse.urlsplit(response.request.url)
        try:
            body = response.json()
        except ValueError:
            body = None
        try:
            raw = response.request.body
            request_body = json.loads(raw) if raw else None
        except ValueError:
            request_body = None
        self.exchanges.append(Exchange(
            method=response.request.method,
            path=url.path,
            query=urllib.parse.parse_qs(url.query, keep_blank_values=True),
            status=response.status_code,
            headers=dict(response.headers),
            body=body,
            request_body=request_body,
        ))
        return response

    def clear(self) -> None:
        self.exchanges.clear()

    def mutations(self) -> list[Exchange]:
        return [e for e in self.exchanges if e.method in ("POST", "PATCH", "DELETE")]

    def job_polls(self, job_href: str) -> list[Exchange]:
        return [e for e in self.exchanges if e.method == "GET" and e.path == job_href]

    def last_mutation(self) -> Exchange:
        muts = self.mutations()
        assert muts, "the SDK sent no mutation"
        return muts[-1]


_counter = itertools.count(1)


def unique_name(prefix: str) -> str:
    """A fresh volume/snapshot name that satisfies ONTAP's naming rules."""
    return f"{prefix}_{next(_counter)}_{secrets.token_hex(3)}"


@dataclass
class Failure:
    """An ONTAP failure as a client can observe it.

    via is "http" when the request itself was refused (4xx envelope on the
    NetAppRestError) and "job" when the request was accepted and its job
    failed (the SDK raises "Job failed: <message>"; code and message are then
    read from the job object through the SDK's Job resource).
    """

    via: str
    status: Optional[int]
    code: str
    message: str
    target: Optional[str]
    sdk_message: str


def expect_failure(action: Callable[[], Any], traffic: Traffic) -> Failure:
    """Run an SDK call that must fail and return how ONTAP reported it."""
    traffic.clear()
    try:
        action()
    except NetAppRestError as exc:
        return _failure_of(exc, traffic)
    raise AssertionError("the SDK call succeeded; ONTAP would have refused it")


# Go formatting artefacts that must never reach a client in an error message.
_GO_ARTEFACTS = ("<nil>", "%!", "&{", "map[")


def _check_message(message: str) -> None:
    for bad in _GO_ARTEFACTS:
        assert bad not in message, f"error message leaks {bad!r}: {message!r}"


def _failure_of(exc: NetAppRestError, traffic: Traffic) -> Failure:
    failure = _read_failure(exc, traffic)
    _check_message(failure.message)
    return failure


def _read_failure(exc: NetAppRestError, traffic: Traffic) -> Failure:
    sdk_message = str(exc)
    if exc.status_code is not None:
        body = exc.response_body
        assert isinstance(body, dict) and isinstance(body.get("error"), dict), (
            f"HTTP {exc.status_code} without ONTAP's error envelope: {exc.response_text!r}")
        err = body["error"]
        assert isinstance(err.get("code"), str), f"error.code must be a JSON string: {err!r}"
        assert isinstance(err.get("message"), str) and err["message"], f"empty message: {err!r}"
        assert err["message"] in sdk_message, (sdk_message, err)
        return Failure("http", exc.status_code, err["code"], err["message"],
                       err.get("target"), sdk_message)
    # No HTTP error on the exception: the SDK raised because a job failed.
    jobs = [e.job() for e in traffic.mutations() if e.job()]
    assert jobs, f"NetAppRestError without an HTTP error or a job: {sdk_message}"
    job = Job(uuid=jobs[-1]["uuid"])
    job.get(fields="state,code,message,error")
    # The wire body, not job.to_dict(): the SDK's Size field would turn a
    # string code into an int and hide a type error.
    info = traffic.exchanges[-1].body
    assert info.get("state") == "failure", f"job did not fail: {info}"
    assert isinstance(info.get("code"), int), f"job.code must be an integer: {info}"
    err = info.get("error") or {}
    assert str(err.get("code")) == str(info["code"]), f"job error.code != job code: {info}"
    assert info.get("message") and info["message"] in sdk_message, (sdk_message, info)
    return Failure("job", None, str(info["code"]), info["message"],
                   err.get("target"), sdk_message)


def check_location(post: Exchange, collection: str, uuid: str, name: str, traffic: Traffic) -> str:
    """Check a create's Location header and how the SDK resolved it.

    ONTAP sends either the new object's path (collection/uuid) or, while the
    job runs, a query on the trailing-slash collection (collection/?name=N);
    the SDK needs one of the two (resource.py _post / _set_keys). Returns
    "path" or "query".
    """
    location = post.headers.get("Location")
    assert location, f"POST {post.path} without Location: the SDK cannot learn the new keys"
    if location == f"{collection}/{uuid}":
        return "path"
    assert location == f"{collection}/?name={urllib.parse.quote(name)}", location
    lookups = [e for e in traffic.exchanges if e.method == "GET" and e.path == collection + "/"]
    assert lookups, "the SDK did not look the query Location up"
    assert lookups[-1].query.get("name") == [name]
    assert lookups[-1].body["records"][0]["_links"]["self"]["href"] == f"{collection}/{uuid}"
    return "query"


def volume_state(uuid: str, **query) -> dict:
    """The volume as the server reports it now, read through a fresh SDK object."""
    vol = Volume(uuid=uuid)
    vol.get(**query)
    return vol.to_dict()


def nas_path(record: dict) -> str:
    """nas.path of a volume record; an absent path reads as unmounted (as Ansible does)."""
    return (record.get("nas") or {}).get("path") or ""
