#!/usr/bin/python3
"""Checks the project's layering: who may include whom, and who may spell
an enc attribute's name.

Each folder of the compiler is a stage or a target with its own CMake
library (docs/architecture.md). Link dependencies already stop a stage
from calling a later one; this check also stops it from including one
(a header-only use links fine), so that, e.g., CPU code generation cannot
come to depend on the CUDA kernels. Relative includes that climb out of a
folder (`../`) are refused for the same reason.

The attributes the compiler puts on other dialects' ops are declared on
the dialect (dialects/Enc/IR/EncBase.td, `discardableAttrs`) and named
through EncAttributeNames.h: no other file may write one of those names
as a string literal.

Usage: layering.py ROOT              (exit 1 with one line per finding)
       layering.py --expect FILE ROOT
           self-test: FILE is checked as if it were at the path in its first
           line (`// as: lib/...`); exactly its lines marked "// violation:"
           must be found.
"""

import os
import re
import sys

# Folder prefix -> the include prefixes (project headers) it may use. The
# first matching prefix wins. Upstream headers are not this check's
# concern (the runtime's freedom from LLVM is check-no-llvm.sh's).
ENC_IR = "Enc/IR/"
ABI = "encoder/ABI/"
RULES = [
    ("dialects/Enc/IR/", [ENC_IR]),
    ("include/encoder/ABI/", []),
    ("lib/Runtime/", [ABI, "encoder/Runtime/"]),
    ("include/encoder/Runtime/", []),
    ("lib/Graph/", [ENC_IR, "encoder/Graph/"]),
    ("include/encoder/Graph/", [ENC_IR]),
    ("lib/Conversion/", [ENC_IR, "encoder/Conversion/", "encoder/Target/TargetInfo.h"]),
    ("include/encoder/Conversion/", [ENC_IR, "encoder/Target/TargetInfo.h"]),
    ("lib/Codegen/Common/", [ENC_IR, ABI, "encoder/Codegen/Common/", "encoder/Target/TargetInfo.h"]),
    ("include/encoder/Codegen/Common/", [ENC_IR, ABI, "encoder/Target/TargetInfo.h"]),
    ("lib/Codegen/CPU/", [ENC_IR, ABI, "encoder/Codegen/Common/", "encoder/Codegen/CPU/",
                          "encoder/Conversion/", "encoder/Target/TargetInfo.h"]),
    ("include/encoder/Codegen/CPU/", [ENC_IR, "encoder/Conversion/", "encoder/Target/TargetInfo.h"]),
    ("lib/Codegen/CUDA/", [ENC_IR, ABI, "encoder/Codegen/Common/", "encoder/Codegen/CUDA/",
                           "encoder/Conversion/", "encoder/Target/TargetInfo.h"]),
    ("include/encoder/Codegen/CUDA/", [ENC_IR, "encoder/Conversion/", "encoder/Target/TargetInfo.h"]),
    ("include/encoder/Target/TargetInfo.h", []),
]

# Project headers are reached through these roots (include/, dialects/);
# other paths are a library's own folder or upstream's, which the include
# directories of each CMake target already confine.
PROJECT = ("encoder/", "Enc/")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def attribute_names(root):
    """The enc.<name> of every discardable attribute the dialect declares."""
    td = open(os.path.join(root, "dialects/Enc/IR/EncBase.td")).read()
    block = re.search(r"discardableAttrs\s*=\s*\(ins(.*?)\);", td, re.S)
    if not block:
        sys.exit("layering.py: no discardableAttrs in EncBase.td")
    return {"enc." + n for n in re.findall(r"\$(\w+)", block.group(1))}


def rule_for(path):
    for prefix, allowed in RULES:
        if path.startswith(prefix):
            # Every file may use its own folder's headers and the
            # header-only helpers of encoder/Support/.
            own = os.path.dirname(path).replace("include/", "", 1) + "/"
            return allowed + [own, "encoder/Support/"]
    return None


def check(path, lines, names, out):
    allowed = rule_for(path)
    literal = re.compile(r'"(%s)"' % "|".join(re.escape(n) for n in sorted(names)))
    owner = path.startswith("dialects/Enc/IR/")
    for number, line in enumerate(lines, 1):
        code = line.split("//", 1)[0]
        m = INCLUDE.match(code)
        if m:
            target = m.group(1)
            if "../" in target:
                out.append((path, number, "relative include climbs out of its folder: " + target))
            elif allowed is not None and target.startswith(PROJECT) and not any(
                    target.startswith(a) for a in allowed):
                out.append((path, number, "may not include " + target))
        if not owner:
            hit = literal.search(code)
            if hit:
                out.append((path, number, "spells attribute %s: use EncAttributeNames.h" % hit.group(1)))


def sources(root):
    for top in ("dialects", "include", "lib", "tools", "python-bindings/src"):
        for folder, _, files in os.walk(os.path.join(root, top)):
            for name in files:
                if name.endswith((".h", ".cpp", ".c")):
                    full = os.path.join(folder, name)
                    yield os.path.relpath(full, root), full


def main(argv):
    if len(argv) == 4 and argv[1] == "--expect":
        root = argv[3]
        lines = open(argv[2]).read().splitlines()
        as_path = re.match(r"// as: (\S+)", lines[0]).group(1)
        found = []
        check(as_path, lines, attribute_names(root), found)
        got = sorted(n for _, n, _ in found)
        want = sorted(i for i, l in enumerate(lines, 1) if "// violation:" in l)
        if got != want:
            print("layering.py self-test: expected lines %s, found %s" % (want, got))
            for p, n, what in found:
                print("  %d: %s" % (n, what))
            return 1
        return 0
    if len(argv) != 2:
        print(__doc__)
        return 2
    root = argv[1]
    names = attribute_names(root)
    found = []
    for rel, full in sorted(sources(root)):
        with open(full, errors="replace") as f:
            check(rel, f.read().splitlines(), names, found)
    for path, number, what in found:
        print("%s:%d: %s" % (path, number, what))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
