"""Assignment 11 (sequence to sequence), answered from its text."""

from .notebook import Mistake, variant

ASSIGNMENT = "11_seq2seq"

_HELPERS = '''
def encode(src_ids, params, src_mask):
    a = np.zeros((params["enc_Waa"].shape[0], src_ids.shape[0]))
    for t in range(src_ids.shape[1]):
        e = params["E_x"][:, src_ids[:, t]]
        new = np.tanh(params["enc_Waa"] @ a + params["enc_Wax"] @ e + params["enc_ba"])
        a = np.where(src_mask[:, t] == 1, new, a)
    return a


def step(tokens, h, params):
    d = params["E_y"][:, tokens]
    h = np.tanh(params["dec_Waa"] @ h + params["dec_Wax"] @ d + params["dec_ba"])
    return softmax(params["Wy"] @ h + params["by"]), h
'''

ANSWERS = {
    "embedding_forward": '''
def embedding_forward(ids, E):
    return E[:, ids]
''',
    "embedding_backward": '''
def embedding_backward(de, ids, n_vocab):
    dE = np.zeros((de.shape[0], n_vocab))
    m, T = ids.shape
    for i in range(m):
        for t in range(T):
            dE[:, ids[i, t]] += de[:, i, t]
    return dE
''',
    "seq2seq_forward": _HELPERS + '''

def seq2seq_forward(src_ids, tgt_in, params, src_mask):
    s = encode(src_ids, params, src_mask)
    h, ys = s, []
    for t in range(tgt_in.shape[1]):
        y, h = step(tgt_in[:, t], h, params)
        ys.append(y)
    return np.stack(ys, axis=2), s
''',
    "greedy_decode": _HELPERS + '''

def greedy_decode(src_ids, params, T_y, go, src_mask, eos):
    h = encode(src_ids, params, src_mask)
    tokens = np.full(src_ids.shape[0], go)
    ids = np.zeros((src_ids.shape[0], T_y), dtype=int)
    for t in range(T_y):
        y, h = step(tokens, h, params)
        tokens = np.argmax(y, axis=0)
        ids[:, t] = tokens
    for i in range(ids.shape[0]):
        for t in range(T_y):
            if ids[i, t] == eos:
                ids[i, t + 1:] = 0
                break
    return ids
''',
    "beam_search": _HELPERS + '''

def beam_search(src_ids, params, beam_width, T_y, go, eos, src_mask):
    s = encode(src_ids, params, src_mask)
    m = src_ids.shape[0]
    ids, log_p = np.zeros((m, T_y), dtype=int), np.zeros(m)
    for i in range(m):
        beams = [([], 0.0, False, s[:, i:i + 1], go)]
        for t in range(T_y):
            candidates = []
            for tokens, score, done, h, last in beams:
                if done:
                    candidates.append((tokens + [0], score, True, h, 0))
                    continue
                y, h2 = step(np.array([last]), h, params)
                for v in range(y.shape[0]):
                    candidates.append((tokens + [v], score + np.log(y[v, 0]), v == eos, h2, v))
            beams = sorted(candidates, key=lambda c: -c[1])[:beam_width]
        ids[i], log_p[i] = beams[0][0], beams[0][1]
    return ids, log_p
''',
    "attention_context": '''
def attention_context(h, enc_states, src_mask):
    n_a, m, T_y = h.shape
    T_x = enc_states.shape[2]
    context = np.zeros((n_a, m, T_y))
    alpha = np.zeros((m, T_y, T_x))
    for i in range(m):
        real = src_mask[i] == 1
        for t in range(T_y):
            e = enc_states[:, i, :].T @ h[:, i, t]          # one score per source step
            w = np.zeros(T_x)
            w[real] = np.exp(e[real] - e[real].max())
            alpha[i, t] = w / w.sum()
            context[:, i, t] = enc_states[:, i, :] @ alpha[i, t]
    return context, alpha
''',
}

MISTAKES = [
    Mistake("embedding_backward", "assignment instead of a sum", '''
def embedding_backward(de, ids, n_vocab):
    dE = np.zeros((de.shape[0], n_vocab))
    dE[:, ids] = de
    return dE
''', "assigns dE[:, ids] = de"),
    Mistake("seq2seq_forward", "encoder runs on padding", '''
def encode_all_steps(src_ids, params):
    a = np.zeros((params["enc_Waa"].shape[0], src_ids.shape[0]))
    for t in range(src_ids.shape[1]):
        e = params["E_x"][:, src_ids[:, t]]
        a = np.tanh(params["enc_Waa"] @ a + params["enc_Wax"] @ e + params["enc_ba"])
    return a


def seq2seq_forward(src_ids, tgt_in, params, src_mask):
    s = encode_all_steps(src_ids, params)
    h, ys = s, []
    for t in range(tgt_in.shape[1]):
        y, h = step(tgt_in[:, t], h, params)
        ys.append(y)
    return np.stack(ys, axis=2), s
''', "runs the encoder on padded steps"),
    Mistake("attention_context", "padded source steps weighted",
            variant(ANSWERS["attention_context"], "        real = src_mask[i] == 1\n",
                    "        real = np.ones(T_x, dtype=bool)\n"),
            "gives padded source steps a weight"),
]
