"""Dedup: exact copies (content hash) and near copies (MinHash LSH, then an exact Jaccard check).

Every document belongs to one cluster; a cluster's canonical copy is its earliest government
source, never an aggregator. Near copies across counties are a template family.
"""
from archive.dedup.clusters import DedupSettings, assign_cluster, rebuild_clusters
from archive.dedup.families import Adoption, CopyDifferences, Fill, copy_differences, template_family

__all__ = ["DedupSettings", "assign_cluster", "rebuild_clusters", "Adoption", "CopyDifferences", "Fill",
           "copy_differences", "template_family"]
