"""Reader notices: scanning, the outbox leases, sending and the e-mail and webhook channels.

The Flask-free decisions a command needs (kinds, keys, templates, rendering) live in
`service/domain/notices/`, so the domain and application layers never import the workers.
"""
