from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from concepts.content import CONTENT_DIR, ContentError, load_folder


class Command(BaseCommand):
    help = "Load the knowledge base from its content files (idempotent; all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("folder", nargs="?", default=str(CONTENT_DIR), type=Path)

    def handle(self, *args, folder: Path, **options):
        try:
            report = load_folder(folder)
        except ContentError as exc:
            raise CommandError(f"Nothing loaded. {exc}") from exc
        self.stdout.write(str(report))
