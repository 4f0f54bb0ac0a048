"""Working time: the workday calendar and office-hour arithmetic behind every deadline."""
