"""Forms of the editors' admin: the statement form that carries its version, the
paragraphs formset that checks the order as a whole, and the withdrawal form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from statements.importing import ParseError, parse_document
from statements.models import (
    TIMEZONE_CHOICES,
    Meeting,
    Person,
    Statement,
    paragraph_order_errors,
    validate_timezone,
)
from statements.services import (
    StaleVersionError,
    change_note_checked,
    paragraphs_checked,
    paragraphs_placed_by_depth,
)


class StatementAdminForm(forms.ModelForm):
    """The change form keeps the version it was loaded with (a hidden field), so the
    save can refuse to overwrite a newer one. ``conflict`` is set by the admin when the
    save lost that race: the form then re-renders everything the editor typed with the
    error on top."""

    conflict: StaleVersionError | None = None

    # Not the statement's: kept with the save's revision (ChangeNote) by the services.
    change_kind = forms.ChoiceField(
        label=_("This change is"),
        choices=[
            ("minor", _("Minor: a typo, a link, a detail readers need not be told of")),
            ("major", _("Major: readers should know; the note below is shown to them")),
        ],
        initial="minor",
        required=False,  # left out, a save is minor
        widget=forms.RadioSelect,
    )
    change_note = forms.CharField(
        label=_("Public change note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text=_(
            "Required for a major change, e.g. “Corrected the date of the meeting in "
            "paragraph 3.” Shown on the page, in the API and in the feeds, with today's "
            "date. A minor change has none."
        ),
    )

    class Meta:
        model = Statement
        fields = [
            "title",
            "slug",
            "date",
            "kind",
            "section",
            "speaker",
            "person",
            "meetings",
            "withdrawn_note",
            "version",
        ]
        widgets = {
            "version": forms.HiddenInput,
            "withdrawn_note": forms.Textarea(attrs={"rows": 3, "cols": 80}),
        }

    def clean(self) -> dict:
        cleaned_data = super().clean()
        if self.conflict is not None:
            current_url = reverse("admin:statements_statement_change", args=[self.instance.pk])
            raise ValidationError(
                format_html(
                    '{} <a href="{}" target="_blank" rel="noopener">{}</a>',
                    str(self.conflict),
                    current_url,
                    _("Open the current version in a new tab"),
                ),
                code="stale_version",
            )
        if "change_kind" in self.fields and "change_kind" in cleaned_data:
            try:
                change_note_checked(
                    statement=self.instance,
                    major=cleaned_data["change_kind"] == "major",
                    note=cleaned_data.get("change_note", ""),
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned_data


class ParagraphFormSet(BaseInlineFormSet):
    """Checks the paragraphs as a whole (order, printed numbers, publication rule) and
    lets each form render its chosen resolutions from one shared query."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.known_resolutions = {
            str(resolution.pk): resolution
            for paragraph in self.get_queryset()
            for resolution in paragraph.resolutions.all()
        }

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        widget = form.fields["resolutions"].widget
        getattr(widget, "widget", widget).known_resolutions = self.known_resolutions
        return form

    def clean(self) -> None:
        # Our messages first: they say more than the formset's "duplicate values".
        if any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if form.has_changed() or form.instance.pk
            if not self._should_delete_form(form)
        ]
        rows = [
            (form.cleaned_data["position"], form.cleaned_data.get("number"))
            for form in kept
            if "position" in form.cleaned_data
        ]
        errors = paragraph_order_errors(rows)
        if not rows and self.instance.status != Statement.Status.DRAFT:
            errors.append(
                _(
                    "A published or withdrawn statement keeps at least one paragraph; "
                    "to take it off the site, withdraw it."
                )
            )
        if not errors:
            # The tree as the services will check it on saving, so that an impossible one
            # is a message here, naming the block, and never a failed save.
            try:
                paragraphs_checked(
                    paragraphs=paragraphs_placed_by_depth(
                        [tree_row(form, label=True) for form in kept]
                    )
                )
            except ValidationError as error:
                errors += error.message_dict["paragraphs"]
        if errors:
            raise ValidationError(errors)
        super().clean()


def tree_row(form: forms.ModelForm, *, label: bool) -> dict:
    """A paragraph form's block as the services take it (its parent still to be found
    from the depths). The label goes only when asked for or typed: left as it was, the
    services keep it, or print the new number when the number changed."""
    row = {name: form.cleaned_data[name] for name in ("position", "number", "text", "kind")}
    row["depth"] = form.cleaned_data["depth"]
    if label or "label" in form.changed_data:
        row["label"] = form.cleaned_data["label"]
    return row


class ParagraphForm(forms.ModelForm):
    """A block of the inline. Its depth is checked with the others' by the formset (the
    services' check of the whole tree, naming the block), not alone against the
    database's constraints, whose message names none."""

    def _get_validation_exclusions(self):
        return {*super()._get_validation_exclusions(), "depth"}


