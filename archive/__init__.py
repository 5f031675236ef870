"""The archive: documents, their provenance and history, extraction, dedup and search.

Imports neither Scrapy nor Flask: the crawler and the UI depend on it, never the reverse.
"""
