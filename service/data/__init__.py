"""Data tools: the demo library, imports and exports."""
