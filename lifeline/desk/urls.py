from django.urls import path

from lifeline.desk.views import accounts, actions, case, metrics, queue, staff

urlpatterns = [
    path("", queue.queue_page, name="desk_queue"),
    path("metrics/", metrics.metrics_page, name="desk_metrics"),
    path("cases/<uuid:public_id>/", case.case_page, name="desk_case"),
    path("cases/<uuid:public_id>/message/", case.case_message, name="desk_case_message"),
    path("cases/<uuid:public_id>/assign/", actions.assign, name="desk_case_assign"),
    path("cases/<uuid:public_id>/request-info/", actions.request_info, name="desk_case_info"),
    path("cases/<uuid:public_id>/approve/", actions.approve, name="desk_case_approve"),
    path("cases/<uuid:public_id>/deny/", actions.deny, name="desk_case_deny"),
    path("cases/<uuid:public_id>/escalate/", actions.escalate, name="desk_case_escalate"),
    path("cases/<uuid:public_id>/resend-link/", actions.resend, name="desk_case_resend"),
    path("accounts/", accounts.account_lookup, name="desk_account_lookup"),
    path("accounts/<str:username>/", accounts.account_page, name="desk_account"),
    path("accounts/<str:username>/<str:tool>/", accounts.account_tool, name="desk_account_tool"),
    path("staff/", staff.staff_page, name="desk_staff"),
    path("staff/role/", staff.staff_set_role, name="desk_staff_role"),
    path("staff/grants/<int:pk>/", staff.staff_grant_decide, name="desk_staff_grant"),
]
