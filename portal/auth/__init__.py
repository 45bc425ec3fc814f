"""Sign-in: OpenID Connect relying party and server-side sessions."""
