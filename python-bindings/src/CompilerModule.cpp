//===- CompilerModule.cpp - encoder._compiler: the compiler for Python
//------===//
//
// The compiler driver (encoder/Driver/Compiler.h) behind encoder.compile:
// the same loading, pipeline and messages as encoder-compile, run with the
// GIL released. Diagnostics are collected as encoder-compile prints them
// (file:line:col: error: ..., with the source line) and raised as
// encoder.CompileError. Options arrive checked and complete from
// encoder/compiler.py.
//
//===----------------------------------------------------------------------===//

#include "encoder/Driver/Compiler.h"
#include "encoder/InitAll.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <mutex>

namespace py = pybind11;
using namespace mlir;
using namespace mlir::enc;

namespace {

/// A context with every dialect the compiler uses, and a diagnostic handler
/// that writes what encoder-compile would print to stderr into `messages`.
struct Session {
  Session()
      : context(registry(), MLIRContext::Threading::ENABLED),
        messageStream(messages),
        diagnostics(sourceMgr, &context, messageStream) {
    context.loadAllAvailableDialects();
  }

  static const DialectRegistry &registry() {
    static DialectRegistry *registry = [] {
      auto *r = new DialectRegistry;
      enc::registerAllDialects(*r);
      return r;
    }();
    return *registry;
  }

  /// The diagnostics so far (as encoder-compile prints them), then `error`
  /// (the line it prints after "encoder-compile: error: ").
  std::string failureMessage(const std::string &error) {
    std::string message = messages;
    while (!message.empty() && message.back() == '\n')
      message.pop_back();
    if (!error.empty())
      message += (message.empty() ? "" : "\n") + error;
    return message.empty() ? "compilation failed" : message;
  }

