// Input of evaluation_order.py's self-test (`--expect`): every line with an
// "unsequenced" comment must be reported, no other line. Not compiled.

Value vectorOf(GraphBuilder &g, Value param) {
  return tensor::CollapseShapeOp::create(g.builder(), g.location(), param, {});
}

Value repeat(GraphBuilder &g, Value vector, ArrayRef<OpFoldResult> leading);

struct Launches {
  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value twice(int64_t v) { return idx(2 * v); }

  void body() {
    mul(b, loc, idx(1), idx(2));                                  // unsequenced
    mul(b, loc, twice(1), arith::AddIOp::create(b, loc, x, y));   // unsequenced
    Value one = idx(1);
    Value two = idx(2);
    mul(b, loc, one, two);
    SmallVector<Value> both = {idx(1), idx(2)};
    launch(b, loc, [&](OpBuilder &nb) { idx(1); }, idx(3));
  }
};

void build(GraphBuilder &g, Value cls, Value tokens) {
  auto widen = [&](Value x) { return arith::ExtFOp::create(b, loc, t, x); };
  Value h = repeat(g, vectorOf(g, cls), {g.size(tokens, 0), one});  // unsequenced
  Value w = g.add(widen(h), widen(cls));                             // unsequenced
  Value v = g.add(widen(h), cls);
  f(g.param("a", {1}), g.param("b", {1}));                           // unsequenced
  f(g.f32({1}), g.location(), g.shape(h));
}
