"""One version: labextension/package.json is its source, and everything else agrees with it.

The build (hatch-nodejs-version) reads package.json and writes jupyter_secrets/_version.py;
the OpenAPI document is hand-written, so its ``info.version`` is checked here.
"""

from __future__ import annotations

import json
from importlib.metadata import version as installed_version
from importlib.resources import files
from pathlib import Path

import pytest
import yaml
from packaging.version import Version

import jupyter_secrets

PACKAGE_JSON = Path(__file__).resolve().parent.parent / "labextension" / "package.json"


def test_openapi_info_version_is_the_package_version():
    spec = yaml.safe_load(files("jupyter_secrets").joinpath("server/openapi.yaml").read_text())
    assert Version(str(spec["info"]["version"])) == Version(jupyter_secrets.__version__), (
        "set info.version in jupyter_secrets/server/openapi.yaml to the version of "
        "labextension/package.json"
    )


@pytest.mark.skipif(not PACKAGE_JSON.is_file(), reason="not run from a source tree")
def test_package_version_is_the_one_in_package_json():
    npm_version = json.loads(PACKAGE_JSON.read_text())["version"]
    assert Version(npm_version) == Version(jupyter_secrets.__version__), (
        "jupyter_secrets/_version.py is older than labextension/package.json: run `make install`"
    )


def test_installed_metadata_has_the_same_version():
    assert Version(installed_version("jupyter_secrets")) == Version(jupyter_secrets.__version__)
