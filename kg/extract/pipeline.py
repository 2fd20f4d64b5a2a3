"""Build the extraction pipeline from its config (kg/extract/pipeline.cfg).

The statistical NER's matrix products run on numpy's BLAS (OpenBLAS), one thread: thinc's
default, the BLIS build spaCy ships, runs its generic reference kernel on this kind of
machine and is several times slower (bench/extract.py). The results are the same
(tests/test_pipeline_ops.py). One thread, because extraction parallelises by processes (`-j`,
the Dask workers): BLAS threads would only fight the other workers for the cores.
"""

from __future__ import annotations

import logging
from pathlib import Path

import spacy
from spacy.language import Language
from thinc.api import use_ops
from threadpoolctl import threadpool_limits

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
    threadpool_limits(limits=1, user_api="blas")
    with use_ops("numpy", use_blis=False):  # every model built here multiplies on numpy's BLAS
        nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
    return nlp
