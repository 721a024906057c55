"""studio.library: finished clips with their generation metadata, reusable in any
project, and ranked full-text search over them (Chinese included)."""

from studio.library.clips import add_clip, get_clip, reuse_clip
from studio.library.search import ClipHit, index_clip, query_tokens, reindex_project, search, tokenize

__all__ = ["ClipHit", "add_clip", "get_clip", "index_clip", "query_tokens", "reindex_project", "reuse_clip", "search",
           "tokenize"]
