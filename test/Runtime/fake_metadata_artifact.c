/*===- fake_metadata_artifact.c - An artifact with patchable metadata -----===*
 *
 * Its `enc_artifact_metadata` is a writable buffer: a test dlopens this
 * object itself, writes the metadata it wants to check into the buffer and
 * then loads the same file with encrt_artifact_load, which gets the same,
 * patched copy from dlopen. One object thus covers every metadata case that
 * needs no entry point beyond `fake_main` (a no-op).
 *
 *===----------------------------------------------------------------------===*/

#include <stdint.h>

#define EXPORT __attribute__((visibility("default")))

EXPORT char enc_artifact_metadata[1 << 14] =
    "{\"format\": \"encoder-artifact\", \"abi_version\": 1, "
    "\"target\": {\"kind\": \"cpu\"}, "
    "\"functions\": [{\"name\": \"main\", \"entry\": \"fake_main\", "
    "\"inputs\": [], \"params\": [], \"outputs\": []}]}";

EXPORT void fake_main(void *const *Args, void *Results) {
  (void)Args;
  (void)Results;
}

/* fake_echoR: returns its first argument (a parameter of rank R) as its one
 * result. The result aliases the argument, so the runtime copies it: tests
 * read back exactly what the entry point was given, whatever the dtype. */
static void echo(void *const *Args, void *Results, int Rank) {
  const int64_t *In = (const int64_t *)Args[0];
  int64_t *Out = (int64_t *)Results;
  for (int I = 0; I < 3 + 2 * Rank; ++I)
    Out[I] = In[I];
}

EXPORT void fake_echo1(void *const *Args, void *Results) {
  echo(Args, Results, 1);
}
EXPORT void fake_echo2(void *const *Args, void *Results) {
  echo(Args, Results, 2);
}
EXPORT void fake_echo3(void *const *Args, void *Results) {
  echo(Args, Results, 3);
}
