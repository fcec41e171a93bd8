# Lector's one image: api (gunicorn), worker, beat and sip2 differ only by command.
# Pinned to a patch release and a Debian release, so each build starts from the same system.
FROM python:3.11.14-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Dependencies first, exactly as locked (versions and hashes: scripts/lock.sh refreshes the
# lock), in their own layer so a source change does not reinstall them.
COPY requirements/lock.txt /tmp/lock.txt
RUN pip install --require-hashes -r /tmp/lock.txt && rm /tmp/lock.txt

# Then Lector itself, without resolving anything again, from a throwaway copy of the source,
# so the processes import the installed package and never a stray checkout.
COPY pyproject.toml README.md /src/
COPY events /src/events
COPY projections /src/projections
COPY service /src/service
COPY workers /src/workers
RUN pip install --no-deps /src && pip check && rm -rf /src

# Not root: Celery refuses to run as root with anything but JSON, and nothing here needs it.
# The home folder is the working directory (beat keeps its schedule and lock in Redis).
RUN useradd --system --create-home --home-dir /var/lib/lector --shell /usr/sbin/nologin lector
USER lector
WORKDIR /var/lib/lector
ENV LECTOR_INSTANCE_DIR=/var/lib/lector/instance

EXPOSE 8000 6001
CMD ["sh", "-c", "lector db upgrade && exec gunicorn -c python:service.gunicorn_conf -w 4 -b 0.0.0.0:8000 'service.wsgi:app'"]
