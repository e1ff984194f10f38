"""encoder.models.autoencoder: every kind against a PyTorch module with the
same state dict (nn.Sequential of nn.Linear and activations), outputs and
loss at relative error < 1e-5; the linear autoencoder's encoder against PCA
from numpy.linalg.svd; configs it cannot build named by their key."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import encoder

ACT = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "identity": nn.Identity}


def sequential(dims, activation, last):
    layers = []
    for i in range(len(dims) - 1):
        layers.append(nn.Linear(dims[i], dims[i + 1]))
        layers.append(ACT[last if i == len(dims) - 2 else activation]())
    return nn.Sequential(*layers)


class Reference(nn.Module):
    """The autoencoder written plainly in PyTorch from the family's
    description (encoder/models/autoencoder.py)."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.kind = cfg.get("kind", "standard")
        hidden, act = cfg.get("hidden_dims", []), cfg.get("activation", "relu")
        dims = [cfg["input_dim"]] + hidden
        if self.kind == "variational":
            self.encoder = sequential(dims, act, act)
            self.fc_mu = nn.Linear(dims[-1], cfg["latent_dim"])
            self.fc_logvar = nn.Linear(dims[-1], cfg["latent_dim"])
        else:
            self.encoder = sequential(dims + [cfg["latent_dim"]], act, cfg.get("latent_activation", "identity"))
        self.decoder = sequential([cfg["latent_dim"]] + hidden[::-1] + [cfg["input_dim"]], act, "identity")

    def forward(self, x, noise=None):
        cfg, kind = self.cfg, self.kind
        source = x
        if kind == "denoising":
            level = cfg.get("noise_level", 0.3)
            source = torch.where(noise < level, 0.0, x) if cfg.get("noise", "mask") == "mask" else x + level * noise
        if kind == "variational":
            h = self.encoder(source)
            mu, logvar = self.fc_mu(h), self.fc_logvar(h)
            code = mu + noise * torch.exp(0.5 * logvar)
        else:
            code = self.encoder(source)
        out = self.decoder(code)
        bernoulli = cfg.get("reconstruction", "gaussian") == "bernoulli"
        if kind == "variational":
            error = (F.binary_cross_entropy_with_logits(out, x, reduction="sum") if bernoulli
                     else F.mse_loss(out, x, reduction="sum")) / x.shape[0]
            kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / x.shape[0]
            loss = error + cfg.get("beta", 1.0) * kl
        else:
            loss = F.binary_cross_entropy_with_logits(out, x) if bernoulli else F.mse_loss(out, x)
        if kind == "sparse":
            weight = cfg.get("sparsity_weight", 1e-3)
            if cfg.get("sparsity", "l1") == "l1":
                loss = loss + weight * code.abs().sum(1).mean()
            else:
                rho, rho_hat = cfg.get("sparsity_target", 0.05), code.mean(0)
                loss = loss + weight * (rho * torch.log(rho / rho_hat)
                                        + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))).sum()
        if kind == "contractive":
            layer, act = self.encoder[0], self.encoder[1]
            jacobians = [torch.autograd.functional.jacobian(lambda v: act(layer(v)), row) for row in source]
            loss = loss + cfg.get("contractive_weight", 1e-4) * sum((j ** 2).sum() for j in jacobians) / x.shape[0]
        return (torch.sigmoid(out) if bernoulli else out), loss


CONFIGS = {
    "standard": {"kind": "standard", "input_dim": 20, "hidden_dims": [16, 12], "latent_dim": 6},
    "standard_bernoulli": {"kind": "standard", "input_dim": 20, "hidden_dims": [12], "latent_dim": 6,
                           "activation": "tanh", "reconstruction": "bernoulli"},
    "denoising_mask": {"kind": "denoising", "input_dim": 20, "hidden_dims": [12], "latent_dim": 6,
                       "noise": "mask", "noise_level": 0.3, "noise_input": True},
    "denoising_gaussian": {"kind": "denoising", "input_dim": 20, "hidden_dims": [12], "latent_dim": 6,
                           "noise": "gaussian", "noise_level": 0.2, "noise_input": True},
    "sparse_l1": {"kind": "sparse", "input_dim": 20, "hidden_dims": [12], "latent_dim": 16,
                  "latent_activation": "relu", "sparsity": "l1", "sparsity_weight": 0.01},
    "sparse_kl": {"kind": "sparse", "input_dim": 20, "hidden_dims": [12], "latent_dim": 16,
                  "latent_activation": "sigmoid", "sparsity": "kl", "sparsity_target": 0.1,
                  "sparsity_weight": 0.5},
    "contractive": {"kind": "contractive", "input_dim": 20, "latent_dim": 8, "latent_activation": "sigmoid",
                    "contractive_weight": 0.1},
    "contractive_tanh": {"kind": "contractive", "input_dim": 20, "latent_dim": 8, "latent_activation": "tanh",
                         "contractive_weight": 0.1, "reconstruction": "bernoulli"},
    "variational": {"kind": "variational", "input_dim": 20, "hidden_dims": [16], "latent_dim": 4,
                    "reconstruction": "bernoulli", "beta": 0.5, "noise_input": True},
    "variational_gaussian": {"kind": "variational", "input_dim": 20, "latent_dim": 4, "noise_input": True},
}


