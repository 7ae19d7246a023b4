from django.apps import AppConfig


class HistoryConfig(AppConfig):
    """The change history of every versioned object: its rows, its API and its revert."""

    name = "history"
    verbose_name = "History"

    def ready(self):
        from simple_history.signals import pre_create_historical_record

        from history import feed
        from history.models import fill_related
        from kbapi.core.signals import object_written

        pre_create_historical_record.connect(fill_related, dispatch_uid="history.fill_related")
        # the change feed's entry of each write, in the write's transaction
        object_written.connect(feed.record, dispatch_uid="history.feed.record")
