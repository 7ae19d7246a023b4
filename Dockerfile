# kbapi: the app image (uvicorn serving kbapi.asgi:application).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# every package pyproject.toml lists, manage.py and schema.yml (.dockerignore leaves out the rest)
COPY . ./
RUN pip install --no-cache-dir . \
    && rm -rf build *.egg-info \
    && useradd --system --home /app kbapi \
    && DJANGO_ENV=development python manage.py collectstatic --noinput --verbosity 0

USER kbapi
EXPOSE 8000
# --no-proxy-headers: uvicorn never rewrites the client from X-Forwarded-*; the app believes
# them only from TRUSTED_PROXIES (docker-compose.yml sets it to nginx's network).
CMD ["sh", "-c", "uvicorn kbapi.asgi:application --host 0.0.0.0 --port 8000 --workers ${WEB_CONCURRENCY:-4} --no-proxy-headers"]