  MLIRContext context;
  llvm::SourceMgr sourceMgr;
  std::string messages;
  llvm::raw_string_ostream messageStream;
  SourceMgrDiagnosticHandler diagnostics;
};

PyObject *compileErrorType = nullptr;

[[noreturn]] void raiseCompileError(const std::string &message) {
  PyErr_SetString(compileErrorType, message.c_str());
  throw py::error_already_set();
}

template <typename T> T option(const py::dict &options, const char *key) {
  return options[key].cast<T>();
}

/// Reads the model: a path (config directory or file, IR file) or IR text.
OwningOpRef<ModuleOp> load(Session &session, const std::string &source,
                           bool isText, const std::string &bufferName,
                           const FrontendOptions &frontendOptions,
                           std::string &error) {
  if (isText) {
    if (failed(checkFrontendOptions(bufferName, false, frontendOptions, error)))
      return nullptr;
    return parseModel(session.context, session.sourceMgr, source, bufferName);
  }
  return loadModel(session.context, session.sourceMgr, source, frontendOptions,
                   error);
}

FrontendOptions frontendOptionsOf(const py::dict &options) {
  FrontendOptions frontend;
  std::string pool = option<std::string>(options, "pool");
  frontend.pool = pool == "mean"  ? SentencePooling::mean
                  : pool == "cls" ? SentencePooling::cls
                                  : SentencePooling::none;
  frontend.normalize = option<bool>(options, "normalize");
  frontend.audioInput = option<bool>(options, "audio_input");
  if (options.contains("weights_output"))
    frontend.weightsOutput = option<std::string>(options, "weights_output");
  return frontend;
}

/// Compiles `source` up to options["emit"]; returns the stage's text, or ""
/// after linking the artifact to `artifact_path`.
std::string compile(const std::string &source, bool isText,
                    const std::string &bufferName, const py::dict &options,
                    const std::string &artifactPath) {
  CompileOptions compileOptions;
  compileOptions.target = option<std::string>(options, "target");
  compileOptions.cpu = option<std::string>(options, "cpu");
  compileOptions.tuningRecord = option<std::string>(options, "tuning_record");
  compileOptions.gpuArch = option<std::string>(options, "gpu_arch");
  compileOptions.gpuMatmul = option<std::string>(options, "gpu_matmul");
  compileOptions.cudaPath = option<std::string>(options, "cuda_path");
  compileOptions.optLevel = option<unsigned>(options, "opt_level");
  FailureOr<EmitStage> stage =
      parseEmitStage(option<std::string>(options, "emit"));
  if (failed(stage))
    raiseCompileError("unknown stage '" + option<std::string>(options, "emit") +
                      "' (expected artifact, enc, linalg, llvm, llvm-ir, "
                      "asm or ptx)");
  compileOptions.emit = *stage;
  compileOptions.disabled =
      option<std::vector<std::string>>(options, "disable");
  compileOptions.opConfig =
      option<std::vector<std::string>>(options, "op_config");
  compileOptions.reportFile = option<std::string>(options, "report");
  compileOptions.reportDims =
      option<std::vector<std::string>>(options, "report_dims");
  compileOptions.roofline = {option<double>(options, "peak_gflops"),
                             option<double>(options, "bandwidth_gbps")};
  compileOptions.linker = option<std::string>(options, "linker");
  FrontendOptions frontend = frontendOptionsOf(options);

  std::string text, error;
  bool ok;
  Session session;
  {
    py::gil_scoped_release release;
    llvm::raw_string_ostream textStream(text);
    OwningOpRef<ModuleOp> module =
        load(session, source, isText, bufferName, frontend, error);
    ok = module && succeeded(compileModule(*module, bufferName, compileOptions,
                                           artifactPath, textStream, error));
  }
  if (!ok)
    raiseCompileError(session.failureMessage(error));
  return text;
}

/// The enc IR the frontend builds for a model config (directory or
/// config.json), as encoder-compile would start from it.
std::string importModel(const std::string &path, const py::dict &options) {
  FrontendOptions frontend = frontendOptionsOf(options);
  Session session;
  std::string error;
  OwningOpRef<ModuleOp> module =
      importModelConfig(&session.context, path, frontend, error);
  if (!module)
    raiseCompileError(session.failureMessage(error));
  if (failed(verify(*module)))
    raiseCompileError(session.failureMessage("the IR built for '" + path +
                                             "' does not verify"));
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  return text;
}

/// Parses and verifies IR text, runs `pipeline` (textual pass pipeline,
/// e.g. "builtin.module(cse)") when not empty, and prints it in the custom
/// assembly forms: the canonical text of a module, for comparisons and
/// pretty printing.
std::string canonicalText(const std::string &text,
                          const std::string &bufferName,
                          const std::string &pipeline) {
  Session session;
  OwningOpRef<ModuleOp> module =
      parseModel(session.context, session.sourceMgr, text, bufferName);
  if (!module)
    raiseCompileError(session.failureMessage(""));
  if (!pipeline.empty()) {
    PassManager pm(&session.context);
    std::string error;
    llvm::raw_string_ostream errorStream(error);
    if (failed(parsePassPipeline(pipeline, pm, errorStream)))
      raiseCompileError("cannot parse the pass pipeline '" + pipeline +
                        "': " + error);
    if (failed(pm.run(*module)))
      raiseCompileError(session.failureMessage(""));
  }
  std::string printed;
  llvm::raw_string_ostream os(printed);
  module->print(os);
  return printed;
}

} // namespace

PYBIND11_MODULE(_compiler, m) {
  m.doc() = "The encoder compiler driver for Python (encoder.compile)";
  // Pass pipelines in canonicalize() resolve through the registry.
  static std::once_flag registered;
  std::call_once(registered, [] { enc::registerAllPasses(); });

  py::object errorBase = py::module_::import("encoder._runtime").attr("Error");
  compileErrorType = PyErr_NewExceptionWithDoc(
      "encoder.CompileError",
      "Invalid IR (with its location), a bad model config or option, or a "
      "failure in the pipeline.",
      errorBase.ptr(), nullptr);
  if (!compileErrorType)
    throw py::error_already_set();
  m.attr("CompileError") = py::handle(compileErrorType);

  m.def("compile", &compile, py::arg("source"), py::arg("is_text"),
        py::arg("buffer_name"), py::arg("options"), py::arg("artifact_path"));
  m.def("import_model", &importModel, py::arg("path"), py::arg("options"));
  m.def("canonicalize", &canonicalText, py::arg("text"),
        py::arg("buffer_name") = "<string>", py::arg("pipeline") = "");
  m.def("optimization_names", [] {
    std::vector<std::string> names;
    for (StringRef name : optimizationNames())
      names.push_back(name.str());
    return names;
  });
}
