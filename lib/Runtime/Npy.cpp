//===- Npy.cpp - Reading and writing NumPy .npy files ---------------------===//
//
// Format: "\x93NUMPY", major and minor version bytes, a little-endian header
// length (2 bytes in 1.0, 4 bytes in 2.0 and 3.0), then a Python dict
// literal {'descr': ..., 'fortran_order': ..., 'shape': (...)} padded with
// spaces and a newline, then the raw array data.
//
//===----------------------------------------------------------------------===//

#include "Buffer.h"
#include "Status.h"
#include "Types.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <sys/stat.h>

using namespace encrt;

namespace {

constexpr char Magic[] = "\x93NUMPY";
constexpr size_t MagicSize = 6;

struct NpyDType {
  const char *Descr;
  encrt_dtype DType;
};

// What encrt_npy_write emits; the reader also accepts '<' for the one-byte
// types, which some writers use instead of '|'.
const NpyDType NpyDTypes[] = {
    {"<f4", ENCRT_F32}, {"<f8", ENCRT_F64}, {"<f2", ENCRT_F16},
    {"<i8", ENCRT_I64}, {"<i4", ENCRT_I32}, {"<i2", ENCRT_I16},
    {"|i1", ENCRT_I8},  {"|u1", ENCRT_U8},  {"|b1", ENCRT_BOOL},
    {"<u2", ENCRT_U16}, {"<u4", ENCRT_U32}, {"<u8", ENCRT_U64},
};

const char *descrOf(encrt_dtype DType) {
  for (const NpyDType &D : NpyDTypes)
    if (D.DType == DType)
      return D.Descr;
  return nullptr;
}

struct FileCloser {
  void operator()(FILE *F) const { std::fclose(F); }
};
using FilePtr = std::unique_ptr<FILE, FileCloser>;

struct NpyHeader {
  std::string Descr;
  bool HasDescr = false;
  bool FortranOrder = false;
  bool HasFortranOrder = false;
  std::vector<int64_t> Shape;
  bool HasShape = false;
};

/// Parses the Python dict literal of a .npy header. Only the literal forms
/// NumPy writes are accepted: quoted strings, True/False, tuples of ints.
class HeaderParser {
public:
  explicit HeaderParser(std::string_view Text) : Text(Text) {}

  bool parse(NpyHeader &H) {
    skipSpace();
    if (!consume('{'))
      return fail("expected '{'");
    while (true) {
      skipSpace();
      if (consume('}'))
        break;
      std::string Key;
      if (!parseString(Key))
        return false;
      skipSpace();
      if (!consume(':'))
        return fail("expected ':' after key");
      skipSpace();
      if (Key == "descr") {
        if (!parseString(H.Descr))
          return false;
        H.HasDescr = true;
      } else if (Key == "fortran_order") {
        if (!parseBool(H.FortranOrder))
          return false;
        H.HasFortranOrder = true;
      } else if (Key == "shape") {
        if (!parseShape(H.Shape))
          return false;
        H.HasShape = true;
      } else {
        return fail("unexpected key '" + Key + "'");
      }
      skipSpace();
      if (consume(','))
        continue;
      if (consume('}'))
        break;
      return fail("expected ',' or '}'");
    }
    skipSpace();
    if (Pos != Text.size())
      return fail("unexpected characters after the dict");
    if (!H.HasDescr || !H.HasFortranOrder || !H.HasShape)
      return fail("missing 'descr', 'fortran_order' or 'shape'");
    return true;
  }

  const std::string &getError() const { return Error; }

private:
  bool fail(std::string Message) {
    Error = std::move(Message);
    return false;
  }
  void skipSpace() {
    while (Pos < Text.size() &&
           (Text[Pos] == ' ' || Text[Pos] == '\n' || Text[Pos] == '\t'))
      ++Pos;
  }
  bool consume(char C) {
    if (Pos < Text.size() && Text[Pos] == C) {
      ++Pos;
      return true;
    }
    return false;
  }
  bool parseString(std::string &Out) {
    if (Pos >= Text.size() || (Text[Pos] != '\'' && Text[Pos] != '"'))
      return fail("expected a quoted string");
    char Quote = Text[Pos++];
    size_t End = Text.find(Quote, Pos);
    if (End == std::string_view::npos)
      return fail("unterminated string");
    Out.assign(Text.substr(Pos, End - Pos));
    Pos = End + 1;
    return true;
  }
  bool parseBool(bool &Out) {
    if (Text.substr(Pos, 4) == "True") {
      Pos += 4;
      Out = true;
      return true;
    }
    if (Text.substr(Pos, 5) == "False") {
      Pos += 5;
      Out = false;
      return true;
    }
    return fail("expected True or False");
  }
  bool parseShape(std::vector<int64_t> &Out) {
    if (!consume('('))
      return fail("expected '(' to start the shape");
    while (true) {
      skipSpace();
      if (consume(')'))
        return true;
      if (Pos >= Text.size() || Text[Pos] < '0' || Text[Pos] > '9')
        return fail("expected a non-negative integer in the shape");
      int64_t V = 0;
      while (Pos < Text.size() && Text[Pos] >= '0' && Text[Pos] <= '9') {
        if (__builtin_mul_overflow(V, 10, &V) ||
            __builtin_add_overflow(V, Text[Pos] - '0', &V))
          return fail("shape entry too large");
        ++Pos;
      }
      consume('L'); // Python 2 longs.
      Out.push_back(V);
      skipSpace();
      if (consume(','))
        continue;
      if (consume(')'))
        return true;
      return fail("expected ',' or ')' in the shape");
    }
  }

