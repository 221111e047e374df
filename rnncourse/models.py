"""A small model API: stack layers, train with minibatches, predict, sample.

Lessons 07-08 (bidirectional and deep RNNs) and the applications train real models on the
synthetic tasks of :mod:`rnncourse.data` with a few lines::

    model = Sequential([OneHot(6), Recurrent("lstm", 16, return_sequences=False),
                        Dense(2, "softmax")], loss="softmax_cross_entropy", rng=0)
    history = model.fit(d.ids, d.y, epochs=30, batch_size=32, rng=1)

:class:`Sequential` owns no calculus: each layer of :mod:`rnncourse.layers` wraps the
numeric core, the losses come from :mod:`rnncourse.losses`, clipping and updates from
:mod:`rnncourse.optim` (the only code that changes parameters).  Training is
deterministic for given seeds, and a NaN or infinity in the loss, the gradients or
the parameters stops it with an error naming the epoch and step instead of passing
silently into the history.

:func:`sample` draws a sequence from a trained character- or word-level model with a
temperature (the applications: character-level name generation).
"""

from __future__ import annotations

import math
from typing import NamedTuple, Sequence

import numpy as np

from ._validate import as_array, as_rng, check_int, check_mask
from .activations import softmax
from .deep import flatten_grads, flatten_params
from .layers import Dense, Layer, build_layers
from .losses import bce_loss, softmax_cross_entropy
from .optim import SGD, Adam, clip_by_norm, clip_by_value, global_norm

__all__ = ["History", "LOSSES", "Sequential", "sample"]

#: loss name -> (loss function, the activation the model's last layer must have)
LOSSES = {
    "softmax_cross_entropy": (softmax_cross_entropy, "softmax"),
    "bce": (bce_loss, "sigmoid"),
}


class History(NamedTuple):
    """What :meth:`Sequential.fit` returns: one entry per epoch.

    ``loss[e]`` is the mean training loss over epoch e (per example, summed over the
    output steps, as in :mod:`rnncourse.losses`); ``accuracy[e]`` the fraction of
    correct predictions over the real (unmasked) output steps.
    """

    loss: list
    accuracy: list


