"""Database-free readers for files a library brings in: MARC records and reader lists."""
