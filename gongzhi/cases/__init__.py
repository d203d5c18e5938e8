"""cases: problem reports (事件) handled in a closed loop.

Reported → accepted (立案) → dispatched (派遣, the clock starts) → handled (处置) → verified (核查, by the
reporting side, never the handler) → closed (结案) → rated (评价), with rework, extension, return, parking,
merging and escalation up the compound's responsibility chain. Open311 GeoReport v2 at /open311/v2/.
See docs/cases.md.
"""
