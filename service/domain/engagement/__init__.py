"""Library activities and reader surveys: pure rules."""
