"""Forward + backward speed of rnncourse's RNN, GRU and LSTM, next to PyTorch's.

Run from the repository root (see benchmarks/README.md for the recorded results)::

    .venv/bin/python benchmarks/bench_models.py            # full run, a few minutes
    .venv/bin/python benchmarks/bench_models.py --quick    # fewer repeats, small shapes
    .venv/bin/python benchmarks/bench_models.py --model lstm --dtype float32

What is timed, for each model, shape (n_x, n_a, m, T_x) and dtype: one forward pass
over the whole sequence without a prediction layer, and the backward pass of the
loss ``sum(a)`` (gradient ones into every hidden state) down to the input, the
initial state and every parameter.  PyTorch's ``nn.RNN`` / ``nn.GRU`` / ``nn.LSTM``
(one layer, ``batch_first=False``, input ``(T_x, m, n_x)`` with ``requires_grad``)
does the same work: ``out.sum().backward()``.  Both run on as many threads as
numpy's BLAS has.  Runs of the two alternate, after a warm-up, and the median of
the repeats is reported, so a burst of load from elsewhere hits both alike.

Achieved GFLOP/s counts the matrix products only: a forward pass with G gate blocks
(RNN 1, GRU 3, LSTM 4) does ``2 G n_a (n_a + n_x) m T_x`` flops, and the backward
twice that (gradient of the inputs and of the weights), so 3x in all.  The peak is
``np.matmul`` of two square matrices measured in the same run.

PyTorch is optional and never a dependency of the course: without it only our
timings are printed.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

import numpy as np

from rnncourse.gru import gru_backward, gru_forward, init_gru_params
from rnncourse.lstm import init_lstm_params, lstm_backward, lstm_forward
from rnncourse.rnn import init_rnn_params, rnn_backward, rnn_forward

SHAPES = [(27, 50, 1, 25), (64, 128, 32, 50), (128, 256, 64, 50), (256, 512, 64, 100)]
GATES = {"rnn": 1, "gru": 3, "lstm": 4}
#: the targets of issue 3: (model, dtype, shape or None for every shape) -> max ratio ours/torch
RATIO_TARGETS = {("gru", "float64"): 0.8, ("lstm", "float64"): 0.8}
RATIO_TARGETS_AT = {("gru", "float32", (128, 256, 64, 50)): 1.0,
                    ("lstm", "float32", (128, 256, 64, 50)): 1.0}
PEAK_TARGET = 0.5  # fraction of matmul peak at the largest shape (GRU and LSTM)
PAUSE = 0.3  # seconds between timing blocks, so idle worker threads stop spinning


# --- our models --------------------------------------------------------------------------

def ours(model: str, n_x: int, n_a: int, m: int, T: int, dtype, rng):
    """A closure running forward + backward of our ``model`` once."""
    x = rng.standard_normal((n_x, m, T)).astype(dtype)
    a0 = np.zeros((n_a, m), dtype)
    da = np.ones((n_a, m, T), dtype)
    if model == "rnn":
        params = init_rnn_params(n_x, n_a, None, rng=rng, dtype=dtype)

        def run():
            _, _, caches = rnn_forward(x, a0, params, output=None)
            return rnn_backward(da, caches)
    elif model == "gru":
        params = init_gru_params(n_x, n_a, None, rng=rng, dtype=dtype)

        def run():
            _, _, caches = gru_forward(x, a0, params, output=None)
            return gru_backward(da, caches)
    else:
        params = init_lstm_params(n_x, n_a, None, rng=rng, dtype=dtype)

        def run():
            _, _, _, caches = lstm_forward(x, a0, params, output=None)
            return lstm_backward(da, caches)
    return run


# --- PyTorch ---------------------------------------------------------------------------

def torch_model(torch, model: str, n_x: int, n_a: int, m: int, T: int, dtype: str, seed: int):
    """A closure running forward + backward of ``torch.nn.<model>`` once."""
    torch.manual_seed(seed)
    tdtype = {"float64": torch.float64, "float32": torch.float32}[dtype]
    cls = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}[model]
    net = cls(n_x, n_a, num_layers=1, batch_first=False).to(tdtype)
    x = torch.randn(T, m, n_x, dtype=tdtype, requires_grad=True)

    def run():
        net.zero_grad(set_to_none=True)
        x.grad = None
        out, _ = net(x)
        out.sum().backward()
        return out

    return run


# --- timing ------------------------------------------------------------------------------

def matmul_peak(dtype, n: int = 1024, repeats: int = 5) -> float:
    """GFLOP/s of ``np.matmul`` on two (n, n) matrices: the best of ``repeats``."""
    rng = np.random.default_rng(0)
    A = rng.standard_normal((n, n)).astype(dtype)
    B = rng.standard_normal((n, n)).astype(dtype)
    out = np.empty((n, n), dtype)
    np.matmul(A, B, out=out)
    best = min(_timed(lambda: np.matmul(A, B, out=out)) for _ in range(repeats))
    return 2.0 * n ** 3 / best / 1e9


#: the clock runs are timed with; --clock cpu switches to the process's CPU time
CLOCK = {"wall": time.perf_counter, "cpu": time.process_time}
_clock = CLOCK["wall"]


def _timed(fn) -> float:
    start = _clock()
    fn()
    return _clock() - start


def flops(model: str, n_x: int, n_a: int, m: int, T: int) -> float:
    """Matrix-product flops of one forward + backward (3x the forward's)."""
    return 3 * 2.0 * GATES[model] * n_a * (n_a + n_x) * m * T


def repeats_for(seconds_per_run: float, quick: bool) -> int:
    """Enough repeats for a stable median, within a few seconds per measurement."""
    budget = 1.5 if quick else 6.0
    return int(min(15 if not quick else 5, max(3, budget // max(seconds_per_run, 1e-6))))


def measure(run_ours, run_torch, quick: bool):
    """Median seconds of ours and of torch (or None).

    The two libraries run in alternating blocks with a pause between blocks: BLAS
    and OpenMP worker threads keep spinning for a while after a call, and on a small
    machine one library's spinning threads would slow the other's next run.
    Alternating blocks (rather than one block each) spreads any outside load over both.
    """
    first = _timed(run_ours)
    if run_torch is not None:
        time.sleep(PAUSE)
        _timed(run_torch)
    n = repeats_for(first, quick)
    blocks = 2 if n >= 4 else 1
    t_ours, t_torch = [], []
    for b in range(blocks):
        per_block = n // blocks + (b < n % blocks)
        time.sleep(PAUSE)
        t_ours += [_timed(run_ours) for _ in range(per_block)]
        if run_torch is not None:
            time.sleep(PAUSE)
            t_torch += [_timed(run_torch) for _ in range(per_block)]
    return statistics.median(t_ours), (statistics.median(t_torch) if t_torch else None), n


# --- report ------------------------------------------------------------------------------

def machine_description(torch) -> list[str]:
    lines = []
    model_name = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model_name = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    lines.append(f"machine: {platform.machine()}, {os.cpu_count()} CPUs ({model_name}), "
                 f"load average {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    lines.append(f"python {platform.python_version()}, numpy {np.__version__}")
    try:
        from threadpoolctl import threadpool_info
        for info in threadpool_info():
            if info.get("user_api") == "blas":
                lines.append(f"numpy BLAS: {info.get('internal_api')} {info.get('version')}, "
                             f"kernel {info.get('architecture')}, {info.get('num_threads')} threads")
    except ImportError:
        lines.append("numpy BLAS: (install threadpoolctl to see the library and kernel)")
    env = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                      "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS") if k in os.environ}
    lines.append(f"BLAS environment: {env or 'none set'}")
    if torch is not None:
        lines.append(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
                     f"mkldnn {'on' if torch.backends.mkldnn.is_available() else 'off'}")
    else:
        lines.append("torch: not importable (only our timings)")
    return lines


def blas_threads() -> int:
    try:
        from threadpoolctl import threadpool_info
        counts = [i["num_threads"] for i in threadpool_info() if i.get("user_api") == "blas"]
        if counts:
            return counts[0]
    except ImportError:
        pass
    return int(os.environ.get("OPENBLAS_NUM_THREADS", os.cpu_count() or 1))


def verdict(model: str, dtype: str, shape: tuple, ratio, frac_peak) -> str:
    """Which of issue 3's targets this row is held to, and whether it meets them."""
    notes = []
    limit = RATIO_TARGETS_AT.get((model, dtype, shape), RATIO_TARGETS.get((model, dtype)))
    if limit is not None and ratio is not None:
        notes.append(f"{'met' if ratio <= limit else 'MISSED'} (<= {limit:.1f}x)")
    if model in ("gru", "lstm") and shape == SHAPES[-1]:
        notes.append(f"peak {'met' if frac_peak >= PEAK_TARGET else 'MISSED'} "
                     f"(>= {PEAK_TARGET:.0%})")
    return ", ".join(notes)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer repeats and only the two smaller shapes")
    parser.add_argument("--dtype", choices=["float64", "float32", "both"], default="both")
    parser.add_argument("--model", choices=["rnn", "gru", "lstm", "all"], default="all")
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch even if installed")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for numpy's BLAS and for torch (default: numpy's BLAS "
                             "thread count; needs threadpoolctl to change numpy's)")
    parser.add_argument("--clock", choices=sorted(CLOCK), default="wall",
                        help="wall: elapsed time (default); cpu: CPU time of this process, "
                             "steadier on a shared machine when run with --threads 1")
    args = parser.parse_args(argv)
    global _clock
    _clock = CLOCK[args.clock]
    if args.threads is not None:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            parser.error("--threads needs threadpoolctl (pip install threadpoolctl), or set "
                         "OPENBLAS_NUM_THREADS before starting python")
        _limits = threadpool_limits(args.threads, user_api="blas")  # noqa: F841 (kept in force)

    torch = None
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            torch = None
    threads = blas_threads()
    if torch is not None:
        torch.set_num_threads(threads)
    print("\n".join(machine_description(torch)))
    print(f"clock: {args.clock}")

    dtypes = ["float64", "float32"] if args.dtype == "both" else [args.dtype]
    models = ["rnn", "gru", "lstm"] if args.model == "all" else [args.model]
    shapes = SHAPES[:2] if args.quick else SHAPES
    peaks = {dt: matmul_peak(np.dtype(dt)) for dt in dtypes}
    for dt, peak in peaks.items():
        print(f"np.matmul peak ({dt}, 1024 x 1024 @ 1024 x 1024): {peak:.1f} GFLOP/s")

    header = (f"{'model':5} {'dtype':8} {'(n_x, n_a, m, T_x)':20} {'ours ms':>9} {'GFLOP/s':>8} "
              f"{'% peak':>7} {'torch ms':>9} {'ratio':>6} {'reps':>4}  targets")
    print(header)
    print("-" * len(header))
    rng = np.random.default_rng(0)
    for dt in dtypes:
        for shape in shapes:
            for model in models:
                run_ours = ours(model, *shape, np.dtype(dt), rng)
                run_torch = torch_model(torch, model, *shape, dt, 0) if torch is not None else None
                t_ours, t_torch, n = measure(run_ours, run_torch, args.quick)
                gflops = flops(model, *shape) / t_ours / 1e9
                frac = gflops / peaks[dt]
                ratio = None if t_torch is None else t_ours / t_torch
                torch_ms = f"{t_torch * 1e3:9.2f}" if t_torch is not None else f"{'-':>9}"
                ratio_s = f"{ratio:6.2f}" if ratio is not None else f"{'-':>6}"
                print(f"{model:5} {dt:8} {str(shape):20} {t_ours * 1e3:9.2f} {gflops:8.1f} "
                      f"{frac:7.1%} {torch_ms} {ratio_s} {n:4}  "
                      f"{verdict(model, dt, shape, ratio, frac)}", flush=True)
    print(f"load average at the end: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
