#!/usr/bin/env python3
"""Differential test: this package against the published nessie-backend-mem.

The two share an import name, so each runs in its own interpreter (a venv)
as a worker, and a coordinator drives both in lockstep:

    differential.py --ours PY --upstream PY [--seeds 1,2,3] [--ops 4000] [--strict]

The coordinator generates a seeded random sequence of calls: good and bad
names (empty, '/', NUL, 256 bytes, quotes, combining marks, lone
surrogates, wrong types), sizes (0, 2**64-1, negative, too big, floats,
bools), UUIDs in every spelling the published package accepts and many it
does not, unknown and deleted IDs, snapshots of other volumes, wrong
argument counts and keywords, and deletes of parents and snapshots that
clones depend on. Each worker runs a call against its own MemBackend and
answers with the outcome: the returned value, or the exception's module,
class, message and args.

IDs are symbolic: a call refers to "the object created by call i, spelled
so", and each worker substitutes its own UUID (a fixed unknown one if the
create failed on its side). Outcomes are normalised before comparison:
every generated UUID becomes R<i> (with its spelling kept visible) in
values and messages, RFC 3339 times become <time>, and lists, whose order the published package does
not define, are sorted by name. The coordinator follows the published
package's outcomes to decide what exists, so one divergence does not
change the calls that follow.

Exit status: 0 if no call diverged (default mode), 1 otherwise. With
--strict (ours in MemBackend(strict=True)) the divergences are expected;
they are summarised by cause, and the exit status is 0.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import re
import subprocess
import sys
import uuid as uuidlib

TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
UUID_RE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|(?<![0-9a-fA-F])[0-9a-fA-F]{32}(?![0-9a-fA-F])"
)

NAMES_ODD = [
    "", "/", "a/b", "nul\0byte", "x" * 255, "y" * 256, "z" * 300, 'q"uote\\back', "it's",
    "tab\tnew\nline\r", "e\u0301", "\u0301lead", "\x7f\x01", "\xa0nbsp\u200b\xad", "emoji😀漢字",
    "\u2028", "\ufeff", "online", " spaced ", "\udc80lone",
]
BAD_IDS = ["x", "", "not-a-uuid", "{x}", "g" * 32, "12345678-1234-1234-1234-12345678901", "urn:uuid:", "e\u0301",
           'q"', " 00000000-0000-0000-0000-000000000000", "{00000000000000000000000000000000}", "\udc80" + "0" * 35]
NOT_STR = [1, None, b"bytes", 1.5, ["l"], "$object"]
SIZES_OK = [None, 0, 1, 4096, 2**40, 2**64 - 1, True, False]
SIZES_BAD = [-1, 2**64, 1.5, "5", [], -(2**70)]
TEXTS = [None, "/", "/vol/x", "rel", "", 'x"y', "/\0", "e\u0301", "pol", 5, "\ud800"]
SPELLINGS = 8  # see Worker.spell


# ---- values on the wire ------------------------------------------------------


def enc(v):
    """Encodes an argument (or a result) as JSON-able data."""
    if isinstance(v, dict) and "$ref" in v:
        return v
    if v == "$object":
        return {"$": "object"}
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int):
        return v if abs(v) < 2**53 else {"$": "int", "v": str(v)}
    if isinstance(v, float):
        return {"$": "float", "v": repr(v)}
    if isinstance(v, bytes):
        return {"$": "bytes", "v": v.decode("latin-1")}
    if isinstance(v, str):
        if any(0xD800 <= ord(c) <= 0xDFFF for c in v):
            return {"$": "str", "v": v.encode("utf-8", "surrogatepass").hex()}
        return v
    if isinstance(v, list):
        return [enc(x) for x in v]
    if isinstance(v, tuple):
        return {"$": "tuple", "v": [enc(x) for x in v]}
    if isinstance(v, dict):
        return {k: enc(x) for k, x in v.items()}
    return {"$": "repr", "v": repr(v)}


def dec(v, resolve):
    if isinstance(v, list):
        return [dec(x, resolve) for x in v]
    if not isinstance(v, dict):
        return v
    if "$ref" in v:
        return resolve(v)
    t = v.get("$")
    if t == "object":
        return object
    if t == "int":
        return int(v["v"])
    if t == "float":
        return float(v["v"])
    if t == "bytes":
        return v["v"].encode("latin-1")
    if t == "str":
        return bytes.fromhex(v["v"]).decode("utf-8", "surrogatepass")
    return {k: dec(x, resolve) for k, x in v.items()}


# ---- the worker: one side --------------------------------------------------


class Worker:
    def __init__(self, strict: bool) -> None:
        import nessie_backend_mem as m

        self.m = m
        self.b = m.MemBackend(strict=True) if strict else m.MemBackend()
        self.created: dict[int, str] = {}  # call index -> UUID it created
        self.names: dict[str, str] = {}  # canonical UUID -> its token R<call index>

    @staticmethod
    def spell(u: str, s: int) -> str:
        return [u, u, u, u.upper(), "{" + u + "}", "urn:uuid:" + u, u.replace("-", ""), "URN:UUID:" + u][s]

    def resolve(self, ref: dict) -> str:
        i = ref["$ref"]
        u = self.created.get(i)
        if u is None:  # the create failed on this side: an ID nothing has
            u = str(uuidlib.UUID(int=(0xDEAD << 112) | i))
            self.names[u] = "R%d" % i
        return self.spell(u, ref.get("spell", 0))

    def token(self, u: str) -> str:
        """R<i> for the object call i created, with the spelling visible
        (~hex: 32 digits, ~UP: upper case); other UUIDs as they are."""
        name = self.names.get(str(uuidlib.UUID(u)))
        if name is None:
            return u
        return name + ("~hex" if len(u) == 32 else "") + ("~UP" if u != u.lower() else "")

    def normalise(self, v):
        if isinstance(v, dict):
            return {k: self.normalise(x) for k, x in v.items()}
        if isinstance(v, list):
            if v and all(isinstance(x, dict) and "name" in x for x in v):
                v = sorted(v, key=lambda x: json.dumps(x["name"]))  # unordered upstream
            return [self.normalise(x) for x in v]
        if isinstance(v, str):
            if TIME_RE.match(v):
                return "<time>"  # strict mode's creation times
            return UUID_RE.sub(lambda m: self.token(m.group(0)), v)
        return v

    def call(self, cmd: dict) -> dict:
        op = cmd["op"]
        args = dec(cmd["args"], self.resolve)
        kwargs = dec(cmd["kwargs"], self.resolve)
        try:
            if op == "NessieError":
                e = self.m.NessieError(*args)
                out = {"args": list(e.args), "str": str(e), "exception": isinstance(e, Exception),
                       "class": "%s.%s" % (type(e).__module__, type(e).__qualname__)}
            elif op == "MemBackend":
                self.m.MemBackend(*args, **kwargs)
                out = "constructed"
            else:
                out = getattr(self.b, op)(*args, **kwargs)
        except Exception as e:  # every outcome is data here
            return self.normalise({"raised": {"type": "%s.%s" % (type(e).__module__, type(e).__qualname__),
                                              "message": str(e), "args": enc(list(e.args))}})
        if op in ("create_volume", "create_clone", "create_snapshot") and isinstance(out, dict):
            self.created[cmd["i"]] = out["uuid"]
            self.names[out["uuid"]] = "R%d" % cmd["i"]
        return self.normalise({"result": enc(out)})

    def serve(self) -> None:
        for line in sys.stdin:
            cmd = json.loads(line)
            if cmd["op"] == "check_invariants" and not hasattr(self.b, "check_invariants"):
                res = {"result": None}
            else:
                res = self.call(cmd)
            sys.stdout.write(json.dumps(res) + "\n")
            sys.stdout.flush()


# ---- the coordinator -----------------------------------------------------------


class Generator:
    """Seeded calls over a model of what the reference side holds."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.vols: list[int] = []  # call indexes that created volumes (live or deleted)
        self.snaps: list[tuple[int, int]] = []  # (volume ref, snapshot ref)
        self.names: list[str] = []

    def ref(self, i: int) -> dict:
        return {"$ref": i, "spell": self.rng.randrange(SPELLINGS)}

    def name(self, prefix: str):
        r = self.rng.random()
        if r < 0.55:
            return "%s%d" % (prefix, self.rng.randrange(60))
        if r < 0.7 and self.names:
            return self.rng.choice(self.names)
        if r < 0.94:
            return self.rng.choice(NAMES_ODD)
        return self.rng.choice(NOT_STR)

    def vol(self):
        r = self.rng.random()
        if r < 0.8 and self.vols:
            pool = self.vols[-30:] if self.rng.random() < 0.7 else self.vols
            return self.ref(self.rng.choice(pool))
        if r < 0.85:
            return "00000000-0000-0000-0000-000000000000"
        if r < 0.9:
            return str(uuidlib.UUID(int=self.rng.getrandbits(128), version=4))
        if r < 0.97:
            return self.rng.choice(BAD_IDS)
        return self.rng.choice(NOT_STR)

    def snap_pair(self):
        if self.rng.random() < 0.8 and self.snaps:
            v, s = self.rng.choice(self.snaps[-30:] if self.rng.random() < 0.7 else self.snaps)
            vol = self.ref(v) if self.rng.random() < 0.9 or not self.vols else self.ref(self.rng.choice(self.vols))
            return vol, self.ref(s)
        return self.vol(), self.vol()

    def size(self):
        return self.rng.choice(SIZES_OK) if self.rng.random() < 0.85 else self.rng.choice(SIZES_BAD)

    def next(self, i: int) -> dict:
        rng = self.rng
        op = rng.choices(
            ["create_volume", "get_volume", "delete_volume", "patch_volume", "create_snapshot", "list_snapshots",
             "get_snapshot", "delete_snapshot", "create_clone", "list_volumes", "capabilities", "bad_call"],
            weights=[16, 10, 7, 9, 12, 4, 7, 6, 12, 2, 1, 4],
        )[0]
        args: list = []
        kwargs: dict = {}
        if op == "create_volume":
            args = [self.name("v")]
            if rng.random() < 0.3:
                kwargs["size_bytes"] = self.size()
            elif rng.random() < 0.6:
                args.append(self.size())
        elif op in ("get_volume", "delete_volume", "list_snapshots"):
            args = [self.vol()]
        elif op == "patch_volume":
            args = [self.vol()]
            vals = {k: (self.size() if k == "size_bytes" else rng.choice(TEXTS)) if rng.random() < 0.4 else None
                    for k in ("size_bytes", "junction_path", "export_policy")}
            if rng.random() < 0.3:
                args += list(vals.values())  # all positional, as the conformance suite calls it
            else:
                kwargs = {k: v for k, v in vals.items() if v is not None}
        elif op == "create_snapshot":
            args = [self.vol(), self.name("s")]
        elif op in ("get_snapshot", "delete_snapshot"):
            args = list(self.snap_pair())
        elif op == "create_clone":
            args = [*self.snap_pair(), self.name("c")]
        elif op == "bad_call":
            u = self.ref(self.vols[-1]) if self.vols else "x"
            op, args, kwargs = rng.choice([
                ("get_volume", [], {}),
                ("get_volume", [u, 1], {}),
                ("get_volume", [u], {"uuid": u}),
                ("get_volume", [], {"uuid": u}),
                ("get_volume", [], {"uid": u}),
                ("create_volume", ["n", 1, 2], {}),
                ("create_volume", [], {"name": "kw-name", "size_bytes": 7}),
                ("create_clone", [u], {}),
                ("create_clone", [], {}),
                ("patch_volume", [u, None, None, None, None], {}),
                ("patch_volume", [], {"size_bytes": 1}),
                ("create_snapshot", [u], {"name": "kw", "bogus": 1}),
                ("list_volumes", [1], {}),
                ("list_volumes", [], {"x": 1}),
                ("capabilities", [1], {}),
            ])
        return {"i": i, "op": op, "args": enc(args), "kwargs": enc(kwargs)}

    def learn(self, cmd: dict, outcome: dict) -> None:
        res = outcome.get("result")
        if not isinstance(res, dict) or "uuid" not in res:
            return
        if cmd["op"] in ("create_volume", "create_clone"):
            self.vols.append(cmd["i"])
            self.names.append(res["name"])
        elif cmd["op"] == "create_snapshot" and isinstance(cmd["args"][0], dict):
            self.snaps.append((cmd["args"][0]["$ref"], cmd["i"]))


