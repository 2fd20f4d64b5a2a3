"""The web layer over kg: SPARQL endpoint, REST API and HTML views. It never loads spaCy."""
