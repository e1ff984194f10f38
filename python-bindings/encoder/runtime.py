"""Loaded artifacts: functions with signatures, parameters, calls on arrays.

Inputs that are C-contiguous and of the dtype the function takes reach the
compiled code without a copy: NumPy arrays, anything with the buffer
protocol, PyTorch CPU tensors and other DLPack producers (viewed through
``numpy.from_dlpack``). Non-contiguous arrays are copied into contiguous
ones; Python lists and scalars are converted to the input's dtype. Integer
inputs take any integer dtype or bool (the runtime converts them exactly,
refusing values that do not fit); a float array of another dtype is refused
by the runtime with the same message as ``encoder-run`` (silently casting a
float64 batch to float32 would hide a bug upstream). Parameters take f16,
bf16 and f64 too (converted once when bound, as checkpoints are). Results
are NumPy arrays over the runtime's own buffers.

NumPy has no bfloat16: bf16 tensors travel as uint16 arrays of their bits
(torch.bfloat16 tensors are viewed that way without a copy).
"""

import os
from collections import namedtuple

import numpy as np

from . import _runtime
from ._runtime import InvalidArgumentError

_NUMPY_DTYPES = {
    "f32": np.float32,
    "f64": np.float64,
    "f16": np.float16,
    "bf16": np.uint16,
    "i64": np.int64,
    "i32": np.int32,
    "i16": np.int16,
    "i8": np.int8,
    "u8": np.uint8,
    "u16": np.uint16,
    "u32": np.uint32,
    "u64": np.uint64,
    "i1": np.bool_,
}


class TensorSpec(
    namedtuple("TensorSpec",
               "name dtype shape dim_names dim_max dim_min default range ignore_value")
):
    """One input, output or parameter of a function.

    ``shape`` holds None for a dimension fixed at call time; ``dim_names``
    names dimensions that must agree across inputs ("batch", "sequence", ""
    for none), ``dim_max`` their upper bounds (None for none) and
    ``dim_min`` the least sizes the compiled code needs (0 for none).
    ``default`` is what an omitted input holds ("zeros", "ones"; None: the
    input is required). ``range`` is the valid [lo, hi) of an integer input
    that indexes something.
    """

    __slots__ = ()

    def __str__(self):
        dims = []
        for size, name, bound, least in zip(self.shape, self.dim_names, self.dim_max,
                                            self.dim_min):
            text = str(size) if size is not None else (name or "?")
            if size is None and least:
                text += f">={least}"
            if size is None and bound is not None:
                text += f"<={bound}"
            dims.append(text)
        text = f"{self.name}: {self.dtype}[{', '.join(dims)}]"
        return text + (f" = {self.default}" if self.default else "")


def _specs(entries):
    return tuple(TensorSpec(**entry) for entry in entries)


def _has_buffer(value):
    try:
        memoryview(value)
        return True
    except TypeError:
        return False


def _torch_dtype(value):
    """'torch.bfloat16' and the like for a torch tensor, else None."""
    if not type(value).__module__.startswith("torch"):
        return None
    return str(getattr(value, "dtype", ""))


def as_array(value, spec, what):
    """`value` as a C-contiguous NumPy array, sharing its memory when it can.

    Raises InvalidArgumentError when a DLPack producer cannot be viewed
    (a GPU tensor, one that requires grad)."""
    if isinstance(value, np.ndarray):
        array = value
    elif _torch_dtype(value) in ("torch.bfloat16", "torch.bool"):
        # NumPy has no bfloat16 (its bits as uint16, which the runtime reads
        # as bf16) and DLPack no bool (its bytes as uint8): reinterpreted
        # views, no copies.
        import torch
        bits, dtype = ((torch.int16, np.uint16) if _torch_dtype(value) == "torch.bfloat16"
                       else (torch.uint8, np.bool_))
        return as_array(value.detach().contiguous().view(bits), None, what).view(dtype)
    elif hasattr(value, "__dlpack__") and not _has_buffer(value):
        try:
            array = np.from_dlpack(value)
        except (BufferError, RuntimeError, TypeError, ValueError) as error:
            raise InvalidArgumentError(
                f"{what} cannot be viewed as a host array through DLPack: {error}"
            ) from None
    elif _has_buffer(value) or hasattr(value, "__array__") or hasattr(
        value, "__array_interface__"
    ):
        array = np.asarray(value)
    else:
        dtype = _NUMPY_DTYPES.get(spec.dtype) if spec is not None else None
        try:
            array = np.asarray(value, dtype=dtype)
        except (TypeError, ValueError) as error:
            raise InvalidArgumentError(
                f"{what} is not an array and does not convert to {spec.dtype if spec else 'one'}: {error}"
            ) from None
    if not array.flags.c_contiguous:
        array = np.ascontiguousarray(array)
    return array


