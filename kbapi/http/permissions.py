"""Who may do what: reads are public, writes need the model's Django permission."""

from rest_framework import permissions


class ModelPermissionsOrReadOnly(permissions.DjangoModelPermissionsOrAnonReadOnly):
    """DRF's ``DjangoModelPermissionsOrAnonReadOnly``, deciding reads without the queryset.

    A read needs no model permission (DRF's map lists none for GET, HEAD and
    OPTIONS), so the answer is yes before DRF would build the view's queryset
    only to learn its model; writes are checked exactly as DRF does.
    """

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return super().has_permission(request, view)
