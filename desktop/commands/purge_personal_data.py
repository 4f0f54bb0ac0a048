"""``purge-personal-data --data-dir DIR [--dry-run]``: remove the visitor's personal
data from visits older than the retention period (docs/trust.md "Each role receives what it needs")."""

from __future__ import annotations

import argparse
import sys

from services.i18n import QT_TRANSLATE_NOOP

from ..cli_text import EXIT_USAGE, error_text, translate
from .common import open_db_or_exit

NAME = "purge-personal-data"
HELP = QT_TRANSLATE_NOOP("cli", "remove visitors' personal data older than the retention period")
EXAMPLES = (
    "purge-personal-data --data-dir D:\\griddesk --dry-run",
    "purge-personal-data --data-dir D:\\griddesk",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help=translate("cli", "only count the visits that would be purged"),
    )


def run(args: argparse.Namespace) -> int:
    from services.cases.permissions import SYSTEM_ACTOR
    from services.errors import DomainError
    from services.reception.privacy import purge_personal_data

    db = open_db_or_exit(args)
    try:
        with db.session() as session:
            result = purge_personal_data(session, SYSTEM_ACTOR, dry_run=args.dry_run)
    except DomainError as exc:
        print(error_text(exc), file=sys.stderr)
        return EXIT_USAGE
    finally:
        db.dispose()
    cutoff = result.cutoff.strftime("%Y-%m-%d %H:%M")
    if result.dry_run:
        text = translate(
            "cli", "{count} visit(s) registered before {cutoff} would lose their personal data"
        )
        print(text.format(count=result.visits, cutoff=cutoff))
    else:
        text = translate(
            "cli", "personal data removed from {count} visit(s) registered before {cutoff}"
        )
        print(text.format(count=result.visits, cutoff=cutoff))
    return 0
