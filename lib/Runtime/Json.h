//===- Json.h - A small strict JSON parser ----------------------*- C++ -*-===//
//
// Internal to libencrt: reads artifact metadata and safetensors headers.
// Strict RFC 8259: no comments, trailing commas, NaN or duplicate keys.
// Objects keep their key order; integers without a fraction or exponent that
// fit in int64 are kept exactly; strings are validated and stored as UTF-8.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_RUNTIME_JSON_H
#define ENCODER_LIB_RUNTIME_JSON_H

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace encrt {
namespace json {

class Value {
public:
  enum class Kind { Null, Bool, Int, Double, String, Array, Object };
  using Member = std::pair<std::string, Value>;

  Value() = default;
  static Value makeBool(bool B);
  static Value makeInt(int64_t I);
  static Value makeDouble(double D);
  static Value makeString(std::string S);
  static Value makeArray(std::vector<Value> Elements);
  static Value makeObject(std::vector<Member> Members);

  Kind getKind() const { return K; }
  bool isNull() const { return K == Kind::Null; }
  bool isBool() const { return K == Kind::Bool; }
  bool isInt() const { return K == Kind::Int; }
  /// Int or Double.
  bool isNumber() const { return K == Kind::Int || K == Kind::Double; }
  bool isString() const { return K == Kind::String; }
  bool isArray() const { return K == Kind::Array; }
  bool isObject() const { return K == Kind::Object; }

  bool getBool() const { return B; }
  int64_t getInt() const { return I; }
  /// The value of an Int or Double.
  double getNumber() const {
    return K == Kind::Int ? static_cast<double>(I) : D;
  }
  const std::string &getString() const { return S; }
  const std::vector<Value> &getArray() const { return A; }
  const std::vector<Member> &getObject() const { return O; }

  /// The member named `Key` of an object, or null when absent or when this
  /// is not an object.
  const Value *get(std::string_view Key) const;

private:
  Kind K = Kind::Null;
  bool B = false;
  int64_t I = 0;
  double D = 0;
  std::string S;
  std::vector<Value> A;
  std::vector<Member> O;
};

/// "null", "boolean", "integer", "number", "string", "array", "object".
const char *kindName(Value::Kind K);

/// Default limit on array/object nesting, far above what metadata needs and
/// far below what would exhaust the stack.
constexpr unsigned DefaultMaxDepth = 128;

/// Parses one JSON document spanning all of `Text` (surrounding whitespace
/// allowed). On failure returns false and sets `Error` to a message that ends
/// with "at byte N" (0-based offset into `Text`).
bool parse(std::string_view Text, Value &Out, std::string &Error,
           unsigned MaxDepth = DefaultMaxDepth);

} // namespace json
} // namespace encrt

#endif // ENCODER_LIB_RUNTIME_JSON_H
