//===- FrontEndOpsTest.cpp - front-end ops against PyTorch ----------------===//
//
// Cases in cases/front_ends.py. The seeded enc.random_mask has no reference
// to compare with; its test runs the artifact through the runtime's C API
// and checks what MAE relies on instead: a permutation per sample, the mask
// and ids_keep consistent with it, and the same result on every call.
//
//===----------------------------------------------------------------------===//

#include "encoder/Runtime/Runtime.h"

#include "NumericsHarness.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <string>
#include <tuple>
#include <vector>

TEST_CASE("enc.group_norm matches F.group_norm", "[numerics]") {
  checkAgainstPyTorch("fe_group_norm");
}
TEST_CASE("enc.conv1d matches F.conv1d", "[numerics]") {
  checkAgainstPyTorch("fe_conv");
}
TEST_CASE("enc.weight_norm matches torch.nn.utils.weight_norm", "[numerics]") {
  checkAgainstPyTorch("fe_weight_norm");
}
TEST_CASE("enc.rotary matches rotate_half RoPE", "[numerics]") {
  checkAgainstPyTorch("fe_rotary");
}
TEST_CASE("enc.relative_position_bias matches T5's buckets", "[numerics]") {
  checkAgainstPyTorch("fe_relative_position_bias");
}
TEST_CASE("enc.window_partition, window_merge and window_bias match Swin's "
          "windows, roll and attention mask",
          "[numerics]") {
  checkAgainstPyTorch("fe_windows");
}
TEST_CASE("enc.additive_attention matches a PyTorch Bahdanau attention",
          "[numerics]") {
  checkAgainstPyTorch("fe_additive_attention");
}
TEST_CASE("enc.max_pool2d, avg_pool2d and adaptive_avg_pool2d match "
          "F.max_pool2d, F.avg_pool2d and F.adaptive_avg_pool2d",
          "[numerics]") {
  checkAgainstPyTorch("fe_image_pooling");
}
TEST_CASE("enc.upsample2d matches F.interpolate (nearest, bilinear)",
          "[numerics]") {
  checkAgainstPyTorch("fe_upsample");
}
TEST_CASE("enc.positional_encoding matches learned and sinusoidal positions",
          "[numerics]") {
  checkAgainstPyTorch("fe_positional");
}
TEST_CASE("enc.patch_embed matches nn.Conv2d patches", "[numerics]") {
  checkAgainstPyTorch("fe_patch_embed");
}
TEST_CASE("enc.patchify matches MAE's patchify", "[numerics]") {
  checkAgainstPyTorch("fe_patchify");
}
TEST_CASE("enc.random_mask and enc.gather_visible match MAE's masking",
          "[numerics]") {
  checkAgainstPyTorch("fe_random_mask");
}
TEST_CASE("enc.log_mel matches Whisper's log-mel spectrogram", "[numerics]") {
  checkAgainstPyTorch("fe_log_mel");
}

