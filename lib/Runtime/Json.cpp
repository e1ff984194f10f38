//===- Json.cpp - A small strict JSON parser ------------------------------===//
//
// Recursive descent over a string_view. Depth is bounded, so hostile input
// cannot exhaust the stack; every error carries the byte offset where the
// parser stopped.
//
//===----------------------------------------------------------------------===//

#include "Json.h"

#include <algorithm>
#include <charconv>
#include <system_error>

using namespace encrt;
using namespace encrt::json;

Value Value::makeBool(bool B) {
  Value V;
  V.K = Kind::Bool;
  V.B = B;
  return V;
}

Value Value::makeInt(int64_t I) {
  Value V;
  V.K = Kind::Int;
  V.I = I;
  return V;
}

Value Value::makeDouble(double D) {
  Value V;
  V.K = Kind::Double;
  V.D = D;
  return V;
}

Value Value::makeString(std::string S) {
  Value V;
  V.K = Kind::String;
  V.S = std::move(S);
  return V;
}

Value Value::makeArray(std::vector<Value> Elements) {
  Value V;
  V.K = Kind::Array;
  V.A = std::move(Elements);
  return V;
}

Value Value::makeObject(std::vector<Member> Members) {
  Value V;
  V.K = Kind::Object;
  V.O = std::move(Members);
  return V;
}

const Value *Value::get(std::string_view Key) const {
  if (K != Kind::Object)
    return nullptr;
  for (const Member &M : O)
    if (M.first == Key)
      return &M.second;
  return nullptr;
}

const char *json::kindName(Value::Kind K) {
  switch (K) {
  case Value::Kind::Null:
    return "null";
  case Value::Kind::Bool:
    return "boolean";
  case Value::Kind::Int:
    return "integer";
  case Value::Kind::Double:
    return "number";
  case Value::Kind::String:
    return "string";
  case Value::Kind::Array:
    return "array";
  case Value::Kind::Object:
    return "object";
  }
  return "value";
}

namespace {

class Parser {
public:
  Parser(std::string_view Text, unsigned MaxDepth)
      : Text(Text), MaxDepth(MaxDepth) {}

  bool parseDocument(Value &Out) {
    skipWhitespace();
    if (Pos == Text.size())
      return fail("empty document");
    if (!parseValue(Out, 0))
      return false;
    skipWhitespace();
    if (Pos != Text.size())
      return fail("unexpected trailing characters after the JSON value");
    return true;
  }

  const std::string &getError() const { return Error; }

private:
  bool fail(const char *Message) { return failAt(Pos, Message); }
  bool failAt(size_t At, std::string Message) {
    Error = std::move(Message) + " at byte " + std::to_string(At);
    return false;
  }

  bool atEnd() const { return Pos >= Text.size(); }
  unsigned char peek() const { return static_cast<unsigned char>(Text[Pos]); }

  void skipWhitespace() {
    while (!atEnd()) {
      char C = Text[Pos];
      if (C != ' ' && C != '\t' && C != '\n' && C != '\r')
        return;
      ++Pos;
    }
  }

  bool parseValue(Value &Out, unsigned Depth) {
    if (atEnd())
      return fail("unexpected end of input, expected a value");
    switch (Text[Pos]) {
    case '{':
      return parseObject(Out, Depth + 1);
    case '[':
      return parseArray(Out, Depth + 1);
    case '"': {
      std::string S;
      if (!parseString(S))
        return false;
      Out = Value::makeString(std::move(S));
      return true;
    }
    case 't':
      return parseLiteral("true", Value::makeBool(true), Out);
    case 'f':
      return parseLiteral("false", Value::makeBool(false), Out);
    case 'n':
      return parseLiteral("null", Value(), Out);
    default:
      if (Text[Pos] == '-' || (Text[Pos] >= '0' && Text[Pos] <= '9'))
        return parseNumber(Out);
      return fail("unexpected character, expected a value");
    }
  }

