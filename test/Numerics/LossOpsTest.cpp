//===- LossOpsTest.cpp - pooling, similarity and losses against PyTorch --===//
//
// Cases in cases/losses.py. enc.reparameterize without a noise operand has
// no PyTorch reference (its noise is its own hash); it is checked here for
// determinism and for the moments of a standard normal.
//
//===----------------------------------------------------------------------===//

#include "encoder/Runtime/Runtime.h"

#include "NumericsHarness.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

TEST_CASE("enc.l2_normalize matches F.normalize", "[numerics]") {
  checkAgainstPyTorch("loss_l2_normalize");
}
TEST_CASE("enc.similarity matches dot products and F.cosine_similarity",
          "[numerics]") {
  checkAgainstPyTorch("loss_similarity");
}
TEST_CASE("enc.contrastive matches CLIP's symmetric F.cross_entropy",
          "[numerics]") {
  checkAgainstPyTorch("loss_contrastive");
}
TEST_CASE("enc.sigmoid_contrastive matches SigLIP's F.logsigmoid loss",
          "[numerics]") {
  checkAgainstPyTorch("loss_sigmoid_contrastive");
}
TEST_CASE("enc.mse matches F.mse_loss and MAE's masked loss", "[numerics]") {
  checkAgainstPyTorch("loss_mse");
}
TEST_CASE("enc.kl_divergence matches the VAE's KL term", "[numerics]") {
  checkAgainstPyTorch("loss_kl_divergence");
}
TEST_CASE("enc.reparameterize with noise matches mu + eps * exp(logvar / 2)",
          "[numerics]") {
  checkAgainstPyTorch("loss_reparameterize");
}
TEST_CASE("enc.binary_cross_entropy matches "
          "F.binary_cross_entropy_with_logits",
          "[numerics]") {
  checkAgainstPyTorch("loss_binary_cross_entropy");
}
TEST_CASE("enc.nt_xent and enc.queue_info_nce match SimCLR's NT-Xent and "
          "MoCo's InfoNCE",
          "[numerics]") {
  checkAgainstPyTorch("loss_nt_xent");
}
TEST_CASE("enc.mask_noise, gaussian_noise, l1_penalty, kl_sparsity and "
          "contractive_penalty match the autoencoder formulas and autograd's "
          "Jacobian",
          "[numerics]") {
  checkAgainstPyTorch("loss_autoencoder");
}
TEST_CASE("enc.triplet matches F.triplet_margin_loss", "[numerics]") {
  checkAgainstPyTorch("loss_triplet");
}
TEST_CASE("enc.dino_loss matches DINO's loss and center update", "[numerics]") {
  checkAgainstPyTorch("loss_dino");
}
TEST_CASE("CLIP's objective end to end matches the paper's pseudo-code",
          "[numerics]") {
  checkAgainstPyTorch("loss_clip");
}
TEST_CASE("SigLIP's objective end to end matches the paper's loss",
          "[numerics]") {
  checkAgainstPyTorch("loss_siglip");
}

namespace {

namespace fs = std::filesystem;

void requireOk(encrt_status *status) {
  std::string message = status ? encrt_status_message(status) : "";
  encrt_status_free(status);
  REQUIRE(message == "");
}

/// models/loss_reparameterize_sampled.mlir, compiled and loaded: z with
/// seeds 7 and 8 for given mu and logvar.
class Sampler {
public:
  Sampler() {
    fs::path dir =
        fs::path(ENCODER_TEST_WORK_DIR) / "loss_reparameterize_sampled";
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::string artifact = (dir / "model.so").string();
    std::string compile = std::string(ENCODER_COMPILE) + " " +
                          ENCODER_MODELS_DIR +
                          "/loss_reparameterize_sampled.mlir -o " + artifact;
    INFO(compile);
    REQUIRE(std::system(compile.c_str()) == 0);
    requireOk(encrt_artifact_load(artifact.c_str(), &loaded));
    requireOk(encrt_artifact_find_function(loaded, "main", &function));
    requireOk(encrt_module_create(loaded, nullptr, &module));
  }
  ~Sampler() {
    encrt_module_release(module);
    encrt_artifact_release(loaded);
  }

  /// Outputs (seed 7, seed 8), flattened.
  std::vector<std::vector<float>> sample(int64_t rows, int64_t cols, float mu,
                                         float logvar) {
    std::vector<int64_t> dims = {rows, cols};
    std::vector<float> muData(rows * cols, mu), logvarData(rows * cols, logvar);
    encrt_tensor_view inputs[2] = {
        {ENCRT_F32, 2, dims.data(), muData.data()},
        {ENCRT_F32, 2, dims.data(), logvarData.data()}};
    encrt_buffer *outputs[2] = {nullptr, nullptr};
    requireOk(encrt_module_call(module, function, inputs, 2, outputs));
    std::vector<std::vector<float>> result;
    for (encrt_buffer *buffer : outputs) {
      encrt_tensor_view view = encrt_buffer_view(buffer);
      REQUIRE(view.rank == 2);
      REQUIRE(view.dims[0] == rows);
      REQUIRE(view.dims[1] == cols);
      const float *data = static_cast<const float *>(view.data);
      result.emplace_back(data, data + rows * cols);
      encrt_buffer_release(buffer);
    }
    return result;
  }

private:
  encrt_artifact *loaded = nullptr;
  const encrt_function *function = nullptr;
  encrt_module *module = nullptr;
};

} // namespace

TEST_CASE("enc.reparameterize without noise is deterministic and standard "
          "normal",
          "[numerics]") {
  Sampler sampler;
  // mu = 0, logvar = 0: z is the noise itself.
  std::vector<std::vector<float>> z = sampler.sample(100, 100, 0.0f, 0.0f);
  const std::vector<float> &eps = z[0];
  size_t n = eps.size();

  double sum = 0, squares = 0, lagged = 0;
  for (size_t i = 0; i < n; ++i) {
    REQUIRE(std::isfinite(eps[i]));
    sum += eps[i];
    if (i + 1 < n)
      lagged += static_cast<double>(eps[i]) * eps[i + 1];
  }
  double mean = sum / n;
  for (float x : eps)
    squares += (x - mean) * (x - mean);
  double stddev = std::sqrt(squares / (n - 1));
  INFO("mean " << mean << ", std " << stddev);
  CHECK(std::abs(mean) < 0.05);
  CHECK(std::abs(stddev - 1.0) < 0.05);
  // Neighbouring elements are independent draws.
  double correlation = (lagged / (n - 1) - mean * mean) / (stddev * stddev);
  INFO("lag-1 correlation " << correlation);
  CHECK(std::abs(correlation) < 0.05);

  // Deterministic: the same call, or the same elements in another shape,
  // give the same samples; another seed gives others.
  CHECK(sampler.sample(100, 100, 0.0f, 0.0f)[0] == eps);
  CHECK(sampler.sample(50, 200, 0.0f, 0.0f)[0] == eps);
  size_t same = 0;
  for (size_t i = 0; i < n; ++i)
    same += z[1][i] == eps[i];
  CHECK(same < n / 100);

  // z = mu + eps * exp(logvar / 2) with the same eps.
  std::vector<float> shifted =
      sampler.sample(100, 100, 1.0f, std::log(4.0f))[0];
  for (size_t i = 0; i < n; ++i)
    REQUIRE(shifted[i] == Approx(1.0 + 2.0 * eps[i]).margin(1e-5));
}
