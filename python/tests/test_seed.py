"""The usage the issue quotes, verbatim: it must run unchanged."""


def test_seed_flow_runs_unchanged():
    from nessie_backend_mem import MemBackend
    b = MemBackend()
    vol = b.create_volume("build-cache", size_bytes=50 * 2**30)
    snap = b.create_snapshot(vol["uuid"], "pre-build")
    clone = b.create_clone(vol["uuid"], snap["uuid"], "build-cache-pr1234")
    assert clone["clone"]["parent_volume"] == "build-cache"


def test_upstream_usage_example():
    # examples/usage.py of the original: 50 GiB volume, snapshot, clone,
    # origin names, and the list shrinking from 2 to 1 when the clone goes.
    from nessie_backend_mem import MemBackend

    b = MemBackend()
    vol = b.create_volume("build-cache", size_bytes=50 * 1024**3)
    snap = b.create_snapshot(vol["uuid"], "pre-build")
    clone = b.create_clone(vol["uuid"], snap["uuid"], "build-cache-pr1234")
    assert clone["clone"] == {
        **clone["clone"],
        "parent_volume": "build-cache",
        "parent_snapshot": "pre-build",
    }
    assert len(b.list_volumes()) == 2
    b.delete_volume(clone["uuid"])
    assert [v["name"] for v in b.list_volumes()] == ["build-cache"]
