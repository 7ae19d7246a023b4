import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from content.loader import (
    ADDED_FILE,
    CONTENT_DIR,
    ContentError,
    dump_document,
    export_document,
    export_folder,
)


class Command(BaseCommand):
    help = (
        "Write the knowledge base in the content format: with --files, the database's changes "
        "since the last load into the content files (for review and commit); with --output, "
        "the whole of it into DIR/kb.yaml; else the whole of it to standard output."
    )

    def add_arguments(self, parser):
        where = parser.add_mutually_exclusive_group()
        where.add_argument(
            "--output", type=Path, help="Folder to write kb.yaml into (default: standard output)."
        )
        where.add_argument(
            "--files",
            type=Path,
            nargs="?",
            const=CONTENT_DIR,
            metavar="FOLDER",
            help="Write what changed in the database into the content files of FOLDER "
            "(default: content/data), each entry into its own file; unchanged entries "
            "keep their lines.",
        )
        parser.add_argument(
            "--prefer-database",
            action="store_true",
            help="With --files: where the file and the database both changed an entry, write "
            "the database's version (else the file is left as it is and the conflict reported).",
        )
        parser.add_argument(
            "--added-file",
            default=ADDED_FILE,
            help=f"With --files: the file for entries created in the database ({ADDED_FILE}).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="With --files: report, write nothing."
        )

    def handle(self, *args, output: Path | None, files: Path | None, **options):
        if files is not None:
            self.write_back(files, **options)
            return
        text = dump_document(export_document())
        if output is None:
            sys.stdout.write(text)
            return
        output.mkdir(parents=True, exist_ok=True)
        (output / "kb.yaml").write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {output / 'kb.yaml'}")

    def write_back(self, folder: Path, *, prefer_database, added_file, dry_run, **_):
        try:
            report = export_folder(
                folder, prefer_database=prefer_database, dry_run=dry_run, added_file=added_file
            )
        except ContentError as exc:
            raise CommandError(f"Nothing written. {exc}") from exc
        if report.conflicts:
            self.stderr.write(self.style.WARNING(f"exportkb: {len(report.conflicts)} CONFLICT(S):"))
            for line in report.conflicts:
                self.stderr.write(self.style.WARNING(f"  CONFLICT {line}"))
        self.stdout.write(str(report))
