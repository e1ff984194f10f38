"""Pooling, similarity and loss cases (models/loss_*.mlir). References are
torch.nn.functional where it has the loss, else the formula of the paper
written in PyTorch; each case draws its inputs with `c` (see reference.py)."""

import numpy as np
import torch
import torch.nn.functional as F


def loss_l2_normalize(c):
    x_np = c.normal((5, 16))
    x_np[2] = 0.0  # norm 0: the epsilon clamp gives 0, not NaN
    x = c.input(x_np)
    y = c.input(c.normal((2, 3, 8), 1e-3))  # norms near the epsilon
    return [F.normalize(x, dim=-1), F.normalize(y, dim=-1, eps=1e-3)]


def loss_similarity(c):
    a = c.input(c.normal((4, 12)))
    b = c.input(c.normal((6, 12)))
    scale = c.input(np.array([3.5], dtype=np.float32))
    bias = c.input(np.array([-0.25], dtype=np.float32))
    log_scale = c.input(np.array(np.log(10.0), dtype=np.float32))
    bias0 = c.input(np.array(-2.0, dtype=np.float32))
    cosine = F.cosine_similarity(a[:, None, :], b[None, :, :], dim=-1)
    return [a @ b.T, cosine * scale + bias, a @ b.T * log_scale.exp() + bias0]


def clip_loss(logits):
    """CLIP (Radford et al., 2021): the mean of both directions' CE."""
    labels = torch.arange(logits.shape[0])
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2


def loss_contrastive(c):
    # Logits up to ~±400: exp overflows in float32 without the max shift.
    logits = c.input(c.normal((7, 7), 100.0))
    small = c.input(c.normal((5, 5), 2.0))
    labels = torch.arange(7)
    return [clip_loss(logits), F.cross_entropy(logits, labels), clip_loss(small)]


def siglip_loss(logits):
    """SigLIP (Zhai et al., 2023): -sum(log_sigmoid(z * logits)) / n."""
    n = logits.shape[0]
    z = 2 * torch.eye(n, dtype=logits.dtype) - 1
    return -F.logsigmoid(z * logits).sum() / n


def loss_sigmoid_contrastive(c):
    logits = c.input(c.normal((9, 9), 3.0))
    large = c.input(c.normal((6, 6), 80.0))
    return [siglip_loss(logits), siglip_loss(large)]


def loss_mse(c):
    p = c.input(c.normal((3, 7, 5)))
    t = c.input(c.normal((3, 7, 5)))
    pm = c.input(c.normal((2, 6, 8)))
    tm = c.input(c.normal((2, 6, 8)))
    mask = c.input((c.rng.random((2, 6)) < 0.75).astype(np.float32))
    # MAE (He et al., 2022): mean per patch, then over the removed patches.
    per_patch = ((pm - tm) ** 2).mean(dim=-1)
    return [F.mse_loss(p, t), (per_patch * mask).sum() / mask.sum()]


def vae_kl(mu, logvar):
    """Kingma & Welling, appendix B, per sample."""
    dims = tuple(range(1, mu.dim()))
    return -0.5 * torch.sum(1 + logvar - mu**2 - logvar.exp(), dim=dims)


def loss_kl_divergence(c):
    mu = c.input(c.normal((5, 16)))
    logvar = c.input(c.normal((5, 16), 0.5))
    mu3 = c.input(c.normal((2, 3, 4)))
    logvar3 = c.input(c.normal((2, 3, 4), 0.5))
    per_sample = vae_kl(mu, logvar)
    return [per_sample.mean(), per_sample.sum(), per_sample, vae_kl(mu3, logvar3).mean()]


def loss_reparameterize(c):
    mu = c.input(c.normal((6, 8)))
    logvar = c.input(c.normal((6, 8), 0.5))
    noise = c.input(c.normal((6, 8)))
    return [mu + noise * torch.exp(0.5 * logvar)]


def loss_binary_cross_entropy(c):
    shape = (3, 10)
    x = c.input(c.normal(shape, 4.0))
    replaced = c.input(c.rng.integers(0, 2, shape, dtype=np.int64))
    mask_np = np.ones(shape, dtype=np.int64)
    mask_np[1, 6:] = mask_np[2, 3:] = 0
    mask = c.input(mask_np)
    soft = c.input(c.rng.random(shape).astype(np.float32))
    targets32 = c.input(c.rng.integers(0, 2, shape, dtype=np.int32))
    keep = c.input(c.rng.random(shape) < 0.6)
    bce = F.binary_cross_entropy_with_logits
    return [
        bce(x, replaced.double(), weight=mask.double(), reduction="sum") / mask.sum(),
        bce(x, soft, reduction="sum"),
        bce(x, targets32.double(), weight=keep.double(), reduction="none"),
        bce(x, replaced.double()),
    ]


def loss_triplet(c):
    a, p, n = (c.input(c.normal((8, 16))) for _ in range(3))
    # Positives and negatives at similar distances: some hinges are 0.
    a2_np = c.normal((6, 10))
    a2 = c.input(a2_np)
    p2 = c.input(a2_np + c.normal((6, 10), 0.3))
    n2 = c.input(a2_np + c.normal((6, 10), 0.4))
    return [F.triplet_margin_loss(a, p, n),
            F.triplet_margin_loss(a2, p2, n2, margin=0.3)]


