#!/usr/bin/env python3
"""Checks the compiled families against Hugging Face transformers.

Three steps, because the compiler and transformers live on different
machines (see bench/gpu/README.md):

  1. there (PyTorch 2 + transformers, a GPU if any):
       check_hf.py --prepare out/
     For every examples/<model_type>/config.json: builds the transformers
     model with seeded random weights (eval mode, float32), saves it as a
     checkpoint directory (out/<name>/checkpoint: config.json +
     model.safetensors via save_pretrained(safe_serialization=True)), draws
     inputs, runs transformers for each of our functions and writes
     out/<name>/<function>/input_<i>.npy (our argument order) and
     expected_<i>.npy (our result order), plus out/<name>/compile_flags and
     out/manifest.json.
  2. here (the compiler): encoder-compile every out/<name>/checkpoint into
     out/<name>/model.so with the flags in out/<name>/compile_flags.
  3. there:
       check_hf.py --compare out/ --encoder-run ./encoder-run
     Runs each artifact with encoder-run on the same inputs and prints a
     markdown table (model type, function, output, relative L2 error vs
     transformers, pass/fail at the tolerance), also written to
     bench/results/hf_check.md with the command line, the transformers and
     torch versions and the devices.

The transformers reference runs in float64 by default, from the float32
weights that were saved (as test/Numerics does), so the error measured is
ours; --reference-dtype float32 runs it as users do (TF32 off).

Only numpy, torch and transformers are needed (--compare: numpy alone).
"""

import argparse
import datetime
import json
import math
import os
import platform
import shlex
import subprocess
import sys

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(REPO, "examples")
DEFAULT_RESULTS = os.path.join(REPO, "bench", "results", "hf_check.md")
BATCH = 2

# model_type -> the transformers class whose checkpoint names the frontend
# reads (a base model, or the pre-training model whose extra head the
# frontend also builds).
MODEL_CLASSES = {
    "bert": "BertModel",
    "roberta": "RobertaModel",
    "distilbert": "DistilBertModel",
    "electra": "ElectraForPreTraining",
    "albert": "AlbertModel",
    "vit": "ViTModel",
    "dinov2": "Dinov2Model",
    "vit_mae": "ViTMAEForPreTraining",
    "clip": "CLIPModel",
    "siglip": "SiglipModel",
    "wav2vec2": "Wav2Vec2Model",
    "whisper": "WhisperModel",
}

# Extra artifacts compiled with frontend flags: name -> (model_type, flags).
VARIANTS = {
    "bert-sentence": ("bert", "--pool=mean --normalize"),
    "whisper-audio": ("whisper", "--audio-input"),
}


# --- step 1: --prepare ------------------------------------------------------------


