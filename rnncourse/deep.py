"""Deep RNNs: stacked recurrent layers, then dense layers per time step, then y_hat.

Lesson 08 (deep RNN).  Layer l reads the states of layer l-1 at the same step and
its own state at the previous step (superscript [l] numbers layers, l = 1 ... L)::

    a[l]<t> = cell[l](a[l-1]<t>, a[l]<t-1>)        a[0]<t> = x<t>
    h[k]<t> = g[k](W[k] h[k-1]<t> + b[k])          h[0]<t> = a[L]<t>  (dense, k = 1 ... K)
    y_hat<t> = g(W_y h[K]<t> + b_y)

Each recurrent layer is any cell of :data:`rnncourse.cells.CELLS`, or a
bidirectional pair of them (:mod:`rnncourse.bidirectional`, whose ``a`` stacks
``[a_fwd; a_bwd]``, so the next layer reads 2 n_a inputs).  The dense layers are the
syllabus's "deep, non-recurrent layers after recurrent layers": they act on each
time step separately and do not connect steps.  No gate arithmetic lives here: the
recurrent layers call ``CELLS[cell].forward/backward`` (or the BRNN functions).

A network is described by plain dicts::

    specs = [{"cell": "lstm", "n_a": 32}, {"cell": "gru", "n_a": 32, "bidirectional": True}]
    dense = [{"n": 16, "activation": "relu"}]

and its parameters mirror that description::

    {"recurrent": [params of layer 1, ..., params of layer L],   # cell dicts, or {"fwd", "bwd"}
     "dense": [{"W": (n_k, n_{k-1}), "b": (n_k, 1)}, ...],
     "Wy": (n_y, n_top), "by": (n_y, 1)}

:func:`flatten_params` and :func:`flatten_grads` turn that nested dict (and its
gradients) into flat dicts for :mod:`rnncourse.optim` and :mod:`rnncourse.gradcheck`.
"""

from __future__ import annotations

from typing import Any, Mapping, NamedTuple, Sequence

import numpy as np

from ._validate import Dims, as_rng, check_int, check_mask, require_keys
from .activations import ACTIVATIONS
from .bidirectional import brnn_backward, brnn_forward, init_brnn_params
from .cells import CELLS, get_cell
from .output import OutputCache, check_output, output_backward, output_forward

__all__ = [
    "DENSE_ACTIVATIONS", "DeepRNNCache", "DenseCache", "DenseSpec", "LayerSpec",
    "deep_rnn_backward", "deep_rnn_forward", "dense_backward", "dense_forward",
    "flatten_grads", "flatten_params", "init_deep_rnn_params", "parse_specs",
]

#: elementwise activations a dense layer may use
DENSE_ACTIVATIONS = ("relu", "tanh", "sigmoid", "identity")


class LayerSpec(NamedTuple):
    """One recurrent layer: its cell, hidden size, and whether it is bidirectional."""

    cell: str
    n_a: int
    bidirectional: bool = False

    @property
    def n_out(self) -> int:
        """Number of units this layer hands to the next: n_a, or 2 n_a if bidirectional."""
        return 2 * self.n_a if self.bidirectional else self.n_a


class DenseSpec(NamedTuple):
    """One dense (per time step) layer: number of units and activation."""

    n: int
    activation: str = "relu"


