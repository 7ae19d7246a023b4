"""kbapi's URLs plus the hand-written reference view (bench only)."""

from django.urls import path

from bench.references import values_page
from kbapi.urls import *  # noqa: F403
from kbapi.urls import urlpatterns as kbapi_urlpatterns

urlpatterns = [path("bench/values/", values_page), *kbapi_urlpatterns]
