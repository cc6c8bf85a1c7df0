"""The editors' admin, driven through the test client as an editor (staff in the Editors
group, not a superuser)."""

import datetime as dt
import re
import warnings

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.deprecation import RemovedInDjango60Warning
from reversion.models import Version

from statements import services
from statements.models import ChangeNote, Meeting, Resolution, Statement, today_in_japan
from tests.factories import (
    MeetingFactory,
    ParagraphFactory,
    ParticipantFactory,
    ResolutionFactory,
    StatementFactory,
)
from tests.paths import GOLDEN, SEEDS

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:statements_statement_changelist")
ADD = reverse("admin:statements_statement_add")


def change_url(statement: Statement) -> str:
    return reverse("admin:statements_statement_change", args=[statement.pk])


def statement_data(statement: Statement | None = None, paragraphs=(), **fields) -> dict:
    """The POST of the statement change form: its fields and the paragraphs inline, each
    paragraph a dict with position, number, text and optionally id, kind, label, depth,
    resolutions, DELETE."""
    data = {
        "title": "Statement by the Foreign Minister on Resolution 2397",
        "slug": "2017-12-23-statement-on-resolution-2397",
        "date": "2017-12-23",
        "kind": "statement",
        "section": "Japan and the United Nations",
        "speaker": "Taro Kono",
        "withdrawn_note": "",
        "paragraphs-TOTAL_FORMS": str(len(paragraphs)),
        "paragraphs-INITIAL_FORMS": str(sum(1 for p in paragraphs if p.get("id"))),
        "paragraphs-MIN_NUM_FORMS": "0",
        "paragraphs-MAX_NUM_FORMS": "1000",
    }
    if statement is not None:
        data.update(
            title=statement.title,
            slug=statement.slug,
            date=statement.date.isoformat(),
            kind=statement.kind,
            section=statement.section,
            speaker=statement.speaker,
            withdrawn_note=statement.withdrawn_note,
            version=str(statement.version),
        )
    for index, paragraph in enumerate(paragraphs):
        prefix = f"paragraphs-{index}-"
        data[prefix + "position"] = str(paragraph["position"])
        data[prefix + "number"] = (
            "" if paragraph.get("number") is None else str(paragraph["number"])
        )
        data[prefix + "text"] = paragraph["text"]
        # The tree's fields as the browser sends them: a new block's label is its number.
        data[prefix + "kind"] = paragraph.get("kind", "paragraph")
        data[prefix + "label"] = paragraph.get(
            "label", "" if paragraph.get("number") is None else str(paragraph["number"])
        )
        data[prefix + "depth"] = str(paragraph.get("depth", 0))
        data[prefix + "id"] = str(paragraph.get("id", ""))
        data[prefix + "statement"] = str(statement.pk) if statement else ""
        data[prefix + "resolutions"] = [str(pk) for pk in paragraph.get("resolutions", [])]
        if paragraph.get("DELETE"):
            data[prefix + "DELETE"] = "on"
    data.update(fields)
    return data


def current_paragraphs(statement: Statement) -> list[dict]:
    return [
        {
            "id": p.pk,
            "position": p.position,
            "number": p.number,
            "text": p.text,
            "kind": p.kind,
            "label": p.label,
            "depth": p.depth,
            "resolutions": [r.pk for r in p.resolutions.all()],
        }
        for p in statement.paragraphs.order_by("position")
    ]


def error_text(response) -> str:
    """Every error the admin form shows, as plain text."""
    html = response.content.decode()
    found = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", "", chunk) for chunk in found)


THREE_PARAGRAPHS = [
    {"position": 1, "number": None, "text": "Today the Security Council adopted a resolution."},
    {"position": 2, "number": 1, "text": "Japan welcomes resolution 2397."},
    {"position": 3, "number": 2, "text": "Japan calls for the full implementation."},
]


def create_through_admin(client) -> Statement:
    response = client.post(ADD, statement_data(paragraphs=THREE_PARAGRAPHS))
    assert response.status_code == 302, error_text(response)
    return Statement.objects.get(slug="2017-12-23-statement-on-resolution-2397")


# --- The Editors group -------------------------------------------------------------------


def test_the_migration_gives_editors_exactly_the_permissions_they_need():
    group = Group.objects.get(name="Editors")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert codenames == {
        "add_statement", "change_statement", "view_statement",
        "add_paragraph", "change_paragraph", "view_paragraph", "delete_paragraph",
        "add_resolution", "change_resolution", "view_resolution",
        "add_meeting", "change_meeting", "view_meeting",
        "add_participant", "change_participant", "view_participant", "delete_participant",
        "add_person", "change_person", "view_person",
        "add_personrole", "change_personrole", "view_personrole", "delete_personrole",
    }  # fmt: skip
    assert not group.permissions.exclude(content_type__app_label="statements").exists()


