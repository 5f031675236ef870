"""The Whoosh field type that stores the substring terms of archive.index.terms."""
from __future__ import annotations

from array import array

from whoosh import fields, formats

from archive.index.terms import term_positions

_POSITIONS = "I"
assert array(_POSITIONS).itemsize == 4


def encode_positions(plist: list[int]) -> bytes:
    """Absolute positions as 4-byte native ints, nothing else: the count is the length / 4,
    and numpy or `array.frombytes` decode in C."""
    return array(_POSITIONS, plist).tobytes()


def decode_positions(value: bytes) -> array:
    positions = array(_POSITIONS)
    positions.frombytes(value)
    return positions


class SubstringPositions(formats.Positions):
    """Whoosh's Positions format, filled by `term_positions` instead of an analyzer, and
    encoded as raw ints instead of pickled deltas (Whoosh's encoding costs most of a search)."""

    def word_values(self, value, analyzer=None, **kwargs):
        boost = self.field_boost
        for term, plist in term_positions(value).items():
            yield term, len(plist), len(plist) * boost, encode_positions(plist)

    def encode(self, poslist):
        return encode_positions(poslist)

    def decode_positions(self, valuestring):
        return list(decode_positions(valuestring))

    def decode_frequency(self, valuestring):
        return len(valuestring) // 4

    def decode_weight(self, valuestring):
        return self.field_boost * (len(valuestring) // 4)


class SubstringText(fields.FieldType):
    """A text field searched by substring: see archive.index.terms."""

    def __init__(self, stored: bool = False, field_boost: float = 1.0):
        # Not scorable: matching.py scores by itself, and Whoosh would keep a length per document.
        super().__init__(SubstringPositions(field_boost=field_boost), analyzer=None,
                         scorable=False, stored=stored)

    def index(self, value, **kwargs):
        boost = self.format.field_boost
        for term, plist in term_positions(value).items():
            yield term.encode("utf-8"), len(plist), len(plist) * boost, array(_POSITIONS, plist).tobytes()
