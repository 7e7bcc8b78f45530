"""Host weighers: the plugin interface (``base``), the engine that
combines them (``engine``) and nova's weighers, one module each."""