class Function:
    """A function of a loaded module; call it with arrays.

    Positional arguments follow ``inputs``; keyword arguments name them.
    Returns one NumPy array for a function with one result, else a tuple in
    the order of ``outputs`` (``call_dict`` returns them by name)."""

    def __init__(self, module, info):
        self._module = module
        self.name = info["name"]
        self.inputs = _specs(info["inputs"])
        self.outputs = _specs(info["outputs"])
        self.params = _specs(info["params"])

    def __repr__(self):
        inputs = ", ".join(str(s) for s in self.inputs)
        outputs = ", ".join(str(s) for s in self.outputs)
        return f"<encoder.Function {self.name}({inputs}) -> ({outputs})>"

    def _arguments(self, args, kwargs):
        if len(args) > len(self.inputs):
            raise TypeError(
                f"{self.name}() takes {len(self.inputs)} inputs "
                f"({', '.join(s.name for s in self.inputs)}), got {len(args)}"
            )
        values = list(args) + [None] * (len(self.inputs) - len(args))
        given = [True] * len(args) + [False] * (len(self.inputs) - len(args))
        index = {spec.name: i for i, spec in enumerate(self.inputs)}
        for name, value in kwargs.items():
            if name not in index:
                raise TypeError(
                    f"{self.name}() has no input '{name}' (inputs: "
                    f"{', '.join(index)})"
                )
            if given[index[name]]:
                raise TypeError(f"{self.name}() got input '{name}' twice")
            values[index[name]], given[index[name]] = value, True
        # Omitted inputs with a default (Hugging Face's optional
        # attention_mask, token_type_ids) are filled in by the runtime.
        # None means omitted, as in Hugging Face's forward().
        missing = [s.name for s, g in zip(self.inputs, given) if not g and not s.default]
        if missing:
            raise TypeError(f"{self.name}() is missing inputs: {', '.join(missing)}")
        return [
            None if value is None else
            as_array(value, spec, f"input '{spec.name}' of function '{self.name}'")
            for value, spec in zip(values, self.inputs)
        ]

    def call_dict(self, *args, **kwargs):
        """Like calling the function, with the results by output name."""
        arrays = self._arguments(args, kwargs)
        results = self._module._native.call(self.name, arrays)
        return {spec.name: r for spec, r in zip(self.outputs, results)}

    def __call__(self, *args, **kwargs):
        arrays = self._arguments(args, kwargs)
        results = self._module._native.call(self.name, arrays)
        return results[0] if len(results) == 1 else results


