//===- SafeTensors.cpp - Memory-mapped safetensors files ------------------===//
//
// Layout: an 8-byte little-endian header length N, N bytes of JSON mapping
// tensor names to {dtype, shape, data_offsets}, then the data section, which
// data_offsets index. The whole file is mapped once; every offset is checked
// against the file size before a tensor is exposed.
//
//===----------------------------------------------------------------------===//

#include "SafeTensors.h"
#include "Json.h"
#include "Status.h"
#include "Types.h"
#include "encoder/Support/FileKind.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace encrt;

encrt_weights::~encrt_weights() {
  for (Mapping &M : Maps)
    munmap(M.Map, M.Size);
}

namespace {

struct SafeTensorsDType {
  const char *Name;
  encrt_dtype DType;
};

const SafeTensorsDType SafeTensorsDTypes[] = {
    {"F32", ENCRT_F32},   {"F64", ENCRT_F64}, {"F16", ENCRT_F16},
    {"BF16", ENCRT_BF16}, {"I64", ENCRT_I64}, {"I32", ENCRT_I32},
    {"I16", ENCRT_I16},   {"I8", ENCRT_I8},   {"U8", ENCRT_U8},
    {"U16", ENCRT_U16},   {"U32", ENCRT_U32}, {"U64", ENCRT_U64},
    {"BOOL", ENCRT_BOOL},
};

/// Closes a file descriptor on scope exit.
struct FdCloser {
  int Fd;
  ~FdCloser() {
    if (Fd >= 0)
      close(Fd);
  }
};

class HeaderReader {
public:
  HeaderReader(encrt_weights &W, const char *DataBegin, uint64_t DataSize)
      : W(W), DataBegin(DataBegin), DataSize(DataSize) {}

  encrt_status *read(const json::Value &Header) {
    if (!Header.isObject())
      return fileError("header is a JSON ", json::kindName(Header.getKind()),
                       ", not an object");
    for (const json::Value::Member &M : Header.getObject()) {
      if (M.first == "__metadata__") {
        if (!M.second.isObject())
          return fileError("\"__metadata__\" is not an object");
        continue;
      }
      if (encrt_status *S = readTensor(M.first, M.second))
        return S;
    }
    return nullptr;
  }

private:
  template <typename... Ts> encrt_status *fileError(const Ts &...Parts) {
    return error(ENCRT_DATA_ERROR, "weights file ", quote(W.Maps.back().Path),
                 ": ", Parts...);
  }

  encrt_status *readTensor(const std::string &Name, const json::Value &Entry) {
    if (!Entry.isObject())
      return fileError("tensor ", quote(Name), " is described by a JSON ",
                       json::kindName(Entry.getKind()), ", not an object");
    const json::Value *DTypeV = Entry.get("dtype");
    const json::Value *ShapeV = Entry.get("shape");
    const json::Value *OffsetsV = Entry.get("data_offsets");
    if (!DTypeV || !DTypeV->isString())
      return fileError("tensor ", quote(Name), " has no string \"dtype\"");
    if (!ShapeV || !ShapeV->isArray())
      return fileError("tensor ", quote(Name), " has no array \"shape\"");
    if (!OffsetsV || !OffsetsV->isArray())
      return fileError("tensor ", quote(Name),
                       " has no array \"data_offsets\"");

    encrt_weights::Tensor T;
    T.Name = Name;
    bool Known = false;
    for (const SafeTensorsDType &D : SafeTensorsDTypes) {
      if (DTypeV->getString() == D.Name) {
        T.DType = D.DType;
        Known = true;
      }
    }
    if (!Known)
      return fileError(
          "tensor ", quote(Name), " has unsupported dtype ",
          quote(DTypeV->getString()),
          " (supported: F32 F64 F16 BF16 I64 I32 I16 I8 U8 U16 U32 U64 BOOL)");

    for (const json::Value &Dim : ShapeV->getArray()) {
      if (!Dim.isInt() || Dim.getInt() < 0)
        return fileError("tensor ", quote(Name),
                         " has a shape entry that is not a non-negative "
                         "integer");
      T.Dims.push_back(Dim.getInt());
    }
    if (!checkedByteSize(T.DType, T.Dims.data(), T.Dims.size(), T.Bytes))
      return fileError("tensor ", quote(Name), " has shape ",
                       formatDims(T.Dims.data(), T.Dims.size()),
                       ", which is too large");

    const std::vector<json::Value> &Offsets = OffsetsV->getArray();
    if (Offsets.size() != 2 || !Offsets[0].isInt() || !Offsets[1].isInt() ||
        Offsets[0].getInt() < 0 || Offsets[1].getInt() < 0)
      return fileError("tensor ", quote(Name),
                       " has \"data_offsets\" that are not two non-negative "
                       "integers");
    uint64_t Begin = static_cast<uint64_t>(Offsets[0].getInt());
    uint64_t End = static_cast<uint64_t>(Offsets[1].getInt());
    std::string Range = strCat("[", Begin, ", ", End, "]");
    if (Begin > End)
      return fileError("tensor ", quote(Name), " has data_offsets ", Range,
                       " that end before they begin");
    if (End > DataSize)
      return fileError("tensor ", quote(Name), " has data_offsets ", Range,
                       " past the end of the data section (", DataSize,
                       " bytes); the file is truncated or corrupt");
    if (End - Begin != T.Bytes)
      return fileError("tensor ", quote(Name), " has data_offsets ", Range,
                       " (", End - Begin, " bytes), but shape ",
                       formatType(T.DType, T.Dims.data(), T.Dims.size()),
                       " needs ", T.Bytes, " bytes");
    T.Data = DataBegin + Begin;
    if (!W.ByName.emplace(T.Name, W.Tensors.size()).second)
      return fileError("tensor ", quote(Name),
                       " is also in an earlier shard of ", quote(W.Path));
    W.Tensors.push_back(std::move(T));
    return nullptr;
  }

