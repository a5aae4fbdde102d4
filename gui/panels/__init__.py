"""One module per panel. A panel reads the Session's public methods, changes things only
through its commands, and listens to its signals; it never imports another panel."""
