"""The memory allocator of a one-shot settlement run (结算命令的内存分配).

`python -m fupin.policy settle` reads a file, settles it, writes the result and exits. Polars'
allocator (jemalloc) is told, for that process only and unless the caller chose otherwise, to keep
the memory a freed column held for the next one — one arena, no purging, no purging thread —
instead of handing it back to the system and faulting it in again: about 0.05 s less CPU on
1,000,000 claims (README, 性能). jemalloc reads its options when Polars first allocates, so
`keep_freed_memory` must run before Polars is imported; a long-lived process (the web server,
the task workers) keeps jemalloc's defaults.
"""

import os

OPTIONS = (
    "narenas:1,oversize_threshold:0,dirty_decay_ms:-1,muzzy_decay_ms:-1,background_thread:false"
)


def keep_freed_memory() -> None:
    """Set the options for this process, unless `_RJEM_MALLOC_CONF` is set already."""
    os.environ.setdefault("_RJEM_MALLOC_CONF", OPTIONS)
