from django.contrib import admin

from statements.models import Meeting, Paragraph, Participant, Resolution, Statement


class ParagraphInline(admin.StackedInline):
    model = Paragraph
    extra = 0
    filter_horizontal = ["resolutions"]


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ["title", "date", "kind", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "speaker"]
    prepopulated_fields = {"slug": ["date", "title"]}
    inlines = [ParagraphInline]


@admin.register(Resolution)
class ResolutionAdmin(admin.ModelAdmin):
    list_display = ["number", "symbol", "adopted_on", "vote"]
    search_fields = ["number", "title"]


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "date", "kind", "location"]
    prepopulated_fields = {"slug": ["date", "title"]}
    inlines = [ParticipantInline]
