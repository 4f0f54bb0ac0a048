"""The domain of GridDesk in plain Python (never Qt), shared by the desktop and
the county server. One package per part of the work, read in this order:

- ``cases/`` — a case is its events: the one projection (``projection``), recording
  events with their outbox rows (``records``), what each role may do
  (``permissions``, ``actions``), the detail panel's data and the paged queue;
- ``protocol/`` — the county protocol's shapes: strict schemas of every item, the
  wire form of visits and events, the reference data;
- ``worktime/`` — the workday calendar and office-hour arithmetic behind deadlines;
- ``reception/`` — visits and their outcomes, returning visitors, the receipt,
  drafts, identity numbers and the personal-data purge;
- ``reports/`` — half-monthly periods, the assessment figures, the bulletin;
- ``map/`` — grids and cases on the offline map;
- ``sync/`` — the desk's side of the county protocol;
- ``accounts/`` — passwords, logging in, the first start;
- ``demo/`` — the demo district.

Beside them: ``audit`` (the audit log), ``errors`` (the errors a person can act on), ``i18n`` (marking
texts for translation), ``settings`` (typed settings in the database), ``version``.
See docs/architecture.md for how a change flows through them.
"""
