/*===- Runtime.h - C API of the encoder runtime (libencrt) -------*- C -*-===*
 *
 * Loads an artifact written by encoder-compile (docs/artifact-abi.md), binds
 * its named parameters (weights) and runs its functions on host buffers.
 * Links neither MLIR nor LLVM. Every fallible call returns an encrt_status*:
 * NULL on success, else an error the caller frees with encrt_status_free().
 * Shared objects (artifacts, weights) are reference counted; a module keeps
 * alive what it was built from. Tensors are row-major and contiguous;
 * ENCRT_DYNAMIC_DIM marks a dimension an artifact fixes only at call time.
 *
 * Threads: calls are thread-safe, any number at once. Binding is safe while
 * calls run: a call takes its bindings when it starts, and each binding step
 * is atomic. Releasing an object another thread still uses is the caller's
 * error. In full: docs/rationale/runtime.md, 'Threads'.
 *===----------------------------------------------------------------------===*/

#ifndef ENCODER_RUNTIME_RUNTIME_H
#define ENCODER_RUNTIME_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define ENCRT_API __attribute__((visibility("default")))
#else
#define ENCRT_API
#endif

#define ENCRT_DYNAMIC_DIM (-1)

/* The enums below are int-sized in C. In C++ they get `int` as their fixed
 * underlying type, so that any value a C caller stores in one is a valid
 * value of the type and the runtime can reject it by value (without a fixed
 * type, loading an out-of-range enumerator is undefined behaviour). */
#ifdef __cplusplus
#define ENCRT_ENUM_BASE : int
#else
#define ENCRT_ENUM_BASE
#endif

/*===--- Status -----------------------------------------------------------===*/

typedef enum encrt_status_code ENCRT_ENUM_BASE {
  ENCRT_INVALID_ARGUMENT = 1, /* wrong shape, dtype, name, option */
  ENCRT_NOT_FOUND = 2,        /* missing file, function or parameter */
  ENCRT_DATA_ERROR = 3,       /* truncated or malformed file */
  ENCRT_UNAVAILABLE = 4,      /* e.g. no CUDA driver on this machine */
  ENCRT_INTERNAL = 5,         /* out of memory, or an invariant broken */
} encrt_status_code;

typedef struct encrt_status encrt_status;

ENCRT_API encrt_status_code encrt_status_get_code(const encrt_status *status);
/* One line, naming the object at fault (file, function, argument). */
ENCRT_API const char *encrt_status_message(const encrt_status *status);
ENCRT_API void encrt_status_free(encrt_status *status);

/*===--- Element types ----------------------------------------------------===*/

typedef enum encrt_dtype ENCRT_ENUM_BASE {
  ENCRT_F32 = 0,
  ENCRT_F64 = 1,
  ENCRT_F16 = 2,
  ENCRT_BF16 = 3,
  ENCRT_I64 = 4,
  ENCRT_I32 = 5,
  ENCRT_I16 = 6,
  ENCRT_I8 = 7,
  ENCRT_U8 = 8,
  ENCRT_BOOL = 9, /* one byte per element, 0 or 1; "i1" in metadata */
  ENCRT_U16 = 10,
  ENCRT_U32 = 11,
  ENCRT_U64 = 12,
} encrt_dtype;

/* "f32", "i64", ... as in artifact metadata. */
ENCRT_API const char *encrt_dtype_name(encrt_dtype dtype);
ENCRT_API size_t encrt_dtype_size(encrt_dtype dtype);

/* A tensor over memory the caller owns (row-major, contiguous). A view with
 * `data` and `dims` both NULL stands for an omitted input (see
 * encrt_value_info.default_fill). */
typedef struct encrt_tensor_view {
  encrt_dtype dtype;
  size_t rank;
  const int64_t *dims;
  const void *data;
} encrt_tensor_view;

/*===--- Artifacts and their functions ------------------------------------===*/

typedef struct encrt_artifact encrt_artifact;
typedef struct encrt_function encrt_function;

/* What an input the caller omits holds; its shape comes from the inputs
 * given, through dimension names ("batch", "sequence"). */
typedef enum encrt_input_default ENCRT_ENUM_BASE {
  ENCRT_DEFAULT_NONE = 0,  /* the input is required */
  ENCRT_DEFAULT_ZEROS = 1, /* zeros, e.g. token_type_ids */
  ENCRT_DEFAULT_ONES = 2,  /* ones, e.g. attention_mask */
} encrt_input_default;

/* Describes one input, output or parameter of a function. Strings and arrays
 * belong to the artifact and live as long as it does. */
