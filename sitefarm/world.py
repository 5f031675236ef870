"""The simulated world: which sites exist, what each publishes, and the ground truth.

Everything derives from (seed, site index, document index, day) through string-seeded
randoms, so nothing is stored: a page is rebuilt on every request and `--sites 1000`
costs little memory. Small LRU caches keep the hot sites' document headers.
"""
from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Iterator

import yaml

from archive import regions
from archive.extract.document import Region
from sitefarm import attachments as attachments_module
from sitefarm import citations, defences, texts, timeline
from sitefarm import lengths as lengths_module
from sitefarm.families import FAMILIES, NAMED_FAMILIES, PORTAL_FAMILIES
from sitefarm.faults import Faults
from sitefarm.model import EPOCH, Column, Doc, Site

FIRST_DATE = date(2018, 1, 1)
LINEAGES = 12
LINEAGE_SHARE = 0.08
COPY_EDITS = 0.05   # lengths="real": share of a lineage member's added paragraphs it words its own way

# The seed-0 demo's first sites, in order: (county code, family). 祁阳 first, as the docs use it;
# the first three stay TRS so the walking-skeleton crawl tests need only the TRS spider.
FEATURED = (("431181", "trs"), ("350128", "trs"), ("210421", "trs"), ("360922", "xxgk"),
            ("370724", "hanweb"), ("430923", "legacy"), ("230422", "xxgk"))
# Document-sharing sites that copy plans: www.fanwen-<name>.com.test
AGGREGATOR_NAMES = (("haoxue", "好学范文网"), ("wenmi", "文秘范文库"), ("diyi", "第一范文网"),
                    ("qiuxue", "求学文库"), ("gongwen", "公文范文大全"), ("xuexila", "学习啦范文"))


