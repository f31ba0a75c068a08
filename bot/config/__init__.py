"""The config: settings models, YAML with locations, the loader, hot reload."""
