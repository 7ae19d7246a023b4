"""Signals that decouple the write path from what follows it (indexes, caches)."""

from django.dispatch import Signal

# Sent inside the write's transaction: listeners keep derived data (the search
# index) in step, atomically with the write. Arguments: instance, action.
object_written = Signal()

# Sent after the write's transaction commits: anything cached is now stale.
knowledge_changed = Signal()
