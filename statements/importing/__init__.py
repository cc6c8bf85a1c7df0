"""Pure-Python parsing of MOFA pages and resolution linking; knows nothing of Django."""

from statements.importing.citations import Mention, cited_resolutions, resolution_mentions
from statements.importing.parser import ParseError, parse_document
from statements.importing.types import (
    ParsedDocument,
    ParsedMeeting,
    ParsedParagraph,
    ParsedParticipant,
)

__all__ = [
    "Mention",
    "ParseError",
    "ParsedDocument",
    "ParsedMeeting",
    "ParsedParagraph",
    "ParsedParticipant",
    "cited_resolutions",
    "parse_document",
    "resolution_mentions",
]
