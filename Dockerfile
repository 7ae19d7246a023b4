# kbapi: the app image (uvicorn serving kbapi.asgi:application).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml ./
COPY kbapi ./kbapi
COPY concepts ./concepts
COPY relations ./relations
COPY manage.py schema.yml ./
RUN pip install --no-cache-dir . \
    && useradd --system --home /app kbapi \
    && DJANGO_ENV=development python manage.py collectstatic --noinput --verbosity 0

USER kbapi
EXPOSE 8000
CMD ["sh", "-c", "uvicorn kbapi.asgi:application --host 0.0.0.0 --port 8000 --workers ${WEB_CONCURRENCY:-4} --no-proxy-headers"]
