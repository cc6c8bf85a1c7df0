"""The format django-reversion stores statements and paragraphs in (``json-versions``,
named in their ``reversion.register(format=...)``): Django's JSON, byte for byte, made
cheap per object. Reversion serializes every paragraph of a statement on its own, and
per-object overhead was most of an import's history (1,000 pages: 13.4 s -> see
docs/architecture.md). Only versions use it; every other "json" is Django's own.

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

import json

from django.core.serializers.json import Deserializer as JSONDeserializer
from django.core.serializers.json import Serializer as JSONSerializer

Deserializer = JSONDeserializer


def prefetched_as(name: str) -> str:
    """The attribute a many-to-many prefetched for serializing is listed in."""
    return f"version_{name}"


class Serializer(JSONSerializer):
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
