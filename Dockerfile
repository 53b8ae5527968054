# Team Notes: a small, non-root image.
#
#   docker build -t teamnotes .     (podman: podman build --format docker -t teamnotes .,
#                                    as the OCI format drops HEALTHCHECK)
#   docker run -p 8000:8000 -v teamnotes-data:/data teamnotes
#
# The builder installs the hash-pinned lock (requirements/runtime.txt) into a
# virtualenv at /opt/teamnotes, builds the teamnotes wheel and installs it there
# without dependencies; the runtime stage is the base image plus that one venv.
#
# BASE_IMAGE is any Debian-like image whose `python3` is the Python the lock is
# tested with (3.11): the official python:3.11-slim by default, or the local
# Debian bookworm base that scripts/image-test makes when no registry is reachable.
# Both stages use it, so the venv's interpreter link stays valid.
#
# Package index settings for the build only (never copied into the image): pass a
# pip.conf and a CA bundle as build secrets, e.g.
#   docker build --secret id=pipconf,src=pip.conf --secret id=cacert,src=ca.pem .
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONDONTWRITEBYTECODE=1
# binutils' strip, for this stage only: the compiled extensions in the lock's
# wheels carry debug symbols (about 40 MB of the venv). Without it the image is
# just larger, and scripts/image-test's size check says by how much.
RUN if ! command -v strip >/dev/null 2>&1; then \
      { apt-get update -qq && apt-get install -y -qq --no-install-recommends binutils >/dev/null; } \
      || echo "warning: binutils not installable here; extensions stay unstripped" >&2; \
      rm -rf /var/lib/apt/lists/*; \
    fi
WORKDIR /src
COPY requirements/runtime.txt requirements/
# The runtime venv gets no pip of its own: a separate tools venv installs into it
# (pip --python), and later builds the wheel.
RUN --mount=type=secret,id=pipconf --mount=type=secret,id=cacert \
    set -eu; \
    if [ -s /run/secrets/pipconf ]; then export PIP_CONFIG_FILE=/run/secrets/pipconf; fi; \
    if [ -s /run/secrets/cacert ]; then export PIP_CERT=/run/secrets/cacert; fi; \
    python3 -m venv /opt/build-tools; \
    python3 -m venv --without-pip /opt/teamnotes; \
    /opt/build-tools/bin/python -m pip --python /opt/teamnotes/bin/python install --quiet \
        --require-hashes --no-deps --no-compile -r requirements/runtime.txt
# hatchling and what it needs, pinned and hashed in the dev lock like everything else.
COPY requirements/dev.txt requirements/
RUN --mount=type=secret,id=pipconf --mount=type=secret,id=cacert \
    set -eu; \
    if [ -s /run/secrets/pipconf ]; then export PIP_CONFIG_FILE=/run/secrets/pipconf; fi; \
    if [ -s /run/secrets/cacert ]; then export PIP_CERT=/run/secrets/cacert; fi; \
    awk -v want=" hatchling packaging pathspec pluggy trove-classifiers " ' \
        /^[^ #]/ { name = $1; sub(/[=;<>~!].*/, "", name); keep = index(want, " " name " ") > 0 } \
        /^ *#/ { next } \
        keep' requirements/dev.txt > /tmp/build-requirements.txt; \
    /opt/build-tools/bin/python -m pip install --quiet --require-hashes --no-deps \
        -r /tmp/build-requirements.txt
COPY pyproject.toml README.md ./
COPY src/ src/
RUN set -eu; \
    /opt/build-tools/bin/python -m pip wheel --quiet --no-deps --no-build-isolation -w /tmp/dist .; \
    /opt/build-tools/bin/python -m pip --python /opt/teamnotes/bin/python install --quiet \
        --no-deps --no-compile --no-index /tmp/dist/teamnotes-*.whl; \
    find /opt/teamnotes -name __pycache__ -prune -exec rm -rf {} +; \
    if command -v strip >/dev/null 2>&1; then \
      find /opt/teamnotes -name '*.so' -exec strip --strip-unneeded {} +; \
    fi; \
    /opt/teamnotes/bin/teamnotes --help >/dev/null

FROM ${BASE_IMAGE}
ARG UID=10001
# Bytecode is compiled on first start into /tmp (the image ships none: ~40 MB);
# later processes of the same container (the workers) reuse it.
ENV PATH=/opt/teamnotes/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONPYCACHEPREFIX=/tmp/pycache \
    TEAMNOTES_DATABASE_URL=sqlite:////data/teamnotes.db \
    TEAMNOTES_DATA_DIR=/data
RUN useradd --uid "${UID}" --user-group --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin teamnotes \
    && mkdir -p /data \
    && chown teamnotes:teamnotes /data \
    && chmod 0700 /data
COPY --from=builder /opt/teamnotes /opt/teamnotes
USER teamnotes
WORKDIR /opt/teamnotes
VOLUME /data
EXPOSE 8000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)"]
CMD ["teamnotes", "serve", "--host", "0.0.0.0", "--port", "8000"]
