import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from concepts.content import dump_document, export_document


class Command(BaseCommand):
    help = "Write the whole knowledge base in the content format (a folder loadkb reads)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, help="Folder to write kb.yaml into (default: standard output)."
        )

    def handle(self, *args, output: Path | None, **options):
        text = dump_document(export_document())
        if output is None:
            sys.stdout.write(text)
            return
        output.mkdir(parents=True, exist_ok=True)
        (output / "kb.yaml").write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {output / 'kb.yaml'}")
