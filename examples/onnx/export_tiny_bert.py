#!/usr/bin/python3
"""Exports a tiny BERT (2 layers, hidden 128, random weights) to ONNX with
torch.onnx.export, dynamic batch and sequence, as a user's own export would
look; for the README's ONNX example.

  export_tiny_bert.py OUT.onnx [--opset=14] [--seed=0]

The model is the benchmark's BertPlain (bench/cpu/models.py): nn.Embedding,
nn.Linear and nn.LayerNorm with attention written out, Hugging Face's
BertModel computation and tensor names.
"""

import argparse
import os
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bench", "cpu"))
import models  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output")
    parser.add_argument("--opset", type=int, default=14)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    import torch

    cfg = dict(models.TINY_BERT)
    model = models.build_bert(cfg, models.random_weights(models.bert_layout(cfg), args.seed))
    names = ["input_ids", "attention_mask", "token_type_ids"]
    outputs = ["last_hidden_state", "pooler_output"]
    dynamic = {n: {0: "batch", 1: "sequence"} for n in names + outputs[:1]}
    dynamic["pooler_output"] = {0: "batch"}
    ids = torch.zeros(1, 8, dtype=torch.int64)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (ids, torch.ones_like(ids), torch.zeros_like(ids)), args.output,
                          opset_version=args.opset, input_names=names, output_names=outputs,
                          dynamic_axes=dynamic)
    print(f"wrote {args.output} (opset {args.opset}, dynamic batch and sequence)")


if __name__ == "__main__":
    main()
