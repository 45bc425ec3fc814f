"""Security tests: a hostile identity provider, back-channel logout, sessions, headers, CSRF, limits."""
