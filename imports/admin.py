"""The admin's imports: upload a RESO CSV or JSON file, watch it run, read its row errors."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.validators import FileExtensionValidator
from django.db import transaction
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from imports.models import ImportRun
from imports.services import import_run_create
from properties.admin_display import agent_name, run_health_class
from properties.feeds import FORMATS, FeedError


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="RESO file",
        validators=[FileExtensionValidator(allowed_extensions=FORMATS)],
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.json"}),
        help_text=(
            "CSV with a header of RESO field names, or JSON (a list, or a RESO "
            '{"value": [...]} envelope), as manage.py import_listings reads. '
            "Listings are matched on ListingId."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["data-max-bytes"] = settings.IMPORT_UPLOAD_MAX_BYTES

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}; uploads are limited to "
                f"{filesizeformat(limit)}. Import larger feeds with manage.py import_listings."
            )
        return upload


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["id", "file_name", "uploaded", "health", "queued_at", "finished_at", "counts"]
    list_display_links = ["id", "file_name"]
    list_filter = ["status", "queued_at"]
    list_select_related = ["uploaded_by"]
    search_fields = ["file_name", "uploaded_by__username", "uploaded_by__last_name"]
    date_hierarchy = "queued_at"

    def get_queryset(self, request):
        # The file's bytes are read by the job, never by a page.
        return super().get_queryset(request).defer("content", "errors")

    @admin.display(description="uploaded by", ordering="uploaded_by__last_name")
    def uploaded(self, run):
        return agent_name(run.uploaded_by)

    @admin.display(description="status", ordering="status")
    def health(self, run):
        return format_html(
            '<span class="hearth-health {}">{}</span>',
            run_health_class(run.status),
            run.get_status_display(),
        )

    @admin.display(description="rows")
    def counts(self, run):
        return run.counts_line()

    def has_add_permission(self, request):
        # Staff who upload a file write listings: they need the listing permissions too.
        return super().has_add_permission(request) and request.user.has_perms(
            ["properties.add_property", "properties.change_property"]
        )

    def has_change_permission(self, request, obj=None):
        return False  # a run is a record of what happened

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<int:object_id>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="{}_{}_progress".format(*info),
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        posted = request.method == "POST"
        form = ImportUploadForm(request.POST, request.FILES) if posted else ImportUploadForm()
        if posted and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                # One transaction for the run and its log entry: the job starts at
                # commit, so the request has written everything before it begins.
                with transaction.atomic():
                    run = import_run_create(
                        content=upload.read(), file_name=upload.name, user=request.user
                    )
                    self.log_addition(request, run, [{"added": {}}])
            except FeedError as exc:
                form.add_error("file", str(exc))
            else:
                return HttpResponseRedirect(
                    reverse("admin:imports_importrun_change", args=[run.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import listings from a file",
            "form": form,
            "max_bytes": settings.IMPORT_UPLOAD_MAX_BYTES,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/imports/importrun/upload.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self._run(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(run),
            "run": run,
            "health_class": run_health_class(run.status),
            "more_errors": max(run.failed - len(run.errors), 0),
            "has_add_permission": self.has_add_permission(request),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/imports/importrun/run.html", context)

    def progress_view(self, request, object_id):
        """What the run page polls while the import runs: status, share read, counts."""
        run = self._run(request, object_id, fields=("status", "progress", *COUNTS))
        return JsonResponse(
            {
                "status": run.status,
                "status_label": run.get_status_display(),
                "active": run.active,
                "progress": round(run.progress, 4),
                "counts": run.counts_line(),
            }
        )

    def _run(self, request, object_id, fields=None) -> ImportRun:
        queryset = ImportRun.objects.select_related("uploaded_by").defer("content")
        if fields:
            queryset = ImportRun.objects.only(*fields)
        try:
            run = get_object_or_404(queryset, pk=int(object_id))
        except ValueError:
            raise Http404 from None
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        return run


COUNTS = ("created", "updated", "unchanged", "failed")
