"""Signals of govplans' own components (sent with crawler.signals, like Scrapy's)."""

# A spider read everything it will read of a site (sent at its last spider_idle), with keyword
# arguments site_id, listed (detail URLs its lists showed, None when unknown) and gone (documents
# its lists showed no more that the run must mark withdrawn; None when the walk cannot tell).
walk_finished = object()
