"""Map free-text hardware and model names (as written in benchmark tables) to catalog entries.

>>> map_hardware("H200 SXM 141GB (Azure ND H200 v5)").name
'H200 SXM'
>>> map_hardware("H20-96G").name, map_hardware("B200-SXM-180GB").name
('H20', 'B200')
>>> map_hardware("8x NVIDIA H100 80GB HBM3").name
'H100 SXM'

>>> map_model("DeepSeek-R1-0528").id, map_model("Llama 3.3 70B").id
('deepseek-v3', 'llama-3.1-70b')
"""

from __future__ import annotations

import re

from ..catalog import Chip, UnknownChipError
from .workloads import Model, WorkloadError, model

_NOISE = re.compile(
    r"^\s*\d+\s*[x×]\s*|\(.*?\)|\bx\s*\d+\b.*$|\+.*$|\b\d+\s*(?:gb|g|gib)\b|\bnvlink\d*\b|\b\d+w\b|\btdp\b|\bsm\d+\b|/.*$",
    re.IGNORECASE,
)


def map_hardware(text: str) -> Chip | None:
    """The catalog chip a benchmark's hardware column names, or None."""
    from ..api import catalog

    cat = catalog()
    cleaned = _NOISE.sub(" ", text.replace("-", " ")).strip()
    words = cleaned.split()
    for n in range(len(words), 0, -1):
        candidate = " ".join(words[:n])
        try:
            return cat.resolve(candidate).chip
        except UnknownChipError:
            continue
    return None


_MODEL_NOISE = re.compile(r"\(.*?\)|-\d{4}$|\bmlperf.*$", re.IGNORECASE)
#: Same architecture, different weights: the model file that describes them.
_SAME_ARCHITECTURE = {
    r"llama[- ]?3(\.[0-9])?[- ]?(\d+)b": "Llama-3.1-{1}B",
    r"llama[- ]?2[- ]?70b": "Llama-2-70B",
}


def map_model(text: str) -> Model | None:
    """The model file a benchmark's model column names, or None."""
    cleaned = _MODEL_NOISE.sub("", text).strip().strip("-").strip()
    for pattern, target in _SAME_ARCHITECTURE.items():
        m = re.search(pattern, cleaned, re.IGNORECASE)
        if m:
            cleaned = target.replace("{1}", m.group(2)) if "{1}" in target else target
            break
    for candidate in (cleaned, cleaned.split("/")[0].strip()):
        try:
            return model(candidate)
        except WorkloadError:
            continue
    return None
