"""Library configuration at decision time: policy matrix, calendars."""
