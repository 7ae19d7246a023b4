"""What the loader remembers between runs."""

from django.db import models


class LoadedEntry(models.Model):
    """What ``loadkb`` last loaded of one content entry: the base of its three-way merge.

    ``digest`` (and ``data``) are of the entry as the files gave it, normalised
    (``content.loader.normalise``); the loader compares the files and the
    database against it to tell who changed an entry since the last load.
    """

    kind = models.CharField(max_length=20)  # "concepts", "relations", ... (content.KINDS)
    key = models.CharField(max_length=255)  # the slug; a relation's source--type--target
    file = models.CharField(max_length=255)  # the content file's name
    digest = models.CharField(max_length=64)
    data = models.JSONField(default=dict)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "concepts_loadedentry"  # made by the concepts app, before content was one
        ordering = ["kind", "key"]
        verbose_name_plural = "loaded entries"
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="loaded_entry_unique_key"),
        ]

    def __str__(self):
        return f"{self.file}: {self.kind} {self.key}"