  encrt_weights &W;
  const char *DataBegin;
  uint64_t DataSize;
};

/// Opens `Path` for reading; `What` names it in the error ("weights file").
encrt_status *openForReading(const std::string &Path, const char *What,
                             int &Fd) {
  Fd = open(Path.c_str(), O_RDONLY | O_CLOEXEC);
  if (Fd >= 0)
    return nullptr;
  int E = errno;
  return error(E == ENOENT ? ENCRT_NOT_FOUND : ENCRT_INVALID_ARGUMENT,
               "cannot open ", What, " ", quote(Path), ": ", errnoMessage(E));
}

/// Maps one safetensors file into `W` and indexes its tensors.
encrt_status *mapSafetensors(const std::string &Path, encrt_weights &W) {
  int Fd;
  if (encrt_status *S = openForReading(Path, "weights file", Fd))
    return S;
  FdCloser Closer{Fd};
  struct stat St;
  if (fstat(Fd, &St) != 0)
    return error(ENCRT_INVALID_ARGUMENT, "cannot stat weights file ",
                 quote(Path), ": ", errnoMessage(errno));
  if (!S_ISREG(St.st_mode))
    return error(ENCRT_INVALID_ARGUMENT, "weights file ", quote(Path),
                 " is not a regular file");
  uint64_t FileSize = static_cast<uint64_t>(St.st_size);
  if (FileSize == 0)
    return error(ENCRT_DATA_ERROR, quote(Path),
                 " is empty; a safetensors file starts with an 8-byte header "
                 "length");

  void *Map = mmap(nullptr, FileSize, PROT_READ, MAP_PRIVATE, Fd, 0);
  if (Map == MAP_FAILED)
    return error(ENCRT_INVALID_ARGUMENT, "cannot map weights file ",
                 quote(Path), ": ", errnoMessage(errno));
  W.Maps.push_back({Path, Map, FileSize});

  const unsigned char *Bytes = static_cast<const unsigned char *>(Map);
  std::string Kind = encoder::nonSafetensorsKind(
      Bytes, static_cast<size_t>(std::min<uint64_t>(FileSize, 64)), FileSize);
  if (!Kind.empty())
    return error(ENCRT_DATA_ERROR, "weights file ", quote(Path), " is ", Kind,
                 ", not safetensors",
                 Kind.rfind("a zip", 0) == 0 || Kind.rfind("a Python", 0) == 0
                     ? "; the runtime does not load pickles (they can run "
                       "code): convert the checkpoint to safetensors "
                       "(transformers: save_pretrained(dir, "
                       "safe_serialization=True))"
                     : "");
  if (FileSize < 8)
    return error(ENCRT_DATA_ERROR, quote(Path), " is truncated: it has ",
                 FileSize,
                 " bytes, fewer than the 8-byte header length of a "
                 "safetensors file");
  uint64_t HeaderSize = 0;
  for (int I = 7; I >= 0; --I)
    HeaderSize = (HeaderSize << 8) | Bytes[I];
  uint64_t Available = FileSize - 8;
  if (HeaderSize > Available)
    return error(ENCRT_DATA_ERROR, quote(Path), " is truncated: header says ",
                 HeaderSize, " bytes, the file has ", Available,
                 " after the 8-byte length");

  std::string_view HeaderText(reinterpret_cast<const char *>(Bytes + 8),
                              HeaderSize);
  json::Value Header;
  std::string JsonError;
  if (!json::parse(HeaderText, Header, JsonError))
    return error(ENCRT_DATA_ERROR, "weights file ", quote(Path),
                 ": the header is not valid JSON: ", JsonError);

  const char *DataBegin =
      reinterpret_cast<const char *>(Bytes) + 8 + HeaderSize;
  HeaderReader Reader(W, DataBegin, Available - HeaderSize);
  return Reader.read(Header);
}

std::string directoryOf(const std::string &Path) {
  size_t Slash = Path.find_last_of('/');
  return Slash == std::string::npos ? "." : Path.substr(0, Slash);
}

bool isFile(const std::string &Path) {
  struct stat St;
  return stat(Path.c_str(), &St) == 0 && S_ISREG(St.st_mode);
}

/// A sharded checkpoint: the index's "weight_map" names each tensor's
/// shard (a file beside the index); every shard is mapped once and must
/// hold the tensors the index puts in it.
encrt_status *mapIndex(const std::string &Path, encrt_weights &W) {
  std::string Text;
  {
    int Fd;
    if (encrt_status *S = openForReading(Path, "checkpoint index", Fd))
      return S;
    FdCloser Closer{Fd};
    char Buffer[65536];
    ssize_t N;
    while ((N = read(Fd, Buffer, sizeof(Buffer))) > 0) {
      Text.append(Buffer, static_cast<size_t>(N));
      if (Text.size() > (size_t(64) << 20))
        return error(ENCRT_DATA_ERROR, "checkpoint index ", quote(Path),
                     " is larger than 64 MB; it is not an index");
    }
    if (N < 0)
      return error(ENCRT_INVALID_ARGUMENT, "cannot read checkpoint index ",
                   quote(Path), ": ", errnoMessage(errno));
  }
  json::Value Index;
  std::string JsonError;
  if (!json::parse(Text, Index, JsonError))
    return error(ENCRT_DATA_ERROR, "checkpoint index ", quote(Path),
                 " is not valid JSON: ", JsonError);
  const json::Value *Map = Index.isObject() ? Index.get("weight_map") : nullptr;
  if (!Map || !Map->isObject())
    return error(ENCRT_DATA_ERROR, "checkpoint index ", quote(Path),
                 " has no object \"weight_map\" (a sharded checkpoint's "
                 "model.safetensors.index.json maps tensor names to shards)");
  std::vector<std::string> Shards;
  for (const json::Value::Member &Entry : Map->getObject()) {
    if (!Entry.second.isString())
      return error(ENCRT_DATA_ERROR, "checkpoint index ", quote(Path),
                   ": tensor ", quote(Entry.first),
                   " is not mapped to a file name");
    const std::string &Shard = Entry.second.getString();
    if (Shard.empty() || Shard.find('/') != std::string::npos || Shard == "." ||
        Shard == "..")
      return error(ENCRT_DATA_ERROR, "checkpoint index ", quote(Path),
                   ": tensor ", quote(Entry.first), " is in ", quote(Shard),
                   ", which is not a file name beside the index");
    if (std::find(Shards.begin(), Shards.end(), Shard) == Shards.end())
      Shards.push_back(Shard);
  }
  std::string Directory = directoryOf(Path);
  for (const std::string &Shard : Shards)
    if (encrt_status *S = mapSafetensors(Directory + "/" + Shard, W))
      return S;
  for (const json::Value::Member &Entry : Map->getObject()) {
    const encrt_weights::Tensor *T = W.find(Entry.first);
    if (!T)
      return error(ENCRT_DATA_ERROR, "checkpoint index ", quote(Path),
                   " puts tensor ", quote(Entry.first), " in ",
                   quote(Entry.second.getString()),
                   ", which has no tensor of that name");
  }
  return nullptr;
}

/// A checkpoint directory: model.safetensors, else the index of a sharded
/// one. Pickled checkpoints are named and refused.
encrt_status *mapDirectory(const std::string &Path, encrt_weights &W) {
  std::string Single = Path + "/model.safetensors";
  std::string Index = Path + "/model.safetensors.index.json";
  if (isFile(Single))
    return mapSafetensors(Single, W);
  if (isFile(Index))
    return mapIndex(Index, W);
  for (const char *Pickle :
       {"pytorch_model.bin", "pytorch_model.bin.index.json"})
    if (isFile(Path + "/" + Pickle))
      return error(ENCRT_NOT_FOUND, "checkpoint directory ", quote(Path),
                   " has ", Pickle,
                   " but no model.safetensors; the runtime does not load "
                   "pickles (they can run code): convert the checkpoint to "
                   "safetensors (transformers: save_pretrained(dir, "
                   "safe_serialization=True))");
  return error(ENCRT_NOT_FOUND, "checkpoint directory ", quote(Path),
               " has neither model.safetensors nor "
               "model.safetensors.index.json");
}

bool endsWith(const std::string &S, const char *Suffix) {
  size_t N = std::strlen(Suffix);
  return S.size() >= N && S.compare(S.size() - N, N, Suffix) == 0;
}

encrt_status *openWeights(const char *Path, encrt_weights **Out) {
  auto W = std::make_unique<encrt_weights>();
  W->Path = Path;
  struct stat St;
  encrt_status *S;
  if (stat(Path, &St) == 0 && S_ISDIR(St.st_mode))
    S = mapDirectory(W->Path, *W);
  else if (endsWith(W->Path, ".index.json"))
    S = mapIndex(W->Path, *W);
  else
    S = mapSafetensors(W->Path, *W);
  if (S)
    return S;
  *Out = W.release();
  return nullptr;
}

} // namespace

