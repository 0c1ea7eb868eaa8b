"""feedsvc: static feeds from Caixin Global's CX live roundup pages.

The data flow, one module per stage (I/O only in fetch, archive and publish):

    1. config    read config.toml into frozen settings
    2. fetch     get the page over HTTP, politely (conditional GET, back-off, size cap)
    3. parse     page bytes -> Brief objects, keyed on the visible byline lines
    4. archive   Brief -> Entry with a stable id, kept in SQLite with edits tracked
    5. classify  Entry -> topics and the feeds it belongs to
    6. render    feed + entries -> Atom, RSS, JSON Feed and HTML bytes
    7. publish   bytes -> files in the output folder, atomically, untouched when unchanged

``service`` runs one cycle of that flow; ``scheduler`` runs many.
"""

__version__ = "0.1.0"
