"""The plugin manager and the registries built from it.

Nothing is built at import time: ``get_plugin_manager()`` creates the manager on first use, registering the
package's own modules exactly as a third-party plugin would be registered (plus any ``govpulse`` entry points).
"""

from __future__ import annotations

import functools
import importlib
import os
from collections.abc import Iterable

import pluggy

from govpulse import hookspecs

# The project's own features, registered like any plugin. A module is listed here once it exists.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "govpulse.ingest.builtin_connectors",
    "govpulse.analytics.builtin_flag_rules",
    "govpulse.workflow.builtin_channels",
)


def _load_default_plugins() -> Iterable[object]:
    for name in DEFAULT_PLUGINS:
        yield importlib.import_module(name)


@functools.cache
def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager (built lazily, once)."""
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    for module in _load_default_plugins():
        manager.register(module, name=module.__name__)
    manager.load_setuptools_entrypoints(hookspecs.PROJECT)
    if os.environ.get("GOVPULSE_TRACE_PLUGINS"):
        manager.trace.root.setwriter(print)
        manager.enable_tracing()
    return manager


def collect_by_kind(hook_results: Iterable[list[type] | None], what: str) -> dict[str, type]:
    """Merge the classes returned by every implementation of a ``register_*`` hook into ``{kind: class}``.

    Two plugins claiming the same kind is a configuration error, reported with both class names.
    """
    registry: dict[str, type] = {}
    for classes in hook_results:
        for cls in classes or ():
            kind = getattr(cls, "kind", None)
            if not kind:
                raise TypeError(f"{what} class {cls.__qualname__} has no 'kind' attribute")
            if kind in registry and registry[kind] is not cls:
                raise ValueError(
                    f"two {what} classes claim kind {kind!r}: "
                    f"{registry[kind].__module__}.{registry[kind].__qualname__} and {cls.__module__}.{cls.__qualname__}"
                )
            registry[kind] = cls
    return registry


def connector_classes() -> dict[str, type]:
    """Every registered connector class, by kind."""
    return collect_by_kind(get_plugin_manager().hook.register_connectors(), "connector")


def flag_rule_classes() -> dict[str, type]:
    """Every registered flag-rule class, by kind."""
    return collect_by_kind(get_plugin_manager().hook.register_flag_rules(), "flag rule")
