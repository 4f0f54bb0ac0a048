"""Attachments on screen: thumbnails, the photo viewer, the file picker."""
