"""Thin stateful layers over the numeric core, for the applications (lessons 07-08 and the applications).

Each layer wraps functions of the numeric core and keeps three things between calls:
``params`` (its parameter arrays), ``grads`` (their gradients from the last
``backward``, ``"d" + name`` like everywhere in the course) and the cache of its last
``forward``.  A layer holds no calculus of its own: the recurrent layers call
``CELLS[cell]`` and :mod:`rnncourse.bidirectional`, :class:`Dense` calls
:func:`rnncourse.deep.dense_forward` or :func:`rnncourse.output.output_forward`.

Every layer has the same small interface, used by :class:`rnncourse.models.Sequential`:

``build(n_in, rng, dtype) -> n_out``
    create the parameters for ``n_in`` input units (``None`` for a layer that reads
    token ids) and return the number of units it outputs;
``forward(x, mask=None) -> out``
    ``x`` and ``out`` in the course's column convention, (n, m, T);
``backward(dout) -> dx``
    fill ``grads`` and return the gradient with respect to ``x`` (``None`` for token ids).

Shapes: a layer that reads token ids (:class:`OneHot`, :class:`Embedding`) takes an
integer array (m, T_x); every other layer takes and returns (n, m, T).  A recurrent
layer with ``return_sequences=False`` returns only its last state, as (n, m, 1), so
that a many-to-one model's output still has a time axis (T_y = 1).

``optim`` is still the only code that changes ``params``: the model hands the arrays to
:class:`rnncourse.optim.SGD` or :class:`rnncourse.optim.Adam`, which update them in place.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_rng, check_int, check_token_ids
from .bidirectional import brnn_backward, brnn_forward, init_brnn_params
from .cells import get_cell
from .data import one_hot
from .deep import DENSE_ACTIVATIONS, dense_backward, dense_forward
from .output import OUTPUTS, output_backward, output_forward

__all__ = ["Bidirectional", "Dense", "Embedding", "Layer", "OneHot", "Recurrent", "build_layers"]


class Layer:
    """Base class: ``params``, ``grads`` and the cache of the last forward."""

    #: True when the layer reads integer token ids (m, T) rather than floats (n, m, T)
    reads_ids = False
    #: False when the layer collapses the time axis to one step (many-to-one)
    returns_sequences = True

    def __init__(self):
        self.params: dict = {}
        self.grads: dict = {}
        self._cache = None

    def build(self, n_in: int | None, rng: np.random.Generator, dtype) -> int:
        raise NotImplementedError

    def forward(self, x, mask=None):
        raise NotImplementedError

    def backward(self, dout):
        raise NotImplementedError

    def _cached(self):
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward: call forward first")
        return self._cache

    def _check_input(self, x, n_in: int) -> np.ndarray:
        name = f"{type(self).__name__}.forward"
        if not isinstance(x, np.ndarray) or x.ndim != 3 or x.shape[0] != n_in:
            got = x.shape if isinstance(x, np.ndarray) else type(x).__name__
            raise ValueError(f"{name}: x must have shape (n_in, m, T) with n_in = {n_in}, got {got}")
        return x

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._describe()})"

    def _describe(self) -> str:
        return ""


def _check_ids(owner: str, ids, n_vocab: int) -> np.ndarray:
    """:func:`rnncourse._validate.check_token_ids` for a layer's input ``x`` (m, T_x)."""
    return check_token_ids(owner, ids, n_vocab, name="x", shape="(m, T_x)", values="token ids")


class OneHot(Layer):
    """Token ids (m, T_x) -> one-hot vectors (n_vocab, m, T_x).  No parameters."""

    reads_ids = True

    def __init__(self, n_vocab: int):
        super().__init__()
        self.n_vocab = check_int("OneHot", "n_vocab", n_vocab)

    def build(self, n_in, rng, dtype) -> int:
        self.dtype = np.dtype(dtype)
        return self.n_vocab

    def forward(self, x, mask=None):
        ids = _check_ids("OneHot.forward", x, self.n_vocab)
        self._cache = ids
        return one_hot(ids, self.n_vocab, self.dtype)            # (n_vocab, m, T_x)

    def backward(self, dout):
        self._cached()
        return None                                              # no gradient for integer ids

    def _describe(self) -> str:
        return f"n_vocab={self.n_vocab}"