  bool parseLiteral(std::string_view Word, Value V, Value &Out) {
    if (Text.substr(Pos, Word.size()) != Word)
      return fail("invalid literal, expected true, false or null");
    Pos += Word.size();
    Out = std::move(V);
    return true;
  }

  bool enter(unsigned Depth) {
    if (Depth > MaxDepth)
      return failAt(Pos, "nesting deeper than " + std::to_string(MaxDepth) +
                             " levels");
    return true;
  }

  bool parseArray(Value &Out, unsigned Depth) {
    if (!enter(Depth))
      return false;
    ++Pos; // '['
    std::vector<Value> Elements;
    skipWhitespace();
    if (!atEnd() && Text[Pos] == ']') {
      ++Pos;
      Out = Value::makeArray(std::move(Elements));
      return true;
    }
    while (true) {
      skipWhitespace();
      Elements.emplace_back();
      if (!parseValue(Elements.back(), Depth))
        return false;
      skipWhitespace();
      if (atEnd())
        return fail("unexpected end of input in array, expected ',' or ']'");
      if (Text[Pos] == ',') {
        ++Pos;
        skipWhitespace();
        if (!atEnd() && Text[Pos] == ']')
          return fail("trailing comma in array");
        continue;
      }
      if (Text[Pos] == ']') {
        ++Pos;
        break;
      }
      return fail("expected ',' or ']' in array");
    }
    Out = Value::makeArray(std::move(Elements));
    return true;
  }

  bool parseObject(Value &Out, unsigned Depth) {
    if (!enter(Depth))
      return false;
    ++Pos; // '{'
    std::vector<Value::Member> Members;
    std::vector<size_t> KeyOffsets;
    skipWhitespace();
    if (!atEnd() && Text[Pos] == '}') {
      ++Pos;
      Out = Value::makeObject(std::move(Members));
      return true;
    }
    while (true) {
      skipWhitespace();
      if (atEnd())
        return fail("unexpected end of input in object, expected a key");
      if (Text[Pos] != '"')
        return fail(Text[Pos] == '}' ? "trailing comma in object"
                                     : "expected a string key in object");
      KeyOffsets.push_back(Pos);
      std::string Key;
      if (!parseString(Key))
        return false;
      skipWhitespace();
      if (atEnd() || Text[Pos] != ':')
        return fail("expected ':' after object key");
      ++Pos;
      skipWhitespace();
      Members.emplace_back(std::move(Key), Value());
      if (!parseValue(Members.back().second, Depth))
        return false;
      skipWhitespace();
      if (atEnd())
        return fail("unexpected end of input in object, expected ',' or '}'");
      if (Text[Pos] == ',') {
        ++Pos;
        continue;
      }
      if (Text[Pos] == '}') {
        ++Pos;
        break;
      }
      return fail("expected ',' or '}' in object");
    }
    if (!checkDuplicateKeys(Members, KeyOffsets))
      return false;
    Out = Value::makeObject(std::move(Members));
    return true;
  }

  // Sorting indices keeps this O(n log n) for headers with many tensors.
  bool checkDuplicateKeys(const std::vector<Value::Member> &Members,
                          const std::vector<size_t> &KeyOffsets) {
    if (Members.size() < 2)
      return true;
    std::vector<size_t> Order(Members.size());
    for (size_t I = 0; I < Order.size(); ++I)
      Order[I] = I;
    std::sort(Order.begin(), Order.end(), [&](size_t L, size_t R) {
      if (Members[L].first != Members[R].first)
        return Members[L].first < Members[R].first;
      return L < R;
    });
    for (size_t I = 1; I < Order.size(); ++I) {
      if (Members[Order[I]].first == Members[Order[I - 1]].first)
        return failAt(KeyOffsets[Order[I]], "duplicate object key \"" +
                                                Members[Order[I]].first + "\"");
    }
    return true;
  }

