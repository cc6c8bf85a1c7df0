"""Who may read what beyond published content."""


def can_see_unpublished(user, model) -> bool:
    """Editors (the model's change permission) may read drafts and withdrawn records."""
    opts = model._meta
    return bool(
        user
        and user.is_authenticated
        and user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
    )
