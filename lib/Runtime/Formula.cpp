//===- Formula.cpp - Sizes as formulas in the inputs' dimensions ----------===//
//
// expr   := term (('+' | '-') term)*
// term   := factor (('*' | 'floordiv' | 'ceildiv' | 'mod') factor)*
// factor := integer | 's' integer | '(' expr ')' | '-' factor
//
//===----------------------------------------------------------------------===//

#include "Formula.h"

#include <cctype>

using namespace encrt;

struct Formula::Node {
  enum Kind { Constant, Symbol, Add, Sub, Mul, FloorDiv, CeilDiv, Mod, Neg };
  Kind K;
  int64_t Value = 0; // Constant: the value; Symbol: its index
  std::shared_ptr<const Node> L, R;
};

namespace {

using Node = Formula::Node;
using NodePtr = std::shared_ptr<const Node>;

class Parser {
public:
  Parser(std::string_view Text, size_t NumSymbols)
      : Text(Text), NumSymbols(NumSymbols) {}

  NodePtr parse(std::string &Error) {
    NodePtr Root = expr();
    skipSpace();
    if (Root && Pos != Text.size())
      fail("unexpected '" + std::string(1, Text[Pos]) + "'");
    Error = this->Error;
    return this->Error.empty() ? Root : nullptr;
  }

private:
  void skipSpace() {
    while (Pos < Text.size() && Text[Pos] == ' ')
      ++Pos;
  }
  bool take(std::string_view Token) {
    skipSpace();
    if (Text.substr(Pos, Token.size()) != Token)
      return false;
    Pos += Token.size();
    return true;
  }
  NodePtr fail(const std::string &Why) {
    if (Error.empty())
      Error = Why + " at offset " + std::to_string(Pos);
    return nullptr;
  }
  static NodePtr make(Node::Kind K, NodePtr L, NodePtr R) {
    auto N = std::make_shared<Node>();
    N->K = K;
    N->L = std::move(L);
    N->R = std::move(R);
    return N;
  }
  bool number(int64_t &Out) {
    skipSpace();
    size_t Begin = Pos;
    Out = 0;
    while (Pos < Text.size() &&
           std::isdigit(static_cast<unsigned char>(Text[Pos]))) {
      if (__builtin_mul_overflow(Out, 10, &Out) ||
          __builtin_add_overflow(Out, Text[Pos] - '0', &Out))
        return false;
      ++Pos;
    }
    return Pos > Begin;
  }
  NodePtr factor() {
    if (++Depth > 256)
      return fail("nested too deeply");
    NodePtr Result;
    int64_t N;
    if (take("(")) {
      Result = expr();
      if (Result && !take(")"))
        Result = fail("expected ')'");
    } else if (take("-")) {
      NodePtr Inner = factor();
      Result = Inner ? make(Node::Neg, Inner, nullptr) : nullptr;
    } else if (take("s")) {
      if (!number(N) || N < 0 || static_cast<size_t>(N) >= NumSymbols)
        Result = fail("a symbol beyond the formula's symbols");
      else {
        auto S = std::make_shared<Node>();
        S->K = Node::Symbol;
        S->Value = N;
        Result = S;
      }
    } else if (number(N)) {
      auto C = std::make_shared<Node>();
      C->K = Node::Constant;
      C->Value = N;
      Result = C;
    } else {
      Result = fail("expected a number, a symbol or '('");
    }
    --Depth;
    return Result;
  }
  NodePtr term() {
    NodePtr L = factor();
    while (L) {
      Node::Kind K;
      if (take("*"))
        K = Node::Mul;
      else if (take("floordiv"))
        K = Node::FloorDiv;
      else if (take("ceildiv"))
        K = Node::CeilDiv;
      else if (take("mod"))
        K = Node::Mod;
      else
        break;
      NodePtr R = factor();
      L = R ? make(K, L, R) : nullptr;
    }
    return L;
  }
  NodePtr expr() {
    NodePtr L = term();
    while (L) {
      Node::Kind K;
      if (take("+"))
        K = Node::Add;
      else if (take("-"))
        K = Node::Sub;
      else
        break;
      NodePtr R = term();
      L = R ? make(K, L, R) : nullptr;
    }
    return L;
  }

  std::string_view Text;
  size_t NumSymbols;
  size_t Pos = 0;
  unsigned Depth = 0;
  std::string Error;
};

std::optional<int64_t> eval(const Node &N, const std::vector<int64_t> &S) {
  if (N.K == Node::Constant)
    return N.Value;
  if (N.K == Node::Symbol)
    return static_cast<size_t>(N.Value) < S.size()
               ? std::optional<int64_t>(S[N.Value])
               : std::nullopt;
  std::optional<int64_t> L = eval(*N.L, S);
  if (!L)
    return std::nullopt;
  if (N.K == Node::Neg) {
    int64_t Out;
    return __builtin_sub_overflow(int64_t(0), *L, &Out) ? std::nullopt
                                                        : std::optional(Out);
  }
  std::optional<int64_t> R = eval(*N.R, S);
  if (!R)
    return std::nullopt;
  int64_t Out = 0;
  switch (N.K) {
  case Node::Add:
    return __builtin_add_overflow(*L, *R, &Out) ? std::nullopt
                                                : std::optional(Out);
  case Node::Sub:
    return __builtin_sub_overflow(*L, *R, &Out) ? std::nullopt
                                                : std::optional(Out);
  case Node::Mul:
    return __builtin_mul_overflow(*L, *R, &Out) ? std::nullopt
                                                : std::optional(Out);
  case Node::FloorDiv:
  case Node::CeilDiv:
  case Node::Mod: {
    if (*R <= 0)
      return std::nullopt;
    int64_t Q = *L / *R, Rem = *L % *R;
    if (N.K == Node::Mod)
      return Rem < 0 ? Rem + *R : Rem;
    if (N.K == Node::FloorDiv)
      return Rem < 0 ? Q - 1 : Q;
    return Rem > 0 ? Q + 1 : Q;
  }
  default:
    return std::nullopt;
  }
}

} // namespace

std::optional<Formula> Formula::parse(std::string_view Text, size_t NumSymbols,
                                      std::string &Error) {
  Parser P(Text, NumSymbols);
  NodePtr Root = P.parse(Error);
  if (!Root)
    return std::nullopt;
  Formula F;
  F.Root = std::move(Root);
  return F;
}

std::optional<int64_t>
Formula::evaluate(const std::vector<int64_t> &Symbols) const {
  return Root ? eval(*Root, Symbols) : std::nullopt;
}
