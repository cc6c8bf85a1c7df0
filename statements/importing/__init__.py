"""Pure-Python parsing of MOFA pages and resolution linking; knows nothing of Django."""

from statements.importing.citations import Mention, cited_resolutions, resolution_mentions
from statements.importing.parser import ParseError, parse_document
from statements.importing.types import (
    ParsedDocument,
    ParsedMeeting,
    ParsedParagraph,
    ParsedParticipant,
    page_key,
)

__all__ = [
    "Mention",
    "ParseError",
    "ParsedDocument",
    "ParsedMeeting",
    "ParsedParagraph",
    "ParsedParticipant",
    "cited_resolutions",
    "page_key",
    "parse_document",
    "resolution_mentions",
]
