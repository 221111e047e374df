"""Grader hardening (issue 9): every attack below worked, stalled or aborted the grader
before the default-deny sandbox, the grader-owned deadlines and the per-submission guard.

Each test runs the real worker (or the real grader) and checks the attack is refused or
bounded; each stays within a few seconds.
"""

from __future__ import annotations

import errno
import os
import platform
import resource
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from rnncourse.grading import plain, sandbox, source
from rnncourse.grading.sandbox import FORBIDDEN, SYSCALLS, Limits, remove_tree, run

from ..helpers import within

LINUX_SECCOMP = sys.platform.startswith("linux") and sandbox.seccomp_program(platform.machine())
needs_seccomp = pytest.mark.skipif(not LINUX_SECCOMP, reason="seccomp filter is Linux x86_64/aarch64")
LIMITS = Limits(timeout=3.0, memory_mb=512)


def call(cells, names, limits=LIMITS):
    return run(cells, [(n, [plain.encode(())]) for n in names], limits=limits)


def value(result, name):
    case = result.exercises[name].cases[0]
    assert case["status"] == "returned", (result.exercises[name], result.cell_failures)
    return plain.decode(case["value"])


# ---- 1. the allow-list: one table, compiled to the filter ----------------------------

def _emulate(program, nr, args, pid, arch):
    """Run a seccomp BPF program on one system call; return the action."""
    data = {0: nr, 4: arch}
    for i, a in enumerate(args + [0] * (6 - len(args))):
        data[16 + 8 * i], data[20 + 8 * i] = a & 0xFFFFFFFF, (a >> 32) & 0xFFFFFFFF
    acc, pc = 0, 0
    while True:
        code, jt, jf, k = program[pc]
        k = pid if k == "self" else k
        if code == 0x20:
            acc = data[k]
            pc += 1
        elif code == 0x15:
            pc += 1 + (jt if acc == k else jf)
        elif code == 0x35:
            pc += 1 + (jt if acc >= k else jf)
        elif code == 0x06:
            return k
        else:
            raise AssertionError(f"unknown BPF instruction {code:#x}")


@pytest.mark.parametrize("machine, column, arch", [("x86_64", 0, 0xC000003E), ("aarch64", 1, 0xC00000B7)])
def test_the_filter_is_built_from_the_table_alone(machine, column, arch):
    program = sandbox.seccomp_program(machine)
    assert len(program) < 4096
    allow, eperm, pid, other = 0x7FFF0000, 0x00050001, 4242, 777
    by_number = {row[column]: (name, row) for name, row in SYSCALLS.items() if row[column] is not None}
    for nr in range(0, 520):
        name, row = by_number.get(nr, (None, None))
        if row is None:                                 # not in the table: refused
            assert _emulate(program, nr, [0, 0, 0], pid, arch) == eperm, nr
            continue
        rule = row[2]
        good = [0] * 6
        for index, values in rule or ():
            good[index] = pid if values[0] == sandbox.SELF else values[0]
        assert _emulate(program, nr, good, pid, arch) == allow, name
        for index, values in rule or ():
            for bad in (other, -1 & 0xFFFFFFFFFFFFFFFF, (1 << 32) | (good[index] & 0xFFFFFFFF)):
                if bad in values:
                    continue
                args = list(good)
                args[index] = bad
                assert _emulate(program, nr, args, pid, arch) == eperm, (name, index, bad)
    assert _emulate(program, 0, [], pid, 0x40000003) == 0x80000000     # i386 call: killed
    if machine == "x86_64":
        assert _emulate(program, 0x40000000, [], pid, arch) == eperm    # x32 ABI


def test_forbidden_families_are_outside_the_table_and_the_docs_come_from_it():
    for names in FORBIDDEN.values():
        assert not set(names) & set(SYSCALLS)
    text = sandbox.describe_syscalls()
    assert text in sandbox.__doc__
    for name in list(SYSCALLS) + [n for names in FORBIDDEN.values() for n in names]:
        assert name in text
    assert sandbox.seccomp_program("riscv64") is None