def dino(student, teacher, center, student_temp, teacher_temp, momentum):
    """DINO (Caron et al., 2021), DINOLoss.forward and update_center for one
    pair of views."""
    student_out = student / student_temp
    teacher_out = F.softmax((teacher - center) / teacher_temp, dim=-1)
    loss = torch.sum(-teacher_out * F.log_softmax(student_out, dim=-1), dim=-1).mean()
    batch_center = torch.sum(teacher, dim=0, keepdim=True) / len(teacher)
    new_center = center * momentum + batch_center * (1 - momentum)
    return [loss, new_center[0]]


def loss_dino(c):
    s = c.input(c.normal((4, 64)))
    t = c.input(c.normal((4, 64)))
    center = c.input(c.normal((64,), 0.1))
    s2 = c.input(c.normal((3, 10)))
    t2 = c.input(c.normal((3, 10)))
    center2 = c.input(c.normal((10,), 0.1))
    return dino(s, t, center, 0.1, 0.04, 0.9) + dino(s2, t2, center2, 0.2, 0.07, 0.5)


def loss_clip(c):
    """The pseudo-code of the CLIP paper (figure 3)."""
    text = c.input(c.normal((6, 32)))
    image = c.input(c.normal((6, 32)))
    t = c.input(np.array(np.log(1 / 0.07), dtype=np.float32))
    logits = F.normalize(text, dim=-1) @ F.normalize(image, dim=-1).T * t.exp()
    return [clip_loss(logits), logits]


def loss_siglip(c):
    text = c.input(c.normal((5, 24)))
    image = c.input(c.normal((5, 24)))
    t = c.weight("logit_scale", np.array([np.log(10.0)], dtype=np.float32))
    b = c.weight("logit_bias", np.array([-10.0], dtype=np.float32))
    cosine = F.cosine_similarity(text[:, None, :], image[None, :, :], dim=-1)
    return [siglip_loss(cosine * t.exp() + b)]


def nt_xent(z, temperature):
    """SimCLR's NT-Xent (Chen et al., 2020) for z = cat([view 1, view 2]):
    cosine similarities / temperature, self-similarity removed, cross
    entropy against the other view."""
    n = z.shape[0] // 2
    z = F.normalize(z, dim=1)
    sim = z @ z.T / temperature
    sim.fill_diagonal_(float("-inf"))
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, targets)


def moco_info_nce(q, k, queue, temperature):
    """MoCo's (He et al., 2020) logits and loss as its reference code
    computes them: l_pos = einsum('nc,nc->n'), l_neg = einsum('nc,ck->nk')
    against the [dim, K] queue, label 0."""
    l_pos = torch.einsum("nc,nc->n", q, k).unsqueeze(-1)
    l_neg = torch.einsum("nc,ck->nk", q, queue)
    logits = torch.cat([l_pos, l_neg], dim=1) / temperature
    return F.cross_entropy(logits, torch.zeros(logits.shape[0], dtype=torch.long))


def loss_nt_xent(c):
    base = c.normal((5, 16))
    z = c.input(np.concatenate([base + c.normal((5, 16), 0.3), base + c.normal((5, 16), 0.3)]))
    z2 = c.input(c.normal((6, 8)))
    # MoCo's queries and keys are unit vectors (the queue's keys per column).
    def unit(x, axis):
        return (x / np.linalg.norm(x, axis=axis, keepdims=True)).astype(np.float32)

    q = c.input(unit(c.normal((7, 16)), 1))
    k = c.input(unit(c.normal((7, 16)), 1))
    queue = c.input(unit(c.normal((16, 24)), 0))
    empty = c.input(np.zeros((16, 0), dtype=np.float32))
    return [nt_xent(z, 0.5), nt_xent(z2, 0.1), moco_info_nce(q, k, queue, 0.07),
            moco_info_nce(q, k, empty, 0.2)]


def contractive(x, w, b, act):
    """Rifai et al. (2011): the batch mean of ||dh/dx||_F² for
    h = act(x Wᵀ + b), the Jacobian taken by autograd sample by sample."""
    total = 0.0
    for row in x:
        jacobian = torch.autograd.functional.jacobian(lambda v: act(F.linear(v, w, b)), row)
        total = total + (jacobian ** 2).sum()
    return total / x.shape[0]


def loss_autoencoder(c):
    x = c.input(c.normal((5, 12)))
    u = c.input(c.rng.random((5, 12)).astype(np.float32))
    n = c.input(c.normal((5, 12)))
    w = c.weight("encoder.weight", c.normal((8, 12), 0.4))
    b = c.weight("encoder.bias", c.normal((8,), 0.2))
    pre = F.linear(x, w, b)
    hs, hr = torch.sigmoid(pre), torch.relu(pre)
    rho, rho_hat = 0.1, hs.mean(0)
    kl = (rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))).sum()
    return [
        torch.where(u < 0.3, torch.zeros_like(x), x),
        x + 0.5 * n,
        hr.abs().sum(1).mean(),
        kl,
        contractive(x, w, b, torch.sigmoid),
        contractive(x, w, b, torch.tanh),
        contractive(x, w, b, torch.relu),
    ]


CASES = [loss_l2_normalize, loss_similarity, loss_contrastive, loss_sigmoid_contrastive,
         loss_mse, loss_kl_divergence, loss_reparameterize, loss_binary_cross_entropy,
         loss_triplet, loss_dino, loss_clip, loss_siglip, loss_nt_xent,
         loss_autoencoder]
