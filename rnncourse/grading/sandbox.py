"""Execute stage: run a notebook's code cells and call its exercises in a confined worker.

:func:`run` takes the code cells and, per exercise, the encoded inputs of its hidden
cases; it returns a :class:`SandboxRun` holding the worker's raw (untrusted) results.

The worker (:mod:`rnncourse.grading.worker`) is ``python -I -S`` in its own process
group, with stdin and stdout on ``/dev/null``, a minimal environment, ``HOME`` and
the working directory in a fresh scratch folder, and a ``sys.path`` made of the
standard library, numpy and a learner-facing ``rnncourse`` package holding only the
modules the assignment allows and a do-nothing ``check``.

Layers of confinement, what each guarantees, and where
-------------------------------------------------------
Each layer is applied by the worker to itself before any learner code runs, in this
order; what was enforced is reported (``SandboxRun.confinement``) and every missing
layer becomes a warning note in the submission's report.

1. **Namespaces** (Linux >= 3.8; as root directly, as a normal user through an
   unprivileged user namespace, which some distributions disable with
   ``kernel.unprivileged_userns_clone = 0`` or AppArmor's
   ``apparmor_restrict_unprivileged_userns``): fresh *network* (no interface but a
   down loopback: no TCP, UDP or abstract UNIX socket reaches the host), *IPC* (no
   SysV or POSIX message queue, semaphore or shared memory of the host) and *mount*
   namespaces.  In the mount namespace the scratch folder is a private ``tmpfs`` of
   ``Limits.disk_mb`` (and at most 16384 inodes) that vanishes with the worker.
   Without namespaces the scratch folder is on the grader's disk: files are bounded
   per file (``RLIMIT_FSIZE``) and the folder is removed after the run.
2. **rlimits** (every POSIX system): address space, CPU seconds, file size, 64 open
   files, no core file, ``RLIMIT_NPROC = 0``; as root every capability is dropped
   first so that the limits apply.
3. **Landlock** (Linux >= 5.13): read-only access to the standard library, numpy and
   the learner-facing package, read-write access to the scratch folder, nothing else
   (the library's source, ``solutions/`` and the gradebook can be neither read nor
   written); no TCP (ABI >= 4); no signals or abstract sockets outside the sandbox
   (ABI >= 6).  Landlock does not confine ``connect()`` to a *named* UNIX socket.
4. **seccomp, default deny** (Linux >= 3.17 on x86_64 and aarch64): the worker may
   make only the system calls of :data:`SYSCALLS` below, some of them only with the
   arguments shown; every other call fails with ``EPERM``.  So no socket of any
   family (the named UNIX sockets Landlock misses included), no new process or
   thread, no ``exec``, no ``ptrace`` / ``process_vm_*``, no SysV or POSIX IPC, no
   keyrings, no ``bpf``, ``perf_event_open``, ``userfaultfd``, ``io_uring``, no
   ``mount`` / ``unshare`` / ``setns``, no ``chmod`` / ``utime``; ``prlimit64``,
   ``sched_*``, ``setpriority`` and signals reach only the worker itself.
5. **An audit hook** (every platform; Python code only, native code bypasses it):
   refuses ``subprocess``, ``os.system``, ``fork``, ``exec``, sockets and signals to
   other processes with a clear message, and notes files opened outside the sandbox.

On macOS only layers 2 and 5 exist: there the worker can read and write whatever the
grading user can and may open sockets; grade untrusted work on Linux (>= 5.13 for
Landlock) or inside a container.

The grader, not the worker, owns time
-------------------------------------
Deadlines are computed from the grader's clock only (:class:`_Protocol`): the cells
get ``timeout`` seconds from the moment the worker is ready, then each exercise gets
``timeout`` seconds from the moment the previous phase ended.  Messages only move
the protocol forward through the fixed sequence ``cells, exercise 1, ..., exercise
n``; nothing the worker sends can restart a clock.  When a worker dies or runs out of
time the grader kills its process group and starts a new worker for what is left; the
grader counts these restarts itself (at most ``max_cell_failures`` for the cells and
one per exercise), and a submission never costs more than :meth:`Limits.budget`
seconds in total.  The channel is bounded: a line longer than ``max_line_mb``, more
than ``max_output_mb`` in total or a record of more than ``max_elements`` JSON
elements costs only the exercise it belongs to, with a reason; no such line is ever
parsed.
"""

from __future__ import annotations

import fcntl
import functools
import json
import math
import os
import re
import selectors
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from . import standins

__all__ = ["CellFailure", "ExerciseRun", "Limits", "SYSCALLS", "SandboxError", "SandboxRun",
           "remove_tree", "run", "seccomp_program", "worker_text"]

_PACKAGE = Path(__file__).resolve().parent.parent          # .../rnncourse
_HERE = Path(__file__).resolve().parent                    # .../rnncourse/grading


class SandboxError(RuntimeError):
    """The grader cannot run its worker at all (not the submission's fault)."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one submission's worker.

    ``timeout`` is in wall-clock seconds: once for all the cells, and again for each
    exercise (all its hidden cases together).  ``disk_mb`` bounds the scratch folder
    (when it is a private tmpfs), ``file_mb`` each file in it.  ``max_line_mb``,
    ``max_output_mb`` and ``max_elements`` bound what the worker may send.
    ``namespaces=False`` skips layer 1 (to test the fallback).
    """

    timeout: float = 10.0
    memory_mb: int = 1024
    file_mb: int = 16
    disk_mb: int = 64
    max_output_mb: int = 64
    max_line_mb: int = 16
    max_elements: int = 400_000
    max_cell_failures: int = 3
    startup_timeout: float = 60.0
    namespaces: bool = True

    def __post_init__(self):
        if not (isinstance(self.timeout, (int, float)) and self.timeout > 0
                and math.isfinite(self.timeout)):
            raise ValueError(f"Limits: timeout must be a positive number of seconds, got {self.timeout}")
        if not (isinstance(self.memory_mb, int) and self.memory_mb >= 128):
            raise ValueError(f"Limits: memory_mb must be an integer >= 128, got {self.memory_mb}")
        for name in ("file_mb", "disk_mb", "max_output_mb", "max_line_mb", "max_elements"):
            value = getattr(self, name)
            if not (isinstance(value, int) and value >= 1):
                raise ValueError(f"Limits: {name} must be a positive integer, got {value!r}")
        if not (isinstance(self.max_cell_failures, int) and self.max_cell_failures >= 0):
            raise ValueError(f"Limits: max_cell_failures must be an integer >= 0, "
                             f"got {self.max_cell_failures!r}")

    def budget(self, n_exercises: int, rounds: int = 1) -> float:
        """Wall-clock seconds one submission may cost at most, restarts included:
        ``2 * (rounds + n_exercises) * timeout + 10``, where ``rounds`` is how many times
        the notebook's cells run (once, and once more per round of composite exercises,
        see :func:`stages`)."""
        return 2 * (rounds + n_exercises) * self.timeout + 10.0


