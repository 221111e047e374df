"""Assignment 11_seq2seq: answers written the way the notebook teaches pass, typical mistakes fail clearly."""

import numpy as np

from rnncourse.grading import run_check
from rnncourse.grading.exercises import get_assignment


def test_the_assignment_registers_six_exercises():
    a = get_assignment("11_seq2seq")
    assert [e.name for e in a.exercises] == [
        "embedding_forward", "embedding_backward", "seq2seq_forward", "greedy_decode", "beam_search",
        "attention_context"]


def test_embedding_lookup_passes_and_a_transposed_result_fails_with_a_hint():
    def embedding_forward(ids, E):
        return E[:, ids]
    assert run_check(embedding_forward).passed

    def embedding_forward(ids, E):  # noqa: F811
        return np.transpose(E[:, ids], (1, 2, 0))
    result = run_check(embedding_forward)
    assert result.status == "failed" and "(n_e, m, T)" in result.text


def test_embedding_backward_must_add_repeated_tokens():
    def embedding_backward(de, ids, n_vocab):
        dE = np.zeros((de.shape[0], n_vocab))
        for i in range(ids.shape[0]):
            for t in range(ids.shape[1]):
                dE[:, ids[i, t]] += de[:, i, t]
        return dE
    assert run_check(embedding_backward).passed

    def embedding_backward(de, ids, n_vocab):  # noqa: F811
        dE = np.zeros((de.shape[0], n_vocab))
        dE[:, ids] = de                                      # keeps only the last occurrence
        return dE
    assert run_check(embedding_backward).status == "failed"


