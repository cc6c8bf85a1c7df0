"""A statement as an Akoma Ntoso 3.0 document (OASIS LegalDocML), the XML standard the UN
system uses for its own documents: the ministry as author, FRBR identifiers for the work
(the statement), its English expression and this XML manifestation, the body as a
hierarchy of numbered parts with ``eId``s built from their printed labels, and each cited
resolution as a ``<ref>`` to its page here.

Element choice: a top-level block is a ``paragraph``, a nested one a ``subparagraph``; a
heading's text is the part's ``heading``; a paragraph with nested items keeps its own text
as the part's ``intro``. ``eId``s follow the AKN naming convention: ``para_2``,
``para_2__subpara_1``, and ``para_nn_3`` for the third un-numbered part of its parent.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from statements.models import Paragraph, Statement, printed_label

AKN_NAMESPACE = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
MEDIA_TYPE = "application/akn+xml"
# The work's country and the document type in its FRBR URI (/akn/jp/doc/statement/...).
COUNTRY = "jp"
AUTHOR_ID = "mofa"
AUTHOR_NAME = "Ministry of Foreign Affairs of Japan"
AUTHOR_ONTOLOGY = "/ontology/organization/jp/mofa"

# Turns a site path into an absolute URL (request.build_absolute_uri).
Absolute = Callable[[str], str]

_LABEL_CORE = re.compile(r"[^0-9A-Za-z]+")

ET.register_namespace("", AKN_NAMESPACE)


@dataclass
class Part:
    """One block of a statement's body as the export needs it."""

    kind: str  # "heading" or "paragraph"
    label: str  # as printed ("2.", "(1)", "a)"), or "" when un-numbered
    text: str
    # (start, end, href): text[start:end] links to href (a cited resolution's page).
    links: list[tuple[int, int, str]] = field(default_factory=list)
    children: list[Part] = field(default_factory=list)


@dataclass(frozen=True)
class Work:
    """What the FRBR metadata and the preface say about a statement."""

    slug: str
    title: str
    date: dt.date
    kind: str  # the statement's kind, as a FRBR subtype ("statement", "meeting_summary")
    page_url: str  # absolute
    speaker: str = ""
    withdrawn_note: str | None = None


def _q(tag: str) -> str:
    return f"{{{AKN_NAMESPACE}}}{tag}"


def _sub(parent: ET.Element, tag: str, **attributes: str) -> ET.Element:
    return ET.SubElement(parent, _q(tag), attributes)


def work_uri(work: Work) -> str:
    """The work's FRBR URI: /akn/jp/doc/statement/<date>/<slug>."""
    return f"/akn/{COUNTRY}/doc/{work.kind}/{work.date.isoformat()}/{work.slug}"


def _frbr(parent: ET.Element, level: str, this: str, uri: str, date: dt.date) -> ET.Element:
    element = _sub(parent, level)
    _sub(element, "FRBRthis", value=this)
    _sub(element, "FRBRuri", value=uri)
    name = "generation" if level == "FRBRManifestation" else "publication"
    _sub(element, "FRBRdate", date=date.isoformat(), name=name)
    _sub(element, "FRBRauthor", href=f"#{AUTHOR_ID}")
    return element


def _meta(root: ET.Element, work: Work, generated: dt.date) -> None:
    meta = _sub(root, "meta")
    identification = _sub(meta, "identification", source=f"#{AUTHOR_ID}")
    uri = work_uri(work)
    frbr_work = _frbr(identification, "FRBRWork", f"{uri}/!main", uri, work.date)
    _sub(frbr_work, "FRBRcountry", value=COUNTRY)
    _sub(frbr_work, "FRBRsubtype", value=work.kind)
    _sub(frbr_work, "FRBRname", value=work.title)
    expression = f"{uri}/eng@{work.date.isoformat()}"
    frbr_expression = _frbr(
        identification, "FRBRExpression", f"{expression}/!main", expression, work.date
    )
    _sub(frbr_expression, "FRBRlanguage", language="eng")
    _frbr(
        identification,
        "FRBRManifestation",
        f"{expression}/!main.xml",
        f"{expression}.akn",
        generated,
    )
    references = _sub(meta, "references", source=f"#{AUTHOR_ID}")
    _sub(
        references,
        "TLCOrganization",
        eId=AUTHOR_ID,
        href=AUTHOR_ONTOLOGY,
        showAs=AUTHOR_NAME,
    )


