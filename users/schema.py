"""OpenAPI descriptions of Hearth's authentication classes (imported by UsersConfig.ready).

drf-spectacular matches authentication classes exactly; these subclasses of
simplejwt's and DRF's are described as their parents are.
"""

from drf_spectacular.authentication import TokenScheme
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class VersionedJWTScheme(SimpleJWTScheme):
    target_class = "users.authentication.VersionedJWTAuthentication"


class ExpiringTokenScheme(TokenScheme):
    target_class = "users.authentication.ExpiringTokenAuthentication"