@dataclass(frozen=True)
class CellFailure:
    """A code cell that raised, crashed the worker or ran out of time."""

    index: int
    kind: str            # "error" | "timeout" | "crash"
    message: str


@dataclass
class ExerciseRun:
    """What the worker reported for one exercise (raw, untrusted ``cases``)."""

    name: str
    status: str          # "returned" | "missing" | "timeout" | "crash" | "lost"
    cases: list = field(default_factory=list)
    message: str = ""


@dataclass
class SandboxRun:
    exercises: dict
    cell_failures: dict
    callables: list
    flags: list
    confinement: dict
    workers: int
    seconds: float


# ---- the system calls the worker may make ----------------------------------------------

#: rule: None (any arguments) or a tuple of conditions, all of which must hold.
#: A condition is ``(i, values)``: argument ``i`` is one of ``values``, where
#: ``"self"`` stands for the worker's own pid.
SELF = "self"
_SELF_PID = (SELF,)           # 0 or the worker's pid (0 means "this process" to these calls)
_IOCTLS = (0x5401, 0x5413, 0x541B, 0x5421, 0x5450, 0x5451)   # TCGETS TIOCGWINSZ FIONREAD FIONBIO FIONCLEX FIOCLEX
_FCNTLS = (0, 1, 2, 3, 4, 1030)     # F_DUPFD F_GETFD F_SETFD F_GETFL F_SETFL F_DUPFD_CLOEXEC
_PRCTLS = (3, 15, 16, 21, 22, 23, 38, 39, 0x53564D41)   # GET_DUMPABLE SET/GET_NAME GET/SET_SECCOMP
#                                     CAPBSET_READ SET/GET_NO_NEW_PRIVS SET_VMA (glibc names mappings)

