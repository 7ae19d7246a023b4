"""What search makes of comparisons (registered with ``search.registry`` when the
app is ready: ``RelationsConfig``)."""

from search.models import SearchDocument
from search.registry import document, register_search
from search.text import plain_text

from .models import Comparison

Kind = SearchDocument.Kind


@register_search(Kind.COMPARISON, model=Comparison, fields={"slug", "title", "summary", "verdict"})
def comparison_documents(ids, without):
    rows = Comparison.objects.filter(pk__in=ids).only("id", "slug", "title", "summary", "verdict")
    for c in rows:
        yield document(
            Kind.COMPARISON,
            c,
            title=c.title,
            names=[c.title],
            summary=plain_text(c.summary),
            body=[plain_text(c.verdict)],
        )
