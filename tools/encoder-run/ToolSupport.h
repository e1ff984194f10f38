//===- ToolSupport.h - encoder-run: errors and owning pointers --*- C++ -*-===//

#ifndef ENCODER_TOOLS_ENCODER_RUN_TOOLSUPPORT_H
#define ENCODER_TOOLS_ENCODER_RUN_TOOLSUPPORT_H

#include "encoder/Runtime/Runtime.h"

#include <memory>
#include <string>

namespace encoder_run {

/// A failure to report: one message line and the exit code.
struct ToolError {
  std::string Message;
  int ExitCode;
};

[[noreturn]] inline void fail(std::string Message) {
  throw ToolError{std::move(Message), 1};
}
[[noreturn]] inline void usageError(std::string Message) {
  throw ToolError{std::move(Message), 2};
}

/// Turns a runtime status into a ToolError.
inline void check(encrt_status *S) {
  if (!S)
    return;
  std::string Message = encrt_status_message(S);
  encrt_status_free(S);
  fail(Message);
}

template <typename T, void (*Release)(T *)> struct Releaser {
  void operator()(T *P) const { Release(P); }
};
using ArtifactPtr =
    std::unique_ptr<encrt_artifact,
                    Releaser<encrt_artifact, encrt_artifact_release>>;
using ModulePtr =
    std::unique_ptr<encrt_module, Releaser<encrt_module, encrt_module_release>>;
using WeightsPtr =
    std::unique_ptr<encrt_weights,
                    Releaser<encrt_weights, encrt_weights_release>>;
using BufferPtr =
    std::unique_ptr<encrt_buffer, Releaser<encrt_buffer, encrt_buffer_release>>;

inline std::string quote(const std::string &S) { return "'" + S + "'"; }

} // namespace encoder_run

#endif // ENCODER_TOOLS_ENCODER_RUN_TOOLSUPPORT_H
