from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    """Reading the knowledge as a graph: neighbours, paths, learning paths, the advisor,
    comparisons side by side, and the graph as Mermaid, DOT and JSON-LD. No models."""

    name = "discovery"
    verbose_name = "Discovery"
