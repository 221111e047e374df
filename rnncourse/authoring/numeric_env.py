"""The environment under which stored notebook outputs are computed and compared.

A lesson's training run is chaotic: the last bit of one product changes a printed digit
hundreds of updates later.  OpenBLAS chooses its kernels by CPU (a Zen 4 gets SkylakeX,
a Zen 5 or a Zen 3 Haswell) and numpy its ``exp`` and ``log`` (AVX-512 or AVX2), and each
choice rounds differently.  On x86-64 this module's variables fix both at the AVX2 ones,
which every x86-64 server CPU since 2013 has: the stored outputs were computed with them,
and the Makefile's ``NUMERIC_ENV`` (nbval, ``make store``, ``make lab``) is what
``python -m rnncourse.authoring.numeric_env`` prints.
"""

from __future__ import annotations

import platform

__all__ = ["numeric_env"]


def _avx512_dispatch_targets() -> list[str]:
    """numpy's dispatched AVX-512 targets, by the names this numpy uses (they changed
    in numpy 2.4: AVX512_SKX ... became X86_V4)."""
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__ as targets
    except ImportError:  # numpy < 2
        from numpy.core._multiarray_umath import __cpu_dispatch__ as targets
    return [t for t in targets if t.startswith(("AVX512", "X86_V4"))]


def numeric_env(machine: str | None = None) -> dict[str, str]:
    """``{name: value}`` to set before numpy is imported; empty off x86-64."""
    if (machine or platform.machine()) not in ("x86_64", "AMD64"):
        return {}
    env = {"OPENBLAS_CORETYPE": "Haswell"}
    targets = _avx512_dispatch_targets()
    if targets:
        env["NPY_DISABLE_CPU_FEATURES"] = " ".join(targets)
    return env


if __name__ == "__main__":
    print(" ".join(f'{k}="{v}"' for k, v in numeric_env().items()))
