"""Serializers list their fields explicitly. Read serializers work only from what the
QuerySets' ``with_related()`` loaded, so no serializer issues a query of its own."""

from __future__ import annotations

import copy
import datetime as dt
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db.backends.base.operations import BaseDatabaseOperations
from django.urls import reverse
from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from statements import services
from statements.models import (
    TIMEZONE_CHOICES,
    TIMEZONE_NAMES,
    ChangeNote,
    Meeting,
    Paragraph,
    Participant,
    Resolution,
    Statement,
)

# The largest value a PositiveIntegerField column holds on every engine (PostgreSQL's
# integer); a bigger number is a 400 here, not an overflow in the database driver.
MAX_POSITIVE_INTEGER = BaseDatabaseOperations.integer_field_ranges["PositiveIntegerField"][1]


def absolute(serializer: serializers.Serializer, path: str) -> str:
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


class CitedResolutionsField(serializers.ReadOnlyField):
    """The numbers of the resolutions a paragraph cites, in ascending order."""

    def __init__(self, **kwargs) -> None:
        super().__init__(source="*", **kwargs)


@extend_schema_field({"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 9999}})
class ParagraphCitationsField(CitedResolutionsField):
    def to_representation(self, paragraph: Paragraph) -> list[int]:
        return [resolution.number for resolution in paragraph.citations]


@extend_schema_field({"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 9999}})
class StatementCitationsField(CitedResolutionsField):
    def to_representation(self, statement: Statement) -> list[int]:
        return statement.cited_numbers


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "example": "p2",
        "description": "The parent block's anchor in the same statement; null at the top.",
    }
)
class ParentAnchorField(serializers.ReadOnlyField):
    """The parent block by its anchor: stable, readable and the same as the permalink's
    fragment (an id would mean nothing outside the database)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(source="*", **kwargs)

    def to_representation(self, paragraph: Paragraph) -> str | None:
        # Loaded with it: Statement.body() links the parents, with_related() joins them.
        return paragraph.parent.anchor if paragraph.parent_id is not None else None


class PublicURLField(serializers.ReadOnlyField):
    """The absolute URL of the record's page on the public site."""

    def __init__(self, source: str = "get_absolute_url", **kwargs) -> None:
        super().__init__(source=source, **kwargs)

    def to_representation(self, value: str) -> str:
        return absolute(self.parent, value)


PublicURLField = extend_schema_field(OpenApiTypes.URI)(PublicURLField)


# What a written URL may be: http(s), a host with a top-level domain, and only the
# characters RFC 3986 allows unescaped (URLValidator lets `"><script>` through a path,
# which then broke the `format: uri` that reads promise). The schema states the same.
_URI_CHARS = r"(?:[A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2})"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
URL_PATTERN = (
    rf"^https?://{_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,63}}(?::[1-9][0-9]{{0,3}})?"
    rf"(?:/{_URI_CHARS}*)?(?:\?(?:{_URI_CHARS}|\?)*)?(?:#(?:{_URI_CHARS}|\?)*)?$"
)
STRICT_URL = RegexValidator(
    URL_PATTERN, _("Enter an http(s) URL; percent-encode other characters.")
)


class OptionalURLField(serializers.URLField):
    """A URL the source may not give: null when there is none (an empty string is no URI,
    which the schema's ``format: uri`` promises), and null or "" accepted on input."""

    def __init__(self, **kwargs) -> None:
        super().__init__(allow_blank=True, allow_null=True, **kwargs)
        others = [v for v in self.validators if not isinstance(v, URLValidator)]
        self.validators = [URLValidator(schemes=["http", "https"]), *others]

    def run_validation(self, data=serializers.empty):
        # The column is NOT NULL: "no URL" is stored as "", as the admin stores it.
        value = super().run_validation("" if data is None else data)
        if value:
            # Not in self.validators, where drf-spectacular would show the pattern on reads.
            try:
                STRICT_URL(value)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages) from None
        return value

    def to_representation(self, value: str) -> str | None:
        return optional_uri(value)


def optional_uri(value: str) -> str | None:
    """A stored URL as reads give it: null for none, and a URI (``iri_to_uri``: a URL
    stored before writes were strict still reads as one)."""
    return iri_to_uri(value) if value else None


class OptionalURLFieldExtension(OpenApiSerializerFieldExtension):
    """The strict pattern describes what a client may write; a read promises a URI only
    (URLs stored before writes were strict are made one by ``iri_to_uri``)."""

    target_class = OptionalURLField

    def map_serializer_field(self, auto_schema, direction):
        schema = {"type": "string", "format": "uri", "nullable": True}
        if direction == "request":
            schema.update(pattern=URL_PATTERN, maxLength=self.target.max_length)
        return schema


class OffsetDateTimeField(serializers.DateTimeField):
    """ISO 8601 in the datetime's own time zone (DRF would convert it to UTC); in UTC when
    that zone's offset has seconds (local mean time, before about 1900), which RFC 3339
    date-times cannot carry."""

    def enforce_timezone(self, value):
        return value

    def to_representation(self, value):
        offset = value.utcoffset() if value is not None else None
        if offset is not None and offset.seconds % 60:
            value = value.astimezone(dt.UTC)
        return super().to_representation(value)


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$",
        "example": "12:05:00",
        "description": "Local wall-clock time at the meeting's place (no offset: see timezone).",
    }
)
class LocalTimeField(serializers.TimeField):
    """A time of day without offset. JSON Schema's "time" format demands one, so the
    schema describes it by pattern instead."""


