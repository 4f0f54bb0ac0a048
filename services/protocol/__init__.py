"""The county protocol's shapes: strict schemas of every item, the wire form of visits and events, and the reference data (org units, departments, categories, users, holidays, settings)."""
