"""Signals between features (blinker), sent inside the transaction that caused them.

* ``hazard_transitioned``: sender = the Hazard after a trigger fired; kwargs ``trigger``, ``actor``,
  ``event`` (the appended HazardEvent), ``data`` (the trigger's fields). Supervision makes listing
  proposals from it; risks recomputes the effective grade of the hazard's risk point.
* ``hazard_overdue``: sender = the Hazard found overdue by ``shuangkong scan``; kwargs ``event``.
* ``hazard_created``: sender = the new Hazard (state reported); kwargs ``actor``.
* ``plan_saved``: sender = the TreatmentPlan after it was saved; kwargs ``actor``, ``hazard``.
* ``listing_proposed``: sender = a new Listing proposal (state proposed).
* ``document_issued``: sender = the Document just issued (numbered, stored); kwargs ``actor``.

``app.handoffs`` tells the next person in line from these (docs/handoffs.md).

Receivers must not commit; they may add rows to the session and raise ServiceError to refuse.
"""

from blinker import Namespace

_signals = Namespace()

hazard_created = _signals.signal("hazard-created")
hazard_transitioned = _signals.signal("hazard-transitioned")
hazard_overdue = _signals.signal("hazard-overdue")
plan_saved = _signals.signal("plan-saved")
listing_proposed = _signals.signal("listing-proposed")
document_issued = _signals.signal("document-issued")
