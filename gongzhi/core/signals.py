"""Signals between apps that may not import each other.

``result_published``: a module made a result public — a vote's count, a month's evaluation with its red and
black lists. The publicity app, above them, posts it on the public board of the node (publicity.receivers),
so every public result goes out through the one notice service. Sent inside the publishing transaction with
``send_robust``: the result is published whether or not the board post succeeds (a failure is logged).

Arguments: ``node`` (territory Node whose compounds' boards show it), ``title``, ``text`` (plain lines),
``source`` (a unique key, "votes.poll:12": posted once), ``origin`` (the record's own source, if any).
"""

from __future__ import annotations

from django.dispatch import Signal

result_published = Signal()
