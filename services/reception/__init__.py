"""Reception: visits and their three outcomes, returning visitors, the receipt, crash-safe drafts, identity numbers and the personal-data purge."""
