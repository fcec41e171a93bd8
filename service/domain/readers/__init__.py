"""Readers: decision state and automatic blocks."""