  static int hexValue(char C) {
    if (C >= '0' && C <= '9')
      return C - '0';
    if (C >= 'a' && C <= 'f')
      return C - 'a' + 10;
    if (C >= 'A' && C <= 'F')
      return C - 'A' + 10;
    return -1;
  }

  // Reads the 4 hex digits after "\u" at Pos.
  bool parseHex4(unsigned &Out) {
    if (Text.size() - Pos < 4)
      return fail("truncated \\u escape");
    Out = 0;
    for (int I = 0; I < 4; ++I) {
      int H = hexValue(Text[Pos + I]);
      if (H < 0)
        return failAt(Pos + I, "invalid hex digit in \\u escape");
      Out = Out * 16 + static_cast<unsigned>(H);
    }
    Pos += 4;
    return true;
  }

  static void appendUtf8(std::string &Out, uint32_t CP) {
    if (CP < 0x80) {
      Out.push_back(static_cast<char>(CP));
    } else if (CP < 0x800) {
      Out.push_back(static_cast<char>(0xC0 | (CP >> 6)));
      Out.push_back(static_cast<char>(0x80 | (CP & 0x3F)));
    } else if (CP < 0x10000) {
      Out.push_back(static_cast<char>(0xE0 | (CP >> 12)));
      Out.push_back(static_cast<char>(0x80 | ((CP >> 6) & 0x3F)));
      Out.push_back(static_cast<char>(0x80 | (CP & 0x3F)));
    } else {
      Out.push_back(static_cast<char>(0xF0 | (CP >> 18)));
      Out.push_back(static_cast<char>(0x80 | ((CP >> 12) & 0x3F)));
      Out.push_back(static_cast<char>(0x80 | ((CP >> 6) & 0x3F)));
      Out.push_back(static_cast<char>(0x80 | (CP & 0x3F)));
    }
  }

  bool parseEscape(std::string &Out) {
    size_t Start = Pos;
    ++Pos; // '\'
    if (atEnd())
      return fail("unterminated escape sequence");
    char C = Text[Pos++];
    switch (C) {
    case '"':
    case '\\':
    case '/':
      Out.push_back(C);
      return true;
    case 'b':
      Out.push_back('\b');
      return true;
    case 'f':
      Out.push_back('\f');
      return true;
    case 'n':
      Out.push_back('\n');
      return true;
    case 'r':
      Out.push_back('\r');
      return true;
    case 't':
      Out.push_back('\t');
      return true;
    case 'u':
      break;
    default:
      return failAt(Start, "invalid escape sequence");
    }
    unsigned Unit = 0;
    if (!parseHex4(Unit))
      return false;
    uint32_t CP = Unit;
    if (Unit >= 0xDC00 && Unit <= 0xDFFF)
      return failAt(Start, "unpaired low surrogate in \\u escape");
    if (Unit >= 0xD800 && Unit <= 0xDBFF) {
      if (Text.substr(Pos, 2) != "\\u")
        return failAt(Start, "unpaired high surrogate in \\u escape");
      Pos += 2;
      unsigned Low = 0;
      if (!parseHex4(Low))
        return false;
      if (Low < 0xDC00 || Low > 0xDFFF)
        return failAt(Start, "high surrogate not followed by a low surrogate");
      CP = 0x10000 + ((Unit - 0xD800) << 10) + (Low - 0xDC00);
    }
    appendUtf8(Out, CP);
    return true;
  }

