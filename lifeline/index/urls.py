from django.urls import path, re_path

from lifeline.index.simple import views as simple
from lifeline.index.upload import views as upload
from lifeline.index.views import api, files, manage, pages

urlpatterns = [
    path("legacy/", upload.legacy_upload, name="legacy_upload"),
    path("simple/", simple.simple_index, name="simple_index"),
    path("simple/<str:name>/", simple.simple_project, name="simple_project"),
    re_path(
        r"^files/(?P<path>[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{60}/[^/]+)$",
        files.serve_file,
        name="file_download",
    ),
    # PyPI's URL shapes: the JSON API, and the project URLs tools print after an upload.
    path("pypi/<str:name>/json", api.pypi_json_project, name="pypi_json_project"),
    path("pypi/<str:name>/<str:version>/json", api.pypi_json_release, name="pypi_json_release"),
    path("project/<str:name>/", pages.project_redirect, name="project_redirect"),
    path("project/<str:name>/<str:version>/", pages.project_redirect, name="release_redirect"),
    path("projects/", pages.project_list, name="project_list"),
    path("projects/<str:name>/", pages.project_detail, name="project_detail"),
    path("user/<str:username>/", pages.user_profile, name="user_profile"),
    path("manage/projects/", manage.manage_projects, name="manage_projects"),
    path("manage/project/<str:name>/", manage.manage_project, name="manage_project"),
    path("manage/project/<str:name>/roles/add/", manage.role_add_view, name="role_add"),
    path(
        "manage/project/<str:name>/roles/<int:role_id>/remove/",
        manage.role_remove_view,
        name="role_remove",
    ),
    path(
        "manage/project/<str:name>/roles/<int:role_id>/transfer/",
        manage.ownership_transfer_view,
        name="ownership_transfer",
    ),
    path(
        "manage/project/<str:name>/release/<str:version>/yank/",
        manage.release_yank_view,
        name="release_yank",
    ),
    path(
        "manage/project/<str:name>/release/<str:version>/unyank/",
        manage.release_unyank_view,
        name="release_unyank",
    ),
    path(
        "manage/project/<str:name>/release/<str:version>/delete/",
        manage.release_delete_view,
        name="release_delete",
    ),
]