def _softmax(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def _encode(src, mask, p, use_mask=True):
    a = np.zeros((p["enc_Waa"].shape[0], src.shape[0]))
    for t in range(src.shape[1]):
        new = np.tanh(p["enc_Waa"] @ a + p["enc_Wax"] @ p["E_x"][:, src[:, t]] + p["enc_ba"])
        a = np.where(mask[:, t][None] > 0, new, a) if use_mask else new
    return a


def _dec_step(tok, h, p):
    h = np.tanh(p["dec_Waa"] @ h + p["dec_Wax"] @ p["E_y"][:, tok] + p["dec_ba"])
    return np.log(_softmax(p["Wy"] @ h + p["by"])), h


def test_seq2seq_forward_passes_and_ignoring_the_mask_fails():
    def seq2seq_forward(src_ids, tgt_in, params, src_mask):
        s = _encode(src_ids, src_mask, params)
        h, ys = s, []
        for t in range(tgt_in.shape[1]):
            logp, h = _dec_step(tgt_in[:, t], h, params)
            ys.append(np.exp(logp))
        return np.stack(ys, axis=2), s
    assert run_check(seq2seq_forward).passed

    def seq2seq_forward(src_ids, tgt_in, params, src_mask):  # noqa: F811
        s = _encode(src_ids, src_mask, params, use_mask=False)
        h, ys = s, []
        for t in range(tgt_in.shape[1]):
            logp, h = _dec_step(tgt_in[:, t], h, params)
            ys.append(np.exp(logp))
        return np.stack(ys, axis=2), s
    result = run_check(seq2seq_forward)
    assert result.status == "failed" and ("s" in result.text or "y_hat" in result.text)


def _greedy(src_ids, params, T_y, go, src_mask, eos, pad_after_eos=True):
    h = _encode(src_ids, src_mask, params)
    tok = np.full(src_ids.shape[0], go)
    out = np.zeros((src_ids.shape[0], T_y), dtype=int)
    for t in range(T_y):
        logp, h = _dec_step(tok, h, params)
        tok = logp.argmax(axis=0)
        out[:, t] = tok
    if pad_after_eos:
        for i in range(out.shape[0]):
            hit = np.flatnonzero(out[i] == eos)
            if hit.size:
                out[i, hit[0] + 1:] = 0
    return out


def test_greedy_decode_passes_and_writing_on_after_eos_fails():
    def greedy_decode(src_ids, params, T_y, go, src_mask, eos):
        return _greedy(src_ids, params, T_y, go, src_mask, eos)
    assert run_check(greedy_decode).passed

    def greedy_decode(src_ids, params, T_y, go, src_mask, eos):  # noqa: F811
        return _greedy(src_ids, params, T_y, go, src_mask, eos, pad_after_eos=False)
    assert run_check(greedy_decode).status == "failed"


def _beam(src_ids, params, beam_width, T_y, go, eos, src_mask, add_scores=True):
    s = _encode(src_ids, src_mask, params)
    out, best = np.zeros((src_ids.shape[0], T_y), dtype=int), np.zeros(src_ids.shape[0])
    for i in range(src_ids.shape[0]):
        beams = [([], 0.0, False, s[:, i:i + 1], go)]
        for t in range(T_y):
            cands = []
            for seq, score, done, h, last in beams:
                if done:
                    cands.append((seq + [0], score, True, h, 0))
                    continue
                logp, h2 = _dec_step(np.array([last]), h, params)
                for v in range(logp.shape[0]):
                    new = score + logp[v, 0] if add_scores else logp[v, 0]
                    cands.append((seq + [v], new, v == eos, h2, v))
            order = sorted(range(len(cands)), key=lambda k: -cands[k][1])   # stable: earlier first
            beams = [cands[k] for k in order[:beam_width]]
        out[i], best[i] = beams[0][0], beams[0][1]
    return out, best


def test_beam_search_written_with_lists_passes_and_not_adding_scores_fails():
    def beam_search(src_ids, params, beam_width, T_y, go, eos, src_mask):
        return _beam(src_ids, params, beam_width, T_y, go, eos, src_mask)
    assert run_check(beam_search).passed

    def beam_search(src_ids, params, beam_width, T_y, go, eos, src_mask):  # noqa: F811
        return _beam(src_ids, params, beam_width, T_y, go, eos, src_mask, add_scores=False)
    assert run_check(beam_search).status == "failed"


def test_attention_written_with_einsum_or_loops_passes_and_unmasked_weights_are_named():
    def attention_context(h, enc_states, src_mask):
        scores = np.einsum("amt,amj->mtj", h, enc_states)
        scores = np.where(src_mask[:, None, :] == 1, scores, -np.inf)
        alpha = np.exp(scores - scores.max(axis=2, keepdims=True))
        alpha /= alpha.sum(axis=2, keepdims=True)
        return np.einsum("mtj,amj->amt", alpha, enc_states), alpha
    assert run_check(attention_context).passed

    def attention_context(h, enc_states, src_mask):  # noqa: F811
        scores = np.einsum("amt,amj->mtj", h, enc_states)
        alpha = np.exp(scores - scores.max(axis=2, keepdims=True))
        alpha /= alpha.sum(axis=2, keepdims=True)
        return np.einsum("mtj,amj->amt", alpha, enc_states), alpha
    result = run_check(attention_context)
    assert not result.passed and "gives padded source steps a weight" in result.text

    def attention_context(h, enc_states, src_mask):  # noqa: F811
        (n_a, m, T_y), T_x = h.shape, enc_states.shape[2]
        return np.zeros((n_a, m, T_y)), np.full((m, T_x, T_y), 1 / T_x)     # alpha transposed
    result = run_check(attention_context)
    assert not result.passed and "alpha has one row per decoder step" in result.text, result.text


def test_attention_context_rejects_bad_input_by_name():
    import pytest

    from rnncourse.seq2seq import attention_context

    h, enc = np.zeros((3, 2, 4)), np.zeros((3, 2, 5))
    with pytest.raises(ValueError, match=r"attention_context: h must have shape \(n_a, m, T_y\)"):
        attention_context(h[0], enc)
    with pytest.raises(ValueError, match=r"attention_context: every row of src_mask needs a real step"):
        attention_context(h, enc, np.array([[1, 0, 0, 0, 0], [0, 0, 0, 0, 0.0]]))
    with pytest.raises(ValueError, match=r"attention_context: src_mask must have shape \(m, T_x\) = \(2, 5\)"):
        attention_context(h, enc, np.ones((2, 3)))
    context, alpha = attention_context(h, enc)
    assert context.shape == (3, 2, 4) and np.allclose(alpha, 1 / 5)
