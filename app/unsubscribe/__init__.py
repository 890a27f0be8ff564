"""One-click unsubscribe from bulk mail (RFC 8058): the link in List-Unsubscribe and in the email's footer."""
