from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from mls.models import MlsSource, SyncRun
from mls.services import sync_run_request


class _HttpsURLField(forms.URLField):
    def __init__(self, **kwargs):
        super().__init__(assume_scheme="https", **kwargs)


class MlsSourceForm(forms.ModelForm):
    # Write-only: the stored secret is never rendered; left blank, it is kept.
    client_secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Write-only. Leave blank to keep the stored secret.",
    )

    class Meta:
        model = MlsSource
        # Django 6's default; says so now instead of warning.
        field_classes = {"url": _HttpsURLField, "token_url": _HttpsURLField}
        fields = [
            "name", "url", "token_url", "client_id", "client_secret", "page_size",
            "schedule_minutes", "enabled",
        ]  # fmt: skip

    def clean_client_secret(self):
        secret = self.cleaned_data.get("client_secret")
        return secret or (self.instance.client_secret if self.instance.pk else "")


class SyncRunInline(admin.TabularInline):
    model = SyncRun
    fields = ["id", "trigger", "status", "started_at", "finished_at", "summary", "message"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ["-queued_at", "-id"]
    show_change_link = True
    verbose_name_plural = "run history"

    def summary(self, run):
        return run.summary()

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-queued_at", "-id")


def _last_run(source):
    return source.runs.order_by("-queued_at", "-id").first()


@admin.register(MlsSource)
class MlsSourceAdmin(admin.ModelAdmin):
    form = MlsSourceForm
    list_display = [
        "name",
        "enabled",
        "schedule_minutes",
        "high_water_mark",
        "health",
        "last_error",
    ]
    list_filter = ["enabled"]
    search_fields = ["name", "url"]
    readonly_fields = ["high_water_mark", "event_sequence"]
    inlines = [SyncRunInline]
    actions = ["sync_now", "sync_now_full"]

    @admin.display(description="health")
    def health(self, source):
        run = _last_run(source)
        if run is None:
            return "never synced"
        colour = {"succeeded": "green", "failed": "red"}.get(run.status, "orange")
        finished = f" at {run.finished_at:%Y-%m-%d %H:%M}" if run.finished_at else ""
        return format_html(
            '<span style="color:{}">{}</span>{} ({})', colour, run.status, finished, run.summary()
        )

    @admin.display(description="last error")
    def last_error(self, source):
        run = source.runs.filter(status=SyncRun.Status.FAILED).order_by("-queued_at").first()
        return run.message if run else ""

    def _sync(self, request, queryset, *, full):
        for source in queryset:
            run = sync_run_request(source=source, trigger=SyncRun.Trigger.ADMIN, full=full)
            self.message_user(
                request, f"{source}: run #{run.pk} is {run.status}.", messages.SUCCESS
            )

    @admin.action(description="Sync now")
    def sync_now(self, request, queryset):
        self._sync(request, queryset, full=False)

    @admin.action(description="Sync now (full, with key reconcile)")
    def sync_now_full(self, request, queryset):
        self._sync(request, queryset, full=True)


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = ["id", "source", "trigger", "status", "started_at", "finished_at", "summary"]
    list_filter = ["status", "trigger", "source"]
    readonly_fields = [f.name for f in SyncRun._meta.fields]

    def summary(self, run):
        return run.summary()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
