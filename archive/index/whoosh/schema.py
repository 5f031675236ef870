"""The schema of the Whoosh index, a document's fields in it, and how its segments are written.

Text and title are SubstringText fields (substring.py); facets, filters and date order read
one column (columns.py); what a hit shows is one stored tuple.
"""
from __future__ import annotations

import pickle
import zlib
from pathlib import Path

from whoosh import columns, fields, index
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3PostingsWriter
from whoosh.util.numeric import length_to_byte

from archive.index.api import IndexDoc
from archive.index.whoosh.columns import COLUMN, facet_row
from archive.index.whoosh.substring import SubstringText
from archive.regions import region_codes


def new_schema() -> fields.Schema:
    return fields.Schema(
        doc_id=fields.ID(unique=True),
        title=SubstringText(stored=True),
        text=SubstringText(stored=True),
        year=fields.NUMERIC(int, bits=32),
        province=fields.ID(), city=fields.ID(), county=fields.ID(),
        theme=fields.KEYWORD(commas=True),
        doc_type=fields.ID(), agency=fields.ID(), site=fields.ID(), status=fields.ID(),
        hit=fields.STORED(),
        **{COLUMN: fields.COLUMN(columns.PickleColumn(columns.VarBytesColumn()))},
    )


def document_fields(doc: IndexDoc) -> dict:
    province, city, county = region_codes(doc.region_code)
    values = dict(
        doc_id=str(doc.doc_id), title=doc.title or "", text=doc.text or "", year=doc.year,
        province=province, city=city, county=county,
        theme=",".join(t.replace(",", " ") for t in doc.themes) or None,
        doc_type=doc.doc_type, agency=doc.agency, site=doc.site, status=doc.status,
        hit=(doc.doc_id, doc.url, doc.published, doc.year, doc.region_code, doc.province, doc.city,
             doc.county, tuple(doc.themes), doc.doc_type, doc.site),
    )
    values[COLUMN] = facet_row(doc)
    return {k: v for k, v in values.items() if v is not None}


class _PostingsWriter(W3PostingsWriter):
    """Whoosh's postings writer with its blocks pickled at protocol 4 instead of 2.

    Protocol 2 has no opcode for bytes: each posting's positions became a call of
    `_codecs.encode(str, "latin-1")`, which made unpickling a block (a search's first read of
    a term) take ~20 times as long. Whoosh reads blocks with `pickle.loads`, which reads any
    protocol, so blocks of both kinds read the same, in one index or across versions.
    """

    def _write_block(self, last=False):   # Whoosh 2.7's W3PostingsWriter._write_block, protocol 4
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        databytes = pickle.dumps((self._mini_ids(), self._mini_weights(), self._mini_values()), 4)
        comp = self._compression
        if comp:
            databytes = zlib.compress(databytes, comp)
        ids = self._ids
        infobytes = pickle.dumps((len(ids), ids[-1], self._maxweight, comp, length_to_byte(self._minlength),
                                  length_to_byte(self._maxlength)), 2)
        blocklength = len(infobytes) + len(databytes)
        self._postfile.write_int(-blocklength if last else blocklength)
        self._postfile.write(infobytes)
        self._postfile.write(databytes)
        self._blockcount += 1
        self._new_block()


class Codec(W3Codec):
    """Whoosh's codec without per-posting field lengths: they only serve Whoosh's own scorers,
    and looking one up for every posting cost a fifth of indexing time. Posting blocks are
    compressed at zlib level 1, not 3 (the same size on our postings in two thirds of the
    time; each block records its level) and pickled by _PostingsWriter."""
    length_stats = False

    def __init__(self, blocklimit=128, compression=1, inlinelimit=1):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def postings_writer(self, dbfile, byteids=False):
        return _PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                               compression=self._compression, inlinelimit=self._inlinelimit)


# Segments are left as separate files, not assembled into one compound file: Whoosh reads a
# compound file's parts through BytesIO copies of its memory map, so every searcher opened
# copied the whole index into memory first (~0.1 s and the index's size per searcher).
WRITER_ARGS = dict(compound=False)


def open_writer(ix, **kwargs):
    return ix.writer(codec=Codec(), **WRITER_ARGS, **kwargs)


def create_index(directory: Path):
    """A new, empty Whoosh index of this schema in `directory` (which exists)."""
    return index.create_in(str(directory), new_schema())


def open_index(directory: Path):
    return index.open_dir(str(directory))

