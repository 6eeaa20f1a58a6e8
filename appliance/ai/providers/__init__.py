"""AI providers are plugins: one folder each under this package, found by `registry`.

A provider folder holds `manifest.toml` (id, name, what it needs, its models and
prices) and `provider.py` with `create(config: ProviderConfig) -> ChatProvider`.
The core never imports a provider by name.
"""