class CitedResolutionsWidget(AutocompleteSelectMultiple):
    """The autocomplete for a paragraph's resolutions, rendering the chosen ones from the
    formset's shared ``known_resolutions`` instead of one query per paragraph."""

    known_resolutions: dict | None = None

    def optgroups(self, name, value, attr=None):
        known = self.known_resolutions
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if known is None or not selected <= known.keys():
            return super().optgroups(name, value, attr)
        chosen = sorted((known[pk] for pk in selected), key=lambda r: r.number)
        options = [
            self.create_option(name, resolution.pk, str(resolution), True, index)
            for index, resolution in enumerate(chosen)
        ]
        return [(None, options, 0)]


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label=_("Public explanation"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=_(
            "Shown to readers on top of each withdrawn statement, e.g. “Superseded by the "
            "statement of 24 December 2017.”"
        ),
    )


class MergeForm(forms.Form):
    """Which of the selected people stays: the others' links, roles and spellings move to it."""

    keep = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        label=_("Keep"),
        widget=forms.RadioSelect,
        empty_label=None,
        help_text=_(
            "The others are deleted after their statements, meetings, roles and spellings "
            "move to this person."
        ),
    )

    def __init__(self, *args: Any, people: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = Person.objects.filter(pk__in=[p.pk for p in people])


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleTextFileField(forms.FileField):
    """Several uploaded .txt files, read as UTF-8 text: a list of (name, text)."""

    widget = MultipleFileInput(attrs={"accept": ".txt,text/plain"})

    def clean(self, data, initial=None) -> list[tuple[str, str]]:
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        pages = []
        for upload in uploads:
            upload = super().clean(upload, initial)
            raw = upload.read()
            if b"\x00" in raw:
                raise ValidationError(
                    _("%(name)s is a binary file, not a page's text."), params={"name": upload.name}
                )
            try:
                pages.append((upload.name, raw.decode("utf-8")))
            except UnicodeDecodeError as exc:
                raise ValidationError(
                    _("%(name)s is not UTF-8 text (line %(line)s); save it as UTF-8 and retry."),
                    params={"name": upload.name, "line": raw[: exc.start].count(b"\n") + 1},
                ) from exc
        return pages


class ImportForm(forms.Form):
    """A page's text pasted, or .txt files uploaded: parsed here so the editor sees any
    problem before anything is written."""

    text = forms.CharField(
        label=_("Page text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "cols": 100}),
        help_text=_(
            "Copy the whole page from the ministry's site, from the section line to "
            "“Back to …”, and paste it here."
        ),
    )
    files = MultipleTextFileField(
        label=_("or .txt files"),
        required=False,
        help_text=_("One page per file, UTF-8 text. Several files import together."),
    )
    source_url = forms.URLField(
        label=_("Source URL"),
        required=False,
        assume_scheme="https",
        help_text=_("The page's address on the ministry's site (for a single page)."),
    )

    # After the preview, the pages come back from here (files are not sent twice).
    pages = forms.JSONField(required=False, widget=forms.HiddenInput)

    def clean_pages(self) -> list[tuple[str, str]]:
        pages = self.cleaned_data.get("pages") or []
        if not isinstance(pages, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p)
            for p in pages
        ):
            raise ValidationError(_("The reviewed pages were garbled; paste them again."))
        return [tuple(p) for p in pages]

    def clean(self) -> dict:
        cleaned_data = super().clean()
        pages = [*cleaned_data.get("pages", []), *(cleaned_data.get("files") or [])]
        if (cleaned_data.get("text") or "").strip():
            pages.insert(0, (str(_("pasted text")), cleaned_data["text"]))
        if not pages and not self.errors:
            raise ValidationError(_("Paste a page's text or choose .txt files to import."))
        if cleaned_data.get("source_url") and len(pages) > 1:
            self.add_error("source_url", _("A source URL names one page; import one at a time."))
        parsed, errors = [], []
        for name, text in pages:
            try:
                parsed.append((name, text, parse_document(text)))
            except ParseError as error:
                errors.append(
                    ValidationError(
                        _("%(name)s could not be read: %(problem)s"),
                        params={"name": name, "problem": str(error)},
                    )
                )
        if errors:
            raise ValidationError(errors)
        cleaned_data["parsed"] = parsed
        return cleaned_data


class MeetingAdminForm(forms.ModelForm):
    """The time zone is picked from the IANA list, not typed: a typed "New York" reached
    the Japan-time computation on the change form and answered 500."""

    timezone = forms.ChoiceField(
        label=Meeting._meta.get_field("timezone").verbose_name,
        help_text=Meeting._meta.get_field("timezone").help_text,
        choices=[("", _("Unknown")), *TIMEZONE_CHOICES],
        required=False,
        validators=[validate_timezone],
    )

    class Meta:
        model = Meeting
        fields = [
            "title",
            "slug",
            "kind",
            "occasion",
            "location",
            "date",
            "start_time",
            "timezone",
            "duration_minutes",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        stored = self.instance.timezone
        if stored and (stored, stored) not in TIMEZONE_CHOICES:
            # A name this tzdata no longer lists stays visible, so that saving the form
            # unchanged cannot clear it silently; validation asks for a current one.
            self.fields["timezone"].choices = [*self.fields["timezone"].choices, (stored, stored)]
