from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The write path every app shares: services, versioned models, signals, the admin base."""

    name = "kbapi.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from django.db.backends.signals import connection_created

        from kbapi.core.signals import knowledge_changed, object_written
        from kbapi.edge import outage, version

        # The knowledge-base version (read by the response cache) follows every write:
        # once inside the write's transaction, once after it commits.
        object_written.connect(version.bump, dispatch_uid="kbapi.edge.version.in_transaction")
        knowledge_changed.connect(
            version.bump_after_commit, dispatch_uid="kbapi.edge.version.after_commit"
        )
        # A new connection closes the database's breaker (opened by a failure to connect).
        connection_created.connect(
            outage.database_connected, dispatch_uid="kbapi.edge.outage.database_connected"
        )