PROBE = textwrap.dedent('''
    import ctypes, os, errno
    libc = ctypes.CDLL(None, use_errno=True)
    X86 = os.uname().machine == "x86_64"
    NR = %(numbers)s

    def sc(name, *args):
        ctypes.set_errno(0)
        r = libc.syscall(NR[name], *[ctypes.c_long(a) if isinstance(a, int) else a for a in args])
        return 0 if r >= 0 else ctypes.get_errno()

    def probe():
        ppid, pid, buf = os.getppid(), os.getpid(), ctypes.create_string_buffer(256)
        out = {
            "socket AF_UNIX": sc("socket", 1, 1, 0), "socket AF_INET": sc("socket", 2, 2, 0),
            "socket AF_INET6": sc("socket", 10, 1, 0), "socket AF_NETLINK": sc("socket", 16, 3, 0),
            "socketpair": sc("socketpair", 1, 1, 0, buf),
            "prlimit64 parent": sc("prlimit64", ppid, 1, None, buf),
            "setpriority parent": sc("setpriority", 0, ppid, 19),
            "setpriority user": sc("setpriority", 2, 0, 19),
            "sched_setaffinity parent": sc("sched_setaffinity", ppid, 8, buf),
            "kill parent": sc("kill", ppid, 0), "tgkill parent": sc("tgkill", ppid, ppid, 0),
            "kill everyone": sc("kill", -1, 0),
            "shmget": sc("shmget", 0, 4096, 0o1600), "msgget": sc("msgget", 0, 0o1600),
            "mq_open": sc("mq_open", ctypes.c_char_p(b"q"), 0o102, 0o600, None),
            "add_key": sc("add_key", ctypes.c_char_p(b"user"), ctypes.c_char_p(b"k"), buf, 1, -3),
            "keyctl": sc("keyctl", 0, -3, 0),
            "process_vm_readv": sc("process_vm_readv", ppid, buf, 1, buf, 1, 0),
            "ptrace": sc("ptrace", 16, ppid, 0, 0), "bpf": sc("bpf", 0, buf, 48),
            "perf_event_open": sc("perf_event_open", buf, 0, -1, -1, 0),
            "userfaultfd": sc("userfaultfd", 0), "io_uring_setup": sc("io_uring_setup", 1, buf),
            "mount": sc("mount", ctypes.c_char_p(b"none"), ctypes.c_char_p(b"."),
                        ctypes.c_char_p(b"tmpfs"), 0, None),
            "unshare": sc("unshare", 0x10000000), "setns": sc("setns", 0, 0),
            "clone": sc("clone", 17, 0, 0, 0, 0), "execve": sc("execve", ctypes.c_char_p(b"/bin/true"), None, None),
            "chmod": sc("fchmodat", -100, ctypes.c_char_p(b"."), 0o777, 0),
            "utimensat": sc("utimensat", -100, ctypes.c_char_p(b"."), None, 0),
            "ioctl TIOCSTI": sc("ioctl", 0, 0x5412, buf), "fcntl F_SETOWN": sc("fcntl", 0, 8, ppid),
            "prctl PR_SET_PTRACER": sc("prctl", 0x59616D61, ppid, 0, 0, 0),
        }
        allowed = {"prlimit64 self": sc("prlimit64", 0, 1, None, buf),
                   "prlimit64 own pid": sc("prlimit64", pid, 1, None, buf),
                   "kill self": sc("kill", pid, 0), "setpriority self": sc("setpriority", 0, 0, 1),
                   "sched_getaffinity": sc("sched_getaffinity", 0, 128, buf),
                   "fcntl F_GETFL": sc("fcntl", 0, 3)}
        return out, allowed
''')


def _numbers():
    column = 0 if platform.machine() == "x86_64" else 1
    names = {n for names in FORBIDDEN.values() for n in names} | {
        "prlimit64", "setpriority", "sched_setaffinity", "sched_getaffinity", "kill", "tgkill",
        "ioctl", "fcntl", "prctl", "fchmodat", "utimensat"}
    known = {**{n: row[:2] for n, row in SYSCALLS.items()}, **_FORBIDDEN_NUMBERS}
    return {n: known[n][column] for n in names if known[n][column] is not None}


# x86_64, aarch64 numbers of the refused calls (asm/unistd_64.h, asm-generic/unistd.h)
_FORBIDDEN_NUMBERS = {
    "socket": (41, 198), "socketpair": (53, 199), "connect": (42, 203), "bind": (49, 200),
    "sendto": (44, 206), "sendmsg": (46, 211), "clone": (56, 220), "clone3": (435, 435),
    "fork": (57, None), "vfork": (58, None), "execve": (59, 221), "execveat": (322, 281),
    "ptrace": (101, 117), "process_vm_readv": (310, 270), "process_vm_writev": (311, 271),
    "pidfd_open": (434, 434), "pidfd_send_signal": (424, 424), "shmget": (29, 194),
    "shmat": (30, 196), "msgget": (68, 186), "semget": (64, 190), "mq_open": (240, 180),
    "add_key": (248, 217), "request_key": (249, 218), "keyctl": (250, 219), "bpf": (321, 280),
    "perf_event_open": (298, 241), "userfaultfd": (323, 282), "io_uring_setup": (425, 425),
    "memfd_create": (319, 279), "mount": (165, 40), "umount2": (166, 39), "unshare": (272, 97),
    "setns": (308, 268), "chmod": (90, None), "fchmod": (91, 52), "fchmodat": (268, 53),
    "utime": (132, None), "utimes": (235, None), "utimensat": (280, 88), "futimesat": (261, None),
    "flock": (73, 32), "link": (86, None), "linkat": (265, 37),
}


