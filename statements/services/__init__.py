"""The one home for every write to the archive: small keyword-only functions, each one
transaction and one history revision (or one a statement), called by the admin, the API,
the import and the commands alike. Each retires the cached pages when it commits
(``recording.recorded``). See docs/architecture.md, "Writes"."""

from statements.services.alerts import (
    AlertCriteria,
    AlertLinkError,
    AlertRateLimited,
    SendReport,
    alert_confirm,
    alert_request,
    alert_unsubscribe,
    alerts_send,
    subscription_for,
    unsubscribe_token,
)
from statements.services.citations import (
    paragraphs_link,
    paragraphs_relink,
    paragraphs_relink_stale,
    resolutions_ensure,
)
from statements.services.history import fixtures_load, history_start
from statements.services.importing import (
    SOURCE_FIELDS,
    FieldChange,
    ImportOutcome,
    ImportPage,
    ReparseOutcome,
    meetings_import,
    statements_find_imported,
    statements_import,
    statements_reparse,
)
from statements.services.meetings import (
    meeting_create,
    meeting_delete,
    meeting_update,
    resolution_create,
    resolution_delete,
    resolution_update,
)
from statements.services.statements import (
    StaleVersionError,
    statement_claim_version,
    statement_create,
    statement_delete,
    statement_publish,
    statement_update,
    statement_withdraw,
)

__all__ = [
    "SOURCE_FIELDS",
    "AlertCriteria",
    "AlertLinkError",
    "AlertRateLimited",
    "FieldChange",
    "ImportOutcome",
    "ImportPage",
    "ReparseOutcome",
    "SendReport",
    "StaleVersionError",
    "alert_confirm",
    "alert_request",
    "alert_unsubscribe",
    "alerts_send",
    "fixtures_load",
    "history_start",
    "meeting_create",
    "meeting_delete",
    "meeting_update",
    "meetings_import",
    "paragraphs_link",
    "paragraphs_relink",
    "paragraphs_relink_stale",
    "resolution_create",
    "resolution_delete",
    "resolution_update",
    "resolutions_ensure",
    "statement_claim_version",
    "statement_create",
    "statement_delete",
    "statement_publish",
    "statement_update",
    "statement_withdraw",
    "statements_find_imported",
    "statements_import",
    "statements_reparse",
    "subscription_for",
    "unsubscribe_token",
]
