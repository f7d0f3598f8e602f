"""Recovery contact pages (included from lifeline/checkup/urls.py)."""

from django.urls import path

from lifeline.checkup import contacts_views

urlpatterns = [
    path(
        "account/recovery-contacts/",
        contacts_views.recovery_contacts,
        name="recovery_contacts",
    ),
    path(
        "account/recovery-contacts/add/",
        contacts_views.recovery_contact_add,
        name="recovery_contact_add",
    ),
    path(
        "account/recovery-contacts/<int:link_id>/answer/",
        contacts_views.recovery_contact_answer,
        name="recovery_contact_answer",
    ),
    path(
        "account/recovery-contacts/<int:link_id>/remove/",
        contacts_views.recovery_contact_remove,
        name="recovery_contact_remove",
    ),
]
