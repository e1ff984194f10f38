//===- RuntimeModule.cpp - encoder._runtime: libencrt for Python
//------------===//
//
// Binds the runtime's C API and nothing of the compiler: an artifact loaded
// as a module, parameters bound from a safetensors file or from arrays,
// calls on NumPy arrays without copies, results handed to NumPy without
// copies, the GIL released while compiled code runs. The conveniences
// (keyword arguments, other array types, signatures as objects) live in
// encoder/runtime.py; this file checks what reaches the C API.
//
//===----------------------------------------------------------------------===//

#include "encoder/Runtime/Runtime.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

namespace py = pybind11;

namespace {

//===--- Errors -----------------------------------------------------------===//

// encoder.Error and one subclass per status code, created at import.
PyObject *errorType = nullptr;
PyObject *errorTypeOfCode[ENCRT_INTERNAL + 1] = {};

[[noreturn]] void raiseError(PyObject *type, const std::string &message) {
  PyErr_SetString(type, message.c_str());
  throw py::error_already_set();
}

/// Raises the status as the exception of its code, with the runtime's
/// message (the one encoder-run prints after "error: ").
[[noreturn]] void raiseStatus(encrt_status *status) {
  std::string message = encrt_status_message(status);
  int code = encrt_status_get_code(status);
  encrt_status_free(status);
  PyObject *type = code >= ENCRT_INVALID_ARGUMENT && code <= ENCRT_INTERNAL
                       ? errorTypeOfCode[code]
                       : errorType;
  raiseError(type, message);
}

void check(encrt_status *status) {
  if (status)
    raiseStatus(status);
}

[[noreturn]] void invalidArgument(const std::string &message) {
  raiseError(errorTypeOfCode[ENCRT_INVALID_ARGUMENT], message);
}

//===--- Element types ----------------------------------------------------===//

/// NumPy has no bfloat16: bf16 tensors travel as uint16 arrays of their
/// bits, and uint16 arrays are read as bf16 (the runtime has no u16).
py::dtype numpyDtype(encrt_dtype dtype) {
  switch (dtype) {
  case ENCRT_F32:
    return py::dtype("float32");
  case ENCRT_F64:
    return py::dtype("float64");
  case ENCRT_F16:
    return py::dtype("float16");
  case ENCRT_BF16:
    return py::dtype("uint16");
  case ENCRT_I64:
    return py::dtype("int64");
  case ENCRT_I32:
    return py::dtype("int32");
  case ENCRT_I16:
    return py::dtype("int16");
  case ENCRT_I8:
    return py::dtype("int8");
  case ENCRT_U8:
    return py::dtype("uint8");
  case ENCRT_U16:
    return py::dtype("uint16");
  case ENCRT_U32:
    return py::dtype("uint32");
  case ENCRT_U64:
    return py::dtype("uint64");
  case ENCRT_BOOL:
    return py::dtype("bool");
  }
  throw std::logic_error("unknown runtime dtype");
}

/// The runtime dtype of `array`'s elements; raises for types it has none of
/// (complex, object, strings, big-endian data). NumPy has no bfloat16: a
/// uint16 array is bf16 bits unless `expected` says u16.
encrt_dtype runtimeDtype(const py::array &array, const std::string &what,
                         encrt_dtype expected = ENCRT_BF16) {
  py::dtype dtype = array.dtype();
  char kind = dtype.kind();
  ssize_t size = dtype.itemsize();
  char order = dtype.attr("byteorder").cast<std::string>()[0];
  if (order == '>')
    invalidArgument(what + " is big-endian; pass it as .astype('<" +
                    std::string(1, kind) + std::to_string(size) + "')");
  if (kind == 'f' && size == 4)
    return ENCRT_F32;
  if (kind == 'f' && size == 8)
    return ENCRT_F64;
  if (kind == 'f' && size == 2)
    return ENCRT_F16;
  if (kind == 'i' && size == 8)
    return ENCRT_I64;
  if (kind == 'i' && size == 4)
    return ENCRT_I32;
  if (kind == 'i' && size == 2)
    return ENCRT_I16;
  if (kind == 'i' && size == 1)
    return ENCRT_I8;
  if (kind == 'u' && size == 1)
    return ENCRT_U8;
  if (kind == 'u' && size == 2)
    return expected == ENCRT_U16 ? ENCRT_U16 : ENCRT_BF16;
  if (kind == 'u' && size == 4)
    return ENCRT_U32;
  if (kind == 'u' && size == 8)
    return ENCRT_U64;
  if (kind == 'b' && size == 1)
    return ENCRT_BOOL;
  invalidArgument(what + " has dtype " + py::str(dtype).cast<std::string>() +
                  ", which the runtime has no element type for");
}

/// A view of `array` for the C API; `dims` receives the shape and must
/// outlive the view.
encrt_tensor_view viewOf(const py::array &array, std::vector<int64_t> &dims,
                         const std::string &what,
                         encrt_dtype expected = ENCRT_BF16) {
  if (!(array.flags() & py::array::c_style))
    invalidArgument(what + " is not C-contiguous");
  dims.assign(array.shape(), array.shape() + array.ndim());
  encrt_tensor_view view;
  view.dtype = runtimeDtype(array, what, expected);
  view.rank = dims.size();
  view.dims = dims.data();
  view.data = array.data();
  return view;
}

//===--- Signatures -------------------------------------------------------===//

py::dict describe(const encrt_value_info *info) {
  py::dict d;
  d["name"] = info->name;
  d["dtype"] = encrt_dtype_name(info->dtype);
  py::list shape, names, maxima, minima;
  for (size_t i = 0; i < info->rank; ++i) {
    if (info->dims[i] == ENCRT_DYNAMIC_DIM)
      shape.append(py::none());
    else
      shape.append(info->dims[i]);
    names.append(info->dim_names ? py::str(info->dim_names[i]) : py::str(""));
    if (info->dim_max && info->dim_max[i] >= 0)
      maxima.append(info->dim_max[i]);
    else
      maxima.append(py::none());
    minima.append(info->dim_min ? info->dim_min[i] : 0);
  }
  d["shape"] = py::tuple(shape);
  d["dim_names"] = py::tuple(names);
  d["dim_max"] = py::tuple(maxima);
  d["dim_min"] = py::tuple(minima);
  switch (info->default_fill) {
  case ENCRT_DEFAULT_ZEROS:
    d["default"] = "zeros";
    break;
  case ENCRT_DEFAULT_ONES:
    d["default"] = "ones";
    break;
  default:
    d["default"] = py::none();
  }
  d["range"] = info->has_range
                   ? py::object(py::make_tuple(info->range_lo, info->range_hi))
                   : py::object(py::none());
  d["ignore_value"] = info->has_ignore_value
                          ? py::object(py::int_(info->ignore_value))
                          : py::object(py::none());
  return d;
}

py::dict describe(const encrt_function *function) {
  py::list inputs, outputs, params;
  for (size_t i = 0, e = encrt_function_input_count(function); i < e; ++i)
    inputs.append(describe(encrt_function_input(function, i)));
  for (size_t i = 0, e = encrt_function_output_count(function); i < e; ++i)
    outputs.append(describe(encrt_function_output(function, i)));
  for (size_t i = 0, e = encrt_function_param_count(function); i < e; ++i)
    params.append(describe(encrt_function_param(function, i)));
  py::dict d;
  d["name"] = encrt_function_name(function);
  d["inputs"] = inputs;
  d["outputs"] = outputs;
  d["params"] = params;
  return d;
}

//===--- Modules ----------------------------------------------------------===//

/// Drops the reference a binding holds on the array behind a parameter.
/// The runtime calls it when the parameter is rebound or the module is
/// released, both from Python, but take the GIL anyway: a callback must not
/// assume its caller's state. After interpreter shutdown nothing is left to
/// release.
void releasePythonObject(void *object) {
  if (!Py_IsInitialized())
    return;
  PyGILState_STATE gil = PyGILState_Ensure();
  Py_DECREF(static_cast<PyObject *>(object));
  PyGILState_Release(gil);
}

/// An artifact with its parameters bound (encrt_module), plus the artifact
/// it came from.
class Module {
public:
  Module(const std::string &path, const std::string &device, int ordinal,
         int numThreads, int64_t maxCallBytes) {
    encrt_module_options options;
    encrt_module_options_init(&options);
    if (device == "cpu")
      options.device = ENCRT_DEVICE_CPU;
    else if (device == "cuda")
      options.device = ENCRT_DEVICE_CUDA;
    else
      invalidArgument("unknown device '" + device + "' (expected cpu or cuda)");
    options.device_ordinal = ordinal;
    options.num_threads = numThreads;
    options.max_call_bytes = maxCallBytes;
    check(encrt_artifact_load(path.c_str(), &artifact));
    if (encrt_status *status =
            encrt_module_create(artifact, &options, &module)) {
      encrt_artifact_release(artifact);
      raiseStatus(status);
    }
  }
  Module(const Module &) = delete;
  Module &operator=(const Module &) = delete;
  ~Module() {
    encrt_module_release(module);
    encrt_artifact_release(artifact);
  }

