"""``manage.py reindex``: rebuild the search index from the stored knowledge."""

from django.core.management.base import BaseCommand
from django.db import transaction

from search.index import rebuild


class Command(BaseCommand):
    help = "Rebuild the search index (search_document and SQLite's FTS5 tables) from scratch."

    def handle(self, *args, **options):
        with transaction.atomic():
            total = rebuild()
        self.stdout.write(f"Indexed {total} objects.")
