"""Words for sync states, error codes and what to do about a rejected item."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def failure_text(code: str) -> str:
    texts = {
        "offline": QCoreApplication.translate(
            "Sync", "The county server cannot be reached. Work goes on; it will be sent later."
        ),
        "server_error": QCoreApplication.translate(
            "Sync", "The county server had a problem. The same items will be sent again later."
        ),
        "login_required": QCoreApplication.translate(
            "Sync", "Log in to the county to synchronise."
        ),
        "token_expired": QCoreApplication.translate(
            "Sync", "The county login has expired; log in again."
        ),
        "invalid_token": QCoreApplication.translate(
            "Sync", "The county no longer accepts this login; log in again."
        ),
        "invalid_credentials": QCoreApplication.translate(
            "Sync", "The county did not accept the username or password."
        ),
        "too_many_attempts": QCoreApplication.translate(
            "Sync", "Too many failed logins; the county asks to wait a few minutes."
        ),
        "not_configured": QCoreApplication.translate("Sync", "No county server address is set."),
        "bad_ca_file": QCoreApplication.translate(
            "Sync", "The CA certificate file cannot be read; check the path."
        ),
    }
    return texts.get(code, QCoreApplication.translate("Sync", "Synchronisation failed."))


def reject_reason(code: str) -> str:
    texts = {
        "illegal_transition": QCoreApplication.translate(
            "Sync", "Somebody else changed this case first; this step no longer fits its state."
        ),
        "forbidden": QCoreApplication.translate(
            "Sync", "The county says this lies outside your area or role."
        ),
        "unknown_case": QCoreApplication.translate("Sync", "The county does not know this case."),
        "invalid": QCoreApplication.translate("Sync", "The county found the content not valid."),
        "duplicate_number": QCoreApplication.translate(
            "Sync", "Another case in the county already has this case number."
        ),
        "missing_blob": QCoreApplication.translate(
            "Sync", "The county does not yet hold a file this step names."
        ),
    }
    return texts.get(code, QCoreApplication.translate("Sync", "The county refused this item."))


def reject_advice(code: str, event_type: str | None) -> str:
    if code == "illegal_transition" and event_type == "dispatched":
        return QCoreApplication.translate(
            "Sync",
            "Open the case to see its state, then dispatch again if still needed, or discard.",
        )
    if code == "illegal_transition":
        return QCoreApplication.translate(
            "Sync",
            "Open the case to see its state; record the step again if still needed, or discard.",
        )
    if code == "forbidden":
        return QCoreApplication.translate(
            "Sync",
            "Ask the county administrator to check your area or role, then send again; or discard.",
        )
    if code == "duplicate_number":
        return QCoreApplication.translate(
            "Sync",
            "Give the case a new number, then print the visitor a new receipt.",
        )
    if code == "unknown_case":
        return QCoreApplication.translate(
            "Sync", "Send again after the case's registration reached the county, or discard."
        )
    return QCoreApplication.translate("Sync", "Discard it and record it again correctly.")
