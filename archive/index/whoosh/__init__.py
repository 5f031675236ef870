"""The Whoosh engine: an index directory of generations, searched with numpy over cached postings.

    backend.py       the api functions on a directory, and WhooshIndex (what backends.py hands out)
    schema.py        the schema, a document's fields, the codec and writers
    substring.py     the field type of the substring terms (archive.index.terms)
    bulk.py          the rebuild's segment writer, in several processes
    storage.py       generations, CURRENT, the write lock
    searchers.py     searchers pooled per index state, shared by threads
    matching.py      a parsed query -> matching documents with scores
    postings.py      a term's postings as numpy arrays, cached per segment
    columns.py       the per-document column that facets, filters and date order read
    facet_counts.py  facet counts from that column

Only the modules of this package import Whoosh.
"""
