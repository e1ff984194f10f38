//===- JsonTest.cpp - Tests of the runtime's JSON parser ------------------===//

#include "Json.h"

#include <catch2/catch.hpp>

#include <limits>

using encrt::json::Value;

static Value parseOk(std::string_view Text) {
  Value V;
  std::string Error;
  bool Ok = encrt::json::parse(Text, V, Error);
  INFO("input: " << Text << "\nerror: " << Error);
  REQUIRE(Ok);
  return V;
}

static std::string parseError(std::string_view Text) {
  Value V;
  std::string Error;
  bool Ok = encrt::json::parse(Text, V, Error);
  INFO("input: " << Text);
  REQUIRE_FALSE(Ok);
  CHECK(Error.find(" at byte ") != std::string::npos);
  return Error;
}

TEST_CASE("json: scalars", "[json]") {
  CHECK(parseOk("null").isNull());
  CHECK(parseOk("true").getBool());
  CHECK_FALSE(parseOk(" false ").getBool());
  CHECK(parseOk("\"\"").getString().empty());
  CHECK(parseOk("0").getInt() == 0);
  CHECK(parseOk("-0").getInt() == 0);
  CHECK(parseOk("42").getInt() == 42);
  CHECK(parseOk("-17").getInt() == -17);
  CHECK(parseOk("1.5").getNumber() == 1.5);
  CHECK(parseOk("-2e3").getNumber() == -2000.0);
  CHECK(parseOk("1E+2").getNumber() == 100.0);
  CHECK(parseOk("2.5e-1").getNumber() == 0.25);
  CHECK(parseOk("1.0").getKind() == Value::Kind::Double);
}

TEST_CASE("json: integers are exact int64", "[json]") {
  // 2^53 + 1 is not representable as a double.
  CHECK(parseOk("9007199254740993").getInt() == 9007199254740993LL);
  CHECK(parseOk("9223372036854775807").getInt() ==
        std::numeric_limits<int64_t>::max());
  CHECK(parseOk("-9223372036854775808").getInt() ==
        std::numeric_limits<int64_t>::min());
  // Beyond int64 the value is kept as a double, and is not an integer.
  Value Big = parseOk("9223372036854775808");
  CHECK(Big.getKind() == Value::Kind::Double);
  CHECK(Big.getNumber() == 9223372036854775808.0);
}

TEST_CASE("json: objects keep key order", "[json]") {
  Value V = parseOk(R"({"z": 1, "a": [true, null, "s"], "m": {"k": -1}})");
  REQUIRE(V.isObject());
  const auto &Members = V.getObject();
  REQUIRE(Members.size() == 3);
  CHECK(Members[0].first == "z");
  CHECK(Members[1].first == "a");
  CHECK(Members[2].first == "m");
  REQUIRE(V.get("a")->isArray());
  CHECK(V.get("a")->getArray().size() == 3);
  CHECK(V.get("a")->getArray()[2].getString() == "s");
  CHECK(V.get("m")->get("k")->getInt() == -1);
  CHECK(V.get("missing") == nullptr);
  CHECK(parseOk("[]").getArray().empty());
  CHECK(parseOk("{}").getObject().empty());
  CHECK(parseOk(" \t\r\n[ 1 ,\n2 ] \n").getArray().size() == 2);
}

TEST_CASE("json: string escapes", "[json]") {
  CHECK(parseOk(R"("a\"b\\c\/d")").getString() == "a\"b\\c/d");
  CHECK(parseOk(R"("\b\f\n\r\t")").getString() == "\b\f\n\r\t");
  CHECK(parseOk(R"("\u0041\u00e9")").getString() == "A\xC3\xA9");
  CHECK(parseOk(R"("\u20AC")").getString() == "\xE2\x82\xAC");
  CHECK(parseOk(R"("\u0000")").getString() == std::string(1, '\0'));
  // U+1F600 as a surrogate pair.
  CHECK(parseOk(R"("\ud83d\ude00")").getString() == "\xF0\x9F\x98\x80");
  // Raw UTF-8 passes through unchanged.
  CHECK(parseOk("\"caf\xC3\xA9 \xF0\x9F\x98\x80\"").getString() ==
        "caf\xC3\xA9 \xF0\x9F\x98\x80");
}

