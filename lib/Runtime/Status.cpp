//===- Status.cpp - Error objects of the runtime C API --------------------===//
//
// encrt_status is a code plus a one-line message. Out-of-memory is reported
// through a static object so that reporting it cannot itself fail.
//
//===----------------------------------------------------------------------===//

#include "Status.h"

#include <cstring>

using namespace encrt;

static encrt_status OutOfMemory{ENCRT_INTERNAL, std::string()};

encrt_status *encrt::outOfMemoryStatus() { return &OutOfMemory; }

encrt_status *encrt::makeStatus(encrt_status_code Code, std::string Message) {
  // Messages are documented to be one line; file names or dlerror() text
  // could smuggle in line breaks.
  for (char &C : Message)
    if (C == '\n' || C == '\r')
      C = ' ';
  try {
    return new encrt_status{Code, std::move(Message)};
  } catch (const std::bad_alloc &) {
    return outOfMemoryStatus();
  }
}

std::string encrt::quote(std::string_view Text) {
  std::string Out;
  Out.reserve(Text.size() + 2);
  Out.push_back('\'');
  Out.append(Text);
  Out.push_back('\'');
  return Out;
}

std::string encrt::errnoMessage(int Errno) {
  char Buf[256];
  // GNU strerror_r may return a static string instead of filling Buf.
  const char *Msg = strerror_r(Errno, Buf, sizeof(Buf));
  return Msg ? std::string(Msg) : std::string("unknown error");
}

extern "C" {

encrt_status_code encrt_status_get_code(const encrt_status *Status) {
  return Status ? Status->Code : ENCRT_INTERNAL;
}

const char *encrt_status_message(const encrt_status *Status) {
  if (!Status)
    return "";
  if (Status == &OutOfMemory)
    return "out of memory";
  return Status->Message.c_str();
}

void encrt_status_free(encrt_status *Status) {
  if (Status != &OutOfMemory)
    delete Status;
}

} // extern "C"
