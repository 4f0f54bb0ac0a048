"""The demo district: its reference data and the deterministic generator of case histories.

- ``district`` — the demo county's reference file (streets, grids, departments, users);
- ``generator`` — :func:`~services.demo.generator.seed_demo`, the entry point, and the
  day-by-day drawing of cases; it uses ``subjects`` (what a case is about), ``people``
  (the visitor of a walk-in), ``histories`` (a case's life after registration),
  ``draws`` (the one seeded random stream and the case being generated), ``world``
  (what the generator reads of the loaded district) and ``bulk`` (the bulk writing);
- ``anchor`` — where the history ends (00:00, Beijing time, of its day) and the default
  size: what the desktop's and the county's ``seed-demo`` share to draw one district;
- ``texts`` — the words and names, read once from ``resources/demo/*.json``.
"""
