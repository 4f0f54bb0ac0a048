"""Attachments: content-addressed files (photos, scanned documents) named by
case events (docs/protocol.md "Attachments")."""
