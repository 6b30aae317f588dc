#!/usr/bin/env bash
# Gives one brand its own automation and sender capacity: subscriptions that take only that
# brand's dedicated messages, feeding the deployments automation-BRAND and sender-BRAND (deployed
# by cloudbuild.yaml with _BRAND=BRAND), each with its own instances, backlog and dead letters.
# The shared subscriptions already exclude dedicated messages, so nothing shared changes.
#
# Order matters (infra/README.md, "Giving a brand its own capacity"):
#   1. infra/brand.sh BRAND                      subscriptions exist (pull) and keep messages
#   2. Cloud Build with _BRAND=BRAND             deploys the functions and wires the subscriptions
#   3. set brands/BRAND.dedicated = true         publishers start marking the brand's messages
# Until step 3 nothing reaches the new subscriptions; after it, nothing of the brand reaches the
# shared ones.
#
# Usage: PROJECT_ID=… REGION=… ENV=… infra/brand.sh BRAND
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -eq 1 ]] || die "usage: infra/brand.sh BRAND"
brand="$1"
validate_brand "$brand"
load_project_number

for base in "${BRAND_DEPLOYMENTS[@]}"; do
  ensure_event_subscription "${base}-${brand}" "$base" "$(brand_filter "$brand")"
done

ALLOW_MISSING_FUNCTIONS=1
for base in "${BRAND_DEPLOYMENTS[@]}"; do
  wire_push_subscription "${base}-${brand}" "$base"
done

log "brand ${brand}: subscriptions ready. Next: deploy with _BRAND=${brand}, then mark the brand" \
  "dedicated (infra/README.md)."
