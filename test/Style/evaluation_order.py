#!/usr/bin/python3
"""Finds calls in the compiler's sources that create IR in two or more of
their arguments.

C++ leaves the evaluation order of function arguments unspecified (Clang
goes left to right, GCC right to left), so `f(create(a), create(b))` makes
the two ops in an order that depends on the compiler that built the
compiler, and so does every IR dump, report and lit expectation after it.
Each creation must be a named local first. Braced lists `{create(a),
create(b)}` are evaluated in order and are fine.

An argument creates IR when it contains `::create(`, `.create<`, a call
whose first argument is a builder (`b`, `rewriter`, `builder`, `kb`, ...,
or a GraphBuilder `g`), a GraphBuilder member call (`g.param(...)`), or a
call of one of the file's functions or lambdas that create IR (`widen(x)`,
`vectorOf(g, cls)`), directly or through another such call.

Usage: evaluation_order.py DIR...   (exit 1 with one line per finding)
       evaluation_order.py --expect FILE   (self-test: exactly FILE's lines
                                            marked "unsequenced" are found)
"""

import os
import re
import sys

BUILDERS = (r"(?:b|nb|eb|kb|lb|ib|bb|ob|rewriter|builder|moduleBuilder|inner|outer"
            r"|g|d|top|head)")
# GraphBuilder (`g`, `head`) members create ops, but for the type and
# location accessors.
GRAPH = r"\b(?:g|d|top|head)\.(?!f32\b|location\b|shape\b|builder\b)\w+\("
CREATES = re.compile(r"::create\(|\.create<|" + GRAPH + r"|\b\w+\(\s*" + BUILDERS + r"\s*,")


def strip(text):
    """Comments and string/char literals blanked, lengths kept."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * (j - i - 1) + (c if j < n else ""))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def arguments(text, open_at):
    """Top-level arguments of the parenthesis at `open_at`."""
    depth, start, args = 0, open_at + 1, []
    pairs = {"(": ")", "[": "]", "{": "}"}
    closing = set(pairs.values())
    i = open_at
    while i < len(text):
        c = text[i]
        if c in pairs:
            depth += 1
        elif c in closing:
            depth -= 1
            if depth == 0:
                args.append(text[start:i])
                return args, i
        elif c == "," and depth == 1:
            args.append(text[start:i])
            start = i + 1
        elif c == "<" and depth >= 1:
            pass
        i += 1
    return args, len(text)


# A function or method definition's head at the start of a line: `Value repeat(`,
# `static SmallVector<Value> rows(`, `Value Foo::bar(`.
DEFINITION = re.compile(r"^[ \t]*[A-Za-z_][\w:<>,\s\*&]*?[\s\*&](?:\w+::)*(\w+)\(", re.M)


def bodies(text):
    """(name, body) of the file's lambdas (`auto widen = [&](Value x) {...}`)
    and functions."""
    for match in re.finditer(r"\bauto\s+(\w+)\s*=\s*\[", text):
        body = text.find("{", match.end())
        if body >= 0:
            _, end = arguments(text, body)
            yield match.group(1), text[body:end]
    for match in DEFINITION.finditer(text):
        _, close = arguments(text, match.end() - 1)
        after = re.match(r"\s*(?:const\s*)?(?:override\s*)?\{", text[close + 1:])
        if after:
            body = close + 1 + after.end() - 1
            _, end = arguments(text, body)
            yield match.group(1), text[body:end]


def creating_calls(text):
    """The names of the file's functions and lambdas that create IR, to a
    fixed point (one that calls such a function creates IR too)."""
    found = list(bodies(text))
    names = set()
    while True:
        calls = re.compile(r"\b(?:" + "|".join(sorted(names)) + r")\(") if names else None
        more = {name for name, body in found if name not in names and
                (CREATES.search(body) or (calls and calls.search(body)))}
        if not more:
            return names
        names |= more


def findings(path):
    text = strip(open(path, encoding="utf-8").read())
    names = creating_calls(text)
    calls = re.compile(r"\b(?:" + "|".join(sorted(names)) + r")\(") if names else None

    def creates(argument):
        return CREATES.search(argument) or (calls and calls.search(argument))

    for match in re.finditer(r"[\w>\]]\s*\(", text):
        open_at = match.end() - 1
        # A braced list's elements are sequenced; a parenthesized one's not.
        args, _ = arguments(text, open_at)
        # A lambda's body does not run while the arguments are evaluated.
        creating = [a for a in args
                    if creates(a) and not a.lstrip().startswith("[")]
        if len(creating) >= 2:
            line = text.count("\n", 0, open_at) + 1
            yield line


def expect(path):
    """The findings in `path` are exactly its lines marked "unsequenced"."""
    marked = {number for number, line in
              enumerate(open(path, encoding="utf-8"), start=1)
              if re.search(r"//\s*unsequenced", line)}
    found = set(findings(path))
    for line in sorted(marked - found):
        print(f"{path}:{line}: not reported")
    for line in sorted(found - marked):
        print(f"{path}:{line}: reported, but not marked unsequenced")
    return 0 if marked == found and marked else 1


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--expect":
        return expect(sys.argv[2])
    bad = 0
    for root in sys.argv[1:]:
        for directory, _, files in os.walk(root):
            for name in sorted(files):
                if not name.endswith((".cpp", ".h")):
                    continue
                path = os.path.join(directory, name)
                for line in sorted(set(findings(path))):
                    print(f"{path}:{line}: two arguments of one call create IR; "
                          "name them as locals first (unspecified order)")
                    bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
