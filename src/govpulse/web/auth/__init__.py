"""Sign-in and who is asking: passwords, browser sessions (cookie + CSRF), bearer tokens, HTTP basic auth for
the DHIS2-compatible endpoints, lock-out, optional OpenID Connect. ``web/deps.py`` turns the result into the
``CurrentUser`` and ``ScopeDep`` dependencies that handlers declare."""