typedef struct encrt_value_info {
  const char *name;
  encrt_dtype dtype;
  size_t rank;
  const int64_t *dims; /* ENCRT_DYNAMIC_DIM where fixed at call time */
  int has_range;       /* integer inputs that index something: */
  int64_t range_lo;    /*   valid values are [range_lo, range_hi) */
  int64_t range_hi;
  int has_ignore_value; /*   plus ignore_value, when has_ignore_value */
  int64_t ignore_value;
  /* Inputs only, each NULL or `rank` entries: a name per dimension ("" for
   * none; dimensions of one name must agree across a call's inputs, e.g.
   * "batch") and an upper bound (-1: none; e.g. the maximum sequence
   * length). */
  const char *const *dim_names;
  const int64_t *dim_max;
  /* Inputs only, NULL or `rank` entries: the least size of each dimension
   * the compiled code can compute with (0: none), e.g. 1 for a sequence
   * whose first token is pooled, or a convolution stack's receptive field
   * in samples. Smaller inputs are refused, never run. */
  const int64_t *dim_min;
  /* Inputs only: what an omitted input holds (Hugging Face's defaults). */
  encrt_input_default default_fill;
} encrt_value_info;

/* dlopens `path` and reads its metadata; fails on anything that is not an
 * artifact of a supported ABI version. */
ENCRT_API encrt_status *encrt_artifact_load(const char *path,
                                            encrt_artifact **out);
ENCRT_API void encrt_artifact_retain(encrt_artifact *artifact);
ENCRT_API void encrt_artifact_release(encrt_artifact *artifact);

/* "cpu" or "cuda". */
ENCRT_API const char *encrt_artifact_target(const encrt_artifact *artifact);
/* The raw metadata JSON, for tools that want to show it. */
ENCRT_API const char *encrt_artifact_metadata(const encrt_artifact *artifact);
ENCRT_API size_t encrt_artifact_function_count(const encrt_artifact *artifact);
ENCRT_API const encrt_function *
encrt_artifact_function(const encrt_artifact *artifact, size_t index);
/* NOT_FOUND names the functions the artifact does have. */
ENCRT_API encrt_status *
encrt_artifact_find_function(const encrt_artifact *artifact, const char *name,
                             const encrt_function **out);

ENCRT_API const char *encrt_function_name(const encrt_function *function);
ENCRT_API size_t encrt_function_input_count(const encrt_function *function);
ENCRT_API const encrt_value_info *
encrt_function_input(const encrt_function *function, size_t index);
ENCRT_API size_t encrt_function_output_count(const encrt_function *function);
ENCRT_API const encrt_value_info *
encrt_function_output(const encrt_function *function, size_t index);
/* The parameters a user binds (by name, with encrt_module_bind_weights or
 * encrt_module_bind_parameter): the function's checkpoint tensors, each name
 * once, in order of first appearance. A parameter that the artifact wants
 * packed (concatenated, laid out in panels; "pack" in docs/artifact-abi.md)
 * is listed as its sources, with their checkpoint names and shapes: the
 * packed tensor is built by the runtime and its internal name is never
 * listed nor bindable. The entry point's own argument list is the ABI's and
 * is not exposed here. */
ENCRT_API size_t encrt_function_param_count(const encrt_function *function);
ENCRT_API const encrt_value_info *
encrt_function_param(const encrt_function *function, size_t index);

/* One kernel launch site of the compiled code (the metadata's "kernels"),
 * for profiles. Strings live as long as the artifact. */
typedef struct encrt_kernel_info {
  const char *name;
  const char *function; /* the function it belongs to; "" when not given */
  const char *ops;      /* the ops it implements, comma-separated, e.g.
                           "enc.linear,enc.activation"; "" when not given */
  int64_t flops;        /* of one launch at the shapes of the compiler's */
  int64_t bytes;        /*   report; -1 when unknown */
} encrt_kernel_info;

/* 0 when the metadata has no "kernels". */
ENCRT_API size_t encrt_artifact_kernel_count(const encrt_artifact *artifact);
/* NULL when `index` is out of range. */
ENCRT_API const encrt_kernel_info *
encrt_artifact_kernel(const encrt_artifact *artifact, size_t index);

/*===--- Weights (safetensors) --------------------------------------------===*/

typedef struct encrt_weights encrt_weights;

/* Memory-maps a .safetensors file read-only and validates its header (every
 * tensor's dtype, shape and byte range). Nothing is copied. `path` may also
 * be a sharded checkpoint's index (model.safetensors.index.json: every
 * shard it names is mapped, as one set of tensors) or a checkpoint
 * directory (its model.safetensors, else its index). A file that is not
 * safetensors is named as what it is; pickled checkpoints
 * (pytorch_model.bin) are refused with a hint to convert them: loading a
 * pickle can run code. */
