"""Many Python threads on one backend, and many backends at once."""

from __future__ import annotations

import random
import threading

from conftest import uniq
from nessie_backend_mem import MemBackend, NessieError

THREADS = 8


def run_threads(n, target):
    errors: list[BaseException] = []

    def wrapped(i):
        try:
            target(i)
        except BaseException as e:  # noqa: BLE001 - re-raised in the main thread
            errors.append(e)

    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def well_formed(v):
    assert {"uuid", "name", "size_bytes", "state", "style", "vol_type"} <= v.keys(), v
    assert v["state"] in ("online", "offline", "restricted") and v["style"] == "flexvol"


def test_mixed_workload_on_one_backend_keeps_the_invariants(b):
    """Each thread owns its volumes (so the final state is known exactly)
    and also fights over a small shared pool (where only contract errors
    are allowed). Afterwards the Go invariants hold and the backend holds
    exactly the owned volumes that were not deleted, plus the pool's."""
    rounds = 150
    owned: list[set[str]] = [set() for _ in range(THREADS)]
    shared = [f"shared-{i}" for i in range(4)]
    allowed = {"not_found", "already_exists", "in_use", "invalid_argument"}

    def worker(t):
        rng = random.Random(t)
        mine: dict[str, dict] = {}
        for r in range(rounds):
            op = rng.randrange(8)
            try:
                if op <= 2 or not mine:
                    v = b.create_volume(f"t{t}-{r}", rng.randrange(1 << 40))
                    mine[v["uuid"]] = v
                elif op == 3:
                    uid = rng.choice(list(mine))
                    s = b.create_snapshot(uid, f"s{r}")
                    c = b.create_clone(uid, s["uuid"], f"t{t}-{r}-clone")
                    mine[c["uuid"]] = c
                    if rng.random() < 0.5:
                        b.split_clone(c["uuid"])
                elif op == 4:
                    uid = rng.choice(list(mine))
                    b.delete_volume(uid)  # in_use while a clone depends on it
                    del mine[uid]
                elif op == 5:
                    uid = rng.choice(list(mine))
                    p = b.patch_volume(uid, rng.randrange(1 << 30), comment=f"r{r}")
                    assert p.get("comment") == (f"r{r}" if b.strict else None)
                elif op == 6:
                    name = rng.choice(shared)
                    try:
                        b.create_volume(name)
                    except NessieError as e:
                        assert e.kind == "already_exists", e
                    for v in b.list_volumes():
                        if v["name"] == name and rng.random() < 0.5:
                            try:
                                b.delete_volume(v["uuid"])
                            except NessieError as e:
                                assert e.kind == "not_found", e
                else:
                    for v in b.list_volumes():
                        well_formed(v)
            except NessieError as e:
                assert e.kind in allowed, e
        owned[t] = set(mine)

    run_threads(THREADS, worker)
    b.check_invariants()
    held = {v["uuid"] for v in b.list_volumes() if not v["name"].startswith("shared-")}
    assert held == set().union(*owned)
    names = [v["name"] for v in b.list_volumes()]
    assert len(names) == len(set(names))


def test_threads_sharing_a_backend_see_each_others_writes(b):
    """A write that returned is visible to every thread (linearizability
    of create followed by get from another thread)."""
    vols: list[dict] = []
    lock = threading.Lock()

    def writer(i):
        for k in range(50):
            v = b.create_volume(f"w{i}-{k}")
            with lock:
                vols.append(v)

    run_threads(4, writer)

    def reader(i):
        with lock:
            snapshot = list(vols)
        for v in snapshot:
            assert b.get_volume(v["uuid"]) == v

    run_threads(4, reader)


def test_many_backends_at_once_are_independent():
    """Each thread drives its own backend with the same names; none sees
    another's volumes, and each ends with exactly what it made."""
    backends = [MemBackend() for _ in range(THREADS)]

    def worker(i):
        bk = backends[i]
        made = []
        for k in range(60):
            v = bk.create_volume(f"same-{k}", i)
            made.append(v["uuid"])
            s = bk.create_snapshot(v["uuid"], "snap")
            bk.create_clone(v["uuid"], s["uuid"], f"same-{k}-clone")
        assert {v["uuid"] for v in bk.list_volumes() if "clone" not in v} == set(made)
        assert all(v["size_bytes"] == i for v in bk.list_volumes())
        bk.check_invariants()

    run_threads(THREADS, worker)
    ids = [{v["uuid"] for v in bk.list_volumes()} for bk in backends]
    for i in range(THREADS):
        for j in range(i + 1, THREADS):
            assert not ids[i] & ids[j]
    for bk in backends:
        bk.close()


def test_a_backend_closed_while_other_threads_use_it_fails_cleanly():
    """Calls racing a close either succeed or raise NessieError; once a
    thread has seen the backend closed, it stays closed."""
    bk = MemBackend()
    v = bk.create_volume(uniq())
    started = threading.Barrier(5)
    seen: list[tuple[int, int]] = []  # per thread: successes, then closed

    def user(i):
        started.wait()
        ok = 0
        for _ in range(1_000_000):  # bounded; ends long before this
            try:
                assert bk.get_volume(v["uuid"]) == v
                ok += 1
            except NessieError as e:
                assert "closed" in str(e), e
                break
        for _ in range(10):
            try:
                bk.get_volume(v["uuid"])
                raise AssertionError("a call succeeded after one saw the backend closed")
            except NessieError as e:
                assert "closed" in str(e), e
        seen.append((i, ok))

    def closer(i):
        started.wait()
        bk.close()

    run_threads(5, lambda i: closer(i) if i == 4 else user(i))
    assert len(seen) == 4
