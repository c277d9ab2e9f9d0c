from rest_framework import permissions


class IsStaff(permissions.BasePermission):
    """Staff only; anonymous callers get 401, signed-in non-staff 403."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_staff)
