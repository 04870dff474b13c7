# The dev IdP (default target `platform`) and the conformance runner (target `conformance`).
#
#   docker build -t mock-platform .                                  # the dev IdP
#   docker run --rm -p 127.0.0.1:8080:8080 -v mock-platform-data:/data mock-platform
#                                                                    # http://127.0.0.1:8080/api
#   docker build --target conformance -t mock-platform-conformance .
#
# Dependencies are installed into /opt/venv in build stages and only the venv is copied into the
# final images, so they carry no compiler, wheel or pip cache. docker-compose.yml wires both.

ARG PYTHON_IMAGE=python:3.12-slim

FROM ${PYTHON_IMAGE} AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH
# One unprivileged user for both images; /data (the mock's keys, session secret and SQLite
# database) belongs to it, and a named volume mounted there starts with that ownership.
RUN groupadd --gid 10001 mock \
 && useradd --no-log-init --uid 10001 --gid mock --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin mock \
 && install -d -o mock -g mock -m 0750 /data

# Dependencies, read from pyproject.toml: these layers are rebuilt only when that file changes.
FROM base AS deps
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
WORKDIR /src
COPY pyproject.toml ./
# The `postgres` extra too: one image serves the SQLite default and the compose `shared` profile.
RUN python -c 'import tomllib; project = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
extras = project["optional-dependencies"]; \
open("/tmp/requirements.txt", "w").write("\n".join(project["dependencies"] + extras["postgres"])); \
open("/tmp/requirements-test.txt", "w").write("\n".join(extras["test"]))' \
 && /opt/venv/bin/pip install -r /tmp/requirements.txt

FROM deps AS deps-test
RUN /opt/venv/bin/pip install -r /tmp/requirements-test.txt

# The package itself, as a wheel installed into each venv.
FROM deps AS build
COPY README.md ./
COPY mock_platform ./mock_platform
COPY client ./client
COPY conformance ./conformance
COPY headless_chromium ./headless_chromium
COPY report_page ./report_page
RUN /opt/venv/bin/pip wheel --no-deps --wheel-dir /wheels . \
 && /opt/venv/bin/pip install --no-deps /wheels/*.whl \
 && /opt/venv/bin/pip uninstall --yes pip setuptools

FROM deps-test AS build-test
COPY --from=build /wheels /wheels
RUN /opt/venv/bin/pip install --no-deps /wheels/*.whl

FROM base AS conformance
# Debian's Chromium (Playwright finds /usr/bin/chromium) for the cases that need a login page
# (AUTHZ-10, -33, -37); the others sign in with login_hint (`--login hint`). libatomic1 is for
# the Node.js that Playwright's driver runs on.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium libatomic1 \
 && rm -rf /var/lib/apt/lists/* \
 && install -d -m 1777 /reports
COPY --from=build-test /opt/venv /opt/venv
# HOME in /tmp: the image also runs as the caller's uid (`--user "$(id -u):$(id -g)"`).
ENV HOME=/tmp \
    PLAYWRIGHT_CHROMIUM_EXECUTABLE=/usr/bin/chromium \
    CONFORMANCE_LOGIN=hint \
    CONFORMANCE_REPORT=/reports/conformance-report.md \
    PYTEST_ADDOPTS="-p no:cacheprovider --junitxml=/reports/conformance-junit.xml"
USER mock
WORKDIR /reports
ENTRYPOINT ["pytest", "--pyargs", "conformance"]

# Last stage, so a plain `docker build .` gives the dev IdP.
FROM base AS platform
COPY --from=build /opt/venv /opt/venv
ENV MOCK_PLATFORM_DATA_DIR=/data
USER mock
WORKDIR /data
EXPOSE 8080
# No curl or wget in the slim image: Python sends GET /healthz to the port the server listens on and
# checks for status 200, over https (checking the certificate) when MOCK_PLATFORM_TLS is on.
COPY scripts/docker-healthcheck.py /usr/local/lib/mock-platform/healthcheck.py
HEALTHCHECK --interval=2s --timeout=3s --start-period=30s --retries=3 \
  CMD ["python", "-I", "-S", "/usr/local/lib/mock-platform/healthcheck.py"]
ENTRYPOINT ["mock-platform", "serve", "--host", "0.0.0.0"]