def _preface(root: ET.Element, work: Work) -> None:
    preface = _sub(root, "preface")
    title = _sub(preface, "p", **{"class": "title"})
    _sub(title, "docTitle").text = work.title
    dated = _sub(preface, "p")
    date = _sub(dated, "docDate", date=work.date.isoformat())
    date.text = f"{work.date:%B} {work.date.day}, {work.date.year}"
    if work.speaker:
        _sub(_sub(preface, "p", **{"class": "speaker"}), "docProponent").text = work.speaker
    if work.withdrawn_note is not None:
        withdrawn = _sub(preface, "p", **{"class": "withdrawn"})
        withdrawn.text = f"Withdrawn. {work.withdrawn_note}".strip()
    _sub(preface, "p", **{"class": "source"}).text = work.page_url


def _inline(element: ET.Element, text: str, links: list[tuple[int, int, str]]) -> None:
    """Fill ``element`` with ``text``, each linked span as a ``<ref>``."""
    done = 0
    last: ET.Element | None = None
    element.text = ""
    for start, end, href in sorted(links):
        if start < done:
            continue
        if last is None:
            element.text += text[done:start]
        else:
            last.tail = (last.tail or "") + text[done:start]
        last = _sub(element, "ref", href=href)
        last.text = text[start:end]
        done = end
    if last is None:
        element.text += text[done:]
    else:
        last.tail = (last.tail or "") + text[done:]


def _eid_part(prefix: str, label: str, unnumbered: int, used: set[str]) -> str:
    core = _LABEL_CORE.sub("", label).lower()
    own = f"{prefix}_{core}" if core else f"{prefix}_nn_{unnumbered}"
    # Two siblings printed with the same label (a slip in the source) stay distinct.
    candidate, n = own, 1
    while candidate in used:
        n += 1
        candidate = f"{own}_{n}"
    used.add(candidate)
    return candidate


def _parts(parent: ET.Element, parts: Iterable[Part], depth: int, path: str) -> None:
    used: set[str] = set()
    unnumbered = 0
    for part in parts:
        tag, prefix = ("paragraph", "para") if depth == 0 else ("subparagraph", "subpara")
        if not part.label:
            unnumbered += 1
        eid = _eid_part(prefix, part.label, unnumbered, used)
        eid = f"{path}__{eid}" if path else eid
        element = _sub(parent, tag, eId=eid)
        if part.label:
            _sub(element, "num").text = part.label
        if part.kind == "heading":
            _inline(_sub(element, "heading"), part.text, part.links)
            if not part.children:
                # A part must hold content; a heading over nothing holds an empty one.
                _sub(_sub(element, "content"), "p")
                continue
        elif part.children:
            _inline(_sub(_sub(element, "intro"), "p"), part.text, part.links)
        else:
            _inline(_sub(_sub(element, "content"), "p"), part.text, part.links)
            continue
        _parts(element, part.children, depth + 1, eid)


def document(work: Work, body: list[Part], generated: dt.date) -> bytes:
    """The Akoma Ntoso document of one statement, as UTF-8 XML with a declaration."""
    root = ET.Element(_q("akomaNtoso"))
    doc = _sub(root, "doc", name=work.kind)
    _meta(doc, work, generated)
    _preface(doc, work)
    main = _sub(doc, "mainBody")
    if body:
        _parts(main, body, 0, "")
    else:
        _sub(main, "p")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _body(paragraphs: Iterable[Paragraph], absolute: Absolute) -> list[Part]:
    """The blocks, in reading order, as a tree of parts (a parent precedes its items)."""
    top: list[Part] = []
    parts: dict[int, Part] = {}
    for paragraph in paragraphs:
        links = [
            (start, end, absolute(resolution.get_absolute_url()))
            for start, end, resolution in paragraph.cited_spans()
        ]
        part = Part(paragraph.kind, printed_label(paragraph.label), paragraph.text, links)
        parts[paragraph.pk] = part
        parent = parts.get(paragraph.parent_id) if paragraph.parent_id else None
        (parent.children if parent else top).append(part)
    return top


def statement_document(statement: Statement, absolute: Absolute) -> bytes:
    """``document()`` of a statement loaded ``with_related()``: no further query. Dated by
    its last change, so the same content always gives the same bytes."""
    work = Work(
        slug=statement.slug,
        title=statement.title,
        date=statement.date,
        kind=statement.kind,
        page_url=absolute(statement.get_absolute_url()),
        speaker=statement.speaker,
        withdrawn_note=statement.withdrawn_note if statement.is_withdrawn else None,
    )
    return document(work, _body(statement.paragraphs.all(), absolute), statement.updated_at.date())
