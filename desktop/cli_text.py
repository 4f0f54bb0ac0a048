"""The words of ``python main.py``: its messages, ``--help`` and argparse's own
texts in the person's language, and the one table of exit codes.

The language is ``--lang`` if given, else ``LC_ALL``/``LC_MESSAGES``/``LANG``
when they name English (``en…``) or Chinese (``zh…``), else the window's
preference (Chinese unless changed). No QCoreApplication is needed: the
catalogue is read with a QTranslator that is asked directly, so a command that
later needs a QApplication (``screenshot``) can still make one.

Texts are written as ``translate("cli", "English")`` (or marked with
``QT_TRANSLATE_NOOP("cli", …)`` where they are kept in a constant), so that
``tools/i18n.py update`` finds them.
"""

from __future__ import annotations

import argparse
import os
import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QTranslator

from services.errors import DomainError
from services.i18n import QT_TRANSLATE_NOOP

LANGUAGES = {"zh": "zh_CN", "zh_cn": "zh_CN", "zh-cn": "zh_CN", "en": "en"}

# The exit codes of every command of main.py; the README repeats this table.
EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_SERVER = 3
EXIT_LOGIN = 4
EXIT_REJECTED = 5
EXIT_INTERRUPTED = 130
EXIT_CODES: tuple[tuple[int, str], ...] = (
    (EXIT_OK, QT_TRANSLATE_NOOP("cli", "done")),
    (
        EXIT_INTERNAL,
        QT_TRANSLATE_NOOP(
            "cli",
            "an unexpected error in GridDesk itself (run again with --verbose for the details)",
        ),
    ),
    (
        EXIT_USAGE,
        QT_TRANSLATE_NOOP(
            "cli",
            "the command line, a file or the data folder needs fixing (the message says what)",
        ),
    ),
    (
        EXIT_SERVER,
        QT_TRANSLATE_NOOP(
            "cli", "the county server cannot be reached, is the wrong address, broken or too slow"
        ),
    ),
    (EXIT_LOGIN, QT_TRANSLATE_NOOP("cli", "the county server refused the login")),
    (
        EXIT_REJECTED,
        QT_TRANSLATE_NOOP(
            "cli", "sync finished, but items were rejected or pulled items were kept aside"
        ),
    ),
    (EXIT_INTERRUPTED, QT_TRANSLATE_NOOP("cli", "stopped with Ctrl+C")),
)

# argparse's own texts (gettext domain "argparse"), so that usage lines and
# errors speak the person's language too.
ARGPARSE_TEXTS = (
    QT_TRANSLATE_NOOP("cli", "usage: "),
    QT_TRANSLATE_NOOP("cli", "options"),
    QT_TRANSLATE_NOOP("cli", "positional arguments"),
    QT_TRANSLATE_NOOP("cli", "show this help message and exit"),
    QT_TRANSLATE_NOOP("cli", "argument %(argument_name)s: %(message)s"),
    QT_TRANSLATE_NOOP("cli", "%(prog)s: error: %(message)s"),  # asked for with its "\n"
    QT_TRANSLATE_NOOP("cli", "unrecognized arguments: %s"),
    QT_TRANSLATE_NOOP("cli", "the following arguments are required: %s"),
    QT_TRANSLATE_NOOP("cli", "expected one argument"),
    QT_TRANSLATE_NOOP("cli", "invalid choice: %(value)r (choose from %(choices)s)"),
    QT_TRANSLATE_NOOP("cli", "invalid %(type)s value: %(value)r"),
    QT_TRANSLATE_NOOP("cli", "ambiguous option: %(option)s could match %(matches)s"),
    QT_TRANSLATE_NOOP("cli", "ignored explicit argument %r"),
    QT_TRANSLATE_NOOP("cli", "not allowed with argument %s"),
    QT_TRANSLATE_NOOP("cli", "one of the arguments %s is required"),
    QT_TRANSLATE_NOOP("cli", "expected at most one argument"),
    QT_TRANSLATE_NOOP("cli", "expected at least one argument"),
    QT_TRANSLATE_NOOP("cli", "unknown parser %(parser_name)r (choices: %(choices)s)"),
    QT_TRANSLATE_NOOP("cli", "can't open '%(filename)s': %(error)s"),
)

_state: dict[str, Any] = {"language": None, "translator": None}


def language() -> str:
    """The language of the command's messages: "zh_CN" or "en" (English source
    text when no command line set it up, as for a command's ``run`` called alone)."""
    return str(_state["language"] or "en")


def lang_flag(argv: Sequence[str]) -> str | None:
    """The value of ``--lang X`` / ``--lang=X`` anywhere on the command line."""
    for i, word in enumerate(argv):
        if word == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if word.startswith("--lang="):
            return word.split("=", 1)[1]
    return None


