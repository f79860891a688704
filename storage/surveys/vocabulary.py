"""The question kinds storage tells apart (``formengine.model.Kind`` values: storage does not
import the engine)."""

from __future__ import annotations

# Answers that may identify a person by themselves are erased by /delete, while the
# choice answers stay as anonymous counts.
IDENTIFYING_KINDS = frozenset(
    {
        "text",
        "barcode",
        "geopoint",
        "geotrace",
        "geoshape",
        "image",
        "audio",
        "video",
        "file",
        "date",
        "time",
        "datetime",
        "meta",
        "calculate",
        "hidden",
    }
)
NUMERIC_KINDS = frozenset({"integer", "decimal", "range"})
MULTI_KINDS = frozenset({"select_multiple", "rank"})
