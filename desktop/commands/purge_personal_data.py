"""``purge-personal-data --data-dir DIR [--dry-run]``: remove the visitor's personal
data from visits older than the retention period (docs/trust.md "Each role receives what it needs")."""

from __future__ import annotations

import argparse
import sys

from .common import open_db_or_exit

NAME = "purge-personal-data"
HELP = "remove visitors' personal data older than the retention period"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dry-run", action="store_true", help="only count the visits that would be purged"
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
        print(str(exc), file=sys.stderr)
        return 2
    finally:
        db.dispose()
    cutoff = result.cutoff.strftime("%Y-%m-%d %H:%M")
    if result.dry_run:
        print(f"{result.visits} visit(s) registered before {cutoff} would lose their personal data")
    else:
        print(f"personal data removed from {result.visits} visit(s) registered before {cutoff}")
    return 0
