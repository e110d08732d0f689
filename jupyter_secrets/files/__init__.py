"""The materialized tree: secret values as files for kernels, and nowhere else.

``tree`` writes a server's tree, ``base_dir`` picks where it lives (memory-backed, ours) and
cleans up after killed servers, ``owners`` tells a live server's tree from a stale one,
``registry`` remembers every base used (the no-follow primitives are ``jupyter_secrets.fileio``).  This layer
knows nothing of HTTP or Jupyter: it takes project ids, filenames and values.
"""

from jupyter_secrets.files.base_dir import (
    BaseDir,
    choose_base_dir,
    cleanup_all_stale,
    cleanup_stale,
    default_base_dir,
    ensure_base_dir,
    is_memory_backed,
    new_server_dir,
)
from jupyter_secrets.files.owners import OWNER_FILENAME
from jupyter_secrets.files.registry import default_registry_path
from jupyter_secrets.files.tree import (
    INDEX_FILENAME,
    NO_PROJECT,
    REDACTION_FILENAME,
    Materializer,
    validate_filename,
    validate_project_id,
)

__all__ = [
    "INDEX_FILENAME",
    "NO_PROJECT",
    "OWNER_FILENAME",
    "REDACTION_FILENAME",
    "BaseDir",
    "Materializer",
    "choose_base_dir",
    "cleanup_all_stale",
    "cleanup_stale",
    "default_base_dir",
    "default_registry_path",
    "ensure_base_dir",
    "is_memory_backed",
    "new_server_dir",
    "validate_filename",
    "validate_project_id",
]
