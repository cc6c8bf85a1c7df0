"""Django's JSON serialization with datetimes and times to the microsecond, for backups.

DjangoJSONEncoder cuts them to milliseconds (ECMA-262 dates), so a plain ``dumpdata``
round trip changes every timestamp, and with them the ETags and the history's dates.
Registered as the ``json-exact`` format (SERIALIZATION_MODULES); the files it writes
are ordinary JSON that ``loaddata`` reads as ``json``.
"""

import datetime as dt

from django.core.serializers.json import Deserializer as JSONDeserializer
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer

Deserializer = JSONDeserializer


class ExactEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, dt.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, dt.time):
            return o.isoformat()
        return super().default(o)


class Serializer(JSONSerializer):
    def _init_options(self) -> None:
        super()._init_options()
        self.json_kwargs["cls"] = ExactEncoder