@needs_seccomp
def test_every_forbidden_family_fails_with_eperm_in_a_real_worker():
    result = call([PROBE % {"numbers": _numbers()}], ["probe"])
    refused, allowed = value(result, "probe")
    assert {k: v for k, v in refused.items() if v != errno.EPERM} == {}, refused
    assert {k: v for k, v in allowed.items() if v != 0} == {}, allowed
    assert result.confinement["seccomp"] == "seccomp allow-list on"


@needs_seccomp
def test_a_ctypes_connect_to_a_unix_socket_outside_reaches_nothing(tmp_path):
    path = str(tmp_path / "outside.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    server.setblocking(False)
    cell = textwrap.dedent(f'''
        import ctypes, os
        libc = ctypes.CDLL(None, use_errno=True)
        class Addr(ctypes.Structure):
            _fields_ = [("family", ctypes.c_ushort), ("path", ctypes.c_char * 108)]
        def attack():
            fd = libc.socket(1, 1, 0)
            if fd < 0:
                return ["socket", ctypes.get_errno()]
            rc = libc.connect(fd, ctypes.byref(Addr(1, {path.encode()!r})), ctypes.sizeof(Addr))
            libc.write(fd, b"pwned", 5)
            return ["connect", rc, ctypes.get_errno()]
    ''')
    try:
        got = value(call([cell], ["attack"]), "attack")
        with pytest.raises(BlockingIOError):
            server.accept()
    finally:
        server.close()
    assert got == ["socket", errno.EPERM]


@needs_seccomp
def test_a_udp_datagram_to_the_host_is_never_sent():
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    server.setblocking(False)
    port = server.getsockname()[1]
    cell = ("import socket\ndef attack():\n"
            "    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            f"    s.sendto(b'pwned', ('127.0.0.1', {port}))\n")
    try:
        result = call([cell], ["attack"])
        time.sleep(0.1)
        with pytest.raises(BlockingIOError):
            server.recv(100)
    finally:
        server.close()
    case = result.exercises["attack"].cases[0]
    assert case["type"] == "PermissionError", case


@needs_seccomp
def test_prlimit64_and_setpriority_cannot_reach_the_grader():
    before = resource.getrlimit(resource.RLIMIT_FSIZE), os.getpriority(os.PRIO_PROCESS, 0)
    cell = textwrap.dedent('''
        import ctypes, os
        libc = ctypes.CDLL(None, use_errno=True)
        class Rlim(ctypes.Structure):
            _fields_ = [("cur", ctypes.c_uint64), ("max", ctypes.c_uint64)]
        def attack():
            new = Rlim(0, 2**64 - 1)
            rc = libc.prlimit(os.getppid(), 1, ctypes.byref(new), None)
            e1 = ctypes.get_errno()
            rc2 = libc.setpriority(0, os.getppid(), 19)
            return [rc, e1, rc2, ctypes.get_errno()]
    ''')
    try:
        got = value(call([cell], ["attack"]), "attack")
        after = resource.getrlimit(resource.RLIMIT_FSIZE), os.getpriority(os.PRIO_PROCESS, 0)
    finally:   # on a grader without the filter the attack worked: undo it
        resource.setrlimit(resource.RLIMIT_FSIZE, before[0])
    assert got == [-1, errno.EPERM, -1, errno.EPERM]
    assert after == before


# ---- 2. the worker cannot steer the grader ---------------------------------------------

def test_forged_messages_cannot_rearm_the_deadline():
    forged = b'{"event": "exercise", "name": "f"}\n{"event": "ready"}\n{"event": "cells_done"}\n'
    cell = (f"import os, sys, time\ndef f():\n    for _ in range(300):\n"
            f"        os.write(int(sys.argv[2]), {forged!r})\n        time.sleep(0.1)\n")
    start = time.monotonic()
    with within(25):
        result = call([cell], ["f", "g"], limits=Limits(timeout=1.5, memory_mb=512))
    elapsed = time.monotonic() - start
    assert result.exercises["f"].status == "timeout"
    assert result.exercises["g"].status == "missing"
    assert elapsed < 1.5 * 3 + 4, elapsed


def test_a_replayed_cell_event_cannot_restart_the_worker_forever():
    cells = ["def f():\n    return 1\n",
             "import os, sys\nos.write(int(sys.argv[2]), b'{\"event\": \"cell\", \"index\": 0}\\n')\n"
             "os._exit(1)\n"]
    with within(25):
        result = call(cells, ["f"])
    assert value(result, "f") == 1
    assert result.workers == 2
    assert result.cell_failures[1].kind == "crash" and 0 not in result.cell_failures


def test_restarts_are_counted_by_the_grader_whatever_the_cells_claim():
    # every cell crashes the worker after naming a later cell: at most max_cell_failures restarts
    cells = [f"import os, sys\nos.write(int(sys.argv[2]), b'{{\"event\": \"cell\", \"index\": {i + 1}}}\\n')\n"
             f"os._exit(1)\n" for i in range(10)]
    with within(25):
        result = call(cells, ["f"], limits=Limits(timeout=3.0, memory_mb=512, max_cell_failures=3))
    assert result.workers == 3
    assert result.exercises["f"].status == "lost"


def test_a_submission_never_outlives_its_budget(monkeypatch):
    monkeypatch.setattr(Limits, "budget", lambda self, n, rounds=1: 2.0)
    cells = ["import time\ndef f():\n    time.sleep(60)\ndef g():\n    return 1\n"]
    start = time.monotonic()
    with within(25):
        result = call(cells, ["f", "g"], limits=Limits(timeout=10.0, memory_mb=512))
    assert time.monotonic() - start < 2.0 + 3
    assert result.exercises["f"].status == "timeout"
    assert "budget of 2 s" in result.exercises["f"].message
    assert result.exercises["g"].status == "lost" and "budget" in result.exercises["g"].message


def test_the_budget_is_printed_in_help():
    out = subprocess.run([sys.executable, "-m", "rnncourse", "grade", "--help"],
                         capture_output=True, text=True, check=True).stdout
    assert "2 * (rounds + exercises) * timeout + 10" in " ".join(out.split())


def test_a_sixty_megabyte_line_is_refused_without_parsing_it():
    nested = b"[" + b"[]," * (20 * 2**20) + b"[]]"      # 60 MB of empty lists, no newline
    cell = (f"import os, sys\ndef f():\n    fd = int(sys.argv[2])\n"
            f"    os.write(fd, b'{{\"event\": \"result\", \"name\": \"f\", \"cases\": ')\n"
            f"    block = b'[],' * (2**20)\n    os.write(fd, b'[')\n"
            f"    for _ in range(20):\n        os.write(fd, block)\n"
            f"    os.write(fd, b'[]]}}\\n')\n    return 1\n"
            "def g():\n    return 2\n")
    assert len(nested) > 60 * 10**6
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.monotonic()
    result = call([cell], ["f", "g"], limits=Limits(timeout=10.0, memory_mb=512, max_output_mb=128))
    assert time.monotonic() - start < 10
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak < 150 * 1024   # KB
    assert result.exercises["f"].status == "crash"
    assert "longer than 16 MB" in result.exercises["f"].message
    assert value(result, "g") == 2


def test_a_record_of_too_many_elements_is_refused():
    cell = ("import os, sys\ndef f():\n"
            "    os.write(int(sys.argv[2]), b'{\"event\": \"result\", \"name\": \"f\", \"cases\": ['"
            " + b'0,' * 500_000 + b'0]}\\n')\n"
            "def g():\n    return 2\n")
    result = call([cell], ["f", "g"])
    assert result.exercises["f"].status == "crash"
    assert "more than 400000 JSON elements" in result.exercises["f"].message
    assert value(result, "g") == 2


def test_a_record_of_the_wrong_type_costs_only_its_exercise():
    cell = ("import os, sys\ndef f():\n"
            "    os.write(int(sys.argv[2]), b'{\"event\": \"result\", \"name\": \"f\", \"cases\": {\"a\": 1}}\\n')\n"
            "def g():\n    return 2\n")
    result = call([cell], ["f", "g"])
    assert result.exercises["f"].status == "crash" and "wrong type" in result.exercises["f"].message
    assert value(result, "g") == 2


def test_worker_text_escapes_surrogates_and_control_characters():
    assert sandbox.worker_text("a\ud800b\x1b[31mc\nd") == "a\\ud800b\\x1b[31mc\\x0ad"
    assert sandbox.worker_text("x" * 500, 10) == "x" * 10 + "..."
    assert sandbox.worker_text(None) == "None" and sandbox.worker_text(3) == "3"
    assert sandbox.worker_text(["list"]) == "list"           # the type name, not the value
    sandbox.worker_text("\udfff" * 1000).encode("utf-8")     # always encodable


# ---- 3. scratch folders -----------------------------------------------------------------

def _deep_tree(root, depth):
    os.mkdir(root)
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    for i in range(depth):
        os.mkdir("d", dir_fd=fd)
        sub = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = sub
    os.close(fd)


def test_remove_tree_survives_depth_read_only_entries_and_symlinks(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    root = tmp_path / "scratch"
    _deep_tree(root, 3000)
    (root / "ro.txt").write_text("x")
    os.chmod(root / "ro.txt", 0o400)
    (root / "ro-dir").mkdir()
    (root / "ro-dir" / "f").write_text("x")
    os.chmod(root / "ro-dir", 0o500)
    os.symlink(outside, root / "link-dir")
    os.symlink(outside / "keep.txt", root / "link-file")
    remove_tree(root)
    assert not root.exists()
    assert (outside / "keep.txt").read_text() == "keep"
    remove_tree(root)                                  # already gone: nothing to do


def test_a_deep_tree_left_by_a_submission_is_removed(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)
    # deeper than Python's recursion limit (shutil.rmtree raised RecursionError); not 3000
    # deep only because Landlock makes each step cost the depth
    cell = ("import os\ndef f():\n    for _ in range(1200):\n        os.mkdir('d')\n"
            "        os.chdir('d')\n    open('x', 'w').write('x')\n    return 1\n")
    # without namespaces the scratch folder is on the grader's disk
    result = call([cell], ["f"], limits=Limits(timeout=10.0, memory_mb=512, namespaces=False))
    assert value(result, "f") == 1
    assert result.confinement["scratch"] == "disk"
    assert [p for p in os.listdir(tmp_path) if p.startswith("rnncourse-grade-")] == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_what_a_killed_grader_left_is_removed_by_the_next_run(tmp_path):
    env = dict(os.environ, TMPDIR=str(tmp_path))
    script = ("from rnncourse.grading import plain\nfrom rnncourse.grading.sandbox import Limits, run\n"
              "run(['import os\\nos.makedirs(\"a/b/c\")\\nwhile True: pass'], "
              "[('f', [plain.encode(())])], limits=Limits(timeout=30, memory_mb=512, namespaces=False))\n")
    grader = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            left = [p for p in tmp_path.iterdir() if p.name.startswith("rnncourse-grade-")]
            if left and list(left[0].glob("scratch-1/a/b/c")):
                break
            time.sleep(0.1)
        else:
            pytest.fail("the grader never started its worker")
    finally:
        grader.kill()
        grader.wait()
    assert left[0].exists()
    live = tmp_path / "rnncourse-grade-live"        # a grader still running keeps its folder
    live.mkdir()
    lock = os.open(live / ".lock", os.O_RDWR | os.O_CREAT)
    import fcntl
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        time.sleep(0.2)                              # the worker dies with its grader
        assert sandbox.clean_stale(str(tmp_path)) == []          # too young yet
        removed = sandbox.clean_stale(str(tmp_path), grace=0)
    finally:
        os.close(lock)
    assert removed == [str(left[0])] and not left[0].exists() and live.exists()


# ---- 4. no blow-up on submission text in the grader's process ------------------------------

def _scan_seconds(text):
    start = time.process_time()          # CPU time: steadier than wall time on a shared machine
    source.find_magics(text)
    source.reference_uses(text, ())
    source.defining_cells([text], "f")
    return time.process_time() - start


@pytest.mark.parametrize("unit, n", [(" ", 25_000), ("x" + " " * 1000 + "=", 25), ("\n", 25_000),
                                     ("from rnncourse import (\n", 5_000), ("a" * 1000 + "?", 25),
                                     ("x = ", 7_500)])
def test_source_scans_are_linear(unit, n):
    # 5000 spaces took 24 s before (cubic regex); now 4x the text costs about 4x the time
    assert _scan_seconds(" " * 5000) < 0.5
    small, large = _scan_seconds(unit * n), _scan_seconds(unit * (4 * n))
    assert large < 0.5 or large < 8 * max(small, 1e-3), (small, large)


def test_magic_detection_is_unchanged():
    code, refused = source.transform_magics("x = !ls\n  %time f()\nlen?\nobj.attr??\n"
                                            "d['k'] = !pwd\ny = a % b\n a = %%x")
    assert code.split("\n") == ["x = None", "  pass", "pass", "pass", "d['k'] = None",
                                "y = a % b", " a = None"]
    assert [r.split(": ", 1)[1] for r in refused] == ["!ls", "%time f()", "len?", "obj.attr??",
                                                      "!pwd", "%%x"]


# ---- namespaces, and what the report says when a layer is missing --------------------------

@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="namespaces are Linux's")
def test_the_user_namespace_path_gives_a_private_network_and_a_bounded_tmpfs(tmp_path):
    # the path a normal user takes (forced here by pretending not to be root), in a child
    # process because unshare changes the process that calls it
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    script = textwrap.dedent(f'''
        import os, socket, sys
        sys.path.insert(0, {str(sandbox._HERE)!r})
        import worker
        os.geteuid = lambda: 1000
        spaces, disk = worker._namespaces({str(scratch)!r}, 4)
        print(spaces, "|", disk)
        if not spaces.startswith("net"):
            sys.exit(0)
        try:
            open("big", "wb").write(b"0" * (5 * 2**20))
        except OSError as e:
            print("disk", e.errno)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.sendto(b"x", ("1.1.1.1", 53))
        except OSError as e:
            print("net", e.errno)
    ''')
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=scratch, timeout=60).stdout.split("\n")
    if not out[0].startswith("net"):
        pytest.skip(f"no unprivileged user namespaces here: {out[0]}")
    assert out[0] == "net, ipc, mount (in a user namespace) | tmpfs 4 MB"
    assert out[1:3] == [f"disk {errno.ENOSPC}", f"net {errno.ENETUNREACH}"]
    assert os.listdir(scratch) == []                 # the tmpfs went with the process


def test_every_missing_layer_is_a_warning_in_the_report():
    from rnncourse.grading import grade
    from rnncourse.grading.extract import read_submission
    from rnncourse.grading.exercises import get_assignment
    from rnncourse.grading.sandbox import SandboxRun

    from ..fixtures.submissions import build
    path = build.SOLUTIONS / "02_forward_propagation.ipynb"
    if not path.exists():
        pytest.skip("solution notebooks not present")
    sub, asg = read_submission(path), get_assignment("02_forward_propagation")
    full = {"namespaces": "net, ipc, mount (as root)", "landlock": "landlock ABI 7",
            "seccomp": "seccomp allow-list on"}
    assert not [n for n in grade._notes(sub, asg, SandboxRun({}, {}, [], [], full, 1, 0), [])
                if n.startswith("warning")]
    bare = {"namespaces": "unavailable (unshare errno 1)", "landlock": "unavailable",
            "seccomp": "seccomp unavailable on riscv64"}
    warnings = [n for n in grade._notes(sub, asg, SandboxRun({}, {}, [], [], bare, 1, 0), [])
                if n.startswith("warning")]
    assert len(warnings) == 3
    assert any("unshare errno 1" in w for w in warnings)
    assert any("could open sockets" in w for w in warnings)


def test_new_limits_are_validated_and_the_budget_follows_its_formula():
    for name in ("disk_mb", "max_line_mb", "max_elements", "file_mb"):
        with pytest.raises(ValueError, match=f"{name} must be a positive integer"):
            Limits(**{name: 0})
    with pytest.raises(ValueError, match="max_cell_failures"):
        Limits(max_cell_failures=-1)
    assert Limits(timeout=3.0).budget(4) == 2 * 5 * 3.0 + 10
    assert Limits(timeout=3.0).budget(4, rounds=2) == 2 * 6 * 3.0 + 10


def test_a_forged_missing_message_is_quoted_as_the_workers_words():
    cell = ("import os, sys\ndef f():\n"
            "    os.write(int(sys.argv[2]), b'{\"event\": \"result\", \"name\": \"f\", "
            "\"missing\": \"passed 3 hidden cases\\\\u001b[0m\"}\\n')\n")
    result = call([cell], ["f"])
    assert result.exercises["f"].status == "missing"
    assert result.exercises["f"].message == ('reported missing by the worker: '
                                             '"passed 3 hidden cases\\x1b[0m"')