def normalise(value: str) -> str | None:
    """``zh``/``zh_CN``/``en`` (any case, any ``.UTF-8`` suffix) as a catalogue name; None if unknown."""
    return LANGUAGES.get(value.split(".")[0].strip().lower())


def choose_language(argv: Sequence[str]) -> str:
    """--lang, then the locale variables when they say English or Chinese, then the preference."""
    flag = lang_flag(argv)
    if flag is not None and normalise(flag):
        return str(normalise(flag))
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "").lower()
        if value:
            if value.startswith("en"):
                return "en"
            if value.startswith("zh"):
                return "zh_CN"
            break  # C, POSIX, …: no language named; the preference decides
    try:
        from .app import set_identity
        from .app_settings import Preferences

        set_identity()
        return Preferences().language
    except Exception:  # noqa: BLE001 - unreadable preferences: the default language
        return "zh_CN"


def setup(lang: str) -> None:
    """Read the catalogue of ``lang`` (nothing for English)."""
    from .i18n import APP_CATALOG, compile_translations, translations_dir

    translator = None
    if lang != "en":
        compile_translations()
        candidate = QTranslator()
        if candidate.load(f"{APP_CATALOG}_{lang}", str(translations_dir())):
            translator = candidate
    _state.update(language=lang, translator=translator)


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Messages in ``lang`` for the duration of one command line (argparse's own too)."""
    saved = dict(_state)
    setup(lang)
    old_gettext, old_ngettext = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._ = _argparse_text  # type: ignore[attr-defined]
    argparse.ngettext = _argparse_ntext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._ = old_gettext  # type: ignore[attr-defined]
        argparse.ngettext = old_ngettext  # type: ignore[attr-defined]
        _state.update(saved)


def translate(context: str, text: str) -> str:
    """``text`` in the command's language (the English source when there is no translation)."""
    translator: QTranslator | None = _state["translator"]
    if translator is None:
        return text
    return translator.translate(context, text) or text


def _argparse_text(text: str | None) -> str | None:
    if not text:  # argparse asks for None too (a missing description)
        return text
    if text.endswith("\n"):  # the catalogue keeps one-line texts
        return translate("cli", text[:-1]) + "\n"
    return translate("cli", text)


def _argparse_ntext(singular: str, plural: str, n: int) -> str:
    return translate("cli", singular if n == 1 else plural)


def error_text(error: BaseException) -> str:
    """A domain error's message in the command's language, filled in (as views.messages does)."""
    if not isinstance(error, DomainError):
        return str(error)
    params: dict[str, Any] = {}
    for key, value in error.params.items():
        if key.endswith("_label") and isinstance(value, str):
            params[key] = translate("services", value)
        elif key.endswith("_labels") and isinstance(value, (list, tuple)):
            params[key] = "、".join(translate("services", str(v)) for v in value)
        else:
            params[key] = value
    template = translate("services", error.template)
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: Chinese characters and full-width signs take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


_PIECES = re.compile(
    r"[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]|[^\s\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]+|\s+"
)


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns: Latin words stay whole, a Chinese
    text may break between any two characters."""
    lines: list[str] = []
    line, used = "", 0
    for piece in _PIECES.findall(" ".join(text.split())):
        size = display_width(piece)
        if piece.isspace():
            if line:
                line, used = line + " ", used + 1
            continue
        if used + size > width and line.strip():
            lines.append(line.rstrip())
            line, used = "", 0
        line, used = line + piece, used + size
    if line.strip():
        lines.append(line.rstrip())
    return lines


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's layout measured in terminal columns (Chinese takes two), with the
    description wrapped and the epilog's indented lines (examples, exit codes) kept."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        out: list[str] = []
        for line in text.splitlines():
            if not line.strip() or line.startswith(" "):
                out.append(indent + line)
            else:
                out += [indent + part for part in wrap(line, width - len(indent))]
        return "\n".join(out)


def exit_code_table() -> str:
    """The exit codes, one a line, for ``--help`` (and, in English, the README)."""
    lines = [translate("cli", "Exit codes:")]
    lines += [f"  {code:<3}  {translate('cli', text)}" for code, text in EXIT_CODES]
    return "\n".join(lines)


def examples(lines: Sequence[str]) -> str:
    return "\n".join([translate("cli", "Examples:"), *(f"  {line}" for line in lines)])


_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def with_scheme(url: str) -> tuple[str, bool]:
    """``url`` with ``http://`` in front when it names no scheme; True if it was added."""
    url = url.strip()
    if url and not _URL_SCHEME.match(url):
        return "http://" + url, True
    return url, False
