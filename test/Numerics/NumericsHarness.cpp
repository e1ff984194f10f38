//===- NumericsHarness.cpp - compile, run and compare with PyTorch
//----------===//
//
// Compiles a model with encoder-compile, lets reference.py draw fresh
// weights and inputs and compute the expected outputs with PyTorch
// (float64), runs the artifact through the runtime's C API and compares:
// ||out - ref|| / ||ref|| under the tolerance for every output, and no NaN.
// The seed is new on every run and printed, so a failure can be reproduced
// with ENCODER_TEST_SEED=<seed>.
//
//===----------------------------------------------------------------------===//

#include "encoder/Runtime/Runtime.h"

#include "NumericsHarness.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::string statusMessage(encrt_status *status) {
  std::string message = status ? encrt_status_message(status) : "";
  encrt_status_free(status);
  return message;
}

#define REQUIRE_OK(expr)                                                       \
  do {                                                                         \
    encrt_status *status_ = (expr);                                            \
    INFO(#expr);                                                               \
    REQUIRE(statusMessage(status_) == "");                                     \
  } while (0)

unsigned testSeed() {
  if (const char *fixed = std::getenv("ENCODER_TEST_SEED"))
    return static_cast<unsigned>(std::stoul(fixed));
  return std::random_device{}();
}

std::vector<double> asDoubles(const encrt_tensor_view &view) {
  size_t count = 1;
  for (size_t i = 0; i < view.rank; ++i)
    count *= static_cast<size_t>(view.dims[i]);
  std::vector<double> values(count);
  for (size_t i = 0; i < count; ++i) {
    switch (view.dtype) {
    case ENCRT_F32:
      values[i] = static_cast<const float *>(view.data)[i];
      break;
    case ENCRT_F64:
      values[i] = static_cast<const double *>(view.data)[i];
      break;
    case ENCRT_I64:
      values[i] =
          static_cast<double>(static_cast<const int64_t *>(view.data)[i]);
      break;
    default:
      FAIL("unexpected dtype " << encrt_dtype_name(view.dtype));
    }
  }
  return values;
}

std::string shapeOf(const encrt_tensor_view &view) {
  std::string s;
  for (size_t i = 0; i < view.rank; ++i)
    s += (i ? "x" : "") + std::to_string(view.dims[i]);
  return s.empty() ? "scalar" : s;
}

} // namespace

void checkAgainstPyTorch(const std::string &name, std::string model,
                         double tolerance, const std::string &functionName,
                         const std::string &compileFlags) {
  if (model.empty())
    model = std::string(ENCODER_MODELS_DIR) + "/" + name + ".mlir";
  unsigned seed = testSeed();
  INFO("model " << name << ", seed " << seed
                << " (rerun with ENCODER_TEST_SEED=" << seed << ")");
  // One directory per (model, function, flags): ctest -j runs the cases of
  // one model side by side.
  std::string dirName = name;
  if (functionName != "main" || !compileFlags.empty())
    dirName += "." + std::to_string(std::hash<std::string>{}(
                                        functionName + "\n" + compileFlags) %
                                    1000000);
  fs::path dir = fs::path(ENCODER_TEST_WORK_DIR) / dirName;
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::path artifact = dir / (name + ".so");

  std::string reference = std::string(ENCODER_PYTHON) + " " +
                          ENCODER_REFERENCE_SCRIPT + " " + name + " " +
                          dir.string() + " " + std::to_string(seed);
  INFO(reference);
  REQUIRE(std::system(reference.c_str()) == 0);

  // A model config compiles as a checkpoint directory would: its
  // config.json beside the weights as model.safetensors, so the frontend
  // sees the tensor names as a user's checkpoint has them.
  std::string source = model;
  if (fs::path(model).extension() == ".json") {
    fs::path checkpoint = dir / "checkpoint";
    fs::create_directories(checkpoint);
    fs::copy_file(model, checkpoint / "config.json");
    fs::copy_file(dir / "weights.safetensors",
                  checkpoint / "model.safetensors");
    source = checkpoint.string();
  }
  std::string compile = std::string(ENCODER_COMPILE) + " " + source + " -o " +
                        artifact.string() + " " + compileFlags;
  INFO(compile);
  REQUIRE(std::system(compile.c_str()) == 0);

  encrt_artifact *loaded = nullptr;
  REQUIRE_OK(encrt_artifact_load(artifact.c_str(), &loaded));
  const encrt_function *function = nullptr;
  REQUIRE_OK(
      encrt_artifact_find_function(loaded, functionName.c_str(), &function));
  encrt_module *module = nullptr;
  REQUIRE_OK(encrt_module_create(loaded, nullptr, &module));
  encrt_weights *weights = nullptr;
  REQUIRE_OK(
      encrt_weights_open((dir / "weights.safetensors").c_str(), &weights));
  REQUIRE_OK(encrt_module_bind_weights(module, weights));

  size_t numInputs = encrt_function_input_count(function);
  std::vector<encrt_buffer *> inputBuffers(numInputs);
  std::vector<encrt_tensor_view> inputs(numInputs);
  for (size_t i = 0; i < numInputs; ++i) {
    fs::path path = dir / ("input_" + std::to_string(i) + ".npy");
    REQUIRE_OK(encrt_npy_read(path.c_str(), &inputBuffers[i]));
    inputs[i] = encrt_buffer_view(inputBuffers[i]);
  }

  size_t numOutputs = encrt_function_output_count(function);
  std::vector<encrt_buffer *> outputs(numOutputs);
  REQUIRE_OK(encrt_module_call(module, function, inputs.data(), numInputs,
                               outputs.data()));

  for (size_t i = 0; i < numOutputs; ++i) {
    const encrt_value_info *info = encrt_function_output(function, i);
    INFO("output #" << i << " '" << info->name << "'");
    encrt_buffer *expectedBuffer = nullptr;
    fs::path path = dir / ("expected_" + std::to_string(i) + ".npy");
    REQUIRE_OK(encrt_npy_read(path.c_str(), &expectedBuffer));
    encrt_tensor_view actual = encrt_buffer_view(outputs[i]);
    encrt_tensor_view expected = encrt_buffer_view(expectedBuffer);
    REQUIRE(shapeOf(actual) == shapeOf(expected));

    std::vector<double> out = asDoubles(actual);
    std::vector<double> ref = asDoubles(expected);
    double diff = 0, norm = 0;
    bool finite = true;
    for (size_t j = 0; j < out.size(); ++j) {
      finite = finite && std::isfinite(out[j]);
      diff += (out[j] - ref[j]) * (out[j] - ref[j]);
      norm += ref[j] * ref[j];
    }
    double relative = std::sqrt(diff) / std::max(std::sqrt(norm), 1e-30);
    INFO("relative error " << relative);
    CHECK(finite);
    CHECK(relative < tolerance);
    encrt_buffer_release(expectedBuffer);
    encrt_buffer_release(outputs[i]);
  }

  for (encrt_buffer *buffer : inputBuffers)
    encrt_buffer_release(buffer);
  encrt_weights_release(weights);
  encrt_module_release(module);
  encrt_artifact_release(loaded);
}
