"""crawler/run.fewer_collections: during a crawl the collector runs less often and skips what existed
before it; afterwards the process is as it was (a second crawl in it starts the same)."""
import gc

from crawler.run import GC_YOUNG_THRESHOLD, fewer_collections


def test_collections_are_fewer_during_a_crawl_and_as_before_after_it():
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    with fewer_collections():
        assert gc.get_threshold()[0] >= GC_YOUNG_THRESHOLD > before[0]
        assert gc.get_threshold()[1:] == before[1:]
        assert gc.get_freeze_count() > frozen
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_an_error_in_the_crawl_leaves_the_collector_as_it_was():
    before = gc.get_threshold()
    try:
        with fewer_collections():
            raise RuntimeError("the crawl failed")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
