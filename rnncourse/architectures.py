"""The RNN types of lesson 01, each built only from :func:`rnncourse.rnn.rnn_cell_forward`.

Lesson 01 (RNN types).  One recurrent cell, wired in different ways, covers the
syllabus's sequence problems:

* **many-to-one** (sentiment classification, video activity recognition): read the
  whole input ``x<1> ... x<T_x>`` and predict once, from the last hidden state
  (:func:`many_to_one_forward`);
* **one-to-many** (music generation): start from one input and let the network feed
  each sampled prediction back in as the next input (:func:`one_to_many_generate`);
* **many-to-many with T_x != T_y** (machine translation): an *encoder* reads the input,
  its last hidden state starts a *decoder* that writes T_y predictions
  (:func:`encoder_decoder_forward`).

Many-to-many with ``T_x = T_y`` is :func:`rnncourse.rnn.rnn_forward` itself, and
one-to-one is a single cell step.  These functions are the reference answers of the
graded exercises of ``solutions/01_rnn_types.ipynb``; they loop over the cell on
purpose, to read like what a learner writes.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import Dims, as_rng, check_int, float_dtype, require_keys
from .activations import softmax
from .output import check_output
from .rnn import OUTPUT_SHAPES, RNN_SHAPES, rnn_cell_forward

__all__ = [
    "GeneratedSequence", "encoder_decoder_forward", "many_to_one_forward",
    "one_to_many_generate",
]

_ALL_SHAPES = {**RNN_SHAPES, **OUTPUT_SHAPES}


def many_to_one_forward(x, a0, params, output: str = "softmax"):
    """Read a whole sequence and predict once, from the last hidden state.

    Parameters
    ----------
    x : ndarray of shape (n_x, m, T_x)
        Input sequence, one column per example at each step.
    a0 : ndarray of shape (n_a, m)
        Initial hidden state.
    params : dict
        ``Wax`` (n_a, n_x), ``Waa`` (n_a, n_a), ``ba`` (n_a, 1), ``Wya`` (n_y, n_a),
        ``by`` (n_y, 1).
    output : {"softmax", "sigmoid", "identity"}, default "softmax"
        Activation of the single prediction (``"sigmoid"`` with n_y = 1 for a yes/no
        label such as positive/negative sentiment).

    Returns
    -------
    y_hat : ndarray of shape (n_y, m)
        The prediction made at step T_x.
    a_last : ndarray of shape (n_a, m)
        The last hidden state a<T_x>.

    Notes
    -----
    For t = 1 ... T_x: ``a<t> = tanh(W_aa a<t-1> + W_ax x<t> + b_a)`` (no prediction on
    the way), then ``y_hat = g(W_ya a<T_x> + b_y)``.  Equal to the last step of
    :func:`rnncourse.rnn.rnn_forward` (tested).
    """
    fn = "many_to_one_forward"
    check_output(fn, output)
    d = Dims(fn)
    x = d.bind("x", x, ("n_x", "m", "T_x"))
    a = d.bind("a0", a0, ("n_a", "m"))
    p = d.bind_params(params, _ALL_SHAPES)
    T_x = x.shape[2]

    for t in range(T_x - 1):
        a, _, _ = rnn_cell_forward(x[:, :, t], a, p, output=None)    # (n_a, m)
    a_last, y_hat, _ = rnn_cell_forward(x[:, :, T_x - 1], a, p, output=output)
    return y_hat, a_last


class GeneratedSequence(NamedTuple):
    """What :func:`one_to_many_generate` returns, in this order."""

    y: np.ndarray        #: (n_y, m, T_y) one-hot: the token chosen at each step
    indices: np.ndarray  #: (m, T_y) int: the same tokens as class indices
    y_hat: np.ndarray    #: (n_y, m, T_y) the distributions the tokens were drawn from
    a: np.ndarray        #: (n_a, m, T_y) the hidden states a<1> ... a<T_y>


def one_to_many_generate(x1, a0, params, T_y: int, *, rng=None, temperature: float = 1.0,
                         greedy: bool = False) -> GeneratedSequence:
    """Generate T_y tokens from one input, feeding each choice back as the next input.

    Parameters
    ----------
    x1 : ndarray of shape (n_x, m)
        The first input x<1> (often all zeros: "start a new sequence").
    a0 : ndarray of shape (n_a, m)
        Initial hidden state.
    params : dict
        ``Wax`` (n_a, n_x), ``Waa`` (n_a, n_a), ``ba`` (n_a, 1), ``Wya`` (n_y, n_a),
        ``by`` (n_y, 1), with ``n_y == n_x``: a prediction is a distribution over the
        same vocabulary the inputs are one-hot vectors of.
    T_y : int
        Number of tokens to generate (>= 1).
    rng : np.random.Generator or int seed
        Source of the samples; required unless ``greedy=True``.
    temperature : float > 0, default 1.0
        The distribution sampled at each step is ``softmax(z / temperature)`` with
        ``z = W_ya a<t> + b_y``; below 1 it is sharper, above 1 flatter.  With 1 it is
        the ordinary softmax prediction ``y_hat<t>``.
    greedy : bool, default False
        Take the most likely token (``argmax``, first on ties) instead of sampling; no
        random number is drawn.

    Returns
    -------
    GeneratedSequence
        ``(y, indices, y_hat, a)``: one-hot tokens ``y`` (n_y, m, T_y), their indices
        (m, T_y), the distributions ``y_hat`` (n_y, m, T_y) they came from and the
        hidden states ``a`` (n_a, m, T_y).

    Notes
    -----
    For t = 1 ... T_y::

        a<t>, z<t> = rnn_cell_forward(x<t>, a<t-1>)      (z = W_ya a<t> + b_y)
        y_hat<t>   = softmax(z<t> / temperature)
        k<t>       ~ y_hat<t>  (one draw per example)
        x<t+1>     = one_hot(k<t>)

    Sampling draws ``u = rng.random(m)`` once per step and picks, for example i, the
    first index whose cumulative probability exceeds ``u[i]``; this gives exactly the
    tokens of ``rng.choice(n_y, p=y_hat<t>[:, i])`` called for i = 0 ... m-1 in turn
    (tested), so a loop with ``rng.choice`` reproduces it.
    """
    fn = "one_to_many_generate"
    d = Dims(fn)
    x_t = d.bind("x1", x1, ("n_x", "m"))
    a = d.bind("a0", a0, ("n_a", "m"))
    p = d.bind_params(params, _ALL_SHAPES)
    n_x, m = x_t.shape
    n_y = p["Wya"].shape[0]
    if n_y != n_x:
        raise ValueError(f"{fn}: each prediction is fed back as the next input, so n_y must "
                         f"equal n_x = {n_x} (set by x1), got n_y = {n_y} from params['Wya']")
    T_y = check_int(fn, "T_y", T_y)
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float, np.floating, np.integer)):
        raise TypeError(f"{fn}: temperature must be a number, got {type(temperature).__name__}")
    if not (np.isfinite(temperature) and temperature > 0):
        raise ValueError(f"{fn}: temperature must be a finite number > 0, got {temperature}")
    if not isinstance(greedy, bool):
        raise TypeError(f"{fn}: greedy must be True or False, got {type(greedy).__name__}")
    if not greedy:
        if rng is None:
            raise TypeError(f"{fn}: sampling needs rng=np.random.default_rng(seed) "
                            f"(or pass greedy=True to take the most likely token)")
        rng = as_rng(fn, rng)

    dtype = float_dtype(x_t, a, *p.values())
    n_a = a.shape[0]
    y = np.zeros((n_y, m, T_y), dtype)
    indices = np.zeros((m, T_y), np.int64)
    y_hat = np.zeros((n_y, m, T_y), dtype)
    states = np.zeros((n_a, m, T_y), dtype)
    examples = np.arange(m)
    for t in range(T_y):
        a, z, _ = rnn_cell_forward(x_t, a, p, output="identity")      # z: (n_y, m)
        probs = softmax(z / temperature)                                # (n_y, m)
        if greedy:
            k = np.argmax(probs, axis=0)                                # (m,)
        else:
            cdf = np.cumsum(probs, axis=0, dtype=np.float64)           # (n_y, m)
            cdf /= cdf[-1]
            u = rng.random(m)                                           # (m,)
            k = np.minimum((cdf <= u).sum(axis=0), n_y - 1)             # (m,)
        x_t = np.zeros((n_x, m), dtype)
        x_t[k, examples] = 1.0                                          # one_hot(k): (n_x, m)
        y[:, :, t] = x_t
        indices[:, t] = k
        y_hat[:, :, t] = probs
        states[:, :, t] = a
    return GeneratedSequence(y, indices, y_hat, states)


def encoder_decoder_forward(x, a0, enc_params, dec_params, T_y: int, output: str = "softmax"):
    """Translate a sequence of length T_x into predictions of length T_y.

    Parameters
    ----------
    x : ndarray of shape (n_x, m, T_x)
        Input sequence (e.g. one-hot words of the source sentence).
    a0 : ndarray of shape (n_a, m)
        Initial hidden state of the encoder.
    enc_params : dict
        Encoder RNN: ``Wax`` (n_a, n_x), ``Waa`` (n_a, n_a), ``ba`` (n_a, 1).  The
        encoder makes no predictions, so ``Wya``/``by`` are not needed (and ignored).
    dec_params : dict
        Decoder RNN whose inputs are its own predictions: ``Wax`` (n_a, n_y),
        ``Waa`` (n_a, n_a), ``ba`` (n_a, 1), ``Wya`` (n_y, n_a), ``by`` (n_y, 1).
        Both networks have the same hidden size n_a.
    T_y : int
        Length of the output sequence (>= 1), independent of T_x.
    output : {"softmax", "sigmoid", "identity"}, default "softmax"
        Activation of the decoder's predictions.

    Returns
    -------
    y_hat : ndarray of shape (n_y, m, T_y)

    Notes
    -----
    Encoder, for t = 1 ... T_x (no predictions)::

        e<t> = tanh(W_aa^enc e<t-1> + W_ax^enc x<t> + b_a^enc),   e<0> = a0

    Decoder, started from the encoder's summary ``d<0> = e<T_x>``, for t = 1 ... T_y::

        d<t>     = tanh(W_aa^dec d<t-1> + W_ax^dec x_dec<t> + b_a^dec)
        y_hat<t> = g(W_ya^dec d<t> + b_y^dec)

    where the decoder's input is zeros at the first step ("start") and its own
    previous prediction afterwards: ``x_dec<1> = 0`` (n_y, m),
    ``x_dec<t> = y_hat<t-1>``.  Feeding back the probabilities (not a sampled or
    argmax token) keeps the function deterministic.  Equivalently (tested):
    ``rnn_forward`` of the encoder, then ``rnn_forward`` of the decoder on
    ``[0, y_hat<1>, ..., y_hat<T_y-1>]`` from ``e<T_x>``.
    """
    fn = "encoder_decoder_forward"
    check_output(fn, output)
    d = Dims(fn)
    x = d.bind("x", x, ("n_x", "m", "T_x"))
    e = d.bind("a0", a0, ("n_a", "m"))
    enc = d.bind_params(enc_params, RNN_SHAPES, name="enc_params")
    # the decoder's inputs are predictions, so its W_ax has n_y columns: bind n_y first
    d.bind("dec_params['Wya']", _get(fn, "dec_params", dec_params, "Wya"), ("n_y", "n_a"))
    dec = d.bind_params(dec_params, {"Wax": ("n_a", "n_y"), "Waa": ("n_a", "n_a"),
                                     "ba": ("n_a", 1), **OUTPUT_SHAPES}, name="dec_params")
    T_y = check_int(fn, "T_y", T_y)
    n_y, m = dec["Wya"].shape[0], x.shape[1]
    dtype = float_dtype(x, e, *enc.values(), *dec.values())

    for t in range(x.shape[2]):                                         # encoder
        e, _, _ = rnn_cell_forward(x[:, :, t], e, enc, output=None)    # (n_a, m)

    y_hat = np.zeros((n_y, m, T_y), dtype)
    d_t, x_dec = e, np.zeros((n_y, m), dtype)                           # d<0> = e<T_x>, x_dec<1> = 0
    for t in range(T_y):                                                # decoder
        d_t, y_hat_t, _ = rnn_cell_forward(x_dec, d_t, dec, output=output)  # (n_y, m)
        y_hat[:, :, t] = y_hat_t
        x_dec = y_hat_t                                                 # fed back at t + 1
    return y_hat


def _get(fn: str, name: str, mapping, key: str):
    """``mapping[key]`` with the library's messages for a non-dict or a missing key."""
    require_keys(fn, name, mapping, [key])
    return mapping[key]
