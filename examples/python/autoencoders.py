#!/usr/bin/env python3
"""The autoencoder examples (examples/autoencoder/*/config.json) compiled
with encoder.models.autoencoder and run on MNIST-shaped inputs:

    PYTHONPATH=build/python_packages /usr/bin/python3 \
        examples/python/autoencoders.py [--batch 32]

standard (MSE), denoising (masking noise from a seed, Bernoulli
reconstruction), sparse (KL sparsity of a sigmoid code), contractive (the
encoder's Jacobian penalty) and a VAE (reparameterized from a seed, KL to
N(0, I)). Weights are random (N(0, 0.05), biases 0); the script prints each
model's code shape and loss, and checks that a second call gives the same
loss (the seeded noise is a function of the seed and the position).
"""

import argparse
import glob
import os

import numpy as np

import encoder

HERE = os.path.dirname(os.path.abspath(__file__))


def random_weights(module, rng):
    weights = {}
    for name, spec in module.params.items():
        shape = tuple(spec.shape)
        weights[name] = (np.zeros(shape) if name.endswith(".bias") else rng.normal(0.0, 0.05, shape)).astype(np.float32)
    return weights


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    pixels = rng.random((args.batch, 784)).astype(np.float32)
    for directory in sorted(glob.glob(os.path.join(HERE, "..", "autoencoder", "*"))):
        name = os.path.basename(directory)
        module = encoder.compile(encoder.models.autoencoder(directory))
        module.bind(random_weights(module, rng))
        code = module.encode(pixels)
        code_shape = code[0].shape if isinstance(code, tuple) else code.shape
        reconstruction, loss = module.main(pixels)
        again = module.main(pixels)[1]
        print(f"{name:12s} code {code_shape}, reconstruction {reconstruction.shape}, "
              f"loss {float(loss):.5f}, same on a second call: {bool(float(again) == float(loss))}")


if __name__ == "__main__":
    main()
