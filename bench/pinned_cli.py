"""archivekg's command line with the build's software digest pinned: ``python bench/pinned_cli.py DIGEST build ...``.

Used by ``bench_incremental.py --reuse``: a build reused from an earlier run recorded the digest of the code
that made it (cache.software_digest hashes the converter's code), and any change of code since would make
every rebuild a full one. Pinned to the recorded digest, the rebuilds measure the code as it is now. Never
use it to publish: the digest is what keeps documents converted by other code from being reused.
"""

from __future__ import annotations

import sys

import converter.cache as cache

DIGEST = sys.argv.pop(1)
cache.software_digest = lambda version, package=None: DIGEST  # type: ignore[assignment]

import converter.build as build  # noqa: E402  (after the pin: it imports the name)

build.software_digest = cache.software_digest  # type: ignore[attr-defined]

from converter.cli import cli  # noqa: E402

cli()
