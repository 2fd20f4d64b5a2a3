"""Build the extraction pipeline from its config (kg/extract/pipeline.cfg)."""

from __future__ import annotations

import logging
from pathlib import Path

import spacy
from spacy.language import Language

import kg.extract.components
import kg.extract.tokenizer  # noqa: F401  (registers the tokenizer)
from kg.extract.state import ensure_extensions
from kg.resources import DATA_DIR

CONFIG_FILE = Path(__file__).with_name("pipeline.cfg")
NER_MODEL = DATA_DIR / "models" / "ner-klue"
SOURCED = ("tok2vec", "ner")
log = logging.getLogger(__name__)


def build_nlp(config_path: Path = CONFIG_FILE, ner_model: Path | None = NER_MODEL) -> Language:
    """The pipeline, with the statistical NER when its model is present."""
    ensure_extensions()
    config = spacy.util.load_config(config_path, interpolate=False)
    have_model = ner_model is not None and (ner_model / "meta.json").exists()
    if have_model:
        config["paths"]["ner_model"] = str(ner_model)
    else:
        if ner_model is not None:
            log.warning("statistical NER model not found at %s; extracting with rules only", ner_model)
        config["nlp"]["pipeline"] = [p for p in config["nlp"]["pipeline"] if p not in SOURCED]
        for name in SOURCED:
            config["components"].pop(name, None)
    config = config.interpolate()
    nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
    return nlp