class Embedding(Layer):
    """Token ids (m, T_x) -> learned vectors ``E[:, id]`` (n_e, m, T_x).

    ``params["E"]`` has shape (n_e, n_vocab): column k is the vector of token k
    (the column convention: ``E @ one_hot(k)`` is the same vector, computed without
    building the one-hot matrix).  Initialised N(0, 1 / n_e).
    """

    reads_ids = True

    def __init__(self, n_vocab: int, n_e: int):
        super().__init__()
        self.n_vocab = check_int("Embedding", "n_vocab", n_vocab)
        self.n_e = check_int("Embedding", "n_e", n_e)

    def build(self, n_in, rng, dtype) -> int:
        self.params = {"E": (rng.standard_normal((self.n_e, self.n_vocab))
                             / np.sqrt(self.n_e)).astype(dtype)}
        return self.n_e

    def forward(self, x, mask=None):
        ids = _check_ids("Embedding.forward", x, self.n_vocab)
        self._cache = ids
        return self.params["E"][:, ids]                           # (n_e, m, T_x)

    def backward(self, dout):
        ids = self._cached()
        dE = np.zeros_like(self.params["E"])
        # every occurrence of token k adds its column gradient to dE[:, k]
        np.add.at(dE.T, ids.reshape(-1), dout.reshape(self.n_e, -1).T)
        self.grads = {"dE": dE}
        return None

    def _describe(self) -> str:
        return f"n_vocab={self.n_vocab}, n_e={self.n_e}"


class Recurrent(Layer):
    """A recurrent layer of any cell in CELLS, starting from a zero state.

    Parameters
    ----------
    cell : str
        ``"rnn"``, ``"gru"``, ``"lstm"`` (any key of :data:`rnncourse.cells.CELLS`).
    n_a : int
        Hidden size.
    return_sequences : bool, default True
        True: output every state, (n_a, m, T_x).  False: output the last state only,
        (n_a, m, 1) (with padding, the state at each sequence's last real step, since
        padded steps carry it over).
    """

    def __init__(self, cell: str, n_a: int, return_sequences: bool = True):
        super().__init__()
        self.cell = get_cell(cell, "Recurrent")
        self.n_a = check_int("Recurrent", "n_a", n_a)
        self.returns_sequences = bool(return_sequences)

    def build(self, n_in, rng, dtype) -> int:
        self.n_in = n_in
        self.params = self.cell.init_params(n_in, self.n_a, rng, dtype=dtype)
        return self.n_a

    def forward(self, x, mask=None):
        x = self._check_input(x, self.n_in)
        a0 = np.zeros((self.n_a, x.shape[1]), dtype=x.dtype)
        a, cache = self.cell.forward(x, a0, self.params, mask)   # (n_a, m, T_x)
        self._cache = (cache, a.shape)
        return a if self.returns_sequences else a[:, :, -1:]     # (n_a, m, T_x) or (n_a, m, 1)

    def backward(self, dout):
        cache, shape = self._cached()
        if self.returns_sequences:
            da = dout
        else:
            da = np.zeros(shape, dtype=dout.dtype)
            da[:, :, -1:] = dout                                  # only the last state was used
        g = self.cell.backward(da, cache)
        self.grads = {"d" + k: g["d" + k] for k in self.cell.param_names}
        return g["dx"]

    def _describe(self) -> str:
        return f"{self.cell.name!r}, n_a={self.n_a}, return_sequences={self.returns_sequences}"


