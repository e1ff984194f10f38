//===- Status.h - Error objects and the C API boundary ----------*- C++ -*-===//
//
// Internal to libencrt. Every fallible C entry point returns an encrt_status*
// built here, and runs its body inside guard() so that no C++ exception
// crosses into C callers.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_RUNTIME_STATUS_H
#define ENCODER_LIB_RUNTIME_STATUS_H

#include "encoder/Runtime/Runtime.h"

#include <cstdint>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>

struct encrt_status {
  encrt_status_code Code;
  std::string Message;
};

namespace encrt {

/// Builds an error; the message is flattened to one line.
encrt_status *makeStatus(encrt_status_code Code, std::string Message);

/// A statically allocated status for when even building an error fails.
encrt_status *outOfMemoryStatus();

inline void appendPart(std::string &Out, std::string_view Part) {
  Out.append(Part);
}
inline void appendPart(std::string &Out, const char *Part) {
  Out.append(Part ? Part : "(null)");
}
inline void appendPart(std::string &Out, const std::string &Part) {
  Out.append(Part);
}
template <typename T, typename = std::enable_if_t<std::is_integral_v<T> &&
                                                  !std::is_same_v<T, char> &&
                                                  !std::is_same_v<T, bool>>>
void appendPart(std::string &Out, T Value) {
  Out.append(std::to_string(Value));
}

/// Concatenates strings and integers (no locale, no streams).
template <typename... Ts> std::string strCat(const Ts &...Parts) {
  std::string Out;
  (appendPart(Out, Parts), ...);
  return Out;
}

/// Shorthand for makeStatus(Code, strCat(Parts...)).
template <typename... Ts>
encrt_status *error(encrt_status_code Code, const Ts &...Parts) {
  return makeStatus(Code, strCat(Parts...));
}

/// 'text' with single quotes, as used to name files, functions and values in
/// messages.
std::string quote(std::string_view Text);

/// The message for errno value `Errno` (strerror, thread-safe).
std::string errnoMessage(int Errno);

/// Runs `Body` (returning encrt_status*) and turns any exception into an
/// INTERNAL status: the C API must never throw.
template <typename Fn> encrt_status *guard(Fn &&Body) noexcept {
  try {
    return Body();
  } catch (const std::bad_alloc &) {
    return outOfMemoryStatus();
  } catch (...) {
    try {
      return makeStatus(ENCRT_INTERNAL, "internal error: unexpected exception "
                                        "in the encoder runtime");
    } catch (...) {
      return outOfMemoryStatus();
    }
  }
}

} // namespace encrt

#endif // ENCODER_LIB_RUNTIME_STATUS_H
