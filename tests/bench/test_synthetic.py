"""The synthetic corpus behind `make bench`: deterministic, realistic, and never mixed into
a real archive by accident."""

import re
import statistics
from collections import Counter

import pytest

from bench import synthetic
from bench.corpus import CorpusError
from bench.corpus import generate as corpus_generate
from bench.corpus import main as corpus_main
from statements.importing import cited_resolutions, parse_document
from statements.models import Meeting, Paragraph, Resolution, Statement
from tests.factories import StatementFactory


def generate(n: int, seed: int = 0, force: bool = False) -> None:
    corpus_generate(statements=n, seed=seed, force=force)


def snapshot() -> list[tuple]:
    """Everything a reader sees, in a stable order (ids and timestamps excluded)."""
    rows = []
    for statement in Statement.objects.with_related().order_by("slug"):
        rows.append(
            (
                statement.slug,
                statement.title,
                statement.kind,
                statement.date,
                statement.speaker,
                statement.status,
                statement.source_text,
                [
                    (p.position, p.number, p.text, [r.number for r in p.resolutions.all()])
                    for p in statement.paragraphs.all()
                ],
                [
                    (m.slug, m.title, [str(x) for x in m.participants.all()])
                    for m in statement.meetings.all()
                ],
            )
        )
    return rows


def wipe() -> None:
    Statement.objects.all().delete()
    Meeting.objects.all().delete()
    Resolution.objects.all().delete()


@pytest.mark.django_db
def test_the_same_seed_generates_the_same_corpus():
    generate(15, seed=7)
    first = snapshot()
    wipe()
    generate(15, seed=7)
    assert snapshot() == first
    wipe()
    generate(15, seed=8)
    assert snapshot() != first


def test_a_small_corpus_is_the_beginning_of_a_larger_one():
    pool = synthetic.ResolutionPool.for_seed(3)
    small = [synthetic.build_statement(3, i, pool) for i in range(5)]
    large = [synthetic.build_statement(3, i, pool) for i in range(12)]
    assert large[:5] == small


@pytest.mark.django_db
def test_generates_the_requested_statements_with_10_to_40_ordered_paragraphs():
    generate(25)
    statements = Statement.objects.with_related()
    assert len(statements) == 25
    assert all(s.slug.startswith("synthetic-") for s in statements)
    assert all(s.source_url.startswith("https://synthetic.invalid/") for s in statements)
    for statement in statements:
        paragraphs = list(statement.paragraphs.all())
        assert 10 <= len(paragraphs) <= 40
        assert [p.position for p in paragraphs] == list(range(1, len(paragraphs) + 1))
        numbers = [p.number for p in paragraphs if p.number is not None]
        assert numbers == list(range(1, len(numbers) + 1))
        assert all(p.text.strip() for p in paragraphs)


@pytest.mark.django_db
def test_meeting_summaries_report_a_meeting_with_participants():
    generate(40)
    summaries = Statement.objects.filter(kind=Statement.Kind.MEETING_SUMMARY)
    assert summaries.exists()
    for statement in summaries.with_related():
        (meeting,) = statement.meetings.all()
        assert meeting.slug.startswith("synthetic-")
        assert len(meeting.participants.all()) >= 2
        # The un-numbered opening paragraph tells when and with whom, as real pages do.
        opening = statement.paragraphs.all()[0]
        assert opening.number is None
        assert f"approximately {meeting.duration_minutes} minutes" in opening.text


@pytest.mark.django_db
def test_some_statements_are_drafts_or_withdrawn_and_only_the_rest_are_public():
    generate(300)
    statuses = Counter(Statement.objects.values_list("status", flat=True))
    assert 0 < statuses[Statement.Status.DRAFT] < 40  # about 5%
    assert 0 < statuses[Statement.Status.WITHDRAWN] < 15  # about 1%
    assert statuses[Statement.Status.PUBLISHED] == 300 - statuses["draft"] - statuses["withdrawn"]
    drafts = Statement.objects.filter(status=Statement.Status.DRAFT)
    assert not Statement.objects.published().filter(pk__in=drafts).exists()
    assert not Statement.objects.readable().filter(pk__in=drafts).exists()
    assert all(d.published_at is None for d in drafts)
    public = Statement.objects.readable()
    assert all(s.public_updated_at == s.published_at is not None for s in public)
    withdrawn = Statement.objects.filter(status=Statement.Status.WITHDRAWN)
    assert all(w.withdrawn_note for w in withdrawn)
    assert Statement.objects.readable().filter(pk__in=withdrawn).count() == len(withdrawn)


