"""Build hooks for nessie-backend-mem: compile the Go core with cgo.

Metadata lives in pyproject.toml. This file adds four things:

* build_py runs ``go build -buildmode=c-shared`` on ./python/cshim and puts
  the library in the package as _nessie_core.so (.dylib on macOS);
* sdist copies the Go sources the library needs (found with ``go list
  -deps``) into the archive under _gosrc/, so a wheel builds from the sdist
  alone;
* build_ext compiles the optional fast path, the CPython extension
  nessie_backend_mem._fast (cext/_fast.c, limited API of 3.10). If it
  cannot be built (no Python headers, no C compiler for Python, not
  CPython) the build goes on without it and the package uses ctypes;
  NESSIE_BACKEND_MEM_NO_EXT=1 skips it on purpose;
* bdist_wheel tags the wheel cp310-abi3-<platform> when the extension is
  in it, else py3-none-<platform> (a native library but no Python ABI):
  either way one wheel serves every Python version it can.

The Go module root is, in order: $NESSIE_GO_MODULE_ROOT; _gosrc/ beside
this file (an unpacked sdist); the parent directory (a checkout, which is
what ``pip install ./python`` builds, in place).
"""

from __future__ import annotations

import json
import os
import shutil
import platform
import subprocess
import sys
import sysconfig

from setuptools import Distribution, Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

try:  # setuptools >= 70.1 ships bdist_wheel itself
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # older setuptools: the wheel package's
    from wheel.bdist_wheel import bdist_wheel  # type: ignore[no-redef]

HERE = os.path.dirname(os.path.abspath(__file__))
MODULE = "github.com/nessie-go/nessie"
SHIM = "./python/cshim"
VENDORED = "_gosrc"
LIBNAME = {"darwin": "_nessie_core.dylib", "win32": "_nessie_core.dll"}.get(
    sys.platform, "_nessie_core.so"
)


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


class build_go_core(build_py):
    """build_py that also compiles the Go core into the package."""

    def run(self) -> None:
        super().run()
        root = module_root()
        dest = os.path.abspath(os.path.join(self.build_lib, "nessie_backend_mem"))
        os.makedirs(dest, exist_ok=True)
        out = os.path.join(dest, LIBNAME)
        cmd = [go_tool(), "build", "-buildmode=c-shared", "-trimpath", "-ldflags=-s -w", "-o", out, SHIM]
        self.announce("building the Go core: %s (in %s)" % (" ".join(cmd), root), level=2)
        subprocess.check_call(cmd, cwd=root, env=dict(os.environ, CGO_ENABLED="1"))
        header = os.path.splitext(out)[0] + ".h"
        if os.path.exists(header):
            os.remove(header)  # the ABI is documented in cshim/main.go


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


FAST_EXT = Extension(
    "nessie_backend_mem._fast",
    sources=["cext/_fast.c"],
    py_limited_api=True,
    extra_compile_args=["-O2"] if sys.platform != "win32" else [],
)


class optional_build_ext(build_ext):
    """build_ext for which the fast path is optional: a failure to compile
    it is a warning, and the package falls back to ctypes."""

    def run(self) -> None:
        reason = self._skip_reason()
        if reason:
            self.warn("nessie-backend-mem: not building the fast path (%s); using ctypes" % reason)
            return
        try:
            super().run()
        except Exception as e:  # noqa: BLE001 - no compiler, bad toolchain, ...
            self.warn("nessie-backend-mem: building the fast path failed (%s); using ctypes" % e)

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as e:  # noqa: BLE001 - a compile or link error
            self.warn("nessie-backend-mem: building %s failed (%s); using ctypes" % (ext.name, e))
            return
        self.distribution.fast_ext_built = True  # type: ignore[attr-defined]

    @staticmethod
    def _skip_reason() -> str:
        if os.environ.get("NESSIE_BACKEND_MEM_NO_EXT", "") not in ("", "0"):
            return "NESSIE_BACKEND_MEM_NO_EXT is set"
        if platform.python_implementation() != "CPython":
            return "not CPython"
        include = sysconfig.get_paths().get("include") or ""
        if not os.path.exists(os.path.join(include, "Python.h")):
            return "no Python headers (Python.h) in %r" % include
        return ""


class native_distribution(Distribution):
    """A distribution with native code: built and installed per platform."""

    def has_ext_modules(self) -> bool:
        return True


class platform_wheel(bdist_wheel):
    """Tag the wheel cp310-abi3-<platform> if it holds the fast path (built
    on the limited API), else py3-none-<platform>: native code, but no
    Python ABI."""

    def get_tag(self) -> tuple[str, str, str]:
        _, _, plat = super().get_tag()
        if getattr(self.distribution, "fast_ext_built", False):
            return "cp310", "abi3", plat
        return "py3", "none", plat


setup(
    distclass=native_distribution,
    ext_modules=[FAST_EXT],
    cmdclass={
        "build_py": build_go_core,
        "build_ext": optional_build_ext,
        "sdist": sdist_with_go,
        "bdist_wheel": platform_wheel,
    },
)
