from django.urls import path

from lifeline.ops import health, views

urlpatterns = [
    # Also answered by RequestLogMiddleware before host checks; routed here for reverse().
    path("_health/live", health.live, name="health_live"),
    path("_health/ready", health.ready, name="health_ready"),
    path("metrics", views.metrics_view, name="metrics"),
]