def test_an_editor_reaches_the_content_but_not_user_management(editor_client, editor):
    assert not editor.is_superuser
    index = editor_client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert CHANGELIST in index.content.decode()
    assert reverse("admin:auth_user_changelist") not in index.content.decode()
    for name in [
        "admin:auth_user_changelist",
        "admin:auth_group_changelist",
        "admin:auth_user_add",
    ]:
        assert editor_client.get(reverse(name)).status_code == 403
    statement = StatementFactory()
    assert (
        editor_client.post(
            reverse("admin:statements_statement_delete", args=[statement.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Statement.objects.filter(pk=statement.pk).exists()


# --- The editing session of the issue ----------------------------------------------------


def test_an_editor_creates_edits_publishes_withdraws_and_reverts_a_statement(editor_client):
    statement = create_through_admin(editor_client)
    assert statement.status == Statement.Status.DRAFT
    assert [p.number for p in statement.paragraphs.order_by("position")] == [None, 1, 2]
    assert [r.number for r in statement.cited_resolutions] == [2397]
    assert editor_client.get(statement.get_absolute_url()).status_code == 404

    # Edit one paragraph's text: its citations follow the text.
    paragraphs = current_paragraphs(statement)
    paragraphs[2]["text"] = "Japan calls for the full implementation of resolutions 2375 and 2397."
    response = editor_client.post(change_url(statement), statement_data(statement, paragraphs))
    assert response.status_code == 302, error_text(response)
    third = statement.paragraphs.get(position=3)
    assert [r.number for r in third.resolutions.order_by("number")] == [2375, 2397]
    assert Resolution.objects.filter(number=2375).exists()

    # Publish, then withdraw with a note shown on the public page.
    response = editor_client.post(
        CHANGELIST, {"action": "publish", "_selected_action": [statement.pk]}, follow=True
    )
    assert "Published 1 statement." in response.content.decode()
    statement.refresh_from_db()
    assert statement.is_published
    assert editor_client.get(statement.get_absolute_url()).status_code == 200

    confirm = editor_client.post(
        CHANGELIST, {"action": "withdraw", "_selected_action": [statement.pk]}
    )
    assert confirm.status_code == 200
    assert "Public explanation" in confirm.content.decode()
    statement.refresh_from_db()
    assert statement.is_published  # nothing happens before the note is given
    editor_client.post(
        CHANGELIST,
        {
            "action": "withdraw",
            "_selected_action": [statement.pk],
            "apply": "yes",
            "note": "Superseded by the statement of 24 December.",
        },
    )
    statement.refresh_from_db()
    assert statement.is_withdrawn
    public = editor_client.get(statement.get_absolute_url())
    assert "Superseded by the statement of 24 December." in public.content.decode()

    # History: every step is a revision with its author, and any two compare.
    versions = Version.objects.get_for_object(statement).order_by("pk")
    assert versions.count() == 4  # created, edited, published, withdrawn
    assert {v.revision.user.username for v in versions} == {"editor"}
    history = editor_client.get(reverse("admin:statements_statement_history", args=[statement.pk]))
    assert history.status_code == 200
    assert "Withdrawn: Superseded" in history.content.decode()
    compare = editor_client.get(
        reverse("admin:statements_statement_compare", args=[statement.pk]),
        {"version_id1": versions[0].pk, "version_id2": versions[1].pk},
    )
    assert compare.status_code == 200
    assert "2375" in compare.content.decode()

    # Revert to the first version: text and status come back, the version moves on.
    live_version = statement.version
    revert_url = reverse("admin:statements_statement_revision", args=[statement.pk, versions[0].pk])
    form = editor_client.get(revert_url)
    assert form.status_code == 200
    assert f'name="version" value="{live_version}"' in form.content.decode()
    reverted = statement_data(statement, current_paragraphs(statement))
    old = versions[0].field_dict
    reverted.update(withdrawn_note=old["withdrawn_note"])
    # The revert form shows the old paragraphs; post them back as the editor would.
    reverted_paragraphs = [
        {**p, "text": THREE_PARAGRAPHS[i]["text"]}
        for i, p in enumerate(current_paragraphs(statement))
    ]
    reverted.update(statement_data(statement, reverted_paragraphs))
    response = editor_client.post(revert_url, reverted)
    assert response.status_code == 302, error_text(response)
    statement.refresh_from_db()
    assert statement.status == Statement.Status.DRAFT
    assert statement.paragraphs.get(position=3).text == THREE_PARAGRAPHS[2]["text"]
    assert statement.version == live_version + 1


def test_a_revert_bumps_the_version_so_a_form_opened_before_it_is_refused(editor_client):
    statement = create_through_admin(editor_client)
    first = Version.objects.get_for_object(statement).get()
    paragraphs = current_paragraphs(statement)
    paragraphs[0]["text"] = "An edited opening."
    editor_client.post(change_url(statement), statement_data(statement, paragraphs))
    statement.refresh_from_db()
    stale_form = statement_data(statement, current_paragraphs(statement), title="Late edit")

    revert_url = reverse("admin:statements_statement_revision", args=[statement.pk, first.pk])
    response = editor_client.post(
        revert_url,
        statement_data(
            statement,
            [
                {**p, "text": THREE_PARAGRAPHS[i]["text"]}
                for i, p in enumerate(current_paragraphs(statement))
            ],
        ),
    )
    assert response.status_code == 302, error_text(response)

    response = editor_client.post(change_url(statement), stale_form)
    assert response.status_code == 200
    assert "changed by someone else" in error_text(response)
    statement.refresh_from_db()
    assert statement.title != "Late edit"
    assert statement.paragraphs.get(position=1).text == THREE_PARAGRAPHS[0]["text"]


def test_reverting_one_statement_of_a_bulk_publish_leaves_the_others_as_they_are(editor_client):
    first, second = (
        ParagraphFactory(position=1, statement__status=Statement.Status.DRAFT).statement
        for _ in range(2)
    )
    response = editor_client.post(
        CHANGELIST, {"action": "publish", "_selected_action": [first.pk, second.pk]}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    services.statement_withdraw(statements=[second], note="Superseded by a later statement.")
    published = Version.objects.get_for_object(first).get(revision__comment="Published.")

    first.refresh_from_db()
    revert_url = reverse("admin:statements_statement_revision", args=[first.pk, published.pk])
    response = editor_client.post(revert_url, statement_data(first, current_paragraphs(first)))
    assert response.status_code == 302, error_text(response)

    second.refresh_from_db()
    assert second.status == Statement.Status.WITHDRAWN
    assert second.withdrawn_note == "Superseded by a later statement."


# --- Optimistic locking ------------------------------------------------------------------


def test_the_second_of_two_concurrent_saves_is_refused_and_keeps_what_was_typed(
    editor_client,
):
    statement = ParagraphFactory(position=1, statement__status=Statement.Status.DRAFT).statement
    loaded = Statement.objects.get(pk=statement.pk)  # both editors open version 1
    paragraphs = current_paragraphs(statement)

    first = editor_client.post(
        change_url(statement), statement_data(loaded, paragraphs, title="First editor's title")
    )
    assert first.status_code == 302

    typed = [{**paragraphs[0], "text": "Second editor's careful rewording."}]
    second = editor_client.post(
        change_url(statement), statement_data(loaded, typed, title="Second editor's title")
    )
    assert second.status_code == 200
    html = second.content.decode()
    assert "changed by someone else" in error_text(second)
    assert "Open the current version in a new tab" in html
    assert f'href="{change_url(statement)}" target="_blank"' in html
    assert "Second editor&#x27;s title" in html
    assert "Second editor&#x27;s careful rewording." in html
    statement.refresh_from_db()
    assert statement.title == "First editor's title"
    assert statement.version == 2


def test_a_save_that_loses_the_race_after_validation_rolls_back_and_shows_the_conflict(
    editor_client, monkeypatch
):
    statement = ParagraphFactory(position=1, statement__status=Statement.Status.DRAFT).statement
    real_claim = services.statement_claim_version

    def someone_saves_first(*, statement, expected_version):
        Statement.objects.filter(pk=statement.pk).update(version=expected_version + 1)
        return real_claim(statement=statement, expected_version=expected_version)

    monkeypatch.setattr(
        "statements.services.statements.statement_claim_version", someone_saves_first
    )
    paragraphs = [{**current_paragraphs(statement)[0], "text": "Mine, typed with care."}]
    response = editor_client.post(
        change_url(statement), statement_data(statement, paragraphs, title="Mine")
    )
    assert response.status_code == 200
    assert "changed by someone else" in error_text(response)
    assert "Mine, typed with care." in response.content.decode()
    statement.refresh_from_db()
    assert statement.title != "Mine"
    assert statement.paragraphs.get().text != "Mine, typed with care."


# --- Paragraphs ----------------------------------------------------------------------------


def test_paragraphs_can_be_reordered_by_swapping_positions_and_numbers(editor_client):
    statement = create_through_admin(editor_client)
    paragraphs = current_paragraphs(statement)
    paragraphs[1].update(position=3, number=2)
    paragraphs[2].update(position=2, number=1)
    response = editor_client.post(change_url(statement), statement_data(statement, paragraphs))
    assert response.status_code == 302, error_text(response)
    assert list(statement.paragraphs.order_by("position").values_list("text", flat=True)) == [
        THREE_PARAGRAPHS[0]["text"],
        THREE_PARAGRAPHS[2]["text"],
        THREE_PARAGRAPHS[1]["text"],
    ]


def test_removing_a_paragraph_asks_to_close_the_gap_then_saves(editor_client):
    statement = create_through_admin(editor_client)
    paragraphs = current_paragraphs(statement)
    paragraphs[1]["DELETE"] = True
    response = editor_client.post(change_url(statement), statement_data(statement, paragraphs))
    assert response.status_code == 200
    assert "2 is missing" in error_text(response)
    assert statement.paragraphs.count() == 3

    paragraphs[2]["position"] = 2
    response = editor_client.post(change_url(statement), statement_data(statement, paragraphs))
    assert response.status_code == 302, error_text(response)
    assert list(statement.paragraphs.values_list("position", "number")) == [(1, None), (2, 2)]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([(1, 1), (1, 2)], "share position 1"),
        ([(1, 1), (3, 2)], "2 is missing"),
        ([(1, 1), (2, 1)], "Printed number 1 is used twice"),
        ([(1, 2), (2, 1)], "must rise in reading order"),
    ],
)
def test_paragraph_order_mistakes_are_refused_with_a_clear_message(editor_client, rows, message):
    paragraphs = [
        {"position": position, "number": number, "text": f"Paragraph {i}."}
        for i, (position, number) in enumerate(rows)
    ]
    response = editor_client.post(ADD, statement_data(paragraphs=paragraphs))
    assert response.status_code == 200
    assert message in error_text(response)
    assert not Statement.objects.exists()


def test_a_published_statement_cannot_lose_all_its_paragraphs(editor_client):
    statement = ParagraphFactory(position=1).statement
    paragraphs = [{**p, "DELETE": True} for p in current_paragraphs(statement)]
    response = editor_client.post(change_url(statement), statement_data(statement, paragraphs))
    assert response.status_code == 200
    assert "keeps at least one paragraph" in error_text(response)
    assert statement.paragraphs.count() == 1


def test_publishing_a_statement_without_paragraphs_shows_why(editor_client):
    statement = StatementFactory(status=Statement.Status.DRAFT, title="Empty draft")
    response = editor_client.post(
        CHANGELIST, {"action": "publish", "_selected_action": [statement.pk]}, follow=True
    )
    assert "needs at least one paragraph" in response.content.decode()
    statement.refresh_from_db()
    assert statement.status == Statement.Status.DRAFT


def test_a_resolution_picked_by_hand_is_kept_even_when_the_text_changes(editor_client):
    statement = create_through_admin(editor_client)
    picked = ResolutionFactory(number=1718)
    paragraphs = current_paragraphs(statement)
    paragraphs[0].update(text="The Council acted again today.", resolutions=[picked.pk])
    response = editor_client.post(change_url(statement), statement_data(statement, paragraphs))
    assert response.status_code == 302, error_text(response)
    first = statement.paragraphs.get(position=1)
    assert [r.number for r in first.resolutions.all()] == [1718]


# --- Validation ----------------------------------------------------------------------------


def test_a_statement_dated_in_the_future_is_refused(editor_client):
    tomorrow = today_in_japan() + dt.timedelta(days=1)
    response = editor_client.post(
        ADD, statement_data(paragraphs=THREE_PARAGRAPHS, date=tomorrow.isoformat())
    )
    assert response.status_code == 200
    assert "is in the future" in error_text(response)


def test_a_withdrawn_statement_cannot_lose_its_public_explanation(editor_client):
    statement = ParagraphFactory(
        position=1,
        statement__status=Statement.Status.WITHDRAWN,
        statement__withdrawn_note="Superseded.",
    ).statement
    response = editor_client.post(
        change_url(statement),
        statement_data(statement, current_paragraphs(statement), withdrawn_note=" "),
    )
    assert response.status_code == 200
    assert "needs a public explanation" in error_text(response)


def test_resolution_numbers_outside_1_to_9999_are_refused(editor_client):
    response = editor_client.post(
        reverse("admin:statements_resolution_add"), {"number": "10000", "vote": "", "title": ""}
    )
    assert response.status_code == 200
    assert "less than or equal to 9999" in error_text(response)


@pytest.mark.parametrize("model", ["statement", "resolution", "meeting"])
def test_admin_forms_build_without_deprecated_url_defaults(editor_client, model):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RemovedInDjango60Warning)
        response = editor_client.get(reverse(f"admin:statements_{model}_add"))
    assert response.status_code == 200


def test_a_document_address_typed_without_a_scheme_is_stored_as_https(editor_client):
    response = editor_client.post(
        reverse("admin:statements_resolution_add"),
        {"number": "2397", "vote": "", "title": "", "document_url": "undocs.org/S/RES/2397"},
    )
    assert response.status_code == 302
    assert Resolution.objects.get(number=2397).document_url == "https://undocs.org/S/RES/2397"


def test_a_meeting_of_zero_minutes_is_refused_with_its_reason(editor_client):
    response = editor_client.post(
        reverse("admin:statements_meeting_add"),
        {
            "title": "Meeting with the Secretary-General",
            "slug": "2017-09-19-meeting",
            "kind": "bilateral",
            "date": "2017-09-19",
            "start_time": "12:05",
            "timezone": "America/New_York",
            "duration_minutes": "0",
            "participants-TOTAL_FORMS": "0",
            "participants-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "lasts at least one minute" in error_text(response)
    assert not Meeting.objects.exists()


# --- Preview, resolutions, meetings ------------------------------------------------------


def test_a_draft_preview_uses_the_public_template_for_staff_only(editor_client, client):
    paragraph = ParagraphFactory(
        statement__status=Statement.Status.DRAFT, text="A draft paragraph, not public yet."
    )
    statement = paragraph.statement
    preview_url = reverse("statements:statement-preview", args=[statement.pk])

    response = editor_client.get(preview_url)
    assert response.status_code == 200
    # A TemplateResponse names its template (Jinja2 sends no template_rendered signal).
    assert response.template_name == ["statements/statement_detail.html"]
    page = response.content.decode()
    assert "A draft paragraph, not public yet." in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Cache-Control"] == "private, no-store"
    assert '<meta name="robots" content="noindex, nofollow">' in page
    banner = page.index('<h2 id="preview-heading">Draft — not published</h2>')
    assert banner < page.index("<h1>")  # above the title, where a screenshot catches it

    change_form = editor_client.get(change_url(statement)).content.decode()
    assert preview_url in change_form
    assert "View on site" not in change_form

    client.logout()
    assert client.get(preview_url).status_code == 302  # to the admin login
    assert client.get(statement.get_absolute_url()).status_code == 404


def test_the_preview_of_a_published_statement_says_so_and_links_the_public_page(
    editor_client, client
):
    statement = ParagraphFactory(text="Already public.").statement
    page = editor_client.get(
        reverse("statements:statement-preview", args=[statement.pk])
    ).content.decode()
    assert "Preview of a published statement" in page
    assert f'href="{statement.get_absolute_url()}"' in page
    public = client.get(statement.get_absolute_url()).content.decode()
    assert "preview-heading" not in public
    assert 'name="robots"' not in public


def test_a_resolution_page_lists_every_paragraph_citing_it(editor_client):
    resolution = ResolutionFactory(number=2397)
    citing = ParagraphFactory(text="Japan welcomes resolution 2397.", statement__title="Kono")
    citing.resolutions.add(resolution)
    draft = ParagraphFactory(statement__status=Statement.Status.DRAFT, statement__title="Draft")
    draft.resolutions.add(resolution)
    ParagraphFactory(text="Unrelated.")

    page = editor_client.get(
        reverse("admin:statements_resolution_change", args=[resolution.pk])
    ).content.decode()
    assert "Japan welcomes resolution 2397." in page
    assert change_url(citing.statement) in page
    assert change_url(draft.statement) in page
    assert "Unrelated." not in page


def test_a_meeting_shows_japan_time_beside_local_time_and_its_participants(editor_client):
    meeting = MeetingFactory(
        date=dt.date(2017, 9, 19), start_time=dt.time(12, 5), timezone="America/New_York"
    )
    ParticipantFactory(meeting=meeting, name="António Guterres")
    page = editor_client.get(
        reverse("admin:statements_meeting_change", args=[meeting.pk])
    ).content.decode()
    assert "2017-09-20 01:05 (Asia/Tokyo)" in page
    assert "António Guterres" in page
    listing = editor_client.get(reverse("admin:statements_meeting_changelist")).content.decode()
    assert "2017-09-20 01:05" in listing


def meeting_change_data(meeting: Meeting, **fields) -> dict:
    return {
        "title": meeting.title,
        "slug": meeting.slug,
        "kind": meeting.kind,
        "date": meeting.date.isoformat(),
        "start_time": meeting.start_time.strftime("%H:%M") if meeting.start_time else "",
        "timezone": meeting.timezone,
        "participants-TOTAL_FORMS": "0",
        "participants-INITIAL_FORMS": "0",
        **fields,
    }


def test_a_meeting_time_zone_is_picked_from_the_sorted_iana_list(editor_client):
    meeting = MeetingFactory(start_time=dt.time(12, 5), timezone="America/New_York")
    page = editor_client.get(
        reverse("admin:statements_meeting_change", args=[meeting.pk])
    ).content.decode()
    select = re.search(r'<select name="timezone".*?</select>', page, re.S)
    assert select, "the time zone is a list to pick from, not a text box"
    options = re.findall(r'<option value="([^"]*)"', select.group())
    assert options[0] == ""  # unknown
    assert options[1:] == sorted(options[1:])
    assert {"America/New_York", "Asia/Tokyo", "Europe/Paris"} <= set(options)
    assert re.search(r'<option value="America/New_York" selected>', select.group())


@pytest.mark.parametrize("typed", ["New York", "Mars/Olympus", "../../etc/passwd"])
def test_changing_a_meeting_to_an_unknown_time_zone_is_refused_not_a_500(editor_client, typed):
    meeting = MeetingFactory(start_time=dt.time(12, 5), timezone="America/New_York")
    response = editor_client.post(
        reverse("admin:statements_meeting_change", args=[meeting.pk]),
        meeting_change_data(meeting, timezone=typed),
    )
    assert response.status_code == 200
    assert "valid choice" in error_text(response)
    meeting.refresh_from_db()
    assert meeting.timezone == "America/New_York"


def test_changing_a_meeting_time_zone_from_the_list_saves_it(editor_client):
    meeting = MeetingFactory(start_time=dt.time(12, 5), timezone="America/New_York")
    response = editor_client.post(
        reverse("admin:statements_meeting_change", args=[meeting.pk]),
        meeting_change_data(meeting, timezone="Europe/Paris"),
    )
    assert response.status_code == 302, error_text(response)
    meeting.refresh_from_db()
    assert meeting.timezone == "Europe/Paris"


def test_the_compare_view_needs_permission_on_statements(client, django_user_model):
    statement = create_statement_with_history()
    versions = Version.objects.get_for_object(statement).order_by("pk")
    stranger = django_user_model.objects.create_user(username="clerk", is_staff=True)
    client.force_login(stranger)
    response = client.get(
        reverse("admin:statements_statement_compare", args=[statement.pk]),
        {"version_id1": versions[0].pk, "version_id2": versions[1].pk},
    )
    assert response.status_code == 403


def create_statement_with_history() -> Statement:
    statement = ParagraphFactory(statement__status=Statement.Status.DRAFT).statement
    services.statement_publish(statements=[statement])
    statement.refresh_from_db()
    services.statement_withdraw(statements=[statement], note="Superseded.")
    return statement


# --- Search and filters ------------------------------------------------------------------


def test_the_list_searches_paragraph_text_speaker_and_resolution_number(editor_client):
    cited = ParagraphFactory(text="On the missile launch.", statement__title="Alpha")
    cited.resolutions.add(ResolutionFactory(number=2397))
    ParagraphFactory(statement__title="Beta", statement__speaker="Taro Kono")
    ParagraphFactory(statement__title="Gamma")

    def titles(**params):
        response = editor_client.get(CHANGELIST, params)
        return [s.title for s in response.context["cl"].result_list]

    assert titles(q="missile") == ["Alpha"]
    assert titles(q="Kono") == ["Beta"]
    assert titles(q="2397") == ["Alpha"]
    assert titles(resolution="2397") == ["Alpha"]
    assert sorted(titles(year="2017")) == ["Alpha", "Beta", "Gamma"]
    assert titles(year="1999") == []


# --- Query counts --------------------------------------------------------------------------


def make_cited_statements(count: int) -> None:
    resolutions = [ResolutionFactory(number=n) for n in (2375, 2397)]
    for _ in range(count):
        statement = StatementFactory()
        for position in (1, 2, 3):
            paragraph = ParagraphFactory(statement=statement, position=position, number=position)
            paragraph.resolutions.set(resolutions)
        statement.meetings.add(MeetingFactory())


# Session, user, two permission lookups; the list: year and resolution
# filters, two counts, the page (with its paragraph counts and cited resolution numbers),
# two date-hierarchy queries. Rows add none.
CHANGELIST_QUERIES = 11
# Session, user, permissions, savepoint pair; the statement, its meetings (form and widget),
# its paragraphs with their resolutions, the content type of the history link, the public
# change notes (a published statement's form lists them).
CHANGE_FORM_QUERIES = 12


def test_the_changelist_runs_a_fixed_number_of_queries(editor_client, django_assert_num_queries):
    make_cited_statements(1)
    with django_assert_num_queries(CHANGELIST_QUERIES):
        one = editor_client.get(CHANGELIST)
    make_cited_statements(9)
    with django_assert_num_queries(CHANGELIST_QUERIES):
        ten = editor_client.get(CHANGELIST)
    assert len(one.context["cl"].result_list) == 1
    assert len(ten.context["cl"].result_list) == 10
    assert "2375, 2397" in ten.content.decode()


def test_the_change_form_runs_a_fixed_number_of_queries(editor_client, django_assert_num_queries):
    resolutions = [ResolutionFactory(number=n) for n in (2375, 2397)]
    short = StatementFactory()
    long = StatementFactory()
    for statement, count in ((short, 1), (long, 8)):
        statement.meetings.add(MeetingFactory())
        for position in range(1, count + 1):
            ParagraphFactory(
                statement=statement, position=position, number=position
            ).resolutions.set(resolutions)
    with django_assert_num_queries(CHANGE_FORM_QUERIES):
        editor_client.get(change_url(short))
    with django_assert_num_queries(CHANGE_FORM_QUERIES):
        response = editor_client.get(change_url(long))
    assert response.content.decode().count("S/RES/2397 (2017)") >= 8


# --- Import from the admin ---------------------------------------------------------------

IMPORT = reverse("admin:statements_statement_import")
KONO_PAGE = (SEEDS / "000_a026e662df115a8c.txt").read_text(encoding="utf-8")
ABE_PAGE = (SEEDS / "003_a464196ed3b8e9c0.txt").read_text(encoding="utf-8")


def test_pasting_a_page_shows_what_was_understood_and_writes_nothing(editor_client):
    response = editor_client.post(IMPORT, {"text": ABE_PAGE, "_preview": "1"})
    assert response.status_code == 200
    preview = response.content.decode()
    assert "Meeting summary" in preview
    assert "Sept. 19, 2017" in preview
    assert "<mark>2375</mark>" in preview
    assert "2017-09-20 01:05" in preview  # 12:05 in New York is 01:05 next day in Tokyo
    assert "António Guterres" in preview
    assert preview.count("<li value=") == 5
    assert not Statement.objects.exists()


def test_the_import_preview_shows_every_meeting_a_page_reports(editor_client):
    from tests.statements.importing.test_meetings import G4_SUMMIT, VISIT

    preview = editor_client.post(IMPORT, {"text": VISIT, "_preview": "1"}).content.decode()
    assert preview.count("<dt>Meeting</dt>") == 4
    assert "Japan-Australia Foreign Ministers&#x27; Meeting" in preview
    assert "Marise Payne (Minister for Foreign Affairs of Australia, Australia)" in preview
    summit = editor_client.post(IMPORT, {"text": G4_SUMMIT, "_preview": "1"}).content.decode()
    assert "Hiroshige Seko (Deputy Chief Cabinet Secretary, Japan) [in attendance]" in summit
    assert not Statement.objects.exists()


def test_saving_a_reviewed_page_makes_a_draft_with_its_citations(editor_client):
    preview = editor_client.post(IMPORT, {"text": KONO_PAGE, "_preview": "1"})
    carried = preview.context["carried"]
    response = editor_client.post(IMPORT, {"pages": carried, "source_url": "", "_save": "1"})
    statement = Statement.objects.get()
    assert response.status_code == 302
    assert response.url == change_url(statement)
    assert statement.status == Statement.Status.DRAFT
    assert statement.source_text == KONO_PAGE
    assert statement.paragraphs.count() == 7
    assert [r.number for r in statement.cited_resolutions] == [2397]
    revision = Version.objects.get_for_object(statement).get().revision
    assert revision.user.username == "editor"

    again = editor_client.post(IMPORT, {"pages": carried, "_save": "1"}, follow=True)
    assert "already in the archive, unchanged" in again.content.decode()
    assert Statement.objects.count() == 1


def test_the_import_message_counts_in_the_singular_when_there_is_one(editor_client):
    preview = editor_client.post(IMPORT, {"text": ABE_PAGE, "_preview": "1"})
    carried = preview.context["carried"]
    saved = editor_client.post(IMPORT, {"pages": carried, "_save": "1"}, follow=True)
    (message,) = [str(m) for m in saved.context["messages"]]
    assert message.endswith(": 5 paragraphs and 1 citation. Review it, then publish.")


def test_uploading_several_pages_imports_them_together(editor_client):
    files = [
        SimpleUploadedFile("kono.txt", KONO_PAGE.encode(), "text/plain"),
        SimpleUploadedFile("abe.txt", ABE_PAGE.encode(), "text/plain"),
    ]
    preview = editor_client.post(IMPORT, {"files": files, "_preview": "1"})
    assert preview.status_code == 200
    assert "What was understood in 2 pages" in preview.content.decode()
    response = editor_client.post(
        IMPORT, {"pages": preview.context["carried"], "_save": "1"}, follow=True
    )
    assert response.redirect_chain[-1][0] == CHANGELIST
    assert Statement.objects.filter(status=Statement.Status.DRAFT).count() == 2
    assert Meeting.objects.filter(participants__name__contains="Guterres").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "   "}, "Paste a page"),
        ({"text": "Nothing here looks like a page."}, "pasted text could not be read"),
        (
            {"files": [SimpleUploadedFile("bad.txt", "Café".encode("latin-1"))]},
            "bad.txt is not UTF-8 text (line 1)",
        ),
        (
            {"files": [SimpleUploadedFile("img.txt", b"\x89PNG\x00\x00")]},
            "img.txt is a binary file",
        ),
        ({"pages": '{"not": "a list"}', "_save": "1"}, "garbled"),
    ],
)
def test_an_import_that_cannot_be_read_says_why_and_writes_nothing(editor_client, data, message):
    response = editor_client.post(IMPORT, {"_preview": "1", **data})
    assert response.status_code == 200
    assert message in error_text(response)
    assert not Statement.objects.exists()


