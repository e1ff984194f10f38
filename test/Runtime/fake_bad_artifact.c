/*===- fake_bad_artifact.c - Broken artifacts for runtime tests -----------===*
 *
 * One source, several shared objects, each wrong in one way the loader must
 * report: FAKE_BAD_JSON (metadata is not JSON), FAKE_BAD_ABI (an ABI version
 * the runtime does not know), FAKE_NO_ENTRY (metadata names an entry point
 * that is not exported) and FAKE_NO_METADATA (an ordinary shared object).
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
#elif defined(FAKE_NO_ENTRY)
EXPORT const char enc_artifact_metadata[] =
    "{\"format\": \"encoder-artifact\", \"abi_version\": 1, "
    "\"target\": {\"kind\": \"cpu\"}, "
    "\"functions\": [{\"name\": \"main\", \"entry\": \"not_exported\", "
    "\"inputs\": [], \"params\": [], \"outputs\": []}]}";
#elif !defined(FAKE_NO_METADATA)
#error                                                                         \
    "define one of FAKE_BAD_JSON, FAKE_BAD_ABI, FAKE_NO_ENTRY, FAKE_NO_METADATA"
#endif

EXPORT void fake_main(void *const *Args, void *Results) {
  (void)Args;
  (void)Results;
}