class Sequential:
    """Layers applied one after the other, ending in a loss.

    Parameters
    ----------
    layers : list of Layer
        The first may read token ids (:class:`~rnncourse.layers.OneHot`,
        :class:`~rnncourse.layers.Embedding`); the last must be a
        :class:`~rnncourse.layers.Dense` layer whose activation matches ``loss``
        (softmax for ``"softmax_cross_entropy"``, sigmoid for ``"bce"``).
    loss : {"softmax_cross_entropy", "bce"}
    n_x : int, optional
        Input size, required unless the first layer reads token ids.
    rng : np.random.Generator or int seed
        Draws the initial parameters.
    dtype : float dtype, default float64
        Of every parameter; float inputs are converted to it.

    Notes
    -----
    Inputs ``x`` are token ids (m, T_x) for a model starting with OneHot/Embedding,
    else floats (n_x, m, T_x).  Outputs ``y_hat`` are (n_y, m, T_y) with T_y = T_x, or
    T_y = 1 when a recurrent layer has ``return_sequences=False`` (many-to-one).
    Targets ``y`` for softmax cross-entropy: class indices (m, T_y), or (m,) for a
    many-to-one model, or one-hot (n_y, m, T_y); for ``"bce"``: 0/1 of the shape of
    ``y_hat``, or (m, T_y) / (m,) when n_y = 1.
    """

    def __init__(self, layers: Sequence[Layer], *, loss: str = "softmax_cross_entropy",
                 n_x: int | None = None, rng, dtype=np.float64):
        fn = "Sequential"
        if not isinstance(layers, (list, tuple)) or not layers:
            raise TypeError(f"{fn}: layers must be a non-empty list of layers, got {layers!r}")
        if loss not in LOSSES:
            raise ValueError(f"{fn}: loss must be one of {', '.join(map(repr, LOSSES))}, got {loss!r}")
        self.loss_name = loss
        self._loss, needed = LOSSES[loss]
        last = layers[-1]
        if not (isinstance(last, Dense) and last.activation == needed):
            raise ValueError(f"{fn}: loss={loss!r} needs a last layer Dense(n_y, activation={needed!r}), "
                             f"got {last!r}")
        self.dtype = np.dtype(dtype)
        if self.dtype.kind != "f":
            raise TypeError(f"{fn}: dtype must be a float dtype, got {self.dtype}")
        self.layers = list(layers)
        self.reads_ids = self.layers[0].reads_ids
        self.sizes = build_layers(self.layers, None if self.reads_ids else n_x,
                                  rng=as_rng(fn, rng), dtype=self.dtype)
        self.n_x = n_x
        self.n_y = self.sizes[-1]
        self.returns_sequences = all(layer.returns_sequences for layer in self.layers)

    # --- parameters ---------------------------------------------------------------------

    def parameters(self) -> dict:
        """Every parameter array under a flat name ``"<layer index>.<name>"`` (the same arrays)."""
        return flatten_params({str(i): layer.params for i, layer in enumerate(self.layers)})

    def gradients(self) -> dict:
        """The gradients of the last :meth:`backward`, named ``"d" + name`` as in :meth:`parameters`."""
        return flatten_grads({str(i): layer.grads for i, layer in enumerate(self.layers)},
                             {str(i): layer.params for i, layer in enumerate(self.layers)})

    def n_params(self) -> int:
        """Total number of scalar parameters."""
        return sum(p.size for p in self.parameters().values())

    def __repr__(self) -> str:
        rows = [f"  {layer!r:<55} -> {n} units" for layer, n in zip(self.layers, self.sizes)]
        return (f"Sequential(loss={self.loss_name!r}, {self.n_params()} parameters)\n"
                + "\n".join(rows))

    # --- forward and backward -------------------------------------------------------------

    def _check_x(self, fn: str, x) -> np.ndarray:
        if self.reads_ids:
            if not isinstance(x, np.ndarray) or x.dtype.kind not in "iu" or x.ndim != 2:
                got = (f"dtype {x.dtype} and shape {x.shape}" if isinstance(x, np.ndarray)
                       else type(x).__name__)
                raise TypeError(f"{fn}: x must be integer token ids of shape (m, T_x) for a model "
                                f"starting with {type(self.layers[0]).__name__}, got {got}")
            return x
        x = as_array(fn, "x", x)
        if x.ndim != 3 or x.shape[0] != self.n_x:
            raise ValueError(f"{fn}: x must have shape (n_x, m, T_x) with n_x = {self.n_x}, got {x.shape}")
        return x.astype(self.dtype, copy=False)

    def _batch_dims(self, x) -> tuple[int, int]:
        return (x.shape[0], x.shape[1]) if self.reads_ids else (x.shape[1], x.shape[2])

    def forward(self, x, mask=None) -> np.ndarray:
        """Run every layer; return ``y_hat`` (n_y, m, T_y).  Layers keep their caches."""
        fn = "Sequential.forward"
        x = self._check_x(fn, x)
        m, T = self._batch_dims(x)
        mask = check_mask(fn, mask, m, T)
        h = x
        for layer in self.layers:
            h = layer.forward(h, mask)
            if not layer.returns_sequences:
                mask = None                   # one output step left, and it is real
        return h

    def backward(self, dy_hat) -> None:
        """Backpropagate ``dy_hat`` through every layer; fills each layer's ``grads``."""
        g = dy_hat
        for layer in reversed(self.layers):
            g = layer.backward(g)

    def predict(self, x, mask=None) -> np.ndarray:
        """``y_hat`` (n_y, m, T_y) for inputs ``x`` (see the class notes for shapes)."""
        return self.forward(x, mask)

    # --- loss, accuracy ---------------------------------------------------------------------

    def _check_y(self, fn: str, y, m: int, T_y: int):
        """Targets in the loss's shape: int (m, T_y) or float (n_y, m, T_y)."""
        if not isinstance(y, np.ndarray):
            raise TypeError(f"{fn}: y must be a numpy.ndarray, got {type(y).__name__}")
        n_y = self.n_y
        if self.loss_name == "softmax_cross_entropy" and y.dtype.kind in "iu":
            if y.shape == (m,) and T_y == 1:
                y = y[:, None]
            if y.shape != (m, T_y):
                raise ValueError(f"{fn}: integer labels y must have shape (m, T_y) = ({m}, {T_y})"
                                 + (f" or (m,) = ({m},)" if T_y == 1 else "") + f", got {y.shape}")
            if y.size and (y.min() < 0 or y.max() >= n_y):
                raise ValueError(f"{fn}: labels y must lie in [0, n_y) = [0, {n_y}), "
                                 f"got values in [{y.min()}, {y.max()}]")
            return y
        y = as_array(fn, "y", y).astype(self.dtype, copy=False)
        if n_y == 1 and y.shape in ((m,), (m, T_y)):
            y = y.reshape(1, m, T_y)
        if y.shape != (n_y, m, T_y):
            raise ValueError(f"{fn}: y must have shape (n_y, m, T_y) = ({n_y}, {m}, {T_y}), got {y.shape}")
        return y

    def _batch_loss(self, y_hat, y, mask):
        return self._loss(y_hat, y, mask if self.returns_sequences else None)

    def _correct(self, y_hat, y, mask) -> tuple[float, float]:
        """Number of correct predictions and of predictions, over real output steps."""
        if self.loss_name == "softmax_cross_entropy":
            pred = y_hat.argmax(axis=0)                                # (m, T_y)
            true = y if y.ndim == 2 else y.argmax(axis=0)
            hit = (pred == true).astype(np.float64)[None]              # (1, m, T_y)
        else:
            hit = ((y_hat > 0.5) == (y > 0.5)).astype(np.float64)      # (n_y, m, T_y)
        if mask is not None and self.returns_sequences:
            w = np.broadcast_to(mask[None], hit.shape)
            return float((hit * w).sum()), float(w.sum())
        return float(hit.sum()), float(hit.size)

    def _inputs(self, fn: str, x, y, mask):
        x = self._check_x(fn, x)
        m, T = self._batch_dims(x)
        mask = check_mask(fn, mask, m, T)
        y = self._check_y(fn, y, m, T if self.returns_sequences else 1)
        return x, y, mask, m

    def evaluate(self, x, y, mask=None) -> dict:
        """``{"loss": float, "accuracy": float}`` of the model on ``(x, y)``."""
        x, y, mask, _ = self._inputs("Sequential.evaluate", x, y, mask)
        y_hat = self.forward(x, mask)
        loss, _ = self._batch_loss(y_hat, y, mask)
        hits, total = self._correct(y_hat, y, mask)
        return {"loss": loss, "accuracy": hits / total}

    # --- training ------------------------------------------------------------------------------

    def fit(self, x, y, *, epochs: int, batch_size: int = 32, optimizer="adam",
            learning_rate: float | None = None, clip_norm: float | None = None,
            clip_value: float | None = None, rng, mask=None, progress: bool = True) -> History:
        """Train with minibatches; return the per-epoch :class:`History`.

        Parameters
        ----------
        x, y : inputs and targets (see the class notes for their shapes)
        epochs : int >= 1
        batch_size : int >= 1
            The examples are shuffled every epoch (with ``rng``) and cut into batches of
            this size (the last one may be smaller).
        optimizer : {"adam", "sgd"} or an :class:`~rnncourse.optim.Adam` /
            :class:`~rnncourse.optim.SGD` instance (to keep its state across calls)
        learning_rate : float, optional
            For a named optimizer; defaults to that optimizer's own default.
        clip_value, clip_norm : float, optional
            Clip the gradients of each step by value, then by global norm (lesson 04).
        rng : np.random.Generator or int seed
            Shuffles the examples.  Same model, data and seeds -> same history.
        mask : ndarray of shape (m, T_x), optional
            Padding mask; padded steps change no state and count in no loss.
        progress : bool, default True
            Show a progress bar (``tqdm.auto``: a widget in JupyterLab, text elsewhere).

        Returns
        -------
        History
            ``loss`` and ``accuracy`` per epoch.

        Raises
        ------
        FloatingPointError
            When the predictions, loss, gradients or parameters stop being finite,
            naming the epoch and step (lower the learning rate or clip the gradients).
        """
        fn = "Sequential.fit"
        x, y, mask, m = self._inputs(fn, x, y, mask)
        epochs = check_int(fn, "epochs", epochs)
        batch_size = check_int(fn, "batch_size", batch_size)
        rng = as_rng(fn, rng)
        for name, value in (("clip_norm", clip_norm), ("clip_value", clip_value)):
            if value is not None and not (isinstance(value, (int, float)) and not isinstance(value, bool)
                                          and 0 < value < math.inf):
                raise ValueError(f"{fn}: {name} must be a positive number or None, got {value!r}")
        opt = _make_optimizer(fn, optimizer, learning_rate)
        params = self.parameters()
        from tqdm.auto import tqdm   # only when training: the numeric core stays numpy-only

        history = History([], [])
        n_steps = math.ceil(m / batch_size)
        bar = tqdm(total=epochs, desc="fit", unit="epoch", disable=not progress)
        # overflow shows up as inf/NaN, which _train_step turns into one clear error naming
        # the epoch and step, instead of a stream of numpy warnings
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            try:
                for epoch in range(1, epochs + 1):
                    order = rng.permutation(m)
                    loss_sum, hits, total = 0.0, 0.0, 0.0
                    for step in range(1, n_steps + 1):
                        idx = order[(step - 1) * batch_size: step * batch_size]
                        batch = (x[idx] if self.reads_ids else x[:, idx],
                                 y[idx] if y.ndim == 2 else y[:, idx],
                                 None if mask is None else mask[idx])
                        where = f"epoch {epoch}, step {step} of {n_steps}"
                        loss, h, t = self._train_step(fn, *batch, opt, params, clip_value,
                                                      clip_norm, where)
                        loss_sum, hits, total = loss_sum + loss * idx.size, hits + h, total + t
                    history.loss.append(loss_sum / m)
                    history.accuracy.append(hits / total)
                    bar.set_postfix(loss=f"{history.loss[-1]:.4f}", acc=f"{history.accuracy[-1]:.3f}")
                    bar.update()
            finally:
                bar.close()
        return history

    def _train_step(self, fn, xb, yb, mb, opt, params, clip_value, clip_norm, where):
        """One minibatch: forward, loss, backward, clip, update; every value checked finite.

        Returns the batch loss and the counts of correct and of all predictions.
        """
        y_hat = self.forward(xb, mb)
        _require_finite(fn, "the predictions y_hat", y_hat, where)
        loss, dy_hat = self._batch_loss(y_hat, yb, mb)
        _require_finite(fn, "the loss", np.array(loss), where)
        self.backward(dy_hat)
        grads = self.gradients()
        _require_finite(fn, "the gradient norm", np.array(global_norm(grads)), where)
        if clip_value is not None:
            grads = clip_by_value(grads, clip_value)
        if clip_norm is not None:
            grads = clip_by_norm(grads, clip_norm)
        opt.step(params, grads)                       # updates the layers' arrays in place
        for name, p in params.items():
            _require_finite(fn, f"parameter {name}", p, where)
        return (loss, *self._correct(y_hat, yb, mb))


