"""Writes `enc` IR from Python.

    from encoder import builder
    m = builder.Module()
    f = m.function("main")
    x = f.input("x", [None, 16, 64], dim_names=["batch", "", ""])
    h = f.layer_norm(x, scale=f.param("norm.weight", [64]),
                     bias=f.param("norm.bias", [64]), epsilon=1e-5)
    f.output("y", f.activation("gelu", f.linear(h, f.param("fc.weight", [128, 64]))))
    encoder.compile(m)            # or m.to_mlir(), m.verify(), m.pretty()

Every `enc` op a model uses has a method that computes its result type from
its operands (dynamic dimensions included) and writes it in MLIR's generic
form, which spells every operand and attribute: ``"enc.linear"(%x, %w)
<{operandSegmentSizes = ...}> : (...) -> ...``. The compiler-internal ops
(enc.packed_param, enc.kernel_info) are left out: passes create them. The
upstream ops an encoder graph needs around them (head reshapes, transposes,
adds, shapes of dynamic dimensions) have methods too, written in their
custom forms; anything else goes through ``op()``.

Nothing here needs the compiler: the text is built in Python. ``verify()``
and ``pretty()`` parse it with the compiler and raise CompileError with a
located diagnostic when it is wrong.
"""

DTYPES = ("f32", "f64", "f16", "bf16", "i64", "i32", "i16", "i8", "i1")
ACTIVATIONS = ("gelu", "gelu_tanh", "quick_gelu", "relu", "silu", "sigmoid", "tanh")
POOLS = ("cls", "mean", "max", "last")
POSITIONS = ("learned", "sinusoidal", "sinusoidal_concat")
SIMILARITIES = ("dot", "cosine")
REDUCTIONS = ("none", "mean", "sum")


class BuilderError(ValueError):
    """A builder call that cannot produce valid IR (wrong rank, unknown enum)."""


# --- Types and attributes ----------------------------------------------------


class TensorType:
    """A ranked tensor; None in `shape` is a dynamic dimension."""

    def __init__(self, shape, dtype="f32"):
        if dtype not in DTYPES:
            raise BuilderError(f"unknown element type '{dtype}' (expected one of {', '.join(DTYPES)})")
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtype

    @property
    def rank(self):
        return len(self.shape)

    def __eq__(self, other):
        return isinstance(other, TensorType) and (self.shape, self.dtype) == (other.shape, other.dtype)

    def __hash__(self):
        return hash((self.shape, self.dtype))

    def __str__(self):
        dims = "".join(("?" if d is None else str(d)) + "x" for d in self.shape)
        return f"tensor<{dims}{self.dtype}>"

    __repr__ = __str__


class _IndexType:
    def __str__(self):
        return "index"

    __repr__ = __str__


INDEX = _IndexType()


class Value:
    """An SSA value: its name in the text and its type."""

    def __init__(self, name, type):
        self.name = name
        self.type = type

    @property
    def shape(self):
        return self.type.shape

    @property
    def dtype(self):
        return self.type.dtype

    @property
    def rank(self):
        return self.type.rank

    def __repr__(self):
        return f"<Value {self.name} : {self.type}>"


def _float(value):
    # MLIR float literals need a '.', and 17 significant digits round-trip.
    return f"{float(value):.17e} : f64"


def _int(value):
    return f"{int(value)} : i64"


def _enum(kind, value, cases):
    if value not in cases:
        raise BuilderError(f"unknown {kind} '{value}' (expected one of {', '.join(cases)})")
    return f"#enc<{kind} {value}>"


def _i64_array(values):
    return f"array<i64{': ' if values else ''}{', '.join(str(int(v)) for v in values)}>"


def _string(value):
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dims_product(dims):
    product = 1
    for d in dims:
        if d is None:
            return None
        product *= d
    return product


# --- Functions ---------------------------------------------------------------


