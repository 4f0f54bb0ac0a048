"""Per-user preferences that must be known before any database is open
(language, window geometry, the last username), kept with QSettings.

Each setting is a typed descriptor, so the rest of the code reads
``prefs.language`` instead of strings and conversions.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

T = TypeVar("T")

LANGUAGES = {"zh_CN": "简体中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_CN"


class _Pref(Generic[T]):
    def __init__(self, key: str, default: T, kind: type) -> None:
        self.key, self.default, self.kind = key, default, kind

    def __get__(self, obj: Preferences, owner: Any = None) -> T:
        value = obj.store.value(self.key, self.default)
        if value is None:
            return self.default
        if self.kind is bool and isinstance(value, str):
            return value.lower() in ("1", "true", "yes")  # type: ignore[return-value]
        try:
            return self.kind(value)
        except (TypeError, ValueError):
            return self.default

    def __set__(self, obj: Preferences, value: T) -> None:
        obj.store.setValue(self.key, value)


class Preferences:
    language = _Pref[str]("ui/language", DEFAULT_LANGUAGE, str)
    last_username = _Pref[str]("login/last_username", "", str)
    window_geometry = _Pref[QByteArray]("ui/window_geometry", QByteArray(), QByteArray)
    queue_header_state = _Pref[QByteArray]("ui/queue_header", QByteArray(), QByteArray)

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store or QSettings()

    def sync(self) -> None:
        self.store.sync()