TEST_CASE("json: nesting limit", "[json]") {
  std::string Ok = std::string(128, '[') + std::string(128, ']');
  parseOk(Ok);
  std::string TooDeep = std::string(129, '[') + std::string(129, ']');
  CHECK(parseError(TooDeep).find("nesting deeper than 128") !=
        std::string::npos);
  // Hostile input must not exhaust the stack.
  std::string Hostile(1000000, '[');
  parseError(Hostile);
  std::string HostileObjects;
  for (int I = 0; I < 100000; ++I)
    HostileObjects += "{\"a\":";
  parseError(HostileObjects);
}

TEST_CASE("json: error offsets", "[json]") {
  CHECK(parseError("[1, 2,, 3]").find("at byte 6") != std::string::npos);
  CHECK(parseError("{\"a\": 1 \"b\": 2}").find("at byte 8") !=
        std::string::npos);
}

TEST_CASE("json: malformed documents", "[json]") {
  struct Case {
    const char *Text;
    const char *Expected;
  };
  const Case Cases[] = {
      {"", "empty document"},
      {"   ", "empty document"},
      {"{", "expected a key"},
      {"[", "expected a value"},
      {"[1", "expected ',' or ']'"},
      {"[1 2]", "expected ',' or ']'"},
      {"[1,]", "trailing comma"},
      {"{\"a\": 1,}", "trailing comma"},
      {"{a: 1}", "expected a string key"},
      {"{\"a\" 1}", "expected ':'"},
      {"{\"a\": 1 \"b\": 2}", "expected ',' or '}'"},
      {"{\"a\":}", "expected a value"},
      {"{\"a\": 1, \"a\": 2}", "duplicate object key \"a\""},
      {"01", "leading zero"},
      {"-", "expected a digit"},
      {"-a", "expected a digit"},
      {"1.", "after '.'"},
      {"1e", "exponent"},
      {"1e+", "exponent"},
      {"+1", "unexpected character"},
      {".5", "unexpected character"},
      {"1e999", "out of range"},
      {"NaN", "unexpected character"},
      {"Infinity", "unexpected character"},
      {"tru", "invalid literal"},
      {"nul", "invalid literal"},
      {"True", "unexpected character"},
      {"\"abc", "unterminated string"},
      {"\"\\", "unterminated escape"},
      {"\"\\x\"", "invalid escape"},
      {"\"\\u12\"", "\\u escape"},
      {"\"\\u12", "truncated \\u escape"},
      {"\"\\u12G4\"", "hex digit"},
      {"\"\\ud800\"", "unpaired high surrogate"},
      {"\"\\udc00\"", "unpaired low surrogate"},
      {"\"\\ud800\\u0041\"", "not followed by a low surrogate"},
      {"\"a\nb\"", "control character"},
      {"\"a\tb\"", "control character"},
      {"\"\xff\"", "invalid UTF-8"},
      {"\"\xc0\xaf\"", "invalid UTF-8"},         // overlong '/'
      {"\"\xe0\x80\xaf\"", "invalid UTF-8"},     // overlong, 3 bytes
      {"\"\xed\xa0\x80\"", "invalid UTF-8"},     // encoded surrogate
      {"\"\xf4\x90\x80\x80\"", "invalid UTF-8"}, // above U+10FFFF
      {"\"\xe2\x82\"", "invalid UTF-8"},
      {"\"\xe2\x82", "truncated UTF-8"},
      {"1 2", "trailing characters"},
      {"[1]]", "trailing characters"},
      {"{} x", "trailing characters"},
      {"// comment\n1", "unexpected character"},
  };
  for (const Case &C : Cases) {
    INFO("input: " << C.Text);
    std::string Error = parseError(C.Text);
    INFO("error: " << Error);
    CHECK(Error.find(C.Expected) != std::string::npos);
  }
  // An embedded NUL is a control character, not the end of the text.
  CHECK(parseError(std::string_view("\"a\0b\"", 5)).find("control") !=
        std::string::npos);
  CHECK(parseError(std::string_view("1\0", 2)).find("trailing") !=
        std::string::npos);
}
