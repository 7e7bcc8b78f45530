"""Host filters: the plugin interface (``base``), the runner that
applies them (``runner``) and nova's filters, one module each."""
