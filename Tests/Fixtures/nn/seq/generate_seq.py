"""Generates the PyTorch reference values of the sequence layers' tests.

Run from the repository root (needs torch and safetensors, for generating only):
    python3 Tests/Fixtures/nn/seq/generate_seq.py

Writes Tests/Fixtures/nn/seq/seq.json and two small safetensors files
(lstm.safetensors, transformer.safetensors) saved with
`safetensors.torch.save_file`. Every layer case stores the module's
parameters (state-dict keys), its inputs, an upstream gradient per output,
torch's outputs and the gradients of sum(out_i * gy_i) with respect to the
inputs and every parameter; the Swift tests load the parameters by key and
compare.
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(20261202)


def t(x):
    x = x.detach().float().contiguous()
    return {"shape": list(x.shape), "data": [round(float(v), 7) for v in x.flatten().tolist()]}


cases = {}


def run_case(name, module, inputs, fn, config=None, int_inputs=None):
    """inputs: dict name -> float tensor (grads taken); fn(module, **inputs) -> list of outputs."""
    ins = {k: v.clone().requires_grad_(True) for k, v in inputs.items()}
    outs = fn(module, **ins)
    gys = [torch.randn_like(o) for o in outs]
    loss = sum((o * g).sum() for o, g in zip(outs, gys))
    params = dict(module.named_parameters())
    wrt = list(ins.values()) + list(params.values())
    grads = torch.autograd.grad(loss, wrt, allow_unused=True)
    d = {
        "config": config or {},
        "params": {k: t(v) for k, v in module.state_dict().items()},
        "inputs": {k: t(v) for k, v in inputs.items()},
        "outputs": [t(o) for o in outs],
        "gys": [t(g) for g in gys],
        "grads": {},
        "repr": repr(module),
    }
    for k, g in zip(list(ins.keys()) + ["param." + p for p in params.keys()], grads):
        if g is not None:
            d["grads"][k] = t(g)
    if int_inputs:
        d["int_inputs"] = {k: {"shape": list(v.shape), "data": [int(a) for a in v.flatten().tolist()]}
                           for k, v in int_inputs.items()}
    cases[name] = d


# ---------------------------------------------------------------- recurrent

def rnn_fn(kind, with_state):
    def fn(m, x, h0=None, c0=None):
        if kind == "lstm":
            out, (h, c) = m(x, (h0, c0)) if with_state else m(x)
            return [out, h, c]
        out, h = m(x, h0) if with_state else m(x)
        return [out, h]
    return fn


def rnn_case(name, kind, ctor, T=5, B=2, with_state=True, unbatched=False):
    m = ctor()
    cfg = dict(kind=kind, input_size=m.input_size, hidden_size=m.hidden_size, num_layers=m.num_layers,
               bias=m.bias, batch_first=m.batch_first, bidirectional=m.bidirectional,
               proj_size=getattr(m, "proj_size", 0), nonlinearity=getattr(m, "nonlinearity", "tanh"),
               with_state=with_state)
    D = 2 if m.bidirectional else 1
    hout = m.proj_size if getattr(m, "proj_size", 0) else m.hidden_size
    if unbatched:
        x = torch.randn(T, m.input_size)
        sh, sc = [m.num_layers * D, hout], [m.num_layers * D, m.hidden_size]
    else:
        x = torch.randn(B, T, m.input_size) if m.batch_first else torch.randn(T, B, m.input_size)
        sh, sc = [m.num_layers * D, B, hout], [m.num_layers * D, B, m.hidden_size]
    inputs = {"x": x}
    if with_state:
        inputs["h0"] = torch.randn(*sh)
        if kind == "lstm":
            inputs["c0"] = torch.randn(*sc)
    run_case(name, m, inputs, rnn_fn(kind, with_state), cfg)


rnn_case("rnn_tanh", "rnn", lambda: nn.RNN(3, 4))
rnn_case("rnn_relu_2layer_bidir", "rnn", lambda: nn.RNN(3, 4, num_layers=2, nonlinearity="relu", bidirectional=True))
rnn_case("rnn_nobias_batchfirst", "rnn", lambda: nn.RNN(3, 4, bias=False, batch_first=True), with_state=False)
rnn_case("lstm_basic", "lstm", lambda: nn.LSTM(3, 4), with_state=False)
rnn_case("lstm_2layer_bidir_batchfirst", "lstm", lambda: nn.LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True))
rnn_case("lstm_proj_bidir", "lstm", lambda: nn.LSTM(3, 5, num_layers=2, proj_size=2, bidirectional=True))
rnn_case("lstm_unbatched", "lstm", lambda: nn.LSTM(3, 4, num_layers=2), unbatched=True)
rnn_case("gru_basic", "gru", lambda: nn.GRU(3, 4))
rnn_case("gru_2layer_bidir_batchfirst", "gru", lambda: nn.GRU(3, 4, num_layers=2, batch_first=True, bidirectional=True))


def packed_case(name, kind, ctor, lengths, enforce_sorted=False):
    m = ctor()
    B, T = len(lengths), max(lengths)
    x = torch.randn(B, T, m.input_size) if m.batch_first else torch.randn(T, B, m.input_size)
    D = 2 if m.bidirectional else 1
    h0 = torch.randn(m.num_layers * D, B, m.hidden_size)
    c0 = torch.randn(m.num_layers * D, B, m.hidden_size)

    def fn(mod, x, h0, c0=None):
        p = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=mod.batch_first, enforce_sorted=enforce_sorted)
        if kind == "lstm":
            out, (h, c) = mod(p, (h0, c0))
        else:
            out, h = mod(p, h0)
        padded, lens = nn.utils.rnn.pad_packed_sequence(out, batch_first=mod.batch_first)
        return [padded, h] + ([c] if kind == "lstm" else [])
    inputs = {"x": x, "h0": h0}
    if kind == "lstm":
        inputs["c0"] = c0
    cfg = dict(kind=kind, input_size=m.input_size, hidden_size=m.hidden_size, num_layers=m.num_layers,
               bias=m.bias, batch_first=m.batch_first, bidirectional=m.bidirectional, proj_size=0,
               nonlinearity="tanh", lengths=lengths, enforce_sorted=enforce_sorted, with_state=True)
    run_case(name, m, inputs, fn, cfg)
    p = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=m.batch_first, enforce_sorted=enforce_sorted)
    cases[name]["packed_batch_sizes"] = [int(v) for v in p.batch_sizes.tolist()]
    cases[name]["packed_data"] = t(p.data)


packed_case("lstm_packed_bidir_2layer", "lstm", lambda: nn.LSTM(3, 4, num_layers=2, bidirectional=True), [2, 5, 3])
packed_case("gru_packed_batchfirst_bidir", "gru", lambda: nn.GRU(3, 4, batch_first=True, bidirectional=True), [4, 1, 3, 2])
packed_case("rnn_packed_sorted", "rnn", lambda: nn.RNN(3, 4), [5, 3, 3, 1], enforce_sorted=True)


def cell_case(name, kind, ctor):
    m = ctor()
    x = torch.randn(3, m.input_size)
    h = torch.randn(3, m.hidden_size)
    inputs = {"x": x, "h": h}
    if kind == "lstm":
        inputs["c"] = torch.randn(3, m.hidden_size)

        def fn(mod, x, h, c):
            h1, c1 = mod(x, (h, c))
            return [h1, c1]
    else:
        def fn(mod, x, h):
            return [mod(x, h)]
    run_case(name, m, inputs, fn, dict(kind=kind, input_size=m.input_size, hidden_size=m.hidden_size, bias=m.bias,
                                       nonlinearity=getattr(m, "nonlinearity", "tanh")))


cell_case("rnn_cell_relu", "rnn", lambda: nn.RNNCell(3, 4, nonlinearity="relu"))
cell_case("lstm_cell", "lstm", lambda: nn.LSTMCell(3, 4))
cell_case("gru_cell", "gru", lambda: nn.GRUCell(3, 4))

# ---------------------------------------------------------------- attention


def mha_case(name, ctor, L, S, N, kpm=None, attn_mask=None, mask_kind="additive", average=True, need_weights=True):
    m = ctor()
    E = m.embed_dim
    bf = m.batch_first

    def shape(n, d):
        return (N, n, d) if bf else (n, N, d)
    q = torch.randn(*shape(L, E))
    k = torch.randn(*shape(S, m.kdim))
    v = torch.randn(*shape(S, m.vdim))

    def fn(mod, q, k, v):
        out, w = mod(q, k, v, key_padding_mask=kpm, need_weights=need_weights, attn_mask=attn_mask,
                     average_attn_weights=average)
        return [out] + ([w] if need_weights else [])
    cfg = dict(embed_dim=E, num_heads=m.num_heads, kdim=m.kdim, vdim=m.vdim, batch_first=bf,
               add_bias_kv=m.bias_k is not None, add_zero_attn=m.add_zero_attn, average=average,
               need_weights=need_weights, mask_kind=mask_kind, bias=m.in_proj_bias is not None)
    run_case(name, m, {"q": q, "k": k, "v": v}, fn, cfg)
    if kpm is not None:
        cases[name]["key_padding_mask"] = t(kpm.float())
    if attn_mask is not None:
        am = attn_mask.float() if attn_mask.dtype == torch.bool else attn_mask
        cases[name]["attn_mask"] = {"shape": list(am.shape),
                                    "data": [float(a) if a != float("-inf") else -1e30 for a in am.flatten().tolist()]}


mha_case("mha_basic", lambda: nn.MultiheadAttention(8, 2), L=4, S=5, N=3)
kpm = torch.tensor([[False, False, False, True, True], [False, False, False, False, False], [False, True, False, False, True]])
mha_case("mha_batchfirst_masks", lambda: nn.MultiheadAttention(8, 4, batch_first=True), L=4, S=5, N=3,
         kpm=kpm, attn_mask=torch.randn(4, 5), average=False)
causal_bool = torch.triu(torch.ones(4, 5, dtype=torch.bool), diagonal=1)
mha_case("mha_kvdim_boolmask", lambda: nn.MultiheadAttention(8, 2, kdim=6, vdim=5), L=4, S=5, N=2,
         attn_mask=causal_bool, mask_kind="bool")
mha_case("mha_bias_kv_zero_attn", lambda: nn.MultiheadAttention(8, 2, add_bias_kv=True, add_zero_attn=True), L=3, S=4, N=2,
         kpm=torch.tensor([[False, False, True, True], [False, False, False, False]]))
mha_case("mha_nobias_noweights", lambda: nn.MultiheadAttention(6, 3, bias=False), L=3, S=3, N=2, need_weights=False)

# ---------------------------------------------------------------- transformer


def enc_layer_case(name, ctor, S, N, kpm=None, causal=False):
    m = ctor()
    bf = m.self_attn.batch_first
    E = m.linear1.in_features
    x = torch.randn(N, S, E) if bf else torch.randn(S, N, E)
    mask = nn.Transformer.generate_square_subsequent_mask(S) if causal else None

    def fn(mod, x):
        return [mod(x, src_mask=mask, src_key_padding_mask=kpm)]
    cfg = dict(d_model=E, nhead=m.self_attn.num_heads, dim_feedforward=m.linear1.out_features, batch_first=bf,
               norm_first=m.norm_first, activation="gelu" if m.activation is F.gelu else "relu", causal=causal)
    run_case(name, m, {"x": x}, fn, cfg)
    if kpm is not None:
        cases[name]["key_padding_mask"] = t(kpm.float())


enc_layer_case("enc_layer_post_relu", lambda: nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), S=5, N=3,
               kpm=torch.tensor([[False] * 5, [False, False, False, True, True], [False] * 4 + [True]]))
enc_layer_case("enc_layer_prenorm_gelu_bf_causal",
               lambda: nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation="gelu", batch_first=True, norm_first=True),
               S=5, N=2, causal=True)


def enc_stack_case(name):
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
    m = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8), enable_nested_tensor=False)
    x = torch.randn(2, 4, 8)
    run_case(name, m, {"x": x}, lambda mod, x: [mod(x)], dict(d_model=8, nhead=2, dim_feedforward=16, num_layers=2))


enc_stack_case("encoder_stack")


def dec_layer_case(name, norm_first):
    m = nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, norm_first=norm_first)
    tgt = torch.randn(4, 2, 8)
    mem = torch.randn(5, 2, 8)
    mask = nn.Transformer.generate_square_subsequent_mask(4)
    mkpm = torch.tensor([[False] * 5, [False, False, True, True, True]])

    def fn(mod, tgt, mem):
        return [mod(tgt, mem, tgt_mask=mask, memory_key_padding_mask=mkpm)]
    run_case(name, m, {"tgt": tgt, "mem": mem}, fn, dict(d_model=8, nhead=2, dim_feedforward=16, norm_first=norm_first))
    cases[name]["key_padding_mask"] = t(mkpm.float())


dec_layer_case("dec_layer_post", False)
dec_layer_case("dec_layer_prenorm", True)

# ---------------------------------------------------------------- sparse, distance, layer norm

emb = nn.Embedding(7, 3, padding_idx=2)
idx = torch.tensor([[1, 2, 4], [2, 6, 1]])
run_case("embedding_padding", emb, {}, lambda mod: [mod(idx)], dict(num=7, dim=3, padding_idx=2),
         int_inputs={"idx": idx})
emb = nn.Embedding(7, 3, scale_grad_by_freq=True)
idx = torch.tensor([1, 1, 4, 1, 0])
run_case("embedding_freq", emb, {}, lambda mod: [mod(idx)], dict(num=7, dim=3, scale_grad_by_freq=True),
         int_inputs={"idx": idx})
emb = nn.Embedding(5, 4, max_norm=1.0)
before = emb.weight.detach().clone()
idx = torch.tensor([0, 3, 3])
out = emb(idx)
cases["embedding_max_norm"] = {"params": {"weight": t(before)}, "outputs": [t(out)], "after": t(emb.weight),
                               "int_inputs": {"idx": {"shape": [3], "data": [0, 3, 3]}}}

for mode in ["sum", "mean", "max"]:
    bag = nn.EmbeddingBag(8, 3, mode=mode)
    inp = torch.tensor([1, 2, 4, 5, 4, 3, 2, 7])
    offs = torch.tensor([0, 3, 3, 6])
    run_case(f"bag_{mode}", bag, {}, lambda mod: [mod(inp, offs)], dict(mode=mode),
             int_inputs={"input": inp, "offsets": offs})
bag = nn.EmbeddingBag(8, 3, mode="sum")
inp = torch.tensor([[1, 2, 4], [5, 4, 3]])
run_case("bag_sum_2d_weights", bag, {"psw": torch.randn(2, 3)},
         lambda mod, psw: [mod(inp, per_sample_weights=psw)], dict(mode="sum"), int_inputs={"input": inp})
bag = nn.EmbeddingBag(8, 3, mode="mean", padding_idx=0, include_last_offset=True)
inp = torch.tensor([1, 0, 4, 0, 0, 3, 2])
offs = torch.tensor([0, 2, 5, 7])
run_case("bag_mean_padding_lastoffset", bag, {}, lambda mod: [mod(inp, offs)], dict(mode="mean", padding_idx=0),
         int_inputs={"input": inp, "offsets": offs})

run_case("cosine_dim1", nn.CosineSimilarity(dim=1), {"a": torch.randn(4, 5), "b": torch.randn(4, 5)},
         lambda mod, a, b: [mod(a, b)], dict(dim=1))
run_case("cosine_broadcast_dim_neg", nn.CosineSimilarity(dim=-1), {"a": torch.randn(2, 3, 4), "b": torch.randn(1, 3, 4)},
         lambda mod, a, b: [mod(a, b)], dict(dim=-1))
run_case("pairwise_p2", nn.PairwiseDistance(), {"a": torch.randn(4, 5), "b": torch.randn(4, 5)},
         lambda mod, a, b: [mod(a, b)], dict(p=2.0, keepdim=False))
run_case("pairwise_p1_keepdim", nn.PairwiseDistance(p=1.0, keepdim=True), {"a": torch.randn(4, 5), "b": torch.randn(4, 5)},
         lambda mod, a, b: [mod(a, b)], dict(p=1.0, keepdim=True))
ln = nn.LayerNorm([4, 5])
with torch.no_grad():
    ln.weight.copy_(torch.randn(4, 5))
    ln.bias.copy_(torch.randn(4, 5))
run_case("layer_norm_2d", ln, {"x": torch.randn(3, 4, 5) * 3 + 1}, lambda mod, x: [mod(x)], dict(shape=[4, 5]))

# ---------------------------------------------------------------- printed forms

prints = {
    "rnn": repr(nn.RNN(10, 20, num_layers=2, nonlinearity="relu", dropout=0.5)),
    "lstm": repr(nn.LSTM(10, 20, proj_size=5, batch_first=True, bidirectional=True, bias=False)),
    "gru": repr(nn.GRU(3, 4)),
    "rnn_cell": repr(nn.RNNCell(3, 4, nonlinearity="relu")),
    "lstm_cell": repr(nn.LSTMCell(3, 4, bias=False)),
    "mha": repr(nn.MultiheadAttention(8, 2)),
    "enc_layer": repr(nn.TransformerEncoderLayer(8, 2, 16)),
    "encoder": repr(nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 2, enable_nested_tensor=False)),
    "dec_layer": repr(nn.TransformerDecoderLayer(8, 2, 16, norm_first=True)),
    "transformer": repr(nn.Transformer(8, 2, 1, 1, 16)),
    "embedding": repr(nn.Embedding(10, 3, padding_idx=0, max_norm=1.0, sparse=True)),
    "embedding_bag": repr(nn.EmbeddingBag(10, 3, mode="sum")),
    "cosine": repr(nn.CosineSimilarity()),
    "pairwise": repr(nn.PairwiseDistance()),
    "layer_norm": repr(nn.LayerNorm(8)),
}
cases["prints"] = prints
cases["mha_state_keys"] = {
    "same": list(nn.MultiheadAttention(8, 2).state_dict().keys()),
    "kvdim": list(nn.MultiheadAttention(8, 2, kdim=6, vdim=5, add_bias_kv=True).state_dict().keys()),
    "lstm": list(nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2).state_dict().keys()),
    "transformer": list(nn.Transformer(8, 2, 1, 1, 16).state_dict().keys()),
}

# ---------------------------------------------------------------- torch-saved state dicts

lstm = nn.LSTM(4, 6, num_layers=2, batch_first=True, bidirectional=True)
x = torch.randn(2, 5, 4)
with torch.no_grad():
    out, (h, c) = lstm(x)
save_file({k: v.contiguous() for k, v in lstm.state_dict().items()}, os.path.join(HERE, "lstm.safetensors"))
cases["saved_lstm"] = {"x": t(x), "out": t(out), "h": t(h), "c": t(c)}

tr = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16, dropout=0.0,
                    batch_first=True)
tr.eval()
src, tgt = torch.randn(2, 5, 8), torch.randn(2, 4, 8)
with torch.no_grad():
    y = tr(src, tgt, tgt_mask=nn.Transformer.generate_square_subsequent_mask(4))
save_file({k: v.contiguous() for k, v in tr.state_dict().items()}, os.path.join(HERE, "transformer.safetensors"))
cases["saved_transformer"] = {"src": t(src), "tgt": t(tgt), "out": t(y)}

with open(os.path.join(HERE, "seq.json"), "w") as f:
    json.dump(cases, f, separators=(",", ":"))
print("wrote", len(cases), "cases")
