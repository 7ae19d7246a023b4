import os

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = (
        "Create (or update) a staff user in the editors group and print their API token. "
        "The password comes from --password or the EDITOR_PASSWORD environment variable."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", default=os.environ.get("EDITOR_PASSWORD"))

    def handle(self, *args, username: str, password: str | None, **options):
        if not password:
            raise CommandError("Give --password or set EDITOR_PASSWORD.")
        user, created = User.objects.get_or_create(username=username)
        user.is_staff = True
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name="editors"))
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(f"{'Created' if created else 'Updated'} editor {username}.")
        self.stdout.write(f"API token: {token.key}")
