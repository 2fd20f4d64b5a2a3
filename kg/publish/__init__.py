"""Publishing the graph: release dumps with their VoID/DCAT description, flat records and
tables for people who do not speak RDF, and re-basing a graph under another base IRI."""
