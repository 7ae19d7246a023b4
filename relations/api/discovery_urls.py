"""Routes of the discovery endpoints, included under /api/v1/."""

from django.urls import path

from . import discovery

urlpatterns = [
    path(
        "concepts/<slug:slug>/neighbors/",
        discovery.NeighborsView.as_view(),
        name="concept-neighbors",
    ),
    path(
        "concepts/<slug:slug>/learning-path/",
        discovery.LearningPathView.as_view(),
        name="concept-learning-path",
    ),
    path("graph/", discovery.GraphView.as_view(), name="graph"),
    path("graph/path/", discovery.PathView.as_view(), name="graph-path"),
    path("compare/", discovery.CompareView.as_view(), name="compare"),
    path("advisor/", discovery.AdvisorView.as_view(), name="advisor"),
]
