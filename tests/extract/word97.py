"""A minimal real Word 97 binary (.doc), written here because no .doc writer is installed.

The WordDocument stream holds a FIB (nFib 0xC1) and the text; the 1Table stream holds the
piece table (one piece: UTF-16LE, or 8-bit "compressed" text); both sit in a CFB v3 file with
512-byte sectors, each stream padded past the 4096-byte mini-stream cutoff. No styles, fonts or
paragraph properties: enough for antiword and catdoc, which parse the FIB and the piece table.
"""
from __future__ import annotations

import struct

FREE, END, FAT_SECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
TEXT_AT = 0x800  # where the text starts in WordDocument, after the FIB


def write_doc(paragraphs: list[str], compressed: bool = False) -> bytes:
    text = "\r".join(paragraphs) + "\r"
    data = text.encode("cp1252") if compressed else text.encode("utf-16-le")
    fib = bytearray(TEXT_AT)
    struct.pack_into("<HHHHH", fib, 0, 0xA5EC, 0x00C1, 0x0049, 0x0804, 0)  # wIdent, nFib, nProduct, lid
    struct.pack_into("<H", fib, 0x0A, 0x0200 | 0x1000)   # fWhichTblStm (1Table), fExtChar
    struct.pack_into("<H", fib, 0x0C, 0x00BF)            # nFibBack
    struct.pack_into("<II", fib, 0x18, TEXT_AT, TEXT_AT + len(data))  # fcMin, fcMac
    struct.pack_into("<H", fib, 0x20, 14)                # csw
    struct.pack_into("<H", fib, 0x3E, 22)                # cslw
    struct.pack_into("<II", fib, 0x40, TEXT_AT + len(data), 0)  # cbMac
    struct.pack_into("<I", fib, 0x4C, len(text))         # ccpText
    struct.pack_into("<H", fib, 0x98, 93)                # cbRgFcLcb
    fc = (TEXT_AT * 2) | 0x40000000 if compressed else TEXT_AT
    plc = struct.pack("<II", 0, len(text)) + struct.pack("<HIH", 0, fc, 0)  # CPs, then one PCD
    clx = b"\x02" + struct.pack("<I", len(plc)) + plc
    struct.pack_into("<II", fib, 0x1A2, 0, len(clx))     # fcClx, lcbClx (in 1Table)
    return compound_file({"WordDocument": bytes(fib) + data, "1Table": clx})


def compound_file(streams: dict[str, bytes]) -> bytes:
    """CFB v3: sector 0 the FAT, sector 1 the directory, then each stream's sectors."""
    padded = {n: s.ljust(max(4096, -(-len(s) // 512) * 512), b"\0") for n, s in streams.items()}
    fat, body, start = [FAT_SECT, END], b"", {}
    for name, data in padded.items():
        count, start[name] = len(data) // 512, len(fat)
        fat += [start[name] + i + 1 for i in range(count - 1)] + [END]
        body += data
    if len(fat) > 128 or len(streams) > 3:
        raise ValueError("too much for a one-FAT-sector, one-directory-sector file")
    fat += [FREE] * (128 - len(fat))
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", bytes.fromhex("D0CF11E0A1B11AE1"), b"\0" * 16, 0x3E, 3,
                         0xFFFE, 9, 6, b"\0" * 6, 0, 1, 1, 0, 4096, END, 0, END, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", FREE) * 108

    def entry(name: str, kind: int, right: int, child: int, first: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        return struct.pack("<64sHBBIII16sIQQIQ", encoded.ljust(64, b"\0"), len(encoded), kind, 1,
                           FREE, right, child, b"\0" * 16, 0, 0, 0, first, size)

    order = sorted(streams, key=lambda n: (len(n), n.upper()))  # siblings in CFB name order
    entries = [entry("Root Entry", 5, FREE, 1, END, 0)]
    for i, name in enumerate(order):
        entries.append(entry(name, 2, i + 2 if i + 1 < len(order) else FREE, FREE, start[name], len(padded[name])))
    entries += [entry("", 0, FREE, FREE, FREE, 0)] * (4 - len(entries))
    return header + struct.pack("<128I", *fat) + b"".join(entries) + body
