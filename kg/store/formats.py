"""The RDF formats kg reads and writes, named the way users name them (`ttl`, `nq`, `jsonld` …).

pyoxigraph's own format table is the one source: a name is looked up as a file extension,
then as a media type, and the media type and the dataset capability come from pyoxigraph.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.model import KgError

# names users type that are not pyoxigraph's file extensions
_ALIASES = {
    "turtle": "ttl",
    "ntriples": "nt",
    "n-triples": "nt",
    "rdfxml": "rdf",
    "xml": "rdf",
    "json-ld": "jsonld",
}

# the formats `kg export`, `kg query` and the stores' dumps offer, in the order help texts list them
EXPORT_NAMES = ("ttl", "nq", "trig", "jsonld", "nt", "rdfxml")


def rdf_format(name: str) -> ox.RdfFormat:
    """`ttl`, `turtle`, `nq`, `jsonld`, `rdfxml` … or a media type → pyoxigraph's format."""
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    found = ox.RdfFormat.from_extension(key) or ox.RdfFormat.from_media_type(key)
    if found is None:
        raise KgError(f"unknown RDF format {name!r}; use one of {', '.join(EXPORT_NAMES)}")
    return found


def is_dataset_format(name: str) -> bool:
    """Whether the format carries named graphs (N-Quads, TriG, JSON-LD)."""
    return rdf_format(name).supports_datasets


def media_type(name: str) -> str:
    return rdf_format(name).media_type
