"""Fill solara's local CDN folder from the npm registry, so the dashboard renders with no internet.

Solara serves ``/_solara/cdn/<package>@<version>/...`` from ``<venv>/share/solara/cdn/`` and fetches
anything missing there from a public CDN, which a classroom or CI machine may not reach. This tool reads
which packages the *installed* solara asks for (from its page template, its Vue widgets and its settings),
downloads each one with ``npm pack`` and unpacks it where solara looks.

Run it with the project's interpreter (the Makefile does)::

    .venv/bin/python tools/install_solara_assets.py            # install what is missing
    .venv/bin/python tools/install_solara_assets.py --list     # only show what solara asks for

It is idempotent (a package already in place is skipped) and atomic (each package is unpacked into a
temporary folder and renamed into place, so a folder that exists is complete). It exits non-zero, naming the
package and the reason, if anything fails.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# How solara writes a CDN address in its sources: "{{cdn}}/pkg@ver/..." in the page template and
# "${this.getCdn()}/pkg@ver/..." in its Vue widgets. The captured group is the folder name, e.g.
# "@widgetti/vue-grid-layout@2.3.13-alpha.2" or "vega@5".
CDN_REFERENCE = re.compile(r"(?:\{\{\s*cdn\s*\}\}|\$\{this\.getCdn\(\)\})/((?:@[\w.-]+/)?[\w.-]+@[\w.^~-]+)/")
PACKAGE_FOLDER = re.compile(r"^/?((?:@[\w.-]+/)?[\w.-]+@[\w.^~-]+)/")

# Solara's own documentation site (solara/website) asks for search widgets that an app never loads.
SKIPPED_SOURCE_FOLDERS = {"website"}
SOURCE_SUFFIXES = {".vue", ".py", ".j2", ".html"}


class AssetError(RuntimeError):
    """A package could not be found or installed; the message says which and why."""


def ipyvuetify_major() -> int:
    try:
        return int(importlib.metadata.version("ipyvuetify").split(".")[0])
    except importlib.metadata.PackageNotFoundError:
        return 1


def requested_packages() -> list[str]:
    """Return the ``pkg@version`` folders the installed solara requests, sorted.

    Only the Vuetify generation that is installed counts: solara's template loads
    ``solara-vuetify3-app`` with ipyvuetify 3 and ``solara-vuetify-app`` otherwise, and ``*_v3.vue``
    widgets belong to Vuetify 3 as well.
    """
    import solara
    from solara.server import settings

    vuetify3 = ipyvuetify_major() >= 3
    root = Path(solara.__file__).parent
    found: set[str] = set()
    for source in root.rglob("*"):
        if source.suffix not in SOURCE_SUFFIXES or SKIPPED_SOURCE_FOLDERS & set(source.relative_to(root).parts):
            continue
        if source.stem.endswith("_v3") and not vuetify3:
            continue
        found.update(CDN_REFERENCE.findall(source.read_text(encoding="utf-8", errors="replace")))
    if settings.assets.fontawesome_enabled:
        match = PACKAGE_FOLDER.match(settings.assets.fontawesome_path)
        if match:
            found.add(match.group(1))
    unwanted = "solara-vuetify-app@" if vuetify3 else "solara-vuetify3-app@"
    return sorted(folder for folder in found if unwanted not in folder)


def cdn_folder() -> Path:
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def npm_pack(spec: str, destination: Path, npm_cache: Path) -> Path:
    """Download the tarball of ``spec`` (e.g. ``vega@5``) into ``destination`` and return its path."""
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError("npm is not installed; install it (Debian: apt-get install -y npm) and run this again")
    command = [npm, "pack", spec, "--json", "--pack-destination", str(destination), "--cache", str(npm_cache),
               "--no-audit", "--no-fund", "--loglevel=error",
               "--fetch-retries=2", "--fetch-retry-mintimeout=2000", "--fetch-retry-maxtimeout=10000"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        # drop npm's pointer to its debug log: that log lives in the temporary cache, deleted on exit
        reason = "\n".join(line for line in result.stderr.strip().splitlines() if "complete log" not in line)
        raise AssetError(f"`npm pack {spec}` failed (exit {result.returncode}):\n{reason[-800:]}\n"
                         "Check that the npm registry is reachable (npm config get registry).")
    try:
        filename = json.loads(result.stdout)[0]["filename"]
    except (ValueError, LookupError, TypeError) as error:
        raise AssetError(f"`npm pack {spec}` printed no tarball name ({error}): {result.stdout[:300]!r}") from error
    # npm names scoped tarballs "widgetti-vue-grid-layout-2.3.13-alpha.2.tgz"
    tarball = destination / filename.lstrip("@").replace("/", "-")
    if not tarball.is_file():
        raise AssetError(f"`npm pack {spec}` reported {filename} but {tarball} does not exist")
    return tarball


def install(folder: str, cdn: Path, npm_cache: Path) -> bool:
    """Install one ``pkg@version`` folder under ``cdn``; return False if it was already there."""
    target = cdn / folder
    if (target / "package.json").is_file():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    # unpack next to the target so the final rename stays on one file system and is atomic
    with tempfile.TemporaryDirectory(prefix=".partial-", dir=target.parent) as work:
        work_path = Path(work)
        tarball = npm_pack(folder, work_path, npm_cache)
        with tarfile.open(tarball) as archive:
            archive.extractall(work_path / "unpacked", filter="data")
        unpacked = work_path / "unpacked" / "package"
        if not (unpacked / "package.json").is_file():
            raise AssetError(f"the tarball of {folder} has no package/package.json; it is not an npm package")
        if target.exists():  # a folder without package.json: left by an older, non-atomic install
            shutil.rmtree(target)
        unpacked.rename(target)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="print the packages solara requests and exit")
    parser.add_argument("--cdn-dir", type=Path, default=None,
                        help="install here instead of solara's own folder (default: %(default)s = solara's setting)")
    args = parser.parse_args(argv)

    folders = requested_packages()
    if not folders:
        print("error: found no CDN package in the installed solara; has its layout changed?", file=sys.stderr)
        return 1
    cdn = args.cdn_dir or cdn_folder()
    if args.list:
        print("\n".join(folders))
        return 0

    with tempfile.TemporaryDirectory(prefix="labelmarket-npm-cache-", dir="/tmp") as npm_cache:
        for done, folder in enumerate(folders):
            try:
                added = install(folder, cdn, Path(npm_cache))
            except (AssetError, OSError, tarfile.TarError, subprocess.TimeoutExpired) as error:
                # stop at the first failure: offline, every other package would fail the same slow way
                print(f"error: could not install {folder} into {cdn}: {error}\n"
                      f"error: {len(folders) - done} of {len(folders)} solara assets are still missing, so the "
                      "dashboard would be blank offline. Fix the cause above and run this again.", file=sys.stderr)
                return 1
            print(f"{'installed' if added else 'present  '} {cdn / folder}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
