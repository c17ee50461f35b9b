#!/usr/bin/env python3
"""Builds the fuzz corpora in fuzz/corpus/<target>/ from the repository's Markdown (tests/,
docs/) and, when present, the shared real-world runbooks (../shared/corpus/realworld, or the
folders given as arguments). Generated, not committed: run it again after a checkout.

Inputs follow the formats in fuzz/src/lib.rs: `analysis` gets a 6-byte configuration header in
front of the text, `edits` a flags byte, the document and a few edits, `positions` 8 probe bytes
in front of the text. Documents are cut at blank lines into pieces that fit the -max_len the
README uses, so libFuzzer does not truncate them into the middle of a section.
"""

import hashlib
import pathlib
import sys

FUZZ = pathlib.Path(__file__).resolve().parent
ROOT = FUZZ.parent
CORPUS = FUZZ / "corpus"

# (target, piece size)
SIZES = {"analysis": 4000, "edits": 2000, "positions": 500}

# Headers of the analysis target: defaults; a deploy- path, explicit, authoritative index with
# the text's own entry and CMP-001; UTF-8 positions, rendered output, odd prefixes, rules.
ANALYSIS_HEADERS = [bytes(6), bytes([0x9D, 0x00, 0x00, 0x00, 0x00, 0x41]),
                    bytes([0xB1, 0x87, 0xC0, 0x24, 0xA5, 0xDA])]

# Edits: (at_hi, at_lo, del|flags, inserted text).
EDITS = [
    (0, 40, 0x40, b"```\n"),
    (0, 41, 0x44, b""),
    (1, 0, 0x40, b"<!-- deployspec-disable DP020 -->\n"),
    (0, 7, 0x01, b"\r\n## Rollback\n"),
    (0, 90, 0x43, "\u65e5\u672c\U0001F600e\u0301".encode()),
]


def pieces(text: bytes, size: int):
    out, cur = [], b""
    for block in text.split(b"\n\n"):
        block += b"\n\n"
        if cur and len(cur) + len(block) > size:
            out.append(cur)
            cur = b""
        cur += block[:size]
    if cur.strip():
        out.append(cur)
    return out


def write(target: str, data: bytes):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def main():
    dirs = [ROOT / "tests", ROOT / "docs"]
    dirs += [pathlib.Path(a) for a in sys.argv[1:]] or [ROOT.parent / "shared/corpus/realworld"]
    files = sorted(f for d in dirs if d.is_dir() for f in d.rglob("*.md"))
    for f in files:
        text = f.read_bytes()
        for i, p in enumerate(pieces(text, SIZES["analysis"])):
            write("analysis", ANALYSIS_HEADERS[i % len(ANALYSIS_HEADERS)] + p)
        for i, p in enumerate(pieces(text, SIZES["edits"])):
            e = b"".join(b"\xff" + bytes([a, b, c]) + t for a, b, c, t in
                         EDITS[i % 3: i % 3 + 3])
            write("edits", bytes([i % 8]) + p + e)
        for i, p in enumerate(pieces(text, SIZES["positions"])[:4]):
            write("positions", bytes([i, 3, 1, 250, 0, 7, 63, 1]) + p)
    write("positions", bytes(8) + "a\U0001F600b\r\n\u65e5\u672c\u8a9e [CMP-001]\re\u0301x\n\nlast".encode())
    for f in sorted((FUZZ / "seeds/config").iterdir()):
        write("config", f.read_bytes())
    for t in ["analysis", "edits", "positions", "config"]:
        print(t, len(list((CORPUS / t).iterdir())), "inputs")


if __name__ == "__main__":
    main()
