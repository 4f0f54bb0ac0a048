"""The sync screen and the status-bar indicator."""
