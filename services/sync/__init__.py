"""The desktop's sync engine (docs/protocol.md): push each person's items with
their own token, pull the change feed and never trust it.

The engine itself (log in, push, pull, a round) lives in
:mod:`services.sync.engine`, on the HTTP client, deadline and tokens of
:mod:`.client`. Beside it: the connection settings, clients and state rows in
:mod:`.config`; applying a pulled page in :mod:`.apply`; the outbox batches and
the county's answers in :mod:`.outbox`; rejected items a person handles in
:mod:`.rejected`; the checked login answer and offline login in :mod:`.login`;
the one-shot calls of worker threads in :mod:`.blocking`; the sync screen's
overview in :mod:`.status`. Lower down: tokens in :mod:`.tokens`, reading
answers in :mod:`.transport`, checking pulled items in :mod:`.checks`,
dropping data outside the scope in :mod:`.prune` and grouping items by author
in :mod:`.authors`. Every public name stays importable from ``services.sync``.
"""

from __future__ import annotations

from services.sync.apply import (
    PageResult,
    apply_changes,
    begin_write,
    reproject_case,
)
from services.sync.authors import PushPlan, Run, author_of, plan_push
from services.sync.blocking import (
    REVEAL_FIELDS,
    login_blocking,
    logout_blocking,
    reveal,
)
from services.sync.checks import ItemProblem, quarantined_count
from services.sync.client import (
    deadline_setting,
)
from services.sync.config import (
    BACKOFF_BASE,
    BACKOFF_CAP,
    PROTOCOL_VERSION,
    PULL_LIMIT,
    PUSH_BATCH,
    STATE_CURSOR,
    STATE_LAST_ERROR,
    STATE_LAST_SUCCESS,
    STATE_PULL_USER,
    STATE_TOKEN,
    STATE_TOKENS,
    TIMEOUT_SECONDS,
    Connection,
    backoff_delay,
    connection,
    get_state,
    make_blocking_client,
    make_client,
    put_state,
    tls_verify,
)
from services.sync.engine import (
    RoundResult,
    SyncEngine,
    scope_key,
)
from services.sync.errors import (
    DeadlineExceeded,
    LoginRequired,
    NotConfigured,
    Offline,
    RevealRefused,
    ServerFailed,
    SyncError,
)
from services.sync.login import (
    remember_login,
)
from services.sync.outbox import (
    Batch,
    PushOutcome,
    Rejection,
    make_batch,
    next_batch,
    note_failure,
    record_results,
)
from services.sync.rejected import (
    RejectedItem,
    Renumbered,
    discard_rejected,
    redispatch_rejected,
    rejected_items,
    renumber_rejected,
    retry_rejected,
)
from services.sync.report import RoundReport, last_report
from services.sync.status import (
    Overview,
    Waiting,
    overview,
    token_index,
    usable_users,
    waiting_for_login,
)
from services.sync.tokens import TokenRecord, TokenStore, use_store

__all__ = [
    "BACKOFF_BASE",
    "BACKOFF_CAP",
    "PROTOCOL_VERSION",
    "PULL_LIMIT",
    "PUSH_BATCH",
    "REVEAL_FIELDS",
    "STATE_CURSOR",
    "STATE_LAST_ERROR",
    "STATE_LAST_SUCCESS",
    "STATE_PULL_USER",
    "STATE_TOKEN",
    "STATE_TOKENS",
    "TIMEOUT_SECONDS",
    "Batch",
    "Connection",
    "DeadlineExceeded",
    "ItemProblem",
    "LoginRequired",
    "NotConfigured",
    "Offline",
    "Overview",
    "PageResult",
    "PushOutcome",
    "PushPlan",
    "RejectedItem",
    "Rejection",
    "RevealRefused",
    "RoundReport",
    "RoundResult",
    "Run",
    "ServerFailed",
    "SyncEngine",
    "SyncError",
    "TokenRecord",
    "TokenStore",
    "Waiting",
    "apply_changes",
    "author_of",
    "backoff_delay",
    "begin_write",
    "connection",
    "deadline_setting",
    "discard_rejected",
    "get_state",
    "last_report",
    "login_blocking",
    "logout_blocking",
    "make_batch",
    "make_blocking_client",
    "make_client",
    "next_batch",
    "note_failure",
    "overview",
    "plan_push",
    "put_state",
    "quarantined_count",
    "record_results",
    "redispatch_rejected",
    "rejected_items",
    "renumber_rejected",
    "Renumbered",
    "remember_login",
    "reproject_case",
    "retry_rejected",
    "reveal",
    "scope_key",
    "tls_verify",
    "token_index",
    "use_store",
    "usable_users",
    "waiting_for_login",
]
