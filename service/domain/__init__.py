"""The domain, by subdomain: pure rules and decision state (no Flask, no SQL, no Celery)."""
