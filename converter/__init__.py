"""archivekg converter: archive exports -> document model -> RDF -> published dataset."""

__version__ = "0.1.0"