def parse_specs(specs, dense=(), fn: str = "parse_specs") -> tuple[tuple, tuple]:
    """Check layer descriptions and return them as ``(LayerSpec, ...), (DenseSpec, ...)``.

    ``specs`` is a non-empty list of dicts ``{"cell": str, "n_a": int,
    "bidirectional": bool (default False)}`` (or ``LayerSpec``); ``dense`` a list of
    ``{"n": int, "activation": str (default "relu")}`` (or ``DenseSpec``).
    """
    if isinstance(specs, (dict, str)) or not isinstance(specs, Sequence) or not specs:
        raise TypeError(f"{fn}: specs must be a non-empty list of dicts such as "
                        f"[{{'cell': 'rnn', 'n_a': 16}}], got {specs!r}")
    layers = []
    for l, s in enumerate(specs, start=1):
        s = s._asdict() if isinstance(s, LayerSpec) else s
        require_keys(fn, f"specs[{l - 1}]", s, ["cell", "n_a"])
        unknown = sorted(set(s) - {"cell", "n_a", "bidirectional"})
        if unknown:
            raise ValueError(f"{fn}: specs[{l - 1}] has unknown keys {unknown} "
                             f"(allowed: cell, n_a, bidirectional)")
        get_cell(s["cell"], fn)
        layers.append(LayerSpec(s["cell"], check_int(fn, f"specs[{l - 1}]['n_a']", s["n_a"]),
                                bool(s.get("bidirectional", False))))
    if isinstance(dense, (dict, str)) or not isinstance(dense, Sequence):
        raise TypeError(f"{fn}: dense must be a list of dicts such as "
                        f"[{{'n': 16, 'activation': 'relu'}}], got {dense!r}")
    denses = []
    for k, s in enumerate(dense):
        s = s._asdict() if isinstance(s, DenseSpec) else s
        require_keys(fn, f"dense[{k}]", s, ["n"])
        act = s.get("activation", "relu")
        if act not in DENSE_ACTIVATIONS:
            raise ValueError(f"{fn}: dense[{k}]['activation'] must be one of "
                             f"{', '.join(map(repr, DENSE_ACTIVATIONS))}, got {act!r}")
        denses.append(DenseSpec(check_int(fn, f"dense[{k}]['n']", s["n"]), act))
    return tuple(layers), tuple(denses)


# ----------------------------------------------------------------------------------------
# Dense layer applied to every time step

class DenseCache(NamedTuple):
    """Cache of :func:`dense_forward`: the affine part's cache, the output, the activation."""

    affine: OutputCache      #: (a, W, z, "identity") of z = W a + b
    h: np.ndarray            #: the layer's output g(z)
    activation: str


def dense_forward(a, W, b, activation: str = "relu"):
    """A non-recurrent layer ``h = g(W a + b)``, applied to every time step at once.

    Parameters
    ----------
    a : ndarray of shape (n_in, m, T) or (n_in, m)
    W : ndarray of shape (n, n_in)
    b : ndarray of shape (n, 1)
    activation : {"relu", "tanh", "sigmoid", "identity"}

    Returns
    -------
    h : ndarray of shape (n, m, T) or (n, m)
    cache : DenseCache

    Notes
    -----
    ``h<t> = g(W a<t> + b)`` for each t; the steps do not interact.
    """
    fn = "dense_forward"
    if activation not in DENSE_ACTIVATIONS:
        raise ValueError(f"{fn}: activation must be one of "
                         f"{', '.join(map(repr, DENSE_ACTIVATIONS))}, got {activation!r}")
    d = Dims(fn)
    W = d.bind("W", W, ("n", "n_in"))
    b = d.bind("b", b, ("n", 1))
    a = d.bind("a", a, ("n_in", "m", "T") if np.ndim(a) == 3 else ("n_in", "m"))
    z, affine = output_forward(a, W, b, "identity")            # (n, m, T)
    h = ACTIVATIONS[activation][0](z)
    return h, DenseCache(affine, h, activation)


def dense_backward(dh, cache: DenseCache) -> dict:
    """Backward pass of :func:`dense_forward`.

    Parameters
    ----------
    dh : ndarray of the shape of ``h``, gradient of the loss with respect to h
    cache : DenseCache

    Returns
    -------
    grads : dict
        ``da`` (shape of ``a``), ``dW`` (n, n_in), ``db`` (n, 1).

    Notes
    -----
    ``dz = dh * g'(z)`` (g' written in terms of ``h``), then ``da = W^T dz``,
    ``dW = sum_t dz<t> a<t>^T``, ``db = sum over examples and steps of dz``.
    """
    affine, h, activation = cache
    dz = dh * ACTIVATIONS[activation][1](h)
    g = output_backward(dz, affine)
    return {"da": g["da"], "dW": g["dWy"], "db": g["dby"]}


