"""The county server: PROTOCOL.md over the shared models and services (no Qt)."""
