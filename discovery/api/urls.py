"""Routes of the discovery endpoints, included under /api/v1/."""

from django.urls import path

from discovery.api import views

urlpatterns = [
    path(
        "concepts/<slug:slug>/neighbors/",
        views.NeighborsView.as_view(),
        name="concept-neighbors",
    ),
    path(
        "concepts/<slug:slug>/learning-path/",
        views.LearningPathView.as_view(),
        name="concept-learning-path",
    ),
    path("graph/", views.GraphView.as_view(), name="graph"),
    path("graph/path/", views.PathView.as_view(), name="graph-path"),
    # the formats of graph/?format= as operations of their own (typed clients)
    path("graph/mermaid/", views.GraphMermaidView.as_view(), name="graph-mermaid"),
    path("graph/dot/", views.GraphDotView.as_view(), name="graph-dot"),
    path("graph/jsonld/", views.GraphJsonldView.as_view(), name="graph-jsonld"),
    path("compare/", views.CompareView.as_view(), name="compare"),
    path("advisor/", views.AdvisorView.as_view(), name="advisor"),
]
