"""The commands, one module per topic: crawl, sites, archive, watch (what is new), serve, farm, ocr."""
