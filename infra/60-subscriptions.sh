#!/usr/bin/env bash
# The shared subscriptions that feed the event functions (direct Pub/Sub triggers, see
# infra/README.md "Why push subscriptions and not --trigger-topic"), each with its dead-letter
# topic and hold, then pointed at its function if that is deployed.
# Usage: PROJECT_ID=… REGION=… ENV=… infra/60-subscriptions.sh
#   ALLOW_MISSING_FUNCTIONS=1  leave a subscription as pull while its function is not deployed
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
load_project_number

for deployment in "${EVENT_DEPLOYMENTS[@]}"; do
  filter=""
  # Brands with their own capacity take their dedicated messages off the shared functions.
  for brandable in "${BRAND_DEPLOYMENTS[@]}"; do
    if [[ "$deployment" == "$brandable" ]]; then filter="$SHARED_FILTER"; fi
  done
  ensure_event_subscription "$deployment" "$deployment" "$filter"
done

for deployment in "${EVENT_DEPLOYMENTS[@]}"; do
  wire_push_subscription "$deployment" "$deployment"
done