@extend_schema_field(
    {
        "type": "string",
        "maxLength": max(len(name) for name in TIMEZONE_NAMES),
        "example": "America/New_York",
        "description": str(Meeting._meta.get_field("timezone").help_text)
        + " One of the names of Python's zoneinfo.available_timezones() (an unknown one "
        "is a 400); the admin offers the same list.",
    }
)
class TimeZoneField(serializers.ChoiceField):
    """An IANA time zone name from the list the admin offers, or "" for unknown. The
    schema does not enumerate the 600 names: schemathesis's coverage phase tried each,
    which tripled its run."""

    def __init__(self, **kwargs) -> None:
        super().__init__(choices=TIMEZONE_CHOICES, allow_blank=True, **kwargs)


def _json_type_matches(field: serializers.Field, value) -> bool:
    """Whether a value has the JSON type the schema gives its field: DRF would turn 0
    into "0" or False and "5" into 5 (and {} into an empty list of slugs)."""
    if isinstance(field, serializers.ManyRelatedField) and isinstance(
        field.child_relation, serializers.SlugRelatedField
    ):
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    if isinstance(field, serializers.CharField):
        return isinstance(value, str)
    if isinstance(field, serializers.BooleanField):
        return isinstance(value, bool)
    if isinstance(field, serializers.IntegerField):
        return isinstance(value, int) and not isinstance(value, bool)
    return True


def _too_long(field: serializers.Field, value) -> bool:
    """Whether a string is longer than the schema's maxLength allows, counted as sent: DRF
    counts after trimming whitespace, so " " * 5 + 200 letters passed a limit of 200."""
    limit = getattr(field, "max_length", None)
    return limit is not None and isinstance(value, str) and len(value) > limit


