from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from content.loader import CONTENT_DIR, ContentError, load_folder


class Command(BaseCommand):
    help = (
        "Apply to the database what changed in the content files since the last load "
        "(all or nothing). Edits made in the database (API, admin) are kept: where an entry "
        "changed in both, the conflict is reported on stderr and the database's version kept, "
        "unless --prefer-files. Exits 0 with conflicts, unless --strict."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", nargs="?", default=str(CONTENT_DIR), type=Path)
        parser.add_argument(
            "--prefer-files",
            action="store_true",
            help="Settle every conflict in the files' favour (through the services, recorded).",
        )
        parser.add_argument(
            "--prefer-files-for",
            action="append",
            default=[],
            metavar="ENTRY",
            help="Settle this entry's conflict in the files' favour: a slug, a relation's "
            "source--type--target, or kind:key (concept:database). Repeatable.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen; write nothing."
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Treat conflicts as errors: load nothing and exit with status 1.",
        )

    def handle(self, *args, folder: Path, prefer_files, prefer_files_for, dry_run, strict, **_):
        try:
            report = load_folder(
                folder,
                prefer_files=prefer_files or prefer_files_for,
                dry_run=dry_run,
                strict=strict,
            )
        except ContentError as exc:
            raise CommandError(f"Nothing loaded. {exc}") from exc
        if report.conflicts:
            n = len(report.conflicts)
            self.stderr.write(
                self.style.WARNING(
                    f"loadkb: {n} CONFLICT{'S' if n > 1 else ''} between the content files and "
                    "the database, left as the database has them:"
                )
            )
            for line in report.conflicts:
                self.stderr.write(self.style.WARNING(f"  CONFLICT {line}"))
            self.stderr.write(
                "Settle them: `manage.py exportkb --files --prefer-database` writes the database's "
                "version into the files; `manage.py loadkb --prefer-files` (or --prefer-files-for "
                "ENTRY) loads the files' version."
            )
        self.stdout.write(str(report))