  std::string target() const { return encrt_artifact_target(artifact); }
  std::string metadata() const { return encrt_artifact_metadata(artifact); }

  py::list functions() const {
    py::list list;
    for (size_t i = 0, e = encrt_artifact_function_count(artifact); i < e; ++i)
      list.append(describe(encrt_artifact_function(artifact, i)));
    return list;
  }

  void bindWeightsFile(const std::string &path) {
    encrt_weights *weights;
    check(encrt_weights_open(path.c_str(), &weights));
    encrt_status *status = encrt_module_bind_weights(module, weights);
    encrt_weights_release(weights); // the module keeps its own reference
    check(status);
  }

  /// Binds `array` without a copy; the module holds a reference to it until
  /// the parameter is rebound or the module goes.
  void bindParameter(const std::string &name, const py::array &array) {
    std::vector<int64_t> dims;
    encrt_tensor_view view = viewOf(array, dims, "parameter '" + name + "'");
    PyObject *owner = array.ptr();
    Py_INCREF(owner);
    if (encrt_status *status = encrt_module_bind_parameter(
            module, name.c_str(), &view, releasePythonObject, owner)) {
      Py_DECREF(owner);
      raiseStatus(status);
    }
  }

  /// Binds several arrays at once (encrt_module_bind_parameters): all or
  /// none, and a concurrent call sees all old or all new parameters.
  void bindParameters(const std::vector<std::string> &names,
                      const std::vector<py::array> &arrays) {
    if (names.size() != arrays.size())
      invalidArgument("bind_parameters: " + std::to_string(names.size()) +
                      " names for " + std::to_string(arrays.size()) +
                      " arrays");
    std::vector<std::vector<int64_t>> dims(names.size());
    std::vector<encrt_tensor_view> views;
    std::vector<const char *> cNames;
    std::vector<void *> owners;
    for (size_t i = 0; i < names.size(); ++i) {
      views.push_back(
          viewOf(arrays[i], dims[i], "parameter '" + names[i] + "'"));
      cNames.push_back(names[i].c_str());
      owners.push_back(arrays[i].ptr());
    }
    for (void *owner : owners)
      Py_INCREF(static_cast<PyObject *>(owner));
    if (encrt_status *status = encrt_module_bind_parameters(
            module, names.size(), cNames.data(), views.data(),
            releasePythonObject, owners.data())) {
      for (void *owner : owners)
        Py_DECREF(static_cast<PyObject *>(owner));
      raiseStatus(status);
    }
  }

