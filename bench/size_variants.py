#!/usr/bin/python3
"""The large size variants at their real shapes: compile time, then a few
sequences on random weights.

  bench/size_variants.py [--build=build] [--out=bench/results/size-variants-DATE.md]
                         [--only=bert-large,...] [--lengths=8,128,512]

Each model is its published Hugging Face config (the keys the frontend
reads, values as on the Hub), compiled from a checkpoint directory with no
weights by `encoder-compile DIR -o MODEL.so` (wall time and peak memory of
that one process, /usr/bin/time), bound to random weights
(examples/make_random_data.py: N(0, 0.02), norms 1, biases 0) and run at
batch 1 on each sequence length (median of 3 calls after one warm-up). The
outputs are checked finite; numerics are the small configs' business
(test/Numerics, against PyTorch). Issue 20's bound: each compiles in <= 10 s
on the 2-core development machine. Nothing else may run meanwhile.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The Hub's configs (bert-large-uncased, roberta-large, t5-large,
# google/flan-t5-large, microsoft/deberta-v3-large, facebook/bart-large),
# trimmed to what the frontend reads.
CONFIGS = {
    "bert-large": {
        "model_type": "bert", "vocab_size": 30522, "hidden_size": 1024, "num_hidden_layers": 24,
        "num_attention_heads": 16, "intermediate_size": 4096, "hidden_act": "gelu",
        "max_position_embeddings": 512, "type_vocab_size": 2, "layer_norm_eps": 1e-12,
        "pad_token_id": 0,
    },
    "roberta-large": {
        "model_type": "roberta", "vocab_size": 50265, "hidden_size": 1024, "num_hidden_layers": 24,
        "num_attention_heads": 16, "intermediate_size": 4096, "hidden_act": "gelu",
        "max_position_embeddings": 514, "type_vocab_size": 1, "layer_norm_eps": 1e-5,
        "pad_token_id": 1,
    },
    "t5-large": {
        "model_type": "t5", "vocab_size": 32128, "d_model": 1024, "d_kv": 64, "d_ff": 4096,
        "num_layers": 24, "num_heads": 16, "relative_attention_num_buckets": 32,
        "relative_attention_max_distance": 128, "layer_norm_epsilon": 1e-6,
        "feed_forward_proj": "relu",
    },
    "flan-t5-large": {
        "model_type": "t5", "vocab_size": 32128, "d_model": 1024, "d_kv": 64, "d_ff": 2816,
        "num_layers": 24, "num_heads": 16, "relative_attention_num_buckets": 32,
        "relative_attention_max_distance": 128, "layer_norm_epsilon": 1e-6,
        "feed_forward_proj": "gated-gelu",
    },
    "deberta-v3-large": {
        "model_type": "deberta-v2", "vocab_size": 128100, "hidden_size": 1024,
        "num_hidden_layers": 24, "num_attention_heads": 16, "intermediate_size": 4096,
        "hidden_act": "gelu", "max_position_embeddings": 512, "type_vocab_size": 0,
        "layer_norm_eps": 1e-7, "relative_attention": True, "max_relative_positions": -1,
        "position_buckets": 256, "norm_rel_ebd": "layer_norm", "share_att_key": True,
        "pos_att_type": ["p2c", "c2p"], "position_biased_input": False, "pad_token_id": 0,
    },
    "bart-large": {
        "model_type": "bart", "vocab_size": 50265, "d_model": 1024, "encoder_layers": 12,
        "encoder_attention_heads": 16, "encoder_ffn_dim": 4096, "activation_function": "gelu",
        "max_position_embeddings": 1024, "scale_embedding": False, "pad_token_id": 1,
    },
}


def cpu_name():
    """The model name and its widest vector extension (KVM guests often
    name only the vendor)."""
    name, flags = platform.processor(), set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
    vector = "AVX-512" if "avx512f" in flags else ("AVX2" if "avx2" in flags else "SSE")
    return f"{name} ({vector})"


def timed_compile(compiler, directory, artifact):
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%e %M", compiler, directory, "-o", artifact],
        capture_output=True, text=True, check=True)
    seconds, kilobytes = result.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kilobytes) / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--out")
    parser.add_argument("--only", default=",".join(CONFIGS))
    parser.add_argument("--lengths", default="8,128,512")
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(args.build, "python_packages"))
    import encoder

    compiler = os.path.join(args.build, "bin", "encoder-compile")
    runner = os.path.join(args.build, "bin", "encoder-run")
    lengths = [int(n) for n in args.lengths.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="encoder-sizes-") as work:
        for name in args.only.split(","):
            directory = os.path.join(work, name)
            os.makedirs(directory)
            with open(os.path.join(directory, "config.json"), "w") as f:
                json.dump(CONFIGS[name], f)
            artifact = os.path.join(work, name + ".so")
            seconds, megabytes = timed_compile(compiler, directory, artifact)
            weights = os.path.join(work, name + ".safetensors")
            subprocess.run([sys.executable, os.path.join(ROOT, "examples", "make_random_data.py"),
                            artifact, "--encoder-run=" + runner, "--weights=" + weights],
                           check=True, capture_output=True)
            model = encoder.load(artifact, weights=weights)
            vocab = CONFIGS[name]["vocab_size"]
            rng = np.random.default_rng(0)
            timings = []
            for n in lengths:
                ids = rng.integers(3, vocab, (1, n), dtype=np.int64)
                mask = np.ones((1, n), dtype=np.int64)
                outputs = model.main(ids, mask)
                outputs = outputs if isinstance(outputs, tuple) else (outputs,)
                assert all(np.isfinite(o).all() for o in outputs), f"{name}: not finite at {n}"
                calls = []
                for _ in range(3):
                    start = time.perf_counter()
                    model.main(ids, mask)
                    calls.append(time.perf_counter() - start)
                timings.append(sorted(calls)[1] * 1e3)
            del model
            rows.append((name, seconds, megabytes, timings))
            print(f"{name}: compile {seconds:.2f} s, {megabytes:.0f} MB; "
                  + ", ".join(f"s{n} {t:.1f} ms" for n, t in zip(lengths, timings)), flush=True)

    date = datetime.date.today().isoformat()
    out = args.out or os.path.join(ROOT, "bench", "results", f"size-variants-{date}.md")
    with open(out, "w") as f:
        f.write(f"# Size variants at their real shapes ({date})\n\n")
        f.write(f"CPU: {cpu_name()}, {os.cpu_count()} cores; f32, batch 1, "
                "the runtime's default threads.\n\n")
        f.write("```sh\n/usr/bin/python3 bench/size_variants.py "
                + " ".join(a for a in sys.argv[1:]) + "\n```\n\n")
        f.write("Compile: `encoder-compile DIR -o MODEL.so` from config.json alone (wall "
                "time, peak resident memory). Runs: median of 3 calls after a warm-up, "
                "random weights, outputs checked finite.\n\n")
        f.write("| model | compile | compile memory | "
                + " | ".join(f"seq {n}" for n in lengths) + " |\n")
        f.write("|---|---|---|" + "---|" * len(lengths) + "\n")
        for name, seconds, megabytes, timings in rows:
            f.write(f"| {name} | {seconds:.2f} s | {megabytes:.0f} MB | "
                    + " | ".join(f"{t:.1f} ms" for t in timings) + " |\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
