"""Measuring govplans, outside the product: what the tests gate on and the benchmarks print.

- extraction: scoring extraction against labelled real pages (gold.jsonl) and full-text benchmarks;
  floors.json pins the floors the tests gate on, beside a hash of the corpus they were measured on;
- dedup: clusters scored against the template lineages the site farm plants;
- corpus: a seeded synthetic corpus for the search oracle and the search benchmark;
- farm: the farm's truth as a corpus of N documents (the benchmarks' data);
- crashes: a faulty farm, crawls killed at chosen moments, and the checks that nothing was lost;
- hostile: an archive full of markup payloads, and the checks that every response built from it is inert;
- national: a registry entry per government and what crawls of half of them left, for the coverage ledger.

The product (archive, crawler, search_ui, govplans) never imports this package, except the
`govplans eval-extract` command, which prints extraction's scores.
"""