# ----------------------------------------------------------------------------------------
# Parameters

def init_deep_rnn_params(n_x: int, specs, n_y: int | None, *, dense=(), rng,
                         dtype=np.float64) -> dict:
    """Random parameters for :func:`deep_rnn_forward`.

    Parameters
    ----------
    n_x : int
        Input size.
    specs, dense : lists of layer descriptions (see the module docstring)
    n_y : int or None
        Output size; ``None`` leaves out ``Wy``, ``by``.
    rng : np.random.Generator or int seed
    dtype : float dtype

    Returns
    -------
    params : dict
        ``"recurrent"``: list of the L layers' parameter dicts (layer l's input size is
        the previous layer's ``n_out``); ``"dense"``: list of ``{"W", "b"}`` with
        ``W ~ N(0, 2 / n_in)`` for relu and ``N(0, 1 / n_in)`` otherwise, ``b = 0``;
        ``"Wy"`` (n_y, n_top) ~ N(0, 1 / n_top), ``"by"`` (n_y, 1) = 0.
    """
    fn = "init_deep_rnn_params"
    layers, denses = parse_specs(specs, dense, fn)
    rng = as_rng(fn, rng)
    n_in = check_int(fn, "n_x", n_x)
    recurrent = []
    for s in layers:
        if s.bidirectional:
            recurrent.append(init_brnn_params(n_in, s.n_a, None, cell=s.cell, rng=rng, dtype=dtype))
        else:
            recurrent.append(CELLS[s.cell].init_params(n_in, s.n_a, rng, dtype=dtype))
        n_in = s.n_out
    dense_params = []
    for s in denses:
        gain = 2.0 if s.activation == "relu" else 1.0
        dense_params.append({"W": (rng.standard_normal((s.n, n_in)) * np.sqrt(gain / n_in)).astype(dtype),
                             "b": np.zeros((s.n, 1), dtype=dtype)})
        n_in = s.n
    params = {"recurrent": recurrent, "dense": dense_params}
    if n_y is not None:
        params["Wy"] = (rng.standard_normal((check_int(fn, "n_y", n_y), n_in))
                        / np.sqrt(n_in)).astype(dtype)
        params["by"] = np.zeros((n_y, 1), dtype=dtype)
    return params


def flatten_params(params, prefix: str = "") -> dict:
    """The arrays of a nested parameter dict, under dotted path names.

    ``{"recurrent": [{"Wax": A}], "Wy": B}`` becomes ``{"recurrent.0.Wax": A, "Wy": B}``.
    The values are the *same* arrays (no copies), so updating them in place (as
    :mod:`rnncourse.optim` does) updates the nested dict.
    """
    flat = {}
    items = params.items() if isinstance(params, Mapping) else enumerate(params)
    for key, value in items:
        path = f"{prefix}{key}"
        if isinstance(value, np.ndarray):
            flat[path] = value
        elif isinstance(value, (Mapping, list, tuple)):
            flat.update(flatten_params(value, path + "."))
        else:
            raise TypeError(f"flatten_params: {path} must be an array, a dict or a list, "
                            f"got {type(value).__name__}")
    return flat


def flatten_grads(grads, params, prefix: str = "") -> dict:
    """Gradients matching :func:`flatten_params`: ``"d" + path`` for every parameter path.

    ``grads`` mirrors ``params``, with each leaf ``k`` named ``"d" + k``
    (``grads["recurrent"][0]["dWax"]`` for ``params["recurrent"][0]["Wax"]``); input
    gradients such as ``dx`` are left out.
    """
    flat = {}
    items = params.items() if isinstance(params, Mapping) else enumerate(params)
    for key, value in items:
        path = f"{prefix}{key}"
        if isinstance(value, np.ndarray):
            if isinstance(grads, Mapping) and "d" + str(key) in grads:
                flat["d" + path] = grads["d" + str(key)]
            else:
                raise ValueError(f"flatten_grads: no gradient for parameter {path} "
                                 f"(expected key 'd{key}')")
        else:
            try:
                sub = grads[key]
            except (KeyError, IndexError, TypeError):
                raise ValueError(f"flatten_grads: no gradients for {path}") from None
            flat.update(flatten_grads(sub, value, path + "."))
    return flat