extern "C" {

encrt_status *encrt_weights_open(const char *Path, encrt_weights **Out) {
  return guard([&]() -> encrt_status * {
    if (!Out)
      return error(ENCRT_INVALID_ARGUMENT,
                   "encrt_weights_open: the output pointer is NULL");
    *Out = nullptr;
    if (!Path)
      return error(ENCRT_INVALID_ARGUMENT, "encrt_weights_open: path is NULL");
    return openWeights(Path, Out);
  });
}

void encrt_weights_retain(encrt_weights *Weights) {
  if (Weights)
    Weights->RefCount.fetch_add(1, std::memory_order_relaxed);
}

void encrt_weights_release(encrt_weights *Weights) {
  if (Weights && Weights->RefCount.fetch_sub(1, std::memory_order_acq_rel) == 1)
    delete Weights;
}

size_t encrt_weights_count(const encrt_weights *Weights) {
  return Weights ? Weights->Tensors.size() : 0;
}

const char *encrt_weights_name(const encrt_weights *Weights, size_t Index) {
  if (!Weights || Index >= Weights->Tensors.size())
    return nullptr;
  return Weights->Tensors[Index].Name.c_str();
}

static encrt_tensor_view viewOf(const encrt_weights::Tensor &T) {
  encrt_tensor_view View{};
  View.dtype = T.DType;
  View.rank = T.Dims.size();
  View.dims = T.Dims.data();
  View.data = T.Data;
  return View;
}

encrt_tensor_view encrt_weights_view(const encrt_weights *Weights,
                                     size_t Index) {
  if (!Weights || Index >= Weights->Tensors.size())
    return encrt_tensor_view{};
  return viewOf(Weights->Tensors[Index]);
}

encrt_status *encrt_weights_find(const encrt_weights *Weights, const char *Name,
                                 encrt_tensor_view *Out) {
  return guard([&]() -> encrt_status * {
    if (!Weights || !Name || !Out)
      return error(ENCRT_INVALID_ARGUMENT,
                   "encrt_weights_find: weights, name and out must be "
                   "non-NULL");
    const encrt_weights::Tensor *T = Weights->find(Name);
    if (!T)
      return error(ENCRT_NOT_FOUND, "weights file ", quote(Weights->Path),
                   " has no tensor named ", quote(Name));
    *Out = viewOf(*T);
    return nullptr;
  });
}

} // extern "C"
