"""Export formats: streamed CSV and XLSX writers over rows read from projections."""