def test_citations_follow_a_zipf_like_skew_over_a_few_hundred_resolutions():
    pool = synthetic.ResolutionPool.for_seed(0)
    assert len(set(pool.numbers)) == synthetic.RESOLUTION_POOL_SIZE
    counts = Counter()
    for index in range(400):
        for paragraph in synthetic.build_statement(0, index, pool).paragraphs:
            counts.update(paragraph.resolutions)
    ranked = [count for _, count in counts.most_common()]
    assert len(ranked) > 100  # the long tail is cited too
    assert ranked[0] > 10 * statistics.median(ranked)  # and a few resolutions dominate
    assert counts.most_common(1)[0][0] == pool.numbers[0]


# The three ways real pages cite resolutions; the generator must use all of them.
CITATION_FORMS = {
    "single": r"\bResolution (\d{4})\b",
    "pair": r"\bresolutions (\d{4}) and (\d{4})\b",
    "symbol": r"\bS/RES/(\d{4}) \(\d{4}\)",
}


@pytest.mark.django_db
def test_stored_citations_are_the_resolutions_the_text_names():
    generate(30)
    forms_seen = set()
    citing = 0
    for paragraph in Paragraph.objects.prefetch_related("resolutions"):
        named = set()
        for form, pattern in CITATION_FORMS.items():
            for match in re.finditer(pattern, paragraph.text):
                forms_seen.add(form)
                named.update(int(number) for number in match.groups())
        stored = {r.number for r in paragraph.resolutions.all()}
        assert stored == named, paragraph.text
        # The app's own linker finds exactly what the generator stored.
        assert cited_resolutions(paragraph.text) == tuple(sorted(stored)), paragraph.text
        citing += bool(named)
    assert citing > 0
    assert forms_seen == set(CITATION_FORMS)
    # Every cited resolution exists with its symbol, as if an editor had created it.
    for resolution in Resolution.objects.all():
        assert resolution.symbol == f"S/RES/{resolution.number} ({resolution.adopted_on.year})"


@pytest.mark.django_db
def test_refuses_a_database_with_real_statements_unless_forced():
    StatementFactory(slug="real-statement", source_url="https://www.mofa.go.jp/a.html")
    with pytest.raises(CorpusError, match="real"):
        generate(3)
    assert Statement.objects.count() == 1
    generate(3, 0, force=True)
    assert Statement.objects.count() == 4
    assert Statement.objects.get(slug="real-statement").source_url.startswith("https://www.mofa")


@pytest.mark.django_db
def test_running_again_appends_the_next_statements_of_the_same_corpus():
    generate(4)
    generate(3)
    appended = snapshot()
    wipe()
    generate(7)
    assert snapshot() == appended


@pytest.mark.django_db
def test_rejects_a_non_positive_count():
    with pytest.raises(CorpusError, match="at least 1"):
        generate(0)


@pytest.mark.django_db
def test_the_command_line_reports_what_it_made_and_refusals_on_stderr(capsys):
    assert corpus_main(["--statements", "2", "--seed", "1"]) == 0
    assert capsys.readouterr().out.startswith("Generated 2 statements (")
    assert Statement.objects.count() == 2

    StatementFactory(slug="real-statement", source_url="https://www.mofa.go.jp/a.html")
    assert corpus_main(["--statements", "2"]) == 2
    assert "real (non-synthetic)" in capsys.readouterr().err
    assert Statement.objects.count() == 3


def test_rendered_page_reads_like_a_mofa_page():
    pool = synthetic.ResolutionPool.for_seed(0)
    spec = synthetic.build_statement(0, 1, pool)
    page = synthetic.render_page(spec)
    lines = page.splitlines()
    assert lines[0] == spec.section
    assert f"{spec.date:%B} {spec.date.day}, {spec.date.year}" in lines
    assert lines[-1] == f"Back to {spec.section}"
    for paragraph in spec.paragraphs:
        prefix = f"  {paragraph.number}. " if paragraph.number else ""
        assert f"{prefix}{paragraph.text}" in lines


def test_the_importer_parses_a_rendered_page_back_into_the_same_statement():
    pool = synthetic.ResolutionPool.for_seed(0)
    for index in range(40):
        spec = synthetic.build_statement(0, index, pool)
        parsed = parse_document(synthetic.render_page(spec))
        assert parsed.date == spec.date
        assert parsed.title == spec.title
        assert [(p.number, p.text, p.resolutions) for p in parsed.paragraphs] == [
            (p.number, p.text, tuple(sorted(p.resolutions))) for p in spec.paragraphs
        ]


@pytest.mark.django_db
def test_generated_statements_carry_the_key_their_page_parses_to():
    generate(5, seed=3)
    for statement in Statement.objects.all():
        assert statement.source_key == parse_document(statement.source_text).key
