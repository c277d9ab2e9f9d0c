from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from mls.models import MlsSource, SyncRun


class _CountsSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    deleted = serializers.IntegerField()
    failed = serializers.IntegerField()


class _ErrorSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The record's ListingKey (blank when it had none).")
    message = serializers.CharField()


class SyncRunSerializer(serializers.HyperlinkedModelSerializer):
    """A sync run as SPEC §7 shows it."""

    url = serializers.HyperlinkedIdentityField(view_name="sync-run-detail")
    source = serializers.PrimaryKeyRelatedField(read_only=True)
    counts = serializers.SerializerMethodField()
    errors = serializers.SerializerMethodField()

    class Meta:
        model = SyncRun
        fields = [
            "id", "url", "source", "trigger", "status", "started_at", "finished_at",
            "counts", "errors",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(_CountsSerializer)
    def get_counts(self, run):
        return run.counts

    @extend_schema_field(_ErrorSerializer(many=True))
    def get_errors(self, run):
        return [{"key": e.get("key", ""), "message": e.get("message", "")} for e in run.errors]


class MlsSourceSerializer(serializers.ModelSerializer):
    """An MLS source; the client secret can be written, never read back."""

    client_secret = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=500,
        style={"input_type": "password"},
    )  # fmt: skip
    last_run = serializers.SerializerMethodField()

    class Meta:
        model = MlsSource
        fields = [
            "id", "name", "url", "token_url", "client_id", "client_secret", "page_size",
            "schedule_minutes", "enabled", "high_water_mark", "last_run",
        ]  # fmt: skip
        read_only_fields = ["high_water_mark"]

    @extend_schema_field(SyncRunSerializer(allow_null=True))
    def get_last_run(self, source):
        runs = getattr(source, "latest_runs", None)
        run = runs[0] if runs else None
        return SyncRunSerializer(run, context=self.context).data if run else None

    def validate(self, attrs):
        token_url = attrs.get("token_url", getattr(self.instance, "token_url", ""))
        client_id = attrs.get("client_id", getattr(self.instance, "client_id", ""))
        if token_url and not client_id:
            raise serializers.ValidationError(
                {"client_id": ["Required with a token_url (OAuth2 client credentials)."]}
            )
        return attrs
