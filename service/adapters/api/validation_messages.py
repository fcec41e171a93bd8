"""Every validation text the API may show, marked for ``pybabel extract`` (translated in
service/adapters/translations; see docs/i18n.md). ``{name}`` parts are matched and refilled."""

from __future__ import annotations


def N_(text: str) -> str:
    """Mark a message for extraction; it is translated when an answer is written."""
    return text


# marshmallow's field and validator messages, webargs' malformed body and ours (schemas).
TEMPLATES = frozenset({
    N_("Missing data for required field."), N_("Field may not be null."), N_("Unknown field."),
    N_("Invalid input type."), N_("Invalid input."), N_("Invalid type."), N_("Invalid value."),
    N_("Not a valid string."), N_("Not a valid integer."), N_("Not a valid number."),
    N_("Not a valid boolean."), N_("Not a valid date."), N_("Not a valid datetime."),
    N_("Not a valid time."), N_("Not a valid list."), N_("Not a valid tuple."),
    N_("Not a valid mapping type."), N_("Not a valid email address."), N_("Not a valid URL."),
    N_("Not a valid UUID."), N_("Not a valid utf-8 string."), N_("Number too large."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("String does not match expected pattern."), N_("Invalid JSON body."),
    N_("Shorter than minimum length {min}."), N_("Longer than maximum length {max}."),
    N_("Length must be between {min} and {max}."), N_("Length must be {equal}."),
    N_("Must be one of: {choices}."), N_("Must be equal to {other}."),
    N_("Must be greater than or equal to {min}."), N_("Must be greater than {min}."),
    N_("Must be less than or equal to {max}."), N_("Must be less than {max}."),
    N_("Must be greater than or equal to {min} and less than or equal to {max}."),
    N_("Letters, digits, '_' and '-'."), N_("Lower-case letters, digits, '_'."),
    N_("1-64 letters, digits, '.', '_' or '-'."), N_("1-64 letters, digits, '.', '_', '@' or '-'."),
    N_("4 to 12 digits."), N_("A CLC class such as I or TP3."),
    N_("An ISO 639-2 code (e.g. chi, eng)."), N_("Letters, digits and '-' only (max 32)."),
    N_("No control characters."), N_("Not a CLC class mark (e.g. I247.5)."),
    N_("Not a valid phone number."),
})

# Problem titles (the HTTP status in words) and what the caller can do about it.
STATUS_TITLES = {
    400: N_("Malformed request"), 401: N_("Sign-in required"), 403: N_("Not allowed"),
    404: N_("Not found"), 405: N_("Method not allowed"), 409: N_("Conflict"),
    413: N_("Request too large"), 415: N_("Unsupported media type"),
    422: N_("Invalid request"), 429: N_("Too many requests"), 500: N_("Internal server error"),
    503: N_("Service unavailable"),
}
STATUS_DETAILS = {
    400: N_("The request could not be read; see the field messages."),
    401: N_("Sign in and send the bearer token with the request."),
    403: N_("Your account's role does not allow this."),
    404: N_("Nothing is found at this address."),
    405: N_("This address does not accept that method; see the Allow header."),
    409: N_("The request conflicts with the current state."),
    413: N_("The request body is larger than the server accepts."),
    415: N_("Send the body as application/json (or the documented media type)."),
    422: N_("Some fields are not valid; see the field messages."),
    429: N_("Wait a moment before trying again."),
    500: N_("The error was logged."),
    503: N_("Try again shortly."),
}
MALFORMED_JSON_DETAIL = N_("The body is not valid JSON.")