def relative(ours, theirs):
    theirs = theirs.detach().double().numpy()
    return np.linalg.norm(ours.astype(np.float64) - theirs) / max(np.linalg.norm(theirs), 1e-30)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_matches_pytorch(name, rng):
    cfg = CONFIGS[name]
    torch.manual_seed(sum(map(ord, name)))
    reference = Reference(cfg).double()
    weights = {k: v.float().numpy() for k, v in reference.state_dict().items()}
    module = encoder.compile(encoder.models.autoencoder(cfg), weights=weights)
    x = rng.random((5, cfg["input_dim"])).astype(np.float32)  # in [0, 1) for bernoulli
    args, noise = [x], None
    if cfg.get("noise_input"):
        width = cfg["latent_dim"] if cfg["kind"] == "variational" else cfg["input_dim"]
        noise = (rng.random((5, width)) if cfg.get("noise") == "mask" else rng.standard_normal((5, width)))
        noise = noise.astype(np.float32)
        args.append(noise)
    reconstruction, loss = module.main(*args)
    expected = reference(torch.from_numpy(x).double(), None if noise is None else torch.from_numpy(noise).double())
    assert relative(reconstruction, expected[0]) < 1e-5
    assert relative(np.asarray(loss), expected[1]) < 1e-5
    code = module.encode(x)
    source = torch.from_numpy(x).double()
    if cfg["kind"] == "variational":
        h = reference.encoder(source)
        assert relative(code[0], reference.fc_mu(h)) < 1e-5
        assert relative(code[1], reference.fc_logvar(h)) < 1e-5
    else:
        assert relative(code, reference.encoder(source)) < 1e-5


def test_linear_autoencoder_is_pca(rng):
    """With the weights of the top-k principal directions (numpy.linalg.svd
    of the centered data), the linear autoencoder's code is the data's PCA
    projection and its loss the variance PCA leaves out, the least any
    k-dimensional linear autoencoder can reach: random orthonormal bases
    do worse."""
    n, d, k = 200, 12, 3
    data = (rng.standard_normal((n, d)) @ rng.standard_normal((d, d)) * 0.5 + 1.0).astype(np.float32)
    mean = data.mean(0)
    _, singular, vt = np.linalg.svd(data - mean, full_matrices=False)
    cfg = {"kind": "standard", "input_dim": d, "latent_dim": k, "activation": "identity"}
    ir = encoder.models.autoencoder(cfg)

    def weights(basis):
        return {"encoder.0.weight": basis, "encoder.0.bias": -(basis @ mean),
                "decoder.0.weight": basis.T.copy(), "decoder.0.bias": mean}

    module = encoder.compile(ir, weights=weights(vt[:k].astype(np.float32)))
    code = module.encode(data)
    np.testing.assert_allclose(code, (data - mean) @ vt[:k].T, rtol=1e-4, atol=1e-4)
    _, loss = module.main(data)
    left_out = (singular[k:] ** 2).sum() / (n * d)
    assert abs(float(loss) - left_out) < 1e-4 * left_out
    for trial in range(5):
        basis, _ = np.linalg.qr(rng.standard_normal((d, k)))
        module.bind(weights(basis.T.astype(np.float32)))
        assert float(module.main(data)[1]) > left_out


@pytest.mark.parametrize("cfg,message", [
    ({"kind": "sparse_ae", "input_dim": 4, "latent_dim": 2}, "'kind' must be one of"),
    ({"kind": "standard", "latent_dim": 2}, "'input_dim' is missing"),
    ({"kind": "contractive", "input_dim": 4, "latent_dim": 2, "hidden_dims": [3],
      "latent_activation": "sigmoid"}, "'hidden_dims' must be empty"),
    ({"kind": "contractive", "input_dim": 4, "latent_dim": 2}, "'latent_activation' must be sigmoid, tanh or relu"),
    ({"kind": "sparse", "input_dim": 4, "latent_dim": 2, "sparsity": "kl"}, "'latent_activation' must be sigmoid"),
    ({"kind": "standard", "input_dim": 4, "latent_dim": 2, "activation": "swish"}, "'activation' must be one of"),
])
def test_bad_configs_name_the_key(cfg, message):
    with pytest.raises(encoder.models.AutoencoderConfigError, match=message):
        encoder.models.autoencoder(cfg)