  // Validates one UTF-8 sequence at Pos (first byte >= 0x80) and copies it.
  bool copyUtf8(std::string &Out) {
    unsigned char C0 = peek();
    size_t Len;
    uint32_t CP;
    if (C0 >= 0xC2 && C0 <= 0xDF) {
      Len = 2;
      CP = C0 & 0x1F;
    } else if (C0 >= 0xE0 && C0 <= 0xEF) {
      Len = 3;
      CP = C0 & 0x0F;
    } else if (C0 >= 0xF0 && C0 <= 0xF4) {
      Len = 4;
      CP = C0 & 0x07;
    } else {
      return fail("invalid UTF-8 in string");
    }
    if (Text.size() - Pos < Len)
      return fail("truncated UTF-8 sequence in string");
    for (size_t I = 1; I < Len; ++I) {
      unsigned char CI = static_cast<unsigned char>(Text[Pos + I]);
      if ((CI & 0xC0) != 0x80)
        return fail("invalid UTF-8 in string");
      CP = (CP << 6) | (CI & 0x3F);
    }
    // Reject overlong forms, UTF-16 surrogates and code points past U+10FFFF.
    if ((Len == 3 && CP < 0x800) || (Len == 4 && CP < 0x10000) ||
        (CP >= 0xD800 && CP <= 0xDFFF) || CP > 0x10FFFF)
      return fail("invalid UTF-8 in string");
    Out.append(Text.substr(Pos, Len));
    Pos += Len;
    return true;
  }

  bool parseString(std::string &Out) {
    size_t Start = Pos;
    ++Pos; // '"'
    while (true) {
      if (atEnd())
        return failAt(Start, "unterminated string");
      unsigned char C = peek();
      if (C == '"') {
        ++Pos;
        return true;
      }
      if (C == '\\') {
        if (!parseEscape(Out))
          return false;
        continue;
      }
      if (C < 0x20)
        return fail("unescaped control character in string");
      if (C >= 0x80) {
        if (!copyUtf8(Out))
          return false;
        continue;
      }
      Out.push_back(static_cast<char>(C));
      ++Pos;
    }
  }

  static bool isDigit(char C) { return C >= '0' && C <= '9'; }

  bool parseNumber(Value &Out) {
    size_t Start = Pos;
    if (Text[Pos] == '-')
      ++Pos;
    if (atEnd() || !isDigit(Text[Pos]))
      return fail("invalid number: expected a digit");
    if (Text[Pos] == '0') {
      ++Pos;
      if (!atEnd() && isDigit(Text[Pos]))
        return failAt(Start, "invalid number: leading zero");
    } else {
      while (!atEnd() && isDigit(Text[Pos]))
        ++Pos;
    }
    bool IsInteger = true;
    if (!atEnd() && Text[Pos] == '.') {
      IsInteger = false;
      ++Pos;
      if (atEnd() || !isDigit(Text[Pos]))
        return fail("invalid number: expected a digit after '.'");
      while (!atEnd() && isDigit(Text[Pos]))
        ++Pos;
    }
    if (!atEnd() && (Text[Pos] == 'e' || Text[Pos] == 'E')) {
      IsInteger = false;
      ++Pos;
      if (!atEnd() && (Text[Pos] == '+' || Text[Pos] == '-'))
        ++Pos;
      if (atEnd() || !isDigit(Text[Pos]))
        return fail("invalid number: expected a digit in the exponent");
      while (!atEnd() && isDigit(Text[Pos]))
        ++Pos;
    }
    const char *First = Text.data() + Start;
    const char *Last = Text.data() + Pos;
    if (IsInteger) {
      int64_t I;
      auto [Ptr, Ec] = std::from_chars(First, Last, I);
      if (Ec == std::errc() && Ptr == Last) {
        Out = Value::makeInt(I);
        return true;
      }
      // Too large for int64: keep it as a double; consumers that need an
      // integer reject it.
    }
    double D;
    auto [Ptr, Ec] = std::from_chars(First, Last, D);
    if (Ec != std::errc() || Ptr != Last)
      return failAt(Start, "number out of range");
    Out = Value::makeDouble(D);
    return true;
  }

  std::string_view Text;
  unsigned MaxDepth;
  size_t Pos = 0;
  std::string Error;
};

} // namespace

bool json::parse(std::string_view Text, Value &Out, std::string &Error,
                 unsigned MaxDepth) {
  Parser P(Text, MaxDepth);
  Value Result;
  if (!P.parseDocument(Result)) {
    Error = P.getError();
    return false;
  }
  Out = std::move(Result);
  return true;
}
