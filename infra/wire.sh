#!/usr/bin/env bash
# Points event subscriptions at their deployed functions (push endpoint, OIDC identity, invoker
# grant). The deploy build runs this after the functions are deployed; it only changes push
# configuration and IAM on the functions, so the deploy identity needs no Pub/Sub IAM rights.
# Usage: PROJECT_ID=… REGION=… ENV=… [BRAND=…] infra/wire.sh
#   BRAND  empty: the shared event functions; set: that brand's automation and sender
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Pairs of "deployment base" to wire.
pairs=()
brand="${BRAND:-}"
if [[ -z "$brand" ]]; then
  for deployment in "${EVENT_DEPLOYMENTS[@]}"; do pairs+=("$deployment $deployment"); done
else
  validate_brand "$brand"
  for base in "${BRAND_DEPLOYMENTS[@]}"; do pairs+=("${base}-${brand} ${base}"); done
fi

# All or nothing: check every subscription exists and every function is deployed before
# changing anything.
missing=()
for pair in "${pairs[@]}"; do
  read -r deployment _ <<<"$pair"
  exists pubsub subscriptions describe "$(push_subscription "$deployment")" ||
    die "subscription $(push_subscription "$deployment") does not exist: run" \
      "infra/$([[ -n "$brand" ]] && echo "brand.sh ${brand}" || echo setup.sh) first"
  uri="$(function_uri "$deployment")" # an error other than "not found" stops here
  [[ -n "$uri" ]] || missing+=("$deployment")
done
if ((${#missing[@]} > 0)) && [[ "${ALLOW_MISSING_FUNCTIONS:-0}" != 1 ]]; then
  list="${missing[*]}"
  die "not deployed in ${REGION}: ${list// /, }"
fi

for pair in "${pairs[@]}"; do
  read -r deployment base <<<"$pair"
  wire_push_subscription "$deployment" "$base"
done
