"""The county server: docs/protocol.md over the shared models and services (no Qt)."""
