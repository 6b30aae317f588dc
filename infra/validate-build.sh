#!/usr/bin/env bash
# First step of cloudbuild.yaml: stops a deploy build before anything is deployed when its
# substitutions cannot work. Reads them from the environment the build step sets.
# Needs only bash, so it runs in any image.
set -euo pipefail

problems=0
problem() {
  printf 'ERROR: %s\n' "$*" >&2
  problems=$((problems + 1))
}

[[ "${ENV:-}" =~ ^[a-z][a-z0-9-]{0,30}$ ]] ||
  problem "_ENV must be lowercase letters, digits and hyphens: '${ENV:-}'"
[[ "${REGION:-}" =~ ^[a-z]+-[a-z]+[0-9]+$ ]] || problem "_REGION is not a region: '${REGION:-}'"

if [[ -z "${BRAND:-}" ]]; then
  # Shared deployment. Secrets are pinned: a new version reaches the webhook only through a
  # deploy that names it, so every change is recorded in a build and can be rolled back.
  for name in PARTNER_KEY_VERSION CLIENT_TOKEN_VERSION; do
    [[ "${!name:-}" =~ ^[1-9][0-9]*$ ]] ||
      problem "_${name} must be a secret version number (pinned; not 'latest'): '${!name:-}'"
  done
  [[ "${IAP_AUDIENCE:-}" =~ ^/projects/[0-9]+/(global/backendServices/[0-9]+|apps/[a-z][a-z0-9-]+)$ ]] ||
    problem "_IAP_AUDIENCE must be /projects/NUMBER/global/backendServices/ID (printed by" \
      "infra/70-agent-api-iap.sh): '${IAP_AUDIENCE:-}'"
else
  # Same rule as validate_brand in lib.sh: the brand becomes part of service names and a filter.
  [[ "$BRAND" =~ ^[a-z0-9][a-z0-9-]{0,34}[a-z0-9]$ ]] ||
    problem "_BRAND must be 2-36 lowercase letters, digits or hyphens: '${BRAND}'"
fi

for name in "${!MAX_INSTANCES_@}"; do
  [[ "${!name}" =~ ^[1-9][0-9]*$ ]] || problem "_${name} must be a positive number: '${!name}'"
done

if ((problems > 0)); then
  exit 1
fi
echo "substitutions OK ($([[ -n "${BRAND:-}" ]] && echo "brand ${BRAND}" || echo shared) deployment)"