def test_importing_needs_the_permission_to_add_statements(client, django_user_model):
    clerk = django_user_model.objects.create_user(username="clerk", is_staff=True)
    client.force_login(clerk)
    assert client.get(IMPORT).status_code == 403
    assert client.post(IMPORT, {"text": KONO_PAGE, "_save": "1"}).status_code == 403
    assert not Statement.objects.exists()


def test_the_statement_list_links_to_the_import_page(editor_client):
    assert IMPORT in editor_client.get(CHANGELIST).content.decode()


def test_the_import_preview_shows_the_parsed_tree(editor_client):
    nested = (GOLDEN / "handmade_headings_subitems.txt").read_text(encoding="utf-8")
    preview = editor_client.post(IMPORT, {"text": nested, "_preview": "1"}).content.decode()
    assert '<li value="1" class="depth-0"><strong>heading ¶1</strong>' in preview
    assert '<li value="2" class="depth-1"><strong>(1)</strong>' in preview
    assert '<li value="7" class="depth-2"><strong>(a)</strong>' in preview


def test_the_change_form_shows_each_blocks_kind_label_depth_and_permalink(editor_client):
    heading = ParagraphFactory(position=1, number=1, kind="heading")
    ParagraphFactory(
        statement=heading.statement, position=2, number=None, label="(1)", parent=heading
    )
    page = editor_client.get(change_url(heading.statement))
    forms = page.context["inline_admin_formsets"][0].formset.forms
    assert [(f["kind"].value(), f["label"].value(), f["depth"].value()) for f in forms] == [
        ("heading", "1", 0),
        ("paragraph", "(1)", 1),
    ]
    html = page.content.decode()
    assert "#p1</" in html and "#p1-1</" in html