PREAMBLE = [
    {"op": "NessieError", "args": [], "kwargs": {}},
    {"op": "NessieError", "args": ["msg"], "kwargs": {}},
    {"op": "NessieError", "args": ["msg", 404], "kwargs": {}},
    {"op": "NessieError", "args": [None, 1, 2], "kwargs": {}},
    {"op": "MemBackend", "args": [1], "kwargs": {}},
]


class Side:
    def __init__(self, python: str, strict: bool) -> None:
        cmd = [python, __file__, "--worker"] + (["--strict"] if strict else [])
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd="/",
                                  encoding="utf-8")

    def call(self, cmd: dict) -> dict:
        self.p.stdin.write(json.dumps(cmd) + "\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            raise SystemExit("differential: a worker died (%s)" % self.p.args)
        return json.loads(line)

    def close(self) -> None:
        self.p.stdin.close()
        if self.p.wait() != 0:
            raise SystemExit("differential: a worker failed (%s)" % self.p.args)


def classify(a: dict, b: dict) -> str:
    if "raised" in a and "raised" in b:
        return "both raise, differently" if a["raised"]["type"] == b["raised"]["type"] else "different exceptions"
    if "raised" in a:
        return "ours raises, upstream returns"
    if "raised" in b:
        return "upstream raises, ours returns"
    return "different results"


STRICT_ONLY = ("create_time", "used_bytes", "junction_path", "export_policy", "comment",
               "parent_volume_uuid", "parent_snapshot_uuid")


def published_keys(v):
    """v without the strict mode's extra keys."""
    if isinstance(v, dict):
        return {k: published_keys(x) for k, x in v.items() if k not in STRICT_ONLY}
    if isinstance(v, list):
        return [published_keys(x) for x in v]
    return v


def cause(cmd: dict, x: dict, y: dict) -> str:
    """Why the strict mode's outcome x differs from the published y."""
    if "result" in x and "result" in y:
        a, b = published_keys(x["result"]), published_keys(y["result"])
        if a == b:
            return "richer dicts: create_time, used_bytes, clone UUIDs, junction path, export policy"
        if cmd["op"] == "create_clone" and isinstance(a, dict) and isinstance(b, dict) and \
                {**a, "size_bytes": None} == {**b, "size_bytes": None}:
            return "a clone has the size of its snapshot, not the parent's current size"
    msg = x.get("raised", {}).get("message", "")
    if msg.startswith("invalid argument: name ") or "name is " in msg:
        return "names must be non-empty, at most 255 bytes, without '/' or NUL"
    if "in use" in msg:
        return "deleting a volume or snapshot an unsplit clone depends on is refused (in_use)"
    if "junction path" in msg or (cmd["op"] == "patch_volume" and "raised" in y and "result" in x):
        return "junction paths are validated by ONTAP's rules and stored ('' unmounts)"
    return "follows from an earlier divergence (an object exists on one side only)"


def run(ours: str, upstream: str, seeds: list[int], ops: int, strict: bool, show: int) -> int:
    total = 0
    diverged: list[tuple[int, dict, dict, dict]] = []
    for seed in seeds:
        a, b = Side(ours, strict), Side(upstream, False)
        gen = Generator(seed)
        cmds = [dict(c, i=-1 - k) for k, c in enumerate(PREAMBLE)]
        for k, cmd in enumerate(cmds + [None] * ops):
            cmd = cmd or gen.next(k - len(cmds))
            x, y = a.call(cmd), b.call(cmd)
            total += 1
            if x != y:
                diverged.append((seed, cmd, x, y))
            gen.learn(cmd, y)
        inv = a.call({"i": ops, "op": "check_invariants", "args": [], "kwargs": {}})
        if "raised" in inv:
            diverged.append((seed, {"op": "check_invariants"}, inv, {"result": None}))
        a.close()
        b.close()
    mode = "strict" if strict else "default"
    print("differential (%s mode vs nessie-backend-mem 0.3.1): %d calls, seeds %s: %d diverged"
          % (mode, total, ",".join(map(str, seeds)), len(diverged)))
    key = (lambda c, x, y: ("", cause(c, x, y))) if strict else (lambda c, x, y: (c["op"], classify(x, y)))
    kinds = collections.Counter(key(c, x, y) for _, c, x, y in diverged)
    examples: dict[tuple[str, str], tuple] = {}
    for d in diverged:
        examples.setdefault(key(d[1], d[2], d[3]), d)
    for (op, kind), n in sorted(kinds.items(), key=lambda kv: -kv[1]):
        seed, cmd, x, y = examples[(op, kind)]
        print("  %5d  %-16s %s" % (n, op, kind) if op else "  %5d  %s" % (n, kind))
        if show > 0:
            show -= 1
            print("         e.g. seed %d call %s args=%s kwargs=%s\n           ours:     %s\n           upstream: %s"
                  % (seed, cmd.get("i"), json.dumps(cmd.get("args"))[:200], json.dumps(cmd.get("kwargs"))[:120],
                     json.dumps(x)[:300], json.dumps(y)[:300]))
    return 0 if strict or not diverged else 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--ours", help="python of the venv holding this package")
    p.add_argument("--upstream", help="python of the venv holding nessie-backend-mem==0.3.1")
    p.add_argument("--seeds", default="1,2,3")
    p.add_argument("--ops", type=int, default=4000, help="calls per seed")
    p.add_argument("--strict", action="store_true", help="run ours as MemBackend(strict=True)")
    p.add_argument("--show", type=int, default=40, help="example divergences to print")
    a = p.parse_args()
    if a.worker:
        Worker(a.strict).serve()
        return 0
    if not a.ours or not a.upstream:
        p.error("--ours and --upstream are required")
    return run(a.ours, a.upstream, [int(s) for s in a.seeds.split(",")], a.ops, a.strict, a.show)


if __name__ == "__main__":
    sys.exit(main())