  /// The signature of `functionName`; NotFoundError (naming the functions
  /// the artifact has) when there is none.
  py::dict function(const std::string &functionName) const {
    return describe(find(functionName));
  }

  void checkParameters(const std::string &functionName) const {
    check(encrt_module_check_parameters(module, find(functionName)));
  }

  /// Runs a function on C-contiguous arrays (encoder/runtime.py converts
  /// anything else first; None omits an input that has a default) and
  /// returns its results as NumPy arrays over the runtime's buffers.
  py::tuple call(const std::string &functionName, const py::sequence &args) {
    const encrt_function *function = find(functionName);
    size_t count = encrt_function_input_count(function);
    if (args.size() != count)
      invalidArgument("function '" + functionName + "' takes " +
                      std::to_string(count) + " inputs, got " +
                      std::to_string(args.size()));
    std::vector<py::array> arrays;
    std::vector<std::vector<int64_t>> dims(count);
    std::vector<encrt_tensor_view> views;
    for (size_t i = 0; i < count; ++i) {
      std::string what = "input '" +
                         std::string(encrt_function_input(function, i)->name) +
                         "' of function '" + functionName + "'";
      py::object arg = args[i];
      if (arg.is_none()) {
        views.push_back(encrt_tensor_view{}); // omitted: its default
        continue;
      }
      if (!py::isinstance<py::array>(arg))
        invalidArgument(what + " is not a NumPy array");
      arrays.push_back(py::reinterpret_borrow<py::array>(arg));
      views.push_back(viewOf(arrays.back(), dims[i], what,
                             encrt_function_input(function, i)->dtype));
    }
    size_t resultCount = encrt_function_output_count(function);
    std::vector<encrt_buffer *> results(resultCount, nullptr);
    encrt_status *status;
    {
      // The arrays stay referenced by `arrays`; no Python object is
      // touched until the GIL is back.
      py::gil_scoped_release release;
      status = encrt_module_call(module, function, views.data(), count,
                                 results.data());
    }
    check(status);
    lastInputs.clear();
    for (const encrt_tensor_view &view : views)
      lastInputs.push_back(reinterpret_cast<uintptr_t>(view.data));
    lastOutputs.clear();
    py::list outputs;
    for (size_t i = 0; i < resultCount; ++i) {
      encrt_buffer *buffer = results[i];
      results[i] = nullptr;
      // From here the capsule owns the buffer, whatever happens next.
      py::capsule owner(buffer, [](void *p) {
        encrt_buffer_release(static_cast<encrt_buffer *>(p));
      });
      encrt_tensor_view view = encrt_buffer_view(buffer);
      void *data = encrt_buffer_data(buffer);
      std::vector<ssize_t> shape(view.dims, view.dims + view.rank);
      outputs.append(py::array(numpyDtype(view.dtype), shape, data, owner));
      lastOutputs.push_back(reinterpret_cast<uintptr_t>(data));
    }
    return py::tuple(outputs);
  }

