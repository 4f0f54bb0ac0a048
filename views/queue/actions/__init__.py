"""The action dialogs of the dispatch queue: each asks only what its action needs
and records it through ``services.cases.actions``."""

from __future__ import annotations

from .base import ActionDialog, dialog_for

__all__ = ["ActionDialog", "dialog_for"]
