"""A synthetic archive for benchmarks: realistic, deterministic for a seed, fast to write.

Statement ``i`` of seed ``s`` is built from its own ``random.Random`` seeded with ``(s, i)``,
so it is the same whatever the corpus size or batch size: a corpus of 1,000 is the first
1,000 statements of a corpus of 100,000. Citations are written in the forms the real pages
use ("Resolution 2397", "resolutions 2270 and 2321", "S/RES/2375 (2017)") and drawn from a
few hundred resolutions with a Zipf-like skew, as real statements cite a few resolutions
over and over.

Everything generated is marked: slugs start with ``synthetic-`` and source URLs live under
the reserved ``synthetic.invalid`` host, so the generator can refuse to mix itself into a
real archive.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from mofa_site.caching import content_changed
from statements.importing import page_key
from statements.models import (
    JAPAN_TZ,
    Meeting,
    Paragraph,
    Participant,
    Resolution,
    Statement,
)
from statements.services import bodies_render

SLUG_PREFIX = "synthetic-"
SOURCE_URL_PREFIX = "https://synthetic.invalid/"
WITHDRAWN_NOTE = (
    "This synthetic statement was withdrawn to exercise the withdrawal notice; it never existed."
)
# Search targets for the benchmark: a word nearly every statement holds, and a phrase
# only about one statement in five hundred holds.
COMMON_SEARCH_WORD = "security"
RARE_SEARCH_PHRASE = "Stockholm Agreement"

RESOLUTION_POOL_SIZE = 300
FIRST_NUMBER, LAST_NUMBER = 1580, 2760  # roughly 2005 to 2024
FIRST_DAY, LAST_DAY = dt.date(2005, 1, 1), dt.date(2024, 12, 31)
ZIPF_EXPONENT = 1.1
DRAFT_SHARE, WITHDRAWN_SHARE = 0.05, 0.01
CITING_PARAGRAPH_SHARE = 0.12
RARE_PHRASE_SHARE = 1 / 500


# --- Vocabulary --------------------------------------------------------------------------

MINISTERS = [
    "Haruto Sakamoto",
    "Yui Nakagawa",
    "Kenji Morimoto",
    "Aiko Hasegawa",
    "Takeshi Fujiwara",
    "Emi Kuroda",
]
PRIME_MINISTERS = ["Ichiro Takeda", "Naomi Ishikawa", "Shota Ueda"]
COUNTERPARTS = [
    ("António Guterres", "Secretary-General of the United Nations", "United Nations"),
    ("Amina Okonjo", "Minister of Foreign Affairs", "Nigeria"),
    ("Lars Henriksen", "Minister for Foreign Affairs", "Norway"),
    ("María Fernández", "Minister of Foreign Relations", "Chile"),
    ("Pierre Lambert", "Minister for Europe and Foreign Affairs", "France"),
    ("Rahul Mehra", "Minister of External Affairs", "India"),
    ("Sarah Whitfield", "Secretary of State", "United States"),
    ("Kwame Mensah", "Minister for Foreign Affairs", "Ghana"),
    ("Ingrid Bauer", "Federal Minister for Foreign Affairs", "Germany"),
    ("Nguyen Thi Lan", "Minister of Foreign Affairs", "Viet Nam"),
    ("Fatima Al-Sayed", "Minister of State for Foreign Affairs", "Jordan"),
    ("José Carvalho", "Minister of Foreign Affairs", "Brazil"),
]
JAPANESE_DELEGATES = [
    ("Permanent Representative of Japan to the United Nations", "Japan"),
    ("Parliamentary Vice-Minister for Foreign Affairs", "Japan"),
    ("Director-General, Foreign Policy Bureau", "Japan"),
]
DELEGATE_NAMES = ["Kazuo Ikeda", "Mariko Sugiyama", "Ryo Hattori", "Sachiko Mori", "Daisuke Arai"]
PLACES = [
    ("New York", "America/New_York", Meeting.Kind.SECURITY_COUNCIL),
    ("New York", "America/New_York", Meeting.Kind.BILATERAL),
    ("Geneva", "Europe/Zurich", Meeting.Kind.MULTILATERAL),
    ("Tokyo", "Asia/Tokyo", Meeting.Kind.BILATERAL),
    ("Paris", "Europe/Paris", Meeting.Kind.BILATERAL),
    ("Addis Ababa", "Africa/Addis_Ababa", Meeting.Kind.SUMMIT),
    ("", "Asia/Tokyo", Meeting.Kind.TELEPHONE),
]
TOPICS = [
    "the denuclearization of the Korean Peninsula",
    "the humanitarian situation in Syria",
    "peacebuilding in South Sudan",
    "the situation in Afghanistan",
    "the reform of the Security Council",
    "the protection of civilians in armed conflict",
    "women, peace and security",
    "maritime security and the rule of law at sea",
    "nuclear disarmament and non-proliferation",
    "climate change and its implications for security",
    "United Nations peacekeeping operations",
    "the Middle East peace process",
    "the ballistic missile launches by North Korea",
    "the abductions issue",
    "human security and universal health coverage",
    "the Sustainable Development Goals",
    "countering terrorism and violent extremism",
    "the situation in Mali and the Sahel",
    "the situation in Libya",
    "the humanitarian situation in Myanmar",
    "the Iranian nuclear issue",
    "the situation in Ukraine",
]
SUBJECTS = [
    "Japan",
    "The Government of Japan",
    "Japan, as a member of the Security Council,",
    "The international community",
]
VERBS = [
    "strongly condemns the recent developments concerning",
    "expresses its deep concern over",
    "welcomes the progress achieved on",
    "reaffirms its unwavering commitment to",
    "will continue to work closely with the international community on",
    "highly appreciates the efforts of the Secretary-General regarding",
    "stresses the importance of a comprehensive approach to",
    "intends to make further contributions to",
    "calls on all parties to act with restraint with regard to",
]
CLAUSES = [
    "in close coordination with the United States and the Republic of Korea",
    "under its principle of “dialogue and pressure”",
    "through the United Nations and other multilateral fora",
    "at the earliest possible date",
    "in accordance with international law, including the Charter of the United Nations",
    "as a responsible member of the international community",
    "while respecting the ownership of the countries concerned",
    "with a view to ensuring international peace and security",
]
FOLLOW_UPS = [
    "This is a matter of grave concern for the peace and stability of the region.",
    "Japan will spare no effort to this end.",
    "Such actions cannot be tolerated.",
    "The people on the ground deserve nothing less.",
    "It is essential that the Security Council remain united.",
    "Japan stands ready to extend further assistance as necessary.",
]
CITATION_SINGLE = [
    "Japan highly appreciates the unanimous adoption of United Nations Security Council "
    "(UNSC) Resolution {a}, which further strengthens the measures of the Council.",
    "All Member States must fully implement Resolution {a} without delay.",
    "Resolution {a} demonstrates the will of the international community in the form of "
    "concrete action.",
]
CITATION_PAIR = [
    "Japan strongly urges all parties to comply with the relevant UNSC resolutions, "
    "including resolutions {a} and {b}.",
    "The measures set out in resolutions {a} and {b} remain the basis of Japan’s approach.",
]
CITATION_SYMBOL = [
    "The Council decided these measures in S/RES/{a} ({year}), which Japan co-sponsored.",
    "Japan recalls S/RES/{a} ({year}) and its call for the full protection of civilians.",
]
RARE_SENTENCE = f"Japan urges North Korea to implement the {RARE_SEARCH_PHRASE} without delay."
ORDINALS = {1: "st", 2: "nd", 3: "rd"}


# --- What one statement is, before it touches the database --------------------------------


@dataclass(frozen=True)
class ParagraphSpec:
    number: int | None
    text: str
    resolutions: tuple[int, ...]  # in order of first mention


@dataclass(frozen=True)
class MeetingSpec:
    slug: str
    title: str
    kind: str
    date: dt.date
    start_time: dt.time | None
    timezone: str
    duration_minutes: int | None
    location: str
    occasion: str
    participants: tuple[tuple[str, str, str], ...]  # (name, role, organisation)


@dataclass(frozen=True)
class StatementSpec:
    index: int
    slug: str
    title: str
    kind: str
    date: dt.date
    section: str
    speaker: str
    status: str
    withdrawn_note: str
    paragraphs: tuple[ParagraphSpec, ...]
    meeting: MeetingSpec | None

    @property
    def source_url(self) -> str:
        return f"{SOURCE_URL_PREFIX}statements/{self.index}.html"

    @property
    def cited(self) -> set[int]:
        return {number for p in self.paragraphs for number in p.resolutions}


@dataclass(frozen=True)
class ResolutionPool:
    """The resolutions a corpus cites, most-cited first, with cumulative Zipf weights."""

    numbers: tuple[int, ...]
    cum_weights: tuple[float, ...]

    @classmethod
    def for_seed(cls, seed: int) -> ResolutionPool:
        rng = random.Random(f"resolutions:{seed}")
        numbers = rng.sample(range(FIRST_NUMBER, LAST_NUMBER + 1), RESOLUTION_POOL_SIZE)
        weights = [1 / rank**ZIPF_EXPONENT for rank in range(1, len(numbers) + 1)]
        return cls(tuple(numbers), tuple(itertools.accumulate(weights)))

    def draw(self, rng: random.Random, count: int) -> list[int]:
        drawn: list[int] = []
        while len(drawn) < count:
            (number,) = rng.choices(self.numbers, cum_weights=self.cum_weights)
            if number not in drawn:
                drawn.append(number)
        return drawn


def adoption_date(number: int) -> dt.date:
    """A plausible adoption date: numbers are adopted in order, about 60 a year."""
    span = (LAST_DAY - FIRST_DAY).days
    offset = (number - FIRST_NUMBER) * span // (LAST_NUMBER - FIRST_NUMBER)
    return FIRST_DAY + dt.timedelta(days=offset)


def _sentence(rng: random.Random, topic: str) -> str:
    text = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {topic}"
    if rng.random() < 0.6:
        text += f", {rng.choice(CLAUSES)}"
    return text + "."


def _citation(rng: random.Random, pool: ResolutionPool) -> tuple[str, list[int]]:
    form = rng.random()
    if form < 0.6:
        (a,) = pool.draw(rng, 1)
        return rng.choice(CITATION_SINGLE).format(a=a), [a]
    if form < 0.85:
        a, b = pool.draw(rng, 2)
        return rng.choice(CITATION_PAIR).format(a=a, b=b), [a, b]
    (a,) = pool.draw(rng, 1)
    return rng.choice(CITATION_SYMBOL).format(a=a, year=adoption_date(a).year), [a]


def _paragraph_text(
    rng: random.Random, topic: str, pool: ResolutionPool
) -> tuple[str, tuple[int, ...]]:
    sentences = [_sentence(rng, topic if rng.random() < 0.7 else rng.choice(TOPICS))]
    cited: list[int] = []
    if rng.random() < CITING_PARAGRAPH_SHARE:
        text, numbers = _citation(rng, pool)
        sentences.append(text)
        cited.extend(n for n in numbers if n not in cited)
    for _ in range(rng.randint(0, 2)):
        sentences.append(
            rng.choice(FOLLOW_UPS) if rng.random() < 0.4 else _sentence(rng, rng.choice(TOPICS))
        )
    return " ".join(sentences), tuple(cited)


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else ORDINALS.get(n % 10, "th")
    return f"{n}{suffix}"


def _meeting(rng: random.Random, index: int, date: dt.date, host: str) -> MeetingSpec:
    location, tz, kind = rng.choice(PLACES)
    counterparts = rng.sample(COUNTERPARTS, rng.randint(1, 3))
    delegate_roles = rng.sample(JAPANESE_DELEGATES, rng.randint(0, 2))
    delegate_names = rng.sample(DELEGATE_NAMES, len(delegate_roles))
    participants = [(host.split(" ", 2)[-1], host.rsplit(" ", 2)[0], "Japan")]
    participants += [
        (name, role, org) for name, (role, org) in zip(delegate_names, delegate_roles, strict=True)
    ]
    participants += counterparts
    session = date.year - 1945
    others = _and_list([name for name, _, _ in counterparts])
    if kind == Meeting.Kind.TELEPHONE:
        title = f"Japan–{counterparts[0][2]} telephone talks"
    else:
        title = f"Meeting between {host} and {others}"
    return MeetingSpec(
        slug=f"{SLUG_PREFIX}meeting-{date.isoformat()}-{index}",
        title=title[:300],
        kind=kind,
        date=date,
        start_time=dt.time(rng.randint(8, 19), rng.choice([0, 5, 15, 30, 45])),
        timezone=tz,
        duration_minutes=rng.choice([10, 15, 20, 30, 45, 60, 90]),
        location=location,
        occasion=f"the {_ordinal(session)} session of the UN General Assembly"
        if location == "New York"
        else "",
        participants=tuple(participants),
    )


def _meeting_opening(meeting: MeetingSpec) -> str:
    start = meeting.start_time.strftime("%I:%M %p").lstrip("0").lower().replace("m", ".m.")
    host, *others = meeting.participants
    guests = _and_list([f"{name}, {role}" for name, role, org in others if org != "Japan"])
    return (
        f"On {meeting.date:%B} {meeting.date.day}, commencing at {start} (local time) for "
        f"approximately {meeting.duration_minutes} minutes, {host[1]} {host[0]} held a "
        f"meeting with {guests}. The overview of the meeting is as follows."
    )


def build_statement(seed: int, index: int, pool: ResolutionPool) -> StatementSpec:
    """Statement ``index`` of the corpus for ``seed``; pure, no database."""
    rng = random.Random(seed * 1_000_003 + index)
    topic = rng.choice(TOPICS)
    kind_roll = rng.random()
    paragraphs_wanted = rng.randint(10, 40)

    is_meeting_summary = kind_roll < 0.25  # opens with an un-numbered paragraph
    bodies = [
        _paragraph_text(rng, topic, pool) for _ in range(paragraphs_wanted - is_meeting_summary)
    ]
    if rng.random() < RARE_PHRASE_SHARE:
        text, cited = bodies[-1]
        bodies[-1] = (f"{text} {RARE_SENTENCE}", cited)

    cited_dates = [adoption_date(n) for _, cited in bodies for n in cited]
    date = FIRST_DAY + dt.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))
    if cited_dates:  # never cite a resolution before it exists
        date = max(date, max(cited_dates) + dt.timedelta(days=rng.randint(0, 30)))

    meeting = None
    if is_meeting_summary:
        kind = Statement.Kind.MEETING_SUMMARY
        host = rng.choice(
            [f"Prime Minister {n}" for n in PRIME_MINISTERS]
            + [f"Foreign Minister {n}" for n in MINISTERS]
        )
        meeting = _meeting(rng, index, date, host)
        title = meeting.title
        speaker = ""
        section = "Japan and the United Nations"
        paragraphs = [ParagraphSpec(None, _meeting_opening(meeting), ())]
    elif kind_roll < 0.45:
        kind = Statement.Kind.PRESS_RELEASE
        title = f"Japan’s contribution to {topic}"
        speaker = ""
        section = "Press Releases"
        paragraphs = []
    else:
        kind = Statement.Kind.STATEMENT
        minister = rng.choice(MINISTERS)
        speaker = f"Foreign Minister {minister}"
        title = f"Statement by Foreign Minister {minister} on {topic}"
        section = "Japan and the United Nations"
        paragraphs = []
    paragraphs += [
        ParagraphSpec(number, text, cited) for number, (text, cited) in enumerate(bodies, 1)
    ]

    status_roll = rng.random()
    if status_roll < WITHDRAWN_SHARE:
        status, note = Statement.Status.WITHDRAWN, WITHDRAWN_NOTE
    elif status_roll < WITHDRAWN_SHARE + DRAFT_SHARE:
        status, note = Statement.Status.DRAFT, ""
    else:
        status, note = Statement.Status.PUBLISHED, ""

    return StatementSpec(
        index=index,
        slug=f"{SLUG_PREFIX}{date.isoformat()}-{index}",
        title=title[:300],
        kind=kind,
        date=date,
        section=section,
        speaker=speaker,
        status=status,
        withdrawn_note=note,
        paragraphs=tuple(paragraphs),
        meeting=meeting,
    )


def render_page(spec: StatementSpec) -> str:
    """The statement as a MOFA page's text, as the importer reads it."""
    lines = [spec.section, "", spec.title]
    if spec.speaker:
        lines.append(f"(Statement by {spec.speaker})")
    lines += ["", f"{spec.date:%B} {spec.date.day}, {spec.date.year}", ""]
    for paragraph in spec.paragraphs:
        if paragraph.number is None:
            lines += [paragraph.text, ""]
        else:
            lines.append(f"  {paragraph.number}. {paragraph.text}")
    lines += ["", f"Back to {spec.section}"]
    return "\n".join(lines)


