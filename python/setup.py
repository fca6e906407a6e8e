"""Build hooks for nessie-backend-mem: compile the Go core with cgo.

Metadata lives in pyproject.toml. This file adds three things:

* build_ext runs ``go build -buildmode=c-archive`` on ./python/cshim and
  links the archive into the one extension module, nessie_backend_mem._core
  (cext/_core.c, limited API of CPython 3.10; python/cshim/nessie.h is the
  interface between the two);
* sdist copies the Go sources the library needs (found with ``go list
  -deps``) into the archive under _gosrc/, so a wheel builds from the sdist
  alone;
* bdist_wheel tags the wheel cp310-abi3-<platform>: one wheel serves every
  CPython >= 3.10 on the platform.

The Go module root is, in order: $NESSIE_GO_MODULE_ROOT; _gosrc/ beside
this file (an unpacked sdist); the parent directory (a checkout, which is
what ``pip install ./python`` builds, in place).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.sdist import sdist

try:  # setuptools >= 70.1 ships bdist_wheel itself
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # older setuptools: the wheel package's
    from wheel.bdist_wheel import bdist_wheel  # type: ignore[no-redef]

HERE = os.path.dirname(os.path.abspath(__file__))
MODULE = "github.com/nessie-go/nessie"
SHIM = "./python/cshim"
VENDORED = "_gosrc"


def _is_module_root(path: str) -> bool:
    try:
        with open(os.path.join(path, "go.mod"), encoding="utf-8") as f:
            return f.readline().split() == ["module", MODULE]
    except OSError:
        return False


def module_root() -> str:
    candidates = [
        os.environ.get("NESSIE_GO_MODULE_ROOT", ""),
        os.path.join(HERE, VENDORED),
        os.path.dirname(HERE),
    ]
    for c in candidates:
        if c and _is_module_root(c):
            return c
    raise SystemExit(
        "nessie-backend-mem: cannot find the Go sources (module %s). Build from a "
        "checkout (pip install ./python), from the sdist, or set NESSIE_GO_MODULE_ROOT "
        "to the repository root. Looked in: %s" % (MODULE, ", ".join(c for c in candidates if c))
    )


def go_tool() -> str:
    go = os.environ.get("GO") or shutil.which("go")
    if not go:
        raise SystemExit(
            "nessie-backend-mem: the Go toolchain (go 1.26 or later, with cgo and a C "
            "compiler) is needed to build the core; put `go` on PATH or set $GO"
        )
    return go


class sdist_with_go(sdist):
    """sdist that carries the Go sources of the core under _gosrc/."""

    def make_release_tree(self, base_dir: str, files: list[str]) -> None:
        super().make_release_tree(base_dir, files)
        root = module_root()
        listing = subprocess.run(
            [go_tool(), "list", "-deps", "-json", SHIM],
            cwd=root, check=True, capture_output=True, text=True,
            env=dict(os.environ, CGO_ENABLED="1"),
        ).stdout
        dest = os.path.join(base_dir, VENDORED)
        os.makedirs(dest, exist_ok=True)
        for name in ("go.mod", "go.sum"):
            if os.path.exists(os.path.join(root, name)):
                shutil.copy2(os.path.join(root, name), os.path.join(dest, name))
        for pkg in _json_stream(listing):
            if (pkg.get("Module") or {}).get("Path") != MODULE:
                continue
            rel = os.path.relpath(pkg["Dir"], root)
            os.makedirs(os.path.join(dest, rel), exist_ok=True)
            kinds = ("GoFiles", "CgoFiles", "CFiles", "CXXFiles", "HFiles", "SFiles", "SysoFiles", "EmbedFiles")
            for f in [f for k in kinds for f in pkg.get(k, [])]:
                shutil.copy2(os.path.join(pkg["Dir"], f), os.path.join(dest, rel, f))


def _json_stream(text: str):
    """The objects of a concatenated JSON stream (go list -json output)."""
    dec = json.JSONDecoder()
    i = 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i == len(text):
            return
        obj, i = dec.raw_decode(text, i)
        yield obj


CORE_EXT = Extension(
    "nessie_backend_mem._core",
    sources=["cext/_core.c"],
    include_dirs=["cshim"],
    py_limited_api=True,
    define_macros=[("Py_LIMITED_API", "0x030A0000")],
    extra_compile_args=["-O2"],
)


class build_with_go(build_ext):
    """build_ext that first compiles the Go core into a static archive
    (go build -buildmode=c-archive) and links it into the extension."""

    def build_extension(self, ext: Extension) -> None:
        root = module_root()
        tmp = os.path.abspath(self.build_temp)
        os.makedirs(tmp, exist_ok=True)
        archive = os.path.join(tmp, "libnessie.a")
        cmd = [go_tool(), "build", "-buildmode=c-archive", "-trimpath", "-ldflags=-s -w", "-o", archive, SHIM]
        self.announce("building the Go core: %s (in %s)" % (" ".join(cmd), root), level=2)
        subprocess.check_call(cmd, cwd=root, env=dict(os.environ, CGO_ENABLED="1"))
        ext.extra_objects = [archive]
        ext.depends = [archive]  # relink whenever the Go core was rebuilt
        ext.extra_link_args = ["-lpthread"]
        if sys.platform == "darwin":
            ext.extra_link_args += ["-framework", "CoreFoundation", "-framework", "Security"]
        super().build_extension(ext)


class abi3_wheel(bdist_wheel):
    """Tag the wheel cp310-abi3-<platform>: the extension uses only the
    limited API of CPython 3.10."""

    def get_tag(self) -> tuple[str, str, str]:
        _, _, plat = super().get_tag()
        return "cp310", "abi3", plat


setup(
    ext_modules=[CORE_EXT],
    cmdclass={
        "build_ext": build_with_go,
        "sdist": sdist_with_go,
        "bdist_wheel": abi3_wheel,
    },
)
