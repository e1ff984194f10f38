//===- Fusions.cpp - LayerNorm and GELU chains on the ONNX graph ----------===//

#include "Fusions.h"

#include "ONNXModel.h"

#include "llvm/ADT/StringMap.h"

#include <cmath>
#include <cstring>
#include <optional>
#include <vector>

using namespace mlir::enc::onnx_import;

namespace {

class Graph {
public:
  Graph(const onnx::GraphProto &graph,
        const llvm::DenseMap<llvm::StringRef, const onnx::TensorProto *>
            &constants)
      : constants(constants) {
    for (const onnx::NodeProto &node : graph.node()) {
      for (const std::string &in : node.input())
        usersOf[in].push_back(&node);
      for (const std::string &result : node.output())
        producers[result] = &node;
    }
    for (const onnx::ValueInfoProto &out : graph.output())
      usersOf[out.name()].push_back(nullptr); // read outside the graph
  }

  /// The one node reading `name`, if exactly one does (and no graph output).
  const onnx::NodeProto *onlyUser(const std::string &name,
                                  const char *opType) const {
    auto it = usersOf.find(name);
    if (it == usersOf.end() || it->second.size() != 1 || !it->second[0] ||
        it->second[0]->op_type() != opType || !it->second[0]->domain().empty())
      return nullptr;
    return it->second[0];
  }

  const std::vector<const onnx::NodeProto *> &
  users(const std::string &name) const {
    static const std::vector<const onnx::NodeProto *> none;
    auto it = usersOf.find(name);
    return it == usersOf.end() ? none : it->second;
  }

  const onnx::NodeProto *producer(const std::string &name) const {
    return producers.lookup(name);
  }

  size_t userCount(const std::string &name) const {
    auto it = usersOf.find(name);
    return it == usersOf.end() ? 0 : it->second.size();
  }

  /// A scalar float constant (one element).
  std::optional<double> scalar(const std::string &name) const {
    const onnx::TensorProto *tensor = constants.lookup(name);
    if (!tensor || encoder::onnximport::elementCount(*tensor) != 1)
      return std::nullopt;
    std::vector<char> bytes;
    std::string error;
    if (!encoder::onnximport::tensorBytes(*tensor, ".", bytes, error))
      return std::nullopt;
    if (tensor->data_type() == onnx::TensorProto::FLOAT) {
      float f;
      std::memcpy(&f, bytes.data(), 4);
      return f;
    }
    if (tensor->data_type() == onnx::TensorProto::DOUBLE) {
      double d;
      std::memcpy(&d, bytes.data(), 8);
      return d;
    }
    return std::nullopt;
  }

  /// True for a 1-D float initializer or constant.
  bool isVector(const std::string &name) const {
    const onnx::TensorProto *tensor = constants.lookup(name);
    return tensor && tensor->dims_size() == 1 &&
           (tensor->data_type() == onnx::TensorProto::FLOAT ||
            tensor->data_type() == onnx::TensorProto::FLOAT16 ||
            tensor->data_type() == onnx::TensorProto::BFLOAT16 ||
            tensor->data_type() == onnx::TensorProto::DOUBLE);
  }

