//===- Inputs.cpp - A call's inputs as the compiled code takes them
//---------===//

#include "Inputs.h"

#include "Buffer.h"
#include "Convert.h"
#include "Status.h"
#include "Types.h"

#include <cstring>

using namespace encrt;

namespace {

std::string describe(const encrt_function &F, size_t Index) {
  return strCat("input ", quote(F.Inputs[Index]->Name), " (#", Index,
                ") of function ", quote(F.Name));
}

/// "[1, 2]" for flat element `Flat` of a tensor of `Dims`.
std::string elementIndex(const int64_t *Dims, size_t Rank, size_t Flat) {
  std::vector<int64_t> Index(Rank);
  for (size_t I = Rank; I-- > 0;) {
    Index[I] = static_cast<int64_t>(Flat % static_cast<size_t>(Dims[I]));
    Flat /= static_cast<size_t>(Dims[I]);
  }
  std::string Out = "[";
  for (size_t I = 0; I < Rank; ++I)
    Out += strCat(I ? ", " : "", Index[I]);
  return Out + "]";
}

encrt_status *convertInput(const encrt_function &F, size_t Index,
                           const encrt_tensor_view &View, PreparedInputs &Out) {
  encrt_dtype To = F.Inputs[Index]->Info.dtype;
  size_t Bytes = 0;
  if (encrt_status *S = checkView(&View, describe(F, Index), Bytes))
    return S;
  size_t Count = Bytes / encrt_dtype_size(View.dtype);
  Out.Storage.emplace_back(allocateTensorMemory(Count * encrt_dtype_size(To)));
  size_t Bad = 0;
  if (!convertElements(View.data, View.dtype, Out.Storage.back().get(), To,
                       Count, Bad))
    return error(ENCRT_INVALID_ARGUMENT, describe(F, Index), ": element ",
                 elementIndex(View.dims, View.rank, Bad), " is ",
                 loadInteger(View.data, View.dtype, Bad),
                 ", which the input's dtype ", encrt_dtype_name(To),
                 " cannot hold");
  Out.Views[Index].dtype = To;
  Out.Views[Index].data = Out.Storage.back().get();
  return nullptr;
}

/// The size of dimension `Name` in the inputs the caller gave, or -1.
int64_t namedSize(const encrt_function &F, const encrt_tensor_view *Inputs,
                  const std::string &Name) {
  for (size_t J = 0; J < F.Inputs.size(); ++J) {
    const ValueDesc &Other = *F.Inputs[J];
    const encrt_tensor_view &View = Inputs[J];
    if (isOmitted(View) || Other.DimNames.empty() ||
        View.rank != Other.Dims.size())
      continue;
    for (size_t D = 0; D < View.rank; ++D)
      if (Other.DimNames[D] == Name && View.dims[D] >= 0)
        return View.dims[D];
  }
  return -1;
}

void fillOnes(void *Data, encrt_dtype DType, size_t Count) {
  size_t Size = encrt_dtype_size(DType);
  char One[8] = {};
  switch (DType) {
  case ENCRT_F32: {
    float V = 1;
    std::memcpy(One, &V, sizeof(V));
    break;
  }
  case ENCRT_F64: {
    double V = 1;
    std::memcpy(One, &V, sizeof(V));
    break;
  }
  case ENCRT_F16:
    One[1] = 0x3c; // 0x3c00, little-endian
    break;
  case ENCRT_BF16:
    One[1] = 0x3f; // 0x3f80
    One[0] = static_cast<char>(0x80);
    break;
  default: // integers and bool: 1 in the low byte
    One[0] = 1;
    break;
  }
  for (size_t I = 0; I < Count; ++I)
    std::memcpy(static_cast<char *>(Data) + I * Size, One, Size);
}

encrt_status *fillOmitted(const encrt_function &F, size_t Index,
                          const encrt_tensor_view *Inputs,
                          PreparedInputs &Out) {
  const ValueDesc &Desc = *F.Inputs[Index];
  const encrt_value_info &Info = Desc.Info;
  if (Info.default_fill == ENCRT_DEFAULT_NONE)
    return error(ENCRT_INVALID_ARGUMENT, describe(F, Index),
                 " is omitted, but it has no default and must be given");
  std::vector<int64_t> &Dims = Out.FilledDims.emplace_back(Desc.Dims);
  for (size_t D = 0; D < Dims.size(); ++D) {
    if (Dims[D] != ENCRT_DYNAMIC_DIM)
      continue;
    std::string Name = Desc.DimNames.empty() ? "" : Desc.DimNames[D];
    if (Name.empty())
      return error(ENCRT_INVALID_ARGUMENT, describe(F, Index),
                   " is omitted, but its dynamic dimension ", D,
                   " has no name through which another input gives its size");
    Dims[D] = namedSize(F, Inputs, Name);
    if (Dims[D] < 0)
      return error(ENCRT_INVALID_ARGUMENT, describe(F, Index),
                   " is omitted, but no input given has a dimension ",
                   quote(Name), " to take its size from");
  }
  size_t Bytes = 0;
  if (!checkedByteSize(Info.dtype, Dims.data(), Dims.size(), Bytes))
    return error(ENCRT_INVALID_ARGUMENT, describe(F, Index),
                 " is omitted, and its default of shape ",
                 formatType(Info.dtype, Dims.data(), Dims.size()),
                 " is too large");
  Out.Storage.emplace_back(allocateTensorMemory(Bytes));
  void *Data = Out.Storage.back().get();
  if (Info.default_fill == ENCRT_DEFAULT_ZEROS)
    std::memset(Data, 0, Bytes);
  else
    fillOnes(Data, Info.dtype, Bytes / encrt_dtype_size(Info.dtype));
  encrt_tensor_view &View = Out.Views[Index];
  View.dtype = Info.dtype;
  View.rank = Dims.size();
  View.dims = Dims.data();
  // A tensor without elements still needs a non-NULL pointer to tell it
  // from an omitted one.
  static const int64_t NoElements = 0;
  View.data = Data ? Data : &NoElements;
  return nullptr;
}

} // namespace

encrt_status *encrt::prepareInputs(const encrt_function &F,
                                   const encrt_tensor_view *Inputs,
                                   PreparedInputs &Out) {
  size_t N = F.Inputs.size();
  Out.Views.assign(Inputs, Inputs + N);
  for (size_t I = 0; I < N; ++I) {
    const encrt_tensor_view &View = Inputs[I];
    if (isOmitted(View))
      continue;
    encrt_dtype To = F.Inputs[I]->Info.dtype;
    if (isValidDType(View.dtype) && View.dtype != To &&
        isIntegerDType(View.dtype) && isIntegerDType(To))
      if (encrt_status *S = convertInput(F, I, View, Out))
        return S;
  }
  for (size_t I = 0; I < N; ++I)
    if (isOmitted(Inputs[I]))
      if (encrt_status *S = fillOmitted(F, I, Inputs, Out))
        return S;
  return nullptr;
}
