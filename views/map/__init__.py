"""The map screen, the map picker, the base-map settings, and the web plumbing they share."""