class Module:
    """An artifact loaded with its parameters bound.

    ``module.functions`` maps names to Functions; each is also an attribute
    (``module.main``) and an item (``module["main"]``)."""

    def __init__(self, path, weights=None, device="cpu", device_ordinal=0, num_threads=0,
                 max_call_bytes=0):
        self.path = os.fspath(path)
        self._native = _runtime.Module(self.path, device, device_ordinal, num_threads,
                                       max_call_bytes)
        self.functions = {
            info["name"]: Function(self, info) for info in self._native.functions()
        }
        if weights is not None:
            self.bind(weights)

    @property
    def target(self):
        return self._native.target

    @property
    def metadata(self):
        """The artifact's metadata JSON, as text."""
        return self._native.metadata

    def __getattr__(self, name):
        functions = self.__dict__.get("functions", {})
        if name in functions:
            return functions[name]
        raise AttributeError(f"the module has no function or attribute '{name}'")

    def __getitem__(self, name):
        if name not in self.functions:
            self._native.function(name)  # raises NotFoundError, as encoder-run says it
        return self.functions[name]

    def __dir__(self):
        return list(super().__dir__()) + list(self.functions)

    def __repr__(self):
        return f"<encoder.Module {self.path} [{self.target}]: {', '.join(self.functions)}>"

    @property
    def params(self):
        """Every parameter of every function, by name (each once)."""
        specs = {}
        for function in self.functions.values():
            for spec in function.params:
                specs.setdefault(spec.name, spec)
        return specs

    def bind(self, weights, strict=False):
        """Binds parameters by name, checking dtype and shape.

        ``weights`` is a safetensors path, a sharded checkpoint's index or a
        checkpoint directory (memory-mapped, nothing copied but f16, bf16
        and f64 tensors, converted to f32; tensors the artifact does not use
        are ignored) or a mapping of names to arrays (bound without copies
        when contiguous; the module keeps them alive). Either way binding
        is one step: calls running in other threads see all of the old or
        all of the new parameters. With ``strict``, a name the artifact has
        no parameter of raises NotFoundError instead of being ignored."""
        if isinstance(weights, (str, os.PathLike)):
            self._native.bind_weights_file(os.fspath(weights))
            return self
        known = self.params
        names, arrays = [], []
        for name, value in weights.items():
            if name not in known:
                if strict:
                    raise _runtime.NotFoundError(
                        f"the artifact has no parameter '{name}'"
                    )
                continue
            names.append(name)
            arrays.append(as_array(value, known[name], f"parameter '{name}'"))
        # One step: calls running in other threads see all old or all new.
        self._native.bind_parameters(names, arrays)
        return self

    def check_parameters(self, function="main"):
        """Raises NotFoundError naming the first unbound parameter."""
        self._native.check_parameters(function)

    # Profiling: per-kernel launches and time, as encoder-run --profile.
    def set_profiling(self, enabled=True):
        self._native.set_profiling(enabled)

    def reset_profile(self):
        self._native.reset_profile()

    def device_stats(self):
        """CUDA modules: (calls, total_ms) of device time while profiling is
        on, from CUDA events around each call's kernels (input uploads and
        result downloads excluded); (0, 0.0) on the CPU."""
        return self._native.device_stats()

    def kernel_stats(self):
        """One dict per kernel: name, function, ops, calls, total_ms, flops
        (measured), report_flops and report_bytes (the compiler's estimate
        of one launch, -1 when unknown)."""
        return self._native.kernel_stats()

    def profile_table(self):
        """The kernel statistics as a text table, slowest first."""
        stats = [s for s in self.kernel_stats() if s["calls"]]
        stats.sort(key=lambda s: -s["total_ms"])
        total = sum(s["total_ms"] for s in stats) or 1.0
        lines = [f"{'kernel':<40} {'calls':>6} {'ms':>9} {'%':>6} {'GFLOP/s':>8}  ops"]
        for s in stats:
            gflops = s["flops"] / (s["total_ms"] * 1e6) if s["total_ms"] and s["flops"] else 0
            lines.append(
                f"{s['name'][:40]:<40} {s['calls']:>6} {s['total_ms']:>9.3f} "
                f"{100 * s['total_ms'] / total:>6.1f} {gflops:>8.1f}  {s['ops']}"
            )
        return "\n".join(lines)


def load(path, weights=None, device="cpu", device_ordinal=0, num_threads=0,
         max_call_bytes=0):
    """Loads the artifact at `path`; binds `weights` (a safetensors path or
    a dict of arrays) when given. `num_threads` 0 uses every core.
    `max_call_bytes` bounds the memory a call's intermediate buffers may
    need, as the artifact estimates it at the call's sizes (0: the
    machine's memory, negative: no limit); a call above it raises
    InvalidArgumentError before it runs."""
    return Module(path, weights, device, device_ordinal, num_threads, max_call_bytes)
