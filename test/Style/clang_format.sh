#!/bin/sh
# clang_format.sh ROOT [--fix]
#
# Every C and C++ file git tracks is as clang-format 22 formats it
# (.clang-format: LLVM style). With --fix, formats them in place. Pinned to
# clang-format-22 (scripts/install-deps.sh installs it): other versions
# format some constructs differently. Self-test inputs (test/Style/Inputs)
# are left as written.
set -u
root=$1
mode=${2:-check}
format=$(command -v clang-format-22 || echo /usr/lib/llvm-22/bin/clang-format)
if [ ! -x "$format" ]; then
  echo "error: clang-format-22 is not installed (scripts/install-deps.sh)"
  exit 1
fi
cd "$root" || exit 1
files=$(git ls-files '*.c' '*.h' '*.cpp' | grep -v '^test/Style/Inputs/')
if [ "$mode" = --fix ]; then
  echo "$files" | xargs "$format" -i
  exit 0
fi
status=0
for f in $files; do
  if ! "$format" --dry-run -Werror "$f" >/dev/null 2>&1; then
    echo "$f: not clang-format clean (test/Style/clang_format.sh $root --fix)"
    status=1
  fi
done
exit $status