# --- Editing the tree ---------------------------------------------------------------------


def outline_statement() -> Statement:
    """A published statement, flat as a careless import left it: heading 1, then "(1)"
    at the top, then paragraph 2."""
    heading = ParagraphFactory(position=1, number=1, kind="heading", text="Security Council reform")
    ParagraphFactory(
        statement=heading.statement,
        position=2,
        number=None,
        label="(1)",
        anchor="p-2",  # "p1" is the heading's
        text="Japan calls for the reform of the Council.",
    )
    ParagraphFactory(statement=heading.statement, position=3, number=2, text="Japan thanks all.")
    return heading.statement


def save_outline(client, statement: Statement, fields: dict | None = None, **changes: dict):
    """Post the change form with the paragraphs as they are, but for ``changes`` keyed by
    position ("p2": {"depth": 1}), and the form's ``fields``."""
    paragraphs = current_paragraphs(statement)
    for paragraph in paragraphs:
        paragraph.update(changes.get(f"p{paragraph['position']}", {}))
    return client.post(change_url(statement), statement_data(statement, paragraphs, **fields or {}))


def test_an_editor_indents_a_paragraph_under_a_heading_and_the_page_shows_it_nested(
    editor_client,
):
    statement = outline_statement()
    response = save_outline(editor_client, statement, p2={"depth": 1})
    assert response.status_code == 302, error_text(response)
    heading, item, last = statement.paragraphs.order_by("position")
    assert (item.parent, item.depth, item.anchor) == (heading, 1, "p1-1")
    assert (last.parent, last.anchor) == (None, "p2")
    page = editor_client.get(statement.get_absolute_url()).content.decode()
    assert re.search(r'class="paragraph paragraph--depth-1" id="p1-1"', page)
    assert 'aria-label="Paragraph 1 (1), permalink"' in page
    # Kept in the history, with the editor named, like every save.
    assert Version.objects.get_for_object(statement).count() == 1
    assert Version.objects.get_for_object(statement)[0].revision.user is not None


