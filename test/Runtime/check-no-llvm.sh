#!/bin/sh
# check-no-llvm.sh LIBENCRT ENCODER_RUN
#
# The runtime ships without MLIR and LLVM: neither libencrt.so nor
# encoder-run may need an MLIR or LLVM shared library or refer to an mlir::
# or llvm:: symbol. libencrt.so must also export nothing but the encrt_ C API.
set -u

READELF=readelf
NM=nm
command -v "$READELF" >/dev/null 2>&1 || READELF=llvm-readelf-22
command -v "$NM" >/dev/null 2>&1 || NM=llvm-nm-22

status=0
for file in "$@"; do
  if ! needed=$("$READELF" -d "$file" | grep NEEDED); then
    echo "error: $file has no NEEDED entries or cannot be read"
    status=1
    continue
  fi
  echo "$file needs:"
  echo "$needed"
  if echo "$needed" | grep -Ei 'libMLIR|libLLVM'; then
    echo "error: $file needs an MLIR or LLVM library"
    status=1
  fi
  if ! undefined=$("$NM" -D --undefined-only -C "$file"); then
    echo "error: cannot list the undefined symbols of $file"
    status=1
    continue
  fi
  if echo "$undefined" | grep -E 'mlir::|llvm::'; then
    echo "error: $file refers to MLIR or LLVM symbols"
    status=1
  fi
done

# Defined dynamic symbols of the library: only the C API.
lib=$1
exported=$("$NM" -D --defined-only "$lib" | awk '{print $3}')
if [ -z "$exported" ]; then
  echo "error: $lib exports nothing"
  status=1
fi
other=$(echo "$exported" | grep -v '^encrt_')
if [ -n "$other" ]; then
  echo "error: $lib exports symbols outside the C API:"
  echo "$other"
  status=1
fi

[ "$status" -eq 0 ] && echo "ok: no MLIR or LLVM dependency"
exit "$status"
