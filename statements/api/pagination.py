"""Page-number pagination that refuses what it cannot serve instead of guessing."""

from django.core.paginator import InvalidPage
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError

from statements.models import compiled_slice

# Query parameters that are not filters but that every list understands.
COMMON_PARAMETERS = frozenset({"page", "page_size", "format"})

MAX_PAGE_SIZE = 100
# The deepest record a list serves (as Elasticsearch's max_result_window): OFFSET reads
# and skips every record before the page, 0.6 s for 10,000 paragraphs on SQLite at
# 100,000 statements. Filters (dates, year, statement) reach further back.
MAX_RESULT_WINDOW = 5_000
TOO_DEEP = _(
    "Lists serve their first %(window)s records: page × page_size must be at most "
    "%(window)s. Narrow the list with its filters (a date range, a year) to reach older ones."
)
SEARCH_PAGES = _(
    "A search serves its newest matches only, on the pages `count` makes; narrow it (see "
    "`q`) to reach older ones."
)
MORE = _(
    "True when a search (`q`) matched more than it reads: `count` is then only the newest "
    "matches, served newest first; narrow the search to reach the others."
)


def positive_int(raw: str, name: str, maximum: int | None = None) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = 0
    if value < 1 or (maximum is not None and value > maximum):
        bound = f"between 1 and {maximum}" if maximum else "a whole number of 1 or more"
        raise ValidationError(
            {name: [_("Must be %(bound)s, not %(raw)r.") % {"bound": bound, "raw": raw}]}
        )
    return value


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    last_page_strings = ()
    more = False

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if not raw:  # absent or empty: not given, like every other query parameter
            return self.page_size
        return positive_int(raw, self.page_size_query_param, self.max_page_size)

    def requested_page(self, request) -> tuple[int, int]:
        """(page number, page size) as asked, refusing a page past the window with a 404,
        as a page past the end is (a 400 would refuse what the schema allows). Lists call
        it before they filter too (StrictFilterBackend), so such a page costs no search."""
        page_size = self.get_page_size(request)
        raw_page = request.query_params.get(self.page_query_param)
        number = positive_int(raw_page, self.page_query_param) if raw_page else 1
        if number * page_size > MAX_RESULT_WINDOW:
            raise NotFound(TOO_DEEP % {"window": f"{MAX_RESULT_WINDOW:,}"})
        return number, page_size

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        number, page_size = self.requested_page(request)
        paginator = self.django_paginator_class(queryset, page_size)
        # A view may know its list's length without counting (see Tally).
        known = getattr(view, "known_count", lambda: None)()
        if known is not None:
            paginator.count = known
        self.more = getattr(getattr(view, "filterset", None), "more", False)
        try:
            self.page = paginator.page(number)
        except InvalidPage as exc:
            if self.more:
                raise NotFound(SEARCH_PAGES) from exc
            raise NotFound(
                _("Page %(number)s does not exist: there are %(pages)s page(s) of %(size)s.")
                % {"number": number, "pages": paginator.num_pages, "size": page_size}
            ) from exc
        unfiltered = getattr(view, "unfiltered_rows", None)
        if unfiltered is not None and set(request.query_params) <= COMMON_PARAMETERS:
            # A page of the whole list, as no filter changed it: from SQL compiled once.
            start = (self.page.number - 1) * page_size
            return compiled_slice(type(view).unfiltered_rows, start, start + page_size)
        return list(self.page)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        count, *rest = response.data.items()
        response.data = {**dict([count]), "more": self.more, **dict(rest)}
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count"]["description"] = str(
            _("How many records the list has; for a search (`q`), how many it serves (see `more`).")
        )
        schema["properties"]["more"] = {
            "type": "boolean",
            "description": str(MORE),
            "example": False,
        }
        schema["required"].append("more")
        return schema

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_query_param:
                parameter["description"] = str(TOO_DEEP % {"window": f"{MAX_RESULT_WINDOW:,}"})
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
                parameter["schema"]["default"] = self.page_size
        return parameters
