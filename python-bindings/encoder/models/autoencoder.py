"""encoder.models.autoencoder(config): fully connected autoencoders.

    ir = encoder.models.autoencoder({"kind": "sparse", "input_dim": 784,
                                     "hidden_dims": [256], "latent_dim": 32,
                                     "sparsity": "kl", "sparsity_target": 0.05})

Written with encoder.builder. The layers are PyTorch `nn.Sequential`s of
`nn.Linear` and activations, so a state dict of such a module binds as it
is: `encoder.{2i}.weight` / `.bias` for the i-th linear layer of the
encoder, `decoder.{2i}.*` for the decoder's, and for the variational kind
`fc_mu.*` / `fc_logvar.*` after the encoder's hidden layers.

Functions: `encode(x)` -> `code` (the variational kind: `mu`, `logvar`),
and `main(x)` -> `reconstruction`, `loss`, with the kind's objective:

- standard: the reconstruction error;
- denoising: the input corrupted first (`noise`: "mask" zeroes elements
  with probability `noise_level`, "gaussian" adds `noise_level` · N(0, 1);
  from `seed`, or from a `noise` input with `noise_input`), the error
  against the clean input;
- sparse: plus `sparsity_weight` times the L1 activity of the code
  (`sparsity` "l1") or the KL sparsity towards `sparsity_target`
  (`sparsity` "kl", the code through `latent_activation` "sigmoid");
- contractive: plus `contractive_weight` times the batch mean of the
  encoder's squared Jacobian norm, in closed form, so the encoder is one
  layer (no `hidden_dims`) with `latent_activation` sigmoid, tanh or relu;
- variational: `z = mu + eps · exp(logvar / 2)` (`eps` from `seed`, or a
  `noise` input), decoded; the loss is the batch mean of the per-sample
  reconstruction sum plus `beta` times the KL divergence from N(0, I)
  (Kingma & Welling).

`reconstruction` is "gaussian" (squared error, the default) or "bernoulli"
(binary cross entropy with the decoder's output as logits, for inputs in
[0, 1]; `reconstruction` is then their sigmoid). The reconstruction error
is the mean over elements, except for the variational kind (see above).
`activation` (default relu; "identity" for none) follows every hidden
layer; `latent_activation` (default none) the code.
"""

import json
import os

from .. import builder as b

KINDS = ("standard", "denoising", "sparse", "contractive", "variational")
ACTIVATIONS = ("identity", "relu", "gelu", "gelu_tanh", "silu", "sigmoid", "tanh")


class AutoencoderConfigError(ValueError):
    """A config the family cannot build, naming the key."""


def _load(config):
    if isinstance(config, dict):
        return dict(config), "config"
    path = os.path.join(config, "config.json") if os.path.isdir(config) else config
    with open(path) as f:
        return json.load(f), path


def _check(cfg, where):
    def fail(key, why):
        raise AutoencoderConfigError(f"{where}: '{key}' {why}")

    kind = cfg.get("kind", "standard")
    if kind not in KINDS:
        fail("kind", f"must be one of {', '.join(KINDS)}, got {kind!r}")
    for key in ("input_dim", "latent_dim"):
        if key not in cfg:
            fail(key, "is missing")
        if not isinstance(cfg[key], int) or cfg[key] <= 0:
            fail(key, f"must be a positive integer, got {cfg[key]!r}")
    hidden = cfg.get("hidden_dims", [])
    if not isinstance(hidden, list) or not all(isinstance(h, int) and h > 0 for h in hidden):
        fail("hidden_dims", f"must be a list of positive integers, got {hidden!r}")
    for key in ("activation", "latent_activation"):
        value = cfg.get(key, "relu" if key == "activation" else "identity")
        if value not in ACTIVATIONS:
            fail(key, f"must be one of {', '.join(ACTIVATIONS)}, got {value!r}")
    if cfg.get("reconstruction", "gaussian") not in ("gaussian", "bernoulli"):
        fail("reconstruction", f"must be gaussian or bernoulli, got {cfg['reconstruction']!r}")
    if kind == "denoising" and cfg.get("noise", "mask") not in ("mask", "gaussian"):
        fail("noise", f"must be mask or gaussian, got {cfg['noise']!r}")
    if kind == "sparse":
        sparsity = cfg.get("sparsity", "l1")
        if sparsity not in ("l1", "kl"):
            fail("sparsity", f"must be l1 or kl, got {sparsity!r}")
        if sparsity == "kl" and cfg.get("latent_activation") != "sigmoid":
            fail("latent_activation", "must be sigmoid for the KL sparsity (activations in (0, 1))")
    if kind == "contractive":
        if hidden:
            fail("hidden_dims", "must be empty: the closed-form Jacobian is that of one encoder layer")
        if cfg.get("latent_activation") not in ("sigmoid", "tanh", "relu"):
            fail("latent_activation", "must be sigmoid, tanh or relu for the closed-form Jacobian")
    return kind, hidden