def _make_optimizer(fn: str, optimizer, learning_rate):
    if isinstance(optimizer, (SGD, Adam)):
        if learning_rate is not None:
            raise ValueError(f"{fn}: learning_rate is set on the optimizer instance; "
                             f"do not pass it to fit as well")
        return optimizer
    kinds = {"adam": Adam, "sgd": SGD}
    if optimizer not in kinds:
        raise ValueError(f"{fn}: optimizer must be 'adam', 'sgd' or an Adam/SGD instance, "
                         f"got {optimizer!r}")
    return kinds[optimizer]() if learning_rate is None else kinds[optimizer](learning_rate)


def _require_finite(fn: str, what: str, value: np.ndarray, where: str) -> None:
    if not np.isfinite(value).all():
        bad = value[~np.isfinite(value)].flat[0]
        raise FloatingPointError(f"{fn}: {what} became {bad} at {where}; training stopped. "
                                 f"Try a smaller learning_rate or clip_norm=...")


def sample(model: Sequential, start, length: int, *, temperature: float = 1.0, rng,
           stop: int | None = None, vocab: Sequence[str] | None = None):
    """Generate tokens from a trained sequence model, one at a time.

    The model reads token ids (its first layer is OneHot or Embedding) and predicts
    the next token at every step with a softmax over the same vocabulary.  Each new
    token is drawn from the prediction at the last step, sharpened or flattened by
    the temperature, and appended to the input.

    Parameters
    ----------
    model : Sequential
    start : non-empty sequence of int, or str when ``vocab`` is given
        The prompt (for the names of :func:`rnncourse.data.char_dataset`: ``"\\n"``).
    length : int >= 1
        Largest number of tokens to generate.
    temperature : float >= 0, default 1.0
        ``p_i ∝ y_hat_i ** (1 / temperature)``: 1 samples the model's distribution,
        below 1 favours likely tokens, above 1 flattens; 0 always takes the most
        likely one (greedy).
    rng : np.random.Generator or int seed
    stop : int, optional
        Token id that ends the sample (it is not included in the result).
    vocab : sequence of str, optional
        Maps ids to text: ``start`` may then be a str, and the result is a str.

    Returns
    -------
    generated : list of int, or str when ``vocab`` is given
        The new tokens only (not the prompt).

    Notes
    -----
    The whole prefix is run through the model for each new token: simple and exact,
    at a cost quadratic in the length, which is fine for names and short lines.
    """
    fn = "sample"
    if not isinstance(model, Sequential):
        raise TypeError(f"{fn}: model must be a Sequential, got {type(model).__name__}")
    if not (model.reads_ids and model.returns_sequences and model.loss_name == "softmax_cross_entropy"):
        raise ValueError(f"{fn}: model must read token ids (OneHot/Embedding first), return "
                         f"sequences and end in a softmax")
    n_vocab = model.layers[0].n_vocab
    if model.n_y != n_vocab:
        raise ValueError(f"{fn}: the model predicts {model.n_y} classes but reads {n_vocab} tokens; "
                         f"a language model must predict its own vocabulary")
    length = check_int(fn, "length", length)
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) \
            or not (temperature >= 0 and math.isfinite(temperature)):
        raise ValueError(f"{fn}: temperature must be a finite number >= 0, got {temperature!r}")
    rng = as_rng(fn, rng)
    if isinstance(start, str):
        if vocab is None:
            raise TypeError(f"{fn}: start is a str, so pass vocab= to map characters to ids")
        index = {w: i for i, w in enumerate(vocab)}
        unknown = sorted(set(start) - set(index))
        if unknown:
            raise ValueError(f"{fn}: start holds {unknown}, which are not in vocab")
        start = [index[c] for c in start]
    ids = [int(i) for i in start]
    if not ids or min(ids) < 0 or max(ids) >= n_vocab:
        raise ValueError(f"{fn}: start must be a non-empty sequence of ids in [0, {n_vocab}), got {start!r}")

    generated = []
    for _ in range(length):
        y_hat = model.predict(np.array([ids]))[:, 0, -1]              # (n_vocab,) next-token probs
        if temperature == 0:
            nxt = int(np.argmax(y_hat))
        else:
            logits = np.log(np.maximum(y_hat.astype(np.float64), np.finfo(np.float64).tiny))
            p = softmax(logits / temperature)
            nxt = int(rng.choice(n_vocab, p=p))
        if stop is not None and nxt == stop:
            break
        generated.append(nxt)
        ids.append(nxt)
    if vocab is not None:
        return "".join(vocab[i] for i in generated)
    return generated
