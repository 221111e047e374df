"""Training the lesson 10 language model: rnncourse (numpy) next to an equivalent PyTorch loop.

Run from the repository root (results are recorded in benchmarks/README.md)::

    .venv/bin/python benchmarks/bench_language_model.py            # ~1-2 minutes
    .venv/bin/python benchmarks/bench_language_model.py --steps 300 --target 9.5

The model, data and schedule are those of lesson 10: a plain RNN language model over
the help pages of this Python (``rnncourse.text.load_corpus``), n_a = 64, m = 32
streams, chunks of T = 25 (truncated BPTT, state carried), clipping to global norm 5,
Adam with learning rate 0.01, float64.  PyTorch runs the *same* model: the same
initial parameters (copied from ours), the same chunks in the same order, the same
step equations written with torch tensors (``tanh(W_ax x + W_aa a + b_a)``, softmax
cross-entropy summed over T and averaged over m), ``loss.backward()``,
``clip_grad_norm_`` and ``torch.optim.Adam`` (same betas and eps).  The first step's
loss and gradients are checked to agree before anything is timed.

What is printed:

* **per update**: the median time of one training step (forward, loss, backward,
  clipping, Adam) over the run, ours and torch, and the ratio torch / ours;
* **time to target**: training time (evaluations excluded) until the held-out
  perplexity first falls below ``--target`` (the lesson's RNN reaches 7.5 after 600
  updates; the default target is 8.0), with the held-out perplexity measured every 50
  updates by the same numpy evaluator for both, and the ratio.

Both libraries use one thread (``OPENBLAS_NUM_THREADS=1`` is set before numpy is
imported, ``torch.set_num_threads(1)``), and time is this process's CPU time
(``time.process_time``), which the load of other users of a shared machine disturbs
least.  PyTorch is optional and never a dependency of the course: without it only our
timings are printed.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")   # before numpy is imported

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from rnncourse.language_model import (evaluate_perplexity, init_lm_params, init_state,  # noqa: E402
                                      lm_backward, lm_forward, text_batches, train_step)
from rnncourse.optim import init_adam_state  # noqa: E402
from rnncourse.text import load_corpus  # noqa: E402

KEYS = ("Wax", "Waa", "ba", "Wya", "by")


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def run_ours(corpus, n_y, args, params0):
    """Train with rnncourse; yield (step, seconds so far, params) at each evaluation."""
    params, adam = {k: v.copy() for k, v in params0.items()}, init_adam_state(params0)
    batches = text_batches(corpus.train_ids, args.m, args.T)
    times, spent, state = [], 0.0, None
    for step in range(1, args.steps + 1):
        x, y, new_epoch = next(batches)
        tic = time.process_time()
        if new_epoch:
            state = init_state(args.n_a, args.m)
        params, adam, _, state = train_step(params, adam, x, y, state, args.lr, args.max_norm)
        dt = time.process_time() - tic
        times.append(dt)
        spent += dt
        if step % args.eval_every == 0:
            yield step, spent, params, times


def torch_setup(params0):
    import torch

    torch.set_num_threads(1)
    p = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params0.items()}
    opt = torch.optim.Adam(list(p.values()), lr=0.01, betas=(0.9, 0.999), eps=1e-8)
    return torch, p, opt


def torch_step(torch, p, opt, x, y, a0, n_y, max_norm):
    """The same training step in torch; returns (loss, a_last)."""
    m, T = x.shape
    xs = torch.from_numpy(x.T.copy())                      # (T, m) ids
    ys = torch.from_numpy(y.T.copy())
    proj = p["Wax"].T[xs]                                  # (T, m, n_a) = W_ax one_hot(x) per step
    a = a0
    states = []
    for t in range(T):
        a = torch.tanh(proj[t] + a @ p["Waa"].T + p["ba"].T)    # (m, n_a)
        states.append(a)
    h = torch.stack(states)                                # (T, m, n_a)
    z = h @ p["Wya"].T + p["by"].T                         # (T, m, n_y)
    logp = torch.log_softmax(z, dim=2)
    loss = -logp.gather(2, ys[:, :, None]).sum() / m       # summed over T, mean over m
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(list(p.values()), max_norm)
    opt.step()
    return float(loss), a.detach()


def run_torch(corpus, n_y, args, params0):
    torch, p, opt = torch_setup(params0)
    batches = text_batches(corpus.train_ids, args.m, args.T)
    times, spent, a = [], 0.0, None
    for step in range(1, args.steps + 1):
        x, y, new_epoch = next(batches)
        tic = time.process_time()
        if new_epoch:
            a = torch.zeros((args.m, args.n_a), dtype=torch.float64)
        _, a = torch_step(torch, p, opt, x, y, a, n_y, args.max_norm)
        dt = time.process_time() - tic
        times.append(dt)
        spent += dt
        if step % args.eval_every == 0:
            yield step, spent, {k: v.detach().numpy().copy() for k, v in p.items()}, times


def check_equivalence(corpus, n_y, args, params0) -> float:
    """Largest relative difference of loss and gradients at the first step."""
    torch, p, opt = torch_setup(params0)
    x, y, _ = next(text_batches(corpus.train_ids, args.m, args.T))
    y_hat, _, cache = lm_forward(x, init_state(args.n_a, args.m), params0)
    grads = lm_backward(y, cache)
    ours_loss = -np.log(np.take_along_axis(y_hat, y[None], 0)).sum() / args.m
    m, T = x.shape
    xs, ys = torch.from_numpy(x.T.copy()), torch.from_numpy(y.T.copy())
    a = torch.zeros((m, args.n_a), dtype=torch.float64)
    proj, states = p["Wax"].T[xs], []
    for t in range(T):
        a = torch.tanh(proj[t] + a @ p["Waa"].T + p["ba"].T)
        states.append(a)
    z = torch.stack(states) @ p["Wya"].T + p["by"].T
    loss = -torch.log_softmax(z, 2).gather(2, ys[:, :, None]).sum() / m
    loss.backward()
    worst = abs(float(loss.detach()) - ours_loss) / abs(ours_loss)
    for k in KEYS:
        g = p[k].grad.numpy()
        worst = max(worst, float(np.abs(g - grads["d" + k]).max() / np.abs(grads["d" + k]).max()))
    return worst


def summarise(name, run, target, held):
    reached, last = None, None
    for step, spent, params, times in run:
        ppl = evaluate_perplexity(params, held)
        last = (step, spent, ppl, times)
        print(f"  {name:>5} step {step:>4}: held-out perplexity {ppl:6.2f}  (training CPU {spent:6.2f} s)")
        if reached is None and ppl < target:
            reached = (step, spent)
    step, spent, ppl, times = last
    return {"per_update": statistics.median(times), "reached": reached, "final": ppl, "total": spent}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=700)
    parser.add_argument("--target", type=float, default=8.0, help="held-out perplexity to reach")
    parser.add_argument("--eval-every", type=int, default=50)
    parser.add_argument("--no-torch", action="store_true")
    args = parser.parse_args(argv)
    args.n_a, args.m, args.T, args.lr, args.max_norm = 64, 32, 25, 0.01, 5.0

    corpus = load_corpus()
    n_y = len(corpus.vocab)
    params0 = init_lm_params(n_y, args.n_a, rng=np.random.default_rng(0))
    print(f"CPU: {cpu_model()}; Python {platform.python_version()}, numpy {np.__version__}; "
          f"1 thread, CPU time")
    print(f"model: RNN n_a={args.n_a}, n_y={n_y}, m={args.m}, T={args.T}, Adam lr {args.lr}, "
          f"clip {args.max_norm}, {args.steps} updates; target held-out perplexity {args.target}")
    try:
        import torch
        have_torch = not args.no_torch
    except ImportError:
        have_torch = False
    if have_torch:
        print(f"torch {torch.__version__}; first-step loss and gradients agree to "
              f"{check_equivalence(corpus, n_y, args, params0):.1e} (relative)")

    results = {"numpy": summarise("numpy", run_ours(corpus, n_y, args, params0), args.target,
                                  corpus.held_out_ids)}
    if have_torch:
        results["torch"] = summarise("torch", run_torch(corpus, n_y, args, params0), args.target,
                                     corpus.held_out_ids)
    print()
    print(f"{'':>6} {'ms/update':>10} {'updates to target':>18} {'CPU s to target':>16} {'final ppl':>10}")
    for name, r in results.items():
        steps, secs = r["reached"] if r["reached"] else ("not reached", float("nan"))
        print(f"{name:>6} {1000 * r['per_update']:>10.2f} {steps!s:>18} {secs:>16.2f} {r['final']:>10.2f}")
    if have_torch:
        o, t = results["numpy"], results["torch"]
        print(f"ratio torch / numpy: per update {t['per_update'] / o['per_update']:.2f}x", end="")
        if o["reached"] and t["reached"]:
            print(f", time to target {t['reached'][1] / o['reached'][1]:.2f}x")
        else:
            print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
