"""The editors' face: Django admin screens over the services (statements/services/).

Django's autodiscovery imports this package; importing ``model_admins`` registers the
ModelAdmins. Like the other faces, nothing here imports ``pages`` or ``api``.
"""

from statements.admin import model_admins  # noqa: F401
