# feedsvc: scheduled scraper publishing static feeds into /data/output
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY feedsvc ./feedsvc
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin feedsvc \
    && mkdir -p /data/output /data/state \
    && chown -R feedsvc:feedsvc /data

COPY --chown=feedsvc:feedsvc config.toml /data/config.toml

USER feedsvc
WORKDIR /data
VOLUME ["/data"]

# healthy while the last successful cycle is younger than 3 schedule intervals (status.json)
HEALTHCHECK --interval=5m --timeout=10s --start-period=2m --retries=3 \
    CMD ["feedsvc", "health", "--config", "/data/config.toml"]

CMD ["feedsvc", "run", "--config", "/data/config.toml"]