#: The allow-list: name -> (x86_64 number, aarch64 number or None, rule, what it is for).
#: Numbers are from the kernel's ``asm/unistd_64.h`` and ``asm-generic/unistd.h``.
SYSCALLS: dict = {
    # files and descriptors (Landlock decides which paths; the scratch folder is a tmpfs)
    "read": (0, 63, None, "files"), "write": (1, 64, None, "files"),
    "readv": (19, 65, None, "files"), "writev": (20, 66, None, "files"),
    "pread64": (17, 67, None, "files"), "pwrite64": (18, 68, None, "files"),
    "preadv": (295, 69, None, "files"), "pwritev": (296, 70, None, "files"),
    "preadv2": (327, 286, None, "files"), "pwritev2": (328, 287, None, "files"),
    "open": (2, None, None, "files"), "openat": (257, 56, None, "files"),
    "openat2": (437, 437, None, "files"), "close": (3, 57, None, "files"),
    "close_range": (436, 436, None, "files"), "stat": (4, None, None, "files"),
    "fstat": (5, 80, None, "files"), "lstat": (6, None, None, "files"),
    "newfstatat": (262, 79, None, "files"), "statx": (332, 291, None, "files"),
    "lseek": (8, 62, None, "files"), "access": (21, None, None, "files"),
    "faccessat": (269, 48, None, "files"), "faccessat2": (439, 439, None, "files"),
    "getdents": (78, None, None, "files"), "getdents64": (217, 61, None, "files"),
    "getcwd": (79, 17, None, "files"), "chdir": (80, 49, None, "files"),
    "fchdir": (81, 50, None, "files"), "readlink": (89, None, None, "files"),
    "readlinkat": (267, 78, None, "files"), "mkdir": (83, None, None, "files"),
    "mkdirat": (258, 34, None, "files"), "rmdir": (84, None, None, "files"),
    "unlink": (87, None, None, "files"), "unlinkat": (263, 35, None, "files"),
    "rename": (82, None, None, "files"), "renameat": (264, 38, None, "files"),
    "renameat2": (316, 276, None, "files"), "symlink": (88, None, None, "files"),
    "symlinkat": (266, 36, None, "files"), "dup": (32, 23, None, "files"),
    "dup2": (33, None, None, "files"), "dup3": (292, 24, None, "files"),
    "pipe": (22, None, None, "files"), "pipe2": (293, 59, None, "files"),
    "ftruncate": (77, 46, None, "files"), "truncate": (76, 45, None, "files"),
    "fsync": (74, 82, None, "files"), "fdatasync": (75, 83, None, "files"),
    "fadvise64": (221, 223, None, "files"), "statfs": (137, 43, None, "files"),
    "fstatfs": (138, 44, None, "files"), "sendfile": (40, 71, None, "files"),
    "copy_file_range": (326, 285, None, "files"),
    "ioctl": (16, 29, ((1, _IOCTLS),), "terminal queries and FIONREAD/FIONBIO/FIOCLEX only"),
    "fcntl": (72, 25, ((1, _FCNTLS),), "dup and descriptor flags only (no locks, no F_SETOWN)"),
    # waiting on descriptors
    "poll": (7, None, None, "wait"), "ppoll": (271, 73, None, "wait"),
    "select": (23, None, None, "wait"), "pselect6": (270, 72, None, "wait"),
    "epoll_create": (213, None, None, "wait"), "epoll_create1": (291, 20, None, "wait"),
    "epoll_ctl": (233, 21, None, "wait"), "epoll_wait": (232, None, None, "wait"),
    "epoll_pwait": (281, 22, None, "wait"), "epoll_pwait2": (441, 441, None, "wait"),
    # memory
    "mmap": (9, 222, None, "memory"), "munmap": (11, 215, None, "memory"),
    "mprotect": (10, 226, None, "memory"), "mremap": (25, 216, None, "memory"),
    "brk": (12, 214, None, "memory"), "madvise": (28, 233, None, "memory"),
    "msync": (26, 227, None, "memory"), "mincore": (27, 232, None, "memory"),
    "mbind": (237, 235, None, "memory (OpenBLAS)"), "get_mempolicy": (239, 236, None, "memory"),
    # time
    "nanosleep": (35, 101, None, "time"), "clock_nanosleep": (230, 115, None, "time"),
    "clock_gettime": (228, 113, None, "time"), "clock_getres": (229, 114, None, "time"),
    "gettimeofday": (96, 169, None, "time"), "time": (201, None, None, "time"),
    "alarm": (37, None, None, "time"), "setitimer": (38, 103, None, "time"),
    "getitimer": (36, 102, None, "time"),
    # about this process (read-only, or acting on this process only)
    "getpid": (39, 172, None, "self"), "gettid": (186, 178, None, "self"),
    "getppid": (110, 173, None, "self"), "getuid": (102, 174, None, "self"),
    "geteuid": (107, 175, None, "self"), "getgid": (104, 176, None, "self"),
    "getegid": (108, 177, None, "self"), "getgroups": (115, 158, None, "self"),
    "getresuid": (118, 148, None, "self"), "getresgid": (120, 150, None, "self"),
    "getpgrp": (111, None, None, "self"), "getpgid": (121, 155, None, "self"),
    "getsid": (124, 156, None, "self"), "uname": (63, 160, None, "self"),
    "getrusage": (98, 165, None, "self"), "times": (100, 153, None, "self"),
    "sysinfo": (99, 179, None, "self"), "getrandom": (318, 278, None, "self"),
    "umask": (95, 166, None, "self"), "sched_yield": (24, 124, None, "self"),
    "getcpu": (309, 168, None, "self"), "capget": (125, 90, None, "self"),
    "getrlimit": (97, 163, None, "self"), "setrlimit": (160, 164, None, "self"),
    "prlimit64": (302, 261, ((0, _SELF_PID),), "own pid only"),
    "sched_getaffinity": (204, 123, ((0, _SELF_PID),), "own pid only"),
    "sched_setaffinity": (203, 122, ((0, _SELF_PID),), "own pid only"),
    "sched_getparam": (143, 121, ((0, _SELF_PID),), "own pid only"),
    "sched_setparam": (142, 118, ((0, _SELF_PID),), "own pid only"),
    "sched_getscheduler": (145, 120, ((0, _SELF_PID),), "own pid only"),
    "sched_setscheduler": (144, 119, ((0, _SELF_PID),), "own pid only"),
    "sched_getattr": (315, 275, ((0, _SELF_PID),), "own pid only"),
    "sched_setattr": (314, 274, ((0, _SELF_PID),), "own pid only"),
    "sched_rr_get_interval": (148, 127, ((0, _SELF_PID),), "own pid only"),
    "sched_get_priority_max": (146, 125, None, "self"),
    "sched_get_priority_min": (147, 126, None, "self"),
    "getpriority": (140, 141, ((0, (0,)), (1, _SELF_PID)), "PRIO_PROCESS of its own pid only"),
    "setpriority": (141, 140, ((0, (0,)), (1, _SELF_PID)), "PRIO_PROCESS of its own pid only"),
    "prctl": (157, 167, ((0, _PRCTLS),), "names, dumpable, no_new_privs, seccomp queries only"),
    # signals: handlers for any, sending only to itself
    "rt_sigaction": (13, 134, None, "signals"), "rt_sigprocmask": (14, 135, None, "signals"),
    "rt_sigreturn": (15, 139, None, "signals"), "sigaltstack": (131, 132, None, "signals"),
    "rt_sigpending": (127, 136, None, "signals"), "rt_sigtimedwait": (128, 137, None, "signals"),
    "rt_sigsuspend": (130, 133, None, "signals"), "pause": (34, None, None, "signals"),
    "kill": (62, 129, ((0, _SELF_PID),), "to itself only"),
    "tkill": (200, 130, ((0, _SELF_PID),), "to itself only"),
    "tgkill": (234, 131, ((0, _SELF_PID),), "to itself only"),
    "rt_sigqueueinfo": (129, 138, ((0, _SELF_PID),), "to itself only"),
    "rt_tgsigqueueinfo": (297, 240, ((0, _SELF_PID),), "to itself only"),
    # the runtime
    "exit": (60, 93, None, "runtime"), "exit_group": (231, 94, None, "runtime"),
    "futex": (202, 98, None, "runtime"), "futex_waitv": (449, 449, None, "runtime"),
    "set_robust_list": (273, 99, None, "runtime"), "rseq": (334, 293, None, "runtime"),
    "set_tid_address": (218, 96, None, "runtime"), "arch_prctl": (158, None, None, "runtime"),
    "restart_syscall": (219, 128, None, "runtime"),
}