class StrictStringsMixin:
    """Each field takes the JSON type the schema gives it (``_json_type_matches``), and a
    string at most the schema's maxLength, whitespace included."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            errors = {
                name: [_("Wrong JSON type for this field.")]
                for name, field in self.fields.items()
                if not field.read_only
                and data.get(name) is not None
                and not _json_type_matches(field, data[name])
            }
            for name, field in self.fields.items():
                if name not in errors and not field.read_only and _too_long(field, data.get(name)):
                    errors[name] = [
                        field.error_messages["max_length"].format(max_length=field.max_length)
                    ]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class WholeItemMixin(StrictStringsMixin):
    """An item of a list that a write replaces whole: its required fields are required in
    a PATCH too (DRF skips required fields at every depth of a partial update)."""

    def validate(self, attrs: dict) -> dict:
        missing = {
            name: [field.error_messages["required"]]
            for name, field in self.fields.items()
            if field.required and not field.read_only and name not in attrs
        }
        if missing:
            raise serializers.ValidationError(missing)
        return super().validate(attrs)


class StatementParagraphSerializer(serializers.ModelSerializer):
    """A paragraph inside its statement."""

    cited_resolutions = ParagraphCitationsField(help_text=_("Numbers of the cited resolutions."))
    permalink = PublicURLField(help_text=_("Public URL of exactly this paragraph."))
    parent = ParentAnchorField()

    class Meta:
        model = Paragraph
        fields = [
            *("position", "number", "kind", "label", "depth", "parent", "anchor", "text"),
            *("cited_resolutions", "permalink"),
        ]
        read_only_fields = fields


class StatementListSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:statement-detail", lookup_field="slug", help_text=_("This resource.")
    )
    public_url = PublicURLField(help_text=_("The statement's page on the public site."))
    cited_resolutions = StatementCitationsField(
        help_text=_("Numbers of the resolutions any paragraph cites, ascending.")
    )
    meetings = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True, help_text=_("Slugs of the meetings reported.")
    )

    class Meta:
        model = Statement
        fields = [
            "url",
            "public_url",
            "slug",
            "title",
            "date",
            "kind",
            "speaker",
            "status",
            "cited_resolutions",
            "meetings",
            "version",
            "updated_at",
        ]
        read_only_fields = fields


class ChangeNoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChangeNote
        fields = ["date", "note"]
        read_only_fields = fields


class StatementDetailSerializer(StatementListSerializer):
    # Statement.body(): the blocks in reading order, each holding its parent.
    paragraphs = StatementParagraphSerializer(many=True, read_only=True, source="body")
    source_url = OptionalURLField(
        read_only=True, help_text=_("The page on the ministry's website; null when unknown.")
    )
    first_published_at = serializers.DateTimeField(
        source="published_at",
        read_only=True,
        allow_null=True,
        help_text=_("When the archive first published it; null for a draft."),
    )
    public_updated_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text=_("Its last major change, or its first publication: minor fixes do not move it."),
    )
    change_notes = ChangeNoteSerializer(
        source="public_change_notes",
        many=True,
        read_only=True,
        help_text=_("What each major change did, for readers, newest first."),
    )
    akn_url = PublicURLField(
        source="get_akn_url",
        help_text=_("The statement as an Akoma Ntoso 3.0 XML document on the public site."),
    )

    class Meta(StatementListSerializer.Meta):
        fields = [
            *StatementListSerializer.Meta.fields,
            "section",
            "source_url",
            "title_derived",
            "published_at",
            "first_published_at",
            "public_updated_at",
            "change_notes",
            "withdrawn_note",
            "akn_url",
            "paragraphs",
        ]
        read_only_fields = fields


class ParagraphSerializer(StatementParagraphSerializer):
    """A paragraph on its own, with the statement it belongs to."""

    statement = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    statement_url = serializers.HyperlinkedRelatedField(
        source="statement",
        view_name="api:statement-detail",
        lookup_field="slug",
        read_only=True,
        help_text=_("The statement in this API."),
    )
    statement_title = serializers.CharField(source="statement.title", read_only=True)
    statement_date = serializers.DateField(source="statement.date", read_only=True)

    class Meta(StatementParagraphSerializer.Meta):
        fields = [
            *("statement", "statement_url", "statement_title", "statement_date"),
            *StatementParagraphSerializer.Meta.fields,
        ]
        read_only_fields = fields


class ResolutionSerializer(StrictStringsMixin, serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:resolution-detail", lookup_field="number", help_text=_("This resource.")
    )
    public_url = PublicURLField(help_text=_("The resolution's page on the public site."))
    citation_count = serializers.IntegerField(
        read_only=True, help_text=_("Paragraphs of published statements citing it.")
    )
    is_unanimous = serializers.BooleanField(read_only=True)
    document_url = OptionalURLField(
        required=False,
        max_length=200,
        help_text=_("The UN's official document; null until an editor adds it."),
    )

    class Meta:
        model = Resolution
        fields = [
            "url",
            "public_url",
            "number",
            "symbol",
            "adopted_on",
            "title",
            "vote",
            "is_unanimous",
            "document_url",
            "summary",
            "citation_count",
        ]
        read_only_fields = ["symbol"]

    def validate(self, attrs: dict) -> dict:
        # The model's clean() holds the cross-field rules the admin applies too.
        candidate = copy.copy(self.instance) if self.instance is not None else Resolution()
        for name, value in attrs.items():
            setattr(candidate, name, value)
        candidate.clean()
        return attrs

    def create(self, validated_data: dict) -> Resolution:
        return services.resolution_create(user=self.context["request"].user, **validated_data)

    def update(self, instance: Resolution, validated_data: dict) -> Resolution:
        return services.resolution_update(
            resolution=instance, user=self.context["request"].user, **validated_data
        )


# A resolution shows its newest citations; the rest are a filtered, paged list away.
CITING_PARAGRAPHS_SHOWN = 50


@extend_schema_field(OpenApiTypes.URI)
class CitingParagraphsURLField(serializers.ReadOnlyField):
    def __init__(self, **kwargs) -> None:
        super().__init__(source="number", **kwargs)

    def to_representation(self, number: int) -> str:
        return absolute(self.parent, f"{reverse('api:paragraph-list')}?resolution={number}")


class ResolutionDetailSerializer(ResolutionSerializer):
    citing_paragraphs = ParagraphSerializer(
        many=True,
        read_only=True,
        help_text=_(
            "The newest published paragraphs citing it, at most 50, newest statement "
            "first; all of them (citation_count) at citing_paragraphs_url."
        ),
    )
    citing_paragraphs_url = CitingParagraphsURLField(
        help_text=_("Every published paragraph citing it, newest first, a page at a time.")
    )

    class Meta(ResolutionSerializer.Meta):
        fields = [*ResolutionSerializer.Meta.fields, "citing_paragraphs", "citing_paragraphs_url"]


class ParticipantSerializer(WholeItemMixin, serializers.ModelSerializer):
    class Meta:
        model = Participant
        fields = ["name", "role", "organisation", "in_attendance"]


class MeetingSerializer(StrictStringsMixin, serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:meeting-detail", lookup_field="slug", help_text=_("This resource.")
    )
    public_url = PublicURLField(help_text=_("The meeting's page on the public site."))
    participants = ParticipantSerializer(many=True, help_text=_("In order of protocol."))
    starts_at = OffsetDateTimeField(
        read_only=True,
        allow_null=True,
        help_text=_("The start in the place's own time, ISO 8601 with its UTC offset."),
    )
    starts_at_japan = OffsetDateTimeField(
        read_only=True,
        allow_null=True,
        help_text=_("The same instant in Japan time (Asia/Tokyo), ISO 8601 with +09:00."),
    )
    start_time = LocalTimeField(allow_null=True, required=False)
    timezone = TimeZoneField(required=False)
    duration_minutes = serializers.IntegerField(
        min_value=1, max_value=24 * 60 * 7, allow_null=True, required=False
    )
    statements = serializers.SerializerMethodField(
        help_text=_("Slugs of the published statements reporting it, newest first.")
    )

    class Meta:
        model = Meeting
        fields = [
            "url",
            "public_url",
            "slug",
            "title",
            "kind",
            "date",
            "start_time",
            "timezone",
            "starts_at",
            "starts_at_japan",
            "duration_minutes",
            "location",
            "occasion",
            "participants",
            "statements",
        ]

    def get_statements(self, meeting: Meeting) -> list[str]:
        return [statement.slug for statement in meeting.published_statements]

    def validate_participants(self, participants: list[dict]) -> list[dict]:
        names = [participant["name"] for participant in participants]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise serializers.ValidationError(
                _("Each participant appears once: %(names)s repeated.")
                % {"names": ", ".join(duplicates)}
            )
        return participants

    def create(self, validated_data: dict) -> Meeting:
        return services.meeting_create(user=self.context["request"].user, **validated_data)

    def update(self, instance: Meeting, validated_data: dict) -> Meeting:
        return services.meeting_update(
            meeting=instance, user=self.context["request"].user, **validated_data
        )


ANCHOR = re.compile(r"p-?[0-9a-z]+(?:-[0-9a-z]+)*")


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "pattern": "^p-?[0-9a-z]+(-[0-9a-z]+)*$", "maxLength": 64},
            {"type": "integer", "minimum": 1, "maximum": MAX_POSITIVE_INTEGER},
        ],
        "nullable": True,
    }
)
class ParentInputField(serializers.Field):
    """A parent by anchor (what the read side gives) or by position."""

    default_error_messages = {
        "invalid": _('Give the parent\'s anchor ("p2") or its position (a number from 1).'),
    }

    def to_internal_value(self, data: object) -> int | str:
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int) and 1 <= data <= MAX_POSITIVE_INTEGER:
            return data
        if isinstance(data, str) and len(data) <= 64 and ANCHOR.fullmatch(data):
            return data
        self.fail("invalid")

    def to_representation(self, value: int | str) -> int | str:
        return value


class ParagraphInputSerializer(WholeItemMixin, serializers.Serializer):
    position = serializers.IntegerField(
        min_value=1,
        max_value=MAX_POSITIVE_INTEGER,
        required=False,
        help_text=_("1..n in reading order; leave out on every paragraph to use the list order."),
    )
    number = serializers.IntegerField(
        min_value=1,
        max_value=MAX_POSITIVE_INTEGER,
        allow_null=True,
        required=False,
        default=None,
        help_text=_("The printed number; null for an un-numbered paragraph."),
    )
    text = serializers.CharField(
        help_text=_("Clean text. The resolutions it cites are found in it, not sent.")
    )
    kind = serializers.ChoiceField(
        choices=Paragraph.Kind.choices,
        required=False,
        help_text=_("heading or paragraph (the default)."),
    )
    label = serializers.CharField(
        max_length=16,
        allow_blank=True,
        required=False,
        help_text=_(
            'As printed, without a final full stop: "2", "(1)", "a"; the number if left out.'
        ),
    )
    parent = ParentInputField(
        allow_null=True,
        required=False,
        help_text=_(
            "The block it sits under, which must come before it: its anchor as the read "
            'side gives it ("p2") or its position; null or left out at the top.'
        ),
    )
    depth = serializers.IntegerField(
        min_value=0,
        max_value=32,
        required=False,
        help_text=_("Optional check: the parent's depth plus one (0 at the top)."),
    )


VERSION_MISSING = _("Send the version you loaded, so no one's work is overwritten.")


class StatementWriteSerializer(StrictStringsMixin, serializers.ModelSerializer):
    """A statement as editors' tools send it: its fields, its paragraphs in reading order,
    the slugs of its meetings and, on update, the ``version`` it was loaded at."""

    paragraphs = ParagraphInputSerializer(many=True)
    meetings = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Meeting.objects.all(),
        many=True,
        required=False,
        help_text=_("Slugs of the meetings the statement reports or mentions."),
    )
    source_url = OptionalURLField(
        required=False,
        max_length=500,
        help_text=_('The page on the ministry\'s website; null or "" when unknown.'),
    )
    version = serializers.IntegerField(
        min_value=1,
        max_value=MAX_POSITIVE_INTEGER,
        required=False,
        help_text=_(
            "Required on update: the version you loaded. A stale one is a 409 Conflict "
            "with the current version."
        ),
    )
    change_note = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text=_(
            "A note telling readers what changed, which makes the save a major change "
            "(shown on the page, in the API and the feeds, and moving public_updated_at). "
            "Leave it out for a minor fix. Not for a statement never published."
        ),
    )

    class Meta:
        model = Statement
        fields = [
            "slug",
            "title",
            "title_derived",
            "kind",
            "date",
            "section",
            "speaker",
            "source_url",
            "status",
            "withdrawn_note",
            "meetings",
            "paragraphs",
            "version",
            "change_note",
        ]

    def validate(self, attrs: dict) -> dict:
        if self.instance is not None and "version" not in attrs:
            raise serializers.ValidationError({"version": [VERSION_MISSING]})
        return attrs

    def create(self, validated_data: dict) -> Statement:
        validated_data.pop("version", None)
        kind = change(validated_data)
        return services.statement_create(
            user=self.context["request"].user, **kind, **validated_data
        )

    def update(self, instance: Statement, validated_data: dict) -> Statement:
        kind = change(validated_data)
        return services.statement_update(
            statement=instance,
            expected_version=validated_data.pop("version"),
            user=self.context["request"].user,
            **kind,
            **validated_data,
        )


def change(validated_data: dict) -> dict:
    """The change's kind for the services, taken out of the fields: major when a note is
    given."""
    note = validated_data.pop("change_note", "").strip()
    return {"major": bool(note), "change_note": note}


class StatementUpdateSerializer(StatementWriteSerializer):
    """PUT and PATCH: the version is required, which the schema says too (for PATCH
    through schema.PARTIAL_UPDATE_REQUIRED: DRF skips required fields in a partial
    update, so ``validate()`` enforces it there)."""

    version = serializers.IntegerField(
        min_value=1,
        max_value=MAX_POSITIVE_INTEGER,
        error_messages={"required": VERSION_MISSING},
        help_text=_("The version you loaded. A stale one is a 409 Conflict with the current one."),
    )
