#!/usr/bin/env python3
"""Turns a share of the spec references in a generated workspace into broken ones, each a
different ID, so `check` has to suggest neighbours for thousands of distinct broken IDs.

    python3 benches/break_refs.py /tmp/ws10k-many --rate 0.5

A benchmark helper: it edits the copy it is given in place (work on a copy of the output of
`gen_corpus.py workspace`). The IDs it writes exist nowhere: numbers above every existing one,
some with a digit added or dropped, as typos would make them.
"""
import argparse
import os
import random
import re

REF = re.compile(r"\[(CMP|DES|DEPLOY)-(\d+)\]")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--rate", type=float, default=0.5, help="share of references to break")
    ap.add_argument("--seed", type=int, default=12)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    paths = []
    for root, _, files in os.walk(os.path.join(args.dir, "docs", "specs")):
        paths += [os.path.join(root, f) for f in files if f.endswith(".md")]
    paths.sort()
    top = {}
    for p in paths:
        prefix, number = os.path.basename(p).split("-")[:2]
        top[prefix.upper()] = max(top.get(prefix.upper(), 0), int(number))
    broken = total = 0

    def swap(m: re.Match) -> str:
        nonlocal broken, total
        total += 1
        if rng.random() >= args.rate:
            return m.group(0)
        broken += 1
        prefix = m.group(1)
        n = rng.randint(top.get(prefix, 1) + 1, top.get(prefix, 1) * 3 + 1000)
        return f"[{prefix}-{n:03d}]"

    for p in paths:
        with open(p, encoding="utf-8") as f:
            text = f.read()
        new = REF.sub(swap, text)
        if new != text:
            with open(p, "w", encoding="utf-8", newline="\n") as f:
                f.write(new)
    print(f"{broken} of {total} references broken in {len(paths)} files")


if __name__ == "__main__":
    main()
