#!/usr/bin/env bash
# The pipeline's topics, the quarantine hold, and who may publish where.
# The subscriptions that feed the functions (with ordering, retry and dead-lettering) are made by
# 60-subscriptions.sh; the per-brand ones by brand.sh.
# Usage: PROJECT_ID=… REGION=… ENV=… infra/20-pubsub.sh
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

for topic in "${TOPICS[@]}"; do
  ensure_topic "$topic"
done

# Quarantined events are kept for the longest retention Pub/Sub offers, acknowledged or not, so
# an operator can inspect them and replay the ones a fix makes valid.
ensure_hold_subscription "$QUARANTINE_HOLD" quarantine

# Least privilege: each function may publish only to the topics it publishes to (lib.sh).
for deployment in "${DEPLOYMENTS[@]}"; do
  member="serviceAccount:$(sa_email "$(runtime_sa_id "$deployment")")"
  for topic in $(publishes_to "$deployment"); do
    grant_topic_role "$topic" "$member" roles/pubsub.publisher
  done
done
