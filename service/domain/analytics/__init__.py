"""Analytics: what each report figure means, stated once for the API, the page and the exports."""
