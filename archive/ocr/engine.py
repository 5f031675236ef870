"""The recogniser: RapidOCR (PP-OCR models on ONNX Runtime, Apache-2.0). Its models ship inside the
wheel, so it runs offline. One engine per process, loaded on first use (about a second), single
threaded: the workers are processes, one per core.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

import numpy as np


@dataclass(frozen=True)
class Line:
    """One recognised line (or a cell of a table row): its box in page pixels, text and score."""
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    score: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0


def engine_name() -> str:
    from importlib.metadata import version

    return f"rapidocr {version('rapidocr')}"


@lru_cache(maxsize=1)
def _engine():
    from rapidocr import RapidOCR

    engine = RapidOCR(params={"Global.log_level": "warning",
                              "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                              "EngineConfig.onnxruntime.inter_op_num_threads": 1})
    logging.getLogger("RapidOCR").setLevel(logging.WARNING)
    return engine


def without_red(image) -> np.ndarray:
    """The page as an RGB array with red ink (a 公章 over the signature) turned white: the
    black text under a seal stays dark in the red channel, the seal's own strokes vanish."""
    rgb = np.asarray(image.convert("RGB"), dtype=np.int16)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    red = (r > 120) & (r - g > 50) & (r - b > 50)
    grey = np.where(red, 255, r).astype(np.uint8)  # red channel: pink edges of the seal go light too
    return np.repeat(grey[..., None], 3, axis=2)


def recognise_image(image) -> list[Line]:
    """The lines RapidOCR reads on one page image (a PIL image), red ink removed first."""
    result = _engine()(without_red(image))
    if result is None or result.txts is None:
        return []
    lines = []
    for box, text, score in zip(result.boxes, result.txts, result.scores):
        xs, ys = [p[0] for p in box], [p[1] for p in box]
        if text.strip():
            lines.append(Line(float(min(xs)), float(min(ys)), float(max(xs)), float(max(ys)), text.strip(),
                              float(score)))
    return lines
