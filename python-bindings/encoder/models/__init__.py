"""encoder.models.<family>(config): the enc IR of a model family.

    ir = encoder.models.bert({"model_type": "bert", "hidden_size": 768, ...})
    ir = encoder.models.vit("path/to/checkpoint_dir")
    m = encoder.compile(ir)

`config` is a dict (a Hugging Face config.json's content), a config.json
path or a checkpoint directory (whose model.safetensors, when present,
decides naming details as for encoder-compile). The text is what
`encoder-compile DIR --emit=...` starts from: the same ops, the same
parameter names. The text families (bert, roberta, distilbert, electra,
albert) are written in Python with encoder.builder (encoder/models/text.py)
and tested equal to the C++ frontend's IR; the others call the C++
frontend. `pool` ("mean" or "cls") and `normalize` add a Sentence-BERT
head to a text encoder; `audio_input` makes Whisper take 16 kHz audio.

encoder.models.autoencoder(config) builds the fully connected autoencoders
(standard, denoising, sparse, contractive, variational) that have no Hugging
Face config (encoder/models/autoencoder.py).
"""

import json
import os
import tempfile

from . import text as _text
from .autoencoder import AutoencoderConfigError, autoencoder  # noqa: F401

FAMILIES = (
    "bert",
    "roberta",
    "distilbert",
    "electra",
    "albert",
    "vit",
    "dinov2",
    "vit_mae",
    "clip",
    "siglip",
    "wav2vec2",
    "whisper",
    "hubert",
    "t5",
    "mt5",
    "bart",
    "deberta-v2",
    "swin",
    "xlnet",
)


def frontend(config, pool=None, normalize=False, audio_input=False):
    """The C++ frontend's IR for `config` (any family)."""
    from ..compiler import import_model

    if isinstance(config, dict):
        with tempfile.TemporaryDirectory(prefix="encoder-config-") as directory:
            with open(os.path.join(directory, "config.json"), "w") as f:
                json.dump(config, f)
            return import_model(directory, pool, normalize, audio_input)
    return import_model(config, pool, normalize, audio_input)


def _python_name(model_type):
    """encoder.models.<name>: "deberta-v2" is deberta_v2."""
    return model_type.replace("-", "_")


def _family(model_type):
    def build(config, pool=None, normalize=False, audio_input=False):
        loaded, where, checkpoint = _text.read_config(config)
        if loaded.get("model_type", model_type) != model_type:
            raise ValueError(
                f"{where}: model_type '{loaded.get('model_type')}' given to encoder.models.{_python_name(model_type)}"
            )
        loaded = dict(loaded, model_type=model_type)
        if model_type in _text.TEXT_FAMILIES:
            return _text.build(loaded, where, checkpoint, pool, normalize).to_mlir()
        if isinstance(config, dict):
            config = loaded
        return frontend(config, pool, normalize, audio_input)

    build.__name__ = _python_name(model_type)
    build.__doc__ = f"The enc IR of a {model_type} model (see encoder.models)."
    return build


for _name in FAMILIES:
    globals()[_python_name(_name)] = _family(_name)
del _name
