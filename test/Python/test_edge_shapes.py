"""Every example family at the edges of its shapes, against PyTorch.

Each family (examples/<model_type>, compiled as a checkpoint directory with
the reference's tensor names) runs at batch 0, 1 and 2 and, where it has a
sequence (text) or audio (samples), at every length from 0 to 40, with
rows right-padded to cases.families.sweep_lengths: full rows, half rows
and rows whose attention mask is all zeros. The reference is
test/Numerics/cases/families.py at the same shape, in float64, with
Hugging Face's mask semantics. At every shape:

- where the reference computes, the artifact computes too: same shapes,
  finite wherever the reference is finite, relative error under 1e-4;
- where the reference raises (a pooled first token of an empty sequence,
  audio shorter than the convolutions' receptive field, more tokens than
  positions), the artifact refuses with encoder.InvalidArgumentError
  before running anything;
- nothing crashes: a signal kills this test.

Weights are fresh for every shape (bound from the reference's arrays), so
the sweep also rebinds every parameter of every family 123 times.
"""

import json
import os
import shutil
import sys

import numpy as np
import pytest

import encoder
from conftest import SOURCE_DIR

sys.path.insert(0, os.path.join(SOURCE_DIR, "test", "Numerics"))
import reference  # noqa: E402
from cases import families  # noqa: E402

LENGTHS = range(0, 41)
BATCHES = (0, 1, 2)
TOLERANCE = 1e-4
SEED = int(os.environ.get("ENCODER_TEST_SEED", "20261207"))

# (reference case, model type, compile options, function, has a length)
FAMILIES = [
    ("family_bert", "bert", {}, "main", True),
    ("family_bert_sentence", "bert", {"pool": "mean", "normalize": True}, "main", True),
    ("family_roberta", "roberta", {}, "main", True),
    ("family_distilbert", "distilbert", {}, "main", True),
    ("family_electra", "electra", {}, "main", True),
    ("family_albert", "albert", {}, "main", True),
    ("family_vit", "vit", {}, "main", False),
    ("family_dinov2", "dinov2", {}, "main", False),
    ("family_vit_mae", "vit_mae", {}, "main", False),
    ("family_clip", "clip", {}, "main", True),
    ("family_clip_text_features", "clip", {}, "get_text_features", True),
    ("family_clip_image_features", "clip", {}, "get_image_features", False),
    ("family_clip_loss", "clip", {}, "loss", True),
    ("family_siglip", "siglip", {}, "main", True),
    ("family_siglip_text_features", "siglip", {}, "get_text_features", True),
    ("family_siglip_image_features", "siglip", {}, "get_image_features", False),
    ("family_siglip_loss", "siglip", {}, "loss", True),
    ("family_wav2vec2", "wav2vec2", {}, "main", True),
    ("family_whisper", "whisper", {}, "main", False),
    ("family_whisper_audio", "whisper", {"audio_input": True}, "main", True),
    ("family_hubert", "hubert", {}, "main", True),
    ("family_t5", "t5", {}, "main", True),
    ("family_mt5", "mt5", {}, "main", True),
    ("family_bart", "bart", {}, "main", True),
    ("family_deberta_v2", "deberta-v2", {}, "main", True),
    ("family_swin", "swin", {}, "main", False),
    ("family_xlnet", "xlnet", {}, "main", True),
    ("family_xlnet_query_stream", "xlnet", {}, "query_stream", True),
]


def draw(case, batch, length):
    """The reference at one shape: (case, outputs or the exception)."""
    c = reference.Case(SEED, batch=batch, length=length)
    try:
        with np.errstate(all="ignore"):
            outputs = getattr(families, case)(c)
        return c, [o.detach().numpy() for o in outputs]
    except (IndexError, RuntimeError, ValueError, AssertionError) as error:
        return c, error


def compare(name, actual, expected, batch):
    assert actual.shape == expected.shape, f"{name}: shape {actual.shape}, expected {expected.shape}"
    if expected.size == 0:
        return
    # Hugging Face's masks keep every family finite, all-padded rows too;
    # only a mean over an empty batch (a loss) is NaN, in both.
    finite = np.isfinite(expected)
    assert batch == 0 or finite.all(), f"{name}: the reference itself is not finite"
    assert np.isfinite(actual[finite]).all(), f"{name}: NaN or inf where the reference is finite"
    assert np.array_equal(np.isnan(actual[~finite]), np.isnan(expected[~finite])), \
        f"{name}: NaN where the reference is infinite, or the reverse"
    difference = np.linalg.norm((actual.astype(np.float64) - expected)[finite])
    norm = max(np.linalg.norm(expected[finite]), 1e-30)
    assert difference / norm < TOLERANCE, f"{name}: relative error {difference / norm:.3g}"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("edge-shapes")


@pytest.mark.parametrize("case,model_type,options,function,has_length", FAMILIES,
                         ids=[f[0] for f in FAMILIES])
def test_family_edges(workdir, case, model_type, options, function, has_length):
    # The checkpoint's names decide parts of the graph (heads, weight-norm
    # names): compile from a directory holding the reference's tensors.
    c, outputs = draw(case, 2, None)
    assert not isinstance(outputs, Exception), outputs
    checkpoint = workdir / case
    checkpoint.mkdir()
    shutil.copy(os.path.join(families.EXAMPLES, model_type, "config.json"), checkpoint)
    encoder.safetensors.save_file(c.weights, str(checkpoint / "model.safetensors"))
    module = encoder.compile(str(checkpoint), **options)
    fn = module[function]

    shapes = [(b, n) for b in BATCHES for n in (LENGTHS if has_length else [None])]
    refused = computed = 0
    for batch, length in shapes:
        where = f"{case} at batch {batch}, length {length}"
        c, expected = draw(case, batch, length)
        module.bind(c.weights)
        if isinstance(expected, Exception):
            with pytest.raises(encoder.InvalidArgumentError):
                fn(*c.inputs)
            refused += 1
            continue
        try:
            results = fn(*c.inputs)
        except encoder.Error as error:
            pytest.fail(f"{where}: the reference computes, the artifact says: {error}")
        results = results if isinstance(results, tuple) else (results,)
        assert len(results) == len(expected)
        for spec, actual, wanted in zip(fn.outputs, results, expected):
            compare(f"{where}, output '{spec.name}'", actual, wanted, batch)
        computed += 1
    assert computed > 0
    print(f"{case}: {computed} shapes computed, {refused} refused")