def _dense(f, x, name, n_in, n_out, activation):
    y = f.linear(x, f.param(name + ".weight", [n_out, n_in]), f.param(name + ".bias", [n_out]))
    return y if activation == "identity" else f.activation(activation, y)


def _scaled(f, value, factor):
    return value if factor == 1.0 else f.mul(value, f.constant([], factor))


class _Layers:
    def __init__(self, cfg, kind, hidden):
        self.cfg, self.kind, self.hidden = cfg, kind, hidden
        self.input_dim, self.latent_dim = cfg["input_dim"], cfg["latent_dim"]
        self.activation = cfg.get("activation", "relu")
        self.latent_activation = cfg.get("latent_activation", "identity")

    def encode(self, f, x):
        """The code, or (mu, logvar)."""
        dims = [self.input_dim] + self.hidden
        for i in range(len(self.hidden)):
            x = _dense(f, x, f"encoder.{2 * i}", dims[i], dims[i + 1], self.activation)
        if self.kind == "variational":
            mu = _dense(f, x, "fc_mu", dims[-1], self.latent_dim, "identity")
            return mu, _dense(f, x, "fc_logvar", dims[-1], self.latent_dim, "identity")
        i = len(self.hidden)
        return _dense(f, x, f"encoder.{2 * i}", dims[-1], self.latent_dim, self.latent_activation)

    def decode(self, f, z):
        dims = [self.latent_dim] + self.hidden[::-1] + [self.input_dim]
        for i in range(len(dims) - 1):
            last = i == len(dims) - 2
            z = _dense(f, z, f"decoder.{2 * i}", dims[i], dims[i + 1], "identity" if last else self.activation)
        return z


def autoencoder(config):
    """The enc IR (text) of the autoencoder `config` describes (a dict, a
    config.json path or a directory holding one)."""
    cfg, where = _load(config)
    kind, hidden = _check(cfg, where)
    layers = _Layers(cfg, kind, hidden)
    bernoulli = cfg.get("reconstruction", "gaussian") == "bernoulli"
    noise_input = cfg.get("noise_input", False)
    seed = cfg.get("seed", 0)
    m = b.Module()

    f = m.function("encode")
    x = f.input("x", [None, layers.input_dim], dim_names=["batch", ""])
    code = layers.encode(f, x)
    if kind == "variational":
        f.output("mu", code[0])
        f.output("logvar", code[1])
    else:
        f.output("code", code)

    f = m.function("main")
    x = f.input("x", [None, layers.input_dim], dim_names=["batch", ""])
    noise = None
    if noise_input and kind in ("denoising", "variational"):
        width = layers.latent_dim if kind == "variational" else layers.input_dim
        noise = f.input("noise", [None, width], dim_names=["batch", ""])
    encoded = x
    if kind == "denoising":
        level = cfg.get("noise_level", 0.3)
        if cfg.get("noise", "mask") == "mask":
            encoded = f.mask_noise(x, level, seed=seed, noise=noise)
        else:
            encoded = f.gaussian_noise(x, level, seed=seed, noise=noise)
    code = layers.encode(f, encoded)
    if kind == "variational":
        mu, logvar = code
        code = f.reparameterize(mu, logvar, noise=noise, seed=seed)
    output = layers.decode(f, code)

    if bernoulli:
        error = f.binary_cross_entropy(output, x)
        reconstruction = f.activation("sigmoid", output)
    else:
        error = f.mse(output, x)
        reconstruction = output
    if kind == "variational":
        # Per-sample sums: the element mean times the features.
        loss = f.add(_scaled(f, error, float(layers.input_dim)),
                     _scaled(f, f.kl_divergence(mu, logvar), float(cfg.get("beta", 1.0))))
    elif kind == "sparse":
        weight = float(cfg.get("sparsity_weight", 1e-3))
        if cfg.get("sparsity", "l1") == "l1":
            penalty = f.l1_penalty(code)
        else:
            penalty = f.kl_sparsity(code, target=cfg.get("sparsity_target", 0.05))
        loss = f.add(error, _scaled(f, penalty, weight))
    elif kind == "contractive":
        weight = f.param("encoder.0.weight", [layers.latent_dim, layers.input_dim])
        penalty = f.contractive_penalty(code, weight, activation=layers.latent_activation)
        loss = f.add(error, _scaled(f, penalty, float(cfg.get("contractive_weight", 1e-4))))
    else:
        loss = error
    f.output("reconstruction", reconstruction)
    f.output("loss", loss)
    return m.to_mlir()