# --- Writing it ---------------------------------------------------------------------------


def synthetic_statements():
    return Statement.objects.filter(source_url__startswith=SOURCE_URL_PREFIX)


def non_synthetic_statements():
    return Statement.objects.exclude(source_url__startswith=SOURCE_URL_PREFIX)


@dataclass
class GenerationResult:
    statements: int = 0
    paragraphs: int = 0
    citations: int = 0
    resolutions_created: int = 0
    meetings: int = 0
    participants: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def _batches(start: int, stop: int, size: int) -> Iterator[range]:
    for first in range(start, stop, size):
        yield range(first, min(first + size, stop))


def corpus_generate(
    *,
    statements: int,
    seed: int = 0,
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> GenerationResult:
    """Append ``statements`` synthetic statements, numbered after those already present,
    with bulk inserts, one transaction per batch: the database's counters (citations per
    resolution, statements per meeting) are rows updated once per citation, and
    PostgreSQL keeps every version of a row updated within one transaction, so one
    transaction for 100,000 statements made each update, and each foreign-key check at
    commit, walk tens of thousands of versions of the most cited resolution (an hour).
    An interrupted run leaves whole batches behind; running again appends after them.
    Each time the archive has doubled, the planner's statistics are refreshed (see
    ``planner_statistics_refresh``). Refusing to touch a real archive is the caller's
    decision (see ``non_synthetic_statements``)."""
    pool = ResolutionPool.for_seed(seed)
    result = GenerationResult()
    published_time = dt.time(9, 0, tzinfo=JAPAN_TZ)

    def first_published(spec) -> dt.datetime | None:
        if spec.status == Statement.Status.DRAFT:
            return None
        return dt.datetime.combine(spec.date, published_time)

    Through = Paragraph.resolutions.through
    MeetingsThrough = Statement.meetings.through
    start = synthetic_statements().count()
    resolution_ids = dict(
        Resolution.objects.filter(number__in=pool.numbers).values_list("number", "id")
    )
    analysed_at = max(start, batch_size)
    for batch in _batches(start, start + statements, batch_size):
        if batch.start >= 2 * analysed_at:
            planner_statistics_refresh()
            analysed_at = batch.start
        with transaction.atomic():
            specs = [build_statement(seed, index, pool) for index in batch]

            new_numbers = sorted({n for spec in specs for n in spec.cited} - resolution_ids.keys())
            new_resolutions = [
                Resolution(number=n, adopted_on=adoption_date(n), vote="15-0-0")
                for n in new_numbers
            ]
            for resolution in new_resolutions:  # bulk_create skips save(), which sets it
                resolution.symbol = resolution.compute_symbol()
            for resolution in Resolution.objects.bulk_create(new_resolutions):
                resolution_ids[resolution.number] = resolution.id
            result.resolutions_created += len(new_resolutions)

            meeting_specs = [spec.meeting for spec in specs if spec.meeting]
            meetings = Meeting.objects.bulk_create(
                Meeting(
                    slug=m.slug,
                    title=m.title,
                    kind=m.kind,
                    date=m.date,
                    start_time=m.start_time,
                    timezone=m.timezone,
                    duration_minutes=m.duration_minutes,
                    location=m.location,
                    occasion=m.occasion,
                )
                for m in meeting_specs
            )
            meeting_ids = {m.slug: m.id for m in meetings}
            participants = [
                Participant(
                    meeting_id=meeting_ids[m.slug],
                    position=position,
                    name=name,
                    role=role,
                    organisation=org,
                )
                for m in meeting_specs
                for position, (name, role, org) in enumerate(m.participants, 1)
            ]
            Participant.objects.bulk_create(participants)

            rows = Statement.objects.bulk_create(
                Statement(
                    slug=spec.slug,
                    title=spec.title,
                    kind=spec.kind,
                    date=spec.date,
                    section=spec.section,
                    speaker=spec.speaker,
                    source_url=spec.source_url,
                    source_text=render_page(spec),
                    source_key=page_key(spec.date, spec.paragraphs[0].text),
                    imported_at=timezone.now(),
                    status=spec.status,
                    published_at=first_published(spec),
                    # Never changed since: last updated when first published.
                    public_updated_at=first_published(spec),
                    withdrawn_note=spec.withdrawn_note,
                )
                for spec in specs
            )
            MeetingsThrough.objects.bulk_create(
                MeetingsThrough(statement_id=row.id, meeting_id=meeting_ids[spec.meeting.slug])
                for row, spec in zip(rows, specs, strict=True)
                if spec.meeting
            )

            paragraph_specs = [p for spec in specs for p in spec.paragraphs]
            paragraphs = Paragraph.objects.bulk_create(
                Paragraph(
                    statement_id=row.id,
                    position=position,
                    number=p.number,
                    text=p.text,
                    # Flat bodies: the anchor a top-level block gets from its label.
                    label="" if p.number is None else str(p.number),
                    anchor=f"p-{position}" if p.number is None else f"p{p.number}",
                )
                for row, spec in zip(rows, specs, strict=True)
                for position, p in enumerate(spec.paragraphs, 1)
            )
            citations = [
                Through(paragraph_id=paragraph.id, resolution_id=resolution_ids[number])
                for paragraph, p in zip(paragraphs, paragraph_specs, strict=True)
                for number in p.resolutions
            ]
            Through.objects.bulk_create(citations)
            # Bulk inserts outside the services, which would render the statements' bodies
            # and retire the cached pages.
            bodies_render(statements=[row.id for row in rows])
            content_changed()

            result.statements += len(specs)
            result.paragraphs += len(paragraphs)
            result.citations += len(citations)
            result.meetings += len(meetings)
            result.participants += len(participants)
            for spec in specs:
                result.by_status[spec.status] = result.by_status.get(spec.status, 0) + 1
            if progress:
                progress(result.statements)
    return result


def planner_statistics_refresh(*, vacuum: bool = False) -> None:
    """PostgreSQL: ANALYZE the archive's tables, as autovacuum would (it may be slow, or
    off). Triggers keep their query plans for the whole session, and plans made while the
    tables were nearly empty read them whole: a bulk load slowed as it grew, to 27
    statements a second. ANALYZE replans them. SQLite plans by rule, not statistics.

    ``vacuum``: VACUUM them as well, once the load is done, as autovacuum would soon
    after: until then no page of a new table is marked all-visible, so no scan of an index
    alone can skip the table. A freshly loaded 100,000-statement archive grouped a year of
    one resolution's statements in 371 ms instead of 10. Inside a transaction (a test's),
    where VACUUM cannot run, ANALYZE alone."""
    if connection.vendor != "postgresql":
        return
    tables = [model._meta.db_table for model in apps.get_app_config("statements").get_models()]
    tables += [
        Paragraph.resolutions.through._meta.db_table,
        Statement.meetings.through._meta.db_table,
    ]
    names = ", ".join(connection.ops.quote_name(t) for t in tables)
    with connection.cursor() as cursor:
        if vacuum and not connection.in_atomic_block:
            cursor.execute(f"VACUUM (ANALYZE) {names}")
        else:
            cursor.execute(f"ANALYZE {names}")