class Bidirectional(Layer):
    """A bidirectional recurrent layer (lesson 07): ``[a_fwd; a_bwd]``, 2 n_a units.

    ``params`` is ``{"fwd": {...}, "bwd": {...}}`` (cell parameters of each direction).
    With ``return_sequences=False`` the output is ``[a_fwd<T_x>; a_bwd<1>]`` of shape
    (2 n_a, m, 1): each direction's state after it has read the whole sequence.
    """

    def __init__(self, cell: str, n_a: int, return_sequences: bool = True):
        super().__init__()
        self.cell = get_cell(cell, "Bidirectional")
        self.n_a = check_int("Bidirectional", "n_a", n_a)
        self.returns_sequences = bool(return_sequences)

    def build(self, n_in, rng, dtype) -> int:
        self.n_in = n_in
        self.params = init_brnn_params(n_in, self.n_a, None, cell=self.cell.name, rng=rng, dtype=dtype)
        return 2 * self.n_a

    def forward(self, x, mask=None):
        x = self._check_input(x, self.n_in)
        a0 = np.zeros((self.n_a, x.shape[1]), dtype=x.dtype)
        a, _, cache = brnn_forward(x, a0, a0, self.params, cell=self.cell.name,
                                   output=None, mask=mask)        # (2 n_a, m, T_x)
        self._cache = (cache, a.shape)
        if self.returns_sequences:
            return a
        n = self.n_a
        return np.concatenate([a[:n, :, -1:], a[n:, :, :1]], axis=0)   # (2 n_a, m, 1)

    def backward(self, dout):
        cache, shape = self._cached()
        if self.returns_sequences:
            da = dout
        else:
            n = self.n_a
            da = np.zeros(shape, dtype=dout.dtype)
            da[:n, :, -1:] = dout[:n]                              # a_fwd at the last step
            da[n:, :, :1] = dout[n:]                               # a_bwd at the first step
        g = brnn_backward(None, cache, da=da)
        self.grads = {"fwd": g["fwd"], "bwd": g["bwd"]}
        return g["dx"]

    def _describe(self) -> str:
        return f"{self.cell.name!r}, n_a={self.n_a}, return_sequences={self.returns_sequences}"


class Dense(Layer):
    """A non-recurrent layer applied to every time step: ``h<t> = g(W h_in<t> + b)``.

    (Keras calls this ``TimeDistributed(Dense)``.)  ``activation`` is one of
    ``"relu"``, ``"tanh"``, ``"sigmoid"``, ``"identity"`` or ``"softmax"`` (over the
    units, for a classifier's last layer).  ``params``: ``W`` (n, n_in) drawn
    N(0, 2 / n_in) for relu and N(0, 1 / n_in) otherwise, ``b`` (n, 1) = 0.
    """

    def __init__(self, n: int, activation: str = "identity"):
        super().__init__()
        allowed = tuple(dict.fromkeys(DENSE_ACTIVATIONS + OUTPUTS))
        if activation not in allowed:
            raise ValueError(f"Dense: activation must be one of {', '.join(map(repr, allowed))}, "
                             f"got {activation!r}")
        self.n = check_int("Dense", "n", n)
        self.activation = activation

    def build(self, n_in, rng, dtype) -> int:
        self.n_in = n_in
        gain = 2.0 if self.activation == "relu" else 1.0
        self.params = {"W": (rng.standard_normal((self.n, n_in)) * np.sqrt(gain / n_in)).astype(dtype),
                       "b": np.zeros((self.n, 1), dtype=dtype)}
        return self.n

    def forward(self, x, mask=None):
        x = self._check_input(x, self.n_in)
        W, b = self.params["W"], self.params["b"]
        if self.activation == "softmax":
            out, cache = output_forward(x, W, b, "softmax")        # (n, m, T)
        else:
            out, cache = dense_forward(x, W, b, self.activation)   # (n, m, T)
        self._cache = cache
        return out

    def backward(self, dout):
        cache = self._cached()
        if self.activation == "softmax":
            g = output_backward(dout, cache)
            self.grads = {"dW": g["dWy"], "db": g["dby"]}
        else:
            g = dense_backward(dout, cache)
            self.grads = {"dW": g["dW"], "db": g["db"]}
        return g["da"]

    def _describe(self) -> str:
        return f"{self.n}, activation={self.activation!r}"


def build_layers(layers, n_in, *, rng, dtype=np.float64) -> list[int]:
    """Build ``layers`` in order, each from the previous one's output size; return the sizes."""
    rng = as_rng("build_layers", rng)
    sizes = []
    for i, layer in enumerate(layers):
        if not isinstance(layer, Layer):
            raise TypeError(f"build_layers: layers[{i}] must be a Layer, got {type(layer).__name__}")
        if layer.reads_ids and i > 0:
            raise ValueError(f"build_layers: {type(layer).__name__} reads token ids, so it can only "
                             f"be the first layer (it is layers[{i}])")
        if not layer.reads_ids and n_in is None:
            raise ValueError(f"build_layers: layers[{i}] = {layer!r} needs the input size n_x")
        n_in = layer.build(n_in, rng, dtype)
        sizes.append(n_in)
    return sizes