def sinusoids(length, channels, max_timescale=10000):
    """OpenAI Whisper's positions, which every Whisper checkpoint stores as
    encoder.embed_positions.weight (the compiler computes them itself)."""
    import torch

    log_timescale_increment = math.log(max_timescale) / (channels // 2 - 1)
    inv_timescales = torch.exp(-log_timescale_increment * torch.arange(channels // 2, dtype=torch.float64))
    scaled_time = torch.arange(length, dtype=torch.float64)[:, None] * inv_timescales[None, :]
    return torch.cat([torch.sin(scaled_time), torch.cos(scaled_time)], dim=1)


def randomize(model, model_type, generator):
    """Fresh weights with O(1) activations, and nothing left at an
    initializer's constant (zero biases, unit norms) that would hide a
    mistake: matrices std 1/sqrt(fan_in), norm scales 1 + 0.1 N, biases
    0.1 N, learned tokens and positions N(0, 1), logit scale/bias and layer
    scale perturbed around their usual values."""
    import torch

    def randn(shape):
        return torch.randn(shape, generator=generator, dtype=torch.float32)

    with torch.no_grad():
        for name, p in model.named_parameters():
            leaf = name.rsplit(".", 1)[-1]
            if model_type == "whisper" and name.endswith("encoder.embed_positions.weight"):
                p.copy_(sinusoids(*p.shape).to(p.dtype))
            elif leaf in ("logit_scale", "logit_bias"):
                p.add_(0.1 * randn(p.shape))
            elif leaf == "lambda1":  # DINOv2's layer scale
                p.copy_(1.0 + 0.3 * randn(p.shape))
            elif leaf in ("weight_g", "original0"):  # weight norm's magnitude
                p.copy_(2.0 + 0.2 * randn(p.shape))
            elif p.dim() >= 2 and leaf in ("weight", "weight_v", "original1", "in_proj_weight"):
                p.copy_(randn(p.shape) * p[0].numel() ** -0.5)  # Linear, Conv, Embedding
            elif p.dim() >= 2:  # cls/mask tokens, probes, position tables
                p.copy_(randn(p.shape))
            elif leaf == "weight" and "norm" in name.lower():  # LayerNorm / GroupNorm
                p.copy_(1.0 + 0.1 * randn(p.shape))
            else:
                p.copy_(0.1 * randn(p.shape))


def build_model(model_type, cfg, seed):
    import torch
    import transformers

    torch.manual_seed(seed)
    cfg = dict(cfg)
    cfg.pop("model_type")
    if model_type == "whisper":
        # WhisperConfig's default token ids (50256...) index past a small
        # vocabulary (the decoder's embedding has padding_idx = pad_token_id),
        # so the model could not be built; they do not touch the encoder.
        top = cfg["vocab_size"] - 1
        for key, value in (("pad_token_id", top), ("bos_token_id", top), ("eos_token_id", top),
                           ("decoder_start_token_id", top - 1), ("suppress_tokens", []),
                           ("begin_suppress_tokens", [])):
            cfg.setdefault(key, value)
    config = transformers.AutoConfig.for_model(model_type, **cfg)
    cls = getattr(transformers, MODEL_CLASSES[model_type])
    try:  # eager attention: the models' reference semantics
        model = cls._from_config(config, attn_implementation="eager")
    except (TypeError, ValueError):
        model = cls(config)
    model = model.float().eval()
    generator = torch.Generator().manual_seed(seed)
    randomize(model, model_type, generator)
    return model


def right_padded(lengths, seq):
    mask = np.zeros((len(lengths), seq), dtype=np.int64)
    for b, n in enumerate(lengths):
        mask[b, :n] = 1
    return mask


def text_ids(rng, vocab, lengths, seq, pad, bos=None, eos=None):
    """Right-padded ids; real tokens are never the pad token, and with
    bos/eos (CLIP) each row starts with BOS and ends with EOS, the only ones."""
    special = sorted({t for t in (pad, bos, eos) if t is not None and 0 <= t < vocab})
    ids = rng.integers(0, vocab - len(special), (len(lengths), seq), dtype=np.int64)
    for t in special:
        ids[ids >= t] += 1
    mask = right_padded(lengths, seq)
    for row, n in enumerate(lengths):
        if bos is not None:
            ids[row, 0] = bos
        if eos is not None:
            ids[row, n - 1] = eos
    ids[mask == 0] = pad if pad is not None else 0
    return ids, mask


class Runner:
    """Runs a transformers model in the reference dtype on the device."""

    def __init__(self, model, device, dtype):
        import torch

        self.torch = torch
        self.device = device
        self.dtype = dtype
        self.model = model.to(device=device, dtype=dtype)

    def tensor(self, array):
        t = self.torch.from_numpy(array).to(self.device)
        return t.to(self.dtype) if array.dtype.kind == "f" else t

    def __call__(self, fn, *args, **kwargs):
        with self.torch.no_grad():
            return fn(*args, **kwargs)


def as_features(result, attribute):
    """get_text_features / get_image_features: a tensor, or (newer
    transformers) an output object."""
    import torch

    if isinstance(result, torch.Tensor):
        return result
    for name in (attribute, "pooler_output"):
        value = getattr(result, name, None)
        if value is not None:
            return value
    return result[0]


def numpy_out(t):
    return t.detach().to("cpu").double().contiguous().numpy() if t.is_floating_point() else \
        t.detach().to("cpu").contiguous().numpy()


def prepare_text(model_type, cfg, model, run, rng, sentence=False):
    vocab = cfg["vocab_size"]
    pad = cfg.get("pad_token_id", 0)
    seq, lengths = 11, [11, 7]
    ids, mask = text_ids(rng, vocab, lengths, seq, pad)
    inputs = [("input_ids", ids), ("attention_mask", mask)]
    kwargs = {"input_ids": run.tensor(ids), "attention_mask": run.tensor(mask)}
    if model_type != "distilbert" and cfg.get("type_vocab_size", 2) > 1:
        types = np.zeros((BATCH, seq), dtype=np.int64)
        for b, n in enumerate(lengths):
            types[b, n // 2:n] = 1
        inputs.append(("token_type_ids", types))
        kwargs["token_type_ids"] = run.tensor(types)
    if model_type == "roberta":
        # transformers gives pad tokens position padding_idx; the compiler
        # numbers every token padding_idx + 1 + index (documented). Both
        # agree on real tokens; passing the compiler's positions makes the
        # padded rows of last_hidden_state comparable too.
        positions = np.broadcast_to(np.arange(seq, dtype=np.int64) + pad + 1, (BATCH, seq)).copy()
        kwargs["position_ids"] = run.tensor(positions)
    if model_type == "electra":
        out = run(run.model, **kwargs, output_hidden_states=True)
        outputs = [("last_hidden_state", out.hidden_states[-1]), ("logits", out.logits)]
    else:
        out = run(run.model, **kwargs)
        outputs = [("last_hidden_state", out.last_hidden_state)]
        if getattr(out, "pooler_output", None) is not None:
            outputs.append(("pooler_output", out.pooler_output))
    if sentence:  # Sentence-BERT: masked mean, then L2 normalization
        import torch.nn.functional as F

        h = out.last_hidden_state
        weights = kwargs["attention_mask"].to(h.dtype).unsqueeze(-1)
        mean = (h * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        outputs = [("sentence_embedding", F.normalize(mean, dim=-1))]
    return [("main", inputs, outputs)]


def prepare_vision(model_type, cfg, model, run, rng):
    size, channels = cfg["image_size"], cfg.get("num_channels", 3)
    pixels = rng.standard_normal((BATCH, channels, size, size)).astype(np.float32)
    if model_type == "vit_mae":
        patches = (size // cfg["patch_size"]) ** 2
        noise = rng.random((BATCH, patches)).astype(np.float32)
        kwargs = {"pixel_values": run.tensor(pixels), "noise": run.tensor(noise)}
        out = run(run.model, **kwargs)
        encoder = run(run.model.vit, **kwargs)
        outputs = [("loss", out.loss), ("logits", out.logits),
                   ("last_hidden_state", encoder.last_hidden_state), ("mask", out.mask),
                   ("ids_restore", out.ids_restore)]
        return [("main", [("pixel_values", pixels), ("noise", noise)], outputs)]
    out = run(run.model, pixel_values=run.tensor(pixels))
    outputs = [("last_hidden_state", out.last_hidden_state)]
    if getattr(out, "pooler_output", None) is not None:
        outputs.append(("pooler_output", out.pooler_output))
    return [("main", [("pixel_values", pixels)], outputs)]


def prepare_dual(model_type, cfg, model, run, rng):
    """CLIP and SigLIP: get_text_features, get_image_features, main (2 texts
    against 3 images: the batches are independent) and loss (pairs)."""
    t, v = cfg["text_config"], cfg["vision_config"]
    siglip = model_type == "siglip"

    def texts():
        if siglip:  # no mask: pooled at the last position
            ids = rng.integers(0, t["vocab_size"], (BATCH, 10), dtype=np.int64)
            return [("input_ids", ids)], {"input_ids": run.tensor(ids)}
        ids, mask = text_ids(rng, t["vocab_size"], [9, 6], 9, t.get("pad_token_id", 1),
                             bos=t.get("bos_token_id"), eos=t.get("eos_token_id", 2))
        return ([("input_ids", ids), ("attention_mask", mask)],
                {"input_ids": run.tensor(ids), "attention_mask": run.tensor(mask)})

    def images(batch):
        size = v["image_size"]
        pixels = rng.standard_normal((batch, v.get("num_channels", 3), size, size)).astype(np.float32)
        return [("pixel_values", pixels)], {"pixel_values": run.tensor(pixels)}

    calls = []
    text_in, text_kw = texts()
    calls.append(("get_text_features", text_in, [
        ("text_embeds", as_features(run(run.model.get_text_features, **text_kw), "text_embeds"))]))
    image_in, image_kw = images(BATCH)
    calls.append(("get_image_features", image_in, [
        ("image_embeds", as_features(run(run.model.get_image_features, **image_kw), "image_embeds"))]))
    text_in, text_kw = texts()
    image_in, image_kw = images(3)
    out = run(run.model, **text_kw, **image_kw)
    calls.append(("main", text_in + image_in, [
        ("logits_per_image", out.logits_per_image), ("logits_per_text", out.logits_per_text),
        ("text_embeds", out.text_embeds), ("image_embeds", out.image_embeds)]))
    text_in, text_kw = texts()
    image_in, image_kw = images(BATCH)
    out = run(run.model, **text_kw, **image_kw, return_loss=True)
    calls.append(("loss", text_in + image_in, [("loss", out.loss)]))
    return calls


def prepare_audio(model_type, cfg, model, run, rng, audio_input=False):
    import transformers

    if model_type == "wav2vec2":
        audio = rng.standard_normal((BATCH, 1000)).astype(np.float32)
        out = run(run.model, input_values=run.tensor(audio))
        return [("main", [("input_values", audio)],
                 [("last_hidden_state", out.last_hidden_state),
                  ("extract_features", out.extract_features)])]
    # Whisper's encoder takes exactly 2 * max_source_positions frames.
    frames, mels = 2 * cfg["max_source_positions"], cfg["num_mel_bins"]
    encoder = run.model.get_encoder()
    if not audio_input:
        features = rng.standard_normal((BATCH, mels, frames)).astype(np.float32)
        out = run(encoder, run.tensor(features))
        return [("main", [("input_features", features)], [("last_hidden_state", out.last_hidden_state)])]
    samples = frames * 160
    if samples % 16000:
        raise ValueError(f"{samples} samples are not a whole number of seconds")
    audio = (0.5 * rng.standard_normal((BATCH, samples))).astype(np.float32)
    extractor = transformers.WhisperFeatureExtractor(
        feature_size=mels, sampling_rate=16000, hop_length=160, chunk_length=samples // 16000,
        n_fft=400)
    features = extractor([a for a in audio], sampling_rate=16000, return_tensors="np")["input_features"]
    assert features.shape == (BATCH, mels, frames), features.shape
    out = run(encoder, run.tensor(features.astype(np.float32)))
    return [("main", [("audio", audio)], [("last_hidden_state", out.last_hidden_state)])]


def prepare(args):
    import torch
    import transformers

    torch.backends.cuda.matmul.allow_tf32 = False  # float32 means float32
    torch.backends.cudnn.allow_tf32 = False
    device = args.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    dtype = {"float64": torch.float64, "float32": torch.float32}[args.reference_dtype]
    device_name = torch.cuda.get_device_name(device) if device.startswith("cuda") else platform.processor() or "cpu"

    out_dir = os.path.abspath(args.prepare)
    os.makedirs(out_dir, exist_ok=True)
    types = sorted(d for d in os.listdir(EXAMPLES)
                   if os.path.isfile(os.path.join(EXAMPLES, d, "config.json")))
    names = [(t, t, "") for t in types if t in MODEL_CLASSES]
    names += [(name, t, flags) for name, (t, flags) in VARIANTS.items() if t in types]
    if args.only:
        wanted = set(args.only.split(","))
        names = [n for n in names if n[0] in wanted or n[1] in wanted]
    manifest = {
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(shlex.quote(a) for a in sys.argv),
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "device": f"{device} ({device_name})",
        "reference_dtype": args.reference_dtype,
        "seed": args.seed,
        "models": [],
    }
    for index, (name, model_type, flags) in enumerate(names):
        with open(os.path.join(EXAMPLES, model_type, "config.json")) as f:
            cfg = json.load(f)
        seed = args.seed + index
        entry = {"name": name, "model_type": model_type, "class": MODEL_CLASSES[model_type],
                 "compile_flags": flags, "calls": []}
        try:
            model = build_model(model_type, cfg, seed)
            checkpoint = os.path.join(out_dir, name, "checkpoint")
            model.save_pretrained(checkpoint, safe_serialization=True)
            run = Runner(model, device, dtype)
            rng = np.random.default_rng(seed)
            if model_type in ("bert", "roberta", "distilbert", "electra", "albert"):
                calls = prepare_text(model_type, cfg, model, run, rng, sentence=name == "bert-sentence")
            elif model_type in ("vit", "dinov2", "vit_mae"):
                calls = prepare_vision(model_type, cfg, model, run, rng)
            elif model_type in ("clip", "siglip"):
                calls = prepare_dual(model_type, cfg, model, run, rng)
            else:
                calls = prepare_audio(model_type, cfg, model, run, rng,
                                      audio_input=name == "whisper-audio")
        except Exception as e:  # keep going: one model's failure is a row
            entry["error"] = f"{type(e).__name__}: {e}"
            print(f"{name}: transformers failed: {entry['error']}", file=sys.stderr)
            manifest["models"].append(entry)
            continue
        with open(os.path.join(out_dir, name, "compile_flags"), "w") as f:
            f.write(flags + "\n")
        for function, inputs, outputs in calls:
            call_dir = os.path.join(out_dir, name, function)
            os.makedirs(call_dir, exist_ok=True)
            for i, (_, array) in enumerate(inputs):
                np.save(os.path.join(call_dir, f"input_{i}.npy"), np.ascontiguousarray(array))
            for i, (_, tensor) in enumerate(outputs):
                np.save(os.path.join(call_dir, f"expected_{i}.npy"), numpy_out(tensor))
            entry["calls"].append({"function": function,
                                   "inputs": [n for n, _ in inputs],
                                   "outputs": [n for n, _ in outputs]})
        manifest["models"].append(entry)
        print(f"{name}: {', '.join(c['function'] for c in entry['calls'])}")
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    print(f"wrote {out_dir}; now compile every {out_dir}/<name>/checkpoint (bench/gpu/README.md)")


# --- step 3: --compare ------------------------------------------------------------


def relative_error(actual, expected):
    actual, expected = actual.astype(np.float64), expected.astype(np.float64)
    if not np.isfinite(actual).all():
        return math.nan
    return float(np.linalg.norm(actual - expected) / max(np.linalg.norm(expected), 1e-30))


def host_cpu():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def compare(args):
    out_dir = os.path.abspath(args.compare)
    with open(os.path.join(out_dir, "manifest.json")) as f:
        manifest = json.load(f)
    rows = []  # (name, function, output, error or None, status, note)
    # encoder-run's RUNPATH is the build machine's absolute lib/ path: find
    # libencrt.so beside it (bin/../lib as in a build tree, or bin/ itself).
    env = dict(os.environ)
    here = os.path.dirname(os.path.abspath(args.encoder_run))
    for lib in (os.path.join(os.path.dirname(here), "lib"), here):
        if os.path.exists(os.path.join(lib, "libencrt.so")):
            env["LD_LIBRARY_PATH"] = os.pathsep.join(
                p for p in (lib, env.get("LD_LIBRARY_PATH")) if p)
            break

    for entry in manifest["models"]:
        name = entry["name"]
        if "error" in entry:
            rows.append((name, "-", "-", None, "FAIL", "transformers: " + entry["error"]))
            continue
        artifact = os.path.join(out_dir, name, "model.so")
        weights = os.path.join(out_dir, name, "checkpoint", "model.safetensors")
        if not os.path.exists(artifact):
            rows.append((name, "-", "-", None, "FAIL", f"no {os.path.relpath(artifact, out_dir)} (step 2)"))
            continue
        metadata = {}
        meta = subprocess.run([args.encoder_run, artifact, "--metadata"], capture_output=True,
                              text=True, env=env)
        if meta.returncode == 0:
            metadata = {f["name"]: f for f in json.loads(meta.stdout)["functions"]}
        for call in entry["calls"]:
            function = call["function"]
            call_dir = os.path.join(out_dir, name, function)
            ours = [os.path.join(call_dir, f"ours_{i}.npy") for i in range(len(call["outputs"]))]
            for path in ours:
                if os.path.exists(path):
                    os.remove(path)
            command = [args.encoder_run, artifact, f"--function={function}", f"--weights={weights}"]
            command += [f"--input=@{os.path.join(call_dir, f'input_{i}.npy')}" for i in range(len(call["inputs"]))]
            command += [f"--output=@{path}" for path in ours]
            result = subprocess.run(command, capture_output=True, text=True, env=env)
            if result.returncode != 0:
                message = (result.stderr.strip() or result.stdout.strip()).splitlines()
                rows.append((name, function, "-", None, "FAIL",
                             "encoder-run: " + (message[-1] if message else f"exit {result.returncode}")))
                continue
            names = [o["name"] for o in metadata.get(function, {}).get("outputs", [])]
            for i, output in enumerate(call["outputs"]):
                note = ""
                if names and (i >= len(names) or names[i] != output):
                    note = f"our output #{i} is named '{names[i] if i < len(names) else '-'}'"
                expected = np.load(os.path.join(call_dir, f"expected_{i}.npy"))
                actual = np.load(ours[i])
                if actual.shape != expected.shape:
                    rows.append((name, function, output, None, "FAIL",
                                 f"shape {list(actual.shape)}, transformers {list(expected.shape)}"))
                    continue
                error = relative_error(actual, expected)
                ok = math.isfinite(error) and error < args.tolerance
                rows.append((name, function, output, error, "pass" if ok else "FAIL", note))

    failed = sum(1 for r in rows if r[4] != "pass")
    lines = [
        "# Compiled families vs Hugging Face transformers",
        "",
        f"- compare: `{' '.join(shlex.quote(a) for a in sys.argv)}`",
        f"- prepare: `{manifest['command']}` ({manifest['created']})",
        f"- transformers {manifest['transformers']}, torch {manifest['torch']}; reference on "
        f"{manifest['device']} in {manifest['reference_dtype']}, from the float32 checkpoint",
        f"- ours: encoder-run on the CPU ({host_cpu()}), float32",
        f"- relative L2 error ||ours - transformers|| / ||transformers||, tolerance {args.tolerance:g}",
        f"- {len(rows) - failed} of {len(rows)} rows pass",
        "",
        "| model_type | function | output | relative error | result | note |",
        "|---|---|---|---|---|---|",
    ]
    for name, function, output, error, status, note in rows:
        shown = "-" if error is None else ("NaN" if math.isnan(error) else f"{error:.2e}")
        lines.append(f"| {name} | {function} | {output} | {shown} | {status} | {note} |")
    text = "\n".join(lines) + "\n"
    print(text)
    results = os.path.abspath(args.results)
    os.makedirs(os.path.dirname(results), exist_ok=True)
    with open(results, "w") as f:
        f.write(text)
    print(f"wrote {results}")
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--prepare", metavar="DIR", help="step 1: checkpoints, inputs, transformers outputs")
    mode.add_argument("--compare", metavar="DIR", help="step 3: run DIR/<name>/model.so and compare")
    parser.add_argument("--encoder-run", metavar="PATH", help="the encoder-run binary (--compare)")
    parser.add_argument("--results", default=DEFAULT_RESULTS, help="markdown output (--compare)")
    parser.add_argument("--tolerance", type=float, default=1e-4)
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:1 ... (--prepare)")
    parser.add_argument("--reference-dtype", choices=["float64", "float32"], default="float64",
                        help="dtype transformers runs in (--prepare); weights are float32")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", metavar="NAMES", help="comma-separated model types or variants (--prepare)")
    args = parser.parse_args()
    if args.prepare:
        prepare(args)
        return 0
    if not args.encoder_run:
        parser.error("--compare needs --encoder-run PATH")
    return compare(args)


if __name__ == "__main__":
    sys.exit(main())
