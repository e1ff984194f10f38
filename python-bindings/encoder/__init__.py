"""The encoder compiler for Python.

    import encoder
    m = encoder.compile("examples/bert")            # or IR text, a .mlir path
    m.bind("model.safetensors")                     # or a dict of arrays
    out = m.main(input_ids=ids, attention_mask=mask)

    m = encoder.load("bert.so", weights="model.safetensors")
    print(m.main)                                   # the signature
    ir = encoder.compile("examples/bert", emit="linalg")

Names resolve on first use: the runtime (``load``, ``Module``, the
exceptions) loads the runtime extension, which links libencrt alone;
``compile``, ``CompileError``, ``builder`` users that verify, and the
non-text ``models`` load the compiler extension (MLIR and LLVM). The
pure-Python modules (``builder``, ``safetensors``) import without either,
so scripts can use them from the source tree.
"""

import importlib

_RUNTIME_NAMES = {
    "Error": "_runtime",
    "InvalidArgumentError": "_runtime",
    "NotFoundError": "_runtime",
    "DataError": "_runtime",
    "UnavailableError": "_runtime",
    "InternalError": "_runtime",
    "load": "runtime",
    "Module": "runtime",
    "Function": "runtime",
    "TensorSpec": "runtime",
    "CompileError": "_compiler",
}

__all__ = sorted(_RUNTIME_NAMES) + ["compile", "builder", "compiler", "models", "runtime"]


def compile(source, target="cpu", **options):  # noqa: A001  (mirrors the CLI)
    """Compiles a model; see encoder.compiler.compile."""
    from . import compiler

    return compiler.compile(source, target=target, **options)


def _import(name):
    try:
        return importlib.import_module("." + name, __name__)
    except ImportError as error:
        if "_runtime" in str(error) or "_compiler" in str(error):
            raise ImportError(
                f"encoder: the extension for '{name}' is not built here ({error}); build the "
                "project and put build/python_packages on PYTHONPATH"
            ) from error
        raise


def __getattr__(name):
    if name in _RUNTIME_NAMES:
        value = getattr(_import(_RUNTIME_NAMES[name]), name)
        globals()[name] = value
        return value
    if name in ("builder", "compiler", "models", "runtime", "safetensors"):
        return _import(name)
    raise AttributeError(f"module 'encoder' has no attribute '{name}'")


def __dir__():
    return __all__
