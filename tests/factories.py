"""factory_boy factories: build only the data a test needs."""

import datetime as dt

import factory

from statements.models import Meeting, Paragraph, Participant, Person, Resolution, Statement


class ResolutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resolution
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: 1000 + n)
    adopted_on = dt.date(2017, 1, 1)
    vote = "15-0-0"


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    slug = factory.Sequence(lambda n: f"meeting-{n}")
    title = factory.Sequence(lambda n: f"Meeting {n}")
    kind = Meeting.Kind.BILATERAL
    date = dt.date(2017, 9, 19)
    timezone = "America/New_York"
    location = "New York"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Given{n} Family{n}")
    sort_name = factory.LazyAttribute(lambda p: " ".join(reversed(p.name.split())))
    slug = factory.Sequence(lambda n: f"person-{n}")


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    meeting = factory.SubFactory(MeetingFactory)
    name = factory.Sequence(lambda n: f"Person {n}")
    role = "Minister"


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Statement

    slug = factory.Sequence(lambda n: f"statement-{n}")
    title = factory.Sequence(lambda n: f"Statement {n}")
    kind = Statement.Kind.STATEMENT
    date = dt.date(2017, 12, 23)
    section = "Japan and the United Nations"
    status = Statement.Status.PUBLISHED


class ParagraphFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Paragraph

    statement = factory.SubFactory(StatementFactory)
    position = factory.Sequence(lambda n: n + 1)
    number = factory.SelfAttribute("position")
    text = factory.Sequence(lambda n: f"Paragraph text {n}.")
    # A top-level block by default; the services compute these the same way.
    parent = None
    label = factory.LazyAttribute(lambda p: "" if p.number is None else str(p.number))
    depth = factory.LazyAttribute(lambda p: p.parent.depth + 1 if p.parent else 0)
    anchor = factory.LazyAttribute(
        lambda p: (
            f"{p.parent.anchor}-{p.label.strip('().')}"
            if p.parent and p.label
            else f"p{p.number}"
            if p.number is not None
            else f"p-{p.position}"
        )
    )


class UserFactory(factory.django.DjangoModelFactory):
    """A user; ``permissions=["statements.change_statement", ...]`` grants model permissions."""

    class Meta:
        model = "auth.User"
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")

    @factory.post_generation
    def permissions(user, create, extracted, **kwargs):
        if not (create and extracted):
            return
        from django.contrib.auth.models import Permission

        for dotted in extracted:
            app_label, codename = dotted.split(".")
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def statement_with_paragraphs(count: int, resolution=None, **kwargs) -> Statement:
    """A published statement of numbered paragraphs, each citing ``resolution`` if given."""
    statement = StatementFactory(**kwargs)
    number = resolution.number if resolution else 1
    for position in range(1, count + 1):
        paragraph = ParagraphFactory(
            statement=statement,
            position=position,
            number=position,
            text=f"Paragraph {position} recalls resolution {number}.",
        )
        if resolution:
            paragraph.resolutions.add(resolution)
    return statement
