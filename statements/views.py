from django.views.generic import DetailView, ListView

from statements.models import Meeting, Paragraph, Resolution, Statement


class HomeView(ListView):
    template_name = "statements/home.html"
    context_object_name = "statements"

    def get_queryset(self):
        return Statement.objects.published()


class StatementDetailView(DetailView):
    context_object_name = "statement"

    def get_queryset(self):
        return Statement.objects.readable().with_related()


class ResolutionDetailView(DetailView):
    context_object_name = "resolution"
    slug_field = "number"
    slug_url_kwarg = "number"

    def get_queryset(self):
        return Resolution.objects.all()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["paragraphs"] = (
            Paragraph.objects.published()
            .citing(self.object)
            .with_related()
            .order_by("-statement__date", "statement_id", "position")
        )
        return context


class MeetingDetailView(DetailView):
    context_object_name = "meeting"

    def get_queryset(self):
        return Meeting.objects.published().with_related()