def test_a_change_of_the_tree_can_be_a_major_change_with_a_note_for_readers(editor_client):
    statement = outline_statement()
    note = "Put paragraph (1) under its heading."
    response = save_outline(
        editor_client, statement, {"change_kind": "major", "change_note": note}, p2={"depth": 1}
    )
    assert response.status_code == 302, error_text(response)
    assert ChangeNote.objects.get(statement=statement).note == note
    assert note in editor_client.get(statement.get_absolute_url()).content.decode()


def test_the_history_compares_a_change_of_place_in_the_tree(editor_client):
    statement = outline_statement()
    save_outline(editor_client, statement, p2={"depth": 1})
    statement.refresh_from_db()
    save_outline(editor_client, statement, p2={"label": "(a)"}, p3={"kind": "heading"})
    first, second = Version.objects.get_for_object(statement).order_by("pk")
    compare = editor_client.get(
        reverse("admin:statements_statement_compare", args=[statement.pk]),
        {"version_id1": first.pk, "version_id2": second.pk},
    ).content.decode()
    assert "#p1-1 → #p1-a" in compare
    assert "paragraph → heading" in compare


def test_an_editor_outdents_a_nested_paragraph_back_to_the_top(editor_client):
    statement = outline_statement()
    save_outline(editor_client, statement, p2={"depth": 1})
    statement.refresh_from_db()
    response = save_outline(editor_client, statement, p2={"depth": 0})
    assert response.status_code == 302, error_text(response)
    item = statement.paragraphs.get(position=2)
    assert (item.parent, item.depth, item.anchor) == (None, 0, "p-2")


