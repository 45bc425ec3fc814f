"""How a serving process asks Python's cycle collector to work: once the app is built, not on every page.

Python frees most objects by reference counting; the cycle collector runs besides, each time 700 more container
objects were made than freed (generation 0), and every so often walks every object the process holds (generation
2). A first view makes thousands of containers (the parsed plan unpacked, the view model, the template's context),
so the defaults run a young collection every few pages, and the full walks go over every object imported or cached
since the start: in the profile of unique first views this was about a tenth of the CPU (docs/performance.md).

`settle` does what long-running Python servers commonly do:
- it moves everything the process holds once the app is built (modules, compiled templates, the catalogues) out
  of the collector's sight (`gc.freeze`): they live as long as the process, and a full walk no longer visits them.
  Under a forking server this also keeps the pages shared with the parent unwritten;
- it lets `YOUNG_THRESHOLD` objects accumulate before a young collection, so that one runs every few pages rather
  than several times per page. Garbage without cycles is still freed at once; only cycles wait a little longer.

Called by the entry points that serve (`portal.wsgi`, and the benchmarks' `bench.wsgi`), never by `create_app`:
the tests keep Python's defaults.
"""

from __future__ import annotations

import gc

#: Allocations (of container objects, less those freed) between two young collections. Python's default is 700.
#: Higher saved no more CPU in the profile, and left more garbage with cycles waiting: the worker's memory after
#: the load of `bench memory` grew by a few MB at 20,000, and not at this value (docs/performance.md).
YOUNG_THRESHOLD = 5_000
#: Young collections between two middle ones, and middle ones between two full walks (Python's defaults: 10, 10).
OLDER_THRESHOLDS = (10, 10)


def settle() -> None:
    """Collect what building the app left behind, hide what remains from later collections, and set the
    thresholds: call it once the app is built, in the process that serves."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
