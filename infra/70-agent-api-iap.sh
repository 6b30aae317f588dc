#!/usr/bin/env bash
# Puts the agent API behind Identity-Aware Proxy: a global external HTTPS load balancer with a
# serverless NEG in front of the agent-api function (deployed with ingress internal-and-gclb, so
# the load balancer is its only way in), IAP on the backend service, and IAP's service agent as
# the function's only invoker. Prints the IAP_AUDIENCE the function must verify (pass it to the
# deploy build as _IAP_AUDIENCE).
# Usage: PROJECT_ID=… REGION=… ENV=… AGENT_API_DOMAIN=agents.example.com \
#        [IAP_MEMBERS=group:agents@example.com,user:lead@example.com] infra/70-agent-api-iap.sh
# Then point the domain's A record at the printed address; the managed certificate becomes
# ACTIVE once DNS resolves to it (up to an hour).
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
load_project_number

: "${AGENT_API_DOMAIN:?set AGENT_API_DOMAIN, the host name agents will use}"
readonly NEG=agent-api-neg BACKEND=agent-api-backend URL_MAP=agent-api-urlmap
readonly CERT=agent-api-cert PROXY=agent-api-https-proxy ADDRESS=agent-api-ip RULE=agent-api-https

gc services enable compute.googleapis.com iap.googleapis.com
gc beta services identity create --service=iap.googleapis.com --format=none
iap_agent="serviceAccount:service-$(project_number)@gcp-sa-iap.iam.gserviceaccount.com"

# ensure KIND NAME SCOPE-FLAG CREATE-ARGS...: creates a compute resource unless it exists.
ensure() {
  local kind="$1" name="$2" scope="$3"
  shift 3
  if exists compute "$kind" describe "$name" "$scope"; then
    log "${kind} ${name} exists"
    return
  fi
  log "creating ${kind} ${name}"
  gc compute "$kind" create "$name" "$scope" "$@"
}

ensure network-endpoint-groups "$NEG" --region="$REGION" \
  --network-endpoint-type=serverless --cloud-run-service=agent-api
ensure backend-services "$BACKEND" --global --load-balancing-scheme=EXTERNAL_MANAGED
# Checked rather than tied to creation, so a run interrupted between the two steps heals.
if [[ -z "$(value 'backends[].group' compute backend-services describe "$BACKEND" --global)" ]]; then
  gc compute backend-services add-backend "$BACKEND" --global \
    --network-endpoint-group="$NEG" --network-endpoint-group-region="$REGION"
fi
# Enabling is idempotent; IAP uses a Google-managed OAuth client.
gc compute backend-services update "$BACKEND" --global --iap=enabled
ensure url-maps "$URL_MAP" --global --default-service="$BACKEND"
ensure ssl-certificates "$CERT" --global --domains="$AGENT_API_DOMAIN"
ensure target-https-proxies "$PROXY" --global --url-map="$URL_MAP" --ssl-certificates="$CERT"
ensure addresses "$ADDRESS" --global --ip-version=IPV4
ensure forwarding-rules "$RULE" --global --load-balancing-scheme=EXTERNAL_MANAGED \
  --address="$ADDRESS" --target-https-proxy="$PROXY" --ports=443

# Who may use the agent console.
IFS=, read -r -a members <<<"${IAP_MEMBERS:-}"
for member in "${members[@]}"; do
  with_retries gc iap web add-iam-policy-binding --resource-type=backend-services \
    --service="$BACKEND" --member="$member" --role=roles/iap.httpsResourceAccessor --format=none
done

# IAP calls the function as its service agent; nobody else may invoke it.
if exists functions describe agent-api --region="$REGION"; then
  with_retries gc functions add-invoker-policy-binding agent-api --region="$REGION" \
    --member="$iap_agent" --format=none
else
  log "agent-api is not deployed yet: run this script again after the first deploy build"
fi

backend_id="$(value id compute backend-services describe "$BACKEND" --global)"
log "agent API: https://${AGENT_API_DOMAIN}/ -> $(value address compute addresses describe "$ADDRESS" --global)"
echo "IAP_AUDIENCE=/projects/$(project_number)/global/backendServices/${backend_id}"