  /// The input of `node` that is not `known` (binary ops), or "".
  static std::string other(const onnx::NodeProto &node,
                           const std::string &known) {
    if (node.input_size() != 2)
      return "";
    if (node.input(0) == known)
      return node.input(1);
    if (node.input(1) == known)
      return node.input(0);
    return "";
  }

private:
  llvm::StringMap<std::vector<const onnx::NodeProto *>> usersOf;
  llvm::StringMap<const onnx::NodeProto *> producers;
  const llvm::DenseMap<llvm::StringRef, const onnx::TensorProto *> &constants;
};

bool near(std::optional<double> value, double expected) {
  return value && std::abs(*value - expected) <= 1e-6 * std::abs(expected);
}

/// ReduceMean over the last axis, keeping it.
bool isLastAxisMean(const onnx::NodeProto &node) {
  if (node.op_type() != "ReduceMean" || !node.domain().empty() ||
      node.input_size() != 1)
    return false;
  bool lastAxis = false, keep = true;
  for (const onnx::AttributeProto &attr : node.attribute()) {
    if (attr.name() == "axes")
      lastAxis = attr.ints_size() == 1 && attr.ints(0) == -1;
    else if (attr.name() == "keepdims")
      keep = attr.i() != 0;
  }
  return lastAxis && keep;
}

void matchLayerNorm(const Graph &g, const onnx::NodeProto &mean, Fusions &out) {
  if (!isLastAxisMean(mean))
    return;
  const std::string &x = mean.input(0);
  const onnx::NodeProto *sub = g.onlyUser(mean.output(0), "Sub");
  if (!sub || sub->input(0) != x || sub->input(1) != mean.output(0))
    return;
  const std::string &centered = sub->output(0);
  // centered feeds Pow(centered, 2) and Div(centered, std).
  const onnx::NodeProto *pow = nullptr, *div = nullptr;
  for (const onnx::NodeProto *user : g.users(centered)) {
    if (!user || !user->domain().empty())
      return;
    if (user->op_type() == "Pow" && user->input(0) == centered && !pow)
      pow = user;
    else if (user->op_type() == "Div" && user->input(0) == centered && !div)
      div = user;
    else
      return;
  }
  if (!pow || !div || !near(g.scalar(pow->input(1)), 2.0))
    return;
  const onnx::NodeProto *variance = g.onlyUser(pow->output(0), "ReduceMean");
  if (!variance || !isLastAxisMean(*variance))
    return;
  const onnx::NodeProto *addEps = g.onlyUser(variance->output(0), "Add");
  if (!addEps)
    return;
  std::optional<double> epsilon =
      g.scalar(Graph::other(*addEps, variance->output(0)));
  if (!epsilon || *epsilon < 0)
    return;
  const onnx::NodeProto *sqrt = g.onlyUser(addEps->output(0), "Sqrt");
  if (!sqrt || g.onlyUser(sqrt->output(0), "Div") != div ||
      div->input(1) != sqrt->output(0))
    return;
  Fusion fusion{Fusion::Kind::layerNorm, x, "", "", *epsilon};
  std::vector<const onnx::NodeProto *> chain = {&mean,  sub,  pow, variance,
                                                addEps, sqrt, div};
  const onnx::NodeProto *root = div;
  if (const onnx::NodeProto *mul = g.onlyUser(div->output(0), "Mul")) {
    std::string scale = Graph::other(*mul, div->output(0));
    if (g.isVector(scale)) {
      fusion.scale = scale;
      root = mul;
      if (const onnx::NodeProto *add = g.onlyUser(mul->output(0), "Add")) {
        std::string bias = Graph::other(*add, mul->output(0));
        if (g.isVector(bias)) {
          fusion.bias = bias;
          chain.push_back(mul);
          root = add;
        }
      }
    }
  }
  for (const onnx::NodeProto *node : chain)
    if (node != root)
      out.skipped.insert(node);
  out.roots[root] = fusion;
}

/// x * 0.5 * (1 + erf(x / sqrt(2))), in either association.
void matchGelu(const Graph &g, const onnx::NodeProto &erf, Fusions &out) {
  if (erf.op_type() != "Erf" || !erf.domain().empty())
    return;
  // The Erf's input: Div(x, sqrt 2) or Mul(x, 1 / sqrt 2).
  const onnx::NodeProto *scale = g.producer(erf.input(0));
  if (!scale || !scale->domain().empty() || g.userCount(scale->output(0)) != 1)
    return;
  std::string x;
  if (scale->op_type() == "Div" && near(g.scalar(scale->input(1)), M_SQRT2))
    x = scale->input(0);
  else if (scale->op_type() == "Mul") {
    for (int i = 0; i < 2; ++i)
      if (near(g.scalar(scale->input(1 - i)), M_SQRT1_2))
        x = scale->input(i);
  }
  if (x.empty())
    return;
  const onnx::NodeProto *plusOne = g.onlyUser(erf.output(0), "Add");
  if (!plusOne || !near(g.scalar(Graph::other(*plusOne, erf.output(0))), 1.0))
    return;
  const onnx::NodeProto *mul = g.onlyUser(plusOne->output(0), "Mul");
  if (!mul)
    return;
  std::string factor = Graph::other(*mul, plusOne->output(0));
  std::vector<const onnx::NodeProto *> chain = {scale, &erf, plusOne};
  const onnx::NodeProto *root = nullptr;
  if (factor == x) {
    // (x * (1 + erf)) * 0.5
    const onnx::NodeProto *half = g.onlyUser(mul->output(0), "Mul");
    if (!half || !near(g.scalar(Graph::other(*half, mul->output(0))), 0.5))
      return;
    chain.push_back(mul);
    root = half;
  } else {
    // (x * 0.5) * (1 + erf)
    const onnx::NodeProto *half = g.producer(factor);
    if (!half || half->op_type() != "Mul" || !half->domain().empty() ||
        g.userCount(factor) != 1 || Graph::other(*half, x).empty() ||
        !near(g.scalar(Graph::other(*half, x)), 0.5))
      return;
    chain.push_back(half);
    root = mul;
  }
  for (const onnx::NodeProto *node : chain)
    out.skipped.insert(node);
  out.roots[root] = Fusion{Fusion::Kind::gelu, x, "", "", 0};
}

} // namespace

Fusions mlir::enc::onnx_import::findFusions(
    const onnx::GraphProto &graph,
    const llvm::DenseMap<llvm::StringRef, const onnx::TensorProto *>
        &constants) {
  Graph g(graph, constants);
  Fusions fusions;
  for (const onnx::NodeProto &node : graph.node()) {
    if (fusions.skipped.count(&node) || fusions.roots.count(&node))
      continue;
    matchLayerNorm(g, node, fusions);
    matchGelu(g, node, fusions);
  }
  return fusions;
}