def test_changing_a_label_changes_the_anchor(editor_client):
    statement = outline_statement()
    save_outline(editor_client, statement, p2={"depth": 1})
    statement.refresh_from_db()
    response = save_outline(editor_client, statement, p2={"label": "(a)"})
    assert response.status_code == 302, error_text(response)
    assert statement.paragraphs.get(position=2).anchor == "p1-a"
    assert editor_client.get(statement.get_absolute_url() + "#p1-a").status_code == 200


def test_changing_a_blocks_kind_makes_it_a_heading(editor_client):
    statement = outline_statement()
    response = save_outline(editor_client, statement, p3={"kind": "heading"})
    assert response.status_code == 302, error_text(response)
    assert statement.paragraphs.get(position=3).is_heading


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"p1": {"depth": 1}}, "Block 1 (position 1): indented, but no block before it"),
        (
            {"p2": {"depth": 2}},
            "Block (1) (position 2): depth 2, more than one level below the block before it "
            "(depth 0)",
        ),
        (
            {"p3": {"depth": 1}},
            "Block 2 (position 3): only a top-level block has a printed number",
        ),
        ({"p2": {"depth": -1}}, "greater than or equal to 0"),
    ],
)
def test_an_impossible_tree_is_refused_naming_the_block(editor_client, changes, message):
    statement = outline_statement()
    response = save_outline(editor_client, statement, **changes)
    assert response.status_code == 200
    assert message in error_text(response)
    assert [p.depth for p in statement.paragraphs.order_by("position")] == [0, 0, 0]
