"""Serializer building blocks shared by the apps.

DRF's text fields turn numbers into text (``400`` becomes ``"400"``) and
measure ``max_length`` after trimming surrounding whitespace, so they accept
input the OpenAPI document says is invalid. Hearth's text fields take strings
only, of at most ``max_length`` characters as sent; every ModelSerializer
builds its text fields from them.
"""

from django.db import models
from rest_framework import serializers
from rest_framework.fields import empty


class StrictTextMixin:
    default_error_messages = {"invalid": "Not a valid string."}

    def run_validation(self, data=empty):
        if data is not empty and data is not None and not isinstance(data, str):
            self.fail("invalid")
        if isinstance(data, str) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().run_validation(data)


class CharField(StrictTextMixin, serializers.CharField):
    """A ``CharField`` that accepts strings only."""


class EmailField(StrictTextMixin, serializers.EmailField):
    """An ``EmailField`` that accepts strings only."""


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer with Hearth's strict text fields."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: CharField,
        models.TextField: CharField,
        models.EmailField: EmailField,
    }
