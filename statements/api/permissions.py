"""Who may read what beyond published content."""

from rest_framework import permissions


def can_see_unpublished(user, model) -> bool:
    """Editors (the model's change permission) may read drafts and withdrawn records."""
    opts = model._meta
    return bool(
        user
        and user.is_authenticated
        and user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
    )


class ModelPermissionsOrAnonReadOnly(permissions.DjangoModelPermissionsOrAnonReadOnly):
    """DRF's, without building the view's queryset for a read. A read asks for no
    permission (``perms_map`` lists none for GET, HEAD and OPTIONS), so DRF's answer is
    whether there is a user; it built the whole queryset only to learn its model."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS and not self.perms_map[request.method]:
            return bool(request.user)
        return super().has_permission(request, view)