class World:
    def __init__(self, sites: int = 10, seed: int = 0, day: int = 0, docs_per_site: tuple[int, int] = (50, 100),
                 families: tuple[str, ...] | None = None, aggregators: int = 0,
                 faults: Faults | str | None = None, attachments: bool = False, defended: tuple[str, ...] = (),
                 scans: bool = False, citations: bool = False, lengths: str = "farm"):
        """families: the CMS families county sites may have (default: every portal family the farm serves).
        aggregators: how many 范文/文库 sites copy the planted template lineages (after the county sites).
        faults: None/"off" (default), "low", "high" or a Faults object; see sitefarm/faults.py.
        attachments: whether some documents link attached files (pdf, docx, xlsx, ofd …), a few holding
        their whole text while the page says 详见附件. Off by default so that World() stays the world
        the crawl tests were written against; `farm serve` and `farm truth` turn it on.
        defended: one more TRS site per entry that keeps crawlers out that way (sitefarm/defences.py:
        challenge_412, waf_aliyun, reset, stub …), after the county sites and the aggregators.
        scans: whether some documents' text is only in a scan (sitefarm/scans.py: images with noise,
        image-only PDFs, PDFs with a broken ToUnicode map, article bodies that are one picture);
        off by default, so the default world is unchanged.

        citations: the portals of the counties' provinces and cities join (after all others), and county
        plans cite their plans by 文号 and title (sitefarm/citations.py); the truth lists them (`cites`).

        lengths: "farm" (default: the template bodies, ~570 characters) or "real": bodies and attachment-held
        plans follow the lengths of real government texts (sitefarm/lengths.py; the benchmarks use it)."""
        self.lengths = lengths_module.check_mode(lengths)
        self.seed = seed
        self.day = day
        self.today = EPOCH + timedelta(days=day)
        self.docs_per_site = docs_per_site
        self.attachments_on = attachments
        self.scans_on = scans
        self.sites = self._make_sites(sites, families) + self._make_aggregators(sites, aggregators)
        self.sites += self._make_defended(sites, aggregators, defended, frozenset(s.id for s in self.sites))
        self.citations_on = citations
        self._uppers: dict[str, Site] = {}
        if citations:
            self.sites += self._make_uppers(self.sites[:sites])
        self._by_host = {site.host: site for site in self.sites}
        self.faults = Faults.of(faults)
        self._layouts = timeline.redesigns(seed, day, [s for s in self.sites if s.defence is None])

    # --- sites ---------------------------------------------------------------

    def _make_sites(self, count: int, families: tuple[str, ...] | None, first: int = 0,
                    defended: tuple[str, ...] = (), first_index: int = 0, taken: frozenset = frozenset()) -> list[Site]:
        """Sites of the counties first … first + count of the seed's order (one per defence when given)."""
        allowed = tuple(f for f in (families or PORTAL_FAMILIES) if f in PORTAL_FAMILIES + NAMED_FAMILIES) or ("trs",)
        rng = random.Random(f"sites:{self.seed}")
        featured = dict(FEATURED) if self.seed == 0 else {}
        pool = [r for r in regions.all_counties() if r.code not in featured]
        rng.shuffle(pool)
        ordered = [regions.lookup(code) for code in featured] + pool
        chosen = ordered[first:first + count]
        sites, slugs = [], set(taken)
        for index, region in enumerate(chosen, start=first_index):
            site_rng = random.Random(f"site:{self.seed}:{region.code}")
            slug = regions.pinyin(region.code)
            while slug in slugs:
                slug += str(site_rng.randint(0, 9))
            slugs.add(slug)
            family = featured.get(region.code) or site_rng.choice(allowed)
            if family not in allowed:
                family = allowed[index % len(allowed)]
            defence = defended[index - first_index] if defended else None
            if defence:
                family = "trs"
            pool_columns = FAMILIES[family].COLUMNS
            columns = tuple(Column(p, n) for p, n in sorted(site_rng.sample(pool_columns, k=site_rng.randint(1, 3))))
            sites.append(Site(
                index=index, id=slug, host=defences.host_of(slug, defence), defence=defence,
                name=f"{region.county}人民政府", region=region,
                site_code=f"{_original_code(region.code)}{site_rng.randint(1, 9):04d}",
                family=family, columns=columns,
                base_docs=site_rng.randint(*self.docs_per_site),
                first_doc_id=site_rng.randint(10_000, 900_000),
            ))
        return sites

    def _make_defended(self, count: int, aggregators: int, defended: tuple[str, ...], taken: frozenset) -> list[Site]:
        unknown = [kind for kind in defended if kind not in defences.DEFENCES]
        if unknown:
            raise ValueError(f"unknown defences {unknown}; the farm has {', '.join(defences.DEFENCES)}")
        return self._make_sites(len(defended), ("trs",), first=count, defended=tuple(defended),
                                first_index=count + aggregators, taken=taken) if defended else []

    def defences(self) -> dict[str, str]:
        """site id -> its defence, for the defended sites."""
        return {site.id: site.defence for site in self.sites if site.defence}

    def _make_aggregators(self, first_index: int, count: int) -> list[Site]:
        sites = []
        for n in range(count):
            slug, name = AGGREGATOR_NAMES[n % len(AGGREGATOR_NAMES)]
            if n >= len(AGGREGATOR_NAMES):
                slug += str(n // len(AGGREGATOR_NAMES) + 1)
            rng = random.Random(f"aggregator:{self.seed}:{n}")
            columns = tuple(Column(p, c) for p, c in FAMILIES["aggregator"].COLUMNS)
            sites.append(Site(index=first_index + n, id=f"fanwen-{slug}", host=f"www.fanwen-{slug}.com.test",
                              name=name, region=Region(), site_code="", family="aggregator", columns=columns,
                              base_docs=rng.randint(*self.docs_per_site), first_doc_id=rng.randint(10_000, 90_000)))
        return sites

    def _make_uppers(self, counties: list[Site]) -> list[Site]:
        """One portal per province and per city of the county sites (citations=True)."""
        made = []
        for county in counties:
            code = county.region.code
            for level, upper in (("province", code[:2] + "0000"), ("city", code[:4] + "00")):
                region = regions.lookup(upper)
                if upper in self._uppers or region is None or (level == "city" and not region.city):
                    continue
                rng = random.Random(f"upper:{self.seed}:{upper}")
                slug = f"{regions.pinyin(upper) or upper}-{'sheng' if level == 'province' else 'shi'}"
                name = region.city if level == "city" else region.province
                site = Site(index=len(self.sites) + len(made), id=slug, host=f"www.{slug}.gov.cn.test",
                            name=f"{name}人民政府", region=region, site_code=f"{upper}{rng.randint(1, 9):04d}",
                            family="trs", columns=(Column("/zwgk/zcwj/", "政策文件"),),
                            base_docs=rng.randint(*self.docs_per_site), first_doc_id=rng.randint(10_000, 900_000),
                            level=level)
                self._uppers[upper] = site
                made.append(site)
        return made

    def site_for_host(self, host: str) -> Site | None:
        return self._by_host.get(host.split(":")[0].lower())

    def layout(self, site: Site) -> int:
        """1 for the site's original templates, 2 from the day it was redesigned on."""
        return 2 if site.index in self._layouts else 1

    def redesigned_on(self, site: Site) -> int | None:
        return self._layouts.get(site.index)

    # --- documents -----------------------------------------------------------

    def documents(self, site: Site) -> list[Doc]:
        """All documents the site has today, oldest first (withdrawn ones included)."""
        return _documents(self.seed, site, self.day, self.attachments_on)

    def listed(self, site: Site, column: Column) -> list[Doc]:
        """What a column lists today: newest first, withdrawn documents left out (404 and unlisted
        alike). Families that re-publish edits (EDITED_IN_LISTS) order by the edit day."""
        return _listed(self.seed, site, self.day, column, self.attachments_on)

    def document(self, site: Site, doc_id: int) -> Doc | None:
        seq = doc_id - site.first_doc_id
        docs = self.documents(site)
        if seq % 7:
            return None
        seq //= 7
        return docs[seq] if 0 <= seq < len(docs) else None

    def served(self, doc: Doc | None) -> bool:
        """Whether the document's own page answers (a withdrawn one may stay up, only unlisted)."""
        return doc is not None and not doc.gone

    def body(self, doc: Doc) -> list[str]:
        """The document's full text as paragraphs (on the page, or in its attachment)."""
        files = self.attachments(doc) if self.lengths == "real" else ()
        in_file = bool(files) and files[0].role == "fulltext" and not files[0].noise
        paragraphs = _body(self.seed, doc, self.lengths, in_file)
        cites = self.cites(doc)
        if not cites:
            return paragraphs
        line = citations.sentence(random.Random(f"cite-text:{self.seed}:{doc.site.index}:{doc.seq}"), cites)
        at = 2 if doc.header.title.startswith("关于印发") else 0   # after 现将《…》印发给你们
        return [*paragraphs[:at], line, *paragraphs[at:]]

    def cites(self, doc: Doc) -> list[citations.PlantedCite]:
        """The province's and city's plans a county plan cites (citations=True; else none)."""
        if not self.citations_on or doc.site.level != "county" or doc.site.family == "aggregator":
            return []
        code = doc.site.region.code or ""
        uppers = [self._uppers[c] for c in (code[:4] + "00", code[:2] + "0000") if c in self._uppers]
        if not uppers:
            return []
        portals = [(site, [d for d in self.documents(site) if d.status != "withdrawn"]) for site in uppers]
        # the citing plan itself included: a 文号 or title it shares would read as itself
        line = [d for _, docs in portals for d in docs] + list(self.documents(doc.site))
        return citations.plant(random.Random(f"cite:{self.seed}:{doc.site.index}:{doc.seq}"), doc, portals, line)

    def attachments(self, doc: Doc) -> tuple[attachments_module.Attachment, ...]:
        if self.scans_on and (scan := attachments_module.scan_plan(self.seed, doc)):
            return scan
        if not self.attachments_on:
            return ()
        return attachments_module.plan(self.seed, doc)

    def page_body(self, doc: Doc) -> list[str]:
        """The paragraphs the page itself shows: the text, or a pointer to the attachment holding it."""
        files = self.attachments(doc)
        if files and files[0].role == "body":
            return []              # the page's body is one picture (attachment_links draws it)
        if files and files[0].role == "fulltext":
            return attachments_module.pointer_paragraphs(doc)
        return self.body(doc)

    # --- ground truth and registry -------------------------------------------

    def base_url(self, site: Site, port: int) -> str:
        if site.defence == "refused":
            port = defences.REFUSED_PORT
        return f"http://{site.host}:{port}"

    def doc_path(self, doc: Doc) -> str:
        """The path of the document's page on its site, as its family writes it."""
        return FAMILIES[doc.site.family].doc_path(doc)

    def truth(self, port: int) -> Iterator[dict]:
        def base_of(site: Site) -> str:
            return self.base_url(site, port)

        for site in self.sites:
            family = FAMILIES[site.family]
            overrides = getattr(family, "truth_overrides", None)
            base = self.base_url(site, port)
            for doc in self.documents(site):
                header = doc.header
                files = self.attachments(doc)
                url = base + family.doc_path(doc)
                record = {
                    "url": url,
                    "site": site.id,
                    "family": site.family,
                    "status": doc.status,
                    "title": header.title,
                    "published": header.published.isoformat(),
                    "written": header.written.isoformat(),
                    "agency": header.agency,
                    "doc_number": header.doc_number,
                    "index_number": doc.index_number,
                    "region": {"province": site.region.province, "city": site.region.city,
                               "county": site.region.county, "code": site.region.code},
                    "year": header.year,
                    "doc_type": header.doc_type,
                    "themes": [header.theme.topic],
                    "text": "\n".join(self.body(doc)),
                    "attachments": [{"url": base + attachments_module.path(doc, f, family.doc_path(doc)),
                                     "type": f.ext, "name": f.link_text,
                                     **({"scanned": True, "noise": f.noise,
                                         "text": attachments_module.scan_text(self, doc, f)} if f.noise else {})}
                                    for f in files],
                    "lineage": header.lineage,
                    # added keys: the document's history, where its text is, what the server does to it
                    "version": doc.version,
                    "day": self.day,
                    "added_day": doc.added_day,
                    "changed_day": doc.changed_day,
                    "file_edits": doc.file_edits,
                    "chrome_day": doc.chrome_day,
                    "withdrawn_day": doc.withdrawn_day,
                    "withdrawn_as": ("404" if doc.gone else "unlisted") if doc.status == "withdrawn" else None,
                    "text_in": "attachment" if files and files[0].role in ("fulltext", "body") else "page",
                    "layout": self.layout(site),
                    "faults": self.faults.describe(self, site, family.doc_path(doc), [attachments_module.path(
                        doc, f, family.doc_path(doc)) for f in files], base),
                }
                if overrides:
                    record.update(overrides(doc))  # what this family's pages never show
                if site.defence:
                    record["defence"] = site.defence   # no polite crawler reaches it
                if self.citations_on:
                    record["cites"] = [{"url": base_of(c.doc.site) + FAMILIES[c.doc.site.family].doc_path(c.doc),
                                        "doc_number": c.doc.header.doc_number, "title": c.doc.header.title,
                                        "form": c.form, "written": c.text} for c in self.cites(doc)]
                yield record

    def identity(self) -> dict:
        """What makes this world the same as another (its port aside): seed, day and its sites."""
        return {"seed": self.seed, "day": self.day, "sites": [s.id for s in self.sites]}

    def registry(self, port: int) -> list[dict]:
        # a family the crawler reads with another spider says so (jslist: generic, rendered in a browser)
        return [{"id": s.id, "name": s.name, "region": s.region.code, "family": s.family,
                 "base_url": self.base_url(s, port), "columns": [c.path for c in s.columns], "farm": True,
                 **getattr(FAMILIES[s.family], "REGISTRY", {})}
                for s in self.sites]

    def registry_yaml(self, port: int) -> str:
        return yaml.safe_dump(self.registry(port), allow_unicode=True, sort_keys=False)


def _original_code(code: str) -> str:
    """The code a portal was set up with: the retired one for a renamed county (祁阳 431121)."""
    same_city = [old for old in regions.former_codes(code) if old[:4] == code[:4]]
    return same_city[0] if same_city else code


def _place(site: Site) -> texts.Place:
    if site.level == "province":   # 湘政办发: the province's one-character name
        return texts.Place(site.region.province, citations.PROVINCE_CHARS.get(site.region.code[:2], "省"), "省")
    if site.level == "city":
        return texts.Place(site.region.city, regions.short_name(site.region.code) or site.region.city, "市")
    return texts.place_of(site.region.county, regions.short_name(site.region.code))


@lru_cache(maxsize=256)
def _base_documents(seed: int, site: Site) -> tuple[Doc, ...]:
    """The documents of day 0."""
    span = (EPOCH - FIRST_DATE).days
    docs = []
    for seq in range(site.base_docs):
        # Monotonic dates: the seq-th document falls in the seq-th slice of the span.
        rng = random.Random(f"doc:{seed}:{site.index}:{seq}")
        offset = int((seq + rng.random()) * span / site.base_docs)
        docs.append(_doc(rng, site, seq, FIRST_DATE + timedelta(days=offset)))
    return tuple(docs)


def new_document(seed: int, site: Site, seq: int, day: int) -> Doc:
    """A document that appears on `day` (published that day)."""
    rng = random.Random(f"doc:{seed}:{site.index}:{seq}:day{day}")
    return _doc(rng, site, seq, EPOCH + timedelta(days=day), added_day=day)


@lru_cache(maxsize=256)
def _documents(seed: int, site: Site, day: int, files: bool = False) -> list[Doc]:
    base = list(_base_documents(seed, site))
    replaceable = (lambda doc: attachments_module.replaceable(seed, doc)) if files else None
    return timeline.evolve(seed, site, base, day, new_document, replaceable) if day else base


@lru_cache(maxsize=512)
def _listed(seed: int, site: Site, day: int, column: Column, files: bool = False) -> list[Doc]:
    docs = [d for d in _documents(seed, site, day, files) if d.column == column and d.status != "withdrawn"]
    if getattr(FAMILIES[site.family], "EDITED_IN_LISTS", "republish") == "republish":
        return sorted(docs, key=lambda d: (d.listed_on, d.doc_id), reverse=True)
    return sorted(docs, key=lambda d: (d.published, d.doc_id), reverse=True)


def _doc(rng: random.Random, site: Site, seq: int, published: date, added_day: int = 0) -> Doc:
    if site.family == "aggregator":  # every copy has a model; names replaced by placeholders
        lineage = rng.randrange(LINEAGES)
        place = rng.choice(texts.PLACEHOLDERS)
    else:
        lineage = rng.randrange(LINEAGES) if rng.random() < LINEAGE_SHARE else None
        place = _place(site)
    header = texts.make_header(rng, place, published, lineage)
    if site.level != "county" and header.doc_number:   # a province's or city's 文号 never repeat
        header = replace(header, doc_number=f"{place.short[0]}{header.theme.office_code}发〔{header.written.year}〕"
                                            f"{seq + 1}号")
    column = site.columns[rng.randrange(len(site.columns))]
    return Doc(
        site=site, seq=seq, doc_id=site.first_doc_id + 7 * seq, column=column, header=header,
        pub_time=f"{rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}",
        index_number=f"{site.site_code[:6]}-{rng.randint(1, 40):04d}/{published.year}-{seq + 1:05d}",
        version=1, status="active", added_day=added_day,
    )


@lru_cache(maxsize=512)
def _body(seed: int, doc: Doc, lengths: str = "farm", in_file: bool = False) -> list[str]:
    rng = random.Random(f"body:{seed}:{doc.site.index}:{doc.seq}:1")
    place = texts.placeholder_of(doc.header.agency) if doc.site.family == "aggregator" else _place(doc.site)
    paragraphs = texts.make_body(rng, doc.header, place)
    if lengths == "real":
        paragraphs = _real_length(seed, doc, paragraphs, place, in_file)
    return timeline.edited(seed, doc, paragraphs)


def _real_length(seed: int, doc: Doc, paragraphs: list[str], place: texts.Place, in_file: bool) -> list[str]:
    """The body cut or stretched to a length drawn from sitefarm/lengths.py (randoms of their own, so the
    template draws stay as they are). A lineage member takes its length and filler from the lineage's
    model (at least a whole template), a few of its filler paragraphs rewritten from its own random (COPY_EDITS)."""
    header = doc.header
    own = random.Random(f"length:{seed}:{doc.site.index}:{doc.seq}")
    model = random.Random(f"lineage-length:{header.lineage}") if header.lineage else own
    if header.lineage:   # a copied plan is a whole plan: never cut below its template
        target = max(lengths_module.TEMPLATE_CHARS, lengths_module.page_length(model))
    else:
        target = lengths_module.file_length(own) if in_file else lengths_module.page_length(own)
    # a lineage's filler names no year or unit of its own, so that its members stay copies of each other
    year, unit = (2021, "县") if header.lineage else (header.year, place.unit)
    size = lengths_module.TEMPLATE_CHARS if header.lineage else sum(len(p) for p in paragraphs)
    extra = lengths_module.filler(model, target - size, year, unit) if target > size else []
    if header.lineage:
        extra = [lengths_module.sentence(own, year, unit) if own.random() < COPY_EDITS else p for p in extra]
    return lengths_module.fit(paragraphs, target, extra)