  void setProfiling(bool enabled) {
    encrt_module_set_profiling(module, enabled ? 1 : 0);
  }
  void resetProfile() { encrt_module_reset_profile(module); }

  /// CUDA modules: (calls, total milliseconds) of device time, profiled.
  py::tuple deviceStats() const {
    int64_t calls = 0;
    double totalMs = 0;
    check(encrt_module_device_stats(module, &calls, &totalMs));
    return py::make_tuple(calls, totalMs);
  }

  /// One entry per kernel of the metadata, then the launches of no listed
  /// kernel ("(other)") when there were any.
  py::list kernelStats() const {
    py::list list;
    size_t count = encrt_artifact_kernel_count(artifact);
    for (int64_t k = 0; k <= static_cast<int64_t>(count); ++k) {
      int64_t index = k < static_cast<int64_t>(count) ? k : -1;
      int64_t calls = 0, flops = 0;
      double totalMs = 0;
      check(encrt_module_kernel_stats(module, index, &calls, &totalMs, &flops));
      py::dict d;
      if (index >= 0) {
        const encrt_kernel_info *info = encrt_artifact_kernel(artifact, index);
        d["name"] = info->name;
        d["function"] = info->function;
        d["ops"] = info->ops;
        d["report_flops"] = info->flops;
        d["report_bytes"] = info->bytes;
      } else {
        if (calls == 0)
          break;
        d["name"] = "(other)";
        d["function"] = "";
        d["ops"] = "";
        d["report_flops"] = -1;
        d["report_bytes"] = -1;
      }
      d["calls"] = calls;
      d["total_ms"] = totalMs;
      d["flops"] = flops;
      list.append(d);
    }
    return list;
  }

