#!/usr/bin/python3
"""Splits `encoder-compile --emit=ptx` output into one file per kernel
module (for ptxas, which takes one module per file).

  split_ptx.py ALL.ptx OUT_DIR
"""

import os
import sys


def main():
    source, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    current, count = None, 0
    for line in open(source):
        if line.startswith("// kernel module "):
            if current:
                current.close()
            name = line.split()[3]
            current = open(os.path.join(out, name + ".ptx"), "w")
            count += 1
        if current:
            current.write(line)
    if current:
        current.close()
    if count == 0:
        sys.exit("split_ptx.py: no kernel module in " + source)


if __name__ == "__main__":
    main()
