#!/usr/bin/env python3
"""Reference embeddings for the MiniLM embedder's test, computed independently of candle.

    python3 scripts/minilm-reference.py MODEL_DIR > indexer/tests/fixtures/minilm-reference.json

A plain NumPy forward pass of all-MiniLM-L6-v2 (BERT: embeddings, 6 layers of 12-head
self-attention and a GELU feed-forward, post-LayerNorm), mean pooling over the attention mask,
L2 normalisation: what sentence-transformers computes for this model. Needs numpy, safetensors
and tokenizers from PyPI; MODEL_DIR is what scripts/fetch-minilm.sh fills.
"""
import json
import math
import sys

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

SENTENCES = [
    "Low-rank adaptation of large language models.",
    "Denoising diffusion probabilistic models generate images by reversing a noising process.",
    "FlashAttention: fast and memory-efficient exact attention with IO-awareness",
    "Schrödinger bridges between $\\mathcal{N}(0, I)$ and the data distribution",
]
MAX_TOKENS = 128


def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


erf = np.vectorize(math.erf)


def gelu(x):
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def embed(weights, config, ids):
    w = lambda name: weights[name].astype(np.float64)
    n = len(ids)
    x = w("embeddings.word_embeddings.weight")[ids]
    x = x + w("embeddings.position_embeddings.weight")[:n] + w("embeddings.token_type_embeddings.weight")[0]
    eps = config["layer_norm_eps"]
    x = layer_norm(x, w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"), eps)
    heads = config["num_attention_heads"]
    size = config["hidden_size"] // heads
    for i in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        lin = lambda name, h: h @ w(p + name + ".weight").T + w(p + name + ".bias")
        q = lin("attention.self.query", x).reshape(n, heads, size).transpose(1, 0, 2)
        k = lin("attention.self.key", x).reshape(n, heads, size).transpose(1, 0, 2)
        v = lin("attention.self.value", x).reshape(n, heads, size).transpose(1, 0, 2)
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(size)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        context = (scores @ v).transpose(1, 0, 2).reshape(n, heads * size)
        x = layer_norm(lin("attention.output.dense", context) + x,
                       w(p + "attention.output.LayerNorm.weight"), w(p + "attention.output.LayerNorm.bias"), eps)
        inner = gelu(lin("intermediate.dense", x))
        x = layer_norm(lin("output.dense", inner) + x,
                       w(p + "output.LayerNorm.weight"), w(p + "output.LayerNorm.bias"), eps)
    pooled = x.mean(0)
    return pooled / np.linalg.norm(pooled)


def main():
    model = sys.argv[1]
    weights = load_file(f"{model}/model.safetensors")
    config = json.load(open(f"{model}/config.json"))
    tokenizer = Tokenizer.from_file(f"{model}/tokenizer.json")
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS)
    out = []
    for sentence in SENTENCES:
        ids = tokenizer.encode(sentence).ids
        out.append({"text": sentence, "tokens": len(ids),
                    "embedding": [round(float(v), 7) for v in embed(weights, config, np.array(ids))]})
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