  /// Where the last call's inputs and results lived, to show that nothing
  /// was copied on the way in or out.
  std::vector<uintptr_t> lastInputs, lastOutputs;

private:
  const encrt_function *find(const std::string &name) const {
    const encrt_function *function;
    check(encrt_artifact_find_function(artifact, name.c_str(), &function));
    return function;
  }

  encrt_artifact *artifact = nullptr;
  encrt_module *module = nullptr;
};

PyObject *newErrorType(const char *name, PyObject *bases, const char *doc) {
  PyObject *type = PyErr_NewExceptionWithDoc(name, doc, bases, nullptr);
  if (!type)
    throw py::error_already_set();
  return type;
}

} // namespace

PYBIND11_MODULE(_runtime, m) {
  m.doc() = "libencrt for Python: load artifacts, bind weights, run functions";

  errorType = newErrorType("encoder.Error", PyExc_RuntimeError,
                           "Anything the encoder compiler or runtime reports.");
  auto derived = [](const char *name, PyObject *builtin, const char *doc) {
    py::tuple bases =
        builtin ? py::make_tuple(py::handle(errorType), py::handle(builtin))
                : py::make_tuple(py::handle(errorType));
    return newErrorType(name, bases.ptr(), doc);
  };
  errorTypeOfCode[ENCRT_INVALID_ARGUMENT] =
      derived("encoder.InvalidArgumentError", PyExc_ValueError,
              "A wrong shape, dtype, name or option.");
  errorTypeOfCode[ENCRT_NOT_FOUND] =
      derived("encoder.NotFoundError", PyExc_LookupError,
              "A missing file, function or parameter.");
  errorTypeOfCode[ENCRT_DATA_ERROR] =
      derived("encoder.DataError", nullptr, "A truncated or malformed file.");
  errorTypeOfCode[ENCRT_UNAVAILABLE] =
      derived("encoder.UnavailableError", nullptr,
              "A device that cannot be used here (no CUDA driver).");
  errorTypeOfCode[ENCRT_INTERNAL] =
      derived("encoder.InternalError", nullptr,
              "Out of memory, or a broken invariant.");
  m.attr("Error") = py::handle(errorType);
  m.attr("InvalidArgumentError") =
      py::handle(errorTypeOfCode[ENCRT_INVALID_ARGUMENT]);
  m.attr("NotFoundError") = py::handle(errorTypeOfCode[ENCRT_NOT_FOUND]);
  m.attr("DataError") = py::handle(errorTypeOfCode[ENCRT_DATA_ERROR]);
  m.attr("UnavailableError") = py::handle(errorTypeOfCode[ENCRT_UNAVAILABLE]);
  m.attr("InternalError") = py::handle(errorTypeOfCode[ENCRT_INTERNAL]);

  py::class_<Module>(m, "Module")
      .def(py::init<const std::string &, const std::string &, int, int,
                    int64_t>(),
           py::arg("path"), py::arg("device") = "cpu",
           py::arg("device_ordinal") = 0, py::arg("num_threads") = 0,
           py::arg("max_call_bytes") = 0)
      .def_property_readonly("target", &Module::target)
      .def_property_readonly("metadata", &Module::metadata)
      .def("functions", &Module::functions)
      .def("function", &Module::function, py::arg("name"))
      .def("bind_weights_file", &Module::bindWeightsFile, py::arg("path"))
      .def("bind_parameter", &Module::bindParameter, py::arg("name"),
           py::arg("array"))
      .def("bind_parameters", &Module::bindParameters, py::arg("names"),
           py::arg("arrays"))
      .def("check_parameters", &Module::checkParameters, py::arg("function"))
      .def("call", &Module::call, py::arg("function"), py::arg("args"))
      .def("set_profiling", &Module::setProfiling, py::arg("enabled"))
      .def("reset_profile", &Module::resetProfile)
      .def("kernel_stats", &Module::kernelStats)
      .def("device_stats", &Module::deviceStats)
      .def_readonly("last_input_addresses", &Module::lastInputs)
      .def_readonly("last_output_addresses", &Module::lastOutputs);
}
