"""Form fields the public pages' filters and the API's share."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _


class OrderingField(django_filters.fields.BaseCSVField):
    """The fields of ``ordering``, comma-separated: an empty item ("date," or ",") names
    none, and is an error like an unknown field, not a field left out. An empty
    parameter is no ordering, as any filter's is."""

    def clean(self, value):
        if value and any(item in self.empty_values for item in value):
            raise forms.ValidationError(
                _("“%(value)s” names no sort field between two commas or at an end."),
                params={"value": ",".join(value)},
                code="invalid_choice",
            )
        return super().clean(value)