class Function:
    """A public function under construction: inputs, a body, named outputs."""

    def __init__(self, module, name):
        self.module = module
        self.name = name
        self._inputs = []  # (Value, attribute text)
        self._outputs = []  # (name, Value)
        self._lines = []
        self._counter = 0

    # Structure.

    def input(self, name, shape, dtype="f32", dim_names=None, dim_max=None, dim_min=None,
              default=None):
        """A function argument named `name` (the artifact's input name).

        dim_names: per dimension, a name that must agree across inputs at
        run time ("batch") or "" for none; dim_max, dim_min: per dimension
        an upper or lower bound, or None (the compiler raises the lower
        bounds to what the ops need); default: "zeros" or "ones", what the
        runtime passes when a caller omits the input (Hugging Face's
        optional attention_mask and token_type_ids)."""
        type = TensorType(shape, dtype)
        value = Value(f"%arg{len(self._inputs)}", type)
        attrs = [f"enc.name = {_string(name)}"]
        if dim_names:
            if len(dim_names) != type.rank:
                raise BuilderError(f"input '{name}': {len(dim_names)} dim_names for rank {type.rank}")
            attrs.append("enc.dim_names = [" + ", ".join(_string(n) for n in dim_names) + "]")
        if dim_max and any(m is not None and m >= 0 for m in dim_max):
            if len(dim_max) != type.rank:
                raise BuilderError(f"input '{name}': {len(dim_max)} dim_max for rank {type.rank}")
            attrs.append("enc.dim_max = " + _i64_array(-1 if m is None else m for m in dim_max))
        if dim_min and any(m for m in dim_min):
            if len(dim_min) != type.rank:
                raise BuilderError(f"input '{name}': {len(dim_min)} dim_min for rank {type.rank}")
            attrs.append("enc.dim_min = " + _i64_array(m or 0 for m in dim_min))
        if default is not None:
            if default not in ("zeros", "ones"):
                raise BuilderError(f"input '{name}': default must be 'zeros' or 'ones', got {default!r}")
            attrs.append(f"enc.default = {_string(default)}")
        self._inputs.append((value, attrs))
        return value

    def output(self, name, value):
        """Returns `value` as the result named `name`."""
        self._outputs.append((name, value))

    def to_mlir(self):
        args = ", ".join(f"{v.name}: {v.type} {{{', '.join(a)}}}" for v, a in self._inputs)
        results = ", ".join(f"{v.type} {{enc.name = {_string(n)}}}" for n, v in self._outputs)
        lines = [f"  func.func @{self.name}({args}) -> ({results}) {{"]
        lines += ["    " + line for line in self._lines]
        if self._outputs:
            values = ", ".join(v.name for _, v in self._outputs)
            types = ", ".join(str(v.type) for _, v in self._outputs)
            lines.append(f"    return {values} : {types}")
        else:
            lines.append("    return")
        lines.append("  }")
        return "\n".join(lines)

    def _fresh(self):
        name = f"%{self._counter}"
        self._counter += 1
        return name

    def _emit(self, text, *types):
        """Appends `%r = text` (or `%r:N = text`) and returns the values."""
        name = self._fresh()
        if len(types) == 1:
            self._lines.append(f"{name} = {text}")
            return Value(name, types[0])
        self._lines.append(f"{name}:{len(types)} = {text}")
        return tuple(Value(f"{name}#{i}", t) for i, t in enumerate(types))

    def op(self, name, operands, result_types, properties=None, segment_sizes=None):
        """Any op, in generic form. `properties` maps attribute names to
        their MLIR text; `segment_sizes` is the operandSegmentSizes of ops
        with several optional operands (None entries of `operands` are
        absent optional operands)."""
        props = dict(properties or {})
        if segment_sizes is not None:
            props["operandSegmentSizes"] = "array<i32: " + ", ".join(str(s) for s in segment_sizes) + ">"
        present = [v for v in operands if v is not None]
        prop_text = ""
        if props:
            prop_text = " <{" + ", ".join(k if v is True else f"{k} = {v}" for k, v in props.items()) + "}>"
        operand_types = ", ".join(str(v.type) for v in present)
        results = ", ".join(str(t) for t in result_types)
        if len(result_types) != 1:
            results = f"({results})"
        text = f'"{name}"({", ".join(v.name for v in present)}){prop_text} : ({operand_types}) -> {results}'
        return self._emit(text, *result_types)

    def _enc(self, name, operands, result_types, props, segments=False):
        sizes = [0 if v is None else 1 for v in operands] if segments else None
        props = {k: v for k, v in props.items() if v is not None and v is not False}
        return self.op("enc." + name, operands, result_types, props, sizes)

    # --- Upstream ops: shapes, reshapes, elementwise -----------------------

    def constant_index(self, value):
        return self._emit(f"arith.constant {int(value)} : index", INDEX)

    def dim(self, value, index):
        """`tensor.dim`: the size of dimension `index` as an index value."""
        c = self.constant_index(index)
        return self._emit(f"tensor.dim {value.name}, {c.name} : {value.type}", INDEX)

    def size(self, value, index):
        """Dimension `index` of `value`: an int when static, else tensor.dim."""
        if value.shape[index] is not None:
            return value.shape[index]
        return self.dim(value, index)

    @staticmethod
    def _mixed(sizes):
        return "[" + ", ".join(s.name if isinstance(s, Value) else str(s) for s in sizes) + "]"

    def empty(self, sizes, dtype="f32"):
        """`tensor.empty` of `sizes` (ints and index values)."""
        dynamic = [s for s in sizes if isinstance(s, Value)]
        type = TensorType([None if isinstance(s, Value) else s for s in sizes], dtype)
        return self._emit(f"tensor.empty({', '.join(v.name for v in dynamic)}) : {type}", type)

    def constant(self, shape, value, dtype="f32"):
        """A splat tensor constant."""
        type = TensorType(shape, dtype)
        literal = f"{float(value):.17e}" if dtype.startswith(("f", "bf")) else str(int(value))
        return self._emit(f"arith.constant dense<{literal}> : {type}", type)

    def zeros(self, sizes, dtype="f32"):
        empty = self.empty(sizes, dtype)
        zero = self._emit(
            f"arith.constant {'0.000000e+00' if dtype.startswith(('f', 'bf')) else '0'} : {dtype}", dtype
        )
        return self._emit(
            f"linalg.fill ins({zero.name} : {dtype}) outs({empty.name} : {empty.type}) -> {empty.type}",
            empty.type,
        )

    def _elementwise(self, op, lhs, rhs):
        if lhs.type != rhs.type:
            raise BuilderError(f"{op} of {lhs.type} and {rhs.type}: types differ")
        return self._emit(f"{op} {lhs.name}, {rhs.name} : {lhs.type}", lhs.type)

    def add(self, lhs, rhs):
        return self._elementwise("arith.addf", lhs, rhs)

    def mul(self, lhs, rhs):
        return self._elementwise("arith.mulf", lhs, rhs)

    def expand_shape(self, value, groups, sizes):
        """`tensor.expand_shape` with reassociation `groups` into `sizes`
        (ints, and index values for dynamic dimensions)."""
        type = TensorType([None if isinstance(s, Value) else s for s in sizes], value.dtype)
        groups_text = "[" + ", ".join("[" + ", ".join(str(i) for i in g) + "]" for g in groups) + "]"
        return self._emit(
            f"tensor.expand_shape {value.name} {groups_text} output_shape {self._mixed(sizes)} : {value.type} into {type}",
            type,
        )

    def collapse_shape(self, value, groups):
        shape = [_dims_product([value.shape[i] for i in g]) for g in groups]
        type = TensorType(shape, value.dtype)
        groups_text = "[" + ", ".join("[" + ", ".join(str(i) for i in g) + "]" for g in groups) + "]"
        return self._emit(f"tensor.collapse_shape {value.name} {groups_text} : {value.type} into {type}", type)

    def transpose(self, value, permutation):
        sizes = [self.size(value, p) for p in permutation]
        empty = self.empty(sizes, value.dtype)
        return self._emit(
            f"linalg.transpose ins({value.name} : {value.type}) outs({empty.name} : {empty.type}) "
            f"permutation = [{', '.join(str(p) for p in permutation)}]",
            empty.type,
        )

    def broadcast(self, value, sizes, dimensions):
        """`linalg.broadcast` of `value` to `sizes`, adding `dimensions`."""
        empty = self.empty(sizes, value.dtype)
        return self._emit(
            f"linalg.broadcast ins({value.name} : {value.type}) outs({empty.name} : {empty.type}) "
            f"dimensions = [{', '.join(str(d) for d in dimensions)}]",
            empty.type,
        )

    def slice(self, value, dim, offset, size):
        """value[..., offset : offset + size, ...] along `dim`."""
        offsets = [0] * value.rank
        offsets[dim] = offset
        sizes = [size if i == dim else self.size(value, i) for i in range(value.rank)]
        type = TensorType([None if isinstance(s, Value) else s for s in sizes], value.dtype)
        return self._emit(
            f"tensor.extract_slice {value.name}{self._mixed(offsets)} {self._mixed(sizes)} "
            f"{self._mixed([1] * value.rank)} : {value.type} to {type}",
            type,
        )

    def concat(self, dim, parts):
        shape = list(parts[0].shape)
        sizes = [p.shape[dim] for p in parts]
        shape[dim] = None if None in sizes else sum(sizes)
        type = TensorType(shape, parts[0].dtype)
        return self._emit(
            f"tensor.concat dim({dim}) {', '.join(p.name for p in parts)} : "
            f"({', '.join(str(p.type) for p in parts)}) -> {type}",
            type,
        )

    # --- enc: parameters and layers ----------------------------------------

    def param(self, name, shape, dtype="f32"):
        """`enc.param`: a weight bound at run time by `name`."""
        type = TensorType(shape, dtype)
        return self._enc("param", [], [type], {"name": _string(name)})

    def linear(self, x, weight, bias=None, residual=None, activation=None):
        """x·Wᵀ (+ bias) (then activation, + residual); W is [out, in]."""
        type = TensorType(x.shape[:-1] + (weight.shape[0],), x.dtype)
        props = {"activation": _enum("activation", activation, ACTIVATIONS) if activation else None}
        return self._enc("linear", [x, weight, bias, residual], [type], props, segments=True)

    def layer_norm(self, x, scale=None, bias=None, epsilon=1e-5, residual=None):
        """LayerNorm over the last dimension (of x + residual, when given)."""
        return self._enc(
            "layer_norm", [x, residual, scale, bias], [x.type], {"epsilon": _float(epsilon)}, segments=True
        )

    def rms_norm(self, x, scale=None, epsilon=1e-6):
        """RMS norm over the last dimension (T5LayerNorm: no mean, no bias)."""
        return self._enc("rms_norm", [x, scale], [x.type], {"epsilon": _float(epsilon)})

    def activation(self, kind, x):
        return self._enc("activation", [x], [x.type], {"kind": _enum("activation", kind, ACTIVATIONS)})

    def group_norm(self, x, num_groups, scale=None, bias=None, epsilon=1e-5):
        return self._enc(
            "group_norm",
            [x, scale, bias],
            [x.type],
            {"num_groups": _int(num_groups), "epsilon": _float(epsilon)},
            segments=True,
        )

    def conv1d(self, x, weight, bias=None, stride=1, padding=0, groups=1):
        """[N, C, T] * [O, C/groups, K] -> [N, O, (T + 2p - K) / stride + 1]."""
        time, kernel = x.shape[2], weight.shape[2]
        out_time = None if time is None else (time + 2 * padding - kernel) // stride + 1
        type = TensorType([x.shape[0], weight.shape[0], out_time], x.dtype)
        props = {"stride": _int(stride), "padding": _int(padding), "groups": _int(groups)}
        return self._enc("conv1d", [x, weight, bias], [type], props)

    def weight_norm(self, g, v, dim):
        return self._enc("weight_norm", [g, v], [v.type], {"dim": _int(dim)})

    # --- enc: attention ----------------------------------------------------

    def attention(self, q, k, v, mask=None, scale=None, causal=False, bias=None):
        """softmax(q·kᵀ·scale + bias + mask)·v on [batch, heads, seq, head_dim];
        `bias` (float, shared by the batch, e.g. relative positions) is added
        before `mask` applies."""
        type = TensorType(q.shape[:3] + (v.shape[3],), q.dtype)
        props = {"scale": _float(scale) if scale is not None else None, "causal": bool(causal)}
        return self._enc("attention", [q, k, v, bias, mask], [type], props, segments=True)

    def disentangled_attention(self, q, k, v, position_query, position_key, scale, mask=None,
                               position_buckets=0, max_relative_positions=512,
                               content_to_position=True, position_to_content=True):
        """DeBERTa's attention: content scores plus c2p and p2c terms read at
        each pair's relative position (see enc.disentangled_attention)."""
        type = TensorType(q.shape[:3] + (v.shape[3],), q.dtype)
        props = {
            "position_buckets": _int(position_buckets),
            "max_relative_positions": _int(max_relative_positions),
            "content_to_position": bool(content_to_position),
            "position_to_content": bool(position_to_content),
            "scale": _float(scale),
        }
        return self._enc("disentangled_attention", [q, k, v, position_query, position_key, mask],
                         [type], props)

    def relative_attention(self, q, k, v, position_key, content_bias, position_bias, scale,
                           segments=None, mask=None):
        """Transformer-XL / XLNet attention (see enc.relative_attention):
        content, relative-position and, with `segments` = (segment_ids,
        segment_embed, segment_bias), segment terms."""
        type = TensorType(q.shape[:3] + (v.shape[3],), q.dtype)
        segment_ids, segment_embed, segment_bias = segments if segments else (None, None, None)
        operands = [q, k, v, position_key, content_bias, position_bias, segment_ids, segment_embed,
                    segment_bias, mask]
        return self._enc("relative_attention", operands, [type], {"scale": _float(scale)}, segments=True)

    def relative_sinusoid(self, query_length, key_length, dim, clamp=0, base=10000.0):
        """[q + k, dim] sinusoids of the distances k .. 1 - q (Transformer-XL);
        the lengths are index values (e.g. from dim())."""
        type = TensorType([None, dim], "f32")
        props = {"clamp": _int(clamp) if clamp else None, "base": _float(base)}
        return self._enc("relative_sinusoid", [query_length, key_length], [type], props)

    def span_corruption(self, ids, seed, noise_density, sentinel_id, mean_noise_span_length=3.0, eos_id=1):
        """T5's span corruption of `ids` [batch, length] with the 0-d i64
        `seed` (see enc.span_corruption): returns (inputs, targets)."""
        length = ids.shape[1]
        if length is None:
            widths = (None, None)
        else:
            noise = min(max(int(round(length * noise_density)), 1), length - 1)
            spans = max(int(round(min(noise, length - noise) / mean_noise_span_length)), 1)
            widths = (length - noise + spans + 1, noise + spans + 1)
        types = [TensorType([ids.shape[0], w], ids.dtype) for w in widths]
        props = {
            "noise_density": _float(noise_density),
            "mean_noise_span_length": _float(mean_noise_span_length),
            "sentinel_id": _int(sentinel_id),
            "eos_id": _int(eos_id),
        }
        return self._enc("span_corruption", [ids, seed], types, props)

    def rotary(self, x, base=10000.0, rotary_dim=None, offset=0):
        props = {
            "base": _float(base),
            "rotary_dim": _int(rotary_dim) if rotary_dim is not None else None,
            "offset": _int(offset),
        }
        return self._enc("rotary", [x], [x.type], props)

    def relative_position_bias(self, table, query_length, key_length, num_buckets, max_distance, bidirectional=True):
        """[1, heads, q, k] from a [num_buckets, heads] table; the lengths
        are index values (e.g. from dim())."""
        type = TensorType([1, table.shape[1], None, None], table.dtype)
        props = {
            "num_buckets": _int(num_buckets),
            "max_distance": _int(max_distance),
            "bidirectional": bool(bidirectional),
        }
        return self._enc("relative_position_bias", [table, query_length, key_length], [type], props)

    def additive_attention(self, query, keys, values, score, mask=None):
        """Bahdanau's attention of projected `query` [batch, units] over
        projected `keys` [batch, seq, units] with score vector `score`
        [units]: (context [batch, dim] of `values`, weights [batch, seq])."""
        batch, seq = keys.shape[0], keys.shape[1]
        types = [TensorType([batch, values.shape[2]], query.dtype), TensorType([batch, seq], query.dtype)]
        return self._enc("additive_attention", [query, keys, values, score, mask], types, {})

    @staticmethod
    def _pooled(size, kernel, stride, pad, dilation, ceil):
        """PyTorch's pooled size of one axis (enc's verifier computes the same)."""
        span = size + 2 * pad - dilation * (kernel - 1) - 1
        out = (-(-span // stride) if ceil else span // stride) + 1
        if ceil and (out - 1) * stride >= size + pad:
            out -= 1
        return out

    def _pool2d(self, name, x, kernel_size, stride, padding, dilation, ceil_mode, props):
        stride = stride or kernel_size
        sizes = [self._pooled(x.shape[2 + i], kernel_size[i], stride[i], padding[i], dilation[i], ceil_mode)
                 for i in range(2)]
        props = dict(props, kernel_size=_i64_array(kernel_size), stride=_i64_array(stride),
                     padding=_i64_array(padding), ceil_mode=bool(ceil_mode))
        return self._enc(name, [x], [TensorType(list(x.shape[:2]) + sizes, x.dtype)], props)

    def max_pool2d(self, x, kernel_size, stride=None, padding=(0, 0), dilation=(1, 1), ceil_mode=False):
        """F.max_pool2d on NCHW `x` (static height and width)."""
        return self._pool2d("max_pool2d", x, kernel_size, stride, padding, dilation, ceil_mode,
                            {"dilation": _i64_array(dilation)})

    def avg_pool2d(self, x, kernel_size, stride=None, padding=(0, 0), ceil_mode=False, count_include_pad=True):
        """F.avg_pool2d on NCHW `x` (static height and width)."""
        return self._pool2d("avg_pool2d", x, kernel_size, stride, padding, (1, 1), ceil_mode,
                            {"count_include_pad": "true" if count_include_pad else "false"})

    def adaptive_avg_pool2d(self, x, output_size):
        """F.adaptive_avg_pool2d on NCHW `x` to `output_size` (oh, ow)."""
        return self._enc("adaptive_avg_pool2d", [x], [TensorType(list(x.shape[:2]) + list(output_size), x.dtype)], {})

    def upsample2d(self, x, size, mode="nearest", align_corners=False):
        """F.interpolate(x, size=size, mode=mode) on NCHW `x`: "nearest" or
        "bilinear" (static height and width)."""
        if mode not in ("nearest", "bilinear"):
            raise BuilderError(f"upsample2d: mode must be nearest or bilinear, got {mode!r}")
        props = {"mode": f"#enc<upsample {mode}>", "align_corners": bool(align_corners)}
        return self._enc("upsample2d", [x], [TensorType(list(x.shape[:2]) + list(size), x.dtype)], props)

    def window_partition(self, x, window_size, shift=0):
        """Swin's windows of x [batch, height, width, channels], rolled by
        -shift first: [batch, windows, window_size², channels]."""
        batch, height, width, channels = x.shape
        windows = (height // window_size) * (width // window_size)
        type = TensorType([batch, windows, window_size * window_size, channels], x.dtype)
        props = {"window_size": _int(window_size), "shift": _int(shift)}
        return self._enc("window_partition", [x], [type], props)

    def window_merge(self, windows, height, width, window_size, shift=0):
        """The inverse of window_partition: [batch, height, width, channels]."""
        type = TensorType([windows.shape[0], height, width, windows.shape[3]], windows.dtype)
        props = {"window_size": _int(window_size), "shift": _int(shift)}
        return self._enc("window_merge", [windows], [type], props)

    def window_bias(self, table, window_size, grid, shift=0):
        """Swin's [1, windows · heads, w², w²] attention bias from the
        [(2w - 1)², heads] table on a grid (height, width), with the shifted
        block's region mask when shift > 0."""
        windows = (grid[0] // window_size) * (grid[1] // window_size)
        tokens = window_size * window_size
        type = TensorType([1, windows * table.shape[1], tokens, tokens], table.dtype)
        props = {"window_size": _int(window_size), "shift": _int(shift), "grid": _i64_array(grid)}
        return self._enc("window_bias", [table], [type], props)

    # --- enc: embeddings, patches, audio -----------------------------------

    def embedding(self, ids, table):
        type = TensorType(ids.shape + (table.shape[1],), table.dtype)
        return self._enc("embedding", [ids, table], [type], {})

    def positional_encoding(self, kind, x, table=None, offset=0, base=10000.0):
        props = {"kind": _enum("position", kind, POSITIONS), "offset": _int(offset), "base": _float(base)}
        return self._enc("positional_encoding", [x, table], [x.type], props)

    def patch_embed(self, pixels, weight, bias, patch_size, class_token=None):
        """NCHW pixels -> [N, patches (+1), D] with a [D, C, p, p] weight."""
        n, _, h, w = pixels.shape
        ph, pw = patch_size
        patches = None if h is None or w is None else (h // ph) * (w // pw)
        if patches is not None and class_token is not None:
            patches += 1
        type = TensorType([n, patches, weight.shape[0]], pixels.dtype)
        return self._enc(
            "patch_embed", [pixels, weight, bias, class_token], [type], {"patch_size": _i64_array(patch_size)}
        )

    def patchify(self, pixels, patch_size, normalize=False):
        n, c, h, w = pixels.shape
        ph, pw = patch_size
        patches = None if h is None or w is None else (h // ph) * (w // pw)
        features = None if c is None else c * ph * pw
        type = TensorType([n, patches, features], pixels.dtype)
        props = {"patch_size": _i64_array(patch_size), "normalize": bool(normalize)}
        return self._enc("patchify", [pixels], [type], props)

    def random_mask(self, tokens, mask_ratio, seed=0, noise=None):
        """MAE's per-sample shuffle: (ids_keep, mask, ids_restore)."""
        n, patches = tokens.shape[0], tokens.shape[1]
        keep = None if patches is None else int(float(patches) * (1.0 - float(mask_ratio)))
        types = [TensorType([n, keep], "i64"), TensorType([n, patches], tokens.dtype), TensorType([n, patches], "i64")]
        props = {"mask_ratio": _float(mask_ratio), "seed": _int(seed)}
        return self._enc("random_mask", [tokens, noise], types, props)

    def gather_visible(self, tokens, indices):
        type = TensorType([tokens.shape[0], indices.shape[1], tokens.shape[2]], tokens.dtype)
        return self._enc("gather_visible", [tokens, indices], [type], {})

    def log_mel(self, audio, n_fft=400, hop_length=160, n_mels=80, sample_rate=16000):
        samples = audio.shape[1]
        frames = None if samples is None else samples // hop_length
        type = TensorType([audio.shape[0], n_mels, frames], audio.dtype)
        props = {
            "n_fft": _int(n_fft),
            "hop_length": _int(hop_length),
            "n_mels": _int(n_mels),
            "sample_rate": _int(sample_rate),
        }
        return self._enc("log_mel", [audio], [type], props)

    # --- enc: pooling and similarity ---------------------------------------

    def pool(self, kind, x, mask=None):
        type = TensorType([x.shape[0], x.shape[2]], x.dtype)
        return self._enc("pool", [x, mask], [type], {"kind": _enum("pool", kind, POOLS)})

    def l2_normalize(self, x, epsilon=1e-12):
        return self._enc("l2_normalize", [x], [x.type], {"epsilon": _float(epsilon)})

    def similarity(self, kind, lhs, rhs, scale=None, bias=None, exp_scale=False):
        type = TensorType([lhs.shape[0], rhs.shape[0]], lhs.dtype)
        props = {"kind": _enum("similarity", kind, SIMILARITIES), "exp_scale": bool(exp_scale)}
        return self._enc("similarity", [lhs, rhs, scale, bias], [type], props, segments=True)

    # --- enc: losses -------------------------------------------------------

    def _reduced(self, reduction, unreduced_shape, dtype):
        _enum("reduction", reduction, REDUCTIONS)
        return TensorType(unreduced_shape if reduction == "none" else [], dtype)

    def cross_entropy(self, logits, labels, ignore_index=-100, reduction="mean"):
        type = self._reduced(reduction, logits.shape[:-1], logits.dtype)
        props = {"ignore_index": _int(ignore_index), "reduction": _enum("reduction", reduction, REDUCTIONS)}
        return self._enc("cross_entropy", [logits, labels], [type], props)

    def contrastive(self, logits, symmetric=True):
        """InfoNCE over a square similarity matrix (CLIP's when symmetric)."""
        return self._enc("contrastive", [logits], [TensorType([], logits.dtype)], {"symmetric": bool(symmetric)})

    def sigmoid_contrastive(self, logits):
        return self._enc("sigmoid_contrastive", [logits], [TensorType([], logits.dtype)], {})

    def mse(self, prediction, target, mask=None):
        return self._enc("mse", [prediction, target, mask], [TensorType([], prediction.dtype)], {})

    def kl_divergence(self, mu, logvar, reduction="mean"):
        type = self._reduced(reduction, mu.shape[:1], mu.dtype)
        return self._enc("kl_divergence", [mu, logvar], [type], {"reduction": _enum("reduction", reduction, REDUCTIONS)})

    def reparameterize(self, mu, logvar, noise=None, seed=0):
        return self._enc("reparameterize", [mu, logvar, noise], [mu.type], {"seed": _int(seed)})

    def binary_cross_entropy(self, logits, targets, mask=None, reduction="mean"):
        type = self._reduced(reduction, logits.shape, logits.dtype)
        props = {"reduction": _enum("reduction", reduction, REDUCTIONS)}
        return self._enc("binary_cross_entropy", [logits, targets, mask], [type], props)

    def triplet(self, anchor, positive, negative, margin=1.0):
        return self._enc(
            "triplet", [anchor, positive, negative], [TensorType([], anchor.dtype)], {"margin": _float(margin)}
        )

    def nt_xent(self, embeddings, temperature=0.5):
        """SimCLR's NT-Xent of [2n, dim] embeddings, the two views of n
        samples stacked (torch.cat([z_i, z_j]))."""
        return self._enc("nt_xent", [embeddings], [TensorType([], embeddings.dtype)],
                         {"temperature": _float(temperature)})

    def queue_info_nce(self, query, key, queue, temperature=0.07):
        """MoCo's InfoNCE of query/key rows against a [dim, k] queue of
        negatives (unit vectors as given)."""
        return self._enc("queue_info_nce", [query, key, queue], [TensorType([], query.dtype)],
                         {"temperature": _float(temperature)})

    def mask_noise(self, x, rate, seed=0, noise=None):
        """Masking corruption: each element zeroed with probability `rate`
        (the uniform `noise` when given, else drawn from `seed`)."""
        operands = [x] + ([noise] if noise is not None else [])
        return self._enc("mask_noise", operands, [x.type], {"rate": _float(rate), "seed": _int(seed)})

    def gaussian_noise(self, x, std, seed=0, noise=None):
        """x + std · n, n standard normal (`noise` when given, else drawn
        from `seed`)."""
        operands = [x] + ([noise] if noise is not None else [])
        return self._enc("gaussian_noise", operands, [x.type], {"std": _float(std), "seed": _int(seed)})

    def l1_penalty(self, hidden):
        return self._enc("l1_penalty", [hidden], [TensorType([], hidden.dtype)], {})

    def kl_sparsity(self, hidden, target=0.05):
        return self._enc("kl_sparsity", [hidden], [TensorType([], hidden.dtype)], {"target": _float(target)})

    def contractive_penalty(self, hidden, weight, activation="sigmoid"):
        """The batch mean of ||dh/dx||_F² for h = activation(x Wᵀ + b)."""
        return self._enc("contractive_penalty", [hidden, weight], [TensorType([], hidden.dtype)],
                         {"activation": _enum("activation", activation, ACTIVATIONS)})

    def dino_loss(self, student, teacher, center, student_temperature=0.1, teacher_temperature=0.04, center_momentum=0.9):
        """(loss, new_center)."""
        props = {
            "student_temperature": _float(student_temperature),
            "teacher_temperature": _float(teacher_temperature),
            "center_momentum": _float(center_momentum),
        }
        return self._enc("dino_loss", [student, teacher, center], [TensorType([], student.dtype), center.type], props)


class Module:
    """A module of public functions; ``str(module)`` is its IR."""

    def __init__(self):
        self.functions = []

    def function(self, name="main"):
        if any(f.name == name for f in self.functions):
            raise BuilderError(f"the module already has a function '{name}'")
        function = Function(self, name)
        self.functions.append(function)
        return function

    def to_mlir(self):
        return "module {\n" + "\n".join(f.to_mlir() for f in self.functions) + "\n}\n"

    __str__ = to_mlir

    def pretty(self):
        """The IR parsed, verified and printed in the dialects' own syntax."""
        from .compiler import canonicalize

        return canonicalize(self.to_mlir())

    def verify(self):
        """Raises CompileError (with the location) when the IR is invalid."""
        self.pretty()
        return self
