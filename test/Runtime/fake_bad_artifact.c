/*===- fake_bad_artifact.c - Broken artifacts for runtime tests -----------===*
 *
 * One source, several shared objects, each wrong in one way the loader must
 * report: FAKE_BAD_JSON (metadata is not JSON), FAKE_BAD_ABI (an ABI version
 * the runtime does not know), FAKE_OLD_CUDA_ABI (a CUDA artifact of version
 * 1, whose buffers were managed memory), FAKE_NO_ENTRY (metadata names an entry
 * point that is not exported), FAKE_NO_METADATA (an ordinary shared object),
 * FAKE_READONLY_HOOKS (`enc_runtime_hooks` is const, so the runtime cannot
 * write it) and FAKE_SMALL_HOOKS (`enc_runtime_hooks` is too small).
 *
 *===----------------------------------------------------------------------===*/

#include <stdint.h>

#define EXPORT __attribute__((visibility("default")))

#define FAKE_FUNCTIONS                                                         \
  "\"functions\": [{\"name\": \"main\", \"entry\": \"fake_main\", "            \
  "\"inputs\": [], \"params\": [], \"outputs\": []}]"

#if defined(FAKE_BAD_JSON)
EXPORT const char enc_artifact_metadata[] =
    "{\"format\": \"encoder-artifact\", \"abi_version\": 1, \"target\": ";
#elif defined(FAKE_BAD_ABI)
EXPORT const char enc_artifact_metadata[] =
    "{\"format\": \"encoder-artifact\", \"abi_version\": 99, "
    "\"target\": {\"kind\": \"cpu\"}, " FAKE_FUNCTIONS "}";
#elif defined(FAKE_OLD_CUDA_ABI)
EXPORT const char enc_artifact_metadata[] =
    "{\"format\": \"encoder-artifact\", \"abi_version\": 1, "
    "\"target\": {\"kind\": \"cuda\", \"gpu_arch\": \"sm_90\"}, " FAKE_FUNCTIONS
    "}";
#elif defined(FAKE_NO_ENTRY)
EXPORT const char enc_artifact_metadata[] =
    "{\"format\": \"encoder-artifact\", \"abi_version\": 1, "
    "\"target\": {\"kind\": \"cpu\"}, "
    "\"functions\": [{\"name\": \"main\", \"entry\": \"not_exported\", "
    "\"inputs\": [], \"params\": [], \"outputs\": []}]}";
#elif defined(FAKE_READONLY_HOOKS) || defined(FAKE_SMALL_HOOKS)
EXPORT const char enc_artifact_metadata[] =
    "{\"format\": \"encoder-artifact\", \"abi_version\": 1, "
    "\"target\": {\"kind\": \"cpu\"}, " FAKE_FUNCTIONS "}";
struct enc_runtime_hooks {
  void (*parallel_for)(void (*)(void *, int64_t, int64_t), void *, int64_t,
                       int64_t, int64_t);
};
#if defined(FAKE_READONLY_HOOKS)
/* Initialized with a relocated pointer so that it cannot live in .bss. */
static void notAHook(void (*Body)(void *, int64_t, int64_t), void *Context,
                     int64_t Count, int64_t Kernel, int64_t Flops) {
  (void)Kernel;
  (void)Flops;
  Body(Context, 0, Count);
}
EXPORT const struct enc_runtime_hooks enc_runtime_hooks = {notAHook};
#else
EXPORT char enc_runtime_hooks[4];
#endif
#elif !defined(FAKE_NO_METADATA)
#error "define one of the FAKE_ variants listed above"
#endif

EXPORT void fake_main(void *const *Args, void *Results) {
  (void)Args;
  (void)Results;
}
