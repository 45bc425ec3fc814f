#!/usr/bin/env bash
# Every build step of the container image, in one place: the Dockerfile runs these steps stage by stage, and
# tests/unit/ops/test_image_build.py runs them all in a clean virtual environment, so a broken step fails the tests
# even where no Docker engine runs.
#
#   ops/image.sh assets               Node stage: htmx from the locked npm package into portal/static/vendor
#   ops/image.sh wheel DIST           Python build stage: the portal's wheel (static files inside) into DIST
#   ops/image.sh install DIST PREFIX  a virtual environment in PREFIX/venv with the wheel and its locked
#                                     dependencies; templates and compiled translations where the app reads them
#   ops/image.sh check PREFIX         build the app from PREFIX and answer /healthz, a page in French, htmx
#   ops/image.sh all PREFIX           every step above, in order (no Docker needed)
#
# Run from the project folder. PYTHON (default python3) builds and creates the environment; NPM_FLAGS is added
# to `npm ci` (the tests pass --prefer-offline).
set -euo pipefail

PYTHON=${PYTHON:-python3}
NPM_FLAGS=${NPM_FLAGS:-}
HTMX=portal/static/vendor/htmx.min.js

die() { echo "ops/image.sh: $*" >&2; exit 1; }

assets() {
    # --omit=dev: axe-core is for the browser tests only. The lock file pins htmx's exact bytes.
    # shellcheck disable=SC2086  # NPM_FLAGS holds several words on purpose
    npm ci --omit=dev --no-audit --no-fund --loglevel=error $NPM_FLAGS
    mkdir -p "$(dirname "$HTMX")"
    cp node_modules/htmx.org/dist/htmx.min.js "$HTMX"
}

wheel() {
    local dist=${1:?wheel DIST}
    # The wheel carries portal/static (package data): without htmx the pages would load no script.
    [ -s "$HTMX" ] || die "$HTMX is missing: run 'ops/image.sh assets' first"
    "$PYTHON" -m pip wheel --quiet --no-deps --wheel-dir "$dist" .
}

install() {
    local dist=${1:?install DIST PREFIX} prefix=${2:?install DIST PREFIX}
    local wheels=("$dist"/pps_portal-*.whl)
    [ -f "${wheels[0]}" ] || die "no pps_portal wheel in $dist"
    prefix=$(mkdir -p "$prefix" && cd "$prefix" && pwd)
    "$PYTHON" -m venv "$prefix/venv"
    local py="$prefix/venv/bin/python"
    # The lock holds every exact version (-c: used only for what the wheel needs). Binary wheels only: the
    # final image has no compiler, so nothing may need one.
    "$py" -m pip install --quiet --disable-pip-version-check --only-binary=:all: -c requirements.lock "${wheels[0]}"
    # The app reads templates/ and translations/ beside its package (portal.ROOT, the project folder in a
    # checkout): put them there, with the catalogues compiled (.mo files are built, never committed).
    local root
    # -I: the installed package, never the source folder we stand in.
    root=$("$py" -I -c 'import portal; print(portal.ROOT)')
    case "$root" in "$prefix"/*) ;; *) die "portal.ROOT ($root) is not inside $prefix" ;; esac
    rm -rf "$root/templates" "$root/translations"
    cp -r templates translations "$root/"
    find "$root/translations" -name '*.mo' -delete  # compiled below from the .po files, never taken as found
    "$prefix/venv/bin/pybabel" compile -d "$root/translations"
    find "$root/translations" -name '*.mo' | grep -q . || die "no compiled catalogue in $root/translations"
    cp ops/gunicorn.conf.py ops/probe.py "$prefix/"
}

check() {
    local prefix=${1:?check PREFIX}
    "$prefix/venv/bin/python" -I "$prefix/probe.py" smoke
}

step=${1:-}
shift || true
case "$step" in
    assets) assets ;;
    wheel) wheel "$@" ;;
    install) install "$@" ;;
    check) check "$@" ;;
    all)
        prefix=${1:?all PREFIX}
        dist=$(mktemp -d)
        trap 'rm -rf "$dist"' EXIT
        assets
        wheel "$dist"
        install "$dist" "$prefix"
        check "$prefix"
        ;;
    *) die "unknown step '${step}' (assets, wheel, install, check or all)" ;;
esac
