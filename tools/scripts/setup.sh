#!/usr/bin/env bash
# accessim set-up: installs the Debian 12 packages accessim needs (when run as root; otherwise
# prints the apt-get line and stops), then configures and builds the given CMake preset.
#   tools/scripts/setup.sh [PRESET]     (PRESET: dev, ci, asan, release; default dev)
set -euo pipefail
preset="${1:-dev}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# Build tools, the libraries accessim links (GDAL 3.6, PROJ 9.1, GEOS 3.11, libyaml, readosm,
# OpenSSL's libcrypto for SHA-256, cairo for report.html, OpenMPI for the ci preset's MPI
# build), and what the tests use (gdal-bin for gdalinfo/ogrinfo, osmium-tool as the
# independent OSM reader, python3 for output checks).
packages=(build-essential cmake pkg-config libgdal-dev gdal-bin libproj-dev proj-bin libgeos-dev
          libyaml-dev libreadosm-dev libcsv-dev libssl-dev libcairo2-dev libopenmpi-dev openmpi-bin
          osmium-tool python3)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if ((${#missing[@]})); then
    if [ "$(id -u)" -eq 0 ]; then
        echo "accessim setup: installing ${missing[*]}" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "accessim setup: missing Debian packages; install them with:" >&2
        echo "  sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
fi

cd "$root"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
