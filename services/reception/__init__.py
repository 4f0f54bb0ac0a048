"""Reception: the walk-in desk, from the visitor typing at the counter to the receipt.

Read in this order:

- ``visits`` — registering a visit with one of its three outcomes (on the spot,
  a case, recorded only); ``validation`` checks the form first, one error per
  field; ``labels`` names the outcomes, purposes and genders;
- ``returning`` and ``duplicates`` — what the desk finds while the clerk types:
  the visitor's earlier visits and open cases, and open cases nearby;
- ``lookups`` — the pick lists (categories, places), a category's default
  department, the visits an actor may see;
- ``history`` (past visits, the day's counts), ``export`` (as a workbook),
  ``receipt`` (what the receipt prints), ``enquiry`` (a case's progress asked
  by the receipt's number and query code, or by the visitor's phone; audited);
- ``privacy`` — revealing a clear value (audited) and the retention purge;
- ``identity`` — ID numbers and phones: checking, masking, keyed hashes;
- ``drafts`` — the form kept across a crash.
"""