# ----------------------------------------------------------------------------------------
# Forward and backward

class DeepRNNCache(NamedTuple):
    """Cache of :func:`deep_rnn_forward`."""

    recurrent: list          #: per recurrent layer: the cell's sequence cache or a BRNNCache
    dense: list              #: per dense layer: DenseCache
    output_cache: Any        #: OutputCache of the prediction layer, or None
    layers: tuple            #: LayerSpec per recurrent layer
    x: np.ndarray            #: (n_x, m, T_x) the input
    n_out: int               #: number of units of the returned y_hat


def _layer_call(fn: str, l: int, call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except (ValueError, TypeError) as err:
        raise type(err)(f"{fn}, recurrent layer {l}: {err}") from err


def deep_rnn_forward(x, params, specs, *, dense=(), output: str | None = "softmax",
                     mask=None, a0=None):
    """Run a deep RNN over a whole sequence.

    Parameters
    ----------
    x : ndarray of shape (n_x, m, T_x)
    params : dict from :func:`init_deep_rnn_params`
    specs, dense : layer descriptions (see the module docstring)
    output : {"softmax", "sigmoid", "identity"} or None
        Activation of the prediction layer; None returns the top dense layer's (or
        the top recurrent layer's) output as ``y_hat`` and needs no ``Wy``, ``by``.
    mask : ndarray of shape (m, T_x) of 0/1, optional
        Padding mask, handed to every recurrent layer (dense layers act per step).
    a0 : list of length L, optional
        Initial states: ``a0[l]`` is an array (n_a, m), or a pair ``(a0_fwd, a0_bwd)``
        for a bidirectional layer; ``None`` (default, or as an entry) means zeros.

    Returns
    -------
    a : list of L ndarrays
        ``a[l-1]`` holds the states ``a[l]`` of recurrent layer l, of shape
        (n_out[l], m, T_x) with n_out = n_a, or 2 n_a for a bidirectional layer.
    y_hat : ndarray of shape (n_y, m, T_x)
        (or the top layer's output when ``output`` is None)
    caches : DeepRNNCache
    """
    fn = "deep_rnn_forward"
    layers, denses = parse_specs(specs, dense, fn)
    if output is not None:
        check_output(fn, output)
    d = Dims(fn)
    x = d.bind("x", x, ("n_x", "m", "T_x"))
    _, m, T = x.shape
    mask = check_mask(fn, mask, m, T)
    require_keys(fn, "params", params, ["recurrent", "dense"] + (["Wy", "by"] if output else []))
    for name, want in (("recurrent", len(layers)), ("dense", len(denses))):
        if not isinstance(params[name], (list, tuple)) or len(params[name]) != want:
            got = len(params[name]) if isinstance(params[name], (list, tuple)) else type(params[name]).__name__
            raise ValueError(f"{fn}: params['{name}'] must be a list of {want} parameter dicts "
                             f"(one per {name} layer in the specs), got {got}")
    if a0 is None:
        a0 = [None] * len(layers)
    elif not isinstance(a0, (list, tuple)) or len(a0) != len(layers):
        raise ValueError(f"{fn}: a0 must be a list of {len(layers)} initial states (or None)")

    h, a, rec_caches = x, [], []
    for l, (s, p, init) in enumerate(zip(layers, params["recurrent"], a0), start=1):
        dtype = h.dtype
        if s.bidirectional:
            init_f, init_b = (None, None) if init is None else init
            zeros = np.zeros((s.n_a, m), dtype)
            h, _, cache = _layer_call(fn, l, brnn_forward, h,
                                      zeros if init_f is None else init_f,
                                      zeros if init_b is None else init_b,
                                      p, cell=s.cell, output=None, mask=mask)
        else:
            init = np.zeros((s.n_a, m), dtype) if init is None else init
            h, cache = _layer_call(fn, l, CELLS[s.cell].forward, h, init, p, mask)
        a.append(h)                                               # (n_out[l], m, T_x)
        rec_caches.append(cache)

    dense_caches = []
    for k, (s, p) in enumerate(zip(denses, params["dense"])):
        require_keys(fn, f"params['dense'][{k}]", p, ["W", "b"])
        try:
            h, cache = dense_forward(h, p["W"], p["b"], s.activation)  # (n_k, m, T_x)
        except (ValueError, TypeError) as err:
            raise type(err)(f"{fn}, dense layer {k + 1}: {err}") from err
        dense_caches.append(cache)

    out_cache = None
    if output is not None:
        d_out = Dims(fn, n_top=h.shape[0])
        d_out.source["n_top"] = "the top layer"
        Wy = d_out.bind("params['Wy']", params["Wy"], ("n_y", "n_top"))
        by = d_out.bind("params['by']", params["by"], ("n_y", 1))
        h, out_cache = output_forward(h, Wy, by, output)          # (n_y, m, T_x)
    return a, h, DeepRNNCache(rec_caches, dense_caches, out_cache, layers, x, h.shape[0])


def deep_rnn_backward(dy_hat, caches) -> dict:
    """Backward pass of :func:`deep_rnn_forward`.

    Parameters
    ----------
    dy_hat : ndarray of the shape of the returned ``y_hat``, (n_y, m, T_x)
        Gradient of the loss with respect to the network's output.
    caches : DeepRNNCache

    Returns
    -------
    grads : dict mirroring the parameters
        ``"recurrent"``: list of L dicts (``"d" + k`` per cell parameter, or
        ``{"fwd": ..., "bwd": ...}`` for a bidirectional layer); ``"dense"``: list of
        ``{"dW", "db"}``; ``"dWy"``, ``"dby"`` when there is a prediction layer;
        ``"dx"`` (n_x, m, T_x); ``"da0"``: list of L initial-state gradients (an array
        (n_a, m), or a pair ``(da0_fwd, da0_bwd)`` for a bidirectional layer).

    Notes
    -----
    Backpropagation runs through the prediction layer, the dense layers (top to
    bottom), then each recurrent layer from L down to 1: the ``dx`` of layer l is
    the gradient reaching the states of layer l-1.
    """
    fn = "deep_rnn_backward"
    if not isinstance(caches, DeepRNNCache):
        raise TypeError(f"{fn}: caches must be the DeepRNNCache returned by deep_rnn_forward, "
                        f"got {type(caches).__name__}")
    rec_caches, dense_caches, out_cache, layers, x, n_out = caches
    _, m, T = x.shape
    g = Dims(fn, n_y=n_out, m=m, T_x=T).bind("dy_hat", dy_hat, ("n_y", "m", "T_x"))
    grads: dict = {}
    if out_cache is not None:
        step = output_backward(g, out_cache)
        g, grads["dWy"], grads["dby"] = step["da"], step["dWy"], step["dby"]

    grads["dense"] = [None] * len(dense_caches)
    for k in reversed(range(len(dense_caches))):
        step = dense_backward(g, dense_caches[k])
        g = step["da"]
        grads["dense"][k] = {"dW": step["dW"], "db": step["db"]}

    grads["recurrent"] = [None] * len(layers)
    grads["da0"] = [None] * len(layers)
    for l in reversed(range(len(layers))):
        s, cache = layers[l], rec_caches[l]
        if s.bidirectional:
            step = _layer_call(fn, l + 1, brnn_backward, None, cache, da=g)
            grads["recurrent"][l] = {"fwd": step["fwd"], "bwd": step["bwd"]}
            grads["da0"][l] = (step["da0_fwd"], step["da0_bwd"])
        else:
            step = _layer_call(fn, l + 1, CELLS[s.cell].backward, g, cache)
            grads["recurrent"][l] = {k: step[k] for k in ("d" + n for n in CELLS[s.cell].param_names)}
            grads["da0"][l] = step["da0"]
        g = step["dx"]                                            # into layer l-1's states
    grads["dx"] = g
    return grads

