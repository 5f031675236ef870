"""An index keeps its schema and codec pickled under the module names they had when it was written.
Indexes written before the engines had packages of their own name archive.index.analysis and
archive.index.whoosh_backend; those names are registered here for the classes' new homes, so such
an index opens as it is (no rebuild after upgrading)."""
from __future__ import annotations

import sys
import types

from archive.index.whoosh.schema import Codec
from archive.index.whoosh.substring import SubstringPositions, SubstringText

_OLD = {
    "archive.index.analysis": {"SubstringText": SubstringText, "SubstringPositions": SubstringPositions},
    "archive.index.whoosh_backend": {"_Codec": Codec},
}


def register() -> None:
    for name, classes in _OLD.items():
        if name not in sys.modules:
            module = types.ModuleType(name, "Old pickled names of archive.index.whoosh (see old_names.py).")
            module.__dict__.update(classes)
            sys.modules[name] = module


register()
