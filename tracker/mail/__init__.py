"""Email: rendering a notification into a message, and the backends that send it."""