#: Families a hostile notebook would use, all outside :data:`SYSCALLS` (so EPERM);
#: listed for the documentation and the tests, the filter never reads it.
FORBIDDEN = {
    "sockets of every family": ("socket", "socketpair", "connect", "bind", "sendto", "sendmsg"),
    "new processes, threads, exec": ("clone", "clone3", "fork", "vfork", "execve", "execveat"),
    "other processes": ("ptrace", "process_vm_readv", "process_vm_writev", "pidfd_open",
                        "pidfd_send_signal"),
    "SysV and POSIX IPC": ("shmget", "shmat", "msgget", "semget", "mq_open"),
    "kernel keyrings": ("add_key", "request_key", "keyctl"),
    "kernel interfaces": ("bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "memfd_create"),
    "namespaces and mounts": ("mount", "umount2", "unshare", "setns"),
    "file modes, times, locks and links": ("chmod", "fchmod", "fchmodat", "utime", "utimes",
                                           "utimensat", "futimesat", "flock", "link", "linkat"),
}

_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
_BPF_LD, _BPF_JEQ, _BPF_JGE, _BPF_RET = 0x20, 0x15, 0x35, 0x06
_RET_ALLOW, _RET_EPERM, _RET_KILL = 0x7FFF0000, 0x00050000 | 1, 0x80000000


def _rule_block(rule) -> list:
    """BPF for one allowed call: check every condition, then allow; any miss is EPERM.

    Each argument is checked whole (its high 32 bits must be 0), so ``-1`` or a value
    above 2**32 never passes for a small number.
    """
    block = []
    for index, values in rule or ():
        lo, hi = 16 + 8 * index, 20 + 8 * index
        wanted = []
        for v in values:
            wanted += [0, SELF] if v == SELF else [v]
        block.append([_BPF_LD, 0, 0, hi])
        block.append([_BPF_JEQ, 0, "deny", 0])
        block.append([_BPF_LD, 0, 0, lo])
        for v in wanted:
            block.append([_BPF_JEQ, "next", 0, v])
        block.append([_BPF_RET, 0, 0, _RET_EPERM])
        block.append("next")
    block.append([_BPF_RET, 0, 0, _RET_ALLOW])
    block.append("deny")
    block.append([_BPF_RET, 0, 0, _RET_EPERM])
    out, labels, pending = [], {}, []
    for item in block:                      # resolve "next" (per condition) and "deny"
        if item == "next":
            for j in pending:
                out[j][1] = len(out) - j - 1
            pending = []
        elif item == "deny":
            labels["deny"] = len(out)
        else:
            if item[1] == "next":
                pending.append(len(out))
            out.append(list(item))
    for j, ins in enumerate(out):
        if ins[2] == "deny":
            ins[2] = labels["deny"] - j - 1
    return out


def seccomp_program(machine: str) -> list | None:
    """The worker's seccomp filter for ``machine`` as ``[code, jt, jf, k]`` rows.

    ``k == "self"`` stands for the worker's pid (the worker fills it in).  The
    program is built from :data:`SYSCALLS` only: a call that is not there, or that
    is there with other arguments, returns ``EPERM``; another architecture (a
    32-bit call from a 64-bit process) is killed.  None when ``machine`` is neither
    x86_64 nor aarch64.
    """
    arch = _AUDIT_ARCH.get(machine)
    if arch is None:
        return None
    column = 0 if machine == "x86_64" else 1
    prog = [[_BPF_LD, 0, 0, 4], [_BPF_JEQ, 1, 0, arch], [_BPF_RET, 0, 0, _RET_KILL],
            [_BPF_LD, 0, 0, 0]]
    if machine == "x86_64":
        prog += [[_BPF_JGE, 0, 1, 0x40000000], [_BPF_RET, 0, 0, _RET_EPERM]]   # the x32 ABI
    for name, row in SYSCALLS.items():
        nr = row[column]
        if nr is None:
            continue
        block = _rule_block(row[2])
        prog.append([_BPF_JEQ, 0, len(block), nr])
        prog += block                       # every block ends in a return
    prog.append([_BPF_RET, 0, 0, _RET_EPERM])
    return prog


def describe_syscalls() -> str:
    """The allow-list as text (appended to this module's documentation)."""
    groups: dict = {}
    for name, (_, _, rule, what) in SYSCALLS.items():
        groups.setdefault(what if rule is None else "with arguments checked", []).append(
            name if rule is None else f"{name} ({what})")
    lines = ["System calls the worker may make (everything else fails with EPERM)::", ""]
    for what, names in groups.items():
        lines.append(f"    {what}: {', '.join(names)}")
    lines += ["", "Refused, among others::", ""]
    lines += [f"    {family}: {', '.join(names)}" for family, names in FORBIDDEN.items()]
    return "\n".join(lines) + "\n"


__doc__ += "\n" + describe_syscalls()


# ---- text from the worker -----------------------------------------------------------

_CONTROL = {c: f"\\x{c:02x}" for c in list(range(0x20)) + list(range(0x7F, 0xA0))}


def worker_text(value, limit: int = 300) -> str:
    """Untrusted text made safe to show: at most ``limit`` characters, control
    characters (ANSI escapes, newlines) and lone surrogates written as escapes."""
    text = value if type(value) is str else repr(value) if value is None else str(type(value).__name__)
    if type(value) in (int, float, bool):
        text = repr(value)
    if len(text) > limit:
        text = text[:limit] + "..."
    text = text.translate(_CONTROL)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


# ---- scratch folders -----------------------------------------------------------------

_PREFIX = "rnncourse-grade-"


def remove_tree(path) -> None:
    """Remove ``path`` and everything below it, without recursion and without ever
    following a symbolic link: any depth (paths longer than PATH_MAX included),
    read-only files and folders.  Raises only if something is left afterwards."""
    path = os.fspath(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(st.st_mode):
        os.unlink(path)
        return
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    names: list[str] = []        # the folders entered below ``path``
    try:
        while True:
            child = None
            with os.scandir(fd) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        child = entry.name
                        break
                    try:
                        os.unlink(entry.name, dir_fd=fd)
                    except PermissionError:
                        os.chmod(fd, 0o700)
                        os.unlink(entry.name, dir_fd=fd)
                    except FileNotFoundError:
                        pass
            if child is not None:
                try:
                    sub = os.open(child, flags, dir_fd=fd)
                except PermissionError:
                    os.chmod(fd, 0o700)
                    os.chmod(child, 0o700, dir_fd=fd, follow_symlinks=False)
                    sub = os.open(child, flags, dir_fd=fd)
                os.close(fd)
                fd = sub
                names.append(child)
                try:
                    os.chmod(fd, 0o700)
                except OSError:
                    pass
                continue
            if not names:
                break
            parent = os.open("..", flags, dir_fd=fd)
            os.close(fd)
            fd = parent
            name = names.pop()
            try:
                os.rmdir(name, dir_fd=fd)
            except PermissionError:
                os.chmod(fd, 0o700)
                os.rmdir(name, dir_fd=fd)
    finally:
        os.close(fd)
    os.rmdir(path)


def _lock_new_root() -> tuple[Path, int]:
    """A fresh ``<tmp>/rnncourse-grade-*`` folder, locked for as long as this grader runs
    (the lock dies with the process, even after ``kill -9``)."""
    root = Path(tempfile.mkdtemp(prefix=_PREFIX))
    fd = os.open(root / ".lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return root, fd


def clean_stale(tmp: str | None = None, *, grace: float = 60.0) -> list[str]:
    """Remove the scratch folders an earlier grader left behind (it was killed).

    A folder is stale when it is older than ``grace`` seconds and nobody holds its
    lock (a grader that is still running holds it; one just starting is younger than
    ``grace``).  Folders of other users are left alone.  Returns the folders removed.
    """
    tmp = tmp or tempfile.gettempdir()
    removed = []
    try:
        entries = [e for e in os.scandir(tmp) if e.name.startswith(_PREFIX)]
    except OSError:
        return removed
    for entry in entries[:1000]:
        try:
            st = entry.stat(follow_symlinks=False)
            if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid() \
                    or time.time() - st.st_mtime < grace:
                continue
            try:
                fd = os.open(os.path.join(entry.path, ".lock"),
                             os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
            except FileNotFoundError:
                fd = None
            try:
                if fd is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                remove_tree(entry.path)
                removed.append(entry.path)
            except BlockingIOError:
                pass
            finally:
                if fd is not None:
                    os.close(fd)
        except OSError:
            continue
    return removed
# ---- the worker's site folder -------------------------------------------------------

_RELATIVE_IMPORT = re.compile(r"^[ \t]*from\s+\.(\w*)\s+import\s+(\([^)]*\)|[^\n#;]+)", re.M)

_SHIM_CHECK = '''"""While grading, check() does nothing: the grader runs its own hidden cases."""


def check(fn, name=None, strict=False):
    return None


def run_check(fn, name=None):
    return None


def skip_unimplemented(shell=None):
    """While grading there is no IPython: cells run as plain Python (see grading/demos.py)."""
    return None
'''


def learner_module_files(modules: Sequence[str]) -> list[Path]:
    """Source files of ``modules`` (in ``rnncourse``) and of the modules they import."""
    todo, seen = list(modules), []
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        path = _PACKAGE / f"{name}.py"
        if not path.is_file():
            raise SandboxError(f"learner module rnncourse.{name} does not exist")
        seen.append(name)
        for m in _RELATIVE_IMPORT.finditer(path.read_text(encoding="utf-8")):
            if m.group(1):
                todo.append(m.group(1))
            else:
                items = m.group(2).strip().strip("()").split(",")   # "a, b as c"
                todo.extend(item.split()[0] for item in items if item.strip())
    return [_PACKAGE / f"{n}.py" for n in sorted(seen)]


def build_site(root: Path, learner_modules: Sequence[str]) -> Path:
    """The folder the worker imports from: its own code, numpy, the learner's package."""
    import numpy

    site = root / "site"
    site.mkdir()
    for module, target in (("worker", "_rnncourse_worker"), ("plain", "_rnncourse_plain"),
                           ("source", "_rnncourse_source"), ("standins", "_rnncourse_standins")):
        shutil.copyfile(_HERE / f"{module}.py", site / f"{target}.py")
    numpy_dir = Path(numpy.__file__).resolve().parent
    for entry in numpy_dir.parent.iterdir():      # numpy and its bundled libraries
        if entry.name == "numpy" or (entry.name.startswith("numpy") and entry.name.endswith(".libs")):
            (site / entry.name).symlink_to(entry, target_is_directory=True)
    package = site / "rnncourse"
    (package / "grading").mkdir(parents=True)
    # other rnncourse modules import as stand-ins that fail only when used (standins.py)
    (package / "__init__.py").write_text(standins.package_init(learner_modules), encoding="utf-8")
    (package / "grading" / "__init__.py").write_text(_SHIM_CHECK, encoding="utf-8")
    for path in learner_module_files(learner_modules):
        shutil.copyfile(path, package / path.name)
    return site


# ---- one worker run -----------------------------------------------------------------

_NOT_A_FUNCTION = re.compile(r"defined as [A-Za-z_][A-Za-z0-9_]{0,59}, not a function")


class _Protocol:
    """The grader's view of one worker run: phase, blame and deadline.

    A run moves through the fixed sequence ``startup -> cells -> exercise 1 ... n ->
    finished -> done``.  A message can only move it forward, one phase at a time,
    and only the message that ends the current phase does (so nothing can be
    replayed); each deadline is computed from the grader's clock when its phase
    starts, capped by the end of the submission's budget, and never read from a
    message.
    """

    def __init__(self, cells: Sequence[int], pending: Sequence[str], limits: Limits, end: float):
        self.cells = list(cells)        # indices of the cells this worker runs, in order
        self.pending = list(pending)    # the exercises it calls, in order
        self.limits = limits
        self.end = end
        self.phase = "startup"          # "startup" | "cells" | "exercises" | "finished"
        self.position = -1              # in self.cells: the cell running
        self.k = 0                      # in self.pending: the exercise running
        self.deadline = min(end, time.monotonic() + limits.startup_timeout)
        self.outcome: str | None = None  # "done" | "timeout" | "budget" | "died" | "channel" | "flood"
        self.returncode: int | None = None
        self.confinement: dict = {}
        self.cell_errors: dict = {}
        self.results: dict = {}         # exercise -> ExerciseRun
        self.callables: list = []
        self.flags: list = []

    @property
    def cell(self) -> int | None:
        return self.cells[self.position] if 0 <= self.position < len(self.cells) else None

    @property
    def exercise(self) -> str | None:
        return self.pending[self.k] if self.phase == "exercises" else None

    def _start(self, phase: str) -> None:
        self.phase = phase
        self.deadline = min(self.end, time.monotonic() + self.limits.timeout)

    def _next_exercise(self) -> None:
        self.k += 1
        self._start("exercises" if self.k < len(self.pending) else "finished")

    def expired(self) -> None:
        self.outcome = "budget" if self.deadline >= self.end else "timeout"

    def refuse(self, reason: str) -> None:
        """A line that broke the channel's limits: it costs the running exercise."""
        name = self.exercise
        if name is not None:
            self.results[name] = ExerciseRun(name, "crash", message=reason)
            self._next_exercise()

    def receive(self, message) -> None:
        """Apply one decoded line; whatever it is, only the grader's sequence advances."""
        if type(message) is not dict:
            return
        event = message.get("event")
        if event == "ready" and self.phase == "startup":
            items = list(message.items())[:20]
            self.confinement = {worker_text(k, 40): worker_text(v, 200)
                                for k, v in items if k != "event"}
            self._start("cells")
        elif event == "cell" and self.phase == "cells" and type(message.get("index")) is int:
            index = message["index"]
            later = self.cells[self.position + 1:]
            if index in later:
                self.position += 1 + later.index(index)
        elif event == "cell_error" and self.phase == "cells" and self.cell is not None \
                and message.get("index") == self.cell and type(message.get("index")) is int:
            said = message.get("message")
            text = worker_text(message.get("type"), 100)
            if said:          # the notebook's words, quoted
                text += f": \"{worker_text(said)}\""
            where = message.get("where")
            if type(where) is str:
                text += f" ({worker_text(where, 100)})"
            self.cell_errors[self.cell] = text
        elif event == "cells_done" and self.phase == "cells":
            names = message.get("callables")
            if type(names) is list:
                self.callables = [worker_text(n, 100) for n in names[:200] if type(n) is str]
            self.k = -1
            self._next_exercise()
        elif event == "result" and self.phase == "exercises" and message.get("name") == self.exercise:
            name = self.exercise
            said = message.get("missing")
            if type(said) is str:      # the worker's two sentences, or else quoted as its words
                if not (said == "not defined" or _NOT_A_FUNCTION.fullmatch(said)):
                    said = f"reported missing by the worker: \"{worker_text(said, 200)}\""
                self.results[name] = ExerciseRun(name, "missing", message=said)
            elif type(message.get("cases")) is list:
                self.results[name] = ExerciseRun(name, "returned", cases=message["cases"])
            else:
                self.results[name] = ExerciseRun(name, "crash", message="sent a result record of "
                                                 "the wrong type (refused)")
            self._next_exercise()
        elif event == "done" and self.phase == "finished":
            flags = message.get("flags")
            if type(flags) is list:
                self.flags = [worker_text(f) for f in flags[:50] if type(f) is str]
            self.outcome = "done"


def _environment(scratch: Path) -> dict:
    return {
        "PATH": "/usr/bin:/bin", "HOME": str(scratch), "TMPDIR": str(scratch),
        "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    }


def _describe(proto: _Protocol, limits: Limits) -> tuple[str, str]:
    """``(kind, sentence)`` for a worker that did not finish."""
    if proto.outcome == "timeout":
        return "timeout", f"ran for more than {limits.timeout:g} s"
    if proto.outcome == "flood":
        return "crash", f"sent more than {limits.max_output_mb} MB of results"
    if proto.outcome == "channel":
        return "crash", "closed the grader's result channel"
    code = proto.returncode
    if code is None:
        return "crash", "the process ended unexpectedly"
    if code < 0:
        sig = -code
        reasons = {
            signal.SIGSEGV: "crashed Python with a segmentation fault",
            signal.SIGKILL: "was killed (SIGKILL): it killed its own process, or used too much memory",
            signal.SIGXCPU: "used more CPU time than allowed",
            signal.SIGXFSZ: f"wrote a file larger than {limits.file_mb} MB",
            signal.SIGABRT: "aborted the Python process",
            signal.SIGSYS: "made a system call of another architecture (killed)",
        }
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        return "crash", reasons.get(sig, f"killed the Python process (signal {name})")
    return "crash", f"ended the Python process (exit code {code}, e.g. os._exit)"


def _job(cells: list, exercises: list, limits: Limits, inject: dict | None = None) -> dict:
    import platform

    return {
        "cells": cells,
        "exercises": [{"name": n, "cases": c} for n, c in exercises],
        **(inject or {}),
        "limits": {"memory_mb": limits.memory_mb, "file_mb": limits.file_mb,
                   "disk_mb": limits.disk_mb, "namespaces": bool(limits.namespaces),
                   "cpu_seconds": int(limits.timeout * (2 + len(exercises)) + 10)},
        "seccomp": seccomp_program(platform.machine()) if sys.platform.startswith("linux") else None,
        "machine": platform.machine(),
        "grader_pid": os.getpid(),
    }


def _read_channel(read_fd: int, proc, proto: _Protocol, limits: Limits) -> None:
    """Feed the worker's lines to ``proto`` until it is done or a limit is hit.

    No line longer than ``max_line_mb`` is kept (its bytes are dropped as they
    come), no line with more than ``max_elements`` JSON elements is parsed, and the
    whole run may send at most ``max_output_mb``.
    """
    max_line, max_total = limits.max_line_mb * 2**20, limits.max_output_mb * 2**20
    selector = selectors.DefaultSelector()
    selector.register(read_fd, selectors.EVENT_READ)
    buffer = bytearray()
    skipping = False            # inside a line that is already too long
    received = 0
    try:
        while proto.outcome is None:
            remaining = proto.deadline - time.monotonic()
            if remaining <= 0:
                proto.expired()
                break
            if not selector.select(min(remaining, 1.0)):
                continue
            chunk = os.read(read_fd, 1 << 16)
            if not chunk:
                try:  # the channel closed: did the process end, or only close it?
                    proc.wait(timeout=1.0)
                    proto.outcome = "died"
                except subprocess.TimeoutExpired:
                    proto.outcome = "channel"
                break
            received += len(chunk)
            if received > max_total:
                proto.outcome = "flood"
                break
            start = len(buffer)
            buffer += chunk
            while proto.outcome is None:
                end = buffer.find(b"\n", start)
                if end < 0:
                    if not skipping and len(buffer) > max_line:
                        skipping = True
                        proto.refuse(f"sent a result line longer than {limits.max_line_mb} MB "
                                     f"(refused)")
                    if skipping:
                        buffer.clear()
                    break
                line = bytes(buffer[:end])
                del buffer[:end + 1]
                start = 0
                if skipping:
                    skipping = False
                    continue
                elements = line.count(b",") + line.count(b"[") + line.count(b"{")
                if elements > limits.max_elements:
                    proto.refuse(f"sent a result of more than {limits.max_elements} JSON "
                                 f"elements (refused)")
                    continue
                try:
                    message = json.loads(line)
                except (ValueError, RecursionError):
                    continue  # garbage on the channel: whatever it was, it earns nothing
                proto.receive(message)
    finally:
        selector.close()


def _attempt(site: Path, root: Path, number: int, cells: list, exercises: list,
             limits: Limits, end: float, inject: dict | None = None) -> _Protocol:
    scratch = root / f"scratch-{number}"
    scratch.mkdir()
    job_path = scratch / "job.json"
    job_path.write_text(json.dumps(_job(cells, exercises, limits, inject)), encoding="utf-8")
    proto = _Protocol([i for i, _ in cells], [n for n, _ in exercises], limits, end)
    read_fd, write_fd = os.pipe()
    log_path = root / f"worker-{number}.log"
    with open(log_path, "wb") as log:
        try:
            proc = subprocess.Popen(
                [sys.executable, "-I", "-S", str(site / "_rnncourse_worker.py"), str(job_path),
                 str(write_fd)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                cwd=scratch, env=_environment(scratch), pass_fds=(write_fd,),
                start_new_session=True)
        except OSError as exc:
            os.close(read_fd)
            raise SandboxError(f"cannot start the grading worker: {exc}") from exc
        finally:
            os.close(write_fd)
    try:
        _read_channel(read_fd, proc, proto, limits)
    finally:
        os.close(read_fd)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()
    proto.returncode = proc.returncode
    if proto.phase == "startup" and proto.outcome not in ("done", "budget"):
        with open(log_path, "rb") as f:
            f.seek(max(0, os.fstat(f.fileno()).st_size - 2000))
            log_text = f.read().decode(errors="replace")
        raise SandboxError(f"the grading worker failed before running any learner code "
                           f"({proto.outcome}, exit {proc.returncode}):\n{log_text}")
    try:
        remove_tree(scratch)
    except OSError:
        pass          # removed with the whole folder at the end, or by the next run
    return proto


def withheld(source: str, names) -> str:
    """``source`` with every top-level function (or assignment) named in ``names``
    replaced by one that raises: what the worker may hold of a reference module.

    A reference cell injected into a composite exercise is plain Python in the learner's
    process: its ``__globals__``, ``gc`` or a frame walk reach everything its module
    defines.  So the modules sent along hold the injected functions and their helpers,
    never a working reference of an exercise still being graded.
    """
    import ast

    names = set(names)
    if not names:
        return source
    tree = _parse(source)

    def stub(name: str) -> ast.stmt:
        return _parse(f"def {name}(*args, **kwargs):\n"
                      f"    raise PermissionError('the course\\'s {name} is withheld "
                      f"while grading')").body[0]

    body = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in names:
            node = stub(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            hit = [t.id for t in targets if isinstance(t, ast.Name) and t.id in names]
            if hit:
                body.extend(stub(n) for n in hit)
                continue
        body.append(node)
    tree.body = body
    return ast.unparse(ast.fix_missing_locations(tree))


def stages(names: Sequence[str], inject: Mapping[str, Mapping[str, str]]) -> list[list[str]]:
    """``names`` in grading rounds: a composite exercise runs in a round after every
    exercise whose reference it is graded with (each round is a fresh worker, so no
    reference reaches the learner's code before its own exercise is graded)."""
    depth: dict[str, int] = {}

    def level(name: str, seen=()) -> int:
        if name not in depth:
            if name in seen:
                raise ValueError(f"stages: exercise {name!r} is injected into itself")
            uses = [c for c in inject.get(name, {}) if c in names]
            depth[name] = (1 + max([level(c, seen + (name,)) for c in uses], default=0)
                           if name in inject else 0)
        return depth[name]

    rounds: dict[int, list[str]] = {}
    for name in names:
        rounds.setdefault(level(name), []).append(name)
    return [rounds[k] for k in sorted(rounds)]


def needed_only(sources: Mapping[str, str], roots: Sequence[str]) -> dict[str, str]:
    """Of the library modules ``sources`` (``{"rnn": text, ...}``), only what the functions
    ``roots`` (``["rnn.rnn_cell_forward", ...]``) need: the top-level statements that
    define a name they use, transitively, across the modules' relative imports.

    A module holds more than the injected cell: the sequence functions, and helpers
    such as a vectorised BPTT under a private name that computes a graded exercise all
    the same.  What no injected function calls is not sent at all.
    """
    import ast

    trees = {name: _parse(text) for name, text in sources.items()}

    def defines(node) -> set[str]:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return {node.name}
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            return {(a.asname or a.name).split(".")[0] for a in node.names}
        return set()

    # name -> the indices of the top-level statements of each module that define it
    where = {module: {} for module in trees}
    for module, tree in trees.items():
        for index, node in enumerate(tree.body):
            for defined in defines(node):
                where[module].setdefault(defined, []).append(index)
    kept: dict[str, set[int]] = {name: set() for name in trees}
    whole: set[str] = set()
    todo = [tuple(root.rsplit(".", 1)) for root in roots]
    seen: set[tuple[str, str]] = set()
    while todo:
        module, name = todo.pop()
        if (module, name) in seen or module not in trees:
            continue
        seen.add((module, name))
        for index in where[module].get(name, ()):
            if index in kept[module]:
                continue
            node = trees[module].body[index]
            kept[module].add(index)
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                for alias in node.names:                # all of them: the import must succeed
                    if node.module:                     # from .rnn import _check_caches
                        todo.append((node.module, alias.name))
                    elif alias.name in trees:           # from . import activations
                        whole.add(alias.name)
                        todo.extend((alias.name, n) for n in where[alias.name])
                continue
            todo.extend((module, n.id) for n in ast.walk(node) if isinstance(n, ast.Name))
    out = {}
    for module, tree in trees.items():
        if not kept[module] and module not in whole:
            continue
        body = [node for index, node in enumerate(tree.body)
                if index in kept[module] or module in whole
                or (isinstance(node, ast.ImportFrom) and node.module == "__future__")
                or (index == 0 and isinstance(node, ast.Expr)
                    and isinstance(node.value, ast.Constant))]     # the docstring
        out[module] = ast.unparse(ast.Module(body=body, type_ignores=[]))
    return out


#: CPython 3.11's AST constructor is not thread-safe ("AST constructor recursion depth
#: mismatch" when two grading threads parse at once): the references are parsed under this
#: lock, once per set of injections (:func:`_reference_sources`)
_AST_LOCK = threading.Lock()

#: attempts of :func:`_parse` before a recursion-depth mismatch is taken for real
_PARSE_ATTEMPTS = 5


def _parse(source: str):
    """``ast.parse(source)``, safe from other threads' parses.

    The lock covers this module's threads only.  In a Dask worker, the event loop
    thread parses too (Python 3.11's tracebacks parse the failing line to place their
    carets).  CPython 3.11 keeps the AST constructor's recursion depth for the whole
    interpreter, and a finalizer run by the garbage collector in the middle of a parse
    hands the GIL to another thread: if that one parses, the interrupted parse ends in
    ``SystemError: AST constructor recursion depth mismatch``.  So the collector is
    paused while this parse builds its tree (nothing else runs Python code there, so
    the GIL stays with it), and the transient error, should it come another way, is
    answered by parsing again.
    """
    import ast
    import gc

    for attempt in range(_PARSE_ATTEMPTS):
        collecting = gc.isenabled()
        gc.disable()
        try:
            return ast.parse(source)
        except SystemError as exc:
            if "recursion depth mismatch" not in str(exc) or attempt == _PARSE_ATTEMPTS - 1:
                raise
        finally:
            if collecting:
                gc.enable()


def _injections(inject: Mapping[str, Mapping[str, str]], graded: Sequence[str] = ()) -> dict:
    """The job entries for ``inject``: what to swap in, and the source it comes from:
    only what the injected cells need (:func:`needed_only`), with every exercise of
    ``graded`` (those not graded yet) but the injected cells withheld (:func:`withheld`)."""
    if not inject:
        return {}
    paths = tuple(sorted({path for cells in inject.values() for path in cells.values()}))
    with _AST_LOCK:
        references = _reference_sources(paths, tuple(sorted(graded)))
    return {"inject": {name: dict(cells) for name, cells in inject.items()},
            "references": dict(references)}


@functools.lru_cache(maxsize=64)
def _reference_sources(paths: tuple, graded: tuple) -> dict:
    modules = sorted({path.rpartition(".")[0] for path in paths})
    keep = {path.rpartition(".")[2] for path in paths}
    hide = set(graded) - keep
    sources = needed_only({p.stem: p.read_text(encoding="utf-8")
                           for p in learner_module_files(modules)}, paths)
    return {name: withheld(text, hide) for name, text in sources.items()}


def run(cells: Sequence[str], exercises: Sequence[tuple[str, list]], *,
        learner_modules: Sequence[str] = (), limits: Limits = Limits(),
        inject: Mapping[str, Mapping[str, str]] | None = None) -> SandboxRun:
    """Run the cells, then call each exercise on its cases, restarting after failures.

    Parameters
    ----------
    cells : sequence of str
        Source of the code cells, in notebook order.
    exercises : sequence of (name, list of encoded argument tuples)
        The inputs, as :func:`rnncourse.grading.plain.encode` trees.
    learner_modules : sequence of str
        ``rnncourse`` modules the learner may import.
    limits : Limits
    inject : dict, optional
        ``{exercise: {learner function: "module.function"}}``: while ``exercise`` runs,
        the learner's function of that name is replaced by the library's (the
        composite exercises are graded with the reference cell; see
        :mod:`rnncourse.grading.standins`).  The exercises are graded in rounds
        (:func:`stages`), each in fresh workers: a composite after the cells it is
        graded with, and a round's worker holds only what its injected cells need of
        the reference modules (:func:`needed_only`), every exercise of that round or
        a later one withheld (:func:`withheld`).

    Returns
    -------
    SandboxRun
        Raw results; :mod:`rnncourse.grading.grade` validates them.  It took at most
        ``limits.budget(len(exercises), len(stages(...)))`` seconds (plus the last
        worker's startup).

    Raises
    ------
    SandboxError
        When the worker cannot start at all.
    """
    start = time.monotonic()
    inputs = dict(exercises)
    names = [n for n, _ in exercises]
    inject = inject or {}
    rounds = stages(names, inject) or [[]]
    budget = limits.budget(len(exercises), len(rounds))
    end = start + budget
    results: dict[str, ExerciseRun] = {}
    cell_failures: dict[int, CellFailure] = {}
    skipped: set[int] = set()
    callables: list = []
    flags: list = []
    confinement: dict = {}
    workers = cell_restarts = 0

    def lose(reason: str) -> None:
        for name in names:
            results.setdefault(name, ExerciseRun(name, "lost", message=reason))

    clean_stale()
    root, lock = _lock_new_root()
    try:
        site = build_site(root, learner_modules)
        current = 0
        injections: dict = {}                # the first round is graded with nothing injected
        while True:
            pending = [n for n in rounds[current] if n not in results]
            if not pending:
                current += 1
                if current == len(rounds):
                    break
                # withheld: the exercises of this round and later ones; those of earlier
                # rounds are graded already (an injected train_step needs the lm_loss)
                injections = _injections({n: inject[n] for n in rounds[current] if n in inject},
                                         [n for later in rounds[current:] for n in later])
                continue
            if time.monotonic() >= end:
                lose(f"not graded: the submission used its whole budget of {budget:g} s")
                break
            workers += 1
            todo = [[i, src] for i, src in enumerate(cells) if i not in skipped]
            proto = _attempt(site, root, workers, todo, [(n, inputs[n]) for n in pending],
                             limits, end, injections)
            confinement = proto.confinement or confinement
            flags.extend(f for f in proto.flags if f not in flags)
            callables = proto.callables or callables
            for index, text in proto.cell_errors.items():
                cell_failures[index] = CellFailure(index, "error", text)
            results.update(proto.results)
            if proto.outcome == "done" or proto.phase == "finished":
                for name in pending:
                    results.setdefault(name, ExerciseRun(name, "crash", message="sent no result"))
                continue                     # the next round, if any
            if proto.outcome == "budget":
                if proto.exercise is not None:
                    results[proto.exercise] = ExerciseRun(
                        proto.exercise, "timeout", message=f"ran past the submission's whole "
                                                           f"budget of {budget:g} s")
                lose(f"not graded: the submission used its whole budget of {budget:g} s")
                break
            kind, sentence = _describe(proto, limits)
            if proto.phase == "cells":
                index = proto.cell if proto.cell is not None else -1
                cell_failures[index] = CellFailure(index, kind, sentence)
                skipped.add(index)
                cell_restarts += 1
                if index < 0 or cell_restarts >= limits.max_cell_failures:
                    lose(f"not graded: {cell_restarts} cells of the notebook crashed or ran "
                         f"out of time" if index >= 0 else f"not graded: the notebook {sentence}")
            else:
                results[proto.exercise] = ExerciseRun(proto.exercise, kind, message=sentence)
    finally:
        try:
            remove_tree(root)
        except OSError:
            pass          # the lock is released below: the next run removes what is left
        os.close(lock)
    return SandboxRun(exercises=results, cell_failures=cell_failures, callables=callables,
                      flags=flags, confinement=confinement, workers=workers,
                      seconds=time.monotonic() - start)
