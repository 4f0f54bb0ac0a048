"""Cases: the events and their one projection, recording them with their outbox rows, the actions of each role, permissions, the detail and the paged queue."""