ENCRT_API encrt_status *encrt_weights_open(const char *path,
                                           encrt_weights **out);
ENCRT_API void encrt_weights_retain(encrt_weights *weights);
ENCRT_API void encrt_weights_release(encrt_weights *weights);
ENCRT_API size_t encrt_weights_count(const encrt_weights *weights);
/* Name and view of tensor `index` (in file order); the view points into the
 * mapping and lives as long as `weights`. */
ENCRT_API const char *encrt_weights_name(const encrt_weights *weights,
                                         size_t index);
ENCRT_API encrt_tensor_view encrt_weights_view(const encrt_weights *weights,
                                               size_t index);
ENCRT_API encrt_status *encrt_weights_find(const encrt_weights *weights,
                                           const char *name,
                                           encrt_tensor_view *out);

/*===--- Modules: an artifact with its parameters bound -------------------===*/

typedef enum encrt_device_kind ENCRT_ENUM_BASE {
  ENCRT_DEVICE_CPU = 0,
  ENCRT_DEVICE_CUDA = 1,
} encrt_device_kind;

typedef struct encrt_module_options {
  encrt_device_kind device;
  int device_ordinal; /* which GPU, for ENCRT_DEVICE_CUDA */
  /* Threads one call's kernels may use, the calling thread included: 0 for
   * one per core (the CPUs the process may run on), 1 for none but the
   * caller. Larger values are capped at the number of cores. The worker
   * threads belong to one pool per process, shared by all modules; while a
   * kernel of one call uses it, kernels of concurrent calls run on their
   * calling threads alone. */
  int num_threads;
  /* The most memory one call's intermediate buffers may need, in bytes, as
   * the artifact's metadata estimates it at the call's input sizes ("memory"
   * in docs/artifact-abi.md): a call above it is refused before it runs,
   * where compiled code would otherwise fail an allocation. 0 (the
   * default): the machine's physical memory; negative: no limit. */
  int64_t max_call_bytes;
} encrt_module_options;

ENCRT_API void encrt_module_options_init(encrt_module_options *options);

typedef struct encrt_module encrt_module;

/* INVALID_ARGUMENT when the artifact was compiled for another target than
 * the requested device; UNAVAILABLE when the device cannot be used (no CUDA
 * driver). `options` may be NULL. */
ENCRT_API encrt_status *encrt_module_create(encrt_artifact *artifact,
                                            const encrt_module_options *options,
                                            encrt_module **out);
ENCRT_API void encrt_module_release(encrt_module *module);

/* Binds, from `weights`, every parameter (as encrt_function_param lists
 * them) of every function in the artifact, checking dtype and shape.
 * Parameters the file lacks stay unbound (a call that needs one fails and
 * names it); tensors the artifact does not use are ignored. A tensor of the
 * wrong dtype or shape fails the call and nothing from the file is bound. The
 * module keeps `weights` alive; tensors not aligned to their element size in
 * the file are copied. */
ENCRT_API encrt_status *encrt_module_bind_weights(encrt_module *module,
                                                  encrt_weights *weights);

/* Packed parameters: a parameter built from several checkpoint tensors (see
 * encrt_function_param) is built once all its sources are bound, into memory
 * the module owns (aligned to 64 bytes, zero-padded to a multiple of 64
 * bytes), at the first call that needs it, and built again at the next call
 * after one of its sources is rebound. Building copies the sources; the
 * module still keeps them alive while bound. */

/* Binds one parameter to caller memory without copying; the data must be
 * aligned to its element size. `release`, when not NULL, is called with
 * `user_data` once the module no longer needs the memory (rebinding or module
 * release); when binding fails it is not called. */
ENCRT_API encrt_status *
encrt_module_bind_parameter(encrt_module *module, const char *name,
                            const encrt_tensor_view *view,
                            void (*release)(void *user_data), void *user_data);

/* Parameters bound through a conversion: a checkpoint tensor in f16, bf16
 * or f64 bound to an f32 parameter (most published checkpoints are f16 or
 * bf16) is converted once, when bound, into a copy the module owns; f32
 * tensors stay memory-mapped, never copied. Counts the current bindings
 * that are such copies and their bytes, and sets bit (1u << dtype) of
 * `from_dtypes` for each dtype converted from. Output pointers may be NULL. */
ENCRT_API void encrt_module_converted_params(const encrt_module *module,
                                             size_t *count, size_t *bytes,
                                             unsigned *from_dtypes);

