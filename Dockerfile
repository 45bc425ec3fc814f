# syntax=docker/dockerfile:1
# The PPS portal's image. Every build step is `ops/image.sh` (tests/unit/ops runs the same steps without Docker).
#   docker build -t pps-portal .
#   docker run --read-only --tmpfs /tmp --env-file portal.env -p 8000:8000 pps-portal
# Settings: docs/configuration.md. Deployment: docs/deployment.md.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:24-bookworm-slim

# --- 1. front-end assets: htmx from the locked npm package ----------------------------------------------------
FROM ${NODE_IMAGE} AS assets
WORKDIR /src
COPY package.json package-lock.json ./
COPY ops/ ops/
RUN bash ops/image.sh assets

# --- 2. Python: the wheel, then a virtual environment with it and its locked dependencies ---------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml requirements.lock README.md ./
COPY portal/ portal/
COPY templates/ templates/
COPY translations/ translations/
COPY ops/ ops/
COPY --from=assets /src/portal/static/vendor/ portal/static/vendor/
RUN bash ops/image.sh wheel /tmp/dist \
 && bash ops/image.sh install /tmp/dist /opt/portal

# --- 3. runtime: no compiler, no pip cache, no source; a user without a shell --------------------------------
FROM ${PYTHON_IMAGE} AS runtime
# WeasyPrint (PDF of the care plan) draws text with Pango; DejaVu is the fallback font of the print stylesheet.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 portal \
 && useradd --system --uid 10001 --gid portal --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin portal
COPY --from=build /opt/portal /opt/portal
# Nothing is written outside /tmp (a tmpfs) and /dev/shm: bytecode was compiled at install, and fontconfig
# (WeasyPrint) keeps its cache under /tmp.
ENV PATH=/opt/portal/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    XDG_CACHE_HOME=/tmp/.cache \
    PORT=8000
# The last build step, run where the libraries of WeasyPrint are: the app starts and answers in French.
RUN python /opt/portal/probe.py smoke
USER 10001:10001
WORKDIR /tmp
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "/opt/portal/probe.py", "healthz"]
ENTRYPOINT ["gunicorn", "--config", "/opt/portal/gunicorn.conf.py", "portal.wsgi:app"]
