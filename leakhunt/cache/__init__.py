"""The index cache: parsed graphs and analysis results stored per input file.

The CLI consults it through :func:`leakhunt.cache.session.load_cached_graph` and friends;
library users call importers and analyzers directly and cache nothing.
"""

from leakhunt.cache.graph_codec import decode_graph, encode_graph
from leakhunt.cache.store import (
    CACHE_FORMAT,
    CachedSection,
    CacheEntry,
    IndexCache,
    default_cache_dir,
)

__all__ = [
    "CACHE_FORMAT",
    "CacheEntry",
    "CachedSection",
    "IndexCache",
    "decode_graph",
    "default_cache_dir",
    "encode_graph",
]