namespace {

std::string statusMessage(encrt_status *status) {
  std::string message = status ? encrt_status_message(status) : "";
  encrt_status_free(status);
  return message;
}

/// The outputs of one call, as flat vectors (i64 results widened, f32 mask).
struct MaskResults {
  std::vector<std::vector<double>> values;
  std::vector<std::vector<int64_t>> shapes;
};

MaskResults callSeededMask(encrt_module *module, const encrt_function *function,
                           int64_t batch, int64_t patches) {
  std::vector<float> tokens(batch * patches * 8, 0.0f);
  int64_t dims[] = {batch, patches, 8};
  encrt_tensor_view input = {ENCRT_F32, 3, dims, tokens.data()};
  size_t count = encrt_function_output_count(function);
  std::vector<encrt_buffer *> outputs(count);
  REQUIRE(statusMessage(encrt_module_call(module, function, &input, 1,
                                          outputs.data())) == "");
  MaskResults results;
  for (encrt_buffer *buffer : outputs) {
    encrt_tensor_view view = encrt_buffer_view(buffer);
    std::vector<int64_t> shape(view.dims, view.dims + view.rank);
    size_t size = 1;
    for (int64_t d : shape)
      size *= static_cast<size_t>(d);
    std::vector<double> values(size);
    for (size_t i = 0; i < size; ++i)
      values[i] =
          view.dtype == ENCRT_I64
              ? static_cast<double>(static_cast<const int64_t *>(view.data)[i])
              : static_cast<const float *>(view.data)[i];
    results.values.push_back(std::move(values));
    results.shapes.push_back(std::move(shape));
    encrt_buffer_release(buffer);
  }
  return results;
}

/// Checks one (ids_keep, mask, ids_restore) triple against MAE's contract.
void checkMaskStructure(const MaskResults &r, size_t first, int64_t batch,
                        int64_t patches, int64_t keep) {
  const std::vector<double> &idsKeep = r.values[first];
  const std::vector<double> &mask = r.values[first + 1];
  const std::vector<double> &idsRestore = r.values[first + 2];
  REQUIRE(r.shapes[first] == std::vector<int64_t>{batch, keep});
  REQUIRE(r.shapes[first + 1] == std::vector<int64_t>{batch, patches});
  REQUIRE(r.shapes[first + 2] == std::vector<int64_t>{batch, patches});
  for (int64_t b = 0; b < batch; ++b) {
    INFO("sample " << b);
    // ids_restore is a permutation of [0, patches).
    std::vector<double> ranks(idsRestore.begin() + b * patches,
                              idsRestore.begin() + (b + 1) * patches);
    std::sort(ranks.begin(), ranks.end());
    std::vector<double> expected(patches);
    std::iota(expected.begin(), expected.end(), 0.0);
    CHECK(ranks == expected);
    // Masked iff its rank is not among the `keep` lowest.
    int64_t masked = 0;
    for (int64_t n = 0; n < patches; ++n) {
      bool kept = idsRestore[b * patches + n] < keep;
      CHECK(mask[b * patches + n] == (kept ? 0.0 : 1.0));
      masked += !kept;
    }
    CHECK(masked == patches - keep);
    // ids_keep lists the kept patches by rank: ids_restore inverts it.
    for (int64_t k = 0; k < keep; ++k) {
      double patch = idsKeep[b * keep + k];
      REQUIRE(patch >= 0);
      REQUIRE(patch < patches);
      CHECK(idsRestore[b * patches + static_cast<int64_t>(patch)] == k);
    }
  }
}

} // namespace

TEST_CASE("seeded enc.random_mask is a deterministic permutation",
          "[numerics]") {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(ENCODER_TEST_WORK_DIR) / "fe_random_mask_seeded";
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::path artifact = dir / "fe_random_mask_seeded.so";
  std::string compile = std::string(ENCODER_COMPILE) + " " +
                        ENCODER_MODELS_DIR + "/fe_random_mask_seeded.mlir -o " +
                        artifact.string();
  INFO(compile);
  REQUIRE(std::system(compile.c_str()) == 0);

  encrt_artifact *loaded = nullptr;
  REQUIRE(statusMessage(encrt_artifact_load(artifact.c_str(), &loaded)) == "");
  const encrt_function *function = nullptr;
  REQUIRE(statusMessage(
              encrt_artifact_find_function(loaded, "main", &function)) == "");
  encrt_module *module = nullptr;
  REQUIRE(statusMessage(encrt_module_create(loaded, nullptr, &module)) == "");

  // ViT-B's 196 patches (keep 49), and an odd count (keep floor(13/4) = 3).
  for (auto [batch, patches, keep] :
       {std::tuple<int64_t, int64_t, int64_t>{3, 196, 49}, {2, 13, 3}}) {
    INFO(batch << " samples of " << patches << " patches");
    MaskResults first = callSeededMask(module, function, batch, patches);
    checkMaskStructure(first, 0, batch, patches, keep);
    checkMaskStructure(first, 3, batch, patches, keep);
    // Deterministic: the same call gives the same masks.
    MaskResults again = callSeededMask(module, function, batch, patches);
    CHECK(again.values == first.values);
    if (patches < 100)
      continue;
    // Random enough: seeds and samples do not repeat a permutation.
    CHECK(first.values[2] != first.values[5]);
    std::vector<double> sample0(first.values[2].begin(),
                                first.values[2].begin() + patches);
    std::vector<double> sample1(first.values[2].begin() + patches,
                                first.values[2].begin() + 2 * patches);
    CHECK(sample0 != sample1);
  }

  encrt_module_release(module);
  encrt_artifact_release(loaded);
}