  std::string_view Text;
  size_t Pos = 0;
  std::string Error;
};

encrt_status *openError(const char *Verb, const char *Path, int Errno) {
  return error(Errno == ENOENT ? ENCRT_NOT_FOUND : ENCRT_INVALID_ARGUMENT,
               "cannot ", Verb, " ", quote(Path), ": ", errnoMessage(Errno));
}

encrt_status *resolveDescr(const char *Path, const std::string &Descr,
                           encrt_dtype &Out) {
  std::string Normal = Descr;
  // One-byte types have no byte order; accept '<' and '=' spellings too.
  if (Normal.size() == 3 && (Normal[2] == '1') &&
      (Normal[0] == '<' || Normal[0] == '='))
    Normal[0] = '|';
  for (const NpyDType &D : NpyDTypes) {
    if (Normal == D.Descr) {
      Out = D.DType;
      return nullptr;
    }
  }
  if (!Descr.empty() && Descr[0] == '>')
    return error(ENCRT_DATA_ERROR, quote(Path), " has big-endian dtype ",
                 quote(Descr), "; only little-endian arrays are supported");
  return error(ENCRT_DATA_ERROR, quote(Path), " has unsupported dtype ",
               quote(Descr),
               " (supported: <f4 <f8 <f2 <i8 <i4 <i2 |i1 |u1 |b1)");
}

encrt_status *readNpy(const char *Path, encrt_buffer **Out) {
  FilePtr F(std::fopen(Path, "rb"));
  if (!F)
    return openError("open", Path, errno);
  struct stat St;
  if (fstat(fileno(F.get()), &St) != 0)
    return openError("stat", Path, errno);
  if (!S_ISREG(St.st_mode))
    return error(ENCRT_INVALID_ARGUMENT, quote(Path), " is not a regular file");
  uint64_t FileSize = static_cast<uint64_t>(St.st_size);

  unsigned char Preamble[12];
  if (FileSize < 10 || std::fread(Preamble, 1, 10, F.get()) != 10 ||
      std::memcmp(Preamble, Magic, MagicSize) != 0)
    return error(ENCRT_DATA_ERROR, quote(Path),
                 " is not a .npy file: it does not start with \"\\x93NUMPY\"");
  unsigned Major = Preamble[6], Minor = Preamble[7];
  if (Major < 1 || Major > 3 || Minor != 0)
    return error(ENCRT_DATA_ERROR, quote(Path), " has .npy format version ",
                 Major, ".", Minor, "; supported are 1.0, 2.0 and 3.0");
  uint64_t HeaderSize;
  uint64_t PreambleSize;
  if (Major == 1) {
    HeaderSize = Preamble[8] | (uint64_t(Preamble[9]) << 8);
    PreambleSize = 10;
  } else {
    if (FileSize < 12 || std::fread(Preamble + 10, 1, 2, F.get()) != 2)
      return error(ENCRT_DATA_ERROR, quote(Path),
                   " is truncated: it ends inside the .npy preamble");
    HeaderSize = Preamble[8] | (uint64_t(Preamble[9]) << 8) |
                 (uint64_t(Preamble[10]) << 16) |
                 (uint64_t(Preamble[11]) << 24);
    PreambleSize = 12;
  }
  if (HeaderSize > FileSize - PreambleSize)
    return error(ENCRT_DATA_ERROR, quote(Path), " is truncated: header says ",
                 HeaderSize, " bytes, the file has ", FileSize - PreambleSize,
                 " after the preamble");
  std::string HeaderText(HeaderSize, '\0');
  if (HeaderSize &&
      std::fread(HeaderText.data(), 1, HeaderSize, F.get()) != HeaderSize)
    return error(ENCRT_DATA_ERROR, "cannot read the header of ", quote(Path));

  NpyHeader H;
  HeaderParser Parser(HeaderText);
  if (!Parser.parse(H))
    return error(ENCRT_DATA_ERROR, quote(Path),
                 " has a malformed .npy header (", Parser.getError(), ")");
  encrt_dtype DType = ENCRT_F32; // set by resolveDescr
  if (encrt_status *S = resolveDescr(Path, H.Descr, DType))
    return S;
  if (H.FortranOrder)
    return error(ENCRT_DATA_ERROR, quote(Path),
                 " is in Fortran order (fortran_order: True); only C-order "
                 "arrays are supported (save np.ascontiguousarray(a))");
  size_t Bytes;
  if (!checkedByteSize(DType, H.Shape.data(), H.Shape.size(), Bytes))
    return error(ENCRT_DATA_ERROR, quote(Path), " has shape ",
                 formatDims(H.Shape.data(), H.Shape.size()),
                 ", which is too large");
  uint64_t Remaining = FileSize - PreambleSize - HeaderSize;
  if (Remaining != Bytes)
    return error(ENCRT_DATA_ERROR, quote(Path),
                 Remaining < Bytes ? " is truncated" : " has trailing bytes",
                 ": ", formatType(DType, H.Shape.data(), H.Shape.size()),
                 " needs ", Bytes, " bytes of data, the file has ", Remaining);

  auto Buffer = makeBuffer(DType, H.Shape.data(), H.Shape.size(), Bytes);
  if (Bytes && std::fread(Buffer->Data, 1, Bytes, F.get()) != Bytes)
    return error(ENCRT_DATA_ERROR, "cannot read the data of ", quote(Path));
  *Out = Buffer.release();
  return nullptr;
}

std::string makeHeader(const char *Descr, const int64_t *Dims, size_t Rank) {
  std::string Shape = "(";
  for (size_t I = 0; I < Rank; ++I) {
    if (I)
      Shape += ", ";
    Shape += std::to_string(Dims[I]);
  }
  if (Rank == 1)
    Shape += ",";
  Shape += ")";
  return strCat("{'descr': '", Descr,
                "', 'fortran_order': False, 'shape': ", Shape, ", }");
}

encrt_status *writeNpy(const char *Path, const encrt_tensor_view *View) {
  size_t Bytes;
  if (encrt_status *S =
          checkView(View, strCat("encrt_npy_write ", quote(Path)), Bytes))
    return S;
  const char *Descr = descrOf(View->dtype);
  if (!Descr)
    return error(ENCRT_INVALID_ARGUMENT, "cannot write ", quote(Path), ": ",
                 encrt_dtype_name(View->dtype), " has no NumPy dtype");

  std::string Header = makeHeader(Descr, View->dims, View->rank);
  // Pad with spaces and a final newline so the data starts 64-byte aligned.
  size_t PreambleSize = 10;
  size_t Total = PreambleSize + Header.size() + 1;
  size_t Padded = (Total + 63) / 64 * 64;
  unsigned char Major = 1;
  if (Padded - PreambleSize > 0xFFFF) {
    // Too long for a 2-byte length: format 2.0.
    Major = 2;
    PreambleSize = 12;
    Total = PreambleSize + Header.size() + 1;
    Padded = (Total + 63) / 64 * 64;
  }
  Header.append(Padded - Total, ' ');
  Header.push_back('\n');
  uint64_t HeaderSize = Header.size();

  std::string Preamble(Magic, MagicSize);
  Preamble.push_back(static_cast<char>(Major));
  Preamble.push_back(0);
  for (size_t I = 0; I < PreambleSize - 8; ++I)
    Preamble.push_back(static_cast<char>((HeaderSize >> (8 * I)) & 0xFF));

  FilePtr F(std::fopen(Path, "wb"));
  if (!F)
    return openError("create", Path, errno);
  bool Ok =
      std::fwrite(Preamble.data(), 1, Preamble.size(), F.get()) ==
          Preamble.size() &&
      std::fwrite(Header.data(), 1, Header.size(), F.get()) == Header.size() &&
      (!Bytes || std::fwrite(View->data, 1, Bytes, F.get()) == Bytes);
  int E = errno;
  if (std::fclose(F.release()) != 0 && Ok) {
    Ok = false;
    E = errno;
  }
  if (!Ok)
    return error(ENCRT_INVALID_ARGUMENT, "cannot write ", quote(Path), ": ",
                 errnoMessage(E));
  return nullptr;
}

} // namespace

extern "C" {

encrt_status *encrt_npy_read(const char *Path, encrt_buffer **Out) {
  return guard([&]() -> encrt_status * {
    if (!Out)
      return error(ENCRT_INVALID_ARGUMENT,
                   "encrt_npy_read: the output pointer is NULL");
    *Out = nullptr;
    if (!Path)
      return error(ENCRT_INVALID_ARGUMENT, "encrt_npy_read: path is NULL");
    return readNpy(Path, Out);
  });
}

encrt_status *encrt_npy_write(const char *Path, const encrt_tensor_view *View) {
  return guard([&]() -> encrt_status * {
    if (!Path)
      return error(ENCRT_INVALID_ARGUMENT, "encrt_npy_write: path is NULL");
    return writeNpy(Path, View);
  });
}

} // extern "C"