/* Binds `count` parameters at once, as encrt_module_bind_parameter binds
 * one: all or none, and a call running concurrently sees either every old
 * binding or every new one, never a mix (one checkpoint's tensors with
 * another's). `release` is called with user_data[i] (NULL user_data: NULL)
 * once the module no longer needs views[i]; not at all when binding fails. */
ENCRT_API encrt_status *encrt_module_bind_parameters(
    encrt_module *module, size_t count, const char *const *names,
    const encrt_tensor_view *views, void (*release)(void *user_data),
    void *const *user_data);

/* NOT_FOUND naming the first parameter of `function` that is still unbound,
 * or NULL when all are bound. */
ENCRT_API encrt_status *
encrt_module_check_parameters(const encrt_module *module,
                              const encrt_function *function);

/*===--- Results and calls ------------------------------------------------===*/

/* A result tensor owned by the runtime. */
typedef struct encrt_buffer encrt_buffer;

ENCRT_API encrt_tensor_view encrt_buffer_view(const encrt_buffer *buffer);
/* Writable access to the data (for callers that take ownership of it). */
ENCRT_API void *encrt_buffer_data(encrt_buffer *buffer);
ENCRT_API void encrt_buffer_release(encrt_buffer *buffer);
/* A buffer holding a copy of `view` (inputs read from files, tests). */
ENCRT_API encrt_status *encrt_buffer_create(const encrt_tensor_view *view,
                                            encrt_buffer **out);

/* Runs `function` on `inputs` (exactly encrt_function_input_count of them, in
 * order). An input with a default may be omitted (a view with NULL data and
 * dims); an integer input may come in any integer dtype or bool, and is
 * converted (values that do not fit are refused). Checks each input's
 * dtype, rank, static dims, dimension bounds (maximum and minimum), that
 * dimensions of one name agree across inputs, index ranges, and that every
 * parameter is bound, before running anything; builds the packed
 * parameters that need it. On success `outputs` (an array of
 * encrt_function_output_count slots) receives one new buffer per result,
 * which the caller releases. Kernels run on up to the module's num_threads
 * threads. Thread-safe. */
ENCRT_API encrt_status *encrt_module_call(encrt_module *module,
                                          const encrt_function *function,
                                          const encrt_tensor_view *inputs,
                                          size_t num_inputs,
                                          encrt_buffer **outputs);

/*===--- Profiling --------------------------------------------------------===*/

/* While profiling is on (it is off when a module is created), the module's
 * calls time each kernel launch and count it against its kernel (the
 * encrt_artifact_kernel index); turning it on or off applies to calls that
 * start afterwards. A launch costs two clock reads more when profiled. */
ENCRT_API void encrt_module_set_profiling(encrt_module *module, int enabled);

/* Totals since the module was created or its profile reset: launches, their
 * wall time in milliseconds (from the launching thread's view, so a kernel
 * using N threads for 1 ms counts 1 ms) and the sum of the FLOPs the launches
 * reported (0 when they report none). `kernel` is an index below
 * encrt_artifact_kernel_count, or -1 for launches whose index is not in the
 * metadata's list. Output pointers may be NULL. INVALID_ARGUMENT for any
 * other index. Kernels launched from inside another kernel run serially and
 * their time is also part of the enclosing kernel's. */
ENCRT_API encrt_status *
encrt_module_kernel_stats(const encrt_module *module, int64_t kernel,
                          int64_t *calls, double *total_ms, int64_t *flops);

/* Zeroes every kernel's totals, and the device totals. */
ENCRT_API void encrt_module_reset_profile(encrt_module *module);

/* CUDA modules: totals, while profiling is on, of the calls' device time,
 * measured with CUDA events on each call's stream from after its inputs are
 * uploaded to after its last kernel (kernels, allocations and constant
 * uploads; not the input uploads and result downloads). CPU modules report
 * 0 calls. Output pointers may be NULL. */
ENCRT_API encrt_status *encrt_module_device_stats(const encrt_module *module,
                                                  int64_t *calls,
                                                  double *total_ms);

/*===--- NumPy files ------------------------------------------------------===*/

/* Reads a .npy file (format 1.0 to 3.0, little-endian, C order). */
ENCRT_API encrt_status *encrt_npy_read(const char *path, encrt_buffer **out);
/* Writes a .npy file (format 1.0). bf16 has no NumPy dtype: INVALID_ARGUMENT.
 */
ENCRT_API encrt_status *encrt_npy_write(const char *path,
                                        const encrt_tensor_view *view);

#ifdef __cplusplus
}
#endif

#endif /* ENCODER_RUNTIME_RUNTIME_H */
