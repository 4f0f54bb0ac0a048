"""The demo district: its reference data and the deterministic generator of case histories."""
