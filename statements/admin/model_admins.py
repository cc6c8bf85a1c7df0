"""The editors' workplace: statements with their paragraphs, history with compare and
revert, publishing, previews; resolutions and meetings."""

from __future__ import annotations

import json
import re
from difflib import SequenceMatcher

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Prefetch
from django.forms.models import BaseModelFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from reversion.admin import VersionAdmin
from reversion.models import Version
from reversion_compare.admin import CompareVersionAdmin
from reversion_compare.compare import DOES_NOT_EXIST

from statements.admin.forms import (
    CitedResolutionsWidget,
    ImportForm,
    MeetingAdminForm,
    MergeForm,
    ParagraphForm,
    ParagraphFormSet,
    StatementAdminForm,
    WithdrawForm,
    tree_row,
)
from statements.importing import ParsedDocument, resolution_mentions
from statements.importing.names import name_key
from statements.models import (
    JAPAN_TZ,
    Meeting,
    Paragraph,
    Participant,
    Person,
    PersonRole,
    Resolution,
    Statement,
)
from statements.services import (
    ImportOutcome,
    ImportPage,
    StaleVersionError,
    meeting_create,
    meeting_delete,
    meeting_update,
    paragraphs_placed_by_depth,
    person_merge,
    person_update,
    resolution_create,
    resolution_delete,
    resolution_update,
    statement_create,
    statement_delete,
    statement_publish,
    statement_update,
    statement_withdraw,
    statements_find_imported,
    statements_import,
)

admin.site.site_header = _("Japan at the United Nations — editors")
admin.site.site_title = _("Archive editors")
admin.site.index_title = _("Curate the archive")

# Set on the request by the revert view: the version counter before reverting, which
# ``revision.revert()`` rolls back along with the content.
LIVE_VERSION_ATTR = "_statement_live_version"


class WritesThroughServices:
    """The admin writes through the services, as the API does: each save, delete and
    action is one service call, which records its revision and retires the cached pages
    when it commits. Around a form (and a revert or recover, whose ``revert()`` the save
    then overwrites), VersionAdmin's revision is the one the service joins: one revision
    per save, naming the editor, with the admin's change message as its comment. The
    list has none around the whole request: its actions record a revision per object,
    so reverting one never reverts the others.

    The forms only validate: ``save_model`` writes nothing, and ``save_related`` hands the
    object with its inline rows to the service (``_save``)."""

    def changelist_view(self, request, extra_context=None):
        context = {"has_change_permission": self.has_change_permission(request)}
        return super(VersionAdmin, self).changelist_view(request, context | (extra_context or {}))

    def save_model(self, request, obj, form, change):
        """Nothing yet: ``save_related`` saves it with its inline rows, in one call."""

    def save_related(self, request, form, formsets, change):
        created = self._save(request, form, formsets, change)
        if created is not None:
            obj = form.instance  # the object the admin goes on to log and redirect to
            obj.pk = created.pk

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


def kept_forms(formset: BaseModelFormSet) -> list:
    """The inline's forms that stay, in order: the existing ones not marked for deletion
    and the new ones filled in. ``save(commit=False)`` writes nothing: it notes what the
    forms add, change and delete, which the admin's change message reads."""
    formset.save(commit=False)
    deleted = formset.deleted_forms
    return [
        form
        for form in formset.forms
        if form not in deleted and (form.instance.pk is not None or form.has_changed())
    ]


def paragraph_rows(formset: BaseModelFormSet) -> list[dict]:
    """The paragraphs as the services take them: each existing one by its id, and the
    resolutions only where the editor picked them (else a changed text cites afresh)."""
    rows = []
    for form in kept_forms(formset):
        row = {"id": form.instance.pk, **tree_row(form, label=False)}
        if "resolutions" in form.changed_data:
            row["resolutions"] = list(form.cleaned_data["resolutions"])
        rows.append(row)
    return paragraphs_placed_by_depth(rows)


PARTICIPANT_FIELDS = ("name", "role", "organisation", "in_attendance", "person")


def participant_rows(formset: BaseModelFormSet) -> list[dict]:
    """The participants in the order given (the service numbers them 1, 2, 3...)."""
    forms = sorted(kept_forms(formset), key=lambda form: form.cleaned_data["position"])
    return [{name: form.cleaned_data[name] for name in PARTICIPANT_FIELDS} for form in forms]


class YearListFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = model_admin.get_queryset(request).dates("date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request, queryset):
        if self.value():
            if not self.value().isdigit():
                return queryset.none()
            return queryset.filter(date__year=int(self.value()))
        return queryset


class CitedResolutionListFilter(admin.SimpleListFilter):
    title = _("cited resolution")
    parameter_name = "resolution"

    def lookups(self, request, model_admin):
        numbers = (
            Resolution.objects.filter(paragraphs__isnull=False)
            .order_by("-number")
            .values_list("number", flat=True)
            .distinct()
        )
        return [(str(number), f"S/RES/{number}") for number in numbers]

    def queryset(self, request, queryset):
        if self.value():
            if not self.value().isdigit():
                return queryset.none()
            return queryset.citing(int(self.value()))
        return queryset


class ParagraphInline(admin.TabularInline):
    model = Paragraph
    form = ParagraphForm
    formset = ParagraphFormSet
    # The tree as an outline: each block's kind, printed label and depth (its parent is
    # the nearest block before it one level up), checked and saved by the services.
    fields = ["position", "number", "kind", "label", "depth", "permalink", "text", "resolutions"]
    readonly_fields = ["permalink"]
    autocomplete_fields = ["resolutions"]
    ordering = ["position"]
    extra = 0
    view_on_site = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("resolutions", queryset=Resolution.objects.all()))
        )

    @admin.display(description=_("permalink"))
    def permalink(self, paragraph: Paragraph) -> str:
        # Computed by the services from the label path: shown, never typed.
        return f"#{paragraph.anchor}" if paragraph.pk is not None and paragraph.anchor else "—"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "resolutions":
            kwargs["widget"] = CitedResolutionsWidget(db_field, self.admin_site)
            kwargs["help_text"] = _(
                "Recomputed from the text whenever the text changes; pick one by hand "
                "for a citation the text does not spell out."
            )
        if db_field.name == "text":
            kwargs["widget"] = admin.widgets.AdminTextareaWidget(attrs={"rows": 6})
        if db_field.name == "label":
            kwargs["widget"] = forms.TextInput(attrs={"size": 5})
        if db_field.name == "depth":
            kwargs["widget"] = admin.widgets.AdminIntegerFieldWidget(attrs={"min": 0})
            kwargs["help_text"] = _(
                "0 at the top; one more than a block before it to indent under that block."
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


# Addresses typed without a scheme are https (Django 6's default; 5.2 warns without it).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Statement)
class StatementAdmin(WritesThroughServices, CompareVersionAdmin):
    form = StatementAdminForm
    formfield_overrides = HTTPS_URLS
    inlines = [ParagraphInline]
    list_display = [
        "title",
        "date",
        "kind",
        "status",
        "paragraph_count",
        "cited_resolution_list",
    ]
    list_filter = ["status", "kind", YearListFilter, CitedResolutionListFilter]
    search_fields = [
        "title",
        "speaker",
        "paragraphs__text",
        "paragraphs__resolutions__number__exact",
    ]
    search_help_text = _("Title, speaker, paragraph text or a resolution number such as 2397.")
    date_hierarchy = "date"
    list_per_page = 50
    autocomplete_fields = ["meetings", "person"]
    prepopulated_fields = {"slug": ["date", "title"]}
    readonly_fields = [
        "status",
        "published_at",
        "source_link",
        "imported_at",
        "source_text_display",
        "title_derived",
        "created_at",
        "updated_at",
        "public_updated_at",
        "public_changes",
    ]
    actions = ["publish", "withdraw"]
    history_latest_first = True

    change_list_template = "admin/statements/statement/change_list.html"

    class Media:
        css = {"all": ["statements/admin.css"]}

    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    ("date", "kind"),
                    ("section", "speaker"),
                    "person",
                    "meetings",
                    "version",
                ]
            },
        ),
        (
            _("Publication"),
            {
                "fields": [("status", "published_at", "public_updated_at"), "withdrawn_note"],
                "description": _(
                    "Publish or withdraw from the statements list (select, then pick the "
                    "action). A withdrawn statement stays readable with this notice on top."
                ),
            },
        ),
        (
            _("Provenance"),
            {
                "classes": ["collapse"],
                "fields": [
                    "source_link",
                    ("imported_at", "title_derived"),
                    "source_text_display",
                    ("created_at", "updated_at"),
                ],
                "description": _("Where this statement came from, as imported. Read only."),
            },
        ),
    ]

    # --- List ----------------------------------------------------------------------------

    def changelist_view(self, request, extra_context=None):
        request._statement_list = True
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        # Counts and citations for the list only; a single form loads its own.
        return queryset.with_summary() if getattr(request, "_statement_list", False) else queryset

    @admin.display(description=_("paragraphs"), ordering="paragraph_count")
    def paragraph_count(self, statement: Statement) -> int:
        return statement.paragraph_count

    @admin.display(description=_("cited resolutions"))
    def cited_resolution_list(self, statement: Statement) -> str:
        return ", ".join(map(str, statement.cited_numbers)) or "—"

    # --- Change form ---------------------------------------------------------------------

    @admin.display(description=_("source URL"))
    def source_link(self, statement: Statement) -> str:
        if not statement.source_url:
            return "—"
        return format_html(
            '<a href="{0}" target="_blank" rel="noopener">{0}</a>', statement.source_url
        )

    @admin.display(description=_("source text"))
    def source_text_display(self, statement: Statement) -> str:
        if not statement.source_text:
            return "—"
        return format_html(
            '<pre class="source-text">{}</pre>',
            statement.source_text,
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:  # a new statement has no version to guard yet
            main = {
                **fieldsets[0][1],
                "fields": [f for f in fieldsets[0][1]["fields"] if f != "version"],
            }
            fieldsets = [(None, main), *fieldsets[1:]]
        if obj is not None and (obj.published_at is not None or obj.is_published):
            # Readers have seen it: every save says whether they should be told.
            change = {
                "fields": ["change_kind", "change_note", "public_changes"],
                "description": _(
                    "Major changes are listed for readers on the statement's page, with "
                    "their date, and move its “Last updated”; minor ones are not."
                ),
            }
            fieldsets = [*fieldsets, (_("Change note"), change)]
        return fieldsets

    @admin.display(description=_("updates readers see"))
    def public_changes(self, statement: Statement) -> str:
        notes = statement.public_change_notes
        if not notes:
            return "—"
        return format_html(
            '<ol class="change-notes">{}</ol>',
            format_html_join(
                "",
                "<li>{}: {}</li>",
                ((date_format(n.date, "j F Y"), n.note) for n in notes),
            ),
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and obj.title_derived and "title" in form.base_fields:
            form.base_fields["title"].help_text = _(
                "The source page has no title: the importer wrote this one. Refine it."
            )
        conflict = getattr(request, "_statement_conflict", None)
        if conflict is not None:
            form = type(form.__name__, (form,), {"conflict": conflict})
        return form

    def get_object(self, request, object_id, from_field=None):
        statement = super().get_object(request, object_id, from_field)
        live = getattr(request, LIVE_VERSION_ATTR, None)
        if statement is not None and live is not None:
            statement.version = live  # the revert form guards the live version
        return statement

    def view_on_site(self, statement: Statement) -> str | None:
        # A draft has no public page yet; its change form offers "Preview" instead.
        if statement.is_published or statement.is_withdrawn:
            return statement.get_absolute_url()
        return None

    def _save(self, request, form, formsets, change):
        (paragraphs,) = formsets
        fields = dict(form.cleaned_data)
        # Minor unless the editor said otherwise (a draft's form does not ask).
        major = fields.pop("change_kind", "minor") == "major"
        kind = {"major": major, "change_note": fields.pop("change_note", "")}
        common = {
            "paragraphs": paragraph_rows(paragraphs),
            "meetings": fields.pop("meetings"),
            "user": request.user,
        }
        if not change:
            return statement_create(**common, **fields)
        statement = form.instance
        live = getattr(request, LIVE_VERSION_ATTR, None)
        if live is not None:
            # revision.revert() rewound the counter too; put back the live one so a form
            # opened before the revert is refused, not silently obeyed.
            Statement.objects.filter(pk=statement.pk).update(version=live)
        if "title" in form.changed_data:
            fields["title_derived"] = False
        statement_update(
            statement=statement,
            expected_version=fields.pop("version"),
            **common,
            **kind,
            **fields,
        )
        return None

    def delete_model(self, request, obj):
        statement_delete(statement=obj, user=request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        try:
            return super().change_view(request, object_id, form_url, extra_context)
        except StaleVersionError as conflict:
            # The save lost the race and everything was rolled back; validate again with
            # the conflict noted, to show it above everything the editor typed.
            request._statement_conflict = conflict
            return super().change_view(request, object_id, form_url, extra_context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        live = (
            Statement.objects.filter(pk=unquote(object_id))
            .values_list("version", flat=True)
            .first()
        )
        setattr(request, LIVE_VERSION_ATTR, live)
        try:
            return super().revision_view(request, object_id, version_id, extra_context)
        except StaleVersionError as conflict:
            request._statement_conflict = conflict
            return super().revision_view(request, object_id, version_id, extra_context)

    def compare_view(self, request, object_id, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return super().compare_view(request, object_id, extra_context)

    # --- History -------------------------------------------------------------------------

    compare_exclude = ["created_at", "updated_at", "version", "source_key"]
    compare_template = "admin/statements/statement/compare.html"

    def compare(self, obj, version1, version2):
        diff, has_unfollowed_fields = super().compare(obj, version1, version2)
        for item in diff:  # reverse relations (paragraphs) have no verbose_name of their own
            field = item["field"]
            name = (
                getattr(field, "verbose_name", None)
                or field.related_model._meta.verbose_name_plural
            )
            item["label"] = capfirst(name)
        return diff, has_unfollowed_fields

    def compare_CharField(self, obj_compare) -> str:
        return word_diff(*_as_text(obj_compare))

    def compare_TextField(self, obj_compare) -> str:
        return word_diff(*_as_text(obj_compare))

    def compare_paragraphs(self, obj_compare) -> str:
        """Paragraph by paragraph: what was added, removed or reworded, with the words
        that changed marked, instead of the library's list of object names."""
        before = _paragraph_versions(obj_compare.compare_obj1.version_record)
        after = _paragraph_versions(obj_compare.compare_obj2.version_record)
        numbers = dict(
            Resolution.objects.filter(
                pk__in={pk for p in [*before.values(), *after.values()] for pk in p["resolutions"]}
            ).values_list("pk", "number")
        )
        rows = []
        ordered = sorted(
            before.keys() | after.keys(),
            key=lambda pk: (after.get(pk) or before[pk])["position"],
        )
        for pk in ordered:
            old, new = before.get(pk), after.get(pk)
            if old == new:
                continue
            shown = new or old
            label = f"¶{shown['number']}" if shown["number"] is not None else _("un-numbered")
            cites_old = _cites(old, numbers)
            cites_new = _cites(new, numbers)
            rows.append(
                {
                    "label": label,
                    "position": shown["position"],
                    "state": _("added")
                    if old is None
                    else _("removed")
                    if new is None
                    else _("changed"),
                    "moved": bool(old and new and old["position"] != new["position"]),
                    "old_position": old["position"] if old else None,
                    "placed": _place_change(old, new),
                    "text": word_diff(old["text"] if old else "", new["text"] if new else ""),
                    "cites_old": cites_old,
                    "cites_new": cites_new,
                }
            )
        return render_to_string(
            "admin/statements/statement/compare_paragraphs.html", {"rows": rows}
        )

    # --- Preview -------------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="statements_statement_import",
            ),
            *super().get_urls(),
        ]

    # --- Import --------------------------------------------------------------------------

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Paste a page or upload .txt files, review what the parser understood, then save
        as drafts: the same parser and service as the import_statements command."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        previews, carried = [], ""
        if request.method == "POST" and form.is_valid():
            parsed = form.cleaned_data["parsed"]
            source_url = form.cleaned_data["source_url"]
            if "_save" in request.POST:
                return self._import_pages(request, parsed, source_url)
            existing = statements_find_imported(
                documents=[document for _name, _text, document in parsed], source_url=source_url
            )
            previews = [
                _import_preview(name, document, match)
                for (name, _text, document), match in zip(parsed, existing, strict=True)
            ]
            carried = json.dumps([[name, text] for name, text, _document in parsed])
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import statements"),
            "opts": self.model._meta,
            "form": form,
            "previews": previews,
            "carried": carried,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/statements/statement/import.html", context)

    def _import_pages(self, request, parsed, source_url: str) -> HttpResponse:
        outcomes = statements_import(
            pages=[ImportPage(document, text, name) for name, text, document in parsed],
            source_url=source_url,
            user=request.user,
        )
        for outcome in outcomes:
            self.message_user(
                request,
                _import_message(outcome),
                messages.SUCCESS if outcome.action != "unchanged" else messages.INFO,
            )
        if len(outcomes) == 1:
            return redirect("admin:statements_statement_change", outcomes[0].statement.pk)
        return redirect("admin:statements_statement_changelist")

    # --- Actions -------------------------------------------------------------------------

    @admin.action(description=_("Publish selected statements"), permissions=["change"])
    def publish(self, request, queryset):
        statements = list(queryset.exclude(status=Statement.Status.PUBLISHED))
        try:
            statement_publish(statements=statements, user=request.user)
        except (ValueError, StaleVersionError) as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(
            request,
            ngettext(
                "Published %(count)d statement.",
                "Published %(count)d statements.",
                len(statements),
            )
            % {"count": len(statements)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Withdraw selected statements…"), permissions=["change"])
    def withdraw(self, request, queryset):
        form = WithdrawForm(request.POST if "apply" in request.POST else None)
        statements = list(queryset)
        if form.is_valid():
            try:
                statement_withdraw(
                    statements=statements, note=form.cleaned_data["note"], user=request.user
                )
            except (ValueError, StaleVersionError) as error:
                self.message_user(request, str(error), messages.ERROR)
                return None
            self.message_user(
                request,
                ngettext(
                    "Withdrew %(count)d statement; readers see your explanation.",
                    "Withdrew %(count)d statements; readers see your explanation.",
                    len(statements),
                )
                % {"count": len(statements)},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Withdraw statements"),
            "opts": self.model._meta,
            "statements": statements,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/statements/statement/withdraw.html", context)


def word_diff(old: str, new: str) -> str:
    """The new text with removed words struck through and added words marked, wrapping
    like prose (the library's diff is a monospaced line that scrolls sideways)."""
    before, after = _WORDS.findall(old), _WORDS.findall(new)
    parts = []
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(escape("".join(before[i1:i2])))
            continue
        if i2 > i1:
            parts.append(format_html("<del>{}</del>", "".join(before[i1:i2])))
        if j2 > j1:
            parts.append(format_html("<ins>{}</ins>", "".join(after[j1:j2])))
    return mark_safe("".join(parts))


_WORDS = re.compile(r"\s+|[^\s]+")


def _as_text(obj_compare) -> tuple[str, str]:
    return tuple(
        "" if v in (None, DOES_NOT_EXIST) else str(v)
        for v in (obj_compare.value1, obj_compare.value2)
    )


def _import_message(outcome: ImportOutcome) -> str:
    title = outcome.statement.title
    if outcome.action == "unchanged":
        return _("“%(title)s” was already in the archive, unchanged.") % {"title": title}
    counts = _("%(paragraphs)s and %(citations)s") % {
        "paragraphs": ngettext(
            "%(count)s paragraph", "%(count)s paragraphs", outcome.paragraph_count
        )
        % {"count": outcome.paragraph_count},
        "citations": ngettext("%(count)s citation", "%(count)s citations", outcome.citation_count)
        % {"count": outcome.citation_count},
    }
    if outcome.action == "created":
        return _("Saved “%(title)s” as a draft: %(counts)s. Review it, then publish.") % {
            "title": title,
            "counts": counts,
        }
    return _("Updated “%(title)s” from the page: %(counts)s.") % {"title": title, "counts": counts}


def _highlight_citations(text: str) -> str:
    """The text with each cited resolution number marked, as the importer read it."""
    parts, at = [], 0
    for mention in resolution_mentions(text):
        parts.append(escape(text[at : mention.start]))
        parts.append(format_html("<mark>{}</mark>", text[mention.start : mention.end]))
        at = mention.end
    parts.append(escape(text[at:]))
    return mark_safe("".join(parts))  # every piece escaped above


def _import_preview(name: str, document: ParsedDocument, existing: Statement | None) -> dict:
    meetings = []
    for meeting in document.meetings:
        starts = Meeting(
            date=meeting.date, start_time=meeting.start_time, timezone=meeting.timezone
        ).starts_at_japan
        # Formatted here: the template's date filter would show it in UTC.
        japan_time = f"{starts:%Y-%m-%d %H:%M}" if starts else None
        meetings.append({"meeting": meeting, "japan_time": japan_time})
    return {
        "name": name,
        "document": document,
        "kind": Statement.Kind(document.kind).label,
        "paragraphs": [
            {"paragraph": p, "text": _highlight_citations(p.text)} for p in document.paragraphs
        ],
        "meetings": meetings,
        "existing": existing,
    }


def _paragraph_versions(version: Version) -> dict[str, dict]:
    """The paragraphs saved in a version's revision, by id."""
    paragraph_type = ContentType.objects.get_for_model(Paragraph)
    return {
        v.object_id: {
            "position": v.field_dict["position"],
            "number": v.field_dict["number"],
            "text": v.field_dict["text"],
            "resolutions": sorted(v.field_dict["resolutions"]),
            # Its place in the tree (none in a version older than the tree).
            "kind": v.field_dict.get("kind"),
            "anchor": v.field_dict.get("anchor"),
        }
        for v in version.revision.version_set.filter(content_type=paragraph_type)
    }


def _place_change(old: dict | None, new: dict | None) -> str:
    """What an edit of the tree changed of a block: its kind, its permalink (which its
    label and depth make), e.g. "paragraph → heading, #p-2 → #p1-1"; "" if nothing."""
    if not old or not new:
        return ""
    pairs = [
        (old["kind"], new["kind"]),
        (old["anchor"] and f"#{old['anchor']}", new["anchor"] and f"#{new['anchor']}"),
    ]
    return ", ".join(f"{a} → {b}" for a, b in pairs if a and b and a != b)


def _cites(paragraph: dict | None, numbers: dict[int, int]) -> str:
    if paragraph is None:
        return ""
    return ", ".join(
        str(n) for n in sorted(numbers[pk] for pk in paragraph["resolutions"] if pk in numbers)
    )


# --- Resolutions -------------------------------------------------------------------------


@admin.register(Resolution)
class ResolutionAdmin(WritesThroughServices, CompareVersionAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["number", "symbol", "adopted_on", "vote", "title", "paragraph_count"]
    list_display_links = ["number", "symbol"]
    search_fields = ["=number", "symbol", "title"]
    search_help_text = _("Number (exact), symbol or subject.")
    list_filter = ["adopted_on"]
    date_hierarchy = "adopted_on"
    readonly_fields = ["symbol", "citing_paragraphs"]
    fieldsets = [
        (None, {"fields": ["number", "symbol", "adopted_on", "vote", "title", "document_url"]}),
        (None, {"fields": ["summary"]}),
        (_("Paragraphs citing it"), {"fields": ["citing_paragraphs"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(paragraph_count=Count("paragraphs", distinct=True))
        )

    def _save(self, request, form, formsets, change):
        if not change:
            return resolution_create(user=request.user, **form.cleaned_data)
        resolution_update(resolution=form.instance, user=request.user, **form.cleaned_data)
        return None

    def delete_model(self, request, obj):
        resolution_delete(resolution=obj, user=request.user)

    @admin.display(description=_("citing paragraphs"), ordering="paragraph_count")
    def paragraph_count(self, resolution: Resolution) -> int:
        return resolution.paragraph_count

    @admin.display(description=_("every paragraph citing it"))
    def citing_paragraphs(self, resolution: Resolution) -> str:
        if resolution.pk is None:
            return "—"
        paragraphs = (
            Paragraph.objects.citing(resolution)
            .select_related("statement")
            .order_by("-statement__date", "statement_id", "position")
        )
        rows = format_html_join(
            "",
            '<li><a href="{}">{}</a> ({}, {}) ¶{}: {}</li>',
            (
                (
                    reverse("admin:statements_statement_change", args=[p.statement_id]),
                    p.statement.title,
                    date_format(p.statement.date),
                    p.statement.get_status_display(),
                    p.number if p.number is not None else p.anchor,
                    _excerpt(p.text),
                )
                for p in paragraphs
            ),
        )
        return format_html("<ul>{}</ul>", rows) if rows else _("No paragraph cites it yet.")


def _excerpt(text: str, length: int = 160) -> str:
    return text if len(text) <= length else text[:length].rsplit(" ", 1)[0] + "…"


# --- Meetings ----------------------------------------------------------------------------


class ParticipantInline(admin.TabularInline):
    model = Participant
    fields = ["position", *PARTICIPANT_FIELDS]
    ordering = ["position"]
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Meeting)
class MeetingAdmin(WritesThroughServices, CompareVersionAdmin):
    form = MeetingAdminForm
    list_display = ["title", "date", "start_time", "japan_time", "kind", "location"]
    list_filter = ["kind", "date"]
    date_hierarchy = "date"
    search_fields = ["title", "location", "occasion", "participants__name"]
    prepopulated_fields = {"slug": ["date", "title"]}
    readonly_fields = ["japan_time"]
    inlines = [ParticipantInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "occasion", "location"]}),
        (
            _("When"),
            {
                "fields": [("date", "start_time", "timezone"), "japan_time", "duration_minutes"],
                "description": _(
                    "Local date and time of the place; Japan time is computed from them."
                ),
            },
        ),
    ]

    def _save(self, request, form, formsets, change):
        (participants,) = formsets
        common = {"participants": participant_rows(participants), "user": request.user}
        if not change:
            return meeting_create(**common, **form.cleaned_data)
        meeting_update(meeting=form.instance, **common, **form.cleaned_data)
        return None

    def delete_model(self, request, obj):
        meeting_delete(meeting=obj, user=request.user)

    @admin.display(description=_("Japan time"))
    def japan_time(self, meeting: Meeting) -> str:
        starts = meeting.starts_at_japan if meeting.pk or meeting.date else None
        if starts is None:
            return "—"
        return f"{starts:%Y-%m-%d %H:%M} ({JAPAN_TZ.key})"


# --- People ------------------------------------------------------------------------------


class PersonRoleInline(admin.TabularInline):
    model = PersonRole
    fields = ["title", "organisation", "start_date", "end_date"]
    extra = 0


ROLE_FIELDS = ("title", "organisation", "start_date", "end_date")


@admin.register(Person)
class PersonAdmin(WritesThroughServices, CompareVersionAdmin):
    list_display = ["name", "sort_name", "confirmed", "statement_total", "meeting_total"]
    list_filter = ["confirmed"]
    search_fields = ["name", "sort_name", "slug"]
    search_help_text = _("Any spelling of the name, with or without accents.")
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "sort_name", "slug", "spellings", "confirmed"]
    inlines = [PersonRoleInline]
    actions = ["merge"]
    ordering = ["sort_name", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a person goes by a merge, which keeps every link

    def get_search_results(self, request, queryset, search_term):
        """Django's search, and any person one of whose spellings holds the words
        whatever their accents and case ("Szijjarto" finds "Péter Szijjártó", "KONO Taro"
        in the other spellings finds Taro Kono)."""
        found, duplicates = super().get_search_results(request, queryset, search_term)
        wanted = name_key(search_term)
        if not wanted:
            return found, duplicates
        spelled = [
            pk
            for pk, name, spellings in Person.objects.values_list("pk", "name", "spellings")
            if any(wanted in name_key(spelling) for spelling in [name, *spellings])
        ]
        return found | queryset.filter(pk__in=spelled), duplicates

    @admin.display(description=_("statements"), ordering="statement_total")
    def statement_total(self, person: Person) -> int:
        return person.statement_total

    @admin.display(description=_("meetings"), ordering="meeting_total")
    def meeting_total(self, person: Person) -> int:
        return person.meeting_total

    def _save(self, request, form, formsets, change):
        (roles,) = formsets
        rows = [{name: f.cleaned_data[name] for name in ROLE_FIELDS} for f in kept_forms(roles)]
        person = form.instance if change else Person()
        created = person_update(person=person, roles=rows, user=request.user, **form.cleaned_data)
        return None if change else created

    @admin.action(description=_("Merge the selected people into one…"), permissions=["change"])
    def merge(self, request, queryset):
        people = list(queryset.order_by("sort_name", "id"))
        if len(people) < 2:
            self.message_user(request, _("Select at least two people to merge."), messages.ERROR)
            return None
        form = MergeForm(request.POST if "apply" in request.POST else None, people=people)
        if form.is_valid():
            keep = form.cleaned_data["keep"]
            for person in people:
                if person.pk != keep.pk:
                    person_merge(keep=keep, remove=person, user=request.user)
            self.message_user(
                request,
                ngettext(
                    "Merged %(count)d person into %(keep)s; every link now points there.",
                    "Merged %(count)d people into %(keep)s; every link now points there.",
                    len(people) - 1,
                )
                % {"count": len(people) - 1, "keep": keep},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Merge people"),
            "opts": self.model._meta,
            "people": people,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/statements/person/merge.html", context)
