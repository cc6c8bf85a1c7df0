"""The format django-reversion stores statements and paragraphs in (``json-versions``,
named in their ``reversion.register(format=...)``): Django's JSON, byte for byte, made
cheap per object. Reversion serializes every paragraph of a statement on its own, and
per-object overhead was most of an import's history (1,000 pages: 13.4 s -> see
docs/architecture.md). Only versions use it; every other "json" is Django's own.

- ``serialize``: reversion calls it once per object, with no stream, indent or natural
  keys. Django's serializer then set itself up (a progress bar, a stream, its options)
  and walked every field of the model deciding whether to include it, which cost more
  than the object's own values: here each model's fields are picked once, and each
  object is one ``json.dumps``. Anything else goes Django's way.
- ``handle_m2m_field``: Django reads a prefetched many-to-many from the prefetch cache but
  builds the fallback queryset first (``dict.get`` evaluates its default), which cost more
  than serializing the paragraph.
- ``version_<field>``: a many-to-many the caller prefetched as a plain list
  (``Prefetch(..., to_attr=prefetched_as(name))``) is read from it. Django builds a
  queryset and a manager for each object a many-to-many is prefetched into the usual way,
  which cost an import more than serializing the paragraphs.
- ``end_object``: ``json.dump`` to a stream encodes in pure Python, ``json.dumps`` in C.

Versions written before it say "json", and read back the same.
"""

from __future__ import annotations

import json
from functools import cache

from django.core.serializers.json import Deserializer as JSONDeserializer
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer
from django.db.models import Field, Model

Deserializer = JSONDeserializer


def prefetched_as(name: str) -> str:
    """The attribute a many-to-many prefetched for serializing is listed in."""
    return f"version_{name}"


# What json.dumps(..., cls=DjangoJSONEncoder, ensure_ascii=False) builds each time.
_ENCODER = DjangoJSONEncoder(ensure_ascii=False)


@cache
def _chosen_fields(
    model: type[Model], selected: tuple[str, ...] | None
) -> tuple[tuple[Field, ...], tuple[Field, ...]]:
    """The fields and many-to-manys Django's serializer writes of the model, in its order
    (``Serializer.serialize``), with ``fields=selected`` and no natural primary keys."""
    opts = model._meta.concrete_model._meta

    def chosen(field: Field, name: str) -> bool:
        return field.serialize and (selected is None or name in selected)

    return (
        tuple(
            field
            for field in opts.local_fields
            if chosen(field, field.attname if field.remote_field is None else field.attname[:-3])
        ),
        tuple(field for field in opts.local_many_to_many if chosen(field, field.attname)),
    )


@cache
def _plain(kind: type[Field]) -> bool:
    """A field of this class serializes its attribute as is, or as ``str()`` of it unless
    a protected type (Field's own behaviour): a ``str`` is written as it is."""
    return (
        kind.value_from_object is Field.value_from_object
        and kind.value_to_string is Field.value_to_string
    )


class Serializer(JSONSerializer):
    _dumped: str | None = None

    def serialize(self, queryset, **options) -> str:
        self._dumped = None
        if set(options) - {"fields", "use_natural_foreign_keys"} or options.get(
            "use_natural_foreign_keys"
        ):
            return super().serialize(queryset, **options)
        # Django's serializer with no stream, indent, natural keys or progress output.
        self.options = {}
        self.selected_fields = options.get("fields")
        self.use_natural_foreign_keys = self.use_natural_primary_keys = False
        selected = tuple(self.selected_fields) if self.selected_fields is not None else None
        self._dumped = "[" + ", ".join(self._dumps(obj, selected) for obj in queryset) + "]"
        return self._dumped

    def getvalue(self) -> str:
        # serializers.serialize() returns this, not what serialize() did.
        return self._dumped if self._dumped is not None else super().getvalue()

    def _dumps(self, obj: Model, selected: tuple[str, ...] | None) -> str:
        fields, many_to_many = _chosen_fields(type(obj), selected)
        self._current = {}
        for field in fields:
            if (
                not _plain(type(field))
                or (value := getattr(obj, field.attname)).__class__ is not str
            ):
                value = self._value_from_field(obj, field)
            self._current[field.name] = value
        for field in many_to_many:
            self.handle_m2m_field(obj, field)
        dumped = _ENCODER.encode(self.get_dump_object(obj))
        self._current = None
        return dumped

    def handle_m2m_field(self, obj, field) -> None:
        prefetched = getattr(obj, "_prefetched_objects_cache", {}).get(field.name)
        if prefetched is None:
            prefetched = getattr(obj, prefetched_as(field.name), None)
        if (
            prefetched is None
            or not field.remote_field.through._meta.auto_created
            or self.use_natural_foreign_keys
        ):
            super().handle_m2m_field(obj, field)
            return
        self._current[field.name] = [
            self._value_from_field(related, related._meta.pk) for related in prefetched
        ]

    def end_object(self, obj) -> None:
        # Django's, with json.dumps for json.dump.
        indent = self.options.get("indent")
        if not self.first:
            self.stream.write("," if indent else ", ")
        if indent:
            self.stream.write("\n")
        self.stream.write(json.dumps(self.get_dump_object(obj), **self.json_kwargs))
        self._current = None
