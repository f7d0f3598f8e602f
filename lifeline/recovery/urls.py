from django.urls import path

from lifeline.recovery.views import api, case_status, devices, links, start, workflow

urlpatterns = [
    path("", start.start, name="recovery_start"),
    path("request/", start.request_form, name="recovery_request"),
    path("request/sent/", start.request_sent, name="recovery_request_sent"),
    path("verify/<uuid:public_id>/<str:token>/", links.verify, name="recovery_verify"),
    path(
        "status/<uuid:public_id>/<str:token>/",
        case_status.status_enter,
        name="recovery_status_enter",
    ),
    path("status/<uuid:public_id>/", case_status.status_page, name="recovery_status"),
    path("proofs/token/", api.token_proof, name="recovery_token_proof"),
    path("proofs/workflow/", workflow.workflow_proof, name="recovery_workflow_proof"),
    path("cancel/<str:signed>/", links.owner_cancel, name="recovery_owner_cancel"),
    path("devices/<int:device_id>/forget/", devices.forget, name="recovery_device_forget"),
]

# Support side: the restore link (lifeline.recovery.views.restore).
from lifeline.recovery.views import restore as restore_views  # noqa: E402

urlpatterns += [
    path(
        "restore/<uuid:public_id>/<str:token>/",
        restore_views.restore_enter,
        name="recovery_restore_enter",
    ),
    path("restore/<uuid:public_id>/", restore_views.restore_page, name="recovery_restore"),
    path("restore/done/", restore_views.restore_done, name="recovery_restore_done"),
]
