"""The UI's pages, one blueprint per module; each page's `.json` twin returns the same view as data
(render.twin)."""
