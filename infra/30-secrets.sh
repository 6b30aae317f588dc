#!/usr/bin/env bash
# Secret Manager secrets for the webhook: the partner key (verifies Google's signature) and the
# client token (answers Google's webhook verification). This script never sees their values;
# add them as versions by hand (infra/README.md) and deploy with those version numbers pinned.
# Usage: PROJECT_ID=… REGION=… ENV=… infra/30-secrets.sh
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

webhook="serviceAccount:$(sa_email "$(runtime_sa_id webhook)")"

for secret in "$PARTNER_KEY_SECRET" "$CLIENT_TOKEN_SECRET"; do
  if exists secrets describe "$secret"; then
    log "secret ${secret} exists"
  else
    log "creating secret ${secret} (no version yet)"
    # Kept in the functions' region, like the rest of the pipeline's data.
    gc secrets create "$secret" --labels="$LABELS" \
      --replication-policy=user-managed --locations="$REGION"
  fi
  # Only the webhook reads them, and only these two.
  with_retries gc secrets add-iam-policy-binding "$secret" \
    --member="$webhook" --role=roles/secretmanager.secretAccessor --format=none
done
